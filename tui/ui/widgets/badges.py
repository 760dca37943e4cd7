"""Symbol + WORD + colour renderings shared by every screen.

Meaning is never carried by colour alone (NO_COLOR users, colour-blind users, monochrome SSH
terminals): every state has a glyph and a word, and the colour only reinforces them. Colours are
theme variables, so built-in themes (including `ansi-dark`) keep working.

Dim text in `Content` styles is `$foreground-muted`: `$text-muted` is `auto 60%`, which Textual
8.2.8 resolves to full white inside Content (it works only in CSS `color:`).
"""

from __future__ import annotations

import math
import time

from textual.content import Content

from tui.core.reasons import AUTH_DEAD, NO_SEAT_ADVICE, Reason
from tui.hubspot.models import (
    Access,
    AccountReport,
    AccountRole,
    CheckState,
    ProbeResult,
)

CHECK_LOOK: dict[CheckState, tuple[str, str, str]] = {
    CheckState.OK: ("✔", "OK", "$text-success"),
    CheckState.WARN: ("⚠", "WARN", "$text-warning"),
    CheckState.FAIL: ("✖", "FAIL", "$text-error"),
    CheckState.TODO: ("○", "TODO", "$foreground-muted"),
}
"""Glyph, word and theme colour of each checklist state."""

ROLE_LOOK: dict[AccountRole, tuple[str, str]] = {
    AccountRole.MAIN: ("MAIN", "$success"),
    AccountRole.DEVELOPER: ("DEVELOPER", "$error"),
    AccountRole.TEST: ("TEST", "$warning"),
    AccountRole.SANDBOX: ("SANDBOX", "$warning"),
    AccountRole.STANDARD: ("NO PRODUCTS", "$warning"),
    AccountRole.UNKNOWN: ("UNKNOWN", "$panel"),
}
"""Badge word and theme background of each account role."""

ACCESS_LOOK: dict[Access, tuple[str, str, str]] = {
    Access.OK: ("✔", "OK", "$text-success"),
    Access.MISSING_SCOPE: ("✖", "NO SCOPE", "$text-error"),
    Access.FORBIDDEN: ("✖", "FORBIDDEN", "$text-error"),
    Access.ERROR: ("✖", "ERROR", "$text-error"),
    Access.UNKNOWN: ("○", "UNKNOWN", "$foreground-muted"),
}
"""Glyph, word and theme colour of a Products / Line Items probe outcome."""


def check_label(state: CheckState) -> Content:
    """`✔ OK`, `⚠ WARN`, `✖ FAIL` or `○ TODO`, coloured."""
    glyph, word, colour = CHECK_LOOK[state]
    return Content.styled(f"{glyph} {word}", f"bold {colour}")


def role_word(role: AccountRole) -> str:
    """The badge word of a role (`MAIN`, `DEVELOPER`, `NO PRODUCTS`...)."""
    return ROLE_LOOK[role][0]


def role_badge(role: AccountRole) -> Content:
    """A reverse-video badge: the word carries the meaning, the background reinforces it."""
    word, colour = ROLE_LOOK[role]
    return Content.styled(f" {word} ", f"bold $text on {colour}")


def access_text(probe: ProbeResult) -> str:
    """Plain `✔ OK` / `✖ FORBIDDEN`... for tables; `✔ OK (empty)` when readable but empty.

    At most 12 cells, so the accounts table keeps its Token column inside 80 columns.
    """
    glyph, word, _ = ACCESS_LOOK[probe.access]
    if probe.access is Access.OK and probe.count == 0:
        return f"{glyph} {word} (empty)"
    return f"{glyph} {word}"


def access_label(probe: ProbeResult) -> Content:
    """`access_text` coloured."""
    _, _, colour = ACCESS_LOOK[probe.access]
    return Content.styled(access_text(probe), colour)


def scopes_ratio(report: AccountReport) -> str:
    """Granted over requested scopes, e.g. `8/9`; `-` when nothing was requested."""
    if not report.scopes_requested:
        return "-"
    granted = len(report.scopes_requested) - len(report.scopes_missing)
    return f"{granted}/{len(report.scopes_requested)}"


def format_remaining(seconds: float) -> str:
    """`27:13`, `1h 02m` or `expired`: short enough for a status line."""
    if seconds <= 0:
        return "expired"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes:02d}:{secs:02d}"


