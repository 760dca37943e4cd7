"""The dashboard under every fault kind: it says why and what to do, keeps going, loses nothing.

Each test drives the real app (Pilot) on the real sandbox over loopback, with one fault kind after
another injected on every request of the call being made: a re-check, a token refresh, and an
authorization's code exchange. After each: the activity line (or the OAuth verdict) shows the
cause and the next action, the app is still running, and the store files are byte-for-byte what
they were before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import OptionList

from tests.app_helpers import (
    MAIN_HUB,
    Env,
    authorize_without_ui,
    oauth_screen,
    sandbox_env,
    screen_text,
    settle,
    start_authorize,
    static_text,
    wait_until,
)
from tests.faults_support import (
    FAULT_KINDS,
    TIMEOUT,
    Kind,
    Sleeps,
    assert_failed_check_kept_good,
)
from tests.figures import add_figure
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot.models import AccountRole, CheckState
from tui.sandbox import DEMO_APP, FaultKind
from tui.ui.app import DemoInfo, HubSpotApp
from tui.ui.screens.chooser import ChooserScreen
from tui.ui.screens.oauth import OAuthScreen
from tui.ui.widgets.checklist import Checklist, ChecklistRow

TOKEN = "/oauth/v3/token"


def make_app(env: Env, sleeps: Sleeps, *, http_timeout: float = TIMEOUT) -> HubSpotApp:
    """The demo-mode app on the env's store, with a short HTTP timeout and instant retries."""
    service = InstallService(
        ProfileStore(env.config_dir),
        api_base=env.sandbox.base_url,
        app_base=env.sandbox.base_url,
        http_timeout=http_timeout,
        sleep=sleeps,
    )
    demo = DemoInfo(DEMO_APP.client_id, DEMO_APP.client_secret, env.sandbox.base_url)
    return HubSpotApp(service, demo=demo)


def snapshot(env: Env) -> tuple[bytes, bytes]:
    return tuple(  # type: ignore[return-value]
        (env.config_dir / name).read_bytes() if (env.config_dir / name).exists() else b""
        for name in ("config.toml", "credentials.toml")
    )


def checklist_row(app: HubSpotApp, check_id: str) -> ChecklistRow:
    rows = app.screen.query_one("#checklist", Checklist).rows
    return next(row for row in rows if row.id == check_id)


def activity(app: HubSpotApp) -> str:
    return static_text(app, ".activity-line")


def fault_options(kind: Kind) -> dict[str, Any]:
    options = dict(kind.options)
    if kind.fault is FaultKind.RATE_LIMIT and "policy" not in options:
        options["retry_after"] = 1  # with instant fake sleeps the wait costs nothing anyway
    return options


async def test_recheck_under_every_fault_kind(tmp_path: Path) -> None:
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        await authorize_without_ui(env, MAIN_HUB)
        sleeps = Sleeps()
        app = make_app(env, sleeps)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            before = snapshot(env)
            for kind in FAULT_KINDS:
                path = "/crm/v3/objects/products" if kind.name != "drop" else "/account-info"
                env.sandbox.faults.add(path, kind.fault, times=-1, **fault_options(kind))
                await pilot.press("r")  # Overview: re-check the active account
                await wait_until(
                    pilot, lambda: app.last_error is not None, timeout=8, what=kind.name
                )
                await settle(pilot)
                line = activity(app)
                assert line.startswith("✖ ") and kind.words in line, (kind.name, line)
                assert "→" in line and line.split("→", 1)[1].strip(), line
                assert app.is_running
                # Recorded (code + message), the last good answers kept, and shown in the
                # checklist itself, not only in a toast.
                assert_failed_check_kept_good(before, snapshot(env), kind.words)
                row = checklist_row(app, "authorized")
                assert row.state is CheckState.WARN, (kind.name, row)
                assert row.detail.startswith("couldn't reach HubSpot: "), row.detail
                assert "— last verified " in row.detail and row.key == "r"
                assert checklist_row(app, "products").state is CheckState.OK  # last good kept
                env.sandbox.faults.clear()
                # A clean re-check clears the error: the failure was not sticky.
                await pilot.press("r")
                await wait_until(pilot, lambda: app.last_error is None, timeout=8, what="clean")
                await settle(pilot)
                # The re-check stored a fresh report: still the MAIN account, never flipped.
                assert app.service.profile.accounts[MAIN_HUB].role is AccountRole.MAIN
                before = snapshot(env)
                add_figure("dashboard fault runs", 1)


async def test_recheck_all_failure_is_reported(tmp_path: Path) -> None:
    """R (all accounts) used to swallow failures; it now names the account and the cause."""
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        await authorize_without_ui(env, MAIN_HUB)
        app = make_app(env, Sleeps())
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            before = snapshot(env)
            env.sandbox.faults.add("/crm/v3/objects/line_items", FaultKind.HTML, times=-1)
            await pilot.press("R")
            await wait_until(pilot, lambda: app.last_error is not None, what="the failure")
            await settle(pilot)
            line = activity(app)
            assert f"Could not re-check {MAIN_HUB}" in line and "non-JSON page" in line
            assert_failed_check_kept_good(before, snapshot(env), "non-JSON page")
            add_figure("dashboard fault runs", 1)


