"""The same inputs through both faces — `hubspot-tui configure` and the Credentials/Scopes
screens — must end the same way: saved or refused, the same stored values, the same reason.

Each row of `CASES` is one disagreement issue 8 found between the two faces (or one input-error
rule of issue 10). The CLI runs as a real `python -m tui` process; the screen is driven with
Textual's Pilot on the real app; both start from the same stored, valid profile.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.app_helpers import Env, sandbox_env, screen_text, settle
from tui.core.profile import DEFAULT_OPTIONAL_SCOPES, DEFAULT_REQUIRED_SCOPES, AppConfig
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot.models import CheckState
from tui.sandbox import DEMO_APP
from tui.ui.app import HubSpotApp
from tui.ui.screens.scopes import ScopesScreen

ROOT = Path(__file__).resolve().parent.parent
OTHER_ID = "11111111-2222-3333-4444-555555555555"
AUTHORIZE = "https://app.hubspot.com/oauth/authorize"
PAID = ("crm.objects.products.read", "crm.objects.line_items.read")


@dataclass(frozen=True)
class Case:
    """One input, given to both faces.

    `given` is what the user supplies: `install_url`, `client_id`, `port`, or `scopes` (a pair of
    required/optional lists, optional None = leave it). `expect` holds AppConfig field values
    after the attempt; `gist` is a phrase both faces must show.
    """

    name: str
    given: dict[str, object]
    saved: bool
    gist: str
    expect: dict[str, object] = field(default_factory=dict)


CASES = [
    Case(
        "install URL with a malformed client id changes nothing",
        {"install_url": f"{AUTHORIZE}?client_id=abc"},
        saved=False,
        gist="3 characters, expected 36",  # CLI: next: copy the Sample install URL
        expect={
            "client_id": DEMO_APP.client_id,
            "scopes": DEFAULT_REQUIRED_SCOPES,
            "optional_scopes": DEFAULT_OPTIONAL_SCOPES,
        },
    ),
    Case(
        "install URL: EU host, 127.0.0.1 redirect, no scopes (lists kept)",
        {
            "install_url": f"https://app-eu1.hubspot.com/oauth/authorize?client_id={OTHER_ID}"
            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9555%2Foauth-callback"
        },
        saved=True,
        gist="port 9555",
        expect={
            "client_id": OTHER_ID,
            "callback_port": 9555,
            "redirect_uri": "",
            "region": "eu",
            "scopes": DEFAULT_REQUIRED_SCOPES,
            "optional_scopes": DEFAULT_OPTIONAL_SCOPES,
        },
    ),
    Case(
        "install URL: the platform's connector callback becomes the partner id",
        {
            "install_url": f"{AUTHORIZE}?client_id={OTHER_ID}"
            "&redirect_uri=https%3A%2F%2Fconnect.example.com%2Fconnector%2Fcallback"
            "&scope=oauth%20crm.objects.deals.read&optional_scope=crm.objects.products.read"
        },
        saved=True,
        gist="partner id connect.example.com",
        expect={
            "partner_id": "connect.example.com",
            "redirect_uri": "",
            "scopes": ("oauth", "crm.objects.deals.read"),
            "optional_scopes": ("crm.objects.products.read",),
        },
    ),
    Case(
        "install URL with an unknown scope is refused",
        {"install_url": f"{AUTHORIZE}?client_id={OTHER_ID}&scope=oauth%20crm.objects.contact.read"},
        saved=False,
        gist="crm.objects.contact.read is not a known HubSpot scope",
        expect={"client_id": DEMO_APP.client_id, "scopes": DEFAULT_REQUIRED_SCOPES},
    ),
    Case(
        "an unknown scope is an error, nothing saved",
        {"scopes": (("oauth", "crm.objects.contact.read"), None)},
        saved=False,
        gist="crm.objects.contact.read is not a known HubSpot scope",
        expect={"scopes": DEFAULT_REQUIRED_SCOPES},
    ),
    Case(
        "a scope in both lists is required, said once, never a failing check",
        {"scopes": (("oauth", *PAID), None)},
        saved=True,
        gist="kept as required only",
        expect={
            "scopes": ("oauth", *PAID),
            "optional_scopes": tuple(s for s in DEFAULT_OPTIONAL_SCOPES if s not in PAID),
        },
    ),
    Case(
        "a port below 1024 is refused",
        {"port": "80"},
        saved=False,
        gist="must be between 1024 and 65535",
    ),
    Case(
        "a pasted client id is trimmed, not refused",
        {"client_id": f"  {OTHER_ID} "},
        saved=True,
        gist="",
        expect={"client_id": OTHER_ID},
    ),
]


def _cli_args(given: dict[str, object]) -> list[str]:
    if "install_url" in given:
        return ["--install-url", str(given["install_url"])]
    if "client_id" in given:
        return ["--client-id", str(given["client_id"])]
    if "port" in given:
        return ["--callback-port", str(given["port"])]
    required, optional = given["scopes"]  # type: ignore[misc]
    args = ["--scopes", " ".join(required)]
    return args if optional is None else [*args, "--optional-scopes", " ".join(optional)]


def _run_cli(config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUBSPOT_TUI_CONFIG_DIR": str(config_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )


async def _stored(config_dir: Path) -> AppConfig:
    service = InstallService(ProfileStore(config_dir))
    await service.load()
    await service.aclose()
    return service.profile.app


async def _through_cli(env: Env, case: Case) -> tuple[AppConfig, str, bool]:
    result = await asyncio.to_thread(_run_cli, env.config_dir, "configure", *_cli_args(case.given))
    assert "Traceback" not in result.stderr
    assert result.returncode == (0 if case.saved else 2), result.stderr
    status = await asyncio.to_thread(_run_cli, env.config_dir, "status", "--json")
    scopes_check = next(c for c in json.loads(status.stdout)["checks"] if c["id"] == "scopes")
    return await _stored(env.config_dir), result.stdout + result.stderr, scopes_check["state"]


async def _through_screen(app: HubSpotApp, case: Case) -> tuple[str, str]:
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        given = case.given
        if "scopes" in given:
            await pilot.press("f4")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ScopesScreen)
            required, optional = given["scopes"]  # type: ignore[misc]
            # The screen's own sets are the truth (its checklists share them): change in place.
            screen.required.clear()
            screen.required.update(required)
            if optional is not None:
                screen.optional.clear()
                screen.optional.update(optional)
            shown = ""
        else:
            await pilot.press("f3")
            await settle(pilot)
            widget_id, value = {
                "install_url": ("install-url", given.get("install_url")),
                "client_id": ("client-id", given.get("client_id")),
                "port": ("callback-port", given.get("port")),
            }[next(iter(given))]
            app.screen.query_one(f"#{widget_id}", Input).value = str(value)
            await pilot.pause()
            shown = screen_text(app)  # the note under the field, before saving
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown += "\n" + screen_text(app)
        # Toasts are part of what the user reads (rendered on a layer the text dump misses).
        shown += "\n" + "\n".join(str(n.message) for n in app._notifications)
        state = app.service.status().checks[2]
        assert state.id == "scopes"
        return shown, state.state.value


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_same_input_same_outcome_in_cli_and_screen(tmp_path: Path, case: Case) -> None:
    async with sandbox_env(tmp_path / "screen") as env:
        await env.preconfigure()
        cli_env = Env(sandbox=env.sandbox, config_dir=tmp_path / "cli", port=env.port)
        await cli_env.preconfigure()
        before = await _stored(env.config_dir)
        assert before == await _stored(cli_env.config_dir)

        cli_app, cli_said, cli_scopes = await _through_cli(cli_env, case)
        screen_said, screen_scopes = await _through_screen(env.app(), case)
        screen_app = await _stored(env.config_dir)

        assert cli_app == screen_app, f"the faces disagree:\n{cli_app}\n{screen_app}"
        assert (cli_app != before) is case.saved
        for name, value in case.expect.items():
            got = getattr(cli_app, name)
            if isinstance(value, tuple):  # scope lists: stored in catalogue order
                assert sorted(got) == sorted(value), name
            else:
                assert str(got) == str(value), name
        assert case.gist in cli_said, cli_said
        assert case.gist in screen_said, screen_said
        assert cli_scopes == screen_scopes != CheckState.FAIL.value


def test_status_never_suggests_an_unknown_scope(tmp_path: Path) -> None:
    """A profile holding an unknown scope (an older version saved it): the fix drops it."""
    config_dir = tmp_path / "cfg"
    store = ProfileStore(config_dir)

    def mutate(profile: object, secrets: object) -> None:
        from dataclasses import replace

        app = profile.app  # type: ignore[attr-defined]
        profile.app = replace(  # type: ignore[attr-defined]
            app, scopes=("crm.objects.contact.read", "oauth"), optional_scopes=("e-commerce",)
        )

    store.update("default", mutate)
    result = _run_cli(config_dir, "status", "--json")
    check = next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "scopes")
    assert check["state"] == "fail" and "crm.objects.contact.read" in check["detail"]
    assert "crm.objects.contact.read" not in check["fix"]
    assert "--scopes oauth --optional-scopes e-commerce" in check["fix"]
