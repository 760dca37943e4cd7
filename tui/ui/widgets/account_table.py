"""The table of authorized accounts: virtualised, so 100,000 rows cost what 30 do.

A stock DataTable formats and measures every row before it shows the first one (≈ 80 µs a row:
0.85 s for 10,000 accounts, 8 s for 100,000). This table keeps the account list as given and
renders with Textual's line API (`ScrollView.render_line`): each frame formats only the rows on
screen, so `set_accounts` is O(n) list bookkeeping and the first page appears at once.

It keeps the small contract the Accounts screen relies on: `set_accounts(accounts, active)`,
`highlighted_hub_id`, a row cursor that stays on the same hub id across reloads, and the
`Highlighted` / `Selected` messages. On top of that it filters (`set_filter`, every word must
appear in the row) and jumps (g/G, PgUp/PgDn, `#` then a hub id's first digits).
The list itself, its filter and row positions live in `AccountList` (no widget).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.hubspot.models import AccountReport
from tui.ui.widgets.account_list import AccountList
from tui.ui.widgets.account_rows import HEADER_TEXT, ROW_WIDTH, Row, line, row_for
from tui.ui.widgets.field import follow_focus

JUMP_IDLE = 2.0
"""Seconds without a digit after which a `#` jump ends by itself."""


class AccountTable(ScrollView, can_focus=True):
    """Every authorized account, one row each, with a row cursor."""

    DEFAULT_CSS = """
    AccountTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .account-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .account-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .account-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .account-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .account-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .account-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .account-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "account-table--header",
        "account-table--cursor",
        "account-table--even-row",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
        Binding("number_sign", "jump", "Jump to hub id", key_display="#"),
    ]

    class Highlighted(Message):
        """The row under the cursor changed (or the rows did): `hub_id` is the new one."""

        def __init__(self, table: AccountTable, hub_id: int | None) -> None:
            super().__init__()
            self.table = table
            self.hub_id = hub_id

        @property
        def control(self) -> AccountTable:
            """The table."""
            return self.table

    class Selected(Message):
        """Enter (or a click on the cursor row) on an account."""

        def __init__(self, table: AccountTable, hub_id: int) -> None:
            super().__init__()
            self.table = table
            self.hub_id = hub_id

        @property
        def control(self) -> AccountTable:
            """The table."""
            return self.table

    class JumpChanged(Message):
        """`#` jump mode started, changed or ended (`text` is None when it ended)."""

        def __init__(self, table: AccountTable, text: str | None) -> None:
            super().__init__()
            self.table = table
            self.text = text

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Build an empty table."""
        super().__init__(id=id, classes=classes)
        self._accounts = AccountList()
        self._active: int | None = None
        self._expiry: Mapping[int, float | None] = {}
        self._now = 0.0
        self._cursor = 0
        """Cursor position in the view."""
        self._rows: dict[int, Row] = {}
        """Formatted cells of the rows drawn so far (cleared whenever the data changes)."""
        self._strips: dict[tuple[int, int], list[Segment]] = {}
        self._last_highlight: int | None = None
        self._highlight_sent = False
        self._jump: str | None = None
        self._jump_at = 0.0
        self.on_leave_top: Callable[[], None] | None = None
        """Called when ↑ is pressed on the first row (e.g. to go back to a filter box)."""
        self.on_slash: Callable[[], None] | None = None
        """Called at once on `/` (to focus a filter box before the next keys arrive)."""
        self.on_highlight: Callable[[int | None], None] | None = None
        """Called at once (before the `Highlighted` message) when the cursor's hub id changes:
        a detail panel updated here is painted in the same frame as the cursor."""

    # ------------------------------------------------------------------ data

    def set_accounts(
        self,
        accounts: Sequence[AccountReport],
        active: int | None,
        *,
        token_expiry: Mapping[int, float | None] | None = None,
        now: float | None = None,
    ) -> None:
        """Show `accounts` (the active one marked ●); the cursor stays on the same hub id.

        O(n) bookkeeping only: rows are formatted when (and if) they are drawn, so a reload of
        100,000 accounts after one re-check costs a few milliseconds plus one frame.
        """
        keep = self.highlighted_hub_id
        self._accounts.replace(accounts)
        self._active = active
        self._expiry = token_expiry or {}
        self._now = time.time() if now is None else now
        self._rows.clear()
        self._show_view(keep)

    def set_filter(self, query: str) -> None:
        """Show only the accounts whose `search_text` contains every word of `query`."""
        keep = self.highlighted_hub_id
        if self._accounts.set_query(query):
            self._show_view(keep)

    @property
    def filter_text(self) -> str:
        """The filter in effect (normalised), or empty."""
        return self._accounts.query

    def _show_view(self, keep: int | None) -> None:
        """Redraw the rows now shown, the cursor on `keep` when it is among them."""
        self._strips.clear()
        self.virtual_size = Size(ROW_WIDTH, self.row_count + 1)
        position = self._accounts.position_of(keep) if keep is not None else None
        self._move_to(position if position is not None else 0, center=True)
        self.refresh()

    # --------------------------------------------------------------- queries

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return self._accounts.shown

    @property
    def total_count(self) -> int:
        """Accounts given to the table (before the filter)."""
        return self._accounts.total

    @property
    def cursor_row(self) -> int:
        """The cursor's position among the rows shown."""
        return self._cursor

    def hub_id_at(self, position: int) -> int | None:
        """The hub id shown at row `position`, or None."""
        report = self._accounts.at(position)
        return report.hub_id if report is not None else None

    @property
    def highlighted_hub_id(self) -> int | None:
        """The hub id under the cursor, or None when no row is shown."""
        return self.hub_id_at(self._cursor)

    def row_cells(self, position: int) -> Row | None:
        """The cells shown at row `position` (formatted on demand), or None."""
        report = self._accounts.at(position)
        if report is None:
            return None
        cells = self._rows.get(report.hub_id)
        if cells is None:
            cells = row_for(
                report,
                report.hub_id == self._active,
                self._expiry.get(report.hub_id),
                self._now,
            )
            self._rows[report.hub_id] = cells
        return cells

    # ---------------------------------------------------------------- cursor

    def move_cursor(self, row: int) -> None:
        """Put the cursor on row `row` (clamped) and scroll it into view."""
        self._move_to(row)

    def move_to_hub(self, hub_id: int) -> bool:
        """Put the cursor on `hub_id` if it is shown; True when it is."""
        position = self._accounts.position_of(hub_id)
        if position is None:
            return False
        self._move_to(position)
        return True

    def _move_to(self, row: int, *, center: bool = False) -> None:
        count = self.row_count
        new = max(0, min(row, count - 1)) if count else 0
        old, self._cursor = self._cursor, new
        if old != new:
            self._refresh_row(old)
            self._refresh_row(new)
        self._scroll_to_cursor(center=center)
        hub_id = self.highlighted_hub_id
        if hub_id != self._last_highlight or not self._highlight_sent:
            self._last_highlight, self._highlight_sent = hub_id, True
            if self.on_highlight is not None:
                self.on_highlight(hub_id)
            self.post_message(self.Highlighted(self, hub_id))

    def _page_rows(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        page = self._page_rows()
        top = round(self.scroll_y)
        if center and not top <= self._cursor < top + page:
            self.scroll_to(y=max(0, self._cursor - page // 2), animate=False, immediate=True)
        elif self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False, immediate=True)

    def _refresh_row(self, position: int) -> None:
        top = round(self.scroll_y)
        y = position - top + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor_up(self) -> None:
        """One row up; from the first row, `on_leave_top` (if set)."""
        if self._cursor == 0 and self.on_leave_top is not None:
            self.on_leave_top()
            return
        self._move_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self._move_to(self._cursor + 1)

    def action_page_up(self) -> None:
        """One page up."""
        self._move_to(self._cursor - self._page_rows())

    def action_page_down(self) -> None:
        """One page down."""
        self._move_to(self._cursor + self._page_rows())

    def action_first(self) -> None:
        """The first row."""
        self._move_to(0)

    def action_last(self) -> None:
        """The last row."""
        self._move_to(self.row_count - 1)

    def action_select(self) -> None:
        """Post `Selected` for the row under the cursor."""
        hub_id = self.highlighted_hub_id
        if hub_id is not None:
            self.post_message(self.Selected(self, hub_id))

    # ------------------------------------------------------------------ jump

    @property
    def jump_text(self) -> str | None:
        """The digits typed after `#`, or None outside a jump."""
        return self._jump

    def action_jump(self) -> None:
        """Start a jump: the digits typed next move the cursor to the first matching hub id."""
        self._set_jump("")

    def _set_jump(self, text: str | None) -> None:
        self._jump = text
        self._jump_at = time.monotonic()
        self.post_message(self.JumpChanged(self, text))

    def jump(self, prefix: str) -> bool:
        """Move the cursor to the first shown hub id starting with `prefix`; True if found."""
        position = self._accounts.first_starting_with(prefix)
        if position is None:
            return False
        self._move_to(position, center=True)
        return True

    def on_key(self, event: events.Key) -> None:
        """`#` starts a jump; then digits extend the hub id (they are not section keys)."""
        if follow_focus(self, event):
            return
        if event.key == "slash" and self.on_slash is not None and self._jump is None:
            event.stop()
            event.prevent_default()
            self.on_slash()
            return
        if event.key == "number_sign":
            # Handled here rather than by the binding alone: keys typed in one burst (a paste,
            # tmux send-keys) reach this widget in order, while a binding runs only once the
            # key has bubbled up to the app, after the digits that follow it.
            event.stop()
            event.prevent_default()
            self.action_jump()
            return
        if self._jump is None:
            return
        if time.monotonic() - self._jump_at > JUMP_IDLE and self._jump:
            self._set_jump(None)
            return
        if event.character is not None and event.character.isdigit():
            event.stop()
            event.prevent_default()
            text = self._jump + event.character
            self._set_jump(text)
            if not self.jump(text):
                self.app.bell()
            return
        if event.key == "backspace" and self._jump:
            event.stop()
            event.prevent_default()
            self._set_jump(self._jump[:-1])
            return
        ended_by = event.key
        self._set_jump(None)
        if ended_by in ("enter", "escape"):
            # Enter keeps the row, escape gives up: either way the key only ends the jump.
            event.stop()
            event.prevent_default()

    def on_blur(self) -> None:
        """Leaving the table ends a jump; the cursor is drawn blurred."""
        if self._jump is not None:
            self._set_jump(None)
        self._strips.clear()
        self.refresh()

    def on_focus(self) -> None:
        """The cursor is drawn focused."""
        self._strips.clear()
        self.refresh()

    # ----------------------------------------------------------------- mouse

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a click on the cursor row selects it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        position = round(self.scroll_y) + offset.y - 1
        if position >= self.row_count:
            return
        if position == self._cursor:
            self.action_select()
        else:
            self._move_to(position)

    # --------------------------------------------------------------- drawing

    def notify_style_update(self) -> None:
        """Theme or CSS changed: drop the cached segments."""
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        """The header on line 0, then the rows under the scroll offset (only these are built)."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if y == 0:
            segments = [
                Segment(HEADER_TEXT, self.get_component_rich_style("account-table--header"))
            ]
        else:
            position = scroll_y + y - 1
            segments = self._row_segments(position)
        strip = Strip(segments, ROW_WIDTH)
        base = self.rich_style
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _row_segments(self, position: int) -> list[Segment]:
        kind = 2 if position == self._cursor else position % 2
        key = (position, kind)
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        cells = self.row_cells(position)
        if cells is None:
            return [Segment(" " * ROW_WIDTH, self.rich_style)]
        if kind == 2:
            style = self.get_component_rich_style("account-table--cursor")
        elif kind == 1:
            style = self.rich_style
        else:
            style = self.get_component_rich_style("account-table--even-row")
        text = line(cells)
        if kind == 2 and self.has_focus:
            text = "▶" + text[1:]  # the focus shows without colour too
        segments = [Segment(text, style)]
        if len(self._strips) > 512:
            self._strips.clear()
        self._strips[key] = segments
        return segments
