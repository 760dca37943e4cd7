"""A fresh access token for scripts (`hubspot-tui token`, `hubspot-tui api`), safe across processes.

Two scripts started by the same cron minute both see an expiring token. Without coordination both
refresh it: twice the token calls, and if HubSpot ever rotates refresh tokens, one of them would
store a token the other already spent. So a refresh holds an exclusive `flock` on the store's
`.refresh.lock` from "is it still due?" to "stored": the second process waits, re-reads the store
under the lock, finds the fresh token and uses it. Imports no Textual and no httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.file_lock import lock_waits, try_flock
from tui.core.store import StoreError
from tui.hubspot.errors import InputError

if TYPE_CHECKING:
    from tui.core.service import InstallService
    from tui.hubspot.models import TokenSet

REFRESH_MARGIN = 300.0
"""Refresh this many seconds before expiry (HubSpot's own CLI uses 5 minutes)."""

REFRESH_LOCK_FILE = ".refresh.lock"
"""Beside `.lock` in the store directory: held across a token refresh's HTTP call."""

REFRESH_LOCK_TIMEOUT = 120.0
"""Longest wait for another process's refresh (a refresh is a few bounded HTTP attempts)."""


@contextlib.asynccontextmanager
async def refresh_lock(
    store_dir: Path, timeout: float = REFRESH_LOCK_TIMEOUT
) -> AsyncIterator[None]:
    """Hold the store's cross-process refresh lock; polls without blocking the event loop.

    A directory that cannot hold the lock file (read-only, missing) gives no lock rather than a
    failure: the refresh then works as before, and storing its result reports the real problem.

    Raises:
        StoreError: another process held the lock for longer than `timeout`.
    """
    path = store_dir / REFRESH_LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError:
        yield
        return
    try:
        for pause in lock_waits(timeout, first=0.005, longest=0.05):
            if try_flock(fd):
                break
            await asyncio.sleep(pause)
        else:
            raise StoreError(
                "Another hubspot-tui process is still refreshing a token of this store",
                f"try again; if it persists, find it with `fuser {path}`",
                path=path,
            )
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def refresh_margin(tokens: TokenSet) -> float:
    """Refresh margin: 5 minutes, or a quarter of a short lifetime (the sandbox's demo tokens)."""
    lifetime = tokens.expires_at - tokens.obtained_at if tokens.obtained_at else 0.0
    return min(REFRESH_MARGIN, lifetime / 4) if lifetime > 0 else REFRESH_MARGIN


def resolve_hub(service: InstallService, hub_id: int | None) -> int:
    """The account a script means: `hub_id` when it is stored, else the active one.

    Raises:
        InputError: code USAGE (exit 2) for a hub id the profile does not hold; code NO_ACCOUNT
            (exit 1) when no account is authorized at all.
    """
    profile = service.profile
    if hub_id is not None:
        if hub_id not in profile.accounts and service.token_expires_at(hub_id) is None:
            known = ", ".join(str(h) for h in sorted(profile.accounts)) or "none"
            raise InputError(
                f"Account {hub_id} is not authorized in profile '{service.profile_name}' "
                f"(authorized: {known})",
                "Run `hubspot-tui accounts` to list them, or authorize it with "
                f"`hubspot-tui login --account {hub_id}`",
                code="USAGE",
            )
        return hub_id
    if profile.active_hub_id is None:
        raise InputError(
            f"No account is authorized in profile '{service.profile_name}'",
            "Authorize one: `hubspot-tui login`",
            code="NO_ACCOUNT",
        )
    return profile.active_hub_id


async def fresh_tokens(service: InstallService, hub_id: int, *, force: bool = False) -> TokenSet:
    """`hub_id`'s tokens, refreshed first when they expire within the refresh margin (or `force`).

    The refresh itself (`InstallService.refresh`) re-reads the store and stores the new token
    under the store's lock, inside the cross-process refresh lock.

    Raises:
        HubSpotError: RefreshTokenRevoked (re-authorize), NO_TOKENS, network failures, …
    """
    return await service.refresh(hub_id, force=force)
