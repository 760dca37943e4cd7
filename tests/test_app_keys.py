"""Keys a person can trust: where typing goes, filters, pastes, and what r / t did.

Each test drives the real dashboard (demo mode) on the sandbox over loopback by keyboard and
paste events, as a person would, and reads what the screen shows.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from textual import events
from textual.widgets import Input, Static
from textual.widgets._toast import Toast

from tests.app_helpers import (
    DEVELOPER_HUB,
    MAIN_HUB,
    oauth_screen,
    sandbox_env,
    screen_text,
    settle,
    static_text,
    wait_until,
)
from tests.conftest import OpenSection
from tui.sandbox import DEMO_APP
from tui.sandbox.browser import choose
from tui.ui.widgets.account_table import AccountTable
from tui.ui.widgets.checklist import Checklist
from tui.ui.widgets.scope_checklist import ScopeChecklist


def key_bar(text: str) -> str:
    """The last line of the screen (the key bar)."""
    return text.rstrip("\n").splitlines()[-1]


async def test_focus_is_marked_and_the_key_bar_says_where_typing_goes(
    open_section: OpenSection,
) -> None:
    """`▶` moves with the focus from field to field; the key bar names the field."""
    async with open_section("f3") as (_, app, pilot):
        text = screen_text(app)
        assert "▶ Client ID" in text and "▶ Client secret" not in text
        assert "typing into Client ID — F-keys switch sections" in key_bar(text)
        await pilot.press("tab")
        text = screen_text(app)
        assert "▶ Client secret" in text and "▶ Client ID" not in text
        assert "typing into Client secret" in key_bar(text)
        # Keys that would be typed are not offered on the key bar while typing.
        await pilot.press("f4")
        text = screen_text(app)
        assert "▶ Required" in text and "typing into" not in key_bar(text)
        assert "p Preset" in key_bar(text)


async def test_oauth_pin_after_a_login_and_nothing_focused_while_one_waits(
    open_section: OpenSection,
) -> None:
    """F5 → Pin focused (digits fill it); enter starts; `o` then opens, never typed."""
    async with open_section("f5", accounts=(DEVELOPER_HUB,)) as (_, app, pilot):
        screen = oauth_screen(app)
        pin = screen.query_one("#pin", Input)
        assert app.focused is pin
        await pilot.press(*str(MAIN_HUB))
        assert pin.value == str(MAIN_HUB) and app.current_mode == "oauth"
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.attempt is not None, what="the attempt")
        await pilot.pause()
        assert app.focused is None
        assert "typing into" not in key_bar(screen_text(app))
        # Leave and come back: still nothing focused while the login waits.
        await pilot.press("f2", "f5")
        await pilot.pause()
        assert app.focused is None
        await pilot.press("x")
        await wait_until(pilot, lambda: screen.attempt is None, what="cancel")
        await pilot.pause()
        assert app.focused is pin  # what comes next is a new login


async def test_pasted_redirect_url_is_taken_once(open_section: OpenSection) -> None:
    """A paste (with spaces around it) completes the login; the Enter after it does no harm."""
    async with open_section("f5", configured=True) as (_, app, pilot):
        screen = oauth_screen(app)
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: screen.attempt is not None, what="the attempt")
        attempt = screen.attempt
        assert attempt is not None
        async with httpx.AsyncClient() as client:  # the browser, redirect not delivered
            url = await choose(client, attempt.url, MAIN_HUB, deliver=False)
        await pilot.press("v")
        paste = screen.query_one("#paste", Input)
        assert app.focused is paste
        app.post_message(events.Paste(f"  {url}\n"))
        await wait_until(pilot, lambda: screen.attempt is None, timeout=8, what="the login")
        await settle(pilot)
        assert paste.value == url
        assert MAIN_HUB in app.service.profile.accounts
        await pilot.press("enter")  # the natural Enter after a paste
        await pilot.pause()
        assert "✖" not in static_text(app, "#paste-note")
        assert "No authorization is waiting" not in screen_text(app)
        assert screen.attempt is None  # no new login started either
        # The same with nothing focused: the paste goes to the paste box, which keeps focus.
        app.set_focus(None)
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: screen.attempt is not None, what="a second attempt")
        second = screen.attempt
        assert second is not None and app.focused is None
        async with httpx.AsyncClient() as client:
            url = await choose(client, second.url, MAIN_HUB, deliver=False)
        app.post_message(events.Paste(url))
        await wait_until(pilot, lambda: screen.attempt is None, timeout=8, what="the login")
        await settle(pilot)
        assert app.focused is paste
        await pilot.press("enter")
        await pilot.pause()
        assert screen.attempt is None and "✖" not in static_text(app, "#paste-note")


async def test_client_id_paste_is_trimmed_and_the_result_line_follows_edits(
    open_section: OpenSection,
) -> None:
    """A Client ID pasted with a trailing space and newline is accepted (trimmed); the save's
    result line clears once the form is edited again."""
    async with open_section("f3") as (_, app, pilot):
        app.post_message(events.Paste(f"{DEMO_APP.client_id} \n"))
        await pilot.pause()
        field = app.screen.query_one("#client-id", Input)
        assert field.value == DEMO_APP.client_id
        assert "looks like a Client ID" in static_text(app, "#client-id-note")
        await pilot.press("tab")
        app.post_message(events.Paste(f" {DEMO_APP.client_secret}\t"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.service.profile.app.client_id == DEMO_APP.client_id
        assert "Saved" in static_text(app, "#credentials-result")
        await pilot.press("shift+tab", "backspace")
        await pilot.pause()
        assert static_text(app, "#credentials-result") == ""


async def test_scope_filter_keys(open_section: OpenSection) -> None:
    """/ filters, no match says so, ↑/↓ move between filter and list, Esc clears then leaves,
    and coming back focuses the list so `p` is a preset, not typing."""
    async with open_section("f4") as (_, app, pilot):
        screen = app.screen
        required = screen.query_one("#required", ScopeChecklist)
        box = screen.query_one("#scope-filter", Input)
        await pilot.press("slash", *"xyz")
        await pilot.pause()
        assert box.value == "xyz" and not required.rows
        assert "No scope matches 'xyz'" in screen_text(app)
        await pilot.press("escape")  # clears the filter, back to the list
        await pilot.pause()
        assert box.value == "" and app.focused is required and required.rows
        await pilot.press("up")  # from the first scope up into the filter
        assert app.focused is box
        await pilot.press(*"deals", "down")
        assert app.focused is required
        assert required.highlighted is not None and "deals" in required.highlighted
        await pilot.press("up", "escape")
        assert box.value == ""
        await pilot.press("escape")  # empty filter: Esc leaves
        assert app.current_mode == "overview"
        await pilot.press("f4", "slash")
        await pilot.press("f2", "f4")  # back with the filter focused last time
        await pilot.pause()
        assert app.focused is required
        await pilot.press("p")
        await pilot.pause()
        assert box.value == "" and "Preset:" in static_text(app, "#scope-preset")


async def test_accounts_filter_keys(open_section: OpenSection) -> None:
    """The same filter keys on Accounts: ↓ into the table, ↑ back, Esc clears then leaves."""
    async with open_section("f6", accounts=(DEVELOPER_HUB, MAIN_HUB)) as (_, app, pilot):
        table = app.screen.query_one(AccountTable)
        box = app.screen.query_one("#account-filter", Input)
        assert app.focused is table
        await pilot.press("slash", *"main", "down")
        assert app.focused is table and table.row_count == 1
        assert "▶" in screen_text(app)  # the focused cursor row
        await pilot.press("up")
        assert app.focused is box
        await pilot.press("escape")
        assert box.value == "" and table.row_count == 2 and app.focused is table
        await pilot.press("slash", *"dev", "f2", "f6")
        await pilot.pause()
        assert app.focused is table  # never back in the filter: u, d, a act
        await pilot.press("escape")  # the filter still holds "dev": cleared first
        assert box.value == "" and app.current_mode == "accounts"
        await pilot.press("escape")
        assert app.current_mode == "overview"


async def test_overview_reads_rows_whole_and_says_what_r_and_t_did(
    open_section: OpenSection,
) -> None:
    """↓ shows a cut row in full; r and t say inline what they did (no toast needed)."""
    async with open_section(accounts=(MAIN_HUB,)) as (_, app, pilot):
        checklist = app.screen.query_one("#checklist", Checklist)
        assert app.focused is checklist
        await pilot.press("home", "down")  # the Redirect URL row, cut at 80 columns
        row = checklist.highlighted
        assert row is not None and row.id == "redirect_uri"
        detail = static_text(app, "#check-detail")
        assert row.detail in detail.replace("\n", " ")
        assert "▶" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        done = app.screen.query_one("#overview-done", Static)
        assert f"✔ re-checked {MAIN_HUB}" in static_text(app, "#overview-done") and done.display
        await pilot.press("t")
        await settle(pilot)
        said = static_text(app, "#overview-done")
        assert "✔ token refreshed" in said and "valid" in said and "min" in said


async def test_toasts_never_cover_the_scope_strings(tmp_path: Path) -> None:
    """On Scopes, its own messages are inline and any toast shows at the top, away from the
    exact `scope=` / `optional_scope=` strings at the bottom."""
    async with sandbox_env(tmp_path) as env:
        app = env.app()
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("f4")
            await settle(pilot)
            await pilot.press("ctrl+s", "ctrl+y")  # saved, copied: said on screen, no toast
            await settle(pilot)
            assert "Copied the scope= string" in static_text(app, "#scope-preset")
            assert not list(app.screen.query(Toast))
            app.notify("A background message\nover two lines", timeout=30)
            await pilot.pause(0.3)
            toasts = list(app.screen.query(Toast))
            assert toasts
            strings = app.screen.query_one("#scope-strings").region
            assert strings.height > 0
            for toast in toasts:
                assert not toast.region.overlaps(strings), (toast.region, strings)
