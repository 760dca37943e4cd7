"""The plain-text words both faces use: durations, check states, account roles, probe access.

The CLI prints these as they are; the dashboard's widgets take the same glyph and word and only
add colour (tui/ui/widgets/badges.py), so a state reads the same without colour, in a log file,
over a screen reader, and on either face.
"""

from __future__ import annotations

import math

from tui.hubspot.models import Access, AccountReport, AccountRole, CheckState, ProbeResult

STALE_AFTER = 24 * 3600.0
"""A completed check older than this (seconds) is a WARN: "not verified since …"."""

CHECK_TITLES: dict[str, str] = {
    "credentials": "App credentials",
    "redirect_uri": "Redirect URL",
    "scopes": "Scopes",
    "authorized": "Authorized",
    "main_account": "Main account",
    "products": "Products",
    "line_items": "Line items",
    "token": "Token",
}
"""Row titles of the install checklist, by check id (CLI status, Overview, JSON detail)."""

CHECK_WORDS: dict[CheckState, tuple[str, str]] = {
    CheckState.OK: ("✔", "OK"),
    CheckState.WARN: ("⚠", "WARN"),
    CheckState.FAIL: ("✖", "FAIL"),
    CheckState.TODO: ("○", "TODO"),
}
"""Glyph and word of each checklist state."""

ROLE_WORDS: dict[AccountRole, str] = {
    AccountRole.MAIN: "MAIN",
    AccountRole.DEVELOPER: "DEVELOPER",
    AccountRole.TEST: "TEST",
    AccountRole.SANDBOX: "SANDBOX",
    AccountRole.STANDARD: "NO PRODUCTS",
    AccountRole.UNKNOWN: "UNKNOWN",
}
"""The badge word of each account role."""

ACCESS_WORDS: dict[Access, tuple[str, str]] = {
    Access.OK: ("✔", "OK"),
    Access.MISSING_SCOPE: ("✖", "NO SCOPE"),
    Access.FORBIDDEN: ("✖", "FORBIDDEN"),
    Access.ERROR: ("✖", "ERROR"),
    Access.UNKNOWN: ("○", "UNKNOWN"),
}
"""Glyph and word of a Products / Line Items probe outcome."""


def check_text(state: CheckState) -> str:
    """`✔ OK`, `⚠ WARN`, `✖ FAIL` or `○ TODO`."""
    glyph, word = CHECK_WORDS[state]
    return f"{glyph} {word}"


def role_word(role: AccountRole) -> str:
    """`MAIN`, `DEVELOPER`, `NO PRODUCTS`…"""
    return ROLE_WORDS[role]


def access_text(probe: ProbeResult) -> str:
    """`✔ OK`, `✔ OK (empty)`, `✖ FORBIDDEN`…: at most 12 cells (the accounts table's column)."""
    glyph, word = ACCESS_WORDS[probe.access]
    if probe.access is Access.OK and probe.count == 0 and not probe.has_more:
        return f"{glyph} {word} (empty)"
    return f"{glyph} {word}"


def format_duration(seconds: float, *, clock: bool = False) -> str:
    """A length of time in a few characters; the one duration formatter of both faces.

    Coarse (tables, checklist): `45s`, `27m`, `1h 05m`, `2d 3h`.
    `clock=True` (a countdown that ticks every second): `09:59`, `27:13`, then `1h 05m`.
    Negative or non-finite lengths count as zero.
    """
    whole = int(seconds) if math.isfinite(seconds) and seconds > 0 else 0
    minutes, secs = divmod(whole, 60)
    hours, mins = divmod(minutes, 60)
    if clock and not hours:
        return f"{minutes:02d}:{secs:02d}"
    if not minutes:
        return f"{secs}s"
    if not hours:
        return f"{minutes}m"
    if hours < 24:
        return f"{hours}h {mins:02d}m"
    return f"{hours // 24}d {hours % 24}h"


def ago_text(seconds: float) -> str:
    """`just now` (under a minute), else `5m ago`, `3h 05m ago`, `2d 3h ago`."""
    if not seconds >= 60:
        return "just now"
    return f"{format_duration(seconds)} ago"


def expiry_text(seconds_left: float | None) -> str:
    """`in 27m`, `in 45s`, `expired` or `no token`: when a stored access token runs out."""
    if seconds_left is None:
        return "no token"
    if not seconds_left > 0:
        return "expired"
    return f"in {format_duration(seconds_left)}"


def scopes_ratio(report: AccountReport) -> str:
    """Granted over requested scopes, e.g. `8/9`; `-` when nothing was requested."""
    if not report.scopes_requested:
        return "-"
    granted = len(report.scopes_requested) - len(report.scopes_missing)
    return f"{granted}/{len(report.scopes_requested)}"


def iso_utc(moment: float) -> str | None:
    """`2026-12-01T22:37:30Z` for a Unix time; None for 0 (never) or a value out of range."""
    from datetime import UTC, datetime

    if not moment or not math.isfinite(moment):
        return None
    try:
        return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None
