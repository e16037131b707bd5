"""`repwatch worker`: the scheduled, long-running form of `repwatch run --once`."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from repwatch.commands.common import ConfigOption, exit_on_failure, settings_or_exit

log = logging.getLogger(__name__)


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        log.warning("received %s: finishing in-flight work, then exiting", signal.strsignal(signum))
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def worker_command(config: ConfigOption = None) -> None:
    """Run every source on its own interval, score, alert and send until stopped.

    SIGTERM or SIGINT stops it gracefully: in-flight work finishes (bounded by
    worker.shutdown_timeout), the outbox is flushed once, and it exits 0.
    """
    from rich.console import Console

    from repwatch.metrics import WorkerMetrics
    from repwatch.worker import Worker

    settings = settings_or_exit(config)
    console = Console()
    stop = threading.Event()
    _stop_on_signals(stop)
    metrics = WorkerMetrics()
    with exit_on_failure("worker"):
        if settings.worker.metrics_port is not None:
            metrics.serve(settings.worker.metrics_port, settings.worker.metrics_host)
        console.print(
            f"repwatch worker: {sum(s.enabled for s in settings.sources)} source(s); "
            "Ctrl-C or SIGTERM stops it"
        )
        Worker(settings, console, metrics).run(stop)
    console.print("repwatch worker stopped")
