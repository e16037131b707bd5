"""The long-running worker: each source on its own interval, then score → decide → send.

A thin loop over the named steps of :mod:`repwatch.steps`, scheduled with APScheduler.
Crawls run in child processes (Twisted's reactor starts once per process), so every
crawl of every source is a fresh, isolated Scrapy run. After each crawl the new
mentions are scored and decided at once, and a delivery thread of its own sends what
deciding queued while scoring goes on: the time from a post going public to a
responder holding the alert is one crawl interval plus seconds. A periodic pass also
retries the outbox when no crawl finished.

Several workers may share one database (docs/scaling.md): crawls share a queue in Redis
when ``redis_url`` is set, scoring claims its rows, deciding takes a lock, and sending
claims one outbox message at a time. With ``worker.crawl`` off a worker only scores,
decides and sends (a scoring worker, e.g. on a GPU host).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from rich.console import Console

from config.settings import Settings, SourceConfig
from reports.schedule import next_report_time
from reports.weekly import last_complete_week
from repwatch import steps
from repwatch.flow import load_scorer
from repwatch.metrics import WorkerMetrics
from repwatch.refit import apply_active_refit, latest_refit_time, refit
from repwatch.report_delivery import build_weekly_report, queue_weekly_digest
from sentiment.results import TextScorer
from sentiment.scorer import resolve_device
from storage.db import advisory_lock, session_scope
from storage.migrate import upgrade
from storage.repository import sync_sources

log = logging.getLogger(__name__)
CRAWL_THREADS = 4
PASSES_EXECUTOR = "passes"
# The PostgreSQL advisory lock a starting worker holds ("rw-start" as eight ASCII bytes).
STARTUP_LOCK_KEY = 0x72772D7374617274


class Worker:
    """Schedules crawls and passes; `run` blocks until `stop` is set."""

    def __init__(self, settings: Settings, console: Console, metrics: WorkerMetrics) -> None:
        self.settings = settings
        self.console = console
        self.metrics = metrics
        self._scorer: TextScorer | None = None
        # The settings decisions use: the configured ones, with the threshold of the
        # brand's accepted refit (repwatch/refit.py) once one is in use.
        self._decide_settings = settings
        self._refit_id: int | None = None
        self._pass_lock = threading.Lock()
        self._pass_wanted = threading.Event()
        # Sending waits on Slack; on a thread of its own, scoring goes on meanwhile.
        self._delivery: threading.Thread | None = None
        self._delivery_wanted = threading.Event()
        self._delivery_stop = threading.Event()
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            # The periodic pass has a thread of its own: behind crawls it would wait for
            # one of them to end (and the first pass, which loads the model, with it).
            executors={
                "default": ThreadPoolExecutor(CRAWL_THREADS),
                PASSES_EXECUTOR: ThreadPoolExecutor(1),
            },
            # One run of a job at a time; a run missed while busy is merged, not queued.
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )

    def schedule(self, now: datetime) -> None:
        """A crawl job per enabled source (unless `worker.crawl` is off), starting now, and
        the periodic pass."""
        for source in self.settings.sources:
            if source.enabled and self.settings.worker.crawl:
                self._scheduler.add_job(
                    self.crawl_source,
                    self._interval(source),
                    args=[source.name],
                    id=f"crawl:{source.name}",
                    next_run_time=now,
                )
        every = int(self.settings.worker.process_every.total_seconds())
        self._scheduler.add_job(
            self.process,
            IntervalTrigger(seconds=every),
            id="process",
            next_run_time=now,
            executor=PASSES_EXECUTOR,
        )
        if self.settings.report.enabled:
            self._schedule_report(now)
        if self.settings.sentiment.refit.enabled:
            self._schedule_refit(now)

    def _schedule_refit(self, now: datetime) -> None:
        # Due `every` after the last refit stored by any worker, so restarts do not refit.
        every = self.settings.sentiment.refit.every
        last = latest_refit_time(self.settings)
        first = max(now, last + every) if last else now
        self._scheduler.add_job(
            self.refit,
            IntervalTrigger(seconds=int(every.total_seconds()), start_date=first),
            id="refit",
            next_run_time=first,
        )

    def _schedule_report(self, now: datetime) -> None:
        report = self.settings.report
        when = next_report_time(now, report.weekday, report.hour, report.timezone)
        self._scheduler.add_job(
            self.weekly_report, DateTrigger(when), id="weekly-report", replace_existing=True
        )
        log.info("next weekly report at %s", when.isoformat())

    def _interval(self, source: SourceConfig) -> IntervalTrigger:
        seconds = int(source.every.total_seconds())
        return IntervalTrigger(seconds=seconds, jitter=int(seconds * self.settings.worker.jitter))

    def crawl_source(self, name: str) -> None:
        """Crawl one source, then process what it brought in."""
        try:
            for summary in steps.crawl(self.settings, [name]):
                self.metrics.record_crawl(summary)
                log.info("crawled %s: %s", name, summary.describe())
        except Exception:
            self.metrics.step_failures.labels("crawl").inc()
            log.exception("crawl of source %s failed", name)
            return
        self.process()

    def process(self) -> None:
        """Score, decide and send; one pass at a time.

        Never waits: while a pass runs, a call only asks for one more pass, which the
        running one makes when it finishes. A crawl thread that waited here would start
        no crawl until scoring caught up, and the sources it could crawl meanwhile (or,
        with several workers, take from the others) would wait.
        """
        self._pass_wanted.set()
        while self._pass_lock.acquire(blocking=False):
            try:
                while self._pass_wanted.is_set():
                    self._pass_wanted.clear()
                    self._process_logged()
            finally:
                self._pass_lock.release()
            if not self._pass_wanted.is_set():
                return
            # Asked for after the last pass began and before the release: make it.

    def _process_logged(self) -> None:
        try:
            self._process_once()
        except Exception:
            self.metrics.step_failures.labels("process").inc()
            log.exception("score/decide/send pass failed; it is retried on the next pass")

    def refit(self) -> None:
        """Refit from the corrections of the last weeks (guarded; repwatch/refit.py)."""
        # Between passes: the scorer's correction must not change while it scores.
        with self._pass_lock:
            try:
                outcome = refit(
                    self.settings, self._loaded_scorer, datetime.now(UTC), scheduled=True
                )
                self.metrics.refits.labels(outcome.status).inc()
                if outcome.status == "accepted":
                    self._use_active_refit(self._loaded_scorer())
            except Exception:
                self.metrics.step_failures.labels("refit").inc()
                log.exception("refit failed; the next one runs as scheduled")
        if self._pass_wanted.is_set():  # a pass asked for while the refit ran
            self.process()

    def _loaded_scorer(self) -> TextScorer:
        if self._scorer is None:
            self._scorer = load_scorer(self.settings)
        return self._scorer

    def _use_active_refit(self, scorer: TextScorer) -> None:
        """Take up the brand's newest accepted refit (this worker's, or another's)."""
        settings, refit_id = apply_active_refit(self.settings, scorer, self._refit_id)
        if refit_id != self._refit_id:
            threshold = settings.rules.negative_threshold
            log.info("scoring with %s, alert threshold %.2f", scorer.model_id, threshold)
        self._decide_settings, self._refit_id = settings, refit_id

    def _process_once(self) -> None:
        scorer = self._loaded_scorer()
        self._use_active_refit(scorer)
        chunks = steps.score_chunks(self.settings, scorer)
        # Decide and send after every scored chunk that could alert (newest mentions
        # first): under a backlog, a fresh complaint pages within a chunk's time, not the
        # backlog's. A chunk of backfilled history alerts nothing and is not waited on.
        while True:
            with self.metrics.scoring_seconds.time():
                chunk = next(chunks, None)
            if chunk is None:
                self._decide_and_send()
                return
            self.metrics.scored.inc(chunk.scored)
            if chunk.could_alert:
                self._decide_and_send()

    def _decide_and_send(self) -> None:
        self.metrics.alerts_created.inc(steps.decide(self._decide_settings))
        steps.remind(self.settings)
        self.request_delivery()

    def request_delivery(self) -> None:
        """Have the outbox sent: by the delivery thread while the worker runs, so that the
        caller goes on at once; here and now otherwise."""
        if self._delivery is None:
            self.deliver()
        else:
            self._delivery_wanted.set()

    def deliver(self) -> None:
        """Send what the outbox holds, then refresh the gauges read from the database."""
        delivery = steps.send(self.settings, self.console)
        self.metrics.messages_sent.inc(delivery.sent)
        with session_scope(self.settings.database_url) as session:
            self.metrics.refresh_from_database(session, datetime.now(UTC))

    def start_delivery(self) -> None:
        """Start the delivery thread: it sends whenever asked, one drain at a time; a
        request made during a drain gets one more drain."""
        self._delivery = threading.Thread(
            target=self._delivery_loop, name="repwatch-delivery", daemon=True
        )
        self._delivery.start()

    def _delivery_loop(self) -> None:
        while True:
            self._delivery_wanted.wait()
            if self._delivery_stop.is_set():
                return
            self._delivery_wanted.clear()
            try:
                self.deliver()
            except Exception:
                self.metrics.step_failures.labels("send").inc()
                log.exception("sending failed; the outbox is retried on the next pass")

    def _stop_delivery(self, timeout: float) -> None:
        if self._delivery is None:
            return
        self._delivery_stop.set()
        self._delivery_wanted.set()
        self._delivery.join(timeout)

    def weekly_report(self) -> None:
        """Write last week's report, queue its digest once, then schedule the next one."""
        now = datetime.now(UTC)
        report = self.settings.report
        try:
            files = build_weekly_report(
                self.settings,
                last_complete_week(now),
                weeks=report.weeks,
                brand=None,
                out=report.out,
                now=now,
            )
            log.info("weekly report written to %s", files.html_path)
            if report.post:
                queue_weekly_digest(self.settings, files, now)
                self.process()
        except Exception:
            self.metrics.step_failures.labels("report").inc()
            log.exception("weekly report failed; the next one runs as scheduled")
        finally:
            self._schedule_report(now)

    def run(self, stop: threading.Event) -> None:
        """Start, block until `stop` is set, then stop gracefully (see `shutdown`)."""
        # A periodic pass skipped while a crawl-triggered pass runs is expected, not news.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        # A device this machine lacks would fail every pass: refuse it before starting.
        resolve_device(self.settings.sentiment.device)
        self.prepare_database()
        self.start_delivery()
        self.schedule(datetime.now(UTC))
        self._scheduler.start()
        crawling = [job for job in self._scheduler.get_jobs() if job.id.startswith("crawl:")]
        log.info("worker started, crawling %d source(s)", len(crawling))
        stop.wait()
        self.shutdown()

    def prepare_database(self) -> None:
        """Migrate and sync the source rows, one starting worker at a time: workers started
        together on a fresh database would otherwise both create its tables and rows."""
        with advisory_lock(self.settings.database_url, STARTUP_LOCK_KEY):
            upgrade(self.settings.database_url)
            # Source rows exist before crawl jobs start in parallel threads: no insert race.
            with session_scope(self.settings.database_url) as session:
                sync_sources(session, self.settings.brand.name, self.settings.sources)

    def shutdown(self) -> None:
        """Stop scheduling, let in-flight jobs finish (bounded), flush the outbox once."""
        timeout = self.settings.worker.shutdown_timeout.total_seconds()
        stopper = threading.Thread(target=self._scheduler.shutdown, kwargs={"wait": True})
        stopper.start()
        stopper.join(timeout)
        if stopper.is_alive():
            log.warning("in-flight work still running after %.0fs; leaving it", timeout)
            return
        self._stop_delivery(timeout)
        try:
            steps.send(self.settings, self.console)
        except Exception:
            log.exception("final outbox flush failed; the messages wait for the next start")
