"""Each section renders, keys reach every section from anywhere, and each screen's own rules hold.

All against the real sandbox and a real store (see app_helpers): nothing of the service is faked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.app_helpers import MAIN_HUB, sandbox_env, screen_text, settle, static_text, wait_until
from tests.conftest import OpenSection
from tui.core.loopback import over_ssh, ssh_target
from tui.hubspot.scopes import filter_scopes, scope_params
from tui.sandbox import DEMO_APP
from tui.ui.app import DemoInfo, HubSpotApp
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.oauth import OAuthScreen
from tui.ui.screens.scopes import ScopesScreen
from tui.ui.widgets.scope_checklist import ScopeChecklist


async def test_new_user_lands_on_overview_and_is_led_on(open_section: OpenSection) -> None:
    """An empty store: Overview, every row TODO/OK with words, next step says F3."""
    async with open_section(size=(80, 24)) as (_, app, _):
        assert app.current_mode == "overview"
        text = screen_text(app)
        assert "Next step: Press F3 to enter your app's credentials" in text
        assert "○ TODO  App credentials" in text
        for key in ("F2 Overview", "F3 Credentials", "F4 Scopes", "F5 OAuth", "F6 Accounts"):
            assert key in text
        assert "READY" not in text


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_each_section_renders(tmp_path: Path, size: tuple[int, int]) -> None:
    """Every section shows its own content at 80x24 and 120x36."""
    expected = {
        "f3": ("credentials", "Client ID"),
        "f4": ("scopes", "Required  (scope=)"),
        "f5": ("oauth", "Pin to account"),
        "f6": ("accounts", "No authorized accounts yet"),
        "f2": ("overview", "Install checklist"),
    }
    async with sandbox_env(tmp_path) as env:
        app = env.app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for key, (mode, marker) in expected.items():
                await pilot.press(key)
                await settle(pilot)
                assert app.current_mode == mode
                assert marker in screen_text(app), (size, mode)
                assert "Terminal too small" not in screen_text(app)


async def test_section_keys_work_with_an_input_focused(open_section: OpenSection) -> None:
    """F-keys switch from a focused Input; digits and b are typing there, section keys elsewhere."""
    async with open_section(size=(80, 24)) as (_, app, pilot):
        await pilot.press("f3")
        field = app.screen.query_one("#client-id", Input)
        assert app.focused is field
        await pilot.press("2", "b", "q")
        assert field.value == "2bq"
        assert app.current_mode == "credentials"
        await pilot.press("f4")
        assert app.current_mode == "scopes"
        await pilot.press("f3")
        assert app.focused is field  # the long-lived screen kept its focus
        await pilot.press("f2")
        assert app.current_mode == "overview"
        # No Input focused: digits switch sections and b goes back.
        await pilot.press("5")
        assert app.current_mode == "accounts"
        await pilot.press("4")
        assert app.current_mode == "oauth"
        # OAuth opens on its Pin field: digits and b are typed there (b is refused), esc
        # still goes back.
        pin = app.screen.query_one("#pin", Input)
        assert app.focused is pin
        await pilot.press("2", "b")
        assert app.current_mode == "oauth" and pin.value == "2"
        await pilot.press("escape")
        assert app.current_mode == "overview"
        await pilot.press("3")
        await pilot.press("escape")
        assert app.current_mode == "overview"


async def test_sections_are_long_lived(open_section: OpenSection) -> None:
    """Switching back and forth reuses one screen per section (no per-visit re-creation)."""
    async with open_section(size=(80, 24)) as (_, app, pilot):
        seen: dict[str, int] = {}
        for _ in range(3):
            for key, mode in (("f3", "credentials"), ("f4", "scopes"), ("f2", "overview")):
                await pilot.press(key)
                seen.setdefault(mode, id(app.screen))
                assert seen[mode] == id(app.screen)


async def test_too_small_terminal_shows_a_clear_message(open_section: OpenSection) -> None:
    """Below 80x24 a plain message replaces the layout, and the layout comes back."""
    async with open_section(size=(70, 20)) as (_, app, pilot):
        assert "Terminal too small — need 80×24, have 70×20" in screen_text(app)
        await pilot.press("f5")
        await settle(pilot)
        assert "Terminal too small" in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "Terminal too small" not in screen_text(app)
        # F5 was pressed behind the notice: it did nothing.
        assert app.current_mode == "overview"
        assert "Install checklist" in screen_text(app)


async def test_too_small_terminal_takes_no_keys_but_quit(open_section: OpenSection) -> None:
    """At 60x20 only quitting acts: ? (help), F6 then d (remove) change nothing behind it."""
    async with open_section(size=(60, 20), accounts=(MAIN_HUB,)) as (_, app, pilot):
        await pilot.press("question_mark", "f1", "f6", "d", "y", "5", "enter", "r", "t")
        await settle(pilot)
        assert app.current_mode == "overview"
        assert len(app.screen_stack) == 1  # no help, no confirmation
        assert MAIN_HUB in app.service.profile.accounts
        assert "Terminal too small" in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.current_mode == "overview" and len(app.screen_stack) == 1
        await pilot.resize_terminal(60, 20)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_help_lists_every_key_and_closes(open_section: OpenSection) -> None:
    """F1 and ? open the help (section keys + global keys); esc closes it."""
    async with open_section(size=(80, 24)) as (_, app, pilot):
        await pilot.press("f6")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        for needle in ("`u`", "Re-authorize", "`F5`", "OAuth", "`ctrl+q`", "ssh -L"):
            assert needle in text, needle
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        assert app.current_mode == "accounts"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f4")  # section keys close the help on the way
        assert app.current_mode == "scopes"
        assert isinstance(app.screen, ScopesScreen)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "3 characters, expected 36"),
        ("*" * 36, "masked value"),
        (DEMO_APP.client_id[:8] + " " + DEMO_APP.client_id[9:], "has spaces"),
        ("1234567", "App ID"),
        ("https://app.hubspot.com/oauth/authorize?client_id=x", "URL"),
    ],
)
async def test_client_id_validated_as_you_type(
    typed: str, reason: str, open_section: OpenSection
) -> None:
    """The reason appears under the field while typing; save is refused."""
    async with open_section(size=(80, 24)) as (_, app, pilot):
        await pilot.press("f3")
        app.screen.query_one("#client-id", Input).value = typed
        await pilot.pause()
        assert reason in static_text(app, "#client-id-note")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Can't save" in static_text(app, "#credentials-result")
        assert app.service.profile.app.client_id == ""


async def test_secret_is_masked_and_revealed_only_by_the_key(open_section: OpenSection) -> None:
    """A typed secret shows as bullets until ctrl+r; the stored secret is never loaded back."""
    async with open_section(size=(80, 24)) as (_, app, pilot):
        await pilot.press("f3", "ctrl+d")
        await pilot.pause()
        secret = DEMO_APP.client_secret
        assert DEMO_APP.client_id in screen_text(app)
        assert secret not in screen_text(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert secret in screen_text(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert secret not in screen_text(app)
        field = app.screen.query_one("#client-id", Input)
        field.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.service.has_client_secret
        assert app.screen.query_one("#client-secret", Input).value == ""
        assert "secret stored (••••••••)" in static_text(app, "#client-secret-note")
        # Revealing now shows nothing: the stored secret is not in the field.
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert secret not in screen_text(app)
        # Leaving the screen masks the field again.
        await pilot.press("f2", "f3")
        assert app.screen.query_one("#client-secret", Input).password
        # Nothing secret ever reached a notification.
        assert all(secret not in str(n.message) for n in app._notifications)


async def test_redirect_urls_are_shown_and_copied(open_section: OpenSection) -> None:
    """Partner id → platform redirect URL; port → loopback URL; both copyable (OSC 52)."""
    async with open_section(size=(120, 36)) as (_, app, pilot):
        await pilot.press("f3")
        app.screen.query_one("#partner-id", Input).value = "connect.example.com"
        port = app.screen.query_one("#callback-port", Input)
        port.value = "9123"
        await pilot.pause()
        assert "https://connect.example.com/connector/callback" in screen_text(app)
        assert "http://localhost:9123/oauth-callback" in screen_text(app)
        await pilot.press("ctrl+y")
        assert app.clipboard == "http://localhost:9123/oauth-callback"
        await pilot.press("ctrl+o")
        assert app.clipboard == "https://connect.example.com/connector/callback"
        app.screen.query_one("#partner-id", Input).value = "https://nope"
        await pilot.pause()
        assert "enter just the host" in static_text(app, "#partner-id-note")


async def test_install_url_fills_the_form(tmp_path: Path) -> None:
    """Pasting a sample install URL fills client id, port, region, scopes and the OAuth pin."""
    url = (
        f"https://app-eu1.hubspot.com/oauth/{MAIN_HUB}/authorize?client_id={DEMO_APP.client_id}"
        "&redirect_uri=http%3A%2F%2Flocalhost%3A9555%2Foauth-callback"
        "&scope=oauth%20crm.objects.deals.read&optional_scope=e-commerce"
    )
    async with sandbox_env(tmp_path) as env:
        app = env.app()
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("f3")
            app.screen.query_one("#install-url", Input).value = url
            await pilot.pause()
            note = static_text(app, "#install-url-note")
            assert "client id" in note and "port 9555" in note and "region EU" in note
            assert "2 required + 1 optional" in note
            assert app.screen.query_one("#client-id", Input).value == DEMO_APP.client_id
            assert app.screen.query_one("#callback-port", Input).value == "9555"
            app.screen.query_one("#client-secret", Input).value = DEMO_APP.client_secret
            await pilot.press("ctrl+s")
            await settle(pilot)
            stored = app.service.profile.app
            assert stored.callback_port == 9555
            assert stored.scopes == ("oauth", "crm.objects.deals.read")
            assert stored.optional_scopes == ("e-commerce",)
            assert stored.region.value == "eu"
            await pilot.press("f5")
            await pilot.pause()
            assert app.screen.query_one("#pin", Input).value == str(MAIN_HUB)


async def test_scopes_filter_preset_lint_and_exact_strings(open_section: OpenSection) -> None:
    """Filter narrows both lists; p applies a preset; lint and the exact strings update live."""
    async with open_section("f4", size=(80, 24)) as (_, app, pilot):
        screen = app.screen
        assert isinstance(screen, ScopesScreen)
        required = screen.query_one("#required", ScopeChecklist)
        optional = screen.query_one("#optional", ScopeChecklist)
        full = len(required.rows)
        assert "4 required · 5 optional" in static_text(app, "#scope-counts")

        await pilot.press("slash")
        await pilot.press(*"line")
        await pilot.pause()
        assert required.scopes == [info.name for info in filter_scopes("line")]
        assert len(optional.rows) == len(required.rows) < full
        # The filter only narrows the view: the selection is unchanged.
        assert "4 required · 5 optional" in static_text(app, "#scope-counts")

        await pilot.press("ctrl+u", "enter")  # clear the filter, then into the lists
        await pilot.press("p", "p")  # Recommended, then Products & line items
        await pilot.pause()
        assert "Products & line items" in static_text(app, "#scope-preset")
        lint = static_text(app, "#scope-lint")
        assert "paid Sales Hub seat" in lint
        req, opt = screen.selection()
        scope, optional_part = scope_params(req, opt)
        strings = static_text(app, "#scope-strings")
        assert scope in strings and optional_part in strings
        assert scope.startswith("scope=oauth%20")
        await pilot.press("ctrl+y")
        assert app.clipboard == scope

        # By keyboard: untick oauth as required and tick it as optional: two errors.
        await pilot.press("slash", *"oauth", "enter")  # only oauth left; into the lists
        await pilot.pause()
        assert screen.focused is screen.query_one("#required")
        await pilot.press("space", "tab", "space")
        await pilot.pause()
        assert "oauth" in screen.selection()[1] and "oauth" not in screen.selection()[0]
        lint = static_text(app, "#scope-lint")
        assert "oauth must be a required scope" in lint
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.service.profile.app.scopes_confirmed  # refused

        await pilot.press("shift+tab", "space")  # oauth required again (and optional)
        await pilot.pause()
        assert "oauth" in screen.selection()[0]
        assert "kept as required only" in static_text(app, "#scope-lint")


async def test_scope_toggle_by_keyboard_and_save(open_section: OpenSection) -> None:
    """space ticks the highlighted scope; ctrl+s saves and confirms the selection."""
    async with open_section("f4", size=(80, 24)) as (_, app, pilot):
        screen = app.screen
        assert isinstance(screen, ScopesScreen)
        required = screen.query_one("#required", ScopeChecklist)
        assert app.focused is required
        highlighted = required.highlighted
        assert highlighted is not None
        before = highlighted in screen.required
        await pilot.press("space")
        await pilot.pause()
        assert (highlighted in screen.required) is not before
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert app.service.profile.app.scopes_confirmed
        assert "saved" in static_text(app, "#scope-counts")


async def test_oauth_screen_over_ssh_shows_tunnel_and_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over SSH: the exact ssh -L line, the whole URL, copy key; o never opens by itself."""
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.9 50000 198.51.100.7 22")
    monkeypatch.setenv("USER", "partner")
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        app = HubSpotApp(env.service())  # not demo: o is the real browser path
        assert app.ssh
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("f5", "ctrl+l")
            screen = app.screen
            assert isinstance(screen, OAuthScreen)
            await wait_until(pilot, lambda: screen.attempt is not None, what="the attempt")
            assert screen.attempt is not None
            text = screen_text(app)
            assert f"ssh -L {env.port}:localhost:{env.port} partner@198.51.100.7" in text
            assert "can't connect to localhost" in text
            url = screen.attempt.url
            assert url.replace("\n", "") in static_text(app, "#auth-url")
            await pilot.press("ctrl+y")
            assert app.clipboard == url
            await pilot.press("o")  # first o over SSH only warns
            await pilot.pause()
            assert opened == []
            await pilot.press("o")  # second o opens (on the remote host, as warned)
            await wait_until(pilot, lambda: bool(opened), what="the browser")
            assert opened == [url]
            await pilot.press("x")
            await wait_until(pilot, lambda: screen.attempt is None, what="cancel")
            assert "cancelled" in static_text(app, "#verdict").lower()


