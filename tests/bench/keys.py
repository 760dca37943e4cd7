"""Key → screen change in a real terminal: section switch, back with `b`, back with Esc.

hubspot-tui (3-account profile, 80x24) and the baseline run side by side, one process each, and
their key presses are interleaved. Latency is from writing the key's bytes to the pty to the
arrival of text only the new screen shows:

- hubspot-tui: F6 → Accounts (`authorized account(s)`), `b` / Esc → Overview (`Install checklist`);
- baseline: F6 → `push_screen` (`PUSHED-SCREEN`), `b` / Esc → `pop_screen` (its Input again).

The first visit to Accounts (building the section) is reported on its own: every later visit
shows the long-lived screen again.
"""

from __future__ import annotations

from pathlib import Path

from tests.bench.common import (
    APP_MARKERS,
    BASE_MARKERS,
    Row,
    Settings,
    failed_row,
    median,
    ratio_row,
    spawn_app,
    spawn_baseline,
)
from tests.bench.fixtures import write_profile
from tests.bench.pty_term import PtyTerm

APP_ACCOUNTS = "authorized account(s)"
APP_OVERVIEW = "Install checklist"
BASE_PUSHED = "PUSHED-SCREEN"
BASE_BACK = "BASELINE-READY"

ESCAPE_WINDOW_MS = 25.0
"""hubspot-tui's lone-Escape window (tui.ui.driver.ESCAPE_WINDOW): what Esc costs."""


def _press(term: PtyTerm, key: str, marker: str) -> float:
    took, _, _ = term.press(key, marker, timeout=10)
    term.wait_quiet(0.15)
    return took * 1000


def run(settings: Settings, work: Path) -> list[Row]:
    """Key latency rows."""
    profile = write_profile(work / "keys-3", 3)
    app = spawn_app(profile, 80, 24)
    base = spawn_baseline(80, 24)
    try:
        app.wait_for(*APP_MARKERS, timeout=30)
        base.wait_for(*BASE_MARKERS, timeout=30)
        app.wait_quiet(0.5)
        base.wait_quiet(0.5)
        first_visit = _press(app, "f6", APP_ACCOUNTS)
        _press(app, "b", APP_OVERVIEW)
        times: dict[str, list[float]] = {
            k: [] for k in ("app_f6", "base_f6", "app_b", "base_b", "app_esc", "base_esc")
        }
        for _ in range(max(settings.runs, 3)):
            times["app_f6"].append(_press(app, "f6", APP_ACCOUNTS))
            times["base_f6"].append(_press(base, "f6", BASE_PUSHED))
            times["app_b"].append(_press(app, "b", APP_OVERVIEW))
            times["base_b"].append(_press(base, "b", BASE_BACK))
            times["app_f6"].append(_press(app, "f6", APP_ACCOUNTS))
            times["base_f6"].append(_press(base, "f6", BASE_PUSHED))
            times["app_esc"].append(_press(app, "escape", APP_OVERVIEW))
            times["base_esc"].append(_press(base, "escape", BASE_BACK))
    except Exception as exc:
        return [failed_row("key → screen", exc)]
    finally:
        app.close()
        base.close()
    esc, pop = median(times["app_esc"]), median(times["base_b"])
    return [
        ratio_row(
            "key → section shown (F6)",
            times["app_f6"],
            times["base_f6"],
            "ms",
            1.25,
            note=f"vs baseline push_screen; n={len(times['app_f6'])}",
        ),
        ratio_row(
            "back with b",
            times["app_b"],
            times["base_b"],
            "ms",
            1.25,
            note="vs baseline pop_screen on a plain key",
        ),
        Row(
            "back with Esc",
            esc,
            "ms",
            baseline=pop,
            target=f"≤ 1.25× + {ESCAPE_WINDOW_MS:g} ms",
            passed=esc <= 1.25 * pop + ESCAPE_WINDOW_MS,
            note=f"vs baseline plain-key pop; stock Esc {median(times['base_esc']):.0f} ms",
        ),
        ratio_row(
            "Esc vs stock Textual Esc",
            times["app_esc"],
            times["base_esc"],
            "ms",
            0.6,
            note="the driver's select(0.1) wait is gone",
        ),
        Row("first visit to Accounts (builds it)", first_visit, "ms", target="(info)"),
    ]
