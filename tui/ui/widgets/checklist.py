"""The install checklist as ONE widget: a line per check, drawn as text.

Eight rows of four widgets each (state, title, detail, key) were 40 of the Overview's ~55 widgets
and most of its start-up cost (each widget is composed, styled and laid out: ≈ 130 ms of the first
frame in a real terminal). One widget rendering eight lines of `Content` shows the same columns:

    ✔ OK    Credentials     Client ID 76b3…; secret stored                      F3

State (8 cells), title (16, bold), detail (the rest, ellipsised, muted unless WARN/FAIL) and the
key that fixes it (4, right-aligned; blank once OK). Only changed rows cause a repaint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.widget import Widget

from tui.hubspot.models import CheckState
from tui.ui.widgets.badges import check_label

STATE_WIDTH = 8
TITLE_WIDTH = 16
KEY_WIDTH = 4


@dataclass(frozen=True)
class ChecklistRow:
    """What one row shows."""

    id: str
    state: CheckState
    title: str
    detail: str
    key: str


class Checklist(Widget):
    """`✔ OK  Credentials  detail…  F3` for every check, one line each."""

    DEFAULT_CSS = """
    Checklist {
        height: auto;
        width: 1fr;
    }
    """

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
        detail_width = max(0, width - STATE_WIDTH - TITLE_WIDTH - KEY_WIDTH)
        lines = [self._line(row, detail_width) for row in self._rows]
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
