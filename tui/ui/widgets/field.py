"""Form parts that say where typing goes and take pasted text as people paste it.

- `FieldLabel`: a field's label that turns into `▶ Client ID` (accent colour, bold) while its field
  has focus. The `▶` is text, so the focus stays visible under NO_COLOR, on monochrome terminals
  and with the cursor hidden; unfocused labels keep the same two leading cells (no reflow).
- `TrimmedInput`: an Input whose pastes lose their surrounding whitespace (a Client ID copied with a
  trailing space or newline is taken as the Client ID).
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

FOCUS_MARKER = "▶ "
"""What precedes the label of the field that has focus."""


class FieldLabel(Static):
    """`▶ Label` while its field has focus, `  Label` otherwise."""

    DEFAULT_CSS = """
    FieldLabel {
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    FieldLabel.-focused {
        color: $text-accent;
    }
    """

    def __init__(self, text: str, *, id: str | None = None, classes: str | None = None) -> None:
        """Build the label showing `text` (unfocused)."""
        super().__init__(self._render_text(text, focused=False), id=id, classes=classes)
        self.text = text
        """The label's words (without the marker)."""

    @staticmethod
    def _render_text(text: str, *, focused: bool) -> Content:
        return Content((FOCUS_MARKER if focused else " " * len(FOCUS_MARKER)) + text)

    @property
    def focused(self) -> bool:
        """True while the field this label names has focus."""
        return self.has_class("-focused")

    def set_focused(self, focused: bool) -> None:
        """Show (or hide) the focus marker."""
        if focused == self.focused:
            return
        self.set_class(focused, "-focused")
        self.update(self._render_text(self.text, focused=focused), layout=False)


def trimmed_paste(text: str) -> str:
    """The first non-blank line of a paste, without surrounding whitespace."""
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return ""


class TrimmedInput(Input):
    """An Input that trims what is pasted into it (typing is left alone)."""

    def _on_paste(self, event: events.Paste) -> None:
        # Replaces Input's own paste handler (prevent_default stops the base class's copy).
        event.stop()
        event.prevent_default()
        text = trimmed_paste(event.text)
        if not text:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)


def follow_focus(widget: Widget, event: events.Key) -> bool:
    """Hand a key on when focus left `widget` after the key was sent to it; True if handed on.

    Textual forwards each key to the widget focused when the key is read. Keys typed in one
    burst (tmux send-keys, a paste of keys, a fast typist) are all forwarded before a key that
    moves the focus (`/`, `↓`) has been handled, and would land in the old widget. Posting them
    to the app again sends them where the focus is now, with the bindings that apply there.
    """
    screen = widget.screen
    if widget.has_focus or screen.focused is None or screen is not widget.app.screen:
        return False
    event.stop()
    event.prevent_default()
    widget.app.post_message(events.Key(event.key, event.character))
    return True
