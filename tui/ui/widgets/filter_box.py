"""A filter field that reaches its list in the same frame as its own echo.

A stock `Input` reports an edit with a posted `Input.Changed` message: by the time a screen
handles it, the field's echo has been painted, and the filtered list waits for the next frame
(16.7 ms at Textual's 60 fps). It also resets its virtual size on every edit, which asks for a
layout of the whole screen. `FilterBox` calls its owner from the value watcher (the Changed
message still follows) and repaints itself without a layout, so a keystroke costs one frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.geometry import Size
from textual.reactive import Reactive

from tui.ui.widgets.field import TrimmedInput, follow_focus


class FilterBox(TrimmedInput):
    """An Input that calls `on_edit(value)` at once whenever its value changes."""

    # The field's size never depends on its text (width 100%, one row): a repaint is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, on_edit: Callable[[str], None], **kwargs: Any) -> None:
        """Build the field; `kwargs` are Input's (placeholder, id, compact…)."""
        super().__init__(**kwargs)
        self._on_edit = on_edit
        self.on_down: Callable[[], None] | None = None
        """Called at once on ↓ (to move to the list before the next keys arrive)."""

    def watch_value(self, value: str) -> None:
        """Filter now, in the frame that shows the keystroke."""
        self._on_edit(value)

    def on_key(self, event: events.Key) -> None:
        """↓ goes to the list at once; keys that arrive after it follow the focus there."""
        if follow_focus(self, event):
            return
        if event.key == "down" and self.on_down is not None:
            event.stop()
            event.prevent_default()
            self.on_down()
