"""README's demo walkthrough, typed exactly as written, in a real terminal (tmux, 80x24).

`WALKTHROUGH` is the README's key sequence: each step is the keys a person types (tmux key names;
digits typed as text) and what the screen must then show. Between two steps the test only waits
for the screen to say what the step says (as a person reads before typing on): no extra key, no
Tab, no field set behind the user's back. If a key lands somewhere else (digits switching
sections instead of filling *Pin to account*, `o` typed into a field), the next step's screen
never appears and the test fails with the screen as it was.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_e2e_tmux import (
    DEVELOPER,
    MAIN,
    Tmux,
    _quit,
    _run_tui,
    _status,
    demo,
    hubspot_tui,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(shutil.which("tmux") is None, reason="the real-terminal test needs tmux"),
]

__all__ = ["WALKTHROUGH", "demo"]


@dataclass(frozen=True)
class Step:
    """Keys to type, then what the screen shows (all of `shows`, none of `hides`)."""

    keys: tuple[str, ...]
    shows: tuple[str, ...]
    hides: tuple[str, ...] = ()
    why: str = ""


WALKTHROUGH: tuple[Step, ...] = (
    Step(("F3",), ("▶ Client ID", "typing into Client ID", "ctrl+d fills"), why="Credentials"),
    Step(("C-d",), ("✔ looks like a Client ID",), why="demo credentials filled"),
    Step(("C-s",), ("Saved. Next: press F4 to confirm the scopes",)),
    Step(("F4",), ("▶ Required", "(scope=)"), why="Scopes, the Required list focused"),
    Step(("C-s",), ("✔ saved",)),
    Step(("F5",), ("▶ Pin to account", "typing into Pin to account"), why="OAuth, Pin focused"),
    Step(("Enter",), ("✔ Listening", "Waiting for the redirect"), why="authorize, no pin"),
    Step(("o",), ("Choose an Account", f"▶ {DEVELOPER}  Acme Developer"), why="the chooser"),
    Step(("Enter",), (f"Authorized {DEVELOPER}", "DEVELOPER"), ("Choose an Account",)),
    Step(("F2",), ("✖ FAIL  Main account", "pick your MAIN account"), ("READY",)),
    Step(("F6",), ("1 authorized account(s)", "DEVELOPER account: apps"), why="Accounts"),
    Step(("F5",), ("▶ Pin to account",), why="OAuth again, Pin focused after a login"),
    Step((str(MAIN),), (f"only account {MAIN} will be offered",), why="the pin"),
    Step(("Enter",), (f"Waiting for the redirect (pinned {MAIN})",)),
    Step(("o",), ("Choose an Account", f"▶ {MAIN}  Acme Inc"), (f"{DEVELOPER}",)),
    Step(("Enter",), (f"Authorized {MAIN}: MAIN",), ("Choose an Account",)),
    Step(("F2",), ("✔ READY", f"Active: {MAIN}")),
)
"""README's "Try it: the demo" walkthrough, key by key."""


def _type(term: Tmux, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key.isdigit():
            term.tmux("send-keys", "-t", term.session, "-l", key)  # typed, one char at a time
        else:
            term.send(key)


def test_readme_walkthrough_typed_at_80x24(demo: tuple[Path, dict[str, str]]) -> None:
    """Every step of the README walkthrough shows what the README says it shows."""
    config, env = demo
    term = Tmux(80, 24, env)
    try:
        _run_tui(term, config)
        term.wait_for("Press F3 to enter your app's credentials")
        for number, step in enumerate(WALKTHROUGH, 1):
            _type(term, step.keys)
            try:
                screen = term.wait_for(*step.shows)
                for text in step.hides:
                    screen = term.wait_gone(text, timeout=5)
            except AssertionError as exc:
                raise AssertionError(f"step {number} {step.keys} ({step.why}): {exc}") from None
            # The step's screen must hold still: keys must not have gone somewhere else too.
            time.sleep(0.1)
            assert all(text in term.screen() for text in step.shows), (number, term.screen())
        screen = term.screen()
        assert screen.count("✔ OK") == 8, screen
        # q quits from the Overview; the next start is READY at once.
        term.send("q")
        deadline = time.monotonic() + 15
        while not term.pane_dead():
            assert time.monotonic() < deadline, term.screen()
            time.sleep(0.05)
        _run_tui(term, config)
        term.wait_for("✔ READY")
        _quit(term)
    finally:
        term.kill()
    assert _status(config, env)["ready"] is True


def test_too_small_terminal_takes_only_quit_in_tmux(demo: tuple[Path, dict[str, str]]) -> None:
    """At 60x20 in a real terminal, `?`, F6 then `d` change nothing behind the notice."""
    config, env = demo
    term = Tmux(60, 20, env)
    try:
        term.start([*hubspot_tui(), "--demo", "--config-dir", str(config)])
        term.wait_for("Terminal too small", timeout=30)
        for key in ("?", "F6", "d", "y", "F5", "C-l"):
            term.send(key)
            time.sleep(0.1)
        term.wait_for("Terminal too small")
        term.tmux("resize-window", "-t", term.session, "-x", "80", "-y", "24")
        screen = term.wait_for("Install checklist", "F2 Overview")
        time.sleep(0.3)
        screen = term.screen()
        for absent in ("Help — ", "Remove account?", "Waiting for the redirect", "Terminal too"):
            assert absent not in screen, screen
        term.tmux("resize-window", "-t", term.session, "-x", "60", "-y", "20")
        term.wait_for("Terminal too small")
        term.send("q")  # quitting is the one thing that acts
        deadline = time.monotonic() + 15
        while not term.pane_dead():
            assert time.monotonic() < deadline, term.screen()
            time.sleep(0.05)
    finally:
        term.kill()
