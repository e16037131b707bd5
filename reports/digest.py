"""The weekly digest for Slack: a short Block Kit summary built by small pure functions.

Web text (theme words, quotes, source names, error messages) is escaped with
`alerts.mention_blocks.escape` and put in verbatim text objects, links are made only from
http(s) URLs, and Slack's limits are kept (see `alerts.mention_blocks`). The chart goes with the
message as a file upload (`file` in the payload), handled by the sender.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from delivery.slack_text import (
    Block,
    chat_message,
    context,
    divider,
    escape,
    fields_section,
    header,
    limit_blocks,
    link,
    section,
    truncate,
)
from reports import formatting as fmt
from reports.health import SourceHealth
from reports.incidents import IncidentSummary
from reports.report_data import WeeklyReport
from reports.response import ResponseFigures
from reports.themes import Quote, Theme
from reports.trends import Delta

MAX_SOURCES = 8
MAX_DIGEST_QUOTE_CHARS = 160
MAX_ERROR_CHARS = 120
CHART_FILENAME = "weekly.png"


def _vs(change: Delta | None, attribute: str, formatter: Any) -> str:
    value = None if change is None else getattr(change, attribute)
    return formatter(value)


def header_block(report: WeeklyReport) -> Block:
    """The report's title and week."""
    return header(f"📊 {report.title} · {report.iso_label}")


def headline_block(report: WeeklyReport) -> Block:
    """Mentions, negative share, mean score and rating, each against last week and the average."""
    week, trend = report.current, report.current_trend
    prev, avg = trend.vs_previous, trend.vs_average
    share = week.negative_share if week.mentions else None
    return fields_section(
        [
            f"*Mentions*\n{week.mentions} ({_vs(prev, 'mentions', fmt.signed)} vs last week, "
            f"{_vs(avg, 'mentions_pct', fmt.signed_percent)} vs average)",
            f"*Negative*\n{fmt.share(share)} ({_vs(prev, 'negative_share', fmt.signed_points)}"
            f" vs last week, {_vs(avg, 'negative_share', fmt.signed_points)} vs average)",
            f"*Mean score*\n{fmt.number(week.mean_score)} "
            f"({_vs(prev, 'mean_score', lambda v: fmt.signed(v, 2))} vs last week)",
            f"*Mean rating*\n{fmt.number(week.mean_rating, 1)} "
            f"({_vs(prev, 'mean_rating', lambda v: fmt.signed(v, 2))} vs last week)",
        ]
    )


def no_data_block(report: WeeklyReport) -> Block:
    """Said instead of the figures when nothing was collected."""
    return section(f"*No data:* no mentions were collected in the last {report.weeks} weeks.")


def sources_block(report: WeeklyReport) -> Block:
    """The busiest sources of the week with their negative share and its change."""
    lines = [
        f"• {escape(row.source)}: {row.mentions} mentions, "
        f"{fmt.share(row.negative_share if row.mentions else None)} negative "
        f"({_vs(trend.vs_previous, 'negative_share', fmt.signed_points)})"
        for row, trend in report.week_rows[:MAX_SOURCES]
    ]
    more = len(report.week_rows) - MAX_SOURCES
    if more > 0:
        lines.append(f"…and {more} more in the report")
    return section("*Sources*\n" + "\n".join(lines))


def quote_line(quote: Quote) -> str:
    """One example quote, escaped and short, with a link to the original when safe."""
    words = truncate(escape(quote.text), MAX_DIGEST_QUOTE_CHARS)
    where = link(quote.url, quote.source) or escape(quote.source)
    return f"      _“{words}”_ — {where}"


def theme_lines(theme: Theme) -> list[str]:
    """A theme's label and count, then its example quotes."""
    return [f"• *{escape(theme.label)}* ({theme.count})", *map(quote_line, theme.quotes)]


def themes_block(report: WeeklyReport) -> Block:
    """The top negative themes of the week, or why there are none."""
    if not report.themes:
        reason = "no theme shared by two negative mentions" if report.current.negative else "none"
        return section(f"*Top negative themes*\n{reason}")
    lines = [line for theme in report.themes for line in theme_lines(theme)]
    return section("*Top negative themes*\n" + "\n".join(lines))


