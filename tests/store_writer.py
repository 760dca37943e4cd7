"""Helper process for the store's crash and concurrency tests (not a test module itself).

    python tests/store_writer.py loop DIR          # rewrite the profile forever, one generation
                                                  # after another (the kill test SIGKILLs it)
    python tests/store_writer.py add DIR WORKER N  # add N accounts with distinct hub ids

Every generation is a pure function of its number (`build_state`), so the test can tell whether
what it finds on disk is exactly one generation that was written, or a mix.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.store import ProfileStore
from tui.hubspot.models import (
    Access,
    AccountReport,
    AccountRole,
    AccountType,
    ProbeResult,
    TokenSet,
)


def generation_of(client_id: str) -> int:
    """The generation number stored in a profile's client id (`gen-N`), or -1."""
    return int(client_id.removeprefix("gen-")) if client_id.startswith("gen-") else -1


def build_state(gen: int) -> tuple[Profile, ProfileSecrets]:
    """A large profile and its secrets, different in size and content for every generation."""
    # Few keys (parsing cost) but long values (bytes on disk), and a size that varies with the
    # generation so a torn or mixed write can't pass for a whole one.
    count = 30 + (gen * 7) % 30
    accounts = {}
    tokens = {}
    for i in range(count):
        hub_id = 44_000_000 + i
        accounts[hub_id] = AccountReport(
            hub_id=hub_id,
            hub_domain=f"g{gen}-account-{i}.example.com",
            account_type=AccountType.STANDARD if i % 3 else AccountType.APP_DEVELOPER,
            role=AccountRole.MAIN if i % 3 else AccountRole.DEVELOPER,
            region="eu1" if i % 2 else "na1",
            portal_name=f"Portal {i} of generation {gen} " + "·" * 400,
            products=ProbeResult(Access.OK, 1, True),
            line_items=ProbeResult(
                Access.MISSING_SCOPE, None, False, ("crm.objects.line_items.read",), f"g{gen}"
            ),
            scopes_granted=("oauth", "crm.objects.contacts.read", f"gen.{gen}"),
            scopes_requested=("oauth", "crm.objects.contacts.read", "e-commerce"),
            checked_at=1_700_000_000.25 + gen,
        )
        tokens[hub_id] = TokenSet(
            access_token=f"at-{gen}-{i}-" + "a" * 600,
            refresh_token=f"rt-{gen}-{i}",
            expires_at=1_700_001_800.5 + gen,
            obtained_at=1_700_000_000.0 + gen,
        )
    profile = Profile(
        name="default",
        app=AppConfig(client_id=f"gen-{gen}", partner_id="platform.example.com"),
        accounts=accounts,
        active_hub_id=44_000_001,
    )
    return profile, ProfileSecrets(client_secret=f"secret-{gen}", tokens=tokens)


def _next_generation(profile: Profile, secrets: ProfileSecrets) -> None:
    # Derived from what is on disk under the lock, so generations keep rising across restarts.
    new_profile, new_secrets = build_state(generation_of(profile.app.client_id) + 1)
    profile.app, profile.accounts = new_profile.app, new_profile.accounts
    profile.active_hub_id = new_profile.active_hub_id
    secrets.client_secret, secrets.tokens = new_secrets.client_secret, new_secrets.tokens


def main(argv: list[str]) -> None:
    """Run one of the two modes described in the module docstring."""
    mode, store = argv[1], ProfileStore(Path(argv[2]))
    if mode == "loop":
        print("ready", flush=True)
        while True:
            store.update("default", _next_generation)
    elif mode == "add":
        worker, count = int(argv[3]), int(argv[4])
        for i in range(count):
            hub_id = 50_000_000 + worker * 1000 + i

            def add(profile: Profile, secrets: ProfileSecrets, hub_id: int = hub_id) -> None:
                profile.accounts[hub_id] = AccountReport(hub_id, f"{hub_id}.example.com")
                secrets.tokens[hub_id] = TokenSet(f"at-{hub_id}", f"rt-{hub_id}", 1.0e9)

            store.update("default", add)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv)
