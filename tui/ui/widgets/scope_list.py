"""A SelectionList whose ticks read without colour: `▐X▌` when ticked, `▐ ▌` when not.

Textual's SelectionList draws the same `X` for both states and tells them apart by colour
only, which NO_COLOR and monochrome terminals lose. Disabled rows (group headings) get no box.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist


class ScopeList(SelectionList[str]):
    """A checklist of scope names (values are the exact scope strings)."""

    # Filtering replaces the options on every keystroke, which changes the virtual size twice
    # (cleared, refilled). Stock, each change asks for a layout of the whole screen (≈ 20 ms
    # here); OptionList already updates its scrollbars itself, and they ask for a layout when
    # they appear or disappear, so the list's own size change needs only a repaint.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def render_line(self, y: int) -> Strip:
        """Blank the tick of unticked rows, and the whole box of heading rows."""
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            option = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        if option.disabled:
            base = segments[3].style if len(segments) > 3 else None
            blank = [Segment(" " * len(s.text), base) for s in segments[:3]]
            return Strip([*blank, *segments[3:]], strip.cell_length)
        if option.value not in self._selected:
            segments[1] = Segment(" ", segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip
