"""The dashboard's connector sheet: one key from the READY Overview, OSC 52 copy per value, the
secret masked until revealed. Real app, real sandbox, real store (see app_helpers)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.app_helpers import (
    DEVELOPER_HUB,
    MAIN_HUB,
    authorize_without_ui,
    sandbox_env,
    screen_text,
    settle,
)
from tui.sandbox import DEMO_APP
from tui.ui.screens.connector import ConnectorScreen
from tui.ui.screens.overview import OverviewScreen

PARTNER = "acme.connect.example"


async def test_connector_sheet_copies_each_value_and_masks_the_secret(tmp_path: Path) -> None:
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        service = env.service()
        await service.load()
        await service.save_app(replace(service.profile.app, partner_id=PARTNER))
        await service.aclose()
        await authorize_without_ui(env, DEVELOPER_HUB, MAIN_HUB)
        app = env.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "READY" in text and "Press c for the connector sheet" in text

            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, ConnectorScreen)
            text = screen_text(app)
            assert DEMO_APP.client_id in text
            assert DEMO_APP.client_secret not in text and DEMO_APP.client_secret[-4:] in text
            assert f"https://{PARTNER}/connector/callback" in text
            assert "Acme Inc" in text and str(MAIN_HUB) in text

            copied = []
            for _ in range(6):
                await pilot.press("enter")
                await pilot.pause()
                copied.append(app.clipboard)
                await pilot.press("down")
            app_config = app.service.profile.app
            assert copied == [
                DEMO_APP.client_id,
                DEMO_APP.client_secret,  # copied, still not shown
                " ".join(app_config.scopes),
                " ".join(app_config.optional_scopes),
                f"https://{PARTNER}/connector/callback",
                str(MAIN_HUB),
            ]
            assert DEMO_APP.client_secret not in screen_text(app)

            await pilot.press("v")
            await pilot.pause()
            assert DEMO_APP.client_secret in screen_text(app)
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, OverviewScreen)
            # Back again: a new sheet, the secret masked again.
            await pilot.press("c")
            await pilot.pause()
            assert DEMO_APP.client_secret not in screen_text(app)


async def test_connector_sheet_says_what_is_missing(tmp_path: Path) -> None:
    async with sandbox_env(tmp_path) as env:
        await env.preconfigure()
        await authorize_without_ui(env, DEVELOPER_HUB)
        app = env.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await pilot.pause()
            text = screen_text(app)
            assert "Partner id missing" in text and "no MAIN account yet" in text
            for _ in range(4):
                await pilot.press("down")
            before = app.clipboard
            await pilot.press("enter")
            await pilot.pause()
            assert app.clipboard == before  # nothing to copy: a warning instead
