"""Overview: the install checklist, the active account, the next step, READY."""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.core.profile import Profile
from tui.core.reasons import SECTION_KEY, Reason, Section
from tui.core.vocabulary import CHECK_TITLES
from tui.hubspot.models import CHECK_IDS, AccountRole, Check, CheckState, InstallStatus
from tui.ui.messages import AuthorizeRequested, RecheckRequested
from tui.ui.screens.base import SectionScreen, update
from tui.ui.widgets.badges import role_badge
from tui.ui.widgets.checklist import Checklist, ChecklistRow
from tui.ui.widgets.countdown import Countdown

FIX_KEYS: dict[str, tuple[str, str]] = {
    "credentials": ("F3", "credentials"),
    "redirect_uri": ("F3", "credentials"),
    "scopes": ("F4", "scopes"),
    "authorized": ("F5", "oauth"),
    "token": ("F5", "oauth"),
    "main_account": ("F6", "accounts"),
    "products": ("F6", "accounts"),
    "line_items": ("F6", "accounts"),
}
"""Check id → the key (and section) shown before a check says what fixes it (pending rows)."""

_PICK_MAIN = (
    "Press F5 to authorize again and pick your MAIN account (the one with Products); "
    "F6 explains each account"
)

_ADVICE: dict[str, str] = {
    Reason.MISSING_CREDENTIALS: "Press F3 to enter your app's credentials",
    Reason.INVALID_CLIENT_ID: "Press F3 to fix the Client ID",
    Reason.INVALID_REDIRECT_URI: "Press F3 to fix the redirect URL",
    Reason.INVALID_SCOPES: "Press F4 to fix the scope selection",
    Reason.SCOPES_UNCONFIRMED: (
        "Press F4 to review the scopes (they must match your app's) and save them"
    ),
    Reason.SCOPES_DROPPED: (
        "Press F4 to stop asking for the dropped scopes, or F5 to authorize an account that "
        "has them"
    ),
    Reason.SCOPES_ADDED: "Press F5 to re-authorize so the grant includes the new scopes",
    Reason.NOT_AUTHORIZED: "Press F5 to authorize the app on your HubSpot account",
    Reason.NO_ACTIVE_ACCOUNT: "Press F6 and make an account active (u)",
    Reason.NOT_IDENTIFIED: (
        "Press r to identify the account (the tokens are saved; retrying in the background)"
    ),
    Reason.TOKEN_REVOKED: "Press F5 to authorize again: the token is missing or revoked",
    Reason.WRONG_ACCOUNT: "Press F5 to authorize the account again",
    Reason.CHECK_FAILED: "Press r to re-check the active account",
    Reason.NOT_VERIFIED_RECENTLY: "Press r to re-check the active account",
    Reason.NOT_CHECKED: "Press r to check the active account",
    Reason.UNKNOWN_ACCOUNT_TYPE: "Press r to re-check the active account",
    Reason.DEVELOPER_ACCOUNT: _PICK_MAIN,
    Reason.TEST_ACCOUNT: _PICK_MAIN,
    Reason.SANDBOX_ACCOUNT: _PICK_MAIN,
    Reason.NO_PRODUCTS: _PICK_MAIN,
    Reason.MISSING_SCOPE: "Press F4 to add the scope, then F5 to re-authorize",
    Reason.NO_SEAT: (
        "Ask a super admin to assign the installing user a paid Sales Hub seat, then press r "
        "(no re-authorization needed)"
    ),
    Reason.NO_RECORDS: "Press r to re-check (add products in HubSpot first if there are none)",
    Reason.NO_TOKEN: "Press F5 to authorize again: the token is missing or revoked",
}
"""What the next step says, by reason code (never by searching the check's text)."""


def pick_next(status: InstallStatus) -> Check | None:
    """The step to suggest: the first FAIL, else the first check that is not OK.

    `InstallStatus.next_step` is the first non-OK row; a WARN there (e.g. optional scopes dropped
    by a developer account) must not hide a FAIL further down (that same developer account).
    """
    first_fail = next((c for c in status.checks if c.state is CheckState.FAIL), None)
    return first_fail or status.next_step


def advice(check: Check, profile: Profile) -> tuple[str, str]:
    """(What to do, the section that does it) for a check that is not OK, from its reason."""
    section = check.section or FIX_KEYS.get(check.id, ("", "overview"))[1]
    if section == Section.ACCOUNTS and check.id == "main_account":
        main = next(
            (
                a
                for a in profile.accounts.values()
                if a.role is AccountRole.MAIN and a.hub_id != profile.active_hub_id
            ),
            None,
        )
        if main is not None:
            return f"Press F6 and make {main.hub_id}, your MAIN account, active (u)", section
    if check.reason == Reason.MISSING_SCOPE and section == Section.OAUTH:
        # Already asked for: only authorizing again (on an account that can grant it) helps.
        return "Press F5 to re-authorize so the grant includes the scope", section
    return _ADVICE.get(check.reason, check.detail), section


