"""Credentials: client id and secret, redirect URLs, region, and the install-URL shortcut.

Every field is validated as you type, with the reason under it. The stored client secret is never
loaded into the field: an empty secret field means "keep the stored one", and the field is masked
unless the user presses the reveal key.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from tui.core.profile import DEFAULT_CALLBACK_PORT, AppConfig
from tui.core.settings_rules import (
    FIELD_LABELS,
    SettingsInput,
    SettingsOutcome,
    apply_settings,
)
from tui.core.user_errors import error_text
from tui.hubspot.models import Region
from tui.ui.screens.base import USER_ERRORS, SectionScreen, update, user_error
from tui.ui.widgets.field import FieldLabel, TrimmedInput

REGION_OPTIONS: list[tuple[str, Region]] = [
    ("NA — app.hubspot.com", Region.NA),
    ("EU — app-eu1.hubspot.com", Region.EU),
]
"""The region choices: the word and the authorize host, never a colour."""

FORM_FIELDS: dict[str, str] = {
    "client_id": "client-id",
    "client_secret": "client-secret",
    "partner_id": "partner-id",
    "callback_port": "callback-port",
}
"""Settings field (see `tui.core.settings_rules`) → the id of the input that holds it."""

INSTALL_URL_HINT = "optional: fills client id, redirect URL and scopes at once"

STORED_SECRET_HINT = "secret stored (••••••••) — leave empty to keep it"


def _field(label: str, widget: Widget, note_id: str, *extra: Widget) -> Horizontal:
    """A label column, then the input with its note (reason / preview) under it."""
    return Horizontal(
        FieldLabel(label, classes="field-label"),
        Vertical(
            widget, Static("", id=note_id, classes="field-note"), *extra, classes="field-main"
        ),
        classes="field",
    )


def _ok(text: str) -> Content:
    return Content.styled(f"✔ {text}", "$text-success")


def _bad(text: str) -> Content:
    return Content.styled(f"✖ {text}", "$text-error")


def _dim(text: str) -> Content:
    return Content.styled(text, "$foreground-muted")


class CredentialsScreen(SectionScreen):
    """Enter the app's credentials and redirect settings; ctrl+s saves."""

    SECTION = "credentials"
    AUTO_FOCUS = "#client-id"
    HELP = (
        "Copy the **Client ID** and **Client secret** from your HubSpot app's *Auth* tab. "
        "Register the redirect URL shown under *Callback port* on the app (ctrl+y copies it). "
        "Pasting the app's *sample install URL* fills the client id, redirect and scopes at once. "
        "An empty secret field keeps the stored secret."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+r", "reveal", "Reveal", priority=True),
        Binding("ctrl+y", "copy_redirect", "Copy redirect URL", priority=True),
        Binding("ctrl+o", "copy_partner", "Copy partner URL", show=False, priority=True),
        # Input binds ctrl+d to "delete right": this must win while a field has focus.
        Binding("ctrl+d", "fill_demo", "Demo", priority=True),
    ]

    def __init__(self) -> None:
        """Build the form (filled from the service once the profile is loaded)."""
        super().__init__()
        self._dirty = False
        self._filled = False
        self._redirect_override: str | None = None
        self._pending_scopes: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def compose_body(self) -> ComposeResult:
        """The form."""
        with VerticalScroll(id="credentials-form"):
            yield Static("", id="demo-hint", markup=False)
            yield _field(
                "Client ID",
                TrimmedInput(placeholder="36-character Client ID", id="client-id", compact=True),
                "client-id-note",
            )
            yield _field(
                "Client secret",
                TrimmedInput(
                    placeholder="Client secret (ctrl+r reveals)",
                    password=True,
                    id="client-secret",
                    compact=True,
                ),
                "client-secret-note",
            )
            yield _field(
                "Partner id",
                TrimmedInput(
                    placeholder="PartnerIdentifier host (optional)", id="partner-id", compact=True
                ),
                "partner-id-note",
            )
            yield _field(
                "Callback port",
                TrimmedInput(
                    placeholder=str(DEFAULT_CALLBACK_PORT),
                    id="callback-port",
                    restrict=r"[0-9]*",
                    max_length=5,
                    compact=True,
                ),
                "callback-port-note",
            )
            with Horizontal(classes="field"):
                yield FieldLabel("Region", classes="field-label")
                yield Select[Region](
                    REGION_OPTIONS, value=Region.NA, allow_blank=False, id="region", compact=True
                )
            yield _field(
                "Install URL",
                TrimmedInput(
                    placeholder="paste the app's sample install URL", id="install-url", compact=True
                ),
                "install-url-note",
            )
            yield Static("", id="credentials-result")

    # ------------------------------------------------------------- filling

    def refresh_from_service(self) -> None:
        """Fill the form from the stored settings unless the user is editing it."""
        if not self.hub_app.loaded:
            return
        demo = self.hub_app.demo
        hint = self.query_one("#demo-hint", Static)
        hint.display = demo is not None
        if demo is not None:
            # One line at 80 columns: the demo Client ID is always 36 characters.
            hint.update(f"Demo: ctrl+d fills Client ID {demo.client_id} + secret")
        if not self._dirty:
            self._fill(self.service.profile.app)
        if not self._value("install-url").strip():
            self._note("install-url-note", _dim(INSTALL_URL_HINT))
        self._validate_all()

    def _fill(self, app: AppConfig) -> None:
        """Put stored settings in the fields (never the secret) without marking them edited."""
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#client-id", Input).value = app.client_id
            self.query_one("#client-secret", Input).value = ""
            self.query_one("#partner-id", Input).value = app.partner_id
            self.query_one("#callback-port", Input).value = str(app.callback_port)
            self._region().value = app.region
        self._redirect_override = None
        self._pending_scopes = None
        self._filled = True

    # ----------------------------------------------------------- validation

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        # The last save's outcome no longer describes the form once it is edited.
        update(self.query_one("#credentials-result", Static), "")
        if event.input.id == "install-url":
            self._apply_install_url(event.value)
            return
        self._dirty = True
        self._validate_all()

    @on(Select.Changed, "#region")
    def _region_changed(self) -> None:
        self._dirty = True

    def _region(self) -> Select[Region]:
        return self.query_one("#region", Select)

    def _value(self, widget_id: str) -> str:
        """A field's text without surrounding whitespace (what is checked and saved)."""
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _note(self, note_id: str, content: Content | str) -> None:
        update(self.query_one(f"#{note_id}", Static), content)

    def _typed(self) -> SettingsInput:
        """The form as `apply_settings` input (the empty secret field means "keep the stored")."""
        return SettingsInput(
            client_id=self._value("client-id"),
            client_secret=self._value("client-secret") or None,
            partner_id=self._value("partner-id"),
            callback_port=self._value("callback-port"),
            region=str(self._region().value),
            scopes=self._pending_scopes[0] if self._pending_scopes else None,
            optional_scopes=self._pending_scopes[1] if self._pending_scopes else None,
        )

    def _base(self) -> AppConfig:
        """The stored settings, with a redirect URL taken from a pasted install URL."""
        base = self.service.profile.app if self.hub_app.loaded else AppConfig()
        if self._redirect_override is not None:
            base = replace(base, redirect_uri=self._redirect_override)
        return base

    def outcome(self) -> SettingsOutcome:
        """What saving the form now would do (the rules both faces share)."""
        return apply_settings(self._base(), self._typed())

    def problems(self) -> dict[str, str]:
        """Field id → reason, for every field that cannot be saved as typed."""
        found: dict[str, str] = {}
        for refusal in self.outcome().refusals:
            found[FORM_FIELDS.get(refusal.field, refusal.field.replace("_", "-"))] = refusal.reason
        if not self._value("client-secret") and not (
            self.hub_app.loaded and self.service.has_client_secret
        ):
            found["client-secret"] = "required: copy it from your app's Auth tab"
        if not self._value("client-id").strip():
            found["client-id"] = "required: the app's Client ID (Auth tab)"
        return found

    def _validate_all(self) -> None:
        problems = self.problems()
        client_id = self._value("client-id")
        if "client-id" in problems:
            self._note(
                "client-id-note",
                _bad(problems["client-id"])
                if client_id
                else _dim("required: the app's Client ID (Auth tab)"),
            )
        else:
            self._note("client-id-note", _ok("looks like a Client ID"))
        secret = self._value("client-secret")
        if "client-secret" in problems:
            self._note(
                "client-secret-note",
                _bad(problems["client-secret"]) if secret else _dim(problems["client-secret"]),
            )
        elif secret:
            self._note("client-secret-note", _ok("new secret (masked; ctrl+r reveals)"))
        else:
            self._note("client-secret-note", _dim(STORED_SECRET_HINT))
        preview = self.preview_config()
        if "partner-id" in problems:
            self._note("partner-id-note", _bad(problems["partner-id"]))
        elif preview.partner_redirect_uri:
            self._note(
                "partner-id-note",
                Content.assemble(
                    _dim("Platform redirect URL: "),
                    Content(preview.partner_redirect_uri),
                    _dim("  (ctrl+o copy)"),
                ),
            )
        else:
            self._note("partner-id-note", _dim("optional: gives the platform's redirect URL"))
        if "callback-port" in problems:
            self._note("callback-port-note", _bad(problems["callback-port"]))
        else:
            self._note(
                "callback-port-note",
                Content.assemble(
                    _dim("This tool's redirect URL: "),
                    Content(preview.effective_redirect_uri),
                    _dim("  (ctrl+y copy)"),
                ),
            )

    def preview_config(self) -> AppConfig:
        """The settings as typed (invalid fields fall back to the stored values)."""
        typed = self._typed()
        refused = {r.field for r in apply_settings(self._base(), typed).refusals}
        kept = replace(typed, **{name: None for name in refused if hasattr(typed, name)})
        return apply_settings(self._base(), kept).app

    # ---------------------------------------------------------- install URL

    def _apply_install_url(self, text: str) -> None:
        """Fill the form from a pasted install URL: every value checked first, all or nothing."""
        if not text.strip():
            self._note("install-url-note", _dim(INSTALL_URL_HINT))
            return
        outcome = apply_settings(self.preview_config(), SettingsInput(install_url=text))
        if not outcome.ok:
            refused = "; ".join(r.text for r in outcome.refusals)
            self._note("install-url-note", _bad(f"Not used — {refused}"))
            return
        app = outcome.app
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#client-id", Input).value = app.client_id
            self.query_one("#partner-id", Input).value = app.partner_id
            self.query_one("#callback-port", Input).value = str(app.callback_port)
            self._region().value = app.region
        self._redirect_override = app.redirect_uri
        changed = {change.field for change in outcome.changes}
        if changed & {"scopes", "optional_scopes"}:
            self._pending_scopes = (app.scopes, app.optional_scopes)
        if outcome.hub_pin is not None:
            self.hub_app.suggested_pin = outcome.hub_pin
        self._dirty = True
        filled = outcome.summary() or "nothing new (the form already says the same)"
        self._note("install-url-note", _ok(f"Filled: {filled} — ctrl+s saves"))
        self._validate_all()

    # ----------------------------------------------------------------- keys

    def action_reveal(self) -> None:
        """Toggle the secret field between masked and readable."""
        secret = self.query_one("#client-secret", Input)
        secret.password = not secret.password
        self.notify("Secret shown — ctrl+r hides it" if not secret.password else "Secret hidden")

    def on_screen_suspend(self) -> None:
        """Leaving the screen always masks the secret again."""
        self.query_one("#client-secret", Input).password = True

    def action_copy_redirect(self) -> None:
        """Copy this tool's redirect URL (OSC 52)."""
        uri = self.preview_config().effective_redirect_uri
        self.app.copy_to_clipboard(uri)
        self.notify(f"Copied {uri}", markup=False)

    def action_copy_partner(self) -> None:
        """Copy the platform's redirect URL (OSC 52)."""
        uri = self.preview_config().partner_redirect_uri
        if not uri:
            self.notify("Enter the Partner id first.", severity="warning")
            return
        self.app.copy_to_clipboard(uri)
        self.notify(f"Copied {uri}", markup=False)

    def action_fill_demo(self) -> None:
        """Demo mode: fill the sandbox app's client id and secret (the secret stays masked)."""
        demo = self.hub_app.demo
        if demo is None:
            self.notify("Not in demo mode: there are no demo credentials.", severity="warning")
            return
        secret = self.query_one("#client-secret", Input)
        secret.password = True
        with self.prevent(Input.Changed):
            self.query_one("#client-id", Input).value = demo.client_id
            secret.value = demo.client_secret
        self._dirty = True
        self._validate_all()
        update(
            self.query_one("#credentials-result", Static),
            _dim("Demo credentials filled (the secret stays masked) — ctrl+s saves"),
        )

    def action_save(self) -> None:
        """Validate and store the settings (in a worker)."""
        if not self.hub_app.loaded:
            return
        problems = self.problems()
        if problems:
            first = next(iter(problems))
            name = next((f for f, i in FORM_FIELDS.items() if i == first), first)
            label = FIELD_LABELS.get(name, first.replace("-", " "))
            text = f"Can't save — {label}: {problems[first]}"
            self.query_one("#credentials-result", Static).update(_bad(text))
            self.notify(text, severity="error", markup=False)
            if first in FORM_FIELDS.values():
                self.query_one(f"#{first}", Input).focus()
            return
        outcome = self.outcome()
        self._save(outcome.app, outcome.client_secret)

    @work(exclusive=True, group="save-credentials", exit_on_error=False)
    async def _save(self, config: AppConfig, secret: str | None) -> None:
        result = self.query_one("#credentials-result", Static)
        result.update(_dim("Saving…"))
        try:
            await self.service.save_app(config, secret)
        except USER_ERRORS as exc:
            err = user_error(exc)
            result.update(_bad(error_text(err)))
            self.notify(err.message, title="Not saved", severity="error", markup=False)
            return
        self._dirty = False
        with self.prevent(Input.Changed):
            self.query_one("#install-url", Input).value = ""
        self._note("install-url-note", _dim(INSTALL_URL_HINT))
        if config.scopes_confirmed:
            message = "Saved. Next: press F5 to authorize."
        else:
            message = "Saved. Next: press F4 to confirm the scopes."
        # Said once, on the result line under the form: a toast would repeat it and then linger
        # over the next section's lists.
        result.update(_ok(message))
        self.hub_app.changed()
