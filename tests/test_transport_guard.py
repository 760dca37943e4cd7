"""Secrets only over TLS, and only to the server they belong to (issue 11, transport).

- an API/app base that is plain `http://` to anything but loopback is refused before a byte is
  sent (exit 2), from the command line, the environment and the dashboard's start;
- the refusal is proven on the wire: a server on a non-loopback address of a network namespace
  made for the test sees no connection, while a control request from the same place reaches it;
- stored tokens and the client secret are never sent to another origin than the one that
  issued them (or that the secret was saved for);
- an `app_base` in config.toml that is not a HubSpot app host is refused (no phishing URL).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.figures import add_figure
from tests.hostile_server import HUB, HostileServer
from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot.client import HubSpotClient
from tui.hubspot.errors import InputError
from tui.hubspot.models import AccountReport, TokenSet
from tui.hubspot.origins import base_url_problem, same_origin
from tui.sandbox import DEMO_APP

ROOT = Path(__file__).resolve().parent.parent
CASES = "hardening: hostile cases refused or bounded"


def cli(
    *args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = (), timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    # A refusal explains itself without quoting what it refused to send.
    shown = result.stdout + result.stderr
    for secret in (DEMO_APP.client_secret, "at-old", "rt-old"):
        assert secret not in shown
    add_figure("leak search: refusal outputs searched (transport guard)", 1)
    return result


def store_account(config_dir: Path, *, token_origin: str, secret_origin: str) -> None:
    """A profile with a secret and one account's tokens (expired: any command would refresh)."""

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = AppConfig(client_id=DEMO_APP.client_id)
        profile.accounts[HUB] = AccountReport(hub_id=HUB, hub_domain="acme.com")
        profile.active_hub_id = HUB
        secrets.client_secret = DEMO_APP.client_secret
        secrets.secret_origin = secret_origin
        secrets.tokens[HUB] = TokenSet("at-old", "rt-old", 1.0, 0.5, api_origin=token_origin)

    ProfileStore(config_dir).update("default", mutate)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.hubapi.com", True),
        ("https://api.hubapi.com:8443/base", True),
        ("http://127.0.0.1:9", True),
        ("http://127.9.9.9", True),
        ("http://[::1]:8080", True),
        ("http://localhost:1234", True),
        ("http://api.hubapi.com", False),
        ("http://192.0.2.10:8080", False),
        ("http://localhost.evil.example", False),
        ("https://user:pw@api.hubapi.com", False),
        ("https://api.hubapi.com?x=1", False),
        ("ftp://api.hubapi.com", False),
        ("api.hubapi.com", False),
        ("", False),
    ],
)
def test_only_https_or_loopback_http_bases_pass(url: str, ok: bool) -> None:
    assert (base_url_problem(url) is None) is ok
    add_figure(CASES, 1)


def test_loopback_origins_are_one_and_others_are_not() -> None:
    assert same_origin("http://127.0.0.1:1111", "http://localhost:2222")
    assert same_origin("https://api.hubapi.com", "https://api.hubapi.com:443/")
    assert not same_origin("https://api.hubapi.com", "http://127.0.0.1:1")
    assert not same_origin("https://api.hubapi.com", "https://api.hubapi.com.evil.example")
    assert not same_origin("https://api.hubapi.com", "http://api.hubapi.com")


async def test_client_refuses_plain_http_before_any_request() -> None:
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={})

    client = HubSpotClient("http://192.0.2.10:8080", transport=httpx.MockTransport(record))
    with pytest.raises(InputError) as caught:
        await client.refresh(client_id="id", client_secret="s" * 36, refresh_token="r" * 36)
    await client.aclose()
    assert caught.value.code == "USAGE" and "unencrypted" in caught.value.message
    assert requests == []
    add_figure(CASES, 1)


@pytest.mark.parametrize("how", ["flag", "env", "dashboard", "app-base"])
def test_cli_and_dashboard_refuse_a_plain_http_base_with_exit_2(how: str, tmp_path: Path) -> None:
    store_account(tmp_path / "config", token_origin="https://api.hubapi.com", secret_origin="")
    before = (tmp_path / "config" / "credentials.toml").read_bytes()
    if how == "flag":
        result = cli("--api-base", "http://api.hubapi.com", "refresh")
    elif how == "env":
        result = cli("refresh", env={"HUBSPOT_TUI_API_BASE": "http://api.hubapi.com"})
    elif how == "dashboard":
        result = cli(env={"HUBSPOT_TUI_API_BASE": "http://api.hubapi.com"})
    else:
        result = cli("--app-base", "https://app.hubspot.com.evil.example", "login", "--paste")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert ("unencrypted" if how != "app-base" else "not a HubSpot app host") in result.stderr
    assert (tmp_path / "config" / "credentials.toml").read_bytes() == before
    add_figure(CASES, 1)


# ---- on the wire: a server on a non-loopback address of our own network namespace ----------


