"""The speed paths in tui/app.py and tui/driver.py keep Textual's behaviour.

- The fast-Escape driver: a lone ESC is reported after its window, not after select(0.1). Its
  input loop runs in a thread on one end of a pipe (as Textual runs it on the terminal), with
  `process_message` recording what it reports; nothing else of an app is needed.
- The skipped CSS refreshes: colours are still right, and a theme change still restyles.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import textual
from textual import events
from textual.drivers.linux_driver import LinuxDriver

from tui.ui import driver as fast


class Recorder:
    """Runs a driver class's input loop on a pipe and records the keys it reports."""

    def __init__(self, driver_class: type[LinuxDriver]) -> None:
        self.read_fd, self.write_fd = os.pipe()
        recorded: list[tuple[float, str]] = []
        self.keys = recorded

        class Recording(driver_class):  # type: ignore[misc, valid-type]
            def process_message(self, message: Any) -> None:
                if isinstance(message, events.Key):
                    recorded.append((time.perf_counter(), message.key))

        driver = Recording.__new__(Recording)  # no app: only the input loop runs
        driver.fileno = self.read_fd
        driver._debug = False
        driver.exit_event = threading.Event()
        self.driver = driver
        self.thread = threading.Thread(target=driver.run_input_thread, daemon=True)
        self.thread.start()

    def type(self, data: bytes) -> float:
        """Write `data` as the terminal would; returns when it was written."""
        os.write(self.write_fd, data)
        return time.perf_counter()

    def wait_key(self, key: str, timeout: float = 2.0) -> float:
        """When `key` was reported (raises if it never is)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, name in self.keys:
                if name == key:
                    return at
            time.sleep(0.001)
        raise AssertionError(f"{key} never reported; got {self.keys}")

    def close(self) -> None:
        self.driver.exit_event.set()
        self.thread.join(timeout=2)
        os.close(self.write_fd)
        os.close(self.read_fd)


@pytest.fixture
def fast_driver() -> Iterator[Recorder]:
    driver_class = fast.fast_escape_driver()
    if driver_class is None:
        pytest.skip("the fast-Escape driver is only used on the Textual version it was checked on")
    recorder = Recorder(driver_class)
    yield recorder
    recorder.close()


def _escape_delay(recorder: Recorder) -> float:
    sent = recorder.type(b"\x1b")
    return recorder.wait_key("escape") - sent


def test_lone_escape_is_reported_after_the_window(fast_driver: Recorder) -> None:
    """ESC alone: reported after ≈ 25 ms (Textual's loop takes ≥ 100 ms whatever ESCDELAY says)."""
    delay = _escape_delay(fast_driver)
    assert delay + 0.002 >= fast.ESCAPE_WINDOW
    assert delay < 0.09, delay


def test_sequences_and_keys_still_parse(fast_driver: Recorder) -> None:
    """Escape sequences (arrows, F-keys) and alt+key are not split by the shorter window."""
    fast_driver.type(b"\x1b[A")
    fast_driver.wait_key("up")
    fast_driver.type(b"\x1b[17~")
    fast_driver.wait_key("f6")
    fast_driver.type(b"\x1bx")  # ESC + key in one write: alt+x, not Escape then x
    fast_driver.wait_key("alt+x")
    fast_driver.type(b"b")
    fast_driver.wait_key("b")
    assert "escape" not in [key for _, key in fast_driver.keys]


def test_stock_driver_pays_the_select_timeout() -> None:
    """Why the driver exists: Textual 8.2.8's own loop reports a lone ESC after ≥ 100 ms."""
    if textual.__version__ != fast.CHECKED_TEXTUAL:
        pytest.skip("documents Textual 8.2.8's behaviour")
    recorder = Recorder(LinuxDriver)
    try:
        assert _escape_delay(recorder) >= 0.095
    finally:
        recorder.close()


def test_escdelay_is_honoured() -> None:
    """A user's ESCDELAY (milliseconds) wins over the default window."""
    assert fast.escape_window({"ESCDELAY": "60"}) == pytest.approx(0.06)
    assert fast.escape_window({"ESCDELAY": "nonsense"}) == fast.ESCAPE_WINDOW
    assert fast.escape_window({}) == fast.ESCAPE_WINDOW


def test_only_on_the_checked_textual(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another Textual version keeps Textual's own driver (the loop copies 8.2.8's)."""
    assert fast.textual_is_checked() == (textual.__version__ == fast.CHECKED_TEXTUAL)
    monkeypatch.setattr(fast, "CHECKED_TEXTUAL", "0.0.1")
    assert not fast.textual_is_checked()
    assert fast.fast_escape_driver() is None


def test_the_app_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """HubSpotApp picks the fast driver, unless TEXTUAL_DRIVER names another one."""
    from textual import constants

    from tui.ui.app import HubSpotApp

    expected = fast.fast_escape_driver()
    if expected is None:
        pytest.skip("not the checked Textual version")
    app = HubSpotApp.__new__(HubSpotApp)
    assert app.get_driver_class().__name__ == "FastEscapeDriver"
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.linux_driver:LinuxDriver")
    assert app.get_driver_class() is LinuxDriver


async def test_styles_are_right_without_the_startup_css_refresh(tmp_path: Path) -> None:
    """HubSpotApp skips Textual's redundant CSS refreshes; text must still contrast with its
    background on the first screen, on a section's first visit, and after a theme change."""
    from textual.widgets import Static

    from tests.app_helpers import sandbox_env, settle

    def contrast(widget: Static) -> tuple[object, object]:
        style = widget.visual_style
        return style.foreground, style.background

    async with sandbox_env(tmp_path) as env:
        app = env.app()
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            title = app.screen.query_one("#overview-title", Static)
            fg, bg = contrast(title)
            assert fg is not None and fg != bg
            await pilot.press("f6")
            await settle(pilot)
            accounts_title = app.screen.query_one("#accounts-title", Static)
            assert contrast(accounts_title)[0] == fg  # same theme, same text colour
            dark_fg = fg
            app.theme = "textual-light"
            await settle(pilot)
            await pilot.press("f2")
            await settle(pilot)
            light_fg, light_bg = contrast(title)
            assert light_fg != light_bg
            assert light_fg != dark_fg  # the theme change re-styled the hidden section too
