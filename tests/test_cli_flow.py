"""The whole flow through the real `hubspot-tui` command line against the sandbox over loopback.

Each command runs as its own process (as a user or a cron job would run it); the sandbox runs in
the test process. A `$BROWSER` stand-in (tests/fake_browser.py) "clicks" an account on the
sandbox's Choose-an-Account page and follows HubSpot's redirect to the CLI's loopback listener.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import ROOT, Cli, pick_free_port
from tui.sandbox import DEMO_APP, FaultKind

MAIN, DEVELOPER, EU = 44120003, 44120001, 44120004
AUTHORIZE_URL = "https://app.hubspot.com/oauth/authorize"


def checks(data: dict[str, object]) -> dict[str, str]:
    return {c["id"]: c["state"] for c in data["checks"]}  # type: ignore[attr-defined]


def test_configure_validates_and_keeps_secret_out_of_config(cli: Cli) -> None:
    bad = cli("configure", "--client-id", "****************")
    assert bad.returncode == 2
    assert "masked" in bad.stderr
    short = cli("configure", "--client-secret-stdin", stdin="abc\n")
    assert short.returncode == 2
    cli.configure()
    config = (cli.config_dir / "config.toml").read_text()
    assert DEMO_APP.client_secret not in config
    assert cli.secrets()["profiles"]["default"]["client_secret"] == DEMO_APP.client_secret  # type: ignore[index]
    assert stat.S_IMODE((cli.config_dir / "credentials.toml").stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.config_dir.stat().st_mode) == 0o700


def test_developer_account_flagged_then_main_account_ready(cli: Cli) -> None:
    cli.configure()
    code, data = cli.status()
    assert code == 1 and data["ready"] is False

    login = cli("login", "--open", "--timeout", "30", pick="developer")
    assert login.returncode == 1, login.stderr  # landed on the wrong account: not done
    assert "DEVELOPER" in login.stderr
    assert "not ready:" in login.stderr
    url_line = login.stdout.splitlines()[0]
    assert "/oauth/authorize?" in url_line and "code_challenge=" in url_line
    code, data = cli.status()
    assert code == 1
    assert data["ready"] is False
    assert checks(data)["main_account"] == "fail"
    [account] = data["accounts"]  # type: ignore[misc]
    assert account["hub_id"] == DEVELOPER and account["role"] == "developer"

    login = cli("login", "--open", "--account", str(MAIN), "--timeout", "30", pick="main")
    assert login.returncode == 0, login.stderr
    assert f"/oauth/{MAIN}/authorize?" in login.stdout
    code, data = cli.status()
    assert data["ready"] is True, data["checks"]
    assert code == 0
    roles = {a["hub_id"]: (a["role"], a["active"]) for a in data["accounts"]}  # type: ignore[attr-defined]
    assert roles == {DEVELOPER: ("developer", False), MAIN: ("main", True)}
    main = next(a for a in data["accounts"] if a["hub_id"] == MAIN)  # type: ignore[attr-defined]
    assert main["products"] == {"access": "ok", "count": 1}
    assert 0 < main["token_expires_in"] <= 1800

    accounts = cli("accounts", "--json")
    assert {a["hub_id"] for a in json.loads(accounts.stdout)} == {DEVELOPER, MAIN}
    assert cli("use", str(DEVELOPER)).returncode == 0
    assert cli.status()[0] == 1
    assert cli("use", str(MAIN)).returncode == 0
    assert cli.status()[0] == 0


def test_login_by_pasting_the_redirected_url(cli: Cli) -> None:
    cli.configure()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "login", "--paste", "--timeout", "30"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdin is not None
    url = proc.stdout.readline().strip()
    assert url.startswith(cli.sandbox.base_url)
    import asyncio

    from tui.sandbox.browser import choose

    async def redirected() -> str:
        async with httpx.AsyncClient() as client:
            return await choose(client, url, MAIN, deliver=False)

    pasted = asyncio.run(redirected())
    assert "code=" in pasted and "state=" in pasted
    # A hard-wrapped paste from a narrow terminal still works; junk first is reported, not fatal.
    out, err = proc.communicate("not a url at all\n" + pasted + "\n", timeout=30)
    cli.keep("login --paste", out, err)
    assert proc.returncode == 0, err
    assert "didn't work" in err
    # Paste mode is a normal path, not a failure: no red cross about the listener.
    assert "✖ listening" not in err and "not listening" not in err.lower()
    code, data = cli.status()
    assert code == 0 and data["ready"] is True


def test_refresh_after_expiry_and_remove_revokes(cli: Cli) -> None:
    cli.configure()
    assert cli("login", "--open", "--timeout", "30").returncode == 0
    before = cli.secrets()["profiles"]["default"]["tokens"][str(MAIN)]  # type: ignore[index]

    cli.sandbox.expire_access_tokens()
    code, data = cli.status("--check")
    assert code == 0, data
    after = cli.secrets()["profiles"]["default"]["tokens"][str(MAIN)]  # type: ignore[index]
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"] == before["refresh_token"]

    forced = cli("refresh")
    assert forced.returncode == 0 and "Refreshed 44120003" in forced.stdout

    refused = cli("remove", str(MAIN), stdin="")  # no terminal, no --yes: nothing revoked
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert str(MAIN) in cli.secrets()["profiles"]["default"]["tokens"]  # type: ignore[index]
    removed = cli("remove", str(MAIN), "--yes")
    assert removed.returncode == 0, removed.stderr
    code, data = cli.status()
    assert data["accounts"] == [] and code == 1
    reuse = httpx.post(
        f"{cli.sandbox.base_url}/oauth/v3/token",
        data={
            "grant_type": "refresh_token",
            "client_id": DEMO_APP.client_id,
            "client_secret": DEMO_APP.client_secret,
            "refresh_token": str(after["refresh_token"]),
        },
    )
    assert reuse.status_code == 400 and reuse.json()["status"] == "BAD_REFRESH_TOKEN"


def test_hubspot_errors_become_messages_with_next_actions(cli: Cli) -> None:
    cli.configure()
    # Wrong secret: the exchange is refused with a clear cause.
    wrong = "0" * 8 + DEMO_APP.client_secret[8:]
    assert cli("configure", "--client-secret-stdin", stdin=wrong + "\n").returncode == 0
    failed = cli("login", "--open", "--timeout", "30")
    assert failed.returncode == 1
    assert "error:" in failed.stderr and "next:" in failed.stderr
    assert "secret" in failed.stderr.lower()
    assert "Traceback" not in failed.stderr

    cli.configure()
    assert cli("login", "--open", "--timeout", "30").returncode == 0
    # A 429 with Retry-After, then a 503: both retried within bounds, the check succeeds.
    cli.sandbox.faults.add("/crm/v3/objects/products", FaultKind.RATE_LIMIT, retry_after=0.2)
    cli.sandbox.faults.add("/account-info", FaultKind.STATUS, status=503)
    code, data = cli.status("--check")
    assert code == 0, data

    # The app was uninstalled: refresh fails with BAD_REFRESH_TOKEN, and status says so.
    cli.sandbox.revoke_account_tokens(MAIN)
    cli.sandbox.expire_access_tokens()
    result = cli("status", "--check")
    assert result.returncode == 1
    assert "refresh token" in result.stdout.lower() or "refresh token" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    code, data = cli.status()
    assert checks(data)["token"] == "fail"

    # HubSpot unreachable: a network error names the host and the next action.
    cli.env["HUBSPOT_TUI_API_BASE"] = f"http://127.0.0.1:{pick_free_port()}"
    down = cli("refresh")
    assert down.returncode == 1
    assert "next:" in down.stderr and "Traceback" not in down.stderr


def test_no_secret_in_any_output_or_url(cli: Cli) -> None:
    cli.configure()
    assert cli("login", "--open", "--timeout", "30", pick="developer").returncode == 1
    assert cli("login", "--open", "--timeout", "30", pick="main").returncode == 0
    cli.sandbox.expire_access_tokens()
    cli("status", "--check")
    cli("status", "--json")
    cli("accounts")
    cli("refresh")
    secrets = cli.secrets()["profiles"]["default"]  # type: ignore[index]
    needles = [DEMO_APP.client_secret]
    for tokens in secrets["tokens"].values():
        needles += [tokens["access_token"], tokens["refresh_token"]]
    haystacks = [*cli.outputs.values(), (cli.config_dir / "config.toml").read_text()]
    haystacks += [json.dumps(entry.query) + entry.path for entry in cli.sandbox.request_log]
    for needle in needles:
        assert len(needle) > 20
        for text in haystacks:
            assert needle not in text


def test_remove_asks_on_a_terminal(cli: Cli) -> None:
    """On a terminal `remove` asks first: no keeps the account, yes revokes it."""
    import pty

    cli.configure()
    assert cli("login", "--open", "--timeout", "30").returncode == 0
    for answer, code in (("n\n", 1), ("y\n", 0)):
        controller, terminal = pty.openpty()
        try:
            os.write(controller, answer.encode())
            result = subprocess.run(
                [sys.executable, "-m", "tui", "remove", str(MAIN)],
                stdin=terminal,
                capture_output=True,
                text=True,
                env=cli.env,
                timeout=60,
                cwd=ROOT,
            )
        finally:
            os.close(terminal)
            os.close(controller)
        assert result.returncode == code, result.stderr
        assert f"Revoke the tokens of {MAIN}" in result.stderr
        tokens = cli.secrets()["profiles"]["default"].get("tokens", {})  # type: ignore[attr-defined]
        assert (str(MAIN) in tokens) is (code == 1)


def test_input_errors_exit_2_and_save_nothing(cli: Cli) -> None:
    """Unknown scope, bad install URL, out-of-range port, an account not stored: exit 2."""
    cli.configure()
    before = (cli.config_dir / "config.toml").read_text()
    for args in (
        ("configure", "--scopes", "oauth crm.objects.contact.read"),
        ("configure", "--install-url", "https://app.hubspot.com/oauth/authorize?client_id=abc"),
        ("configure", "--install-url", "https://example.com/not-hubspot"),
        ("configure", "--callback-port", "80"),
        ("configure", "--callback-port", "65536"),
        ("use", "999"),
        ("remove", "999", "--yes"),
        ("refresh", "999"),
    ):
        result = cli(*args, stdin="")
        assert result.returncode == 2, (args, result.stderr)
        assert "error:" in result.stderr and "next:" in result.stderr, args
        assert "Traceback" not in result.stderr
        assert (cli.config_dir / "config.toml").read_text() == before, args
    bad_url = cli("configure", "--install-url", f"{AUTHORIZE_URL}?client_id=abc", stdin="")
    assert "next: Copy the Sample install URL" in bad_url.stderr
    # A pin is checked by the OAuth screen's Pin rule (argparse reports it: exit 2).
    for bad in ("0", "abc", "https://app.hubspot.com/x"):
        pinned = cli("login", "--account", bad, stdin="")
        assert pinned.returncode == 2 and "--account" in pinned.stderr, pinned.stderr
    # Surrounding white space of ids and URLs is trimmed, not refused.
    spaced = cli(
        "configure", "--client-id", f" {DEMO_APP.client_id}\t", "--partner-id", " a.example.com "
    )
    assert spaced.returncode == 0, spaced.stderr
    assert 'partner_id = "a.example.com"' in (cli.config_dir / "config.toml").read_text()


def test_every_option_has_help_text() -> None:
    import argparse

    from tui.cli.parser import build_parser

    parser = build_parser()
    parsers = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers += list(action.choices.values())
    missing = [
        f"{p.prog} {a.dest}"
        for p in parsers
        for a in p._actions
        if not isinstance(a, argparse._SubParsersAction) and not a.help
    ]
    assert missing == []


def test_demo_paths_and_private_demo_dir(tmp_path: Path) -> None:
    config_dir = tmp_path / "fresh"
    env = {**os.environ, "HUBSPOT_TUI_CONFIG_DIR": str(config_dir), "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )

    demo = run("--demo", "paths")
    assert demo.returncode == 0
    assert f"config:       {config_dir / 'demo' / 'config.toml'}" in demo.stdout
    assert f"{config_dir / 'config.toml'}" not in demo.stdout
    assert not config_dir.exists()  # paths creates nothing
    assert run("--demo", "status").returncode == 1  # runs on the sandbox; not ready yet
    for directory in (config_dir, config_dir / "demo"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    real = run("status")
    assert "warning" not in real.stderr.lower(), real.stderr
