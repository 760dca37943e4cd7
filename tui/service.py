"""The install service: one object the CLI and the screens share to drive a profile.

It owns the HubSpot client (one shared `httpx.AsyncClient`), the store, and the login flow. Every
method that touches the network or disk is `async` and keeps blocking file I/O off the event loop
(`asyncio.to_thread`), so the screens can call it from workers and the CLI from `asyncio.run`.
Imports nothing from Textual.

INTERFACE SKELETON: the signatures and docstrings here are the contract; bodies are being filled in.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.hubspot.models import AccountReport, InstallStatus, TokenSet
from tui.profile import DEFAULT_API_BASE, AppConfig, Profile

if TYPE_CHECKING:
    import httpx

    from tui.store import ProfileStore


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


class InstallService:
    """Drives one profile: settings, login, probes, refresh, accounts."""

    def __init__(
        self,
        store: ProfileStore,
        profile: str = "default",
        *,
        api_base: str = DEFAULT_API_BASE,
        app_base: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        raise NotImplementedError

    @property
    def profile(self) -> Profile:
        """The profile as last loaded or saved (call `load()` first)."""
        raise NotImplementedError

    @property
    def has_client_secret(self) -> bool:
        """True when a client secret is stored (never exposes the secret itself)."""
        raise NotImplementedError

    async def load(self) -> Profile:
        """Read the profile and secrets from disk (in a thread)."""
        raise NotImplementedError

    def status(self) -> InstallStatus:
        """The install checklist from stored state (no network)."""
        raise NotImplementedError

    def token_expires_at(self, hub_id: int) -> float | None:
        """When the stored access token of `hub_id` expires (Unix seconds), or None."""
        raise NotImplementedError

    async def save_app(self, app: AppConfig, client_secret: str | None = None) -> None:
        """Store new app settings; `client_secret=None` keeps the stored secret."""
        raise NotImplementedError

    async def refresh(self, hub_id: int, *, force: bool = False) -> TokenSet:
        """Refresh `hub_id`'s access token when due (or always with `force`); persist at once."""
        raise NotImplementedError

    async def check(self, hub_id: int) -> AccountReport:
        """Re-probe one account live (refreshing its token first when due) and store the report."""
        raise NotImplementedError

    async def check_all(self) -> list[AccountReport]:
        """Re-probe every account concurrently over the shared client."""
        raise NotImplementedError

    async def use(self, hub_id: int) -> None:
        """Make `hub_id` the active account."""
        raise NotImplementedError

    async def remove(self, hub_id: int) -> None:
        """Revoke `hub_id`'s refresh token at HubSpot and forget the account."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the HTTP client and any listener still open."""
        raise NotImplementedError
