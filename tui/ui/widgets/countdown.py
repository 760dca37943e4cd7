"""A one-line live countdown that repaints only itself, once a second."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.timer import Timer
from textual.widgets import Static

from tui.core.vocabulary import format_duration


class Countdown(Static):
    """`token 27:13`, `expired`, or a busy text such as `refreshing…`.

    The widget owns a 1 s interval that is paused whenever there is nothing to count. Each tick
    updates the text only when it changed, and without a layout pass (the width is fixed in CSS),
    so a dashboard left open all day costs one tiny repaint per second.
    """

    DEFAULT_CSS = """
    Countdown {
        width: 20;
        height: 1;
    }
    Countdown.-expired {
        color: $text-error;
    }
    Countdown.-busy {
        color: $text-warning;
    }
    """

    def __init__(
        self,
        label: str = "",
        *,
        idle: str = "",
        hide_when_idle: bool = False,
        clock: Callable[[], float] = time.time,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Build an idle countdown.

        Args:
            label: Text before the time, e.g. `token`.
            idle: Text shown when there is no deadline.
            hide_when_idle: Take no space at all without a deadline or busy text.
            clock: Source of "now" (Unix seconds).
            id: Widget id.
            classes: CSS classes.
        """
        super().__init__(idle, id=id, classes=classes)
        self.label = label
        """Text before the remaining time."""
        self.idle = idle
        """Text shown without a deadline."""
        self.deadline: float | None = None
        """Unix seconds to count down to, or None."""
        self.busy = ""
        """When set, shown instead of the time (e.g. `refreshing…`)."""
        self.hide_when_idle = hide_when_idle
        """Hide the widget when there is nothing to show."""
        self._clock = clock
        self._last = idle
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        """Start the (paused) ticker."""
        self._timer = self.set_interval(1.0, self.tick, pause=self.deadline is None)

    def set_deadline(self, deadline: float | None, *, label: str | None = None) -> None:
        """Count down to `deadline` (None stops and shows the idle text)."""
        self.deadline = deadline
        if label is not None:
            self.label = label
        if self._timer is not None:
            if deadline is None:
                self._timer.pause()
            else:
                self._timer.resume()
        self.tick()

    def set_busy(self, text: str) -> None:
        """Show `text` instead of the time until called with an empty string."""
        self.busy = text
        self.tick()

    def render_text(self) -> str:
        """The text the widget shows right now."""
        if self.busy:
            return self.busy
        if self.deadline is None:
            return self.idle
        remaining = self.deadline - self._clock()
        left = format_duration(remaining, clock=True) if remaining > 0 else "expired"
        return f"{self.label} {left}".strip()

    def tick(self) -> None:
        """Repaint if (and only if) the text changed."""
        text = self.render_text()
        expired = self.deadline is not None and not self.busy and self.deadline <= self._clock()
        self.set_class(expired, "-expired")
        self.set_class(bool(self.busy), "-busy")
        if self.hide_when_idle:
            self.display = self.deadline is not None or bool(self.busy)
        if text != self._last:
            self._last = text
            # Fixed width in CSS: no layout pass needed, only this widget repaints.
            self.update(text, layout=False)
