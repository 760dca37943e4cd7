"""A Linux terminal driver that reports a lone Escape after ESCDELAY, not after ~100-200 ms.

Textual 8.2.8 decides "was that ESC a key, or the start of an escape sequence?" with a parser
timeout (`ESCDELAY`, 100 ms by default), but its Linux input thread only looks at that timeout
when `select()` returns, and it selects with a fixed 0.1 s timeout. A lone Escape therefore costs
100-200 ms whatever ESCDELAY says, and the same on every key press of a `back` on Esc.

`FastEscapeDriver` changes two things, both in the input thread only:

- it selects only until the parser's pending timeout (never longer than 0.1 s), so the Escape is
  reported as soon as the window closes;
- it shortens the window to `ESCAPE_WINDOW` (25 ms) unless the user set `ESCDELAY` explicitly.
  Terminals send an escape sequence in one write and SSH forwards it in one packet, so the rest of
  a sequence arrives in the same read; 25 ms is the margin neovim's and tmux's defaults also sit
  within. Terminals speaking the Kitty keyboard protocol send Esc unambiguously and never wait.

It relies on two internals of Textual's parser (`Parser._timeout_time` and `tick()`), so it is
used only on the Textual version it was checked against (`fast_escape_driver()` returns None
otherwise and the app keeps Textual's own driver). Tests pin both the timing and the version.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.driver import Driver

CHECKED_TEXTUAL = "8.2.8"
"""The Textual version whose input loop this driver reproduces."""

ESCAPE_WINDOW = 0.025
"""Seconds to wait after a lone ESC for the rest of a sequence (when ESCDELAY is not set)."""

MAX_SELECT = 0.1
"""Longest wait in select(): how quickly the input thread notices it should exit (as Textual)."""


def escape_window(environ: dict[str, str] | None = None) -> float:
    """The ESC window: the user's ESCDELAY (milliseconds) when set, else ESCAPE_WINDOW."""
    env = os.environ if environ is None else environ
    raw = env.get("ESCDELAY", "").strip()
    if raw:
        try:
            return max(1, int(raw)) / 1000.0
        except ValueError:
            pass
    return ESCAPE_WINDOW


def textual_is_checked() -> bool:
    """True when the installed Textual is `CHECKED_TEXTUAL`.

    Read from the installed distribution's metadata directory rather than `textual.__version__`:
    that attribute imports `importlib.metadata` (≈ 25 ms, on the start-up path). An install
    without that directory next to the package (a source checkout) counts as unchecked.
    """
    import textual

    site = Path(textual.__file__).resolve().parent.parent
    return (site / f"textual-{CHECKED_TEXTUAL}.dist-info").is_dir()


def fast_escape_driver() -> type[Driver] | None:
    """The driver class to use on this platform and Textual version, or None for Textual's own."""
    import sys

    if sys.platform == "win32" or not textual_is_checked():
        return None
    from textual._xterm_parser import XTermParser

    if not hasattr(XTermParser(), "_timeout_time"):  # pragma: no cover - guarded by the version
        return None
    return _driver_class()


@cache
def _driver_class() -> type[Driver]:
    """The driver class (built once: it subclasses Textual's, which is imported only now)."""
    from textual._loop import loop_last
    from textual._parser import ParseError
    from textual._time import get_time
    from textual._xterm_parser import XTermParser
    from textual.drivers.linux_driver import LinuxDriver

    class FastEscapeDriver(LinuxDriver):
        """Textual's LinuxDriver with a precise, shorter lone-Escape window."""

        window_seconds = escape_window()
        """Seconds a lone ESC waits for the rest of a sequence."""

        def run_input_thread(self) -> None:
            """Textual 8.2.8's input loop, selecting only until the parser's ESC deadline."""
            selector = selectors.SelectSelector()
            selector.register(self.fileno, selectors.EVENT_READ)
            fileno = self.fileno
            parser = XTermParser(self._debug)
            feed = parser.feed
            tick = parser.tick
            decode = getincrementaldecoder("utf-8")().decode
            window = self.window_seconds

            def process(
                selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
            ) -> None:
                for last, (_key, mask) in loop_last(selector_events):
                    if mask & selectors.EVENT_READ:
                        data = decode(os.read(fileno, 1024 * 4), final=final and last)
                        if not data:
                            break
                        for event in feed(data):
                            self.process_message(event)
                        deadline = parser._timeout_time
                        if deadline is not None:
                            # A lone ESC is pending: shorten Textual's window to ours.
                            parser._timeout_time = min(deadline, get_time() + window)
                for event in tick():
                    self.process_message(event)

            def wait() -> float:
                deadline = parser._timeout_time
                if deadline is None:
                    return MAX_SELECT
                return min(MAX_SELECT, max(0.0, deadline - get_time()))

            try:
                while not self.exit_event.is_set():
                    process(selector.select(wait()))
                selector.unregister(self.fileno)
                # Textual sleeps 0.1 s here on an empty selector; nothing is left to read.
                process(selector.select(0), final=True)
            finally:
                selector.close()
                try:
                    for _event in feed(""):
                        pass
                except (EOFError, ParseError):
                    pass

    return FastEscapeDriver
