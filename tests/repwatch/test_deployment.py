"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The compose file is validated by Debian's `docker-compose config`; each repwatch
service's command then runs here, as the container would run it, against the local
PostgreSQL and Redis, and the image's health checks are run against those processes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(command: list[str]) -> bool:
    return subprocess.run(command, capture_output=True, timeout=10).returncode == 0


def _wait_healthy(command: list[str], process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited {process.returncode}: {process.communicate()[0]}")
        if _healthy(command):
            return
        time.sleep(0.5)
    raise AssertionError(f"not healthy within {timeout}s: {command}")


def _repwatch_argv(service: str) -> list[str]:
    """The service's command after the image's ENTRYPOINT ["repwatch"]."""
    return [sys.executable, "-m", "repwatch.cli", *_compose()["services"][service]["command"]]


def _dockerfile_healthcheck() -> list[str]:
    match = re.search(r"HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])", DOCKERFILE.read_text())
    assert match, "the Dockerfile has a HEALTHCHECK with an exec-form CMD"
    return list(json.loads(match.group(1)))


@pytest.fixture
def container_env(postgres_server_url: str, tmp_path: Path) -> dict[str, str]:
    """The compose environment, with the bundled services replaced by the local ones."""
    env = {k: str(v) for k, v in _compose()["x-repwatch"]["environment"].items()}
    env = {k: v for k, v in env.items() if not v.startswith("${")}
    env["REPWATCH_DATABASE_URL"] = postgres_server_url
    env["REPWATCH_REDIS_URL"] = REDIS_URL
    config = {
        "brand": {"name": "Acme"},
        "worker": {"metrics_port": 9108},
        "report": {"enabled": False},
    }
    (tmp_path / "repwatch.yaml").write_text(yaml.safe_dump(config))
    return {**os.environ, **env, "HF_HUB_OFFLINE": "1"}


@contextmanager
def _running(argv: list[str], env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.communicate(timeout=40)


def _with_config(argv: list[str], config: Path) -> list[str]:
    return [str(config) if arg == "/config/repwatch.yaml" else arg for arg in argv]


def test_compose_file_is_valid_for_docker_compose(tmp_path: Path) -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("Debian's docker-compose is not installed (apt-get install docker-compose)")
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(COMPOSE, project / "docker-compose.yml")
    shutil.copy(ROOT / "repwatch.example.yaml", project / "repwatch.yaml")
    result = subprocess.run(
        [binary, "config", "-q"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_compose_has_the_production_services() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "worker", "slack-listener"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["redis"]
    for name in ("worker", "slack-listener"):
        needs = services[name]["depends_on"]["migrate"]["condition"]
        assert needs == "service_completed_successfully"
        assert "./repwatch.yaml:/config/repwatch.yaml:ro" in services[name]["volumes"]


def test_only_the_worker_container_opens_metrics_beyond_loopback() -> None:
    services = _compose()["services"]

    assert services["worker"]["environment"]["REPWATCH_METRICS_HOST"] == "0.0.0.0"
    assert services["worker"]["environment"]["REPWATCH_DATABASE_URL"]  # the shared ones kept
    assert services["worker"]["ports"] == ["127.0.0.1:9108:9108"]
    assert "REPWATCH_METRICS_HOST" not in services["slack-listener"]["environment"]


def test_dockerfile_is_slim_cpu_non_root_with_the_model_and_a_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "download.pytorch.org/whl/cpu" in text and '"torch==2.13.0"' in text
    assert "USER repwatch" in text and "model.safetensors" in text
    assert _dockerfile_healthcheck()[0] == "python"


def test_migrate_worker_and_healthcheck_run_as_in_the_container(
    container_env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "repwatch.yaml"
    migrate = _with_config(_repwatch_argv("migrate"), config)
    done = subprocess.run(migrate, env=container_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

    worker = _with_config(_repwatch_argv("worker"), config)
    with _running(worker, container_env, tmp_path) as process:
        _wait_healthy(_dockerfile_healthcheck(), process)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=40)
    assert process.returncode == 0, output


def test_slack_listener_serves_its_healthcheck(
    container_env: dict[str, str], tmp_path: Path, fake_slack
) -> None:
    port = _free_port()
    listener = _with_config(_repwatch_argv("slack-listener"), tmp_path / "repwatch.yaml")
    listener[listener.index("3000")] = str(port)
    env = {
        **container_env,
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_BOT_TOKEN": "xoxb-listener",
        "REPWATCH_SLACK_BASE_URL": fake_slack.base_url,
    }
    check = _compose()["services"]["slack-listener"]["healthcheck"]["test"][1:]
    check = [arg.replace(":3000/", f":{port}/") for arg in check]
    with _running(listener, env, tmp_path) as process:
        _wait_healthy(check, process)
        health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.status == 200
