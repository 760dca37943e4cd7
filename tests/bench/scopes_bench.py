"""The scope checklist: filtering the full catalogue (≈ 210 scopes), one keystroke at a time.

hubspot-tui on a 3-account profile at 80x24: F4, `/` focuses the filter, then a scope name is
typed and partly deleted again. Each keystroke is timed from writing it to the last byte of the
screen's answer (both checklists rebuilt and repainted; the output then stays quiet).
"""

from __future__ import annotations

from pathlib import Path

from tests.bench.common import APP_MARKERS, Row, Settings, failed_row, limit_row, median, spawn_app
from tests.bench.fixtures import write_profile
from tui.hubspot.scopes import CATALOGUE

TYPED = "crm.objects.contacts"


def run(settings: Settings, work: Path) -> list[Row]:
    """The scope-filter row."""
    profile = write_profile(work / "scopes-3", 3)
    times: list[float] = []
    term = spawn_app(profile, 80, 24)
    try:
        term.wait_for(*APP_MARKERS, timeout=30)
        term.wait_quiet(0.3)
        term.press("f4", "(scope=)", timeout=10)
        term.wait_quiet(0.3)
        term.press_settle("/")
        typed = TYPED[:6] if settings.quick else TYPED
        for _ in range(1 if settings.quick else 2):
            for char in typed:
                times.append(term.press_settle(char) * 1000)
            for _ in range(len(typed)):
                times.append(term.press_settle("backspace") * 1000)
    except Exception as exc:
        return [failed_row("scope filter keystroke", exc)]
    finally:
        term.close()
    return [
        limit_row(
            f"scope filter keystroke ({len(CATALOGUE)} scopes)",
            median(times),
            "ms",
            30,
            note=f"typing/deleting {TYPED!r}: max {max(times):.0f} ms, n={len(times)}",
        )
    ]