def checklist_row(check: Check) -> ChecklistRow:
    """The checklist line of `check`: state, title, detail and the key that fixes it."""
    key = SECTION_KEY.get(check.section) or FIX_KEYS.get(check.id, ("", ""))[0]
    return ChecklistRow(check.id, check.state, check.title, check.detail, key)


PENDING_ROWS = tuple(
    ChecklistRow(i, CheckState.TODO, CHECK_TITLES.get(i, i), "", FIX_KEYS.get(i, ("", ""))[0])
    for i in CHECK_IDS
)
"""What the checklist shows before the profile is read."""


class OverviewScreen(SectionScreen):
    """Is the install right? The checklist, the active account and the next step."""

    SECTION = "overview"
    HELP = (
        "The install checklist: each row says **OK / WARN / FAIL / TODO** and which key fixes "
        "it. *Next step* is the first row that is not OK. The token countdown is live; the token "
        "is refreshed in the background before it expires. `↑`/`↓` move the `▶` over the rows: "
        "the highlighted one is shown whole under the list. `r`, `R` and `t` say what they did "
        "under the active account."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_step", "Next step"),
        Binding("r", "recheck", "Re-check"),
        Binding("R", "recheck_all", "Re-check all", show=False),
        Binding("t", "refresh_token", "Refresh token"),
        Binding("enter", "next_step", "Next step", show=False),
        Binding("c", "connector_sheet", "Connector sheet", show=False),
    ]

    AUTO_FOCUS = "#checklist"

    _ready = False
    """True while the checklist is all OK (the next-step key is then greyed out)."""
    _next_id: str | None = None
    """The check the next step is about (its full text is already shown there)."""
    _moved = False
    """True once the user moved the checklist cursor (it then stays where they put it)."""

    def compose_body(self) -> ComposeResult:
        """Title, checklist, active account, next step, READY banner."""
        with VerticalScroll(id="overview-scroll"):
            yield Static("", id="overview-title")
            yield Static("", id="overview-warnings", classes="warning-line", markup=False)
            # The answer first: READY, or the one next step; then the account; then the detail.
            yield Static("", id="ready-banner")
            with Horizontal(id="next-step"):
                yield Static("Next step:", id="next-label")
                with Vertical(id="next-body"):
                    yield Static("", id="next-action")
                    yield Static("", id="next-why", markup=False)
            with Horizontal(id="active-line"):
                yield Static("", id="active-account")
                yield Static("", id="active-badge")
                yield Countdown("token", idle="", clock=self.service.now, id="token-countdown")
            yield Static("", id="overview-done", markup=False)
            # One widget, not 8 rows of 4: most of the Overview's first-frame cost was there.
            yield Checklist(PENDING_ROWS, id="checklist")
            yield Static("", id="check-detail", markup=False)

    def on_mount(self) -> None:
        """Follow the checklist cursor; say r / R / t outcomes with their age."""
        self.query_one("#checklist", Checklist).on_move = self._cursor_moved
        self._done_timer = self.set_interval(1.0, self._show_done, pause=True)

    def _cursor_moved(self) -> None:
        self._moved = True
        self._show_row()

    def _show_row(self) -> None:
        """The highlighted check in full (unless the next step above already says it)."""
        row = self.query_one("#checklist", Checklist).highlighted
        detail = self.query_one("#check-detail", Static)
        shown = row is not None and row.id != self._next_id and self.hub_app.loaded
        detail.display = shown
        if shown and row is not None:
            update(detail, Content.styled(f"{row.title}: {row.detail}", "$foreground-muted"))

    def _show_done(self) -> None:
        """`✔ re-checked 44120003 4 s ago` under the active account, for ten minutes."""
        outcome = self.hub_app.outcome
        line = self.query_one("#overview-done", Static)
        age = time.monotonic() - outcome.at if outcome is not None else 0.0
        line.display = outcome is not None and age < 600
        if outcome is None or age >= 600:
            self._done_timer.pause()
            return
        style = "$text-success" if outcome.ok else "$text-error"
        update(line, Content.styled(outcome.describe(time.monotonic()), style))
        self._done_timer.resume()

    def refresh_from_service(self) -> None:
        """Redraw everything from stored state (no network)."""
        app = self.hub_app
        title = self.query_one("#overview-title", Static)
        if not app.loaded:
            if app.load_error is not None:
                update(title, Content.styled(f"✖ {app.load_error.message}", "$text-error"))
            else:
                update(title, "Loading profile…")
            return
        service = self.service
        status = service.status()
        update(
            title,
            Content.assemble(
                Content.styled("Install checklist", "bold"),
                Content.styled(f" — profile {status.profile!r}", "$foreground-muted"),
            ),
        )
        warnings = self.query_one("#overview-warnings", Static)
        update(warnings, "\n".join(f"⚠ {w}" for w in service.warnings))
        warnings.display = bool(service.warnings)
        checklist = self.query_one("#checklist", Checklist)
        checklist.show([checklist_row(check) for check in status.checks])
        self._show_active()
        step = pick_next(status)
        self._show_next(step)
        self._next_id = step.id if step is not None else None
        if not self._moved:  # start on the next step's row: ↓/↑ read the others whole
            ids = [row.id for row in checklist.rows]
            checklist.cursor = ids.index(step.id) if step is not None and step.id in ids else 0
            checklist.refresh()
        self._show_row()
        self._show_done()
        banner = self.query_one("#ready-banner", Static)
        banner.display = status.ready
        self._ready = status.ready
        update(
            banner,
            "✔ READY — the connector is authorized on your MAIN account with Products and "
            "Line items working. Press c for the connector sheet.",
        )
        # Re-check and refresh grey out (or come back) with the active account.
        self.refresh_bindings()

    def _show_active(self) -> None:
        profile = self.service.profile
        account = profile.active_account
        text = self.query_one("#active-account", Static)
        badge = self.query_one("#active-badge", Static)
        countdown = self.query_one("#token-countdown", Countdown)
        if account is None:
            update(
                text,
                Content.styled("No active account yet — F5 authorizes one", "$foreground-muted"),
            )
            update(badge, "")
            countdown.set_deadline(None)
            countdown.set_busy("")
            return
        name = account.portal_name or account.display_name
        parts = [f"Active: {account.hub_id}"]
        if name:
            parts.append(name)
        if account.region:
            parts.append(account.region)
        update(text, Content(" · ".join(parts) + " "))
        update(badge, role_badge(account.role))
        countdown.set_busy("token refreshing…" if self.hub_app.refreshing else "")
        expires = self.service.token_expires_at(account.hub_id)
        countdown.idle = "no token"
        countdown.set_deadline(expires, label="token")

    def _show_next(self, step: Check | None) -> None:
        """The one next step, and the check it fixes (both wrap under themselves, not the label)."""
        self.query_one("#next-step").display = step is not None
        if step is None:
            return
        text, _ = advice(step, self.service.profile)
        update(self.query_one("#next-action", Static), Content.styled(text, "bold $text-accent"))
        update(
            self.query_one("#next-why", Static),
            Content.styled(f"{step.title}: {step.detail}", "$foreground-muted"),
        )

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys show greyed out while they have nothing to act on."""
        if action == "next_step":
            # Nothing left to do once READY: the key shows greyed out.
            return None if self._ready else True
        if action in ("recheck", "recheck_all", "refresh_token"):
            loaded = self.hub_app.loaded
            if action == "recheck_all":
                return True if loaded and self.service.profile.accounts else None
            return True if loaded and self.service.profile.active_hub_id is not None else None
        return super().check_action(action, parameters)

    def action_next_step(self) -> None:
        """Jump to the section that fixes the first failing check."""
        if not self.hub_app.loaded:
            return
        step = pick_next(self.service.status())
        if step is None:
            self.notify("Everything is OK: the install is READY.")
            return
        _, section = advice(step, self.service.profile)
        if section == "overview":
            self.action_recheck()
        elif section == "oauth" and step.id == "authorized":
            self.post_message(AuthorizeRequested(None))
        else:
            self.hub_app.action_switch_section(section)

    def action_connector_sheet(self) -> None:
        """Show the connector sheet: the values to enter in the platform's connector form."""
        from tui.ui.screens.connector import ConnectorScreen

        if self.hub_app.loaded:
            self.app.push_screen(ConnectorScreen())

    def action_recheck(self) -> None:
        """Re-probe the active account live."""
        if not self.hub_app.loaded:
            return
        active = self.service.profile.active_hub_id
        if active is None:
            self.notify("No active account yet: press F5 to authorize.")
            return
        self.post_message(RecheckRequested(active))

    def action_recheck_all(self) -> None:
        """Re-probe every account live."""
        self.post_message(RecheckRequested(None))

    def action_refresh_token(self) -> None:
        """Refresh the active account's access token now."""
        if not self.hub_app.loaded:
            return
        active = self.service.profile.active_hub_id
        if active is None:
            self.notify("No active account yet: press F5 to authorize.")
            return
        self.hub_app.start_refresh(active, force=True)
