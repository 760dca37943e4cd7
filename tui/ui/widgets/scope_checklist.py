"""A virtualised scope checklist: group headings and `▐X▌ scope  what it grants` rows.

Textual's SelectionList builds an Option (and measures its prompt) for every row each time its
options are replaced, which a filter keystroke does for ≈ 220 rows in two lists. This widget keeps
the rows as plain tuples and renders with the line API (`ScrollView.render_line`), like the
accounts table: a keystroke sets a new list and repaints only the lines on screen.

Ticks read without colour (`▐X▌` ticked, `▐ ▌` not) and the cursor row starts with `▶` while the
list has focus. The ticked set belongs to the screen (`set_rows(rows, ticked)` shares it); a tick
by key or click changes it and posts `Toggled`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.ui.widgets.field import follow_focus


@dataclass(frozen=True)
class ScopeRow:
    """One line: a group heading (`scope` empty) or a scope with its description."""

    scope: str
    text: str
    """The heading's group name, or the scope's description (with its tier)."""

    @property
    def heading(self) -> bool:
        """True for a group heading (not tickable)."""
        return not self.scope


class ScopeChecklist(ScrollView, can_focus=True):
    """Tick scopes with space/enter or a click; ↑/↓, PgUp/PgDn, Home/End move."""

    DEFAULT_CSS = """
    ScopeChecklist {
        height: 1fr;
        background: $surface;
        color: $foreground;
        border: tall $border-blurred;
        scrollbar-size-vertical: 1;
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
            & > .scope-checklist--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .scope-checklist--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .scope-checklist--heading {
            text-style: bold;
        }
        & > .scope-checklist--description {
            color: $foreground-muted;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "scope-checklist--cursor",
        "scope-checklist--heading",
        "scope-checklist--description",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("space,enter", "tick", "Tick", show=False),
    ]

    # A filter keystroke changes the row count: that needs a repaint and new scrollbars (which
    # ask for a layout themselves when they appear or go), never a layout of the whole screen.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class Toggled(Message):
        """A scope was ticked or unticked by the user."""

        def __init__(self, checklist: ScopeChecklist, scope: str, ticked: bool) -> None:
            super().__init__()
            self.checklist = checklist
            self.scope = scope
            self.ticked = ticked

        @property
        def control(self) -> ScopeChecklist:
            """The checklist."""
            return self.checklist

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Build an empty checklist."""
        super().__init__(id=id, classes=classes)
        self._rows: list[ScopeRow] = []
        self._ticked: set[str] = set()
        self._cursor = 0
        self._styles: tuple[Style, Style, Style, Style] | None = None
        """(base, cursor, heading, muted): looked up once, not per line (each costs a walk up
        the DOM); dropped when the theme or the focus changes."""
        self.on_leave_top: Callable[[], None] | None = None
        """Called when ↑ is pressed on the first scope (e.g. to go back to a filter box)."""
        self.on_slash: Callable[[], None] | None = None
        """Called at once on `/` (to focus a filter box before the next keys arrive)."""

    # ------------------------------------------------------------------ data

    def set_rows(self, rows: Sequence[ScopeRow], ticked: set[str]) -> None:
        """Show `rows`; `ticked` (shared, not copied) says which scopes are ticked.

        The cursor stays on the same scope when it is still shown, else goes to the first scope.
        """
        keep = self.highlighted
        self._rows = list(rows)
        self._ticked = ticked
        position = next((i for i, row in enumerate(self._rows) if keep and row.scope == keep), None)
        self._cursor = position if position is not None else self._next_scope(0, 1)
        self.virtual_size = Size(0, len(self._rows))
        self._scroll_to_cursor()
        self.refresh()

    @property
    def rows(self) -> list[ScopeRow]:
        """The rows shown (headings included)."""
        return self._rows

    @property
    def scopes(self) -> list[str]:
        """The scopes shown, in order."""
        return [row.scope for row in self._rows if row.scope]

    @property
    def highlighted(self) -> str | None:
        """The scope under the cursor, or None when no scope is shown."""
        if 0 <= self._cursor < len(self._rows):
            return self._rows[self._cursor].scope or None
        return None

    @property
    def cursor_row(self) -> int:
        """The cursor's line (headings count)."""
        return self._cursor

    # ---------------------------------------------------------------- cursor

    def _next_scope(self, start: int, step: int) -> int:
        """The first scope row from `start` going `step`, or the nearest one the other way."""
        count = len(self._rows)
        i = start
        while 0 <= i < count:
            if not self._rows[i].heading:
                return i
            i += step
        i = start - step
        while 0 <= i < count:
            if not self._rows[i].heading:
                return i
            i -= step
        return 0

    def _move_to(self, row: int, step: int) -> None:
        if not self._rows:
            return
        row = max(0, min(row, len(self._rows) - 1))
        old, self._cursor = self._cursor, self._next_scope(row, step)
        if old != self._cursor:
            self._refresh_line(old)
            self._refresh_line(self._cursor)
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return  # not laid out yet (or hidden): `on_resize` scrolls once it is
        top = round(self.scroll_y)
        cursor = self._cursor
        # Keep the group heading just above the first scope of a group in view.
        wanted_top = (
            cursor - 1
            if cursor and self._rows[cursor - 1 : cursor] and (self._rows[cursor - 1].heading)
            else cursor
        )
        if wanted_top < top:
            self.scroll_to(y=wanted_top, animate=False, immediate=True)
        elif cursor >= top + height:
            self.scroll_to(y=cursor - height + 1, animate=False, immediate=True)

    def _refresh_line(self, row: int) -> None:
        y = row - round(self.scroll_y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _first_scope(self) -> int:
        return self._next_scope(0, 1)

    def action_cursor_up(self) -> None:
        """One scope up; from the first one, `on_leave_top` (if set)."""
        if self._cursor <= self._first_scope() and self.on_leave_top is not None:
            self.on_leave_top()
            return
        self._move_to(self._cursor - 1, -1)

    def action_cursor_down(self) -> None:
        """One scope down."""
        self._move_to(self._cursor + 1, 1)

    def action_page_up(self) -> None:
        """A page up."""
        self._move_to(self._cursor - max(1, self.scrollable_content_region.height - 1), -1)

    def action_page_down(self) -> None:
        """A page down."""
        self._move_to(self._cursor + max(1, self.scrollable_content_region.height - 1), 1)

    def action_first(self) -> None:
        """The first scope."""
        self._move_to(0, 1)

    def action_last(self) -> None:
        """The last scope."""
        self._move_to(len(self._rows) - 1, -1)

    # ------------------------------------------------------------------ tick

    def action_tick(self) -> None:
        """Tick or untick the scope under the cursor."""
        scope = self.highlighted
        if scope is None:
            return
        ticked = scope not in self._ticked
        if ticked:
            self._ticked.add(scope)
        else:
            self._ticked.discard(scope)
        self._refresh_line(self._cursor)
        self.post_message(self.Toggled(self, scope, ticked))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to a scope and ticks (or unticks) it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_y) + offset.y
        if 0 <= row < len(self._rows) and not self._rows[row].heading:
            self._move_to(row, 1)
            self.action_tick()

    def on_resize(self) -> None:
        """Keep the cursor in view at the new height."""
        self._scroll_to_cursor()

    def on_key(self, event: events.Key) -> None:
        """`/` moves focus to the filter at once; keys typed right after it follow the focus.

        Keys typed in one burst (tmux send-keys, a fast typist) were all forwarded to this
        widget before the `/` moved the focus: they are handed on to the widget that now has
        focus instead of being lost.
        """
        if follow_focus(self, event):
            return
        if event.key == "slash" and self.on_slash is not None:
            event.stop()
            event.prevent_default()
            self.on_slash()

    def on_focus(self) -> None:
        """The cursor row is drawn focused (with its `▶`)."""
        self._styles = None
        self.refresh()

    def on_blur(self) -> None:
        """The cursor row is drawn blurred."""
        self._styles = None
        self.refresh()

    def notify_style_update(self) -> None:
        """Theme or CSS changed: look the styles up again."""
        super().notify_style_update()
        self._styles = None

    def _get_styles(self) -> tuple[Style, Style, Style, Style]:
        if self._styles is None:
            base = self.rich_style
            muted = self.get_component_rich_style("scope-checklist--description", partial=True)
            self._styles = (
                base,
                self.get_component_rich_style("scope-checklist--cursor"),
                base + self.get_component_rich_style("scope-checklist--heading", partial=True),
                base + Style(color=muted.color),
            )
        return self._styles

    # --------------------------------------------------------------- drawing

    def render_line(self, y: int) -> Strip:
        """Line `y` of the view: only the rows on screen are ever drawn."""
        row_index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base, cursor_style, heading, muted = self._get_styles()
        if not 0 <= row_index < len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[row_index]
        cursor = row_index == self._cursor
        if row.heading:
            segments = [Segment(f"    ── {row.text}", heading)]
        else:
            if cursor:
                base = muted = cursor_style
            marker = "▶" if cursor and self.has_focus else " "
            tick = "X" if row.scope in self._ticked else " "
            segments = [
                Segment(f"{marker}▐{tick}▌ {row.scope}", base),
                Segment(f"  {row.text}", muted),
            ]
        strip = Strip(segments)
        if strip.cell_length > width > 1:
            strip = strip.crop(0, width - 1)
            strip = Strip([*strip, Segment("…", base)], width)
        return strip.extend_cell_length(width, base)
