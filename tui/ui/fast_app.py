"""`FastApp`: Textual's App with the fixes that make hubspot-tui quick to open and to react.

Each one removes work Textual 8.2.8 does that this app does not need; none changes what is
drawn (the snapshot tests pin the screens, tests/test_fast_paths.py the behaviour):

- **Escape**: the Linux driver is replaced by one that reports a lone ESC after a 25 ms window
  instead of Textual's 100-200 ms (tui/driver.py).
- **Section switches**: `switch_mode` holds repaints 50 ms to hide a screen still being
  composed; a section shown again is already built, so it is held only `SWITCH_MASK`.
- **CSS**: every new screen makes Textual re-parse the whole stylesheet and re-apply it to every
  widget (≈ 15-30 ms at start-up and on each section's first visit). The app node is styled
  before the first screen is composed, and the refresh is skipped while the theme's variables
  and the app's classes are unchanged; a theme change still refreshes everything.
- **First frame**: repaints are held until the first screen is mounted whole, so the first frame
  is the real screen instead of its bars around an empty body, one frame (≈ 17 ms) earlier.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from textual import constants
from textual.app import App

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.widget import AwaitMount

SWITCH_MASK = 0.01
"""Seconds repaints are held when showing a mode whose screen is already built (Textual: 0.05)."""


class FastApp(App[None]):
    """A Textual App without the start-up and key-latency costs described in the module."""

    def __init__(self) -> None:
        """Build the app (Textual picks the driver here: see `get_driver_class`)."""
        super().__init__()
        self._switching_to_built = False
        self._css_state: tuple[dict[str, str], frozenset[str]] | None = None
        self._first_paint_hold: AbstractContextManager[None] | None = None

    # ----------------------------------------------------------------- driver

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, with a precise and shorter lone-Escape window (see tui.ui.driver)."""
        if constants.DRIVER is None:  # TEXTUAL_DRIVER picks a driver explicitly: respect it
            from tui.ui.driver import fast_escape_driver

            driver = fast_escape_driver()
            if driver is not None:
                return driver
        return super().get_driver_class()

    # ------------------------------------------------------------- first frame

    def prepare_first_frame(self) -> None:
        """Call at the end of `on_load`: style the app node, hold repaints until `on_mount`.

        Styling the app node now, before the first screen is composed, lets its widgets resolve
        their colours (e.g. `auto` text against the app's background) right away, so Textual's
        full CSS refresh for a new mode is not needed (see `refresh_css`). Textual styles the
        app node again after composing: a no-op.
        """
        self.stylesheet.apply(self)
        self._css_state = self._css_signature()
        hold = self.batch_update()
        hold.__enter__()
        self._first_paint_hold = hold

    def release_first_frame(self) -> None:
        """Call from `on_mount` (the first screen is mounted whole): paint it."""
        hold, self._first_paint_hold = self._first_paint_hold, None
        if hold is None:
            return

        def release() -> None:
            hold.__exit__(None, None, None)
            self.screen.refresh(layout=True)

        self.call_later(release)

    # ------------------------------------------------------------------ CSS

    def _css_signature(self) -> tuple[dict[str, str], frozenset[str]]:
        """What the parsed stylesheet depends on: the theme's variables and the app's classes."""
        return self.get_css_variables(), frozenset(self.classes)

    def refresh_css(self, animate: bool = True) -> None:
        """Re-parse and re-apply the stylesheet only when the theme changed what it depends on."""
        state = self._css_signature()
        if state != self._css_state:
            super().refresh_css(animate)
            self._css_state = state
            return
        # Unchanged: mark the screens current (what the refresh would have done last).
        for mode in (*self.MODES, "_default"):
            try:
                stack = self.get_screen_stack(mode)
            except KeyError:
                continue
            for screen in stack:
                screen._css_update_count = self._css_update_count

    # ------------------------------------------------------------ switching

    def switch_mode(self, mode: str) -> AwaitMount:
        """Show mode `mode`; one whose screen is already built is shown without a 50 ms mask."""
        try:
            self._switching_to_built = bool(self.get_screen_stack(mode))
        except KeyError:
            self._switching_to_built = False
        try:
            return super().switch_mode(mode)
        finally:
            self._switching_to_built = False

    def delay_update(self, delay: float = 0.05) -> None:
        """Textual's transition mask (only `switch_mode` uses it), short for a built screen."""
        super().delay_update(SWITCH_MASK if self._switching_to_built else delay)
