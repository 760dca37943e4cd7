"""What every benchmark shares: result rows, commands, medians, fixture directories."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.pty_term import PtyTerm

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

NOWHERE = "http://127.0.0.1:9"
"""API and authorize host for runs that must make no request (port 9: discard, closed)."""

APP_MARKERS = ("Install checklist", "Line items")
"""The Overview's checklist painted with the stored profile (title + last row's title)."""
BASE_MARKERS = ("BASELINE-ROW-00", "option 000")
"""The baseline's first screen painted (table row + selection list)."""


@dataclass
class Settings:
    """How hard to measure."""

    runs: int = 10
    """Samples per figure (medians of these)."""
    quick: bool = False
    """Few runs, small fixtures: a smoke test of the suite, not a measurement."""
    keep: bool = False
    """Keep the fixture directory (printed) for inspection."""
    scale_accounts: int = 10_000
    huge_accounts: int = 100_000
    soak_switches: int = 500
    idle_seconds: float = 10.0
    log: Callable[[str], None] = field(default=lambda text: print(text, file=sys.stderr))


@dataclass
class Row:
    """One line of the results table."""

    figure: str
    value: float | None
    unit: str
    baseline: float | None = None
    target: str = ""
    passed: bool | None = None
    """None: informational (no target)."""
    note: str = ""
    paired: float | None = None
    """The median of per-pair ratios, when runs were paired (then it is the ratio shown)."""

    @property
    def ratio(self) -> float | None:
        """The paired ratio if any, else value / baseline, when both are known."""
        if self.paired is not None:
            return self.paired
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


def median(values: Sequence[float]) -> float:
    """The median (of at least one value)."""
    return float(statistics.median(values))


def ratio_row(
    figure: str,
    values: Sequence[float],
    baselines: Sequence[float],
    unit: str,
    limit: float,
    note: str = "",
) -> Row:
    """A row whose target is `median(values) <= limit * median(baselines)`."""
    value, base = median(values), median(baselines)
    return Row(
        figure,
        value,
        unit,
        baseline=base,
        target=f"≤ {limit:g}×",
        passed=value <= limit * base,
        note=note or f"n={len(values)}",
    )


def paired_row(
    figure: str,
    values: Sequence[float],
    baselines: Sequence[float],
    unit: str,
    limit: float,
    note: str = "",
) -> Row:
    """Like `ratio_row`, for runs made in pairs (app, baseline) one right after the other.

    The ratio is the median of the pairs' ratios: the machine's load drifts over a run (other
    work on a shared 2-core VM), and each pair sees the same load, so this is the steadier figure.
    """
    pairs = [v / b for v, b in zip(values, baselines, strict=True) if b]
    ratio = median(pairs)
    return Row(
        figure,
        median(values),
        unit,
        baseline=median(baselines),
        target=f"≤ {limit:g}×",
        passed=ratio <= limit,
        note=note or f"{len(pairs)} pairs; median of paired ratios",
        paired=ratio,
    )


def limit_row(figure: str, value: float, unit: str, limit: float, note: str = "") -> Row:
    """A row whose target is an absolute ceiling."""
    return Row(figure, value, unit, target=f"≤ {limit:g} {unit}", passed=value <= limit, note=note)


def failed_row(figure: str, error: BaseException) -> Row:
    """A benchmark that could not run: a failed row saying why."""
    text = f"{type(error).__name__}: {error}".replace("\n", " ")
    return Row(figure, None, "", target="runs", passed=False, note=text[:160])


def app_command() -> list[str]:
    """The installed `hubspot-tui` next to this interpreter (else on PATH, else `-m tui`)."""
    local = Path(sys.executable).with_name("hubspot-tui")
    if local.exists():
        return [str(local)]
    found = shutil.which("hubspot-tui")
    return [found] if found else [sys.executable, "-m", "tui"]


def baseline_command(*args: str) -> list[str]:
    """The baseline app."""
    return [sys.executable, str(HERE / "baseline_app.py"), *args]


def app_args(config_dir: Path, *, api_base: str = NOWHERE) -> list[str]:
    """Dashboard arguments for a stored profile, pointed at a host that is never contacted."""
    return ["--config-dir", str(config_dir), "--api-base", api_base, "--app-base", api_base]


def spawn_app(
    config_dir: Path, cols: int, rows: int, *, api_base: str = NOWHERE, extra: Sequence[str] = ()
) -> PtyTerm:
    """hubspot-tui on a stored profile in a pty."""
    return PtyTerm(
        [*app_command(), *app_args(config_dir, api_base=api_base), *extra],
        cols=cols,
        rows=rows,
        cwd=str(ROOT),
    )


def spawn_baseline(cols: int, rows: int, *args: str) -> PtyTerm:
    """The baseline app in a pty."""
    return PtyTerm(baseline_command(*args), cols=cols, rows=rows, cwd=str(ROOT))


@contextmanager
def workdir(settings: Settings) -> Iterator[Path]:
    """A private scratch directory for fixtures (0700), removed afterwards unless `keep`."""
    path = Path(tempfile.mkdtemp(prefix="hubspot-tui-bench-"))
    os.chmod(path, 0o700)
    try:
        yield path
    finally:
        if settings.keep:
            settings.log(f"fixtures kept in {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def mib(value: float) -> float:
    """Bytes to MiB."""
    return value / (1 << 20)
