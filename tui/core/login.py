"""One authorization in flight, and the timeline it reports.

`LoginAttempt` pairs the authorize URL with the loopback listener / paste race; the service's
`start_login` makes one and `finish_login` completes it. No Textual, no httpx here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.hubspot.errors import HubSpotError, NetworkError, RateLimited, ServerError
from tui.hubspot.models import Access, AccountReport, AccountRole, AccountType, TokenGrant

if TYPE_CHECKING:
    from tui.hubspot.listener import CallbackListener


class LoginStep(enum.StrEnum):
    """The timeline of one authorization, in order."""

    URL_READY = "url_ready"
    LISTENING = "listening"
    CALLBACK = "callback"
    STATE_CHECKED = "state_checked"
    TOKENS = "tokens"
    PROBED = "probed"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class StepEvent:
    """A step of the login timeline reached (or failed), with a one-line detail."""

    step: LoginStep
    detail: str = ""
    ok: bool = True
    at: float = 0.0


StepCallback = Callable[[StepEvent], None]


class LoginAttempt:
    """One authorization in flight: the URL to open, and the listener/paste race.

    Attributes:
        url: the authorize URL (holds no secret: state and PKCE challenge only).
        redirect_uri: the redirect URI sent.
        listen_address: "localhost:8765" when the loopback listener runs, else "".
        listen_error: why the listener could not start (e.g. port busy, and by what);
            a pasted URL still works.
        hub_pin: the account the URL is pinned to, or None.
        started_at / deadline: Unix seconds; after the deadline `finish_login` raises CallbackError.
    """

    def __init__(
        self,
        *,
        url: str,
        redirect_uri: str,
        listener: CallbackListener,
        code_verifier: str,
        listen_error: str,
        hub_pin: int | None,
        started_at: float,
        deadline: float,
    ) -> None:
        self.url = url
        self.redirect_uri = redirect_uri
        self.listen_error = listen_error
        self.hub_pin = hub_pin
        self.started_at = started_at
        self.deadline = deadline
        self._listener = listener
        self._code_verifier = code_verifier

    @property
    def listen_address(self) -> str:
        """Where the loopback listener waits, or "" when it is not listening."""
        return self._listener.address if self._listener.listening else ""

    def offer_paste(self, text: str) -> None:
        """Use a pasted redirected URL (or bare code); InputError/CallbackError if unusable."""
        self._listener.offer_paste(text)

    def cancel(self) -> None:
        """Abandon the attempt; `finish_login` raises CallbackError(code="CANCELLED")."""
        self._listener.cancel()

    def __repr__(self) -> str:
        return f"LoginAttempt(redirect_uri={self.redirect_uri!r}, hub_pin={self.hub_pin!r})"


def probe_summary(report: AccountReport) -> str:
    """One line: the account type and both probe outcomes."""
    return (
        f"{report.hub_id} {report.account_type.value} · products {report.products.access.value}"
        f" · line items {report.line_items.access.value}"
    )


def verdict(report: AccountReport) -> str:
    """One line saying whether this is the account the connector should use."""
    name = report.portal_name or report.display_name
    if report.role is AccountRole.MAIN:
        return f"{name} ({report.hub_id}) is your main account"
    if report.role is AccountRole.STANDARD and report.products.access is Access.ERROR:
        # A failed probe is not proof the account has no Products: don't call it the wrong one.
        return (
            f"{name} ({report.hub_id}) is a STANDARD account, but its Products check failed "
            f"({report.products.message}): re-check it (`hubspot-tui status --check`, or r)"
        )
    if report.role is AccountRole.STANDARD and report.products.access is Access.FORBIDDEN:
        return (
            f"{name} ({report.hub_id}) is a STANDARD account, but HubSpot refuses its Products: "
            "the installing user needs a paid Sales Hub seat (a super admin assigns it; no "
            "re-authorization needed, re-check after)"
        )
    if report.account_type is AccountType.APP_DEVELOPER:
        return (
            f"{name} ({report.hub_id}) is a DEVELOPER account: re-authorize and pick the main one"
        )
    return f"{name} ({report.hub_id}) is a {report.role.value} account"


_RESTART = "start the login again (an authorization code works only once)"


def exchange_failed(exc: HubSpotError) -> HubSpotError:
    """Reword the next action of a code exchange that got no usable answer.

    HubSpot may have spent the code before the answer was lost (timeout, dropped connection,
    5xx), so "try again" would only earn BAD_AUTH_CODE: the next step is a new login. The error
    keeps its class and message; only the action changes. Returns `exc`.
    """
    if isinstance(exc, RateLimited):
        wait = (
            f"Wait {exc.retry_after:.0f} s"
            if exc.retryable
            else "Wait until HubSpot's daily limit resets (midnight in the account's time zone)"
        )
        exc.action = f"{wait}, then {_RESTART}"
        return exc
    if isinstance(exc, NetworkError):
        hint = "check the network connection (and any proxy)"
    elif isinstance(exc, ServerError):
        hint = "HubSpot may be down: check status.hubspot.com"
    else:
        hint = "check the API base URL"
    exc.action = f"{_RESTART[0].upper()}{_RESTART[1:]}; if it fails again, {hint}"
    return exc


def inspect_failed(exc: HubSpotError, hub_id: int | None) -> HubSpotError:
    """Reword a failed account check right after a login whose tokens were kept. Returns `exc`.

    `hub_id` None: HubSpot has not said yet which account the tokens are for.
    """
    if hub_id is None:
        exc.message = (
            f"Authorized, but could not identify the account yet (tokens kept): {exc.message}"
        )
    else:
        exc.message = f"Authorized {hub_id}, but could not check it: {exc.message}"
    exc.args = (exc.message,)
    exc.action = (
        "Re-check it in a moment (`hubspot-tui status --check`, or r on the Accounts screen); "
        "the tokens are saved, no need to authorize again"
    )
    return exc


def unchecked_report(
    hub_id: int, grant: TokenGrant, failure: HubSpotError, requested: tuple[str, ...]
) -> AccountReport:
    """What is known of an account authorized just now but not yet checked."""
    return AccountReport(
        hub_id=hub_id,
        scopes_granted=grant.scopes,
        scopes_requested=requested,
        check_error=f"Not checked yet ({failure.message}): re-check it",
        check_error_code="check_failed",
    )