def incidents_block(report: WeeklyReport) -> Block:
    """The week's incidents, one a line."""
    if not report.incidents:
        return section("*Incidents*\nnone this week")
    lines = map(incident_line, report.incidents)
    return section(f"*Incidents* ({len(report.incidents)})\n" + "\n".join(lines))


def incident_line(incident: IncidentSummary) -> str:
    """Severity, what it is about, its size and how it ended."""
    ended = "open"
    if incident.resolved_at is not None:
        ended = f"resolved in {fmt.duration(incident.time_to_resolve)}"
    return f"• {incident.severity} {escape(incident.title)} — {incident.mentions} mentions, {ended}"


def response_block(response: ResponseFigures) -> Block:
    """Time to acknowledge and resolve, the share within the SLA per severity, overdue."""
    overall = response.overall
    lines = response_lines(response) if overall.alerts else ["no alerts this week"]
    lines.append(f"Open overdue alerts: *{response.overdue_count}*")
    return section(f"*Response* ({overall.alerts} alerts)\n" + "\n".join(lines))


def response_lines(response: ResponseFigures) -> list[str]:
    """Response times over all alerts, and the share within the SLA per severity."""
    overall = response.overall
    within = [
        f"{stats.severity} {fmt.share(stats.within_sla_share)} "
        f"({stats.within_sla}/{stats.sla_known})"
        for stats in response.by_severity
        if stats.alerts
    ]
    return [
        f"Acknowledged in {fmt.duration(overall.acknowledge_median)} median, "
        f"{fmt.duration(overall.acknowledge_p90)} p90 · resolved in "
        f"{fmt.duration(overall.resolve_median)} median, {fmt.duration(overall.resolve_p90)} p90",
        "Within SLA: " + " · ".join(within),
    ]


def health_line(health: SourceHealth) -> str:
    """A source that needs a look: its status, failed runs and last error."""
    text = f"• {escape(health.source)}: {escape(health.status)}"
    if health.failed_runs or health.errors:
        text += f", {health.failed_runs}/{health.runs} runs failed, {health.errors} errors"
    if health.last_error:
        text += f" — _{truncate(escape(' '.join(health.last_error.split())), MAX_ERROR_CHARS)}_"
    return text


def health_block(report: WeeklyReport) -> Block:
    """Sources that were quiet or broken, or all healthy."""
    troubled = [health for health in report.health if health.needs_attention]
    if not report.health:
        return section("*Source health*\nno sources configured yet")
    if not troubled:
        return section(f"*Source health*\nall {len(report.health)} sources healthy")
    return section("*Source health*\n" + "\n".join(map(health_line, troubled)))


def footer_block(report: WeeklyReport) -> Block:
    """Where the figures come from."""
    note = "" if report.complete else " · week still in progress"
    return context(f"repwatch weekly report · ISO weeks in UTC · {report.weeks}-week window{note}")


def digest_blocks(report: WeeklyReport) -> list[Block]:
    """The whole digest, within Slack's limits."""
    blocks = [header_block(report)]
    if report.has_data:
        blocks += [headline_block(report), sources_block(report), themes_block(report)]
    else:
        blocks.append(no_data_block(report))
    blocks += [
        divider(),
        incidents_block(report),
        response_block(report.response),
        health_block(report),
        footer_block(report),
    ]
    return limit_blocks(blocks)


def digest_text(report: WeeklyReport) -> str:
    """The notification text: the week, its mentions and negative share."""
    week = report.current
    share = fmt.share(week.negative_share if week.mentions else None)
    text = f"{report.title} {report.iso_label}: {week.mentions} mentions, {share} negative"
    return escape(text)


def digest_message(report: WeeklyReport, chart_path: Path | None) -> dict[str, Any]:
    """The outbox payload: chat.postMessage arguments plus the chart to upload."""
    message = chat_message(digest_text(report), digest_blocks(report))
    if chart_path is not None:
        message["file"] = {
            "path": str(chart_path.resolve()),
            "filename": CHART_FILENAME,
            "title": f"{report.title} · {report.iso_label}",
        }
    return message
