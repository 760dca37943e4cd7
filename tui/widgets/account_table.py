"""The table of authorized accounts, behind a small interface so it can be swapped later.

`set_accounts` is the whole contract: the Accounts screen never touches DataTable APIs directly,
so a virtualised table (line API, only visible rows rendered) can replace this one for very
large account lists without changing the screen.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tui.hubspot.models import AccountReport
from tui.widgets.badges import access_text, expiry_text, role_word, scopes_ratio

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("hub", "Hub ID", 12),
    ("role", "Role", 11),
    ("products", "Products", 18),
    ("line_items", "Line items", 18),
    ("scopes", "Scopes", 6),
    ("token", "Token", 9),
    ("type", "Type", 14),
    ("region", "Region", 6),
    ("domain", "Domain", 28),
)
"""Column keys, headers and widths, in display order: what decides "is this the right account"
first, so it is visible at 80 columns without scrolling sideways. Fixed widths spare DataTable
from measuring every cell, which is most of the cost of showing thousands of rows."""

Row = tuple[str, ...]


CHUNK = 250
"""Rows added per event-loop turn when (re)building the table."""


def _cell(text: str) -> Text:
    """A cell as Rich Text: no markup parsing (fast, and HubSpot's text is never markup)."""
    return Text(text, no_wrap=True, overflow="ellipsis")


class AccountTable(DataTable[Text]):
    """Every authorized account, one keyed row each (key = hub id as a string)."""

    DEFAULT_CSS = """
    AccountTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Build an empty row-cursor table."""
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self._rows: dict[int, Row] = {}
        self._order: list[int] = []
        self._index: dict[int, int] = {}
        self._generation = 0

    def on_mount(self) -> None:
        """Add the columns once."""
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    @staticmethod
    def row_for(report: AccountReport, active: bool, expires_at: float | None, now: float) -> Row:
        """The cells of one account as plain strings (the words carry the meaning)."""
        hub = f"● {report.hub_id}" if active else f"  {report.hub_id}"
        domain = report.hub_domain or report.portal_name or "-"
        return (
            hub,
            role_word(report.role),
            access_text(report.products),
            access_text(report.line_items),
            scopes_ratio(report),
            expiry_text(expires_at, now),
            report.account_type.value,
            report.region or "-",
            domain,
        )

    def set_accounts(
        self,
        accounts: Sequence[AccountReport],
        active: int | None,
        *,
        token_expiry: Mapping[int, float | None] | None = None,
        now: float | None = None,
    ) -> None:
        """Show `accounts` (active one marked ●), touching only what changed.

        Same accounts in the same order: only changed cells are updated (a re-check of one
        account among 10,000 costs one row). Otherwise the table is rebuilt once and the cursor
        stays on the same hub id when it still exists.
        """
        when = time.time() if now is None else now
        expiry = token_expiry or {}
        rows = {
            a.hub_id: self.row_for(a, a.hub_id == active, expiry.get(a.hub_id), when)
            for a in accounts
        }
        order = [a.hub_id for a in accounts]
        self._index = {hub_id: i for i, hub_id in enumerate(order)}
        if order == self._order:
            column_keys = [key for key, _, _ in COLUMNS]
            for hub_id, row in rows.items():
                old = self._rows.get(hub_id)
                if old == row:
                    continue
                for index, (cell, key) in enumerate(zip(row, column_keys, strict=True)):
                    if old is None or old[index] != cell:
                        self.update_cell(str(hub_id), key, _cell(cell))
            self._rows = rows
            return
        keep = self.highlighted_hub_id
        self.clear()
        self._rows = rows
        self._order = order
        self._generation += 1
        self._add_chunk(self._generation, 0, keep)

    def _add_chunk(self, generation: int, start: int, keep: int | None) -> None:
        """Add the next CHUNK rows, then yield to the event loop before the rest.

        DataTable measures new rows on its next idle pass; feeding it in chunks keeps keys and
        repaints flowing while ten thousand rows load, and the first screenful shows at once.
        """
        if generation != self._generation:
            return  # a newer set_accounts replaced this load
        stop = min(start + CHUNK, len(self._order))
        for hub_id in self._order[start:stop]:
            self.add_row(*map(_cell, self._rows[hub_id]), key=str(hub_id))
        if keep is not None and start <= self._index.get(keep, -1) < stop:
            self.move_cursor(row=self.get_row_index(str(keep)))
        if stop < len(self._order):
            self.set_timer(0.01, lambda: self._add_chunk(generation, stop, keep))

    @property
    def highlighted_hub_id(self) -> int | None:
        """The hub id under the cursor, or None when the table is empty."""
        if not self._order or self.row_count == 0:
            return None
        row = self.cursor_row
        if row < 0 or row >= self.row_count:
            return None
        key = self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value
        return int(key) if key is not None else None
