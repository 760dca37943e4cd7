"""The connector sheet: every value the integration platform's connector form asks for, to copy.

Reached with `c` from the Overview (pushed over it; `b`/Esc goes back). One row per value, in the
form's order; ↑/↓ pick a row and Enter (or `c`) copies its value with OSC 52, which works over
SSH too. The Client Secret is masked unless `v` reveals it, and copying it never shows it. What
is missing (no Partner id, no MAIN account yet) is said on its row with the key that fixes it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.core.connector import ConnectorSheet
from tui.hubspot.models import mask
from tui.ui.screens.base import SectionScreen, update
from tui.ui.widgets.field import FieldLabel

ROWS: tuple[tuple[str, str], ...] = (
    ("client_id", "Client ID"),
    ("client_secret", "Client Secret"),
    ("scopes", "Scopes"),
    ("optional_scopes", "Optional scopes"),
    ("redirect_url", "Redirect URL"),
    ("main_account", "Choose account"),
)
"""Row id and label, in the connector form's order."""


class SheetRow(Horizontal):
    """One value of the sheet: a label and its (wrapping) value; focusable, to copy it."""

    can_focus = True

    def __init__(self, row_id: str, label: str) -> None:
        """A row for `row_id`, shown as `label`."""
        super().__init__(id=f"sheet-{row_id}", classes="sheet-row")
        self.row_id = row_id
        self._label = label

    def compose(self) -> ComposeResult:
        """Label (`▶` while focused, so the cursor reads without colour), then the value."""
        yield FieldLabel(self._label, classes="sheet-label")
        yield Static("", classes="sheet-value", markup=False)

    def on_focus(self) -> None:
        """Mark the label."""
        self.query_one(FieldLabel).set_focused(True)

    def on_blur(self) -> None:
        """Unmark the label."""
        self.query_one(FieldLabel).set_focused(False)


class ConnectorScreen(SectionScreen):
    """The values to enter in the integration platform's connector form, each one copyable."""

    SECTION = "overview"  # a panel of the Overview: the nav bar keeps Overview highlighted
    HELP = (
        "The values the integration platform's connector form asks for, exactly as this app is "
        "configured. **↑/↓** pick a value, **Enter** or **c** copies it (OSC 52: the terminal "
        "puts it on your clipboard, over SSH too), **v** reveals the Client Secret, **b** goes "
        "back. Scopes are space-separated, in the app's order, as the platform wants them."
    )
    DEFAULT_CSS = """
    #connector-scroll { height: 1fr; padding: 0 1; }
    #connector-title { margin: 0 0 1 0; }
    .sheet-row { height: auto; padding: 0 1; }
    .sheet-row:focus { background: $boost; }
    .sheet-label { width: 19; }
    .sheet-value { width: 1fr; height: auto; }
    #connector-hint { margin: 1 0 0 0; color: $foreground-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "copy", "Copy", key_display="⏎/c"),
        Binding("c", "copy", "Copy", show=False),
        Binding("v", "reveal", "Reveal secret"),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next", show=False),
        Binding("b", "go_back", "Back"),
    ]

    revealed = False
    """True while the Client Secret is shown in clear (`v` toggles it; leaving masks it)."""

    def compose_body(self) -> ComposeResult:
        """Title, one row per value, the keys."""
        with VerticalScroll(id="connector-scroll"):
            yield Static("", id="connector-title")
            for row_id, label in ROWS:
                yield SheetRow(row_id, label)
            yield Static(
                "↑↓ pick a value · ⏎/c copy it · v reveal the secret · b back",
                id="connector-hint",
            )

    def on_mount(self) -> None:
        """Draw, then put the cursor on the first value."""
        super().on_mount()
        self.query_one("#sheet-client_id", SheetRow).focus()

    def on_screen_suspend(self) -> None:
        """Leaving the sheet (even for a moment) masks the secret again."""
        if self.revealed:
            self.revealed = False
            self.refresh_from_service()

    def sheet(self) -> ConnectorSheet | None:
        """The values as stored now, or None before the profile is read."""
        return self.service.connector_sheet() if self.hub_app.loaded else None

    def refresh_from_service(self) -> None:
        """Redraw every row from the stored profile (no I/O)."""
        title = self.query_one("#connector-title", Static)
        sheet = self.sheet()
        if sheet is None:
            update(title, "Loading profile…")
            return
        update(
            title,
            Content.assemble(
                Content.styled("Connector sheet", "bold"),
                Content.styled(
                    " — enter these in the integration platform's connector form",
                    "$foreground-muted",
                ),
            ),
        )
        for row_id, _ in ROWS:
            value = self.query_one(f"#sheet-{row_id} .sheet-value", Static)
            update(value, self._shown(sheet, row_id))

    def _shown(self, sheet: ConnectorSheet, row_id: str) -> Content:
        """What the row shows: the value (the secret masked), or what is missing and its key."""
        missing = "$text-warning"
        match row_id:
            case "client_id":
                if sheet.client_id:
                    return Content(sheet.client_id)
                return Content.styled("⚠ not set — press F3 to enter it", missing)
            case "client_secret":
                if not sheet.client_secret:
                    return Content.styled("⚠ not set — press F3 to enter it", missing)
                if self.revealed:
                    return Content(sheet.client_secret)
                return Content.assemble(
                    mask(sheet.client_secret), Content.styled("  (v reveals)", "$foreground-muted")
                )
            case "scopes":
                if sheet.scopes:
                    return Content(sheet.scopes_text)
                return Content.styled("⚠ none — press F4 to choose them", missing)
            case "optional_scopes":
                if sheet.optional_scopes:
                    return Content(sheet.optional_scopes_text)
                return Content.styled("(none)", "$foreground-muted")
            case "redirect_url":
                if sheet.redirect_url:
                    return Content(sheet.redirect_url)
                return Content.styled(
                    "⚠ Partner id missing — press F3 and enter the platform's PartnerIdentifier "
                    "to get https://{PartnerIdentifier}/connector/callback",
                    missing,
                )
        main = sheet.main_account
        if main is None:
            return Content.styled(
                "⚠ no MAIN account yet — press F5 and authorize the account with Products",
                missing,
            )
        return Content.assemble(
            Content.styled(main.name, "bold"),
            f" (Hub ID {main.hub_id})",
            Content.styled("  on HubSpot's Choose an Account screen", "$foreground-muted"),
        )

    def copy_value(self, row_id: str) -> tuple[str, str]:
        """(The text to copy, what to call it) for a row; ("", reason) when there is none."""
        sheet = self.sheet()
        if sheet is None:
            return "", "The profile is still loading"
        label = dict(ROWS)[row_id]
        values = {
            "client_id": sheet.client_id,
            "client_secret": sheet.client_secret,
            "scopes": sheet.scopes_text,
            "optional_scopes": sheet.optional_scopes_text,
            "redirect_url": sheet.redirect_url,
            "main_account": str(sheet.main_account.hub_id) if sheet.main_account else "",
        }
        if not values[row_id]:
            return "", f"{label}: nothing to copy yet"
        if row_id == "main_account":
            label = "the MAIN account's Hub ID"
        return values[row_id], label

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Back always works here (this panel sits over the Overview)."""
        if action == "go_back":
            return True
        return super().check_action(action, parameters)

    def action_copy(self) -> None:
        """Copy the highlighted value (OSC 52); the secret is copied, never shown."""
        row = self.focused if isinstance(self.focused, SheetRow) else None
        if row is None:
            return
        text, label = self.copy_value(row.row_id)
        if not text:
            self.notify(label, severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(text)
        if row.row_id == "client_secret":
            self.notify("Copied the Client Secret (not shown)", markup=False)
        else:
            self.notify(f"Copied {label}", markup=False)

    def action_reveal(self) -> None:
        """Show or mask the Client Secret."""
        self.revealed = not self.revealed
        self.refresh_from_service()

    def action_move(self, step: int) -> None:
        """Highlight the previous or next value."""
        if step < 0:
            self.focus_previous(SheetRow)
        else:
            self.focus_next(SheetRow)
