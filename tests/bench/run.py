"""Run every hubspot-tui benchmark and print one table.

    /work/venv/bin/python -m tests.bench            # full: medians of 10 runs (≈ 10 min)
    /work/venv/bin/python -m tests.bench --quick    # few runs, small fixtures (CI smoke)
    python tests/bench/run.py --only startup,keys   # a subset

Every figure is measured against its baseline in the same run, interleaved, in a real pty
(see tests/bench/README.md). The exit status is 0 even when targets are missed: this is a
measurement, not a test (tests/test_bench_smoke.py only checks that it runs).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # `python tests/bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import callback, keys, scale, scopes_bench, soak, startup, status_bench
from tests.bench.common import ROOT, Row, Settings, failed_row, workdir

SUITES: dict[str, Callable[[Settings, Path], list[Row]]] = {
    "startup": startup.run,
    "status": status_bench.run,
    "keys": keys.run,
    "callback": callback.run,
    "scale": scale.run,
    "scopes": scopes_bench.run,
    "soak": soak.run,
}
"""Suite name → benchmark (in table order)."""


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("B", "B/s", "calls", "modules", ""):
        return f"{value:,.0f} {unit}".strip()
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:,.1f} {unit}"


def render(rows: list[Row]) -> str:
    """The results table (plain text, fixed columns)."""
    head = ("figure", "value", "baseline", "ratio", "target", "result", "note")
    lines = []
    for row in rows:
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "-"
        result = {True: "PASS", False: "FAIL", None: "info"}[row.passed]
        lines.append(
            (
                row.figure,
                _num(row.value, row.unit),
                _num(row.baseline, row.unit) if row.baseline is not None else "-",
                ratio,
                row.target,
                result,
                row.note,
            )
        )
    widths = [max(len(head[i]), *(len(line[i]) for line in lines)) for i in range(6)]
    out = []
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    out.append(fmt.format(*head))
    out.append(fmt.format(*("-" * w for w in widths), "-" * 4))
    out.extend(fmt.format(*line) for line in lines)
    passed = sum(1 for r in rows if r.passed is True)
    failed = sum(1 for r in rows if r.passed is False)
    out.append(f"\n{passed} passed, {failed} failed, {len(rows) - passed - failed} informational")
    return "\n".join(out)


def compile_bytecode() -> None:
    """Byte-compile the package first: an install has bytecode (pip compiles it), and a
    source-only tree would time the compiler, not the app (PYTHONDONTWRITEBYTECODE may be set)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            str(ROOT / "tui"),
            str(ROOT / "tests" / "bench"),
        ],
        check=False,
        capture_output=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the suites, print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="few runs, small fixtures (CI smoke)")
    parser.add_argument("--runs", type=int, help="samples per figure (default 10, quick 2)")
    parser.add_argument("--only", help=f"comma-separated suites: {','.join(SUITES)}")
    parser.add_argument("--accounts", type=int, help="accounts for the scale suite (10,000)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the fixture directory")
    args = parser.parse_args(argv)
    settings = Settings(keep=args.keep)
    if args.quick:
        settings.quick = True
        settings.runs = 2
        settings.scale_accounts = 2_000
        settings.soak_switches = 50
        settings.idle_seconds = 1.5
    if args.runs:
        settings.runs = args.runs
    if args.accounts:
        settings.scale_accounts = args.accounts
    chosen = list(SUITES) if not args.only else [s.strip() for s in args.only.split(",")]
    unknown = [s for s in chosen if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    compile_bytecode()
    rows: list[Row] = []
    started = time.perf_counter()
    with workdir(settings) as work:
        for name in chosen:
            settings.log(f"[bench] {name}…")
            began = time.perf_counter()
            try:
                rows.extend(SUITES[name](settings, work))
            except Exception as exc:  # a broken suite is a failed row, not a crash
                rows.append(failed_row(name, exc))
            settings.log(f"[bench] {name} done in {time.perf_counter() - began:.0f} s")
    print(render(rows))
    print(
        f"({'quick' if settings.quick else 'full'} run, {settings.runs} runs per figure, "
        f"{time.perf_counter() - started:.0f} s)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
