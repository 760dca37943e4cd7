"""Plain-text and JSON renderings of the install state for the command line.

Symbols always come with a word (`✔ OK`, `✖ FAIL`), so the output reads the same without colour,
in a log file, or through a screen reader. No secret ever reaches these functions' output: they
see tokens only through `token_expires_at`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from tui.hubspot.errors import HubSpotError
from tui.hubspot.models import Access, AccountReport, CheckState, InstallStatus, ProbeResult
from tui.hubspot.text import clean_line, fit_cells

if TYPE_CHECKING:
    from tui.core.profile import Profile
    from tui.core.service import StepEvent

ExpiryLookup = Callable[[int], "float | None"]

STATE_LABEL = {
    CheckState.OK: "✔ OK  ",
    CheckState.WARN: "⚠ WARN",
    CheckState.FAIL: "✖ FAIL",
    CheckState.TODO: "○ TODO",
}

ROLE_BADGE = {
    "main": "MAIN",
    "standard": "NO PRODUCTS",
    "developer": "DEVELOPER",
    "test": "TEST",
    "sandbox": "SANDBOX",
    "unknown": "UNCHECKED",
}


def format_duration(seconds: float) -> str:
    """`27m`, `1h04m`, `45s`, or `expired 3m ago`."""
    if seconds < 0:
        return f"expired {format_duration(-seconds)} ago"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s" if minutes < 10 else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def probe_text(probe: ProbeResult) -> str:
    """One short phrase for a Products / Line Items probe."""
    if probe.access is Access.OK:
        count = probe.count or 0
        return f"ok ({count}{'+' if probe.has_more else ''})"
    if probe.access is Access.MISSING_SCOPE:
        return "missing scope"
    if probe.access is Access.FORBIDDEN:
        return "forbidden (seat/plan)"
    if probe.access is Access.ERROR:
        return "error"
    return "not checked"


def render_status(
    status: InstallStatus, profile: Profile, token_expires_at: ExpiryLookup, *, now: float
) -> str:
    """The gh-style status block: verdict, checklist with fixes, accounts, next step."""
    verdict = "READY" if status.ready else "NOT READY"
    lines = [f"hubspot-tui · profile {status.profile} · {verdict}", ""]
    for check in status.checks:
        lines.append(f"  {STATE_LABEL[check.state]}  {check.title:<16} {check.detail}")
        if check.state is not CheckState.OK and check.fix:
            lines.append(f"  {'':6}  {'':<16} fix: {check.fix}")
    if profile.accounts:
        lines.append("")
        lines.append(render_accounts(profile, token_expires_at, now=now))
    step = status.next_step
    if step is not None:
        lines.append("")
        lines.append(f"Next step: {step.fix or step.detail}")
    return "\n".join(lines)


def render_accounts(profile: Profile, token_expires_at: ExpiryLookup, *, now: float) -> str:
    """A fixed-width table of the profile's accounts; `*` marks the active one."""
    if not profile.accounts:
        return "No authorized accounts yet. Run `hubspot-tui login`."
    header = (
        f"  {'HUB ID':<10} {'NAME':<30} {'TYPE':<14} {'ROLE':<11} {'REGION':<6} "
        f"{'PRODUCTS':<22} {'LINE ITEMS':<22} {'SCOPES':<7} TOKEN"
    )
    lines = ["Accounts:", header]
    for hub_id, account in sorted(profile.accounts.items()):
        lines.append(_account_row(account, hub_id == profile.active_hub_id, token_expires_at, now))
        if account.check_error:
            lines.append(f"    ! {account.check_error}")
    return "\n".join(lines)


def _account_row(
    account: AccountReport, active: bool, token_expires_at: ExpiryLookup, now: float
) -> str:
    expires_at = token_expires_at(account.hub_id)
    token = format_duration(expires_at - now) if expires_at is not None else "none"
    granted = len(set(account.scopes_granted) & set(account.scopes_requested))
    scopes = f"{granted}/{len(account.scopes_requested)}" if account.scopes_requested else "-"
    name = fit_cells(clean_line(account.display_name, 100), 30)  # by terminal cells: wide chars
    return (
        f"{'*' if active else ' '} {account.hub_id:<10} {name} "
        f"{account.account_type.value:<14} {ROLE_BADGE.get(account.role.value, '?'):<11} "
        f"{account.region or '-':<6} {probe_text(account.products):<22} "
        f"{probe_text(account.line_items):<22} {scopes:<7} {token}"
    )


def render_step(event: StepEvent) -> str:
    """One line of the login timeline."""
    mark = "✔" if event.ok else "✖"
    return f"  {mark} {event.step.value.replace('_', ' ')}: {event.detail}"


def status_json(
    status: InstallStatus, profile: Profile, token_expires_at: ExpiryLookup, now: float
) -> dict[str, object]:
    """The documented `status --json` shape."""
    from tui.core.checklist import status_to_json

    expiry: dict[int, float] = {}
    for hub_id in profile.accounts:
        expires_at = token_expires_at(hub_id)
        if expires_at is not None:
            expiry[hub_id] = expires_at
    return status_to_json(status, profile, expiry, now)


def print_error(exc: HubSpotError, stream: TextIO = sys.stderr) -> None:
    """Print a HubSpot error as `error:` plus its next step and correlation id."""
    print(f"error: {exc.message}", file=stream)
    if exc.action:
        print(f"  next: {exc.action}", file=stream)
    if exc.correlation_id:
        print(f"  HubSpot correlation id: {exc.correlation_id}", file=stream)
