"""The verdict of an authorization: which account it landed on and whether that is right."""

from __future__ import annotations

from typing import Literal

from textual.content import Content

from tui.hubspot.errors import HubSpotError
from tui.hubspot.models import AccountReport, AccountRole
from tui.ui.widgets.badges import access_label, role_advice, role_badge, scopes_ratio

Tone = Literal["good", "warn", "bad"]
"""How an outcome reads: the verdict widget gets the matching `-good` / `-warn` / `-bad` class."""


def report_tone(report: AccountReport) -> Tone:
    """`good` for the MAIN account, `warn` for test/sandbox/no-products, `bad` otherwise."""
    if report.role is AccountRole.MAIN:
        return "good"
    if report.role in (AccountRole.TEST, AccountRole.SANDBOX, AccountRole.STANDARD):
        return "warn"
    return "bad"


TONE_LOOK: dict[Tone, tuple[str, str]] = {
    "good": ("✔", "$text-success"),
    "warn": ("⚠", "$text-warning"),
    "bad": ("✖", "$text-error"),
}
"""Glyph and theme colour of each tone."""


def report_verdict(report: AccountReport) -> Content:
    """`✔/⚠/✖ Authorized 44120003 [MAIN] · name · domain · region`, the probes, what to do.

    The badge sits next to the hub id, so the answer stays on the first line at 80 columns.
    """
    mark, style = TONE_LOOK[report_tone(report)]
    parts = (report.portal_name, report.display_name, report.region)
    name = " · ".join(dict.fromkeys(p for p in parts if p))
    lines = [
        Content.assemble(
            Content.styled(f"{mark} Authorized {report.hub_id} ", f"bold {style}"),
            role_badge(report.role),
            Content(f" · {name}" if name else ""),
        ),
        Content.assemble(
            "Products ",
            access_label(report.products),
            " · Line items ",
            access_label(report.line_items),
            f" · Scopes {scopes_ratio(report)}",
        ),
    ]
    lines.extend(Content(line) for line in role_advice(report))
    return Content("\n").join(lines)


def error_verdict(exc: HubSpotError) -> Content:
    """`✖ message`, `→ action`, and HubSpot's code for a support ticket."""
    lines = [Content.styled(f"✖ {exc.message}", "bold $text-error")]
    if exc.action:
        lines.append(Content.styled(f"→ {exc.action}", "$text-accent"))
    extra = " · ".join(
        p
        for p in (exc.code, f"correlation id {exc.correlation_id}" if exc.correlation_id else "")
        if p
    )
    if extra:
        lines.append(Content.styled(f"({extra})", "$foreground-muted"))
    return Content("\n").join(lines)
