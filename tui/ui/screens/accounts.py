"""Accounts: every authorized account, what its flags mean, and what to do about them."""

from __future__ import annotations

import time
from typing import ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.css.styles import RulesMap
from textual.widgets import Input, Static

from tui.hubspot.models import AccountReport
from tui.ui.messages import AuthorizeRequested, RecheckRequested
from tui.ui.screens.base import SectionScreen, update
from tui.ui.screens.confirm import ConfirmScreen
from tui.ui.widgets.account_table import AccountTable
from tui.ui.widgets.badges import role_advice, role_badge
from tui.ui.widgets.field import FieldLabel
from tui.ui.widgets.filter_box import FilterBox


class AccountsScreen(SectionScreen):
    """The table of authorized accounts with a detail panel for the highlighted one."""

    SECTION = "accounts"
    HELP = (
        "Every account this app was authorized on. **●** marks the active one (the one the "
        "connector uses). The right one is **MAIN**: a standard account with Products. "
        "DEVELOPER accounts can't hold installs; TEST accounts are 90-day trials. "
        "**/** filters (hub id, domain, name, role, region; `↓`/`↑` between filter and table, "
        "`esc` clears it), **#** then digits jumps to a hub id, "
        "**g**/**G** first/last, **PgUp**/**PgDn** a page."
    )
    AUTO_FOCUS = "#account-table"
    FOCUS_LABELS: ClassVar[dict[str, str]] = {"account-filter": "#account-filter-label"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "use", "Use"),
        Binding("r", "recheck", "Re-check"),
        Binding("R", "recheck_all", "Re-check all", show=False),
        Binding("a", "reauthorize", "Re-authorize"),
        Binding("d", "remove", "Remove"),
        Binding("c", "copy_id", "Copy id"),
        Binding("slash", "filter", "Filter", key_display="/"),
    ]

    def compose_body(self) -> ComposeResult:
        """Title, filter, table, detail panel."""
        yield Static("", id="accounts-title")
        with Horizontal(id="account-filter-row"):
            yield FieldLabel("Filter", id="account-filter-label", classes="filter-label")
            yield FilterBox(
                self._filter_now,
                placeholder="/ filter: hub id, domain, name, role, region",
                id="account-filter",
                compact=True,
            )
        yield AccountTable(id="account-table")
        yield Static("", id="account-detail")

    DETAIL_MIN_HEIGHT = 6
    """Rows the detail panel always takes (with its top border): most accounts' details fit, so
    moving the cursor changes words, not the panel's height (no reflow of the whole screen)."""

    def on_mount(self) -> None:
        """Follow the cursor in the detail panel within the same frame as the table."""
        table = self.table
        table.on_highlight = self._cursor_moved
        table.on_leave_top = self.action_filter
        table.on_slash = self._focus_filter_now
        self.query_one("#account-filter", FilterBox).on_down = self._focus_table_now
        self.query_one("#account-detail").styles.min_height = self.DETAIL_MIN_HEIGHT
        super().on_mount()

    def _cursor_moved(self, hub_id: int | None) -> None:
        if self.is_mounted:
            self._show_detail()

    @property
    def table(self) -> AccountTable:
        """The accounts table."""
        return self.query_one("#account-table", AccountTable)

    def refresh_from_service(self) -> None:
        """Reload the table from stored reports (no network)."""
        if not self.hub_app.loaded:
            return
        profile = self.service.profile
        accounts = sorted(profile.accounts.values(), key=lambda a: a.hub_id)
        expiry = {a.hub_id: self.service.token_expires_at(a.hub_id) for a in accounts}
        self.table.set_accounts(
            accounts, profile.active_hub_id, token_expiry=expiry, now=time.time()
        )
        self._show_title()
        self._show_detail()

    def _show_title(self) -> None:
        """The account count, the filter's matches, or the hub id being typed after `#`."""
        title = self.query_one("#accounts-title", Static)
        table = self.table
        total = table.total_count
        if not total:
            update(
                title, Content.styled("No authorized accounts yet — press F5 to authorize.", "bold")
            )
            return
        head = Content.styled(f"{total} authorized account(s)", "bold")
        if table.jump_text is not None:
            tail = Content.styled(f"  jump to hub id: {table.jump_text}▏ (enter ends)", "bold")
        elif table.filter_text:
            tail = Content.styled(
                f"  {table.row_count} match “{table.filter_text}”", "bold $text-accent"
            )
        else:
            tail = Content.styled(
                "  ● = active · u use · a re-authorize pinned · d remove", "$text-muted"
            )
        # One fixed row (app.tcss): repaint it in place, without a reflow of the whole screen.
        title.update(Content.assemble(head, tail), layout=False)

    def selected(self) -> AccountReport | None:
        """The report of the highlighted row."""
        if not self.hub_app.loaded:
            return None
        hub_id = self.table.highlighted_hub_id
        return self.service.profile.accounts.get(hub_id) if hub_id is not None else None

    @on(AccountTable.JumpChanged)
    def _jumping(self) -> None:
        self._show_title()

    def _filter_now(self, value: str) -> None:
        if not self.is_mounted:
            return
        table = self.table
        before = (table.filter_text, table.row_count)
        table.set_filter(value)
        if (table.filter_text, table.row_count) != before:
            self._show_title()

    @on(Input.Submitted, "#account-filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        """Focus the filter box."""
        self.query_one("#account-filter", Input).focus()

    def _focus_filter_now(self) -> None:
        self.set_focus(self.query_one("#account-filter", Input))

    def _focus_table_now(self) -> None:
        self.set_focus(self.table)

    def action_go_back(self) -> None:
        """Esc clears a filter first (and returns to the table); with no filter, back."""
        box = self.query_one("#account-filter", Input)
        if box.value:
            box.value = ""
            self.table.focus()
            return
        super().action_go_back()

    def focus_on_return(self) -> None:
        """Never come back to the filter box: `u`, `d`, `a`… would be typed into it."""
        if self.focused is None or self.input_focused():
            self.table.focus(scroll_visible=False)

    def _show_detail(self) -> None:
        detail = self.query_one("#account-detail", Static)
        report = self.selected()
        if report is None:
            update(detail, "")
            return
        active = report.hub_id == self.service.profile.active_hub_id
        parts = (report.portal_name, report.display_name, report.region)
        name = " · ".join(dict.fromkeys(p for p in parts if p))
        head = Content.assemble(
            Content.styled(f"{report.hub_id}", "bold"),
            Content(f" {name} " if name else " "),
            role_badge(report.role),
            Content.styled(
                "  (active)" if active else "  (press u to make it active)", "$text-muted"
            ),
        )
        advice = role_advice(report, self.service.now())
        lines = [head, *(Content(line) for line in advice)]
        self._set_detail(detail, Content("\n").join(lines))

    def _set_detail(self, detail: Static, content: Content) -> None:
        """Show `content`, with a layout pass only when it needs a different height.

        Moving the cursor over accounts of the same kind only changes the words: repainting the
        panel in place keeps a keystroke to one frame instead of a whole-screen reflow.
        """
        width = detail.content_region.width
        old = detail.content
        if width and isinstance(old, Content) and old.plain and old.plain != content.plain:
            rules = cast(RulesMap, detail.styles)
            if old.get_height(rules, width) == content.get_height(rules, width):
                detail.update(content, layout=False)
                return
        update(detail, content)

    # ----------------------------------------------------------------- keys

    def _need_selected(self) -> AccountReport | None:
        report = self.selected()
        if report is None:
            self.notify("No account selected.", severity="warning")
        return report

    def action_use(self) -> None:
        """Make the highlighted account the active one."""
        if (report := self._need_selected()) is not None:
            self._use(report.hub_id)

    @work(exclusive=True, group="use", exit_on_error=False)
    async def _use(self, hub_id: int) -> None:
        result = await self.hub_app.guard(f"Switching to {hub_id}…", self._do_use(hub_id))
        if result:
            self.notify(f"{hub_id} is now the active account")

    async def _do_use(self, hub_id: int) -> bool:
        await self.service.use(hub_id)
        return True

    def action_recheck(self) -> None:
        """Re-probe the highlighted account live."""
        if (report := self._need_selected()) is not None:
            self.post_message(RecheckRequested(report.hub_id))

    def action_recheck_all(self) -> None:
        """Re-probe every account live."""
        self.post_message(RecheckRequested(None))

    def action_reauthorize(self) -> None:
        """Authorize again, pinned to the highlighted account."""
        if (report := self._need_selected()) is not None:
            self.post_message(AuthorizeRequested(report.hub_id))

    def action_copy_id(self) -> None:
        """Copy the highlighted hub id (OSC 52)."""
        if (report := self._need_selected()) is not None:
            self.app.copy_to_clipboard(str(report.hub_id))
            self.notify(f"Copied {report.hub_id}")

    def action_remove(self) -> None:
        """Revoke and forget the highlighted account, after a confirmation."""
        report = self._need_selected()
        if report is None:
            return
        hub_id = report.hub_id

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(hub_id)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove account {hub_id}?",
                "Its refresh token is revoked at HubSpot and the account is forgotten here. "
                "The connector stops working on it until you authorize it again.",
                yes="Remove",
            ),
            answered,
        )

    @work(exclusive=True, group="remove", exit_on_error=False)
    async def _remove(self, hub_id: int) -> None:
        # `guard` turns a failure into the activity line and a notification.
        await self.hub_app.guard(f"Revoking and removing {hub_id}…", self.service.remove(hub_id))
        if hub_id not in self.service.profile.accounts:
            self.notify(f"Removed {hub_id}")
