"""OAuth: authorize the app, racing the loopback listener against a pasted redirect URL.

One exclusive worker runs the whole attempt (`start_login` then `finish_login`). The authorize URL
is shown whole (and as an OSC 8 link), copyable over SSH (OSC 52), and opened in a browser only on
request. Over SSH the screen shows the `ssh -L` line and explains the "can't connect" page.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import webbrowser
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from tui.core.login import LoginAttempt, StepEvent
from tui.core.loopback import is_loopback_redirect, redirect_port, ssh_tunnel_command
from tui.core.user_errors import error_text
from tui.hubspot import validate
from tui.hubspot.errors import CallbackError, HubSpotError
from tui.ui.screens import oauth_text
from tui.ui.screens.base import USER_ERRORS, SectionScreen, user_error
from tui.ui.screens.chooser import Choice, ChooserScreen
from tui.ui.screens.oauth_text import LoginOutcome, error_line
from tui.ui.widgets.countdown import Countdown
from tui.ui.widgets.field import FieldLabel, TrimmedInput, trimmed_paste
from tui.ui.widgets.timeline import LoginTimeline
from tui.ui.widgets.verdict import Tone

SSH_OPEN_WINDOW = 8.0
"""Seconds within which a second `o` confirms opening a browser on the remote host."""


class OAuthScreen(SectionScreen):
    """Authorize, watch the timeline, and read the verdict."""

    SECTION = "oauth"
    HELP = (
        "**ctrl+l** (or enter) builds a fresh authorize URL and starts listening. Open the URL in "
        "the browser where you are signed in to HubSpot, pick your **MAIN** account, and approve. "
        "The redirect comes back to the listener, or paste the address the browser ends on. "
        "*Pin to account* builds `/oauth/{hubId}/authorize` so only that account is offered: "
        "the section opens on it, so type the hub id and press enter. While a login waits no "
        "field has focus: `o` opens, `x` cancels, `v` goes to the paste box."
    )
    AUTO_FOCUS = "#pin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+l", "authorize", "Authorize", priority=True),
        Binding("enter", "authorize", "Authorize", show=False),
        Binding("o", "open", "Open/choose"),
        Binding("ctrl+y", "copy_url", "Copy URL", priority=True),
        Binding("x", "cancel", "Cancel"),
        Binding("ctrl+t", "copy_tunnel", "Copy ssh -L", show=False, priority=True),
        Binding("v", "focus_paste", "Paste URL", show=False),
    ]

    def __init__(self) -> None:
        """Build the idle screen."""
        super().__init__()
        self.attempt: LoginAttempt | None = None
        """The authorization in flight, or None."""
        self.url = ""
        """The latest authorize URL (kept after the attempt ends, for copying)."""
        self.tunnel = ""
        """The `ssh -L` command shown over SSH, or empty."""
        self._login_worker: Worker[None] | None = None
        self._ssh_open_armed = 0.0
        self._accepted_paste = ""
        """The redirect URL last taken from the paste field (Enter on it again does nothing)."""

    def compose_body(self) -> ComposeResult:
        """Pin, state, URL, listener, SSH help, paste, timeline and verdict."""
        with VerticalScroll(id="oauth-scroll"):
            with Horizontal(classes="field"):
                yield FieldLabel("Pin to account", classes="field-label")
                with Vertical(classes="field-main"):
                    yield TrimmedInput(
                        placeholder="hub id (optional), e.g. 44120003",
                        id="pin",
                        restrict=r"[0-9]*",
                        max_length=19,
                        compact=True,
                    )
                    yield Static("", id="pin-note", classes="field-note")
            with Horizontal(id="oauth-state-line"):
                yield Static("", id="oauth-state")
                yield Countdown(
                    "expires in",
                    hide_when_idle=True,
                    clock=self.service.now,
                    id="attempt-countdown",
                )
            yield Static("", id="auth-url-label")
            yield Static("", id="auth-url", markup=False)
            yield Static("", id="listener")
            yield Static("", id="ssh-help", markup=False)
            with Horizontal(classes="field"):
                yield FieldLabel("Redirected URL", classes="field-label")
                with Vertical(classes="field-main"):
                    yield TrimmedInput(
                        placeholder="paste the address the browser ended on",
                        id="paste",
                        compact=True,
                    )
                    yield Static("", id="paste-note", classes="field-note")
            yield Static("", id="verdict")
            yield LoginTimeline(id="timeline")

    def on_mount(self) -> None:
        """Draw the idle state."""
        super().on_mount()
        self._show_idle()
        self._paste_note("")
        self._describe_pin(self.query_one("#pin", Input).value.strip())

    def refresh_from_service(self) -> None:
        """Nothing stored is shown here except through the attempt; keep the pin suggestion."""
        if not self.hub_app.loaded:
            return
        self._suggest_pin()

    def on_screen_resume(self) -> None:
        """Offer the hub id from a pasted install URL as the pin."""
        super().on_screen_resume()
        if self.is_mounted:
            self._suggest_pin()

    def focus_on_return(self) -> None:
        """Idle: the Pin field (digits are a hub id, enter authorizes). A login waiting: no
        field, so `o` opens, `x` cancels and `v` goes to the paste box."""
        if self.attempt is None:
            self.query_one("#pin", Input).focus()
        elif self.input_focused():
            self.set_focus(None)

    def _suggest_pin(self) -> None:
        pin = self.query_one("#pin", Input)
        if not pin.value and self.hub_app.suggested_pin is not None:
            pin.value = str(self.hub_app.suggested_pin)

    # ------------------------------------------------------------- display

    def _show_idle(self) -> None:
        self._state("Press ctrl+l (or enter) to authorize — nothing opens by itself.")
        self._show_url_block(False)
        self._verdict("")

    def _verdict(self, content: Content | str, tone: Tone | None = None) -> None:
        """Show the verdict; its tone tints the bar on its left (the glyphs carry the meaning)."""
        verdict = self.query_one("#verdict", Static)
        verdict.update(content)
        for name in ("good", "warn", "bad"):
            verdict.set_class(tone == name, f"-{name}")
        verdict.display = bool(content.plain if isinstance(content, Content) else content)

    def _show_url_block(self, show: bool) -> None:
        """The URL, listener and SSH lines only make sense while an attempt waits."""
        for selector in ("#auth-url-label", "#auth-url", "#listener"):
            self.query_one(selector).display = show
        if not show:
            self.query_one("#ssh-help").display = False

    def _state(self, text: str | Content) -> None:
        self.query_one("#oauth-state", Static).update(text)

    def _show_attempt(self, attempt: LoginAttempt) -> None:
        self.url = attempt.url
        self._show_url_block(True)
        self._state(oauth_text.waiting_state(attempt))
        self.query_one("#attempt-countdown", Countdown).set_deadline(attempt.deadline)
        demo = self.hub_app.demo is not None
        self.query_one("#auth-url-label", Static).update(oauth_text.url_label(demo=demo))
        self.query_one("#auth-url", Static).update(oauth_text.url_link(attempt.url))
        self.query_one("#listener", Static).update(oauth_text.listener_line(attempt))
        self._show_ssh_help(attempt)

    def _show_ssh_help(self, attempt: LoginAttempt) -> None:
        help_line = self.query_one("#ssh-help", Static)
        help_line.display = self.hub_app.ssh and is_loopback_redirect(attempt.redirect_uri)
        if not help_line.display:
            return
        self.tunnel = ssh_tunnel_command(redirect_port(attempt.redirect_uri) or 80)
        help_line.update(oauth_text.ssh_help(self.tunnel))

    def _show_outcome(self, outcome: LoginOutcome) -> None:
        """How the login ended: the state line, the verdict and (unless cancelled) a notice."""
        self._state(outcome.state)
        self._verdict(outcome.verdict, outcome.tone)
        if outcome.notice:
            self.notify(
                outcome.notice,
                title="Authorize",
                severity=outcome.severity,
                timeout=outcome.timeout,
                markup=outcome.markup,
            )

    def _on_step(self, event: StepEvent) -> None:
        """Called by `finish_login` on this loop as each step is reached."""
        self.query_one("#timeline", LoginTimeline).record(event)
        state = oauth_text.STEP_STATES.get(event.step)
        if state is not None:
            self._state(Content.styled(state, "bold"))

    # ------------------------------------------------------------ the flow

    def start_authorize(self, pin: int | None = None, *, set_pin: bool = False) -> None:
        """Start a fresh authorization (cancelling one in flight)."""
        pin_input = self.query_one("#pin", Input)
        if set_pin:
            pin_input.value = "" if pin is None else str(pin)
        else:
            text = pin_input.value.strip()
            if text:
                problem = validate.hub_id_problem(text)
                if problem:
                    self._pin_note(error_line(f"✖ {problem}"))
                    pin_input.focus()
                    return
                pin = int(text)
            else:
                pin = None
        if self.attempt is not None:
            self.attempt.cancel()
        self._login_worker = self._login(pin, self._login_worker)

    def _pin_note(self, content: Content | str) -> None:
        self.query_one("#pin-note", Static).update(content)

    def _describe_pin(self, text: str) -> None:
        """The note under the pin field: what an empty or filled pin does, or why it is wrong."""
        problem = validate.hub_id_problem(text) if text else None
        self._pin_note(oauth_text.pin_note(text, problem))

    def _paste_note(self, content: Content | str) -> None:
        """The note under the paste field; it takes no room while there is nothing to say."""
        note = self.query_one("#paste-note", Static)
        note.update(content)
        note.display = bool(content.plain if isinstance(content, Content) else content)

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _login(self, pin: int | None, previous: Worker[None] | None) -> None:
        if previous is not None and previous.is_running:
            # Let the previous attempt close its listener before this one binds the same port.
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await previous.wait()
        timeline = self.query_one("#timeline", LoginTimeline)
        verdict = self.query_one("#verdict", Static)
        timeline.reset()
        self._verdict("")
        self._paste_note("")
        with self.prevent(Input.Changed):
            self.query_one("#paste", Input).value = ""
        self._state("⟳ Building the authorize URL…")
        try:
            attempt = await self.service.start_login(hub_id=pin)
        except USER_ERRORS as caught:
            timeline.stop()
            self._show_outcome(oauth_text.could_not_start(user_error(caught)))
            return
        self.attempt = attempt
        self._accepted_paste = ""
        if self.input_focused():
            # Leave the pin (or paste) field so o / x / v act at once instead of being typed.
            self.set_focus(None)
        self._show_attempt(attempt)
        self.refresh_bindings()
        try:
            report = await self.service.finish_login(attempt, self._on_step)
        except CallbackError as exc:
            self._show_outcome(oauth_text.login_failed(exc, cancelled=exc.code == "CANCELLED"))
        except USER_ERRORS as caught:
            # A store write failing after the exchange lands here too (never a traceback).
            self._show_outcome(oauth_text.login_failed(user_error(caught)))
        except asyncio.CancelledError:
            attempt.cancel()
            raise
        else:
            self._show_outcome(oauth_text.authorized(report))
        finally:
            timeline.stop()
            self.attempt = None
            self.query_one("#attempt-countdown", Countdown).set_deadline(None)
            self._show_url_block(False)
            verdict.scroll_visible(animate=False)
            if self.focused is None:
                # What comes next is a new login (pinned, perhaps): the Pin field. After a paste
                # the paste box keeps focus, so the Enter that follows a paste does nothing.
                self.query_one("#pin", Input).focus(scroll_visible=False)
            self.refresh_bindings()
            self.hub_app.changed()

    # --------------------------------------------------------------- paste

    @on(Input.Submitted, "#paste")
    def _paste_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self._accepted_paste:
            return  # already taken when it was pasted: the Enter after a paste does no harm
        self.offer_paste(event.value)

    @on(Input.Changed, "#paste")
    def _paste_changed(self, event: Input.Changed) -> None:
        # A terminal paste arrives as one change: take a whole redirect URL at once.
        text = event.value.strip()
        if text == self._accepted_paste:
            return
        if ("code=" in text or "error=" in text) and "state=" in text:
            self.offer_paste(text)
        else:
            self._paste_note("")  # an edit makes the last note stale

    @on(Input.Submitted, "#pin")
    def _pin_submitted(self) -> None:
        self.start_authorize()

    @on(Input.Changed, "#pin")
    def _pin_changed(self, event: Input.Changed) -> None:
        self._describe_pin(event.value.strip())

    def on_paste(self, event: events.Paste) -> None:
        """A paste with no text field focused goes to the redirect URL field."""
        if self.attempt is not None and not self.input_focused():
            event.stop()
            text = trimmed_paste(event.text)
            paste = self.query_one("#paste", Input)
            with self.prevent(Input.Changed):
                paste.value = text
            # Focus it, so that an Enter after the paste lands there (and does nothing).
            self.set_focus(paste)
            self.offer_paste(text)

    def offer_paste(self, text: str) -> None:
        """Give a pasted redirect URL (or bare code) to the attempt; errors show inline."""
        note = self._paste_note
        if not text.strip():
            return
        if self.attempt is None:
            note(error_line("✖ No authorization is waiting: press ctrl+l first."))
            return
        try:
            self.attempt.offer_paste(text)
        except HubSpotError as exc:
            note(error_line(f"✖ {error_text(exc)}"))
            return
        self._accepted_paste = text.strip()
        note(Content.styled("✔ Pasted URL accepted — exchanging the code…", "$text-success"))

    # ----------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply right now."""
        if action == "cancel":
            return self.attempt is not None
        if action == "open":
            return self.attempt is not None
        if action == "copy_url":
            return bool(self.url)
        return super().check_action(action, parameters)

    def action_authorize(self) -> None:
        """Start (or restart) an authorization."""
        if not self.hub_app.loaded:
            return
        self.start_authorize()

    def action_cancel(self) -> None:
        """Abandon the authorization in flight."""
        if self.attempt is not None:
            self.attempt.cancel()

    def action_go_back(self) -> None:
        """Esc first cancels an attempt in flight, then goes back."""
        if self.attempt is not None:
            self.attempt.cancel()
            return
        super().action_go_back()

    def action_focus_paste(self) -> None:
        """Focus the redirected-URL field."""
        self.query_one("#paste", Input).focus()

    def action_copy_url(self) -> None:
        """Copy the authorize URL (OSC 52)."""
        if self.url:
            self.app.copy_to_clipboard(self.url)
            self.notify("Authorize URL copied")

    def action_copy_tunnel(self) -> None:
        """Copy the `ssh -L` port-forward command (OSC 52)."""
        if self.tunnel:
            self.app.copy_to_clipboard(self.tunnel)
            self.notify("ssh -L command copied", timeout=3)
        else:
            self.notify("Not over SSH: no tunnel needed.", timeout=3)

    def action_open(self) -> None:
        """Open the authorize URL: the in-terminal chooser in demo mode, else a browser."""
        attempt = self.attempt
        if attempt is None:
            self.notify("Press ctrl+l to start an authorization first.", severity="warning")
            return
        if self.hub_app.demo is not None:
            self._open_chooser(attempt)
            return
        if self.hub_app.ssh and time.monotonic() - self._ssh_open_armed > SSH_OPEN_WINDOW:
            self._ssh_open_armed = time.monotonic()
            self.notify(
                "Over SSH a browser would open on the REMOTE host, not your machine. Copy the URL "
                "(ctrl+y) instead, or press o again to open it there anyway.",
                severity="warning",
                timeout=SSH_OPEN_WINDOW,
            )
            return
        self._ssh_open_armed = 0.0
        self._open_browser(attempt.url)

    @work(exclusive=True, group="browser", exit_on_error=False)
    async def _open_browser(self, url: str) -> None:
        # webbrowser honours $BROWSER and may block while it spawns: keep it off the loop.
        opened = await asyncio.to_thread(webbrowser.open, url)
        if not opened:
            self.notify(
                "No browser found on this machine: copy the URL (ctrl+y) and open it yourself.",
                severity="warning",
            )

    def _open_chooser(self, attempt: LoginAttempt) -> None:
        from tui.sandbox.browser import fetch_choices

        client = self.hub_app.http_client()

        async def fetch() -> list[Choice]:
            choices = await fetch_choices(client, attempt.url)
            return list(choices.accounts)

        def chosen(hub_id: int | None) -> None:
            if hub_id is not None and self.attempt is attempt:
                self._choose(attempt, hub_id)

        self.app.push_screen(ChooserScreen(fetch), chosen)

    @work(exclusive=True, group="choose", exit_on_error=False)
    async def _choose(self, attempt: LoginAttempt, hub_id: int) -> None:
        from tui.sandbox.browser import SandboxPageError, choose

        client = self.hub_app.http_client()
        note = self._paste_note
        # Without a listener (port busy) the redirect is handed over as a paste, as a user would.
        deliver = bool(attempt.listen_address)
        try:
            location = await choose(client, attempt.url, hub_id, deliver=deliver)
        except SandboxPageError as exc:
            note(error_line(f"✖ HubSpot showed an error page: {exc.message}"))
            self.notify(exc.message, title="Authorize page", severity="error", markup=False)
            return
        except Exception as exc:
            note(error_line(f"✖ Could not reach the authorize page: {exc}"))
            return
        if not deliver and location and self.attempt is attempt:
            self.query_one("#paste", Input).value = location
