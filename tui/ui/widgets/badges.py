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
from tui.core.vocabulary import (
    STALE_AFTER,
    access_text,
    ago_text,
    check_text,
    iso_utc,
    role_word,
    scopes_ratio,
)
from tui.hubspot.models import (
    Access,
    AccountReport,
    AccountRole,
    CheckState,
    ProbeResult,
)

__all__ = [
    "access_label",
    "access_text",
    "check_label",
    "role_advice",
    "role_badge",
    "role_word",
    "scopes_ratio",
]

CHECK_COLOUR: dict[CheckState, str] = {
    CheckState.OK: "$text-success",
    CheckState.WARN: "$text-warning",
    CheckState.FAIL: "$text-error",
    CheckState.TODO: "$foreground-muted",
}
"""Theme colour of each checklist state (the words are `tui.core.vocabulary.CHECK_WORDS`)."""

ROLE_COLOUR: dict[AccountRole, str] = {
    AccountRole.MAIN: "$success",
    AccountRole.DEVELOPER: "$error",
    AccountRole.TEST: "$warning",
    AccountRole.SANDBOX: "$warning",
    AccountRole.STANDARD: "$warning",
    AccountRole.UNKNOWN: "$panel",
}
"""Theme background of each account role's badge."""

ACCESS_COLOUR: dict[Access, str] = {
    Access.OK: "$text-success",
    Access.MISSING_SCOPE: "$text-error",
    Access.FORBIDDEN: "$text-error",
    Access.ERROR: "$text-error",
    Access.UNKNOWN: "$foreground-muted",
}
"""Theme colour of a Products / Line Items probe outcome."""


def check_label(state: CheckState) -> Content:
    """`✔ OK`, `⚠ WARN`, `✖ FAIL` or `○ TODO`, coloured."""
    return Content.styled(check_text(state), f"bold {CHECK_COLOUR[state]}")


def role_badge(role: AccountRole) -> Content:
    """A reverse-video badge: the word carries the meaning, the background reinforces it."""
    return Content.styled(f" {role_word(role)} ", f"bold $text on {ROLE_COLOUR[role]}")


def access_label(probe: ProbeResult) -> Content:
    """`access_text` coloured."""
    return Content.styled(access_text(probe), ACCESS_COLOUR[probe.access])


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
        since = f"last verified {ago_text(now - report.checked_at)}"
    else:
        since = "never verified"
    return f"⚠ couldn't reach HubSpot: {message} — {since}. Press r to retry."


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
    # A developer/test/sandbox account is the wrong one whatever it can read: no seat advice.
    seat_matters = role not in (AccountRole.DEVELOPER, AccountRole.TEST, AccountRole.SANDBOX)
    both_forbidden = report.products.access is report.line_items.access is Access.FORBIDDEN
    if both_forbidden and seat_matters:
        lines.append(f"✖ Products and line items forbidden: {NO_SEAT_ADVICE} (r).")
    for name, probe in (("Products", report.products), ("Line items", report.line_items)):
        if probe.access is Access.FORBIDDEN and not both_forbidden and seat_matters:
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
    elif report.checked_at and math.isfinite(report.checked_at):
        age = (time.time() if now is None else now) - report.checked_at
        if age > STALE_AFTER:
            when = iso_utc(report.checked_at) or "?"
            lines.append(f"⚠ Not verified since {when} ({ago_text(age)}): press r to re-check.")
    return lines
