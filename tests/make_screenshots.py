"""Generate the README screenshots: the demo journey on the sandbox, one SVG per screen.

Run `/work/venv/bin/python tests/make_screenshots.py` (from anywhere) to rewrite `screenshots/`.
Never edit the SVGs by hand: change a screen, then run this again.

The scenes here are also what `tests/test_snapshots.py` snapshots, so the README shows exactly the
screens the snapshot tests pin. Everything that would change between two runs is frozen:

- the wall clock (`time.time`, the service's and the sandbox's clocks): token countdowns and
  expiries read the same on every run;
- the OAuth `state` and PKCE pair: the authorize URL is byte-for-byte the same;
- the sandbox and callback ports: fixed instead of picked by the OS;
- the Input cursor: it does not blink.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast
from unittest import mock

if __package__ in (None, ""):
    # Run as a script: make `tests` and `tui` importable from the repository root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.app_helpers import (
    DEVELOPER_HUB,
    MAIN_HUB,
    choose_in_terminal,
    oauth_screen,
    settle,
    wait_until,
)
from tui.core.profile import AppConfig
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot.oauth import Pkce, pkce_challenge
from tui.sandbox import DEMO_APP, Sandbox
from tui.ui.app import DemoInfo, HubSpotApp
from tui.ui.screens.chooser import ChooserScreen

FROZEN_NOW = 1_735_732_800.0
"""2025-01-01 12:00 UTC: the "now" of every screenshot (in the past, so no store temp file
ever looks stale)."""
SANDBOX_PORT = 47710
"""The sandbox's fixed port: it is part of the authorize URL shown on the OAuth screen."""
CALLBACK_PORT = 47711
"""The fixed loopback callback port registered on the demo app."""
FIXED_STATE = "snapshot-state-0123456789abcdefghijklmnopqrstuvwxyz"
"""The `state` of every authorization (random in real use)."""
FIXED_VERIFIER = "snapshot-verifier-" + "0123456789" * 5
"""The PKCE verifier of every authorization (random in real use)."""
PARTNER_ID = "acme.connect.example"
"""The integration platform's PartnerIdentifier host in the connector sheet scenes."""
WIDE = (120, 36)
"""The README size."""
NARROW = (80, 24)
"""The smallest supported size."""

ROOT = Path(__file__).resolve().parent.parent
"""The repository root."""


def _frozen_time() -> float:
    return FROZEN_NOW


@contextmanager
def frozen() -> Iterator[None]:
    """Freeze everything that differs between runs (see the module docstring)."""
    pkce = Pkce(verifier=FIXED_VERIFIER, challenge=pkce_challenge(FIXED_VERIFIER))
    with ExitStack() as stack:
        stack.enter_context(mock.patch("time.time", _frozen_time))
        stack.enter_context(mock.patch("tui.hubspot.oauth.new_state", lambda: FIXED_STATE))
        stack.enter_context(mock.patch("tui.hubspot.oauth.new_pkce", lambda: pkce))
        # The blink timer toggles the cursor every 0.5 s; without it the cursor stays shown.
        stack.enter_context(mock.patch.object(Input, "_toggle_cursor", lambda self: None))
        yield


@dataclass
class World:
    """A sandbox on the fixed port and a profile store, both on the frozen clock."""

    sandbox: Sandbox
    config_dir: Path

    @property
    def redirect_uri(self) -> str:
        """The demo app's registered loopback redirect URL."""
        return f"http://localhost:{CALLBACK_PORT}/oauth-callback"

    def service(self) -> InstallService:
        """A service on the store, talking to the sandbox, on the frozen clock."""
        return InstallService(
            ProfileStore(self.config_dir),
            api_base=self.sandbox.base_url,
            app_base=self.sandbox.base_url,
            clock=_frozen_time,
        )

    def app(self) -> HubSpotApp:
        """The dashboard in demo mode (not over SSH: no tunnel line, no SSH tag)."""
        demo = DemoInfo(DEMO_APP.client_id, DEMO_APP.client_secret, self.sandbox.base_url)
        return HubSpotApp(self.service(), demo=demo, ssh=False)

    def configure(self) -> None:
        """Store the demo app's credentials and confirmed default scopes (skips F3 and F4)."""

        async def run() -> None:
            service = self.service()
            await service.load()
            app = replace(AppConfig(), client_id=DEMO_APP.client_id, callback_port=CALLBACK_PORT)
            await service.save_app(replace(app, scopes_confirmed=True), DEMO_APP.client_secret)
            await service.aclose()

        asyncio.run(run())

    def set_partner_id(self, partner_id: str) -> None:
        """Store the platform's PartnerIdentifier host (as F3 would)."""

        async def run() -> None:
            service = self.service()
            await service.load()
            await service.save_app(replace(service.profile.app, partner_id=partner_id))
            await service.aclose()

        asyncio.run(run())

    def authorize(self, *hub_ids: int) -> None:
        """Authorize `hub_ids` in order, as a browser would (the last one ends up active)."""

        from tests.sandbox_login import authorize_accounts

        asyncio.run(authorize_accounts(self.service(), *hub_ids))


