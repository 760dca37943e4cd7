"""Memory across screen switches: 500 section switches must not grow the process.

hubspot-tui (3-account profile, 80x24) cycles F3 → F4 → F5 → F6 → F2, waiting for each section's
own text every time. RSS is read after one full cycle (every section built, the HTTP client
warmed) and again after all the switches; the growth is what an all-day session would leak.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.bench.common import APP_MARKERS, Row, Settings, failed_row, mib, spawn_app
from tests.bench.fixtures import write_profile

CYCLE = (
    ("f3", "Callback port"),
    ("f4", "(scope=)"),
    ("f5", "Pin to account"),
    ("f6", "authorized account(s)"),
    ("f2", "Install checklist"),
)
LIMIT_MIB = 25.0


def run(settings: Settings, work: Path) -> list[Row]:
    """The soak row."""
    profile = write_profile(work / "soak-3", 3)
    switches = settings.soak_switches
    term = spawn_app(profile, 80, 24)
    try:
        term.wait_for(*APP_MARKERS, timeout=30)
        for key, marker in CYCLE:
            term.press(key, marker, timeout=10)
        term.wait_quiet(0.5)
        time.sleep(0.5)  # the HTTP client warm-up after the OAuth/Accounts visits
        before, _ = term.rss()
        started = time.perf_counter()
        done = 0
        while done < switches:
            key, marker = CYCLE[done % len(CYCLE)]
            term.press(key, marker, timeout=10)
            done += 1
        took = time.perf_counter() - started
        term.wait_quiet(0.5)
        after, _ = term.rss()
    except Exception as exc:
        return [failed_row("soak", exc)]
    finally:
        term.close()
    growth = mib(after - before)
    return [
        Row(
            f"RSS growth over {switches} section switches",
            growth,
            "MiB",
            target=f"< {LIMIT_MIB:g} MiB",
            passed=growth < LIMIT_MIB,
            note=f"{mib(before):.1f} → {mib(after):.1f} MiB; "
            f"{took / switches * 1000:.0f} ms/switch",
        )
    ]
