"""The install service: one object the CLI and the screens share to drive a profile.

It owns the HubSpot client (one shared `httpx.AsyncClient`, built on first use so start-up
never pays for it), the store, and the login flow. Every method that touches the network or disk
is `async` and keeps blocking file I/O off the event loop (`asyncio.to_thread`), so the screens
can call it from workers and the CLI from `asyncio.run`. Imports nothing from Textual.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tui.core import connector, login_flow, probes
from tui.core.login import (
    LoginAttempt,
    LoginStep,
    StepCallback,
    StepEvent,
)
from tui.core.probes import ProbeContext
from tui.core.profile import DEFAULT_API_BASE, AppConfig, Profile, ProfileSecrets
from tui.core.reasons import AUTH_DEAD
from tui.core.stored import compute_status, store_warnings
from tui.core.tokens import refresh_lock, refresh_margin
from tui.hubspot.errors import (
    AuthenticationError,
    HubSpotError,
    InputError,
    ReauthorizeRequired,
    RefreshTokenRevoked,
)
from tui.hubspot.models import AccountReport, InstallStatus, TokenSet
from tui.hubspot.origins import (
    origin_of,
    require_secret_origin,
    require_token_origin,
)

__all__ = [
    "InstallService",
    "LoginAttempt",
    "LoginStep",
    "StepCallback",
    "StepEvent",
    "compute_status",
]

if TYPE_CHECKING:
    import httpx

    from tui.core.store import ProfileStore
    from tui.hubspot.client import HubSpotClient


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
        redirect_hook: Callable[[str], None] | None = None,
        http_timeout: float = 10.0,
        max_retries: int = 3,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """Drive `profile` of `store`; nothing is read until `load()`.

        Args:
            store: where profiles and secrets live.
            profile: the profile name.
            api_base: the HubSpot API origin (the sandbox's in demo mode and tests).
            app_base: the authorize host override ("" = the profile's region default).
            transport: an httpx transport for the HubSpot client (tests).
            clock: Unix time; token expiries and report times are set against it.
            redirect_hook: demo only: registers the profile's redirect URI on the sandbox app.
            http_timeout: seconds each HubSpot request may take (connect, send, each read).
            max_retries: retries after the first attempt for retryable failures (429, 5xx,
                timeouts, broken connections); never for a code exchange that was sent.
            sleep: awaited between retries (tests pass a recorder); default `asyncio.sleep`.
        """
        self._redirect_hook = redirect_hook
        self._store = store
        self._name = profile
        self._api_base = api_base.rstrip("/")
        self._app_base = app_base.rstrip("/")
        self._transport = transport
        self._clock = clock
        self._http_timeout = http_timeout
        self._max_retries = max_retries
        self._sleep = sleep
        self._profile = Profile(name=profile)
        self._secrets = ProfileSecrets()
        self._client: HubSpotClient | None = None
        self._client_version = ""
        self._refresh_locks: dict[int, asyncio.Lock] = {}
        self._attempts: set[LoginAttempt] = set()
        self._probe_context = ProbeContext(
            client=self._http,
            credentials=self._require_credentials,
            profile=lambda: self._profile,
            clock=clock,
            load=self.load,
            update=self._update,
            refresh=lambda hub_id, force: self.refresh(hub_id, force=force),
        )

    # ----------------------------------------------------------------- state

    @property
    def profile(self) -> Profile:
        """The profile as last loaded or saved (call `load()` first)."""
        return self._profile

    @property
    def profile_name(self) -> str:
        """The name of the profile this service drives."""
        return self._name

    @property
    def api_base(self) -> str:
        """The HubSpot API origin in use."""
        return self._api_base

    @property
    def app_base(self) -> str:
        """The authorize host in use (the override, else the profile's region default)."""
        return self._app_base or self._profile.app.effective_app_base

    @property
    def has_client_secret(self) -> bool:
        """True when a client secret is stored (never exposes the secret itself)."""
        return bool(self._secrets.client_secret)

    def connector_sheet(self) -> connector.ConnectorSheet:
        """The connector form's values (it holds the client secret: mask it unless revealed)."""
        return connector.connector_sheet(self._profile, self._secrets.client_secret)

    def hubspot(self) -> HubSpotClient:
        """The shared HubSpot client, for requests the service does not wrap (`api`)."""
        return self._http()

    @property
    def warnings(self) -> list[str]:
        """Store problems worth showing (corrupt file kept aside, permissions tightened)."""
        return store_warnings(self._store)

    async def load(self) -> Profile:
        """Read the profile and secrets from disk (in a thread)."""
        self._profile, self._secrets = await asyncio.to_thread(self._store.load, self._name)
        return self._profile

    def now(self) -> float:
        """The service's clock (Unix seconds): what deadlines and token expiries are set against.

        Countdowns read it too, so a test that injects a fixed clock gets a frozen screen.
        """
        return self._clock()

    def status(self, view: Profile | None = None) -> InstallStatus:
        """The install checklist from stored state (no network), or of `view` of the profile."""
        return compute_status(view or self._profile, self._secrets, self._clock())

    def token_expires_at(self, hub_id: int) -> float | None:
        """When the stored access token of `hub_id` expires (Unix seconds), or None."""
        tokens = self._secrets.tokens.get(hub_id)
        return tokens.expires_at if tokens else None

    def refresh_due_at(self, hub_id: int) -> float | None:
        """When `refresh(hub_id)` will start refreshing (Unix seconds), or None without tokens."""
        tokens = self._secrets.tokens.get(hub_id)
        return tokens.expires_at - refresh_margin(tokens) if tokens else None

    async def _update(self, mutate: Callable[[Profile, ProfileSecrets], None]) -> None:
        """Apply `mutate` under the store's lock to freshly read state, and keep the result."""
        self._profile, self._secrets = await asyncio.to_thread(
            self._store.update, self._name, mutate
        )

    async def save_app(self, app: AppConfig, client_secret: str | None = None) -> None:
        """Store new app settings; `client_secret=None` keeps the stored secret."""

        def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
            profile.app = app
            if client_secret is not None:
                secrets.client_secret = client_secret
                secrets.secret_origin = origin_of(self._api_base)

        await self._update(mutate)

    async def use(self, hub_id: int) -> None:
        """Make `hub_id` the active account."""
        if hub_id not in self._profile.accounts:
            await self.load()
        if hub_id not in self._profile.accounts:
            raise InputError(
                f"Account {hub_id} is not authorized in profile '{self._name}'",
                "Run `hubspot-tui accounts` to list them, or authorize it with `login --account`",
                code="UNKNOWN_ACCOUNT",
            )

        def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
            if hub_id in profile.accounts:
                profile.active_hub_id = hub_id

        await self._update(mutate)

    # ------------------------------------------------------------ HTTP client

    def _http(self) -> HubSpotClient:
        """The shared HubSpot client, built on first use (importing httpx costs start-up time)."""
        version = self._profile.app.token_version or "v3"
        if self._client is None or self._client_version != version:
            from tui.hubspot.client import HubSpotClient

            if self._client is not None:
                # The old client may still serve in-flight requests; let it close with the loop.
                old = self._client
                asyncio.get_running_loop().create_task(old.aclose())
            self._client = HubSpotClient(
                self._api_base,
                token_version=version,
                timeout=self._http_timeout,
                transport=self._transport,
                max_retries=self._max_retries,
                sleep=asyncio.sleep if self._sleep is None else self._sleep,
                clock=self._clock,
            )
            self._client_version = version
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP client and any listener still open."""
        for attempt in list(self._attempts):
            attempt.cancel()
            await attempt._listener.close()
        self._attempts.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _require_credentials(self) -> tuple[str, str]:
        """The app's id and secret, for a request to this service's API base.

        Raises:
            InputError: they are not set (NO_CREDENTIALS), or the secret was saved for another
                API origin (USAGE: it is never sent anywhere else).
        """
        app = self._profile.app
        if not app.client_id or not self._secrets.client_secret:
            raise InputError(
                "The app's Client ID and Client Secret are not set",
                "Enter them on the Credentials screen (F3) or run `hubspot-tui configure`",
                code="NO_CREDENTIALS",
            )
        require_secret_origin(self._secrets.secret_origin, self._api_base)
        return app.client_id, self._secrets.client_secret

    # ------------------------------------------------------------------ login

    async def start_login(
        self, *, hub_id: int | None = None, timeout: float = 600.0, listen: bool = True
    ) -> LoginAttempt:
        """Build a fresh authorize URL and start the listener (see `login_flow.start_login`)."""
        attempt = await login_flow.start_login(
            self._probe_context,
            app_base=self.app_base,
            redirect_hook=self._redirect_hook,
            hub_id=hub_id,
            timeout=timeout,
            listen=listen,
        )
        self._attempts.add(attempt)
        return attempt

    async def finish_login(
        self, attempt: LoginAttempt, on_step: StepCallback | None = None
    ) -> AccountReport:
        """Complete the login: code, exchange, probes, store (see `login_flow.finish_login`)."""
        try:
            return await login_flow.finish_login(self._probe_context, attempt, on_step)
        finally:
            self._attempts.discard(attempt)

    # ---------------------------------------------------------------- refresh

    async def refresh(self, hub_id: int, *, force: bool = False) -> TokenSet:
        """Refresh `hub_id`'s access token when due (or always with `force`); persist at once.

        The store is re-read first: another hubspot-tui process may have refreshed already, and
        using its fresh token avoids spending a refresh (the rclone lesson in ux.md).
        """
        lock = self._refresh_locks.setdefault(hub_id, asyncio.Lock())
        async with lock:
            tokens = await self._stored_tokens(hub_id)
            if force or tokens.needs_refresh(self._clock(), refresh_margin(tokens)):
                # Due: other processes wait from here to "stored" (see tui.core.tokens); if one
                # refreshed while we waited, its fresh token is used instead.
                async with refresh_lock(self._store.paths.dir):
                    tokens = await self._stored_tokens(hub_id)
                    if force or tokens.needs_refresh(self._clock(), refresh_margin(tokens)):
                        tokens = await self._refresh_now(hub_id, tokens)
            return tokens

    async def _stored_tokens(self, hub_id: int) -> TokenSet:
        await self.load()
        tokens = self._secrets.tokens.get(hub_id)
        if tokens is None:
            raise InputError(
                f"No tokens stored for account {hub_id}",
                f"Authorize it: `hubspot-tui login --account {hub_id}` (or F5)",
                code="NO_TOKENS",
            )
        require_token_origin(hub_id, tokens.api_origin, self._api_base)
        return tokens

    async def _refresh_now(self, hub_id: int, tokens: TokenSet) -> TokenSet:
        """Refresh now and store the new token (the caller holds both refresh locks)."""
        client_id, client_secret = self._require_credentials()
        try:
            grant = await self._http().refresh(
                client_id=client_id,
                client_secret=client_secret,
                refresh_token=tokens.refresh_token,
            )
        except ReauthorizeRequired as exc:
            await probes.mark_broken(
                self._probe_context, hub_id, f"{exc.message}. {exc.action}".strip()
            )
            raise
        new_tokens = grant.tokens

        def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
            secrets.tokens[hub_id] = new_tokens
            account = profile.accounts.get(hub_id)
            if account is not None and account.check_error_code in AUTH_DEAD:
                # The tokens work again; a failed probe stays recorded until a check passes.
                profile.accounts[hub_id] = replace(account, check_error="", check_error_code="")

        await self._update(mutate)
        return new_tokens

    # ----------------------------------------------------------------- checks

    async def check(self, hub_id: int) -> AccountReport:
        """Re-probe one account live and store the report (see `tui.core.probes.check`)."""
        return await probes.check(self._probe_context, hub_id)

    async def recheck_all(self) -> tuple[list[AccountReport], dict[int, HubSpotError]]:
        """Re-probe every account: reports, and the transient failures by Hub ID."""
        return await probes.recheck_all(self._probe_context)

    async def check_all(self, *, strict: bool = False) -> list[AccountReport]:
        """Re-probe every account; `strict` raises the first failure (see `tui.core.probes`)."""
        return await probes.check_all(self._probe_context, strict=strict)

    async def remove(self, hub_id: int, *, force: bool = False) -> bool:
        """Revoke `hub_id`'s refresh token at HubSpot and forget the account.

        If the revocation fails for a transient reason the account is kept (so the user can
        retry) unless `force`; a token HubSpot already rejects counts as revoked.

        Returns:
            True when HubSpot no longer accepts the refresh token; False when the account was
            forgotten (`force`) without HubSpot confirming, or there was nothing to revoke.
        """
        await self.load()
        if hub_id not in self._profile.accounts and hub_id not in self._secrets.tokens:
            raise InputError(
                f"Account {hub_id} is not in profile '{self._name}'",
                "Run `hubspot-tui accounts` to list the authorized accounts",
                code="UNKNOWN_ACCOUNT",
            )
        tokens = self._secrets.tokens.get(hub_id)
        revoked = False
        if tokens is not None and self.has_client_secret:
            try:
                require_token_origin(hub_id, tokens.api_origin, self._api_base)
                client_id, client_secret = self._require_credentials()
                await self._http().revoke(
                    client_id=client_id,
                    client_secret=client_secret,
                    refresh_token=tokens.refresh_token,
                )
                revoked = True
            except (RefreshTokenRevoked, AuthenticationError):
                revoked = True
            except ReauthorizeRequired:
                pass  # a damaged stored token is never sent: there is nothing HubSpot can revoke
            except HubSpotError:
                if not force:
                    raise

        def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
            profile.accounts.pop(hub_id, None)
            secrets.tokens.pop(hub_id, None)
            if profile.active_hub_id == hub_id:
                profile.active_hub_id = _pick_active(profile)

        await self._update(mutate)
        return revoked


# ------------------------------------------------------------------ helpers


def _pick_active(profile: Profile) -> int | None:
    """After removing the active account, prefer a main account, else any."""
    from tui.hubspot.models import AccountRole

    for hub_id, account in profile.accounts.items():
        if account.role is AccountRole.MAIN:
            return hub_id
    return next(iter(profile.accounts), None)
