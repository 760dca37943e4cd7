"""The Accounts section at scale: first page, memory, filtering and jumping per keystroke.

- First page: F6 → the Accounts table's first rows painted, with N stored accounts (10,000 by
  default), against the baseline app pushing a stock DataTable fed the same N rows (same cells,
  same fixed column widths). Runs alternate.
- Memory: the app's resident set on the Accounts section with N accounts over that with 20.
- Per keystroke (N accounts, 80x24): typing a hub id into the filter box (`/`), deleting it
  back, and the jump keys (G, g, PgDn, PgUp, `#` + a hub id). Each is from writing the key to
  the screen's matching text (filter: the title's match count; g/G: the detail panel) or, for
  paging and jump digits, to the last byte of the screen's answer.
- 100,000 accounts must still open (skipped with --quick).
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
    ratio_row,
    spawn_app,
    spawn_baseline,
)
from tests.bench.fixtures import HUB_BASE, report, write_profile
from tests.bench.pty_term import PtyTerm
from tui.ui.widgets.account_rows import search_text

SMALL = 20
LOADED = "Install checklist"


def _open_accounts(term: PtyTerm, count: int, timeout: float = 120) -> tuple[float, int, int]:
    """Wait for the loaded Overview, press F6; (ms to the first page, VmRSS, VmHWM)."""
    term.wait_for(LOADED, timeout=timeout)
    term.wait_quiet(0.3, timeout=timeout)
    took, _, _ = term.press("f6", f"{count} authorized account(s)", str(HUB_BASE + 1), timeout=60)
    term.wait_quiet(0.3)
    rss, peak = term.rss()
    return took * 1000, rss, peak


def _stock_first_page(count: int) -> float:
    term = spawn_baseline(80, 24, "--rows", str(count))
    try:
        term.wait_for(*BASE_MARKERS, timeout=60)
        term.wait_quiet(0.3)
        took, _, _ = term.press("f6", "PUSHED-SCREEN", str(HUB_BASE + 1), timeout=120)
        return took * 1000
    finally:
        term.close()


def run(settings: Settings, work: Path) -> list[Row]:
    """Scale rows."""
    count = settings.scale_accounts
    rows: list[Row] = []
    big = write_profile(work / f"scale-{count}", count)
    small = write_profile(work / f"scale-{SMALL}", SMALL)
    try:
        app_ms, stock_ms, rss_big, peak_big, rss_small, peak_small = [], [], [], [], [], []
        runs = max(2, settings.runs)
        for i in range(runs):
            order = ("app", "stock") if i % 2 == 0 else ("stock", "app")
            for which in order:
                if which == "stock":
                    stock_ms.append(_stock_first_page(count))
                    continue
                term = spawn_app(big, 80, 24)
                try:
                    took, rss, peak = _open_accounts(term, count)
                finally:
                    term.close()
                app_ms.append(took)
                rss_big.append(mib(rss))
                peak_big.append(mib(peak))
            if i < max(2, runs // 3):
                term = spawn_app(small, 80, 24)
                try:
                    _, rss, peak = _open_accounts(term, SMALL)
                finally:
                    term.close()
                rss_small.append(mib(rss))
                peak_small.append(mib(peak))
        rows.append(
            paired_row(
                f"Accounts first page, {count:,} accounts",
                app_ms,
                stock_ms,
                "ms",
                0.5,
                note="vs a stock DataTable of the same rows (F6 → first page painted)",
            )
        )
        rows.append(
            ratio_row(
                f"Accounts RSS, {count:,} vs {SMALL} accounts",
                rss_big,
                rss_small,
                "MiB",
                1.5,
                note=f"peak {median(peak_big):.0f} vs {median(peak_small):.0f} MiB "
                "(the peak is the store's TOML parse at load)",
            )
        )
    except Exception as exc:
        rows.append(failed_row(f"Accounts at {count:,}", exc))
    try:
        rows.extend(keystrokes(settings, big, count))
    except Exception as exc:
        rows.append(failed_row("Accounts keystrokes", exc))
    if settings.quick:
        rows.append(Row(f"{settings.huge_accounts:,} accounts open", None, "", target="(skipped)"))
    else:
        try:
            rows.append(huge(settings, work))
        except Exception as exc:
            rows.append(failed_row(f"{settings.huge_accounts:,} accounts open", exc))
    return rows


def _match_count(texts: list[str], query: str) -> int:
    words = query.lower().split()
    return sum(1 for text in texts if all(w in text for w in words))


def keystrokes(settings: Settings, profile: Path, count: int) -> list[Row]:
    """Filter and jump keys, one keystroke at a time."""
    now = time.time()
    texts = [search_text(report(i, now=now)) for i in range(count)]
    target = HUB_BASE + count // 2
    typed = str(target)[:7]
    filter_ms: list[float] = []
    jump_ms: list[float] = []
    term = spawn_app(profile, 80, 24)
    try:
        _open_accounts(term, count)
        term.press_settle("/")
        # Timed to the last byte of the screen's answer; then checked to be the right answer.
        keys = [(typed[n - 1], typed[:n]) for n in range(1, len(typed) + 1)]
        keys += [("backspace", typed[:n]) for n in range(len(typed) - 1, len(typed) - 4, -1)]
        for key, query in keys:
            since = term.offset
            filter_ms.append(term.press_settle(key) * 1000)
            term.wait_for(f"{_match_count(texts, query)} match “{query}”", since=since, timeout=5)
        term.press_settle("ctrl+u")
        term.press_settle("enter")  # back to the table
        last = count - 1
        for key, name in (("G", last), ("g", 0), ("G", last), ("g", 0)):
            since = term.offset
            jump_ms.append(term.press_settle(key) * 1000)
            term.wait_for(f"Portal {name} ·", since=since, timeout=5)
        for key in ("pagedown", "pagedown", "pagedown", "pageup", "pageup", "pageup"):
            jump_ms.append(term.press_settle(key) * 1000)
        since = term.offset
        term.press_settle("#")
        for digit in str(target):
            jump_ms.append(term.press_settle(digit) * 1000)
        term.wait_for(f"Portal {count // 2} ·", since=since, timeout=10)  # landed on it
        term.press_settle("enter")
    finally:
        term.close()
    return [
        limit_row(
            f"filter keystroke, {count:,} accounts",
            median(filter_ms),
            "ms",
            50,
            note=f"typing/deleting {typed!r}: max {max(filter_ms):.0f} ms, n={len(filter_ms)}",
        ),
        limit_row(
            f"jump keystroke, {count:,} accounts",
            median(jump_ms),
            "ms",
            50,
            note=f"G/g/PgDn/PgUp/#{target}: max {max(jump_ms):.0f} ms, n={len(jump_ms)}",
        ),
    ]


def huge(settings: Settings, work: Path) -> Row:
    """100,000 accounts: the dashboard opens and shows the Accounts section."""
    count = settings.huge_accounts
    started = time.perf_counter()
    profile = write_profile(work / f"scale-{count}", count)
    written = time.perf_counter() - started
    term = spawn_app(profile, 80, 24)
    try:
        term.wait_for(*APP_MARKERS, timeout=300)
        opened = time.perf_counter() - term.started
        took, rss, _ = _open_accounts(term, count, timeout=300)
    finally:
        term.close()
    return Row(
        f"{count:,} accounts open",
        opened,
        "s",
        target="opens",
        passed=True,
        note=f"profile read {opened:.1f} s (store: {written:.0f} s to write); then F6 → first "
        f"page {took:.0f} ms; RSS {mib(rss):.0f} MiB",
    )