async def test_refresh_under_every_fault_kind_and_revoked(tmp_path: Path) -> None:
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        await authorize_without_ui(env, MAIN_HUB)
        app = make_app(env, Sleeps())
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            before = snapshot(env)
            for kind in FAULT_KINDS:
                env.sandbox.faults.add(TOKEN, kind.fault, times=-1, **fault_options(kind))
                app.last_error = None
                await pilot.press("t")  # Overview: refresh the token now
                await wait_until(
                    pilot, lambda: app.last_error is not None, timeout=8, what=kind.name
                )
                await settle(pilot)
                line = activity(app)
                assert kind.words in line and "→" in line, (kind.name, line)
                assert snapshot(env) == before, kind.name
                env.sandbox.faults.clear()
                add_figure("dashboard fault runs", 1)

            # The install is revoked: the refresh says so and what to do; tokens stay as they were.
            env.sandbox.revoke_account_tokens(MAIN_HUB)
            app.last_error = None
            await pilot.press("t")
            await wait_until(pilot, lambda: app.last_error is not None, what="revoked")
            await settle(pilot)
            line = activity(app)
            assert "no longer valid" in line and "Authorize the account again" in line
            assert snapshot(env)[1] == before[1]
            add_figure("dashboard fault runs", 1)


def attempt_over(screen: OAuthScreen) -> Callable[[], bool]:
    """A predicate: the authorization in flight on `screen` has ended."""
    return lambda: screen.attempt is None


async def _choose(pilot: object, app: HubSpotApp, hub_id: int) -> None:
    """Press o and pick `hub_id` in the in-terminal chooser (without waiting for the result)."""
    await pilot.press("o")  # type: ignore[attr-defined]
    await wait_until(
        pilot,  # type: ignore[arg-type]
        lambda: (
            isinstance(app.screen, ChooserScreen)
            and app.screen.query_one("#chooser-list", OptionList).option_count > 0
        ),
        what="the account chooser",
    )
    options = app.screen.query_one("#chooser-list", OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    for _ in range(ids.index(str(hub_id))):
        await pilot.press("down")  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_authorize_under_every_fault_kind(tmp_path: Path) -> None:
    """The code exchange fails: the verdict says why and to start the login again; no account."""
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        app = make_app(env, Sleeps())
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            before = snapshot(env)
            for kind in FAULT_KINDS:
                env.sandbox.faults.add(TOKEN, kind.fault, times=-1, **fault_options(kind))
                await start_authorize(pilot, app, pin=MAIN_HUB)
                screen = oauth_screen(app)
                await _choose(pilot, app, MAIN_HUB)
                await wait_until(pilot, attempt_over(screen), timeout=8, what="the end")
                await settle(pilot)
                verdict = static_text(app, "#verdict")
                assert kind.words in verdict, (kind.name, verdict)
                assert re.search(r"login again", verdict), verdict
                assert not app.service.profile.accounts
                assert snapshot(env) == before, kind.name
                env.sandbox.faults.clear()
                add_figure("dashboard fault runs", 1)


async def test_keys_work_while_a_slow_exchange_and_refresh_are_in_flight(tmp_path: Path) -> None:
    """A HubSpot that hangs past the timeout never freezes the screen."""
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        # The timeout outlasts two first visits to a section (about 1 s each under Pilot on a
        # busy box with Python 3.12), so the exchange is still in flight when they are done.
        app = make_app(env, Sleeps(), http_timeout=3.0)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            before = snapshot(env)
            env.sandbox.faults.add(TOKEN, FaultKind.DELAY, delay=6.0, times=1)
            await start_authorize(pilot, app, pin=MAIN_HUB)
            screen = oauth_screen(app)
            await _choose(pilot, app, MAIN_HUB)
            await wait_until(
                pilot, lambda: "exchanging the code" in screen_text(app), what="the exchange"
            )
            await pilot.press("f6")
            assert app.current_mode == "accounts"
            await pilot.press("f3")
            assert app.current_mode == "credentials"
            assert screen.attempt is not None  # still waiting on HubSpot, in the background
            await pilot.press("f5")
            await wait_until(pilot, lambda: screen.attempt is None, timeout=12, what="the timeout")
            await settle(pilot)
            verdict = static_text(app, "#verdict")
            assert "timed out" in verdict and "login again" in verdict
            assert snapshot(env) == before

            # Now a slow refresh (one retry in flight): still responsive.
            await authorize_without_ui(env, MAIN_HUB)
            await app.service.load()
            env.sandbox.faults.add(TOKEN, FaultKind.DELAY, delay=6.0, times=1)
            await pilot.press("f2")
            await settle(pilot)
            await pilot.press("t")
            await wait_until(pilot, lambda: "Refreshing" in activity(app), what="refresh")
            await pilot.press("f4")
            assert app.current_mode == "scopes"
            await pilot.press("f2")
            assert app.current_mode == "overview"
            await wait_until(
                pilot, lambda: "Refreshing" not in activity(app), timeout=12, what="done"
            )
            await settle(pilot)
            assert app.last_error is None  # the retry after the timeout succeeded
            add_figure("dashboard fault runs", 2)
