"""One answer must not bloat the store for good (issue 11, stored data).

- scope lists are capped (the requested scopes and the known ones kept first), free text cut;
- a report with 10^6 scopes written to the store leaves a small config.toml and a fast `status`;
- an introspection listing 10^6 scopes never gets that far (its answer is over the 1 MiB cap):
  the check fails clearly and the store is untouched; one that fits under the cap is stored
  capped;
- the store refuses to write a file past its size limit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.figures import add_figure, record_figure
from tests.hostile_server import HUB, HostileServer
from tests.test_bounded_network import cli_args, stored_account
from tui.core.bounds import MAX_SCOPES, MAX_TEXT, cap_report, cap_scopes
from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.store import ProfileStore, StoreError
from tui.hubspot.models import AccountReport, ProbeResult

ROOT = Path(__file__).resolve().parent.parent
CASES = "hardening: hostile cases refused or bounded"
REQUESTED = ("oauth", "crm.objects.contacts.read")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_cap_keeps_requested_then_known_scopes_in_order() -> None:
    junk = [f"x.custom_{n}.read" for n in range(1000)]
    scopes = [*junk, "crm.objects.products.read", *REQUESTED]
    kept = cap_scopes(scopes, REQUESTED)
    assert len(kept) == MAX_SCOPES
    assert set(REQUESTED) <= set(kept) and "crm.objects.products.read" in kept
    assert kept[: MAX_SCOPES - 3] == tuple(junk[: MAX_SCOPES - 3])  # order kept
    assert cap_scopes(["a", "b", "a"]) == ("a", "b")


def test_cap_cuts_free_text_and_probe_lists() -> None:
    report = AccountReport(
        hub_id=1,
        hub_domain="d" * 10_000,
        portal_name="n" * 10_000,
        products=ProbeResult(
            message="m" * 10_000, required_scopes=tuple(f"s{n}" for n in range(999))
        ),
    )
    capped = cap_report(report)
    assert len(capped.hub_domain) == len(capped.portal_name) == MAX_TEXT
    assert len(capped.products.message) == MAX_TEXT
    assert len(capped.products.required_scopes) == MAX_SCOPES


def test_a_million_scopes_leave_a_small_store_and_a_fast_status(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    granted = tuple(f"crm.objects.custom_{n}.read" for n in range(10**6)) + REQUESTED

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = AppConfig(client_id="x", scopes=REQUESTED, optional_scopes=())
        profile.accounts[HUB] = AccountReport(
            hub_id=HUB, scopes_granted=granted, scopes_requested=REQUESTED
        )

    ProfileStore(config_dir).update("default", mutate)
    size = (config_dir / "config.toml").stat().st_size
    assert size < 64 << 10  # was 97 MB
    profile, _ = ProfileStore(config_dir).load()
    kept = profile.accounts[HUB].scopes_granted
    assert len(kept) == MAX_SCOPES and set(REQUESTED) <= set(kept)
    started = time.monotonic()
    result = run("--config-dir", str(config_dir), "status")
    elapsed_ms = int((time.monotonic() - started) * 1000)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    record_figure("hardening: config.toml after a 10^6-scope report (bytes)", size)
    record_figure("hardening: later `status` on that store (ms, whole process)", elapsed_ms)
    add_figure(CASES, 1)


def test_an_introspection_of_a_million_scopes_never_reaches_the_store(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    with HostileServer("normal", scope_count=10**6) as server:
        stored_account(config_dir, server.base_url)
        result = run(*cli_args(config_dir, server.base_url))
    # Its answer (~30 MB) is over the 1 MiB cap: reading stops there, and since introspection
    # only adds detail to a check, the check goes on without it.
    assert "Traceback" not in result.stderr
    profile, _ = ProfileStore(config_dir).load()
    assert profile.accounts[HUB].scopes_granted == ()
    assert profile.accounts[HUB].checked_at > 0  # the rest of the check was stored
    assert (config_dir / "config.toml").stat().st_size < 16 << 10
    add_figure(CASES, 1)


def test_an_introspection_under_the_cap_is_stored_capped(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    with HostileServer("normal", scope_count=25_000) as server:
        stored_account(config_dir, server.base_url)
        ProfileStore(config_dir).update(
            "default",
            lambda p, s: setattr(p, "app", AppConfig(client_id=p.app.client_id, scopes=REQUESTED)),
        )
        result = run(*cli_args(config_dir, server.base_url))
    assert "Traceback" not in result.stderr
    profile, _ = ProfileStore(config_dir).load()
    kept = profile.accounts[HUB].scopes_granted
    assert len(kept) == MAX_SCOPES, result.stderr
    assert set(REQUESTED) <= set(kept)
    assert (config_dir / "config.toml").stat().st_size < 64 << 10
    add_figure(CASES, 1)


def test_the_store_refuses_to_grow_past_its_limit(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "cfg")
    store.update("default", lambda p, s: setattr(p, "active_hub_id", 1))
    before = store.paths.config.read_bytes()

    def bloat(profile: Profile, secrets: ProfileSecrets) -> None:
        for hub in range(1, 20_001):  # 20 000 accounts, each capped but together too many
            profile.accounts[hub] = AccountReport(hub_id=hub, hub_domain="d" * 400)

    with pytest.raises(StoreError, match="nothing was written"):
        store.update("default", bloat)
    assert store.paths.config.read_bytes() == before
    add_figure(CASES, 1)
