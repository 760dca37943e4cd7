"""Plain-text and JSON renderings of the install state for the command line.

Symbols always come with a word (`✔ OK`, `✖ FAIL`), so the output reads the same without colour,
in a log file, or through a screen reader. No secret ever reaches these functions' output: they
see tokens only through `token_expires_at`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from tui.core.user_errors import error_lines
from tui.core.vocabulary import access_text, check_text, expiry_text, role_word, scopes_ratio
from tui.hubspot.errors import HubSpotError
from tui.hubspot.models import AccountReport, CheckState, InstallStatus
from tui.hubspot.text import clean_line, fit_cells

if TYPE_CHECKING:
    from tui.core.profile import Profile
    from tui.core.service import StepEvent

ExpiryLookup = Callable[[int], "float | None"]


def render_status(
    status: InstallStatus, profile: Profile, token_expires_at: ExpiryLookup, *, now: float
) -> str:
    """The gh-style status block: verdict, checklist with fixes, accounts, next step."""
    verdict = "READY" if status.ready else "NOT READY"
    lines = [f"hubspot-tui · profile {status.profile} · {verdict}", ""]
    for check in status.checks:
        lines.append(f"  {check_text(check.state):<6}  {check.title:<16} {check.detail}")
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
    token = expiry_text(None if expires_at is None else expires_at - now)
    name = fit_cells(clean_line(account.display_name, 100), 30)  # by terminal cells: wide chars
    return (
        f"{'*' if active else ' '} {account.hub_id:<10} {name} "
        f"{account.account_type.value:<14} {role_word(account.role):<11} "
        f"{account.region or '-':<6} {access_text(account.products):<22} "
        f"{access_text(account.line_items):<22} {scopes_ratio(account):<7} {token}"
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
    """Print an error as `error:` plus its next step and correlation id (see user_errors)."""
    for line in error_lines(exc):
        print(line, file=stream)
