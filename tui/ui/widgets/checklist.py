"""The install checklist as ONE widget: a line per check, drawn as text.

Eight rows of four widgets each (state, title, detail, key) were 40 of the Overview's ~55 widgets
and most of its start-up cost (each widget is composed, styled and laid out: ≈ 130 ms of the first
frame in a real terminal). One widget rendering eight lines of `Content` shows the same columns:

    ✔ OK    Credentials     Client ID 76b3…; secret stored                      F3

State (8 cells), title (16, bold), detail (the rest, ellipsised, muted unless WARN/FAIL) and the
key that fixes it (4, right-aligned; blank once OK). Only changed rows cause a repaint.

It has a row cursor (↑/↓, j/k, Home/End) so that a row cut short can be read whole: the owner
shows the highlighted row's full text (`on_move`). While the list has focus the cursor row starts
with `▶` (visible without colour).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widget import Widget

from tui.hubspot.models import CheckState
from tui.ui.widgets.badges import check_label

STATE_WIDTH = 8
TITLE_WIDTH = 16
KEY_WIDTH = 4
GUTTER = 2
"""Room for the `▶ ` of the cursor row."""


@dataclass(frozen=True)
class ChecklistRow:
    """What one row shows."""

    id: str
    state: CheckState
    title: str
    detail: str
    key: str


class Checklist(Widget, can_focus=True):
    """`✔ OK  Credentials  detail…  F3` for every check, one line each."""

    DEFAULT_CSS = """
    Checklist {
        height: auto;
        width: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("home", "move(-99)", "First", show=False),
        Binding("end", "move(99)", "Last", show=False),
    ]

    def __init__(
        self,
        rows: Sequence[ChecklistRow] = (),
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Build the checklist showing `rows`."""
        super().__init__(id=id, classes=classes)
        self._rows: tuple[ChecklistRow, ...] = tuple(rows)
        self.cursor = 0
        """The highlighted row."""
        self.on_move: Callable[[], None] | None = None
        """Called when the cursor moves (by key or `move_to`)."""

    @property
    def highlighted(self) -> ChecklistRow | None:
        """The row under the cursor."""
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    def move_to(self, row: int) -> None:
        """Put the cursor on `row` (clamped)."""
        row = max(0, min(row, len(self._rows) - 1))
        if row != self.cursor:
            self.cursor = row
            self.refresh()
        if self.on_move is not None:
            self.on_move()

    def action_move(self, step: int) -> None:
        """Move the cursor `step` rows."""
        self.move_to(self.cursor + step)

    def on_focus(self) -> None:
        """Show the `▶` on the cursor row."""
        self.refresh()

    def on_blur(self) -> None:
        """Hide the `▶`."""
        self.refresh()

    @property
    def rows(self) -> tuple[ChecklistRow, ...]:
        """The rows shown."""
        return self._rows

    def state_of(self, check_id: str) -> CheckState | None:
        """The state shown for `check_id`, or None when it has no row."""
        return next((row.state for row in self._rows if row.id == check_id), None)

    def show(self, rows: Sequence[ChecklistRow]) -> None:
        """Display `rows`; repaints only when something changed (same row count: no layout)."""
        new = tuple(rows)
        if new == self._rows:
            return
        relayout = len(new) != len(self._rows)
        self._rows = new
        self.refresh(layout=relayout)

    def render(self) -> Content:
        """Eight (or so) lines, laid out for the current width."""
        width = self.content_size.width or 80
        detail_width = max(0, width - GUTTER - STATE_WIDTH - TITLE_WIDTH - KEY_WIDTH)
        marker = Content.styled("▶ ", "bold $text-accent") if self.has_focus else Content("  ")
        lines = [
            Content.assemble(
                marker if i == self.cursor else "  ",
                self._line(row, detail_width).stylize("bold" if i == self.cursor else ""),
            )
            for i, row in enumerate(self._rows)
        ]
        return Content("\n").join(lines)

    @staticmethod
    def _line(row: ChecklistRow, detail_width: int) -> Content:
        label = check_label(row.state)
        label = label.truncate(STATE_WIDTH, pad=True)
        title = Content.styled(row.title, "bold").truncate(TITLE_WIDTH - 1, ellipsis=True)
        title = title.truncate(TITLE_WIDTH, pad=True)
        loud = row.state in (CheckState.FAIL, CheckState.WARN)
        detail = Content.styled(row.detail, "$text" if loud else "$foreground-muted")
        detail = detail.truncate(detail_width, ellipsis=True, pad=True)
        key = "" if row.state is CheckState.OK else row.key
        keys = Content.styled(key, "bold $text-accent").truncate(KEY_WIDTH, ellipsis=False)
        keys = keys.pad_left(KEY_WIDTH - keys.cell_length)
        return Content.assemble(label, title, detail, keys)
