"""The whole journey in a real terminal: the INSTALLED `hubspot-tui --demo`, in tmux, by keystrokes.

Each step sends keys with `tmux send-keys` and then polls `tmux capture-pane -p` until the text
the step must produce is on screen (or fails with the screen as it was). Nothing sleeps blindly:
keys that move focus wait for the screen they lead to before the next key is sent.

80x24: credentials (ctrl+d fills the demo app, ctrl+s saves) → scopes (save) → OAuth (ctrl+l, `o`
opens the in-terminal Choose-an-Account page, the DEVELOPER account is picked) → the Overview
flags the main account FAIL → Accounts explains it → re-authorize pinned to 44120003 → the
Overview is all OK and READY → quit, restart: READY again → `status --json` says ready.
120x36: a shorter run of the same app straight to READY.

Each test uses its own tmux server (`tmux -L <unique name>`, killed afterwards), its own config
dir and a free callback port, so parallel runs never collide.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        shutil.which("tmux") is None,
        reason="tmux is not installed (CI installs it in .ci/run); the real-terminal test needs it",
    ),
]

MAIN, DEVELOPER = 44120003, 44120001


def hubspot_tui() -> list[str]:
    """The installed console script (next to this interpreter, else on PATH, else `-m tui`)."""
    local = Path(sys.executable).with_name("hubspot-tui")
    if local.exists():
        return [str(local)]
    found = shutil.which("hubspot-tui")
    return [found] if found else [sys.executable, "-m", "tui"]


def free_port() -> int:
    """A loopback port free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Tmux:
    """One private tmux server; each `start` runs a command in a new session of a fixed size."""

    def __init__(self, cols: int, rows: int, env: dict[str, str]) -> None:
        self.socket = f"hubspot-tui-e2e-{uuid.uuid4().hex[:12]}"
        self.cols, self.rows = cols, rows
        self.env = env
        self.session = ""
        self._runs = 0

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a tmux command on this server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            check=check,
            timeout=30,
        )

    def start(self, argv: list[str]) -> None:
        """Run `argv` in a new session (the pane stays after it exits, to read its last words)."""
        self._runs += 1
        self.session = f"run{self._runs}"
        self.tmux(
            "new-session", "-d", "-s", self.session, "-x", str(self.cols), "-y", str(self.rows),
            shlex.join(argv),
        )  # fmt: skip
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")

    def screen(self) -> str:
        """The pane's text, as the user sees it now."""
        return self.tmux("capture-pane", "-p", "-t", self.session, check=False).stdout

    def send(self, *keys: str) -> None:
        """Press keys (tmux key names: F3, C-s, Enter, Tab, or literal text)."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        """Poll the screen until every text is on it; returns the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"never saw {texts!r} on screen:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 20.0) -> str:
        """Poll the screen until `text` is no longer on it."""
        deadline = time.monotonic() + timeout
        screen = self.screen()
        while text in screen and time.monotonic() < deadline:
            time.sleep(0.05)
            screen = self.screen()
        if text in screen:
            raise AssertionError(f"{text!r} stayed on screen:\n{screen}")
        return screen

    def pane_dead(self) -> bool:
        """True once the command in the current session has exited."""
        out = self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}", check=False)
        return out.stdout.strip() == "1"

    def kill(self) -> None:
        """Stop this server (and everything it runs) and remove its socket file."""
        where = self.tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.tmux("kill-server", check=False)
        if where.endswith(self.socket):
            Path(where).unlink(missing_ok=True)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A config dir whose demo profile uses a free callback port, and a clean environment."""
    config = tmp_path / "config"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TMUX", "HUBSPOT_TUI_", "SSH_", "TEXTUAL")) and key != "NO_COLOR"
    }
    env.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": str(tmp_path)})
    port = free_port()
    configure = ["--demo", "--config-dir", str(config), "configure", "--callback-port", str(port)]
    done = subprocess.run(
        [*hubspot_tui(), *configure],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"localhost:{port}" in done.stdout
    yield config, env


def _run_tui(term: Tmux, config: Path) -> None:
    term.start([*hubspot_tui(), "--demo", "--config-dir", str(config)])
    term.wait_for("Install checklist", "Line items", timeout=30)


def _save_credentials_and_scopes(term: Tmux) -> None:
    term.send("F3")
    term.wait_for("Callback port", "ctrl+d fills")
    term.send("C-d")
    term.wait_for("looks like a Client ID")
    term.send("C-s")
    term.wait_for("press F4 to confirm the scopes")
    term.send("F4")
    term.wait_for("(scope=)")
    term.send("C-s")
    term.wait_for("✔ saved")


def _choose(term: Tmux, hub_id: int) -> str:
    """Open the in-terminal chooser, move the ▶ pointer to `hub_id`, pick it; the verdict."""
    term.send("o")
    screen = term.wait_for("Choose an Account", str(hub_id))
    for _ in range(10):
        pointed = next((line for line in screen.splitlines() if "▶" in line), "")
        if str(hub_id) in pointed:
            break
        term.send("Down")
        time.sleep(0.05)
        screen = term.screen()
    else:
        raise AssertionError(f"could not point at {hub_id}:\n{screen}")
    term.send("Enter")
    term.wait_gone("Choose an Account")
    return term.wait_for(f"Authorized {hub_id}")


def _authorize(term: Tmux, pin: int | None = None) -> None:
    term.send("F5")
    term.wait_for("Pin to account")
    if pin is not None:
        term.send("Tab")  # into the pin field
        term.wait_for("e.g. 44120003")
        term.send(str(pin))
        term.wait_for(f"only account {pin} will be offered")
    term.send("C-l")
    term.wait_for("✔ Listening", "Waiting for the redirect")


def _assert_ready(screen: str) -> None:
    assert "✔ READY" in screen, screen
    assert screen.count("✔ OK") == 8, screen
    assert f"Active: {MAIN}" in screen, screen


def _status(config: Path, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [*hubspot_tui(), "--demo", "--config-dir", str(config), "status", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    data: dict[str, object] = json.loads(done.stdout)
    assert done.returncode == (0 if data["ready"] else 1), done.stderr
    return data


def _quit(term: Tmux) -> None:
    term.send("C-q")
    deadline = time.monotonic() + 15
    while not term.pane_dead():
        assert time.monotonic() < deadline, f"hubspot-tui did not quit:\n{term.screen()}"
        time.sleep(0.05)


def test_full_journey_at_80x24(demo: tuple[Path, dict[str, str]]) -> None:
    """Credentials → scopes → DEVELOPER (FAIL) → Accounts → pinned MAIN → READY, persisted."""
    config, env = demo
    term = Tmux(80, 24, env)
    try:
        _run_tui(term, config)
        term.wait_for("Press F3 to enter your app's credentials")
        _save_credentials_and_scopes(term)

        # Authorize and (wrongly) pick the developer account in the in-terminal chooser.
        _authorize(term)
        verdict = _choose(term, DEVELOPER)
        assert "DEVELOPER" in verdict

        # The Overview flags it, and says what to do.
        term.send("F2")
        screen = term.wait_for("✖ FAIL  Main account")
        assert "pick your MAIN account" in screen
        assert "READY" not in screen

        # Accounts explains the DEVELOPER account.
        term.send("F6")
        # The detail panel under the table explains the highlighted (only) account.
        term.wait_for("1 authorized account(s)", str(DEVELOPER), "DEVELOPER account: apps")

        # Re-authorize pinned to the main account: only it is offered.
        _authorize(term, pin=MAIN)
        screen = _choose(term, MAIN)
        assert "MAIN" in screen

        term.send("F2")
        _assert_ready(term.wait_for("✔ READY"))

        # Quit, start again: the same store shows READY at once.
        _quit(term)
        _run_tui(term, config)
        _assert_ready(term.wait_for("✔ READY"))
        _quit(term)
    finally:
        term.kill()
    status = _status(config, env)
    assert status["ready"] is True
    checks = status["checks"]
    assert isinstance(checks, list) and all(c["state"] == "ok" for c in checks)


def test_short_journey_at_120x36(demo: tuple[Path, dict[str, str]]) -> None:
    """The wide layout: straight to the MAIN account (pinned), READY, and `status` agrees."""
    config, env = demo
    term = Tmux(120, 36, env)
    try:
        _run_tui(term, config)
        _save_credentials_and_scopes(term)
        _authorize(term, pin=MAIN)
        assert "MAIN" in _choose(term, MAIN)
        term.send("F2")
        _assert_ready(term.wait_for("✔ READY"))
        # Esc (the lone-Escape path of our driver) and b both go back from a section.
        term.send("F6")
        term.wait_for("1 authorized account(s)")
        term.send("Escape")
        term.wait_for("✔ READY")
        term.send("F4")
        term.wait_for("(scope=)")
        term.send("b")  # the scope list has focus, not a text field: b is "back"
        term.wait_for("✔ READY")
        _quit(term)
    finally:
        term.kill()
    assert _status(config, env)["ready"] is True
