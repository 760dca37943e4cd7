"""Accounts actions, background work (refresh, slow and failing HubSpot), store warnings, soak."""

from __future__ import annotations

import gc
from pathlib import Path

from textual.widget import Widget

from tests.app_helpers import (
    DEVELOPER_HUB,
    MAIN_HUB,
    authorize_without_ui,
    sandbox_env,
    screen_text,
    settle,
    static_text,
    wait_until,
)
from tests.conftest import OpenSection, pick_free_port
from tui.hubspot.models import AccountReport, AccountRole
from tui.sandbox import FaultKind, Sandbox
from tui.ui.screens.accounts import AccountsScreen
from tui.ui.screens.confirm import ConfirmScreen
from tui.ui.screens.overview import OverviewScreen
from tui.ui.widgets.account_table import AccountTable
from tui.ui.widgets.countdown import Countdown


async def test_accounts_table_and_actions(open_section: OpenSection) -> None:
    """Rows with badges; c copies, u makes active, d removes after a confirmation."""
    async with open_section("f6", size=(120, 36), accounts=(DEVELOPER_HUB, MAIN_HUB)) as (
        _,
        app,
        pilot,
    ):
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        table = screen.query_one(AccountTable)
        assert table.row_count == 2
        text = screen_text(app)
        assert "DEVELOPER" in text and "MAIN" in text and "APP_DEVELOPER" in text
        assert "● 44120003" in text  # the last authorized is active

        assert table.highlighted_hub_id == DEVELOPER_HUB
        assert "apps can't be installed" in static_text(app, "#account-detail")
        await pilot.press("c")
        assert app.clipboard == str(DEVELOPER_HUB)

        await pilot.press("u")
        await settle(pilot)
        assert app.service.profile.active_hub_id == DEVELOPER_HUB
        assert "● 44120001" in screen_text(app)

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # No: nothing happens
        await settle(pilot)
        assert DEVELOPER_HUB in app.service.profile.accounts
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert DEVELOPER_HUB not in app.service.profile.accounts
        # The main account becomes active again once the active one is removed.
        assert app.service.profile.active_hub_id == MAIN_HUB
        assert table.row_count == 1


async def test_recheck_shows_progress_and_survives_a_slow_hubspot(
    open_section: OpenSection,
) -> None:
    """A slow account-details call shows "Checking …" while the app keeps responding."""
    async with open_section(size=(80, 24), accounts=(MAIN_HUB,)) as (env, app, pilot):
        # Long enough to outlast a first visit to a section (about 1 s under Pilot on a busy
        # box with Python 3.12), so the check is still under way when the screen is looked at.
        env.sandbox.faults.add("/account-info", FaultKind.DELAY, delay=3.0)
        await pilot.press("r")
        await wait_until(
            pilot, lambda: f"Checking {MAIN_HUB}…" in screen_text(app), what="progress"
        )
        await pilot.press("f3")  # still responsive while the check waits
        assert app.current_mode == "credentials"
        assert f"Checking {MAIN_HUB}…" in screen_text(app)
        await settle(pilot)
        assert "Checking" not in screen_text(app)
        assert app.last_error is None


async def test_failing_hubspot_shows_a_clear_error(open_section: OpenSection) -> None:
    """A 503 from HubSpot ends as a one-line message with its next action, no traceback."""
    async with open_section(size=(80, 24), accounts=(MAIN_HUB,)) as (env, app, pilot):
        env.sandbox.faults.add("/account-info", FaultKind.STATUS, status=503, times=-1)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.last_error is not None
        assert "✖ HubSpot had a problem" in screen_text(app)
        assert "503" in app.last_error.message
        assert app.is_running
        # The stored report is kept: the checklist does not flip to FAIL on a blip.
        assert app.service.profile.accounts[MAIN_HUB].role is AccountRole.MAIN


async def test_background_refresh_renews_the_token(tmp_path: Path) -> None:
    """With short-lived tokens, the timer refreshes the active token before it expires."""
    port = pick_free_port()
    sandbox = Sandbox(
        port=0, token_lifetime=4, redirect_uris=(f"http://localhost:{port}/oauth-callback",)
    )
    sandbox.start()
    try:
        from tests.app_helpers import Env

        env = Env(sandbox=sandbox, config_dir=tmp_path / "store", port=port)
        await env.preconfigure()
        await authorize_without_ui(env, MAIN_HUB)
        app = env.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            first = app.service.token_expires_at(MAIN_HUB)
            assert first is not None
            countdown = app.screen.query_one("#token-countdown", Countdown)
            assert countdown.render_text().startswith("token 00:0")
            await wait_until(
                pilot,
                lambda: (app.service.token_expires_at(MAIN_HUB) or 0) > first,
                timeout=8,
                what="the background refresh",
            )
            await settle(pilot)
            assert app.last_error is None
            assert not countdown.busy
    finally:
        sandbox.stop()


async def test_store_warning_is_shown(tmp_path: Path) -> None:
    """A corrupt config file is kept aside and the Overview says so."""
    async with sandbox_env(tmp_path) as env:
        env.config_dir.mkdir(parents=True)
        (env.config_dir / "config.toml").write_text("this is [not toml\n")
        app = env.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.service.warnings
            assert "⚠" in static_text(app, "#overview-warnings")
            assert app.current_mode == "overview"


