# repwatch worker image: slim Python, CPU-only PyTorch, the starter model inside.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1

WORKDIR /app
# CPU wheel first, so the project's `torch>=2.2` never pulls a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY repwatch ./repwatch
COPY crawler ./crawler
COPY sentiment ./sentiment
COPY alerts ./alerts
COPY storage ./storage
COPY reports ./reports
RUN pip install . && useradd --create-home --uid 10001 repwatch
USER repwatch
WORKDIR /home/repwatch

HEALTHCHECK --interval=60s --timeout=10s --retries=3 CMD ["repwatch", "--version"]
ENTRYPOINT ["repwatch"]
CMD ["run", "--once", "--config", "/config/repwatch.yaml"]
