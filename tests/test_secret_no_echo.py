"""`configure --client-secret-stdin` on a real terminal does not echo the secret (issue 11).

The CLI runs on a pseudo-terminal, as when a person types at it; everything the terminal shows is
read back from the pty's master side. A control run of a plain `input()` on the same kind of pty
shows the typed text, so the test would catch an echo.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.figures import add_figure
from tui.core.store import ProfileStore
from tui.sandbox import DEMO_APP

ROOT = Path(__file__).resolve().parent.parent
SECRET_ARGS = ("--client-id", DEMO_APP.client_id, "--client-secret-stdin")


def run_on_pty(argv: list[str], typed: str, wait_for: bytes) -> tuple[int, bytes]:
    """Run `argv` with stdin/stdout/stderr on a pty; type `typed` once `wait_for` shows."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, close_fds=True)
    os.close(slave)
    screen = b""
    typed_yet = False
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            if not typed_yet and wait_for in screen:
                time.sleep(0.2)  # let it switch echo off after the prompt
                os.write(master, typed.encode() + b"\r")
                typed_yet = True
            if proc.poll() is not None and not ready:
                break
        return proc.wait(10), screen
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_the_secret_typed_on_a_terminal_is_not_echoed(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    code, screen = run_on_pty(
        [sys.executable, "-m", "tui", "--config-dir", str(config_dir), "configure", *SECRET_ARGS],
        DEMO_APP.client_secret,
        b"Client secret (not shown): ",
    )
    assert code == 0, screen
    assert b"Saved profile" in screen
    assert DEMO_APP.client_secret.encode() not in screen
    assert DEMO_APP.client_secret[:8].encode() not in screen
    _, secrets = ProfileStore(config_dir).load()
    assert secrets.client_secret == DEMO_APP.client_secret  # it was read all the same
    add_figure("hardening: hostile cases refused or bounded", 1)


def test_control_a_plain_input_on_the_same_pty_echoes() -> None:
    code, screen = run_on_pty(
        [sys.executable, "-c", "print('go', flush=True); input()"], "visible-text", b"go"
    )
    assert code == 0
    assert b"visible-text" in screen
