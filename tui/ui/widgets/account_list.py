"""The accounts behind the account table: the list as given, the filter, and row positions.

No widget here: the table keeps the cursor, the keys and the drawing, and asks this list which
account sits at a row position (after the filter) and where a hub id is. Filtering keeps the
list's order, so positions stay sorted and a hub id's row is found by bisection.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from tui.hubspot.models import AccountReport
from tui.ui.widgets.account_rows import search_text


class AccountList:
    """Accounts by row position, narrowed by a filter in which every word must appear."""

    def __init__(self) -> None:
        """Start empty, unfiltered."""
        self._accounts: list[AccountReport] = []
        self._index: dict[int, int] = {}
        """hub id → position in `_accounts`."""
        self._view: list[int] | None = None
        """Positions in `_accounts` that pass the filter (None: no filter, all rows)."""
        self._query = ""
        self._search: list[str] | None = None
        """Lower-case search text per account, built on the first filter."""
        self._hub_text: list[str] | None = None
        """str(hub id) per account, built on the first jump."""

    def replace(self, accounts: Sequence[AccountReport]) -> None:
        """Hold `accounts` instead (the filter in effect is applied to them)."""
        self._accounts = list(accounts)
        self._index = {report.hub_id: i for i, report in enumerate(self._accounts)}
        self._search = None
        self._hub_text = None
        self._apply_filter()

    def set_query(self, query: str) -> bool:
        """Filter by `query` (normalised); False when that is the filter already in effect."""
        query = " ".join(query.lower().split())
        if query == self._query:
            return False
        previous, self._query = self._query, query
        narrowing = bool(previous) and query.startswith(previous) and self._view is not None
        self._apply_filter(narrowing=narrowing)
        return True

    @property
    def query(self) -> str:
        """The filter in effect (normalised), or empty."""
        return self._query

    def _apply_filter(self, *, narrowing: bool = False) -> None:
        if not self._query:
            self._view = None
            return
        if self._search is None:
            self._search = [search_text(report) for report in self._accounts]
        texts = self._search
        words = self._query.split()
        # A longer query only removes rows: look at the previous matches, not all rows.
        pool = self._view if narrowing and self._view is not None else range(len(texts))
        if len(words) == 1:
            word = words[0]
            self._view = [i for i in pool if word in texts[i]]
        else:
            self._view = [i for i in pool if all(w in texts[i] for w in words)]

    @property
    def shown(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._accounts) if self._view is None else len(self._view)

    @property
    def total(self) -> int:
        """Accounts held (before the filter)."""
        return len(self._accounts)

    def at(self, position: int) -> AccountReport | None:
        """The account shown at row `position`, or None."""
        if not 0 <= position < self.shown:
            return None
        index = position if self._view is None else self._view[position]
        return self._accounts[index]

    def position_of(self, hub_id: int) -> int | None:
        """The row position of `hub_id`, or None when it is not shown."""
        index = self._index.get(hub_id)
        if index is None:
            return None
        if self._view is None:
            return index
        # The view is in account order: bisect it.
        at = bisect_left(self._view, index)
        return at if at < len(self._view) and self._view[at] == index else None

    def first_starting_with(self, prefix: str) -> int | None:
        """The row position of the first shown hub id starting with `prefix`, or None."""
        if self._hub_text is None:
            self._hub_text = [str(report.hub_id) for report in self._accounts]
        texts = self._hub_text
        rows = range(len(texts)) if self._view is None else self._view
        for position, index in enumerate(rows):
            if texts[index].startswith(prefix):
                return position
        return None
