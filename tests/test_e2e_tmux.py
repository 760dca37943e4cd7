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
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Tmux, pick_free_port

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
    port = pick_free_port()
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
    term.wait_for("▶ Pin to account")  # the section opens on its Pin field
    if pin is not None:
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


def test_full_journey_at_80x24(
    demo: tuple[Path, dict[str, str]], tmux: Callable[..., Tmux]
) -> None:
    """Credentials → scopes → DEVELOPER (FAIL) → Accounts → pinned MAIN → READY, persisted."""
    config, env = demo
    term = tmux(80, 24, env)
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
    status = _status(config, env)
    assert status["ready"] is True
    checks = status["checks"]
    assert isinstance(checks, list) and all(c["state"] == "ok" for c in checks)


def test_short_journey_at_120x36(
    demo: tuple[Path, dict[str, str]], tmux: Callable[..., Tmux]
) -> None:
    """The wide layout: straight to the MAIN account (pinned), READY, and `status` agrees."""
    config, env = demo
    term = tmux(120, 36, env)
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
    assert _status(config, env)["ready"] is True
