"""Bounded answers and deadlines (issue 11, network): a hostile server can't fill memory or hold
a call (or the refresh lock) forever.

- a 400 MiB answer is cut off at 1 MiB with a clear error; a real `status --check` process facing
  it peaks far below 200 MiB of RSS (measured with getrusage on the child);
- a server trickling one byte every half second is given up on: each attempt as a whole within
  `--http-timeout`, all retries included within the client's total budget; at the product
  defaults a real `status --check` ends in under 60 s;
- a refresh stuck on such a server releases the refresh lock when its deadline passes.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.figures import add_figure, record_figure
from tests.hostile_server import HUB, HostileServer
from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot.client import HubSpotClient
from tui.hubspot.errors import NetworkError, UnexpectedResponse
from tui.hubspot.http_io import MAX_BODY
from tui.hubspot.models import AccountReport, TokenSet
from tui.sandbox import DEMO_APP

ROOT = Path(__file__).resolve().parent.parent
CASES = "hardening: hostile cases refused or bounded"

# Runs the CLI as a child and prints the child's peak RSS (KiB) as the last line of stderr.
PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "tui", *sys.argv[1:]])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"PEAK_RSS_KIB {peak}", file=sys.stderr)
sys.exit(done.returncode)
"""


def cli_args(config_dir: Path, base: str) -> list[str]:
    return ["--config-dir", str(config_dir), "--api-base", base, "status", "--check"]


def stored_account(config_dir: Path, origin: str) -> None:
    """A ready-looking profile whose token is fresh (no refresh needed) and from `origin`."""

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = AppConfig(client_id=DEMO_APP.client_id)
        profile.accounts[HUB] = AccountReport(hub_id=HUB, hub_domain="acme.com")
        profile.active_hub_id = HUB
        secrets.client_secret = DEMO_APP.client_secret
        secrets.secret_origin = origin
        now = time.time()
        secrets.tokens[HUB] = TokenSet("at-" + "a" * 30, "rt-1", now + 3600, now, origin)

    ProfileStore(config_dir).update("default", mutate)


async def test_a_huge_answer_is_cut_off_at_1_mib() -> None:
    with HostileServer("huge") as server:
        client = HubSpotClient(server.base_url, timeout=30)
        with pytest.raises(UnexpectedResponse) as caught:
            await client.account_details("at-" + "a" * 30)
        await client.aclose()
        assert caught.value.code == "TOO_LARGE"
        assert "larger than 1 MiB" in caught.value.message
        assert server.connections == 1  # not retried: the answer will not get smaller
    add_figure(CASES, 1)


def test_a_400_mib_answer_keeps_status_check_under_200_mib(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    with HostileServer("huge") as server:
        stored_account(config_dir, server.base_url)
        result = subprocess.run(
            [sys.executable, "-c", PEAK_RSS, *cli_args(config_dir, server.base_url)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    assert result.returncode == 1, result.stderr
    assert "larger than 1 MiB" in result.stderr
    assert "Traceback" not in result.stderr
    peak_mib = int(result.stderr.rsplit("PEAK_RSS_KIB ", 1)[1].split()[0]) // 1024
    assert peak_mib < 200
    record_figure("hardening: peak RSS of status --check facing a 400 MiB answer (MiB)", peak_mib)
    add_figure(CASES, 1)


async def test_a_trickling_answer_is_given_up_within_the_budget() -> None:
    with HostileServer("trickle") as server:
        client = HubSpotClient(server.base_url, timeout=1.0, max_retries=3)
        started = time.monotonic()
        with pytest.raises(NetworkError) as caught:
            await client.account_details("at-" + "a" * 30)
        elapsed = time.monotonic() - started
        await client.aclose()
    assert caught.value.code == "TIMEOUT"
    assert server.connections == 4  # the first attempt and 3 retries, each cut at 1 s
    assert 4.0 <= elapsed < client.total_budget
    add_figure(CASES, 1)


async def test_a_stuck_refresh_releases_the_refresh_lock(tmp_path: Path) -> None:
    with HostileServer("trickle") as server:
        stored_account(tmp_path / "cfg", server.base_url)
        service = InstallService(
            ProfileStore(tmp_path / "cfg"), api_base=server.base_url, http_timeout=0.5
        )
        await service.load()
        started = time.monotonic()
        first = asyncio.ensure_future(service.refresh(HUB, force=True))
        await asyncio.sleep(0.1)
        second = asyncio.ensure_future(service.refresh(HUB, force=True))  # waits for the lock
        results = await asyncio.gather(first, second, return_exceptions=True)
        elapsed = time.monotonic() - started
        await service.aclose()
    assert all(isinstance(r, NetworkError) for r in results), results
    assert not any(lock.locked() for lock in service._refresh_locks.values())
    assert elapsed < 2 * (0.5 * 4 + 1.2) + 2  # two bounded calls, one after the other
    add_figure(CASES, 1)


def test_status_check_against_a_trickle_ends_within_60_s_at_defaults(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    with HostileServer("trickle") as server:
        stored_account(config_dir, server.base_url)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "tui", *cli_args(config_dir, server.base_url), "--json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=90,
        )
        elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert "timed out after 10 s" in result.stderr
    json.loads(result.stdout)  # the stored report is still shown
    assert elapsed < 60
    record_figure(
        "hardening: status --check against a trickling server, defaults (s)", round(elapsed)
    )
    add_figure(CASES, 1)


def test_the_cap_is_one_mib() -> None:
    assert MAX_BODY == 1 << 20
