"""One authorization in flight, and the timeline it reports.

`LoginAttempt` pairs the authorize URL with the loopback listener / paste race; the service's
`start_login` makes one and `finish_login` completes it. No Textual, no httpx here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.hubspot.models import AccountReport, AccountRole, AccountType

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
    name = report.portal_name or report.hub_domain or str(report.hub_id)
    if report.role is AccountRole.MAIN:
        return f"{name} ({report.hub_id}) is your main account"
    if report.account_type is AccountType.APP_DEVELOPER:
        return (
            f"{name} ({report.hub_id}) is a DEVELOPER account: re-authorize and pick the main one"
        )
    return f"{name} ({report.hub_id}) is a {report.role.value} account"
