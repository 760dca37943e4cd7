"""The dashboard's own commands in the Ctrl+P palette (Textual's system commands follow them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from tui.ui.messages import AuthorizeRequested

if TYPE_CHECKING:
    from tui.ui.app import HubSpotApp

SECTION_TITLES: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("credentials", "Credentials"),
    ("scopes", "Scopes"),
    ("oauth", "OAuth"),
    ("accounts", "Accounts"),
)
"""Each section's mode and title, in the order the palette offers "Go to …"."""


def app_commands(app: HubSpotApp) -> Iterator[SystemCommand]:
    """Authorize, re-check, refresh, copy the redirect URL, go to a section, show the keys."""

    def authorize() -> None:
        app.post_message(AuthorizeRequested(None))

    def copy_redirect() -> None:
        uri = app.service.profile.app.effective_redirect_uri
        app.copy_to_clipboard(uri)
        app.notify(f"Copied {uri}", markup=False)

    def goto(mode: str) -> Callable[[], None]:
        return lambda: app.action_switch_section(mode)

    yield SystemCommand("Authorize", "Start an authorization (F5)", authorize)
    yield SystemCommand(
        "Re-check all accounts", "Probe every account live", lambda: app.recheck(None)
    )
    active = app.service.profile.active_hub_id if app.loaded else None
    if active is not None:
        yield SystemCommand(
            "Re-check active account", f"Probe {active} live", lambda: app.recheck(active)
        )
        yield SystemCommand(
            "Refresh token now",
            f"Refresh {active}'s access token",
            lambda: app.start_refresh(active, force=True),
        )
    if app.loaded:
        yield SystemCommand(
            "Copy redirect URL",
            "Copy this tool's redirect URL (register it on your HubSpot app)",
            copy_redirect,
        )
    for mode, title in SECTION_TITLES:
        yield SystemCommand(f"Go to {title}", f"Show the {title} section", goto(mode))
    yield SystemCommand("Keys", "Show every key", app.action_help)
