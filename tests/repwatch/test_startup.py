"""Commands that need no model load none: torch and transformers stay out of the process.

Each command runs in a fresh interpreter (an import made by an earlier test would hide
the regression), and the modules it ended up importing are read from `sys.modules`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crawler"
MODEL_MODULES = ("torch", "transformers")

RUN_AND_LIST_MODULES = """
import json, sys
from repwatch.cli import app
try:
    app(sys.argv[1:], prog_name="repwatch")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported_by(args: list[str], workdir: Path) -> tuple[int, set[str]]:
    """(exit code, top-level module names) of `repwatch ARGS` run in a new interpreter."""
    env = os.environ | {"REPWATCH_DATABASE_URL": f"sqlite:///{workdir / 'repwatch.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return int(report["code"] or 0), {name.split(".")[0] for name in report["modules"]}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["score", "--help"],
        ["status"],
        ["db", "upgrade"],
        ["extract", "--kind", "rss", str(FIXTURES / "blog_rss2.xml")],
        ["report", "weekly", "--out", "report"],
        ["crawl"],
        ["rules", "test"],
    ],
    ids=" ".join,
)
def test_commands_without_a_model_do_not_import_torch(args: list[str], tmp_path: Path) -> None:
    assert imported_by(["db", "upgrade"], tmp_path)[0] == 0  # report and rules need tables
    code, modules = imported_by(args, tmp_path)
    assert code == 0
    assert not modules & set(MODEL_MODULES)


def test_help_imports_no_stage_at_all(tmp_path: Path) -> None:
    code, modules = imported_by(["--help"], tmp_path)
    assert code == 0
    assert not modules & {"scrapy", "sqlalchemy", "pydantic", "rich", "alerts", "crawler"}


def test_score_still_loads_its_model(tmp_path: Path) -> None:
    # The other side of the lazy imports: the command that needs torch gets it.
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps({"text": "Broke after a week."}) + "\n")
    code, modules = imported_by(["score", str(lines)], tmp_path)
    assert code == 0
    assert "torch" in modules
