"""The whole journey by keyboard, on the real sandbox over loopback, plus its error paths."""

from __future__ import annotations

import socket
from pathlib import Path

from textual.widgets import Input

from tests.app_helpers import (
    DEVELOPER_HUB,
    MAIN_HUB,
    choose_in_terminal,
    oauth_screen,
    sandbox_env,
    screen_text,
    settle,
    start_authorize,
    static_text,
    wait_until,
)
from tests.conftest import OpenSection
from tui.hubspot.models import AccountRole, CheckState
from tui.sandbox import DEMO_APP


async def test_full_journey_to_ready_and_restart(tmp_path: Path) -> None:
    """Credentials → scopes → developer account (FAIL) → pinned main account → READY, persisted."""
    async with sandbox_env(tmp_path) as env:
        app = env.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "Press F3 to enter your app's credentials" in screen_text(app)

            # Credentials: demo fill (secret stays masked), our free port, save.
            await pilot.press("f3")
            await pilot.press("ctrl+d")
            port = app.screen.query_one("#callback-port", Input)
            port.focus()
            port.value = ""
            await pilot.press(*str(env.port))
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert DEMO_APP.client_secret not in screen_text(app)
            assert "press F4 to confirm the scopes" in screen_text(app)
            assert app.service.profile.app.client_id == DEMO_APP.client_id
            assert app.service.has_client_secret

            # Scopes: the defaults, saved (confirmed).
            await pilot.press("f4")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.service.profile.app.scopes_confirmed

            # Authorize and (wrongly) pick the DEVELOPER account in the in-terminal chooser.
            await start_authorize(pilot, app)
            assert app.service.profile.app.effective_redirect_uri in screen_text(app) or (
                f"localhost:{env.port}" in static_text(app, "#listener")
            )
            await choose_in_terminal(pilot, app, DEVELOPER_HUB)
            assert "DEVELOPER" in static_text(app, "#verdict")

            # Overview flags it.
            await pilot.press("f2")
            await settle(pilot)
            status = app.service.status()
            checks = {c.id: c.state for c in status.checks}
            assert checks["main_account"] is CheckState.FAIL
            text = screen_text(app)
            assert "✖ FAIL  Main account" in text
            assert "pick your MAIN account" in text

            # Accounts shows the DEVELOPER badge and explains it.
            await pilot.press("f6")
            await settle(pilot)
            text = screen_text(app)
            assert "DEVELOPER" in text
            assert "Apps can't be installed" in text or "apps can't be installed" in text

            # Re-authorize pinned to the main account: only it is offered.
            await start_authorize(pilot, app, pin=MAIN_HUB)
            assert f"/oauth/{MAIN_HUB}/authorize" in oauth_screen(app).url
            await choose_in_terminal(pilot, app, MAIN_HUB)
            assert "MAIN" in static_text(app, "#verdict")

            await pilot.press("f2")
            await settle(pilot)
            status = app.service.status()
            assert status.ready, [(c.id, c.state, c.detail) for c in status.checks]
            text = screen_text(app)
            assert "READY" in text
            assert text.count("✔ OK") == 8
            assert app.service.profile.accounts[MAIN_HUB].role is AccountRole.MAIN

        # A new app instance on the same store shows READY again.
        again = env.app()
        async with again.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert again.service.status().ready
            assert "READY" in screen_text(again)
            assert f"Active: {MAIN_HUB}" in screen_text(again)


async def test_port_busy_falls_back_to_paste(tmp_path: Path) -> None:
    """The callback port is taken: the listener error is shown, and the paste path completes."""
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            holder.bind(("127.0.0.1", env.port))
            holder.listen(1)
            app = env.app()
            async with app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                await start_authorize(pilot, app, pin=MAIN_HUB)
                screen = oauth_screen(app)
                assert screen.attempt is not None and screen.attempt.listen_error
                listener = static_text(app, "#listener")
                assert "Paste the redirected URL below instead" in listener
                # The in-terminal chooser hands the redirect over as a paste (no listener).
                await choose_in_terminal(pilot, app, MAIN_HUB)
                assert "MAIN" in static_text(app, "#verdict")
                assert app.service.profile.active_hub_id == MAIN_HUB


async def test_bad_client_id_shows_hubspots_message(open_section: OpenSection) -> None:
    """A Client ID HubSpot doesn't know: the exchange fails with BAD_CLIENT_ID's message/action."""
    async with open_section(size=(80, 24), configured=True) as (_, app, pilot):
        await start_authorize(pilot, app, pin=MAIN_HUB)
        # The app's Client ID is changed (to one HubSpot doesn't know) before the exchange.
        await pilot.press("f3")
        field = app.screen.query_one("#client-id", Input)
        field.value = "00000000-0000-4000-8000-000000000000"
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: app.service.profile.app.client_id.startswith("0000"), what="save"
        )
        await pilot.press("f5")
        await choose_in_terminal(pilot, app, MAIN_HUB)
        verdict = static_text(app, "#verdict")
        assert "HubSpot does not know this Client ID" in verdict
        assert "Copy the Client ID again" in verdict
        assert "BAD_CLIENT_ID" in verdict
        assert not app.service.profile.accounts


async def test_unknown_client_id_error_page_in_chooser(tmp_path: Path) -> None:
    """Authorizing with a Client ID no app has: the authorize page's error is shown, no crash."""
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure(client_id="00000000-0000-4000-8000-000000000000")
        app = env.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await start_authorize(pilot, app)
            await pilot.press("o")
            await wait_until(
                pilot,
                lambda: "no app has the client ID" in static_text(app, "#chooser-error"),
                what="the chooser error",
            )
            await pilot.press("escape")
            await pilot.press("x")
            screen = oauth_screen(app)
            await wait_until(pilot, lambda: screen.attempt is None, what="cancel")
            assert "cancelled" in static_text(app, "#verdict").lower()


async def test_state_mismatch_paste_is_refused_inline(open_section: OpenSection) -> None:
    """A redirect URL from another attempt is refused with the state-mismatch message."""
    async with open_section(size=(80, 24), configured=True) as (env, app, pilot):
        await start_authorize(pilot, app)
        screen = oauth_screen(app)
        paste = screen.query_one("#paste", Input)
        paste.focus()
        paste.value = f"{env.redirect_uri}?code=na1-abcdef0123456789&state=not-this-attempt"
        await pilot.press("enter")
        await pilot.pause()
        note = static_text(app, "#paste-note")
        assert "state mismatch" in note
        assert "latest attempt" in note
        # The attempt keeps waiting: a good redirect could still arrive.
        assert screen.attempt is not None
        await pilot.press("escape")  # esc first cancels the attempt in flight
        await wait_until(pilot, lambda: screen.attempt is None, what="cancel")
        assert app.current_mode == "oauth"
