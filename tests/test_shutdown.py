"""Ctrl-C, SIGTERM and a dropped terminal (SIGHUP) during a login: prompt, clean, nothing lost.

The CLI runs as a real process waiting on its loopback listener (and, in one case, in the middle of
the code exchange); the dashboard runs in a real terminal (tmux) with an authorization waiting.
After the signal: the process is gone within 5 s with a clear word and no traceback, the callback
port can be listened on again, and the store files parse and are byte-for-byte what they were.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import SandboxEnv, Tmux, pick_free_port, store_demo_app
from tests.figures import add_figure
from tui.core.store import ProfileStore
from tui.hubspot.port_holder import port_holder
from tui.sandbox import FaultKind, Sandbox
from tui.sandbox.browser import choose

ROOT = Path(__file__).resolve().parent.parent
MAIN = 44120003
PROMPT = 5.0


def snapshot(config_dir: Path) -> dict[str, bytes]:
    files = {}
    for name in ("config.toml", "credentials.toml"):
        path = config_dir / name
        files[name] = path.read_bytes()
        tomllib.loads(path.read_text())  # parses
    assert not list(config_dir.glob(".*.tmp")), "a temp file was left behind"
    return files


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def assert_port_free(port: int) -> None:
    """Nothing listens on `port` any more, and it can be listened on again (as the listener
    binds: SO_REUSEADDR, so connections in TIME_WAIT from the last callback don't count)."""
    assert port_holder(port) is None
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            sock = socket.socket(family)
        except OSError:
            continue  # no IPv6 here at all
        with sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                if family == socket.AF_INET6 and exc.errno != errno.EADDRINUSE:
                    continue  # no IPv6 loopback here
                raise
            sock.listen(1)


@pytest.fixture
def cli_setup(sandbox_env: SandboxEnv) -> tuple[Sandbox, Path, int, dict[str, str]]:
    sandbox_env.store_demo_app()
    return sandbox_env.sandbox, sandbox_env.config_dir, sandbox_env.port, sandbox_env.env()


def start_login(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "login", "--timeout", "60"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert "/oauth/authorize?" in url, url
    return proc, url


def finish(proc: subprocess.Popen[str], sig: signal.Signals) -> tuple[str, str, float]:
    started = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=PROMPT + 5)
    return out, err, time.monotonic() - started


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name
)
def test_cli_login_interrupted_while_waiting(
    cli_setup: tuple[Sandbox, Path, int, dict[str, str]], sig: signal.Signals
) -> None:
    _, config_dir, port, env = cli_setup
    before = snapshot(config_dir)
    proc, _ = start_login(env)
    deadline = time.monotonic() + 5
    while not listening(port):
        assert time.monotonic() < deadline, "the listener never came up"
        time.sleep(0.02)
    out, err, took = finish(proc, sig)
    add_figure("signals delivered mid-flow", 1)
    assert took < PROMPT, took
    assert proc.returncode == 130, (proc.returncode, err)
    assert "cancelled; nothing was left half-written" in err
    assert "Traceback" not in out + err
    assert_port_free(port)
    assert snapshot(config_dir) == before


def test_cli_login_terminated_mid_exchange(
    cli_setup: tuple[Sandbox, Path, int, dict[str, str]],
) -> None:
    """SIGTERM while HubSpot sits on the code exchange: no half-stored account, port freed."""
    sandbox, config_dir, port, env = cli_setup
    before = snapshot(config_dir)
    fault = sandbox.faults.add("/oauth/v3/token", FaultKind.DELAY, delay=4.0, times=1)
    proc, url = start_login(env)

    async def deliver() -> None:
        async with httpx.AsyncClient(timeout=10.0, verify=False) as client:
            await choose(client, url, MAIN)

    asyncio.run(deliver())  # the listener got the code; the exchange now hangs in the sandbox
    deadline = time.monotonic() + 5
    while fault.hits == 0:
        assert time.monotonic() < deadline, "the exchange never started"
        time.sleep(0.02)
    out, err, took = finish(proc, signal.SIGTERM)
    add_figure("signals delivered mid-flow", 1)
    assert took < PROMPT, took
    assert proc.returncode == 130, (proc.returncode, err)
    assert "cancelled" in err and "Traceback" not in out + err
    assert_port_free(port)
    assert snapshot(config_dir) == before


# ---- the dashboard in a real terminal ------------------------------------------------------------

TMUX = shutil.which("tmux")


WRAPPER = """
import json, signal, subprocess, sys
# Survive the terminal's SIGHUP long enough to record how the dashboard ended (a handler, unlike
# SIG_IGN, is reset to the default in the child by exec).
signal.signal(signal.SIGHUP, lambda *_: None)
out = sys.argv[1]
child = subprocess.Popen(sys.argv[2:])
open(out + ".pid", "w").write(str(child.pid))
code = child.wait()
open(out, "w").write(json.dumps(code))
"""


@pytest.mark.slow
@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it: .ci/run)")
@pytest.mark.parametrize("how", ["kill-session", "SIGTERM", "SIGHUP"])
def test_dashboard_closed_during_an_authorization(
    tmp_path: Path, how: str, tmux: Callable[..., Tmux]
) -> None:
    """The dashboard, an authorization waiting on its listener, and then the signal.

    A small wrapper runs it in the pane and records its exit status (tmux itself sometimes
    reaps a dead pane's process too late to tell).
    """
    config_dir = tmp_path / "cfg"
    demo_store = config_dir / "demo"
    port = pick_free_port()
    store_demo_app(demo_store, port)
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(WRAPPER)
    status_file = tmp_path / "status"
    command = (
        f"cd {ROOT} && exec env PYTHONPATH={ROOT} {sys.executable} {wrapper} {status_file} "
        f"{sys.executable} -m tui --demo --config-dir {config_dir}"
    )
    term = tmux(100, 30)
    term.start(["sh", "-c", command])
    term.wait_for("F5 OAuth")
    term.send("F5")
    term.wait_for("ctrl+l")
    term.send("C-l")
    deadline = time.monotonic() + 15
    while not listening(port):
        assert time.monotonic() < deadline, f"never listened:\n{term.screen()}"
        time.sleep(0.05)
    term.wait_for(f"localhost:{port}")
    pid = int(Path(f"{status_file}.pid").read_text())
    before = snapshot(demo_store)

    started = time.monotonic()
    if how == "kill-session":
        term.tmux("kill-session", "-t", term.session)  # the terminal goes away: SIGHUP to the pane
    else:
        os.kill(pid, getattr(signal, how))
    while not status_file.exists() or not status_file.read_text():
        assert time.monotonic() - started < PROMPT, "the dashboard did not exit"
        time.sleep(0.02)
    add_figure("signals delivered mid-flow", 1)
    # Exited through its own handler (128 + signal), not killed by the signal's default
    # action (which the wrapper would see as a negative status). With kill-session the
    # dashboard is not the session leader, so no SIGHUP reaches it: it noticed the terminal
    # was gone by itself (before the fix it spun on the dead terminal, listener open).
    expected = signal.SIGHUP if how == "kill-session" else getattr(signal, how)
    assert int(status_file.read_text()) == 128 + expected
    assert_port_free(port)
    assert snapshot(demo_store) == before
    ProfileStore(demo_store).load()
