"""Evaluation reports as JSON and Markdown, written next to a model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sentiment.labels import CANONICAL_LABELS

REPORT_JSON = "eval_report.json"
REPORT_MARKDOWN = "eval_report.md"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _optional_pct(value: float | None) -> str:
    return "-" if value is None else _pct(value)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _summary_lines(report: dict[str, Any]) -> list[str]:
    rows = [
        [
            row["kind"],
            str(row["n"]),
            row["metric"],
            _pct(row["model"]),
            _optional_pct(row["baseline"]),
        ]
        for row in report.get("summary", [])
    ]
    if not rows:
        return []
    header = ["data kind", "n", "metric", "model", "baseline"]
    return ["## Model vs baseline (held-out validation)", "", *_table(header, rows), ""]


def _slice_rows(slices: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, figures in slices.items():
        three = figures["three_class"]
        binary = _pct(figures["binary"]["accuracy"]) if "binary" in figures else "-"
        rows.append(
            [
                name,
                str(three["n"]),
                _pct(three["accuracy"]),
                _pct(three["macro_f1"]),
                _pct(three["macro_recall"]),
                binary,
            ]
        )
    return rows


def _figure_lines(title: str, figures: dict[str, Any]) -> list[str]:
    header = ["slice", "n", "accuracy", "macro-F1", "macro recall", "binary accuracy"]
    slices = {"all": figures["overall"]} | figures["by_language"] | figures["by_kind"]
    confusion = figures["overall"]["three_class"]["confusion"]
    matrix = [[gold, *map(str, row)] for gold, row in zip(CANONICAL_LABELS, confusion, strict=True)]
    return [
        f"## {title}",
        "",
        *_table(header, _slice_rows(slices)),
        "",
        "Confusion matrix (rows: gold, columns: predicted)",
        "",
        *_table(["gold \\ predicted", *CANONICAL_LABELS], matrix),
        "",
    ]


def to_markdown(report: dict[str, Any]) -> str:
    """Render a report dict as Markdown."""
    lines = [f"# Evaluation report: {report.get('model', 'model')}", ""]
    lines += _summary_lines(report)
    lines += _figure_lines("Model", report["model_figures"])
    if "encoder_figures" in report:
        lines += _figure_lines("Encoder alone, without the n-gram head", report["encoder_figures"])
    if "baseline_figures" in report:
        lines += _figure_lines(
            f"Baseline: {report.get('baseline', '')}", report["baseline_figures"]
        )
    if "training" in report:
        lines += ["## Training", "", "```json", json.dumps(report["training"], indent=2), "```", ""]
    return "\n".join(lines)


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write eval_report.json and eval_report.md into out_dir; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = out_dir / REPORT_JSON, out_dir / REPORT_MARKDOWN
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown_path.write_text(to_markdown(report), encoding="utf-8")
    return json_path, markdown_path
