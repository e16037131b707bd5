# repwatch image: slim Python, CPU-only PyTorch, the starter model inside, non-root.
# One image, two long-running services (docker-compose.yml): `repwatch worker` and
# `repwatch slack listen --http`; `repwatch db upgrade` migrates before they start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1

WORKDIR /app
# CPU wheel first, so the project's `torch>=2.2` never pulls a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"
COPY pyproject.toml README.md ./
COPY config ./config
COPY delivery ./delivery
COPY repwatch ./repwatch
COPY crawler ./crawler
COPY sentiment ./sentiment
COPY alerts ./alerts
COPY storage ./storage
COPY reports ./reports
# A regular (not editable) install: the starter model's files are package data.
RUN pip install . \
    && python -c "from sentiment.scorer import BUNDLED_MODELS as m; assert all((d / 'model.safetensors').is_file() for d, _ in m.values())" \
    && useradd --create-home --uid 10001 repwatch \
    && mkdir -p /data && chown repwatch /data
USER repwatch
WORKDIR /data

# The worker serves Prometheus metrics on 9108 (worker.metrics_port); the Slack
# listener overrides this check with its /healthz in docker-compose.yml.
EXPOSE 9108 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9108/metrics', timeout=4)"]
ENTRYPOINT ["repwatch"]
CMD ["worker", "--config", "/config/repwatch.yaml"]
