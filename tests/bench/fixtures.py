"""Stored profiles for the benchmarks, written through the real store (no network, no sandbox).

`write_profile(dir, n)` stores a READY profile: the sandbox's demo app credentials, confirmed
scopes, and `n` authorized accounts with tokens, the first one a MAIN account that is active.
Account `i` is hub id `HUB_BASE + i`, so a benchmark can predict what any row shows.
"""

from __future__ import annotations

import time
from pathlib import Path

from tui.core.profile import (
    DEFAULT_OPTIONAL_SCOPES,
    DEFAULT_REQUIRED_SCOPES,
    AppConfig,
    Profile,
    ProfileSecrets,
)
from tui.core.store import ProfileStore
from tui.hubspot.models import (
    Access,
    AccountReport,
    AccountRole,
    AccountType,
    ProbeResult,
    TokenSet,
)
from tui.sandbox import DEMO_APP

HUB_BASE = 44_100_000
"""Hub id of account 0; account i is HUB_BASE + i."""

ROLES = (AccountRole.MAIN, AccountRole.DEVELOPER, AccountRole.TEST)
TYPES = (AccountType.STANDARD, AccountType.APP_DEVELOPER, AccountType.DEVELOPER_TEST)


def domain_of(i: int) -> str:
    """The hub domain stored for account i."""
    return f"portal-{i:06d}.example.com"


def report(i: int, *, now: float) -> AccountReport:
    """Account i's stored report (account 0 is a MAIN account with everything working)."""
    kind = i % 3
    ok = ProbeResult(Access.OK, 3, False)
    granted = (*DEFAULT_REQUIRED_SCOPES, *DEFAULT_OPTIONAL_SCOPES)
    return AccountReport(
        hub_id=HUB_BASE + i,
        hub_domain=domain_of(i),
        account_type=TYPES[kind],
        role=ROLES[kind],
        region="eu1" if i % 5 == 4 else "na1",
        ui_domain="app.hubspot.com",
        user="partner@acme.com",
        portal_name=f"Portal {i}",
        products=ok,
        line_items=ok,
        scopes_granted=granted,
        scopes_requested=granted,
        checked_at=now,
    )


def write_profile(
    config_dir: Path, accounts: int, *, callback_port: int = 8765, token_ttl: float = 1800.0
) -> Path:
    """Store a READY profile with `accounts` accounts under `config_dir`; returns it."""
    config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = time.time()
    store = ProfileStore(config_dir)
    app = AppConfig(
        client_id=DEMO_APP.client_id,
        callback_port=callback_port,
        scopes=DEFAULT_REQUIRED_SCOPES,
        optional_scopes=DEFAULT_OPTIONAL_SCOPES,
        scopes_confirmed=True,
    )

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = app
        secrets.client_secret = DEMO_APP.client_secret
        for i in range(accounts):
            hub = HUB_BASE + i
            profile.accounts[hub] = report(i, now=now)
            secrets.tokens[hub] = TokenSet(
                access_token=f"bench-access-{i}",
                refresh_token=f"bench-refresh-{i}",
                expires_at=now + token_ttl,
                obtained_at=now,
            )
        profile.active_hub_id = HUB_BASE if accounts else None

    store.update("default", mutate)
    return config_dir