@contextmanager
def world(config_dir: Path) -> Iterator[World]:
    """A fresh sandbox on the fixed port (frozen clock) and an empty store in `config_dir`."""
    sandbox = Sandbox(
        port=SANDBOX_PORT,
        clock=_frozen_time,
        redirect_uris=(f"http://localhost:{CALLBACK_PORT}/oauth-callback",),
    )
    try:
        sandbox.start()
    except OSError as exc:
        raise RuntimeError(
            f"port {SANDBOX_PORT} is busy: screenshots need it fixed (it is in the URLs shown)"
        ) from exc
    try:
        yield World(sandbox=sandbox, config_dir=config_dir)
    finally:
        sandbox.stop()


# ------------------------------------------------------------------ scenes

Drive = Callable[[Pilot[None]], Awaitable[None]]


@dataclass(frozen=True)
class Scene:
    """One screen in one state: how to prepare the store, and the keys that reach it."""

    name: str
    """Snapshot id and screenshot file stem."""
    setup: Callable[[World], None]
    """Prepares the store and the sandbox before the app starts."""
    drive: Drive
    """Runs inside the app: the keys a user presses to get to the screen."""


async def _finish(pilot: Pilot[None]) -> None:
    """Let everything settle and drop toasts (they time out, so they would make runs differ)."""
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


async def _start(pilot: Pilot[None]) -> None:
    await settle(pilot)


def _nothing(_: World) -> None:
    pass


def _configured(w: World) -> None:
    w.configure()


def _developer(w: World) -> None:
    w.configure()
    w.authorize(DEVELOPER_HUB)


def _developer_then_main(w: World) -> None:
    w.configure()
    w.authorize(DEVELOPER_HUB, MAIN_HUB)


def _ready_with_partner_id(w: World) -> None:
    _developer_then_main(w)
    w.set_partner_id(PARTNER_ID)


async def drive_connector(pilot: Pilot[None]) -> None:
    """c on the Overview: the connector sheet, the secret masked, the first value highlighted."""
    await _start(pilot)
    await pilot.press("c")
    await pilot.pause()
    await _finish(pilot)


async def drive_overview(pilot: Pilot[None]) -> None:
    """The Overview, as it opens."""
    await _start(pilot)
    await _finish(pilot)


async def drive_credentials_error(pilot: Pilot[None]) -> None:
    """F3, a mistyped Client ID, ctrl+s: the save is refused with the reason."""
    await _start(pilot)
    await pilot.press("f3")
    await pilot.press(*"1234-abcd")
    await pilot.press("ctrl+s")
    await settle(pilot)
    await _finish(pilot)


async def drive_oauth_pin(pilot: Pilot[None]) -> None:
    """F5 after a login: the Pin field has focus (`▶`), the key bar says typing goes there."""
    await _start(pilot)
    await pilot.press("f5")
    await pilot.press(*str(MAIN_HUB))
    await settle(pilot)
    await _finish(pilot)


async def drive_scopes_lint(pilot: Pilot[None]) -> None:
    """F4 and the "Products & line items" preset: paid-seat scopes as required are flagged."""
    await _start(pilot)
    await pilot.press("f4")
    await pilot.press("p", "p")
    await settle(pilot)
    await _finish(pilot)


def _app(pilot: Pilot[None]) -> HubSpotApp:
    return cast(HubSpotApp, pilot.app)


async def _authorize(pilot: Pilot[None]) -> None:
    await _start(pilot)
    await pilot.press("f5", "ctrl+l")
    screen = oauth_screen(_app(pilot))
    await wait_until(pilot, lambda: screen.attempt is not None, what="the attempt to start")
    await pilot.pause()


async def drive_oauth_waiting(pilot: Pilot[None]) -> None:
    """F5, ctrl+l: the URL, the listener and the countdown, waiting for the redirect."""
    await _authorize(pilot)
    await _finish(pilot)


