"""Print the evidence for docs/alerts.md: real alert blocks and the fake Slack's request log.

Runs offline against a throwaway SQLite database and the test suite's fake Slack Web API
(real HTTP on 127.0.0.1). Usage, from the repository root:

    PYTHONPATH=. .venv/bin/python scripts/alerts_evidence.py
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlalchemy import select

from alerts.service import create_alerts
from config.settings import BrandConfig, Settings
from delivery.drain import drain_outbox
from delivery.slack import SlackSender, build_web_client
from storage.db import session_scope
from storage.migrate import upgrade
from storage.models import Mention, OutboxMessage, Score, Source
from tests.fakes.slack_server import FakeSlack

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SETTINGS = Settings(brand=BrandConfig(name="Acme"))
CHARGER = "My Acme X200 charger overheats and stopped charging after {n} days."


def fresh_database(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder / name}.db"
    upgrade(url)
    return url


def add(url: str, source_name: str, texts: list[str], **fields: Any) -> None:
    """Store scored mentions of one source (as the crawl and score steps would)."""
    prob_negative = fields.pop("prob_negative", 0.9)
    with session_scope(url) as session:
        source = session.scalars(select(Source).where(Source.name == source_name)).first()
        if source is None:
            source = Source(
                name=source_name,
                kind="schemaorg",
                url=f"https://{source_name}.example.com/acme",
                brand="Acme",
                every_seconds=3600,
            )
            session.add(source)
        for number, text in enumerate(texts):
            mention = Mention(
                source=source,
                external_id=f"{source_name}-{number}-{len(text)}",
                url=f"https://{source_name}.example.com/acme/{number}",
                text=text,
                content_hash=f"{source_name}-{number}-{hash(text)}",
                published_at=NOW,
                fetched_at=NOW,
                lang="en",
                **({"author": f"customer{number}"} | fields),
            )
            rest = (1 - prob_negative) / 2
            session.add(
                Score(
                    mention=mention,
                    model="starter",
                    label="negative",
                    prob_negative=prob_negative,
                    prob_neutral=rest,
                    prob_positive=rest,
                    score=-prob_negative,
                    confidence=prob_negative,
                    content_hash=mention.content_hash,
                )
            )


def decide(url: str, now: datetime = NOW) -> int:
    with session_scope(url) as session:
        return create_alerts(session, SETTINGS, now=now)


def queued_payloads(url: str) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.payload for row in rows]


def sender(fake: FakeSlack, token: str) -> SlackSender:
    quick = FixedValueRetryIntervalCalculator(0.01)
    return SlackSender(build_web_client(fake.base_url, token, retry_interval=quick))


def show(title: str, value: Any) -> None:
    print(f"\n### {title}\n")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)
    print(f"```{'json' if not isinstance(value, str) else 'text'}\n{text}\n```")


def p1_and_incident(folder: Path) -> None:
    url = fresh_database(folder, "blocks")
    hostile = "It CAUGHT FIRE on my desk <!channel> <https://evil.example|claim refund> & more"
    add(
        url,
        "shop-reviews",
        [hostile],
        rating=1,
        prob_negative=0.97,
        author="<@U0BOSS>",
        reach={"score": 1450, "num_comments": 210},
    )
    add(url, "forum", [CHARGER.format(n=n) for n in range(30)])
    decide(url)
    payloads = queued_payloads(url)
    p1 = next(payload for payload in payloads if payload["text"].startswith("P1"))
    incident = next(payload for payload in payloads if "incident" in payload["text"])
    show("P1 alert (chat.postMessage arguments, less the channel)", p1)
    show("Incident alert: 30 similar complaints", incident)


def rate_limited(folder: Path) -> None:
    url = fresh_database(folder, "ratelimit")
    add(url, "shop-reviews", ["The charger caught fire."], rating=1, prob_negative=0.97)
    decide(url)
    fake = FakeSlack().start()
    try:
        result = drain_outbox(url, sender(fake, "xoxb-ratelimited"), now=NOW)
        show(f"429 then success ({result})", "\n".join(fake.log_lines()))
    finally:
        fake.stop()


def rerun(folder: Path) -> None:
    url = fresh_database(folder, "rerun")
    add(url, "shop-reviews", ["Awful, it broke on day one.", "Terrible support, no reply."])
    fake = FakeSlack().start()
    try:
        lines = [f"pass 1: decide -> {decide(url)} alert(s)"]
        lines.append(f"pass 1: send -> {drain_outbox(url, sender(fake, 'xoxb-test'), now=NOW)}")
        later = NOW + timedelta(minutes=15)
        lines.append(f"pass 2: decide -> {decide(url, later)} alert(s)")
        lines.append(f"pass 2: send -> {drain_outbox(url, sender(fake, 'xoxb-test'), now=later)}")
        show("Rerun posts nothing new", "\n".join([*lines, "request log:", *fake.log_lines()]))
    finally:
        fake.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        p1_and_incident(Path(folder))
        rate_limited(Path(folder))
        rerun(Path(folder))


if __name__ == "__main__":
    main()