def expiry_text(expires_at: float | None, now: float | None = None) -> str:
    """`in 27m`, `in 1h 02m`, `expired` or `no token` for a table cell.

    Minutes only: the cell is not live, and a coarse value changes rarely, so redrawing a large
    table after a profile change touches few cells.
    """
    if expires_at is None:
        return "no token"
    remaining = expires_at - (time.time() if now is None else now)
    if remaining <= 0:
        return "expired"
    minutes = int(remaining // 60)
    if minutes >= 60:
        return f"in {minutes // 60}h {minutes % 60:02d}m"
    return f"in {minutes}m" if minutes else "in <1m"


def check_error_line(report: AccountReport, now: float | None = None) -> str:
    """The last failed check of `report`, by its code, with what to do; "" when none.

    A transient failure keeps the last good answers shown, so it says how old they are.
    """
    if not (report.check_error or report.check_error_code):
        return ""
    message = report.check_error or "the last check failed"
    code = report.check_error_code
    if code in AUTH_DEAD:
        return f"✖ HubSpot no longer accepts this account's tokens: {message}. Press F5."
    if code == Reason.WRONG_ACCOUNT:
        return f"✖ {message}: authorize the account again (F5)."
    if code == Reason.NOT_IDENTIFIED:
        return f"⚠ Tokens saved, account not identified yet: {message}. Press r to retry."
    now = time.time() if now is None else now
    if report.checked_at and math.isfinite(report.checked_at):
        since = f"last verified {format_ago(now - report.checked_at)}"
    else:
        since = "never verified"
    return f"⚠ couldn't reach HubSpot: {message} — {since}. Press r to retry."


def format_ago(seconds: float) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 days ago`."""
    minutes = int(max(0.0, seconds) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"


def role_advice(report: AccountReport, now: float | None = None) -> list[str]:
    """What the account's flags mean and what to do, one line each, worst first."""
    lines: list[str] = []
    role = report.role
    if role is AccountRole.DEVELOPER:
        lines.append(
            "✖ DEVELOPER account: apps can't be installed into a developer account and it holds "
            "no CRM data. Re-authorize and pick your MAIN account (the one with Products)."
        )
    elif role is AccountRole.TEST:
        lines.append(
            "⚠ TEST account: a 90-day Enterprise trial for development, not the customer's "
            "data. It expires unless renewed. Re-authorize and pick your MAIN account."
        )
    elif role is AccountRole.SANDBOX:
        lines.append(
            "⚠ SANDBOX account: a copy of production for testing. The connector belongs in the "
            "MAIN (production) account."
        )
    elif role is AccountRole.STANDARD:
        lines.append(
            "⚠ NO PRODUCTS: a standard account, but no product could be read. Add a product in "
            "HubSpot (Sales > Products) or authorize the account that has them."
        )
    elif role is AccountRole.MAIN:
        lines.append("✔ MAIN account: a standard account with products. This is the right one.")
    else:
        lines.append("○ Not checked yet: press r to re-check it.")
    both_forbidden = report.products.access is report.line_items.access is Access.FORBIDDEN
    if both_forbidden:
        lines.append(f"✖ Products and line items forbidden: {NO_SEAT_ADVICE} (r).")
    for name, probe in (("Products", report.products), ("Line items", report.line_items)):
        if probe.access is Access.FORBIDDEN and not both_forbidden:
            lines.append(f"✖ {name} forbidden: {NO_SEAT_ADVICE} (r).")
        elif probe.access is Access.MISSING_SCOPE:
            needed = ", ".join(probe.required_scopes) or "the object's read scope"
            lines.append(f"✖ {name}: the token lacks {needed}. Add it on F4 and re-authorize.")
        elif probe.access is Access.ERROR:
            lines.append(f"✖ {name}: {probe.message or 'the probe failed'}. Press r to retry.")
    missing = report.scopes_missing
    if missing:
        lines.append(
            f"⚠ Scopes not granted ({len(missing)}): {', '.join(missing)}. Optional scopes are "
            "dropped silently when the account's plan lacks them."
        )
    failed = check_error_line(report, now)
    if failed:
        lines.append(failed)
    return lines
