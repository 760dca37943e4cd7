"""After READY in a real terminal (tmux): the connector sheet's OSC 52 copies land on the terminal's
clipboard (tmux's paste buffer with `set-clipboard on`), and `api` indents for a terminal."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

import pytest

from tests.conftest import SandboxEnv, Tmux
from tests.sandbox_login import authorize_accounts
from tui.core.profile import Profile, ProfileSecrets
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.sandbox import DEMO_APP

MAIN = 44120003
PARTNER = "acme.connect.example"

pytestmark = pytest.mark.slow


def _ready(env: SandboxEnv) -> None:
    """The demo app stored with a Partner id, and the MAIN account authorized."""
    env.store_demo_app()

    def partner(profile: Profile, _: ProfileSecrets) -> None:
        from dataclasses import replace

        profile.app = replace(profile.app, partner_id=PARTNER, scopes_confirmed=True)

    ProfileStore(env.config_dir).update("default", partner)
    service = InstallService(
        ProfileStore(env.config_dir),
        api_base=env.sandbox.base_url,
        app_base=env.sandbox.base_url,
    )
    asyncio.run(authorize_accounts(service, MAIN))


def _buffer_becomes(term: Tmux, expected: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    got = ""
    while time.monotonic() < deadline:
        got = term.tmux("show-buffer", check=False).stdout
        if got == expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"the terminal's clipboard holds {got[:60]!r}, not the value")


def test_connector_sheet_copies_through_the_terminal(
    sandbox_env: SandboxEnv, tmux: Callable[..., Tmux]
) -> None:
    _ready(sandbox_env)
    term = tmux(80, 24, sandbox_env.env(TERM="xterm-256color"))
    term.start([sys.executable, "-m", "tui"])
    term.tmux("set-option", "-g", "set-clipboard", "on")
    term.wait_for("READY", "Press c for the connector sheet")
    term.send("c")
    screen = term.wait_for("Connector sheet", f"https://{PARTNER}/connector/callback")
    assert DEMO_APP.client_secret not in screen and "Acme Inc" in screen

    term.send("Enter")
    _buffer_becomes(term, DEMO_APP.client_id)
    term.send("Down", "Enter")
    _buffer_becomes(term, DEMO_APP.client_secret)
    assert DEMO_APP.client_secret not in term.screen()  # copied, never shown
    term.send("Down", "Down", "Down", "c")
    _buffer_becomes(term, f"https://{PARTNER}/connector/callback")

    term.send("v")
    term.wait_for(DEMO_APP.client_secret)
    term.send("b")
    term.wait_gone("Connector sheet")
    term.send("c")
    screen = term.wait_for("Connector sheet")
    assert DEMO_APP.client_secret not in screen  # masked again on the way back
    term.send("C-q")


def test_api_indents_for_a_terminal(sandbox_env: SandboxEnv, tmux: Callable[..., Tmux]) -> None:
    _ready(sandbox_env)
    term = tmux(100, 40, sandbox_env.env(TERM="xterm-256color"))
    term.start([sys.executable, "-m", "tui", "api", "/crm/v3/objects/products?limit=1", "-i"])
    screen = term.wait_for('"results": [', '  "paging": {')
    assert screen.startswith("HTTP/1.1 200 OK")
    assert '      "id": "441200030001",' in screen
