"""The benchmark suite runs end to end (`--quick`) and prints its table.

Timings are NOT checked here: CI machines are too noisy for wall-time gates, and the figures are
read by people from a full run (tests/bench/README.md). What is checked is that every
benchmark ran to completion (a crashed one shows as a row whose target is "runs") and that the
table has every figure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FIGURES = (
    "cold start 80x24",
    "cold start 120x36",
    "first frame bytes 80x24",
    "peak RSS at Overview 80x24",
    "idle on Overview 80x24",
    "status --json",
    "status path imports Textual",
    "status --check: 3 accounts vs 1",
    "key → section shown (F6)",
    "back with b",
    "back with Esc",
    "callback → verdict painted",
    "callback → verdict: requests",
    "Accounts first page",
    "Accounts RSS",
    "filter keystroke",
    "jump keystroke",
    "scope filter keystroke",
    "RSS growth over",
)


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_quick_benchmark_runs_and_prints_the_table(tmp_path: Path) -> None:
    """`python -m tests.bench --quick` exits 0 and prints a row for every figure."""
    out_json = tmp_path / "rows.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--quick", "--json", str(out_json)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=380,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = done.stdout
    header = table.splitlines()[0].split()
    assert header[:6] == ["figure", "value", "baseline", "ratio", "target", "result"], table
    for figure in FIGURES:
        assert figure in table, f"{figure!r} missing from:\n{table}"
    crashed = [line for line in table.splitlines() if "  runs  " in line]
    assert not crashed, "benchmarks that did not run:\n" + "\n".join(crashed)
    assert "passed," in table and "informational" in table
    assert out_json.read_text().startswith("[")
