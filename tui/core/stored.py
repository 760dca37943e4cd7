"""The install as stored on disk: the read-only view behind `status`, `accounts` and the checklist.

Reading it needs no network and no event loop, so `hubspot-tui status`, `status --json` and
`accounts` run synchronously and never import asyncio, ssl or httpx (they start in about the time
Python takes to import httpx alone). The install service answers the same questions
(`InstallView`) for the commands and screens that do talk to HubSpot.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from tui.core.profile import Profile, ProfileSecrets

if TYPE_CHECKING:
    from tui.core.store import ProfileStore
    from tui.hubspot.models import InstallStatus


class InstallView(Protocol):
    """What the read-only commands need: the profile, its checklist and token expiries."""

    @property
    def profile(self) -> Profile:
        """The profile as stored."""
        ...

    def status(self) -> InstallStatus:
        """The install checklist from stored state (no network)."""
        ...

    def token_expires_at(self, hub_id: int) -> float | None:
        """When the stored access token of `hub_id` expires (Unix seconds), or None."""
        ...


class StoredInstall:
    """One profile read from the store, synchronously: an `InstallView` without a service."""

    def __init__(
        self,
        profile: Profile,
        secrets: ProfileSecrets,
        *,
        clock: Callable[[], float] = time.time,
        warnings: list[str] | None = None,
    ) -> None:
        self._profile = profile
        self._secrets = secrets
        self._clock = clock
        self.warnings = warnings or []
        """Store problems worth showing (see `store_warnings`)."""

    @classmethod
    def load(
        cls, store: ProfileStore, name: str, *, clock: Callable[[], float] = time.time
    ) -> StoredInstall:
        """Read profile `name` and its secrets from `store` (raises StoreError)."""
        profile, secrets = store.load(name)
        return cls(profile, secrets, clock=clock, warnings=store_warnings(store))

    @property
    def profile(self) -> Profile:
        """The profile as stored."""
        return self._profile

    def status(self) -> InstallStatus:
        """The install checklist from stored state."""
        return compute_status(self._profile, self._secrets, self._clock())

    def token_expires_at(self, hub_id: int) -> float | None:
        """When the stored access token of `hub_id` expires (Unix seconds), or None."""
        tokens = self._secrets.tokens.get(hub_id)
        return tokens.expires_at if tokens else None


def store_warnings(store: ProfileStore) -> list[str]:
    """The store's problems worth showing (corrupt file kept aside, permissions tightened)."""
    out = []
    for w in store.warnings:
        where = f"{w.path}" + (f" line {w.line}" if w.line else "")
        kept = f" (kept as {w.kept_as})" if w.kept_as else ""
        out.append(f"{where}: {w.message}{kept}")
    return out


def compute_status(profile: Profile, secrets: ProfileSecrets, now: float) -> InstallStatus:
    """The checklist for a profile, wired to the real validation and scope rules."""
    from tui.core.checklist import build_status
    from tui.hubspot.oauth import redirect_uri_problem
    from tui.hubspot.scopes import lint
    from tui.hubspot.validate import client_id_problem

    return build_status(
        profile,
        has_client_secret=bool(secrets.client_secret),
        token_expiry={hub: t.expires_at for hub, t in secrets.tokens.items()},
        now=now,
        lint=lint,
        client_id_problem=client_id_problem,
        redirect_uri_problem=redirect_uri_problem,
    )
