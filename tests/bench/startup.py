"""Cold start, first-frame bytes, peak RSS at the Overview, and bytes on the wire while idle.

Each run spawns a fresh process in a pty of the given size: hubspot-tui on a stored 3-account
profile (exec → the Overview's checklist painted), and the baseline app (exec → its DataTable and
SelectionList painted), alternating which goes first. Bytes are counted until the output has been
quiet for 250 ms after the marker (the whole first screen, however many writes it took); peak RSS
is the child's VmHWM once settled.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.bench.common import (
    APP_MARKERS,
    BASE_MARKERS,
    Row,
    Settings,
    failed_row,
    limit_row,
    median,
    mib,
    paired_row,
    spawn_app,
    spawn_baseline,
)
from tests.bench.fixtures import write_profile
from tests.bench.pty_term import PtyTerm

SIZES = ((80, 24), (120, 36))


def _one(term: PtyTerm, markers: tuple[str, ...]) -> tuple[float, int, int]:
    """(seconds to first useful frame, first-screen bytes, peak RSS) of a fresh process."""
    try:
        at, _ = term.wait_for(*markers, timeout=30)
        settled = term.wait_quiet(0.25)
        first_bytes = term.bytes_between(term.started, settled + 1e-6)
        _, peak = term.rss()
        return at - term.started, first_bytes, peak
    finally:
        term.close()


def run(settings: Settings, work: Path) -> list[Row]:
    """Start-up, wire and memory rows at 80x24 and 120x36."""
    profile = write_profile(work / "startup-3", 3)
    rows: list[Row] = []
    for cols, lines in SIZES:
        size = f"{cols}x{lines}"
        try:
            app: list[tuple[float, int, int]] = []
            base: list[tuple[float, int, int]] = []
            # Twice the runs of other figures: start-up is the noisiest thing measured here.
            for i in range(settings.runs * (1 if settings.quick else 2)):
                order = (0, 1) if i % 2 == 0 else (1, 0)
                for which in order:
                    if which == 0:
                        app.append(_one(spawn_app(profile, cols, lines), APP_MARKERS))
                    else:
                        base.append(_one(spawn_baseline(cols, lines), BASE_MARKERS))
            rows.append(
                paired_row(
                    f"cold start {size} (exec → checklist painted)",
                    [a[0] * 1000 for a in app],
                    [b[0] * 1000 for b in base],
                    "ms",
                    1.25,
                )
            )
            rows.append(
                paired_row(
                    f"first frame bytes {size}",
                    [float(a[1]) for a in app],
                    [float(b[1]) for b in base],
                    "B",
                    1.2,
                )
            )
            rows.append(
                paired_row(
                    f"peak RSS at Overview {size}",
                    [mib(a[2]) for a in app],
                    [mib(b[2]) for b in base],
                    "MiB",
                    1.15,
                )
            )
        except Exception as exc:
            rows.append(failed_row(f"start-up {size}", exc))
        try:
            rows.append(idle_row(settings, profile, cols, lines))
        except Exception as exc:
            rows.append(failed_row(f"idle bytes/s {size}", exc))
    return rows


def idle_row(settings: Settings, profile: Path, cols: int, lines: int) -> Row:
    """Bytes per second the terminal receives while the Overview sits idle, countdown ticking."""
    samples: list[float] = []
    largest: list[int] = []
    runs = 1 if settings.quick else 3
    for _ in range(runs):
        term = spawn_app(profile, cols, lines)
        try:
            term.wait_for(*APP_MARKERS, timeout=30)
            term.wait_quiet(0.5)
            start = term.offset
            began = time.perf_counter()
            time.sleep(settings.idle_seconds)
            ended = time.perf_counter()
            received = term.offset - start
            samples.append(received / (ended - began))
            largest.append(max(term.writes_between(began, ended), default=0))
            if received == 0:
                raise AssertionError("no output at all while idle: is the countdown live?")
        finally:
            term.close()
    return limit_row(
        f"idle on Overview {cols}x{lines} (countdown live)",
        median(samples),
        "B/s",
        300,
        note=f"largest write {max(largest)} B; {settings.idle_seconds:g} s x {runs}",
    )
