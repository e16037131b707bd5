"""Start-up time of short `repwatch` commands against a bare Python + typer start.

    .venv/bin/python -m benchmarks.startup [--runs 7]

Each command runs in a fresh process (as cron or a shell runs it) in a scratch folder
with a SQLite database, migrated first; the figure is the median wall time of
``--runs`` runs. In the same run it times the floor, ``python -c "import typer"``, and
the naive baseline, what every command paid when the command line imported the scorer
at start (``python -c "import repwatch.cli, sentiment.scorer"``: torch and
transformers). The issue's target: ``repwatch --help`` within 3x the floor.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPWATCH = str(Path(sys.executable).with_name("repwatch"))
FEED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "crawler" / "blog_rss2.xml"
COMMANDS = {
    'python -c "import typer" (floor)': [sys.executable, "-c", "import typer"],
    "naive: import repwatch.cli + the scorer": [
        sys.executable,
        "-c",
        "import repwatch.cli, sentiment.scorer",
    ],
    "repwatch --help": [REPWATCH, "--help"],
    "repwatch status": [REPWATCH, "status"],
    "repwatch db upgrade": [REPWATCH, "db", "upgrade"],
    "repwatch extract --kind rss FILE": [REPWATCH, "extract", "--kind", "rss", str(FEED)],
    "repwatch crawl (no sources)": [REPWATCH, "crawl"],
    "repwatch score --help": [REPWATCH, "score", "--help"],
}


def median_wall(command: list[str], runs: int, workdir: Path, env: dict[str, str]) -> float:
    """Median seconds of `runs` runs; a failing command stops the benchmark."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{command} failed ({done.returncode}): {done.stderr[-1000:]!r}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        env = os.environ | {"REPWATCH_DATABASE_URL": f"sqlite:///{workdir / 'repwatch.db'}"}
        subprocess.run([REPWATCH, "db", "upgrade"], cwd=workdir, env=env, check=True)
        figures = {
            name: median_wall(cmd, args.runs, workdir, env) for name, cmd in COMMANDS.items()
        }
    floor = next(iter(figures.values()))
    print(f"median of {args.runs} runs each, {os.cpu_count()} CPUs")
    for name, seconds in figures.items():
        print(f"{name:42s} {seconds:6.2f} s  {seconds / floor:5.1f}x the floor")


if __name__ == "__main__":
    main()
