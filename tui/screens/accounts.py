"""Accounts: every authorized account, what its flags mean, and what to do about them."""

from __future__ import annotations

import time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from tui.hubspot.models import AccountReport
from tui.messages import AuthorizeRequested, RecheckRequested
from tui.screens.base import SectionScreen, update
from tui.screens.confirm import ConfirmScreen
from tui.widgets.account_table import AccountTable
from tui.widgets.badges import role_advice, role_badge


class AccountsScreen(SectionScreen):
    """The table of authorized accounts with a detail panel for the highlighted one."""

    SECTION = "accounts"
    HELP = (
        "Every account this app was authorized on. **●** marks the active one (the one the "
        "connector uses). The right one is **MAIN**: a standard account with Products. "
        "DEVELOPER accounts can't hold installs; TEST accounts are 90-day trials."
    )
    AUTO_FOCUS = "#account-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "use", "Use"),
        Binding("r", "recheck", "Re-check"),
        Binding("R", "recheck_all", "Re-check all", show=False),
        Binding("a", "reauthorize", "Re-authorize"),
        Binding("d", "remove", "Remove"),
        Binding("c", "copy_id", "Copy id"),
    ]

    def compose_body(self) -> ComposeResult:
        """Title, table, detail panel."""
        yield Static("", id="accounts-title")
        yield AccountTable(id="account-table")
        yield Static("", id="account-detail")

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
        title = self.query_one("#accounts-title", Static)
        if accounts:
            update(
                title,
                Content.assemble(
                    Content.styled(f"{len(accounts)} authorized account(s)", "bold"),
                    Content.styled(
                        "  ● = active · u use · a re-authorize pinned · d remove", "$text-muted"
                    ),
                ),
            )
        else:
            update(
                title, Content.styled("No authorized accounts yet — press F5 to authorize.", "bold")
            )
        self._show_detail()

    def selected(self) -> AccountReport | None:
        """The report of the highlighted row."""
        if not self.hub_app.loaded:
            return None
        hub_id = self.table.highlighted_hub_id
        return self.service.profile.accounts.get(hub_id) if hub_id is not None else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#account-detail", Static)
        report = self.selected()
        if report is None:
            update(detail, "")
            return
        active = report.hub_id == self.service.profile.active_hub_id
        name = " · ".join(p for p in (report.portal_name, report.hub_domain, report.region) if p)
        head = Content.assemble(
            Content.styled(f"{report.hub_id}", "bold"),
            Content(f" {name} " if name else " "),
            role_badge(report.role),
            Content.styled(
                "  (active)" if active else "  (press u to make it active)", "$text-muted"
            ),
        )
        lines = [head, *(Content(line) for line in role_advice(report))]
        update(detail, Content("\n").join(lines))

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