async def test_switching_sections_does_not_grow_widgets(open_section: OpenSection) -> None:
    """Fifty section switches re-create nothing (the Header/Footer leak in perf-notes)."""
    async with open_section(size=(80, 24)) as (_, app, pilot):
        for key in ("f3", "f4", "f5", "f6", "f2"):
            await pilot.press(key)
        await settle(pilot)
        gc.collect()
        before = sum(isinstance(o, Widget) for o in gc.get_objects())
        for _ in range(10):
            for key in ("f3", "f4", "f5", "f6", "f2"):
                await pilot.press(key)
        await settle(pilot)
        gc.collect()
        after = sum(isinstance(o, Widget) for o in gc.get_objects())
        assert after - before < 20, (before, after)
        assert isinstance(app.screen, OverviewScreen)


def _many(count: int) -> list[AccountReport]:
    from tui.hubspot.models import AccountType

    return [
        AccountReport(
            hub_id=50_000_000 + i,
            hub_domain=f"p{i}.example.com",
            account_type=AccountType.STANDARD,
            role=AccountRole.MAIN,
            region="eu1" if i % 10 == 3 else "na1",
        )
        for i in range(count)
    ]


async def test_account_table_is_virtual_at_scale() -> None:
    """10,000 rows: set_accounts is bookkeeping only (rows are formatted when drawn)."""
    import time

    from textual.app import App, ComposeResult

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield AccountTable()

    accounts = _many(10_000)
    app = TableApp()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(AccountTable)
        started = time.perf_counter()
        table.set_accounts(accounts, accounts[0].hub_id)
        assert time.perf_counter() - started < 0.5
        await pilot.pause()
        assert table.row_count == 10_000
        # Only what was drawn got formatted: a screenful, not ten thousand rows.
        assert len(table._rows) < 100
        table.move_cursor(row=4321)
        assert table.highlighted_hub_id == 50_004_321
        # Same accounts, another active one: the cursor stays on its hub id.
        table.set_accounts(accounts, accounts[1].hub_id)
        assert table.highlighted_hub_id == 50_004_321
        cells = table.row_cells(1)
        assert cells is not None and cells[0] == "● 50000001"
        # Fewer accounts (the highlighted one removed): the cursor stays in range.
        table.set_accounts(accounts[:100], None)
        assert table.highlighted_hub_id == 50_000_000
        await pilot.press("G")
        assert table.highlighted_hub_id == 50_000_099


async def test_account_table_filter_and_jump_keys() -> None:
    """set_filter narrows (every word must match); g/G/PgDn/# move the cursor; Highlighted."""
    from textual.app import App, ComposeResult

    seen: list[int | None] = []

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield AccountTable()

        def on_account_table_highlighted(self, message: AccountTable.Highlighted) -> None:
            seen.append(message.hub_id)

    accounts = _many(2000)
    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(AccountTable)
        table.set_accounts(accounts, None)
        table.focus()
        await pilot.pause()
        assert seen[-1] == 50_000_000
        await pilot.press("G")
        assert table.highlighted_hub_id == 50_001_999
        await pilot.press("g", "pagedown")
        assert table.cursor_row == 28  # one page: the height minus the header row
        await pilot.press("pageup")
        assert table.cursor_row == 0

        table.set_filter("eu1")
        assert table.row_count == 200
        assert table.highlighted_hub_id == 50_000_003
        table.set_filter("eu1 p13")  # every word must match, in any column
        assert [table.hub_id_at(i) for i in range(table.row_count)][:3] == [
            50_000_013,
            50_000_133,
            50_001_303,
        ]
        table.set_filter("no such account")
        assert table.row_count == 0 and table.highlighted_hub_id is None
        table.set_filter("")
        assert table.row_count == 2000

        # `#` then digits: jump to the first hub id starting with them; digits are not section
        # keys meanwhile, and enter ends the jump.
        await pilot.press("number_sign", "5", "0", "0", "0", "1", "2", "3", "4")
        assert table.jump_text == "50001234"
        assert table.highlighted_hub_id == 50_001_234
        await pilot.press("enter")
        assert table.jump_text is None
        await pilot.pause()
        assert seen[-1] == 50_001_234


async def test_accounts_screen_filter_box(open_section: OpenSection) -> None:
    """`/` focuses the filter; typing narrows the table and the title says how many match."""
    async with open_section("f6", size=(80, 24), accounts=(DEVELOPER_HUB, MAIN_HUB)) as (
        _,
        app,
        pilot,
    ):
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        await pilot.press("slash", *"main")
        await pilot.pause()
        assert screen.table.row_count == 1
        assert screen.table.highlighted_hub_id == MAIN_HUB
        assert "1 match “main”" in screen_text(app)
        await pilot.press("escape")  # leaves the box, keeps the filter
        assert app.current_mode == "accounts"
        assert screen.table.has_focus
        await pilot.press("escape")  # and then back to the Overview
        assert app.current_mode == "overview"