@pytest.fixture
def netns() -> Iterator[str]:
    """A network namespace with 192.0.2.10 (TEST-NET-1, never routed) on a veth inside it."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 to make a network namespace")
    name = f"hstui-{uuid.uuid4().hex[:8]}"
    steps = [
        ["ip", "netns", "add", name],
        ["ip", "-n", name, "link", "add", "hs0", "type", "veth", "peer", "name", "hs1"],
        ["ip", "-n", name, "addr", "add", "192.0.2.10/24", "dev", "hs0"],
        ["ip", "-n", name, "link", "set", "hs0", "up"],
        ["ip", "-n", name, "link", "set", "hs1", "up"],
        ["ip", "-n", name, "link", "set", "lo", "up"],
    ]
    try:
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=10)
            if done.returncode != 0:
                pytest.skip(f"cannot make a network namespace here: {done.stderr.strip()}")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)


def test_nothing_reaches_a_non_loopback_http_server(netns: str, tmp_path: Path) -> None:
    counts = tmp_path / "counts.json"
    inside = ("ip", "netns", "exec", netns)
    server = subprocess.Popen(
        [
            *inside,
            sys.executable,
            "-m",
            "tests.hostile_server",
            "192.0.2.10",
            "0",
            "normal",
            counts,
        ],
        cwd=ROOT,
    )
    try:
        ready = counts.with_suffix(".ready")
        deadline = time.monotonic() + 15
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        base = f"http://192.0.2.10:{ready.read_text()}"
        # The control: from the same namespace the server answers a plain request.
        probe = "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).status)"
        control = subprocess.run(
            [*inside, sys.executable, "-c", probe, base + "/crm/v3/objects/products"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert control.stdout.strip() == "200", control.stderr
        time.sleep(0.2)
        seen = json.loads(counts.read_text())
        assert seen[0] == 1
        # Tokens and secret stored as issued by that very server: only the transport rule stands
        # between them and the wire.
        store_account(tmp_path / "config", token_origin=base, secret_origin=base)
        for args in (["refresh"], ["status", "--check"], ["remove", str(HUB)]):
            result = cli("--api-base", base, *args, prefix=inside)
            assert result.returncode == 2, result.stderr
            assert "unencrypted" in result.stderr
        time.sleep(0.3)
        assert json.loads(counts.read_text()) == seen  # not one more connection, not one byte
        add_figure(CASES, 3)
    finally:
        server.terminate()
        server.wait(10)


# ---- secrets stay with the origin that issued them -----------------------------------------


async def test_tokens_are_not_sent_to_another_origin(tmp_path: Path) -> None:
    store_account(
        tmp_path / "cfg",
        token_origin="http://127.0.0.1:5555",
        secret_origin="https://api.hubapi.com",
    )
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={})

    service = InstallService(
        ProfileStore(tmp_path / "cfg"),
        api_base="https://api.hubapi.com",
        transport=httpx.MockTransport(record),
    )
    await service.load()
    with pytest.raises(InputError) as caught:
        await service.refresh(HUB, force=True)
    assert "issued by http://127.0.0.1:5555" in caught.value.message
    assert "login" in caught.value.action
    with pytest.raises(InputError):
        await service.remove(HUB)
    assert await service.remove(HUB, force=True) is False  # forgotten here, nothing sent
    await service.aclose()
    assert requests == []
    add_figure(CASES, 2)


def test_cli_refuses_tokens_to_a_foreign_origin(tmp_path: Path) -> None:
    store_account(
        tmp_path / "config",
        token_origin="https://api.hubapi.com",
        secret_origin="https://api.hubapi.com",
    )
    with HostileServer("normal") as server:
        result = cli("--api-base", server.base_url, "refresh")
        assert result.returncode == 2, result.stderr
        assert "were issued by https://api.hubapi.com" in result.stderr
        assert "login" in result.stderr
        assert server.connections == 0
    add_figure(CASES, 1)


def test_client_secret_is_not_sent_to_another_origin(tmp_path: Path) -> None:
    store_account(
        tmp_path / "config", token_origin="http://127.0.0.1:1", secret_origin=""
    )  # a secret saved before origins were recorded: it belongs to the default API
    with HostileServer("normal") as server:
        result = cli("--api-base", server.base_url, "refresh")
        assert result.returncode == 2, result.stderr
        assert "client secret was saved for https://api.hubapi.com" in result.stderr
        assert server.connections == 0
    add_figure(CASES, 1)


def test_config_app_base_must_be_a_hubspot_host(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = AppConfig(
            client_id=DEMO_APP.client_id, app_base="https://app.hubspot.com.evil.example"
        )
        secrets.client_secret = DEMO_APP.client_secret

    ProfileStore(config_dir).update("default", mutate)
    result = cli("login", "--paste")
    assert result.returncode == 2, result.stderr
    assert "not a HubSpot app host" in result.stderr
    assert "evil.example/oauth" not in result.stdout + result.stderr
    add_figure(CASES, 1)
