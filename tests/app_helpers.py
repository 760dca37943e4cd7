"""Helpers for the Pilot tests: the real app on the real sandbox over loopback (no fakes).

`running_app` starts `tui.sandbox.Sandbox(port=0)`, builds a `ProfileStore` in a temp dir and an
`InstallService` pointed at the sandbox, and yields a `HubSpotApp` running headless with its
profile loaded. The callback port is a free one picked per test, registered on the sandbox app.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from tests.conftest import pick_free_port
from tui.core.profile import AppConfig
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.sandbox import DEMO_APP, Sandbox
from tui.ui.app import DemoInfo, HubSpotApp
from tui.ui.screens.chooser import ChooserScreen
from tui.ui.screens.oauth import OAuthScreen

MAIN_HUB = 44120003
DEVELOPER_HUB = 44120001


@dataclass
class Env:
    """A running sandbox plus what a test needs to build apps on it."""

    sandbox: Sandbox
    config_dir: Path
    port: int

    @property
    def redirect_uri(self) -> str:
        """The loopback redirect URI registered on the sandbox's demo app."""
        return f"http://localhost:{self.port}/oauth-callback"

    def service(self) -> InstallService:
        """A fresh service on the shared store (what a restart would build)."""
        return InstallService(
            ProfileStore(self.config_dir),
            api_base=self.sandbox.base_url,
            app_base=self.sandbox.base_url,
        )

    def app(self, *, ssh: bool = False) -> HubSpotApp:
        """A fresh app in demo mode on the shared store."""
        demo = DemoInfo(DEMO_APP.client_id, DEMO_APP.client_secret, self.sandbox.base_url)
        return HubSpotApp(self.service(), demo=demo, ssh=ssh)

    async def preconfigure(
        self,
        *,
        client_id: str = DEMO_APP.client_id,
        confirmed: bool = True,
        secret: str = DEMO_APP.client_secret,
    ) -> None:
        """Store the demo app's credentials and this env's port (skip the Credentials screen)."""
        service = self.service()
        await service.load()
        app = replace(
            AppConfig(), client_id=client_id, callback_port=self.port, scopes_confirmed=confirmed
        )
        await service.save_app(app, secret)
        await service.aclose()


@asynccontextmanager
async def sandbox_env(tmp_path: Path) -> AsyncIterator[Env]:
    """Run a sandbox with a free callback port registered on its demo app."""
    port = pick_free_port()
    sandbox = Sandbox(port=0, redirect_uris=(f"http://localhost:{port}/oauth-callback",))
    sandbox.start()
    try:
        yield Env(sandbox=sandbox, config_dir=tmp_path / "store", port=port)
    finally:
        sandbox.stop()


async def settle(pilot: Pilot[None]) -> None:
    """Wait for workers and the messages they posted."""
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: HubSpotApp) -> str:
    """Everything the current screen shows, as plain text (what a user would read)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def static_text(app: HubSpotApp, selector: str) -> str:
    """The plain text of one Static on the current screen."""
    widget = app.screen.query_one(selector, Static)
    return str(widget.render())


async def wait_until(
    pilot: Pilot[None], predicate: Callable[[], object], *, timeout: float = 5.0, what: str = ""
) -> None:
    """Pump the app until `predicate()` is truthy (real HTTP takes real time)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def oauth_screen(app: HubSpotApp) -> OAuthScreen:
    """The OAuth section's one long-lived screen (whatever mode is showing)."""
    screen = app.get_screen_stack("oauth")[0]
    assert isinstance(screen, OAuthScreen)
    return screen


async def start_authorize(pilot: Pilot[None], app: HubSpotApp, pin: int | None = None) -> None:
    """From anywhere: F5, type the pin (if any), ctrl+l, and wait for the listener."""
    await pilot.press("f5")
    await pilot.pause()
    screen = oauth_screen(app)
    pin_input = screen.query_one("#pin", Input)
    pin_input.value = "" if pin is None else str(pin)
    await pilot.press("ctrl+l")
    await wait_until(pilot, lambda: screen.attempt is not None, what="the attempt to start")


async def choose_in_terminal(pilot: Pilot[None], app: HubSpotApp, hub_id: int) -> None:
    """Press o, wait for the sandbox's chooser, pick `hub_id` by keyboard, wait for the verdict."""
    screen = oauth_screen(app)
    await pilot.press("o")
    await wait_until(
        pilot,
        lambda: (
            isinstance(app.screen, ChooserScreen)
            and app.screen.query_one("#chooser-list", OptionList).option_count > 0
        ),
        what="the account chooser",
    )
    options = app.screen.query_one("#chooser-list", OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    target = ids.index(str(hub_id))
    for _ in range(target):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.attempt is None, timeout=8, what="the login to finish")
    await settle(pilot)


async def authorize_without_ui(env: Env, *hub_ids: int) -> None:
    """Authorize accounts through the service and the sandbox's pages (fast test setup)."""
    from tests.sandbox_login import authorize_accounts

    await authorize_accounts(env.service(), *hub_ids)
