"""The login timeline: each step of one authorization with ✔ / ⚠ / ✖ and its detail."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui.core.service import LoginStep, StepEvent

STEP_LABELS: dict[LoginStep, str] = {
    LoginStep.URL_READY: "URL ready",
    LoginStep.LISTENING: "listening",
    LoginStep.CALLBACK: "callback",
    LoginStep.STATE_CHECKED: "state checked",
    LoginStep.TOKENS: "tokens",
    LoginStep.PROBED: "account probed",
    LoginStep.DONE: "done",
}
"""The steps shown, in order (FAILED is shown on the step that did not complete)."""

_DIM = "$foreground-muted"


class LoginTimeline(Static):
    """Renders the steps reached so far, one per line; steps still pending share a dim line."""

    DEFAULT_CSS = """
    LoginTimeline {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Build an empty timeline."""
        super().__init__("", id=id, classes=classes)
        self.events: dict[LoginStep, StepEvent] = {}
        """The latest event of each step reached."""
        self.failure: StepEvent | None = None
        """The FAILED event, if the attempt failed."""
        self.active = False
        """True while an attempt runs (pending steps are then shown)."""

    def on_mount(self) -> None:
        """Show the idle hint."""
        self._repaint()

    def reset(self, *, active: bool = True) -> None:
        """Forget the previous attempt."""
        self.events = {}
        self.failure = None
        self.active = active
        self._repaint()

    def record(self, event: StepEvent) -> None:
        """Add one StepEvent from `finish_login`."""
        if event.step is LoginStep.FAILED:
            self.failure = event
            self.active = False
        else:
            self.events[event.step] = event
            if event.step is LoginStep.DONE:
                self.active = False
        self._repaint()

    def stop(self) -> None:
        """The attempt ended without a FAILED event (e.g. the worker was cancelled)."""
        self.active = False
        self._repaint()

    def render_content(self) -> Content:
        """The timeline as styled text (also what tests read)."""
        if not self.events and self.failure is None and not self.active:
            return Content.styled("No authorization yet: press ctrl+l to start.", _DIM)
        lines: list[Content] = []
        pending: list[str] = []
        failed_shown = False
        for step, label in STEP_LABELS.items():
            event = self.events.get(step)
            if event is not None:
                if event.ok:
                    mark, style = "✔", "$text-success"
                elif step is LoginStep.LISTENING:
                    # The listener failing is not fatal: a pasted URL still completes the login.
                    mark, style = "⚠", "$text-warning"
                else:
                    mark, style = "✖", "$text-error"
                lines.append(self._line(mark, style, label, event.detail))
            elif self.failure is not None and not failed_shown:
                failed_shown = True
                lines.append(self._line("✖", "$text-error", label, self.failure.detail))
            else:
                pending.append(label)
        if pending:
            # Steps not reached share one line: the whole attempt fits on screen at 80x24.
            lines.append(Content.styled("  ".join(f"○ {label}" for label in pending), _DIM))
        return Content("\n").join(lines)

    @staticmethod
    def _line(mark: str, style: str, label: str, detail: str) -> Content:
        return Content.assemble(
            Content.styled(f"{mark} {label:<15}", style),
            Content(detail),
        )

    def _repaint(self) -> None:
        self.update(self.render_content())
