"""The verdict of an authorization: which account it landed on and whether that is right."""

from __future__ import annotations

from textual.content import Content

from tui.hubspot.errors import HubSpotError
from tui.hubspot.models import AccountReport, AccountRole
from tui.widgets.badges import access_label, role_advice, role_badge, scopes_ratio


def report_verdict(report: AccountReport) -> Content:
    """`✔/✖ Authorized 44120003 · name · domain [MAIN]`, the probes, and what to do."""
    good = report.role is AccountRole.MAIN
    mark, style = ("✔", "$text-success") if good else ("✖", "$text-error")
    if report.role in (AccountRole.TEST, AccountRole.SANDBOX, AccountRole.STANDARD):
        mark, style = "⚠", "$text-warning"
    name = " · ".join(p for p in (report.portal_name, report.hub_domain, report.region) if p)
    lines = [
        Content.assemble(
            Content.styled(f"{mark} Authorized {report.hub_id}", f"bold {style}"),
            Content(f" · {name} " if name else " "),
            role_badge(report.role),
        ),
        Content.assemble(
            "  Products ",
            access_label(report.products),
            " · Line items ",
            access_label(report.line_items),
            f" · Scopes {scopes_ratio(report)}",
        ),
    ]
    lines.extend(Content(f"  {line}") for line in role_advice(report))
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
        lines.append(Content.styled(f"  ({extra})", "$text-muted"))
    return Content("\n").join(lines)