def test_ssh_detection_and_target() -> None:
    """SSH_CONNECTION's server address and $USER make the ssh -L target."""
    env = {"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 22", "USER": "ann"}
    assert over_ssh(env)
    assert ssh_target(env) == "ann@10.0.0.1"
    assert not over_ssh({})
    # Bare, as ssh takes it: `bo@[fe80::1]` is looked up as a host name and fails.
    v6 = {"SSH_CONNECTION": "::2 5555 fe80::1 22", "USER": "bo"}
    assert ssh_target(v6) == "bo@fe80::1"


async def test_palette_has_app_commands(open_section: OpenSection) -> None:
    """Ctrl+P offers authorize, re-check all and copy redirect URL."""
    async with open_section(size=(80, 24)) as (_, app, _):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Authorize", "Re-check all accounts", "Copy redirect URL", "Keys"):
            assert title in titles


async def test_demo_hint_and_unloaded_demo_info(tmp_path: Path) -> None:
    """Demo mode shows the demo client id and the ctrl+d hint; no secret in the hint."""
    async with sandbox_env(tmp_path) as env:
        app = HubSpotApp(
            env.service(), demo=DemoInfo("x" * 36, DEMO_APP.client_secret, env.sandbox.base_url)
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f3")
            hint = static_text(app, "#demo-hint")
            assert "x" * 36 in hint and "ctrl+d" in hint
            assert DEMO_APP.client_secret not in screen_text(app)
