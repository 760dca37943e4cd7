"""The base of every section screen: nav bar, body, footer, "too small" notice, back keys.

Each section is ONE long-lived screen (an app mode): it is built on first visit and then only
shown and hidden, so switching sections never re-creates widgets (see the leak in perf-notes.md).
Screens learn about profile changes through the app's `profile_changed` signal and redraw from
`InstallService` state; they never hold their own copy of what is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from tui.core.user_errors import USER_ERRORS, as_user_error, error_text
from tui.ui.widgets.field import FieldLabel
from tui.ui.widgets.keybar import KeyBar
from tui.ui.widgets.nav import NavBar

__all__ = ["USER_ERRORS", "SectionScreen", "update", "user_error"]

if TYPE_CHECKING:
    from tui.core.service import InstallService
    from tui.ui.app import HubSpotApp

MIN_WIDTH = 80
"""The narrowest terminal the layout is designed for."""
MIN_HEIGHT = 24
"""The shortest terminal the layout is designed for."""


user_error = as_user_error
"""Any failure from `USER_ERRORS` as a message plus the next action (see tui/core/user_errors)."""


def update(widget: Static, content: Content | str) -> None:
    """Update a Static only when what it shows changes (text or styling).

    Every profile change redraws the visible section; skipping identical updates avoids a layout
    pass per widget, which is most of the cost of a redraw.
    """
    old = widget.content
    if isinstance(old, Content) and isinstance(content, Content):
        if old.plain == content.plain and old.spans == content.spans:
            return
    elif type(old) is type(content) and old == content:
        return
    widget.update(content)


class SectionScreen(Screen[None]):
    """A top-level section: subclasses fill `compose_body` and `refresh_from_service`."""

    SECTION: ClassVar[str] = ""
    """The app mode this screen is the base of."""

    HELP: ClassVar[str] = ""
    """Markdown shown at the top of the help screen for this section."""

    FOCUS_LABELS: ClassVar[dict[str, str]] = {}
    """Focusable widget id → the selector of the `FieldLabel` naming it, for widgets that are not
    inside a `.field` row (whose own label is found without this)."""

    _stale = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "go_back", "Back", show=False),
        Binding("b", "go_back", "Back", show=False),
    ]

    @property
    def hub_app(self) -> HubSpotApp:
        """The app, typed."""
        return cast("HubSpotApp", self.app)

    @property
    def service(self) -> InstallService:
        """The shared install service."""
        return self.hub_app.service

    def compose(self) -> ComposeResult:
        """Nav bar, the section's body, the too-small notice and the key bar (the footer)."""
        yield NavBar(self.SECTION, tags=self.hub_app.tags)
        with Container(classes="section-body", id=f"{self.SECTION}-body"):
            yield from self.compose_body()
        yield Static("", classes="activity-line")
        yield Static("", classes="too-small")
        yield KeyBar(classes="key-bar")

    def compose_body(self) -> ComposeResult:
        """The section's own widgets."""
        yield from ()

    def on_mount(self) -> None:
        """Subscribe to profile changes and draw what is known now."""
        self.hub_app.profile_changed.subscribe(self, self._profile_changed)
        self._fit(self.app.size)
        self._show_activity()
        self.refresh_from_service()

    def _profile_changed(self, _: None) -> None:
        if not self.is_current:
            # A hidden section redraws when it is shown again, not on every background change.
            self._stale = True
            return
        self._show_activity()
        self.refresh_from_service()

    def _show_activity(self) -> None:
        """The shared line above the footer: what runs in the background, or the last error."""
        app = self.hub_app
        line = self.query_one(".activity-line", Static)
        if app.activity:
            update(line, Content.styled(f"⟳ {app.activity}", "$text-warning"))
        elif app.last_error is not None:
            text = f"✖ {error_text(app.last_error)}"
            update(line, Content.styled(text, "$text-error"))
        else:
            update(line, "")

    def refresh_from_service(self) -> None:
        """Redraw from the service's current state (no I/O); check `hub_app.loaded` first."""

    # ------------------------------------------------------------------ size

    def on_resize(self, event: events.Resize) -> None:
        """Swap to the too-small notice below 80x24."""
        self._fit(event.size)

    def on_screen_resume(self) -> None:
        """Catch up on resizes and profile changes missed while hidden; focus what is obvious."""
        self._fit(self.app.size)
        if self._stale and self.is_mounted:
            self._stale = False
            self._show_activity()
            self.refresh_from_service()
        if self.is_mounted:
            # After Textual's own resume handler (it runs last and may auto-focus a widget).
            self.call_later(self.focus_on_return)

    def focus_on_return(self) -> None:
        """Put focus where the next obvious action is, each time the section is shown.

        Returning to a section must never leave focus where its advertised letter keys would be
        typed (a filter left focused on the last visit, say): subclasses decide.
        """

    def _fit(self, size: Size) -> None:
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        if small:
            self.query_one(".too-small", Static).update(
                f"Terminal too small — need {MIN_WIDTH}×{MIN_HEIGHT}, "
                f"have {size.width}×{size.height}.\n\nEnlarge the window, or press ctrl+q to quit."
            )

    # ------------------------------------------------------------------ keys

    def action_go_back(self) -> None:
        """Back to the Overview (plain `b` avoids the Escape delay)."""
        self.hub_app.action_switch_section("overview")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`b` is typed into a focused Input; the Overview has nowhere to go back to."""
        return not (action == "go_back" and self.SECTION == "overview")

    def input_focused(self) -> bool:
        """True when a text Input has focus (plain letter keys are then typing)."""
        return isinstance(self.focused, Input)

    # ----------------------------------------------------------------- focus

    def focus_label(self, widget: Widget) -> FieldLabel | None:
        """The label naming `widget` (its `.field` row's label, or `FOCUS_LABELS`), if any."""
        if widget.id and widget.id in self.FOCUS_LABELS:
            return self.query_one(self.FOCUS_LABELS[widget.id], FieldLabel)
        for node in widget.ancestors:
            if node is self or not isinstance(node, Widget):
                break
            if node.has_class("field"):
                return next(iter(node.query_children(FieldLabel)), None)
        return None

    def typing_into(self) -> str | None:
        """The name of the text field keys are typed into right now, or None."""
        focused = self.focused
        if not isinstance(focused, Input):
            return None
        label = self.focus_label(focused)
        return label.text if label is not None else "a text field"

    def _mark_focus(self, widget: Widget, focused: bool) -> None:
        label = self.focus_label(widget)
        if label is not None:
            label.set_focused(focused)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Mark the focused field's label with `▶`."""
        self._mark_focus(event.widget, True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Unmark the label of the field that lost focus."""
        self._mark_focus(event.widget, False)