async def drive_oauth_verdict(pilot: Pilot[None]) -> None:
    """Authorize, pick the DEVELOPER account in the chooser: the verdict says it is wrong."""
    await _authorize(pilot)
    await choose_in_terminal(pilot, _app(pilot), DEVELOPER_HUB)
    await _finish(pilot)


async def drive_chooser(pilot: Pilot[None]) -> None:
    """Authorize, then o: the sandbox's Choose-an-Account page, every account flagged."""
    await _authorize(pilot)
    await pilot.press("o")
    app = pilot.app
    await wait_until(
        pilot,
        lambda: (
            isinstance(app.screen, ChooserScreen)
            and app.screen.query_one("#chooser-list", OptionList).option_count > 0
        ),
        what="the account chooser",
    )
    await _finish(pilot)


async def drive_accounts(pilot: Pilot[None]) -> None:
    """F6 with a developer and a main account: the table and the highlighted one's detail."""
    await _start(pilot)
    await pilot.press("f6")
    await settle(pilot)
    await _finish(pilot)


async def drive_help(pilot: Pilot[None]) -> None:
    """? on the Overview: the keys of the section, then the global ones."""
    await _start(pilot)
    await pilot.press("question_mark")
    await pilot.pause()
    await _finish(pilot)


SCENES: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        Scene("overview-empty", _nothing, drive_overview),
        Scene("overview-developer-flagged", _developer, drive_overview),
        Scene("overview-ready", _developer_then_main, drive_overview),
        Scene("credentials", _nothing, drive_credentials_error),
        Scene("scopes", _configured, drive_scopes_lint),
        Scene("oauth", _configured, drive_oauth_waiting),
        Scene("oauth-verdict", _configured, drive_oauth_verdict),
        Scene("chooser", _configured, drive_chooser),
        Scene("accounts", _developer_then_main, drive_accounts),
        Scene("help", _nothing, drive_help),
        Scene("oauth-pin", _developer, drive_oauth_pin),
        Scene("too-small", _nothing, drive_overview),
        Scene("connector", _ready_with_partner_id, drive_connector),
        Scene("connector-missing", _developer, drive_connector),
    )
}
"""Every scene, by name."""

SCREENSHOTS: tuple[tuple[str, str, tuple[int, int]], ...] = (
    ("overview-developer-flagged.svg", "overview-developer-flagged", WIDE),
    ("overview-ready.svg", "overview-ready", WIDE),
    ("overview-80x24.svg", "overview-ready", NARROW),
    ("credentials.svg", "credentials", WIDE),
    ("scopes.svg", "scopes", WIDE),
    ("oauth.svg", "oauth", WIDE),
    ("oauth-verdict.svg", "oauth-verdict", WIDE),
    ("chooser.svg", "chooser", WIDE),
    ("accounts.svg", "accounts", WIDE),
    ("help.svg", "help", WIDE),
    ("connector.svg", "connector", WIDE),
)
"""(file name, scene, terminal size) of every README screenshot."""


def run_scene(
    scene: Scene,
    work_dir: Path,
    size: tuple[int, int],
    then: Callable[[HubSpotApp], None],
) -> None:
    """Run `scene` at `size` on a fresh sandbox and store, then call `then(app)` (e.g. save)."""
    with frozen(), world(work_dir / scene.name / f"{size[0]}x{size[1]}") as w:
        scene.setup(w)
        app = w.app()

        async def auto_pilot(pilot: Pilot[object]) -> None:
            await scene.drive(cast("Pilot[None]", pilot))
            then(app)
            app.exit()

        app.run(headless=True, size=size, auto_pilot=auto_pilot)


def make_screenshots(out_dir: Path, work_dir: Path) -> list[Path]:
    """Write every screenshot into `out_dir` (stores under `work_dir`); returns the files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for filename, scene_name, size in SCREENSHOTS:

        def save(app: HubSpotApp, filename: str = filename) -> None:
            app.save_screenshot(filename=filename, path=str(out_dir))

        run_scene(SCENES[scene_name], work_dir, size, save)
        written.append(out_dir / filename)
        print(f"wrote {out_dir / filename}")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: `--out DIR` (default: screenshots/), `--work-dir DIR` (default: a temp dir)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="keep the stores here (default: deleted)"
    )
    args = parser.parse_args(argv)
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="hubspot-tui-shots-"))
    started = time.monotonic()
    try:
        make_screenshots(args.out, work_dir)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(f"{len(SCREENSHOTS)} screenshots in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
