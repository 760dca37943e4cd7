"""hubspot-tui over a REAL OpenSSH connection: our own sshd on 127.0.0.1, a real pty, real tunnels.

Everything else simulates SSH by setting SSH_CONNECTION; here sshd sets it. Each test logs in
with `ssh -t -p PORT root@127.0.0.1 '<venv>/bin/hubspot-tui …'` inside tmux (or with `ssh -tt`
from a pipe) and checks what only a real connection exercises:

- the dashboard detects SSH (`DEMO · SSH`) and prints the `ssh -L` line for THIS connection, at
  80x24 and 120x36; that line, run as printed, carries the browser's redirect to the listener
  and the login reaches READY (the tunnel's local end is 127.0.0.2, because laptop and server
  are one machine here and the listener already holds PORT on 127.0.0.1 and ::1);
- the same for `hubspot-tui login`, whose hint line is printed on stderr;
- ctrl+y's OSC 52 copy crosses ssh and lands in tmux's paste buffer (`set-clipboard on`);
- the redirected URL pasted (bracketed paste through tmux and ssh) into the dashboard's paste
  box and into `hubspot-tui login --paste` completes the login;
- the ssh client killed while the listener waits, or while the code exchange hangs at HubSpot
  (sandbox DELAY fault), under `login` and under the dashboard: the remote process exits within
  5 s through its own handler (status 130 / 129, recorded by the reaper sshd runs under; no
  traceback in `login`'s log), the port is free, the store byte-identical.

Two rules these connections exposed are also tested without sshd in tests/test_ssh_rules.py:
the `ssh -L` line's `-p` and bare IPv6 host, and a hangup's SIGCONT not restarting Textual.

The module skips, with the reason, where OpenSSH or tmux is missing or sshd cannot start
(`.ci/run` installs both). It leaves no sshd, ssh or tmux process behind (checked with pgrep).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import pick_free_port
from tests.ssh_flows import (
    HUBSPOT_TUI,
    MAIN,
    TUNNEL_END,
    assert_login_ready,
    browser,
    cli_env,
    configure_store,
    copied_url,
    expected_tunnel,
    figure,
    open_dashboard,
    printed_url,
    quit_dashboard,
    screen_text,
    start_tunnel,
    tunnel_line,
)
from tests.ssh_support import (
    OpenSsh,
    Terminal,
    accepts,
    process_alive,
    remote_command,
    unavailable,
    wait_until,
)
from tests.test_shutdown import assert_port_free, snapshot
from tui.sandbox import FaultKind, Sandbox
from tui.sandbox.browser import choose

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parent.parent
PROMPT = 5.0


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenSsh]:
    """Our own sshd for the module (stopped by pid; nothing of it may outlive the module)."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    server = OpenSsh(tmp_path_factory.mktemp("sshd"))
    reason = server.start()
    if reason:
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()
        assert not _pgrep(str(server.home)), "an sshd or ssh of this module is still running"


def _pgrep(pattern: str) -> list[str]:
    found = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True, timeout=10)
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


def _wait_gone(pattern: str, what: str) -> None:
    """Wait (up to 5 s: kill-server returns before tmux has exited) until pgrep finds nothing."""
    wait_until(lambda: not _pgrep(pattern), f"{what} to exit", 5)


@pytest.fixture
def laptop_env(tmp_path: Path) -> dict[str, str]:
    """The environment of the "laptop" side: no SSH_*, no TMUX, HOME in the temp dir."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TMUX", "HUBSPOT_TUI_", "SSH_", "TEXTUAL", "FAKE_BROWSER"))
        and key not in ("NO_COLOR", "BROWSER")
    }
    env.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": str(tmp_path)})
    return env


@pytest.fixture
def processes(sshd: OpenSsh) -> Iterator[list[subprocess.Popen[bytes]]]:
    """ssh clients a test starts; killed by pid afterwards, and checked gone with pgrep."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    # Also the ssh clients tmux ran (torn down first, see `terminals`), and sshd's
    # per-connection processes, which end once their client is gone.
    wait_until(lambda: not _pgrep(str(sshd.client_config)), "ssh clients to exit")
    wait_until(lambda: not sshd.sessions(), "sshd's sessions to end", timeout=15)


@pytest.fixture
def terminals(
    laptop_env: dict[str, str], processes: list[subprocess.Popen[bytes]]
) -> Iterator[list[Terminal]]:
    """tmux servers a test starts (unique sockets); killed afterwards and checked gone.

    Needs `processes` only to be torn down before it: its checks come after tmux is gone.
    """
    made: list[Terminal] = []
    yield made
    for term in made:
        term.close()
        _wait_gone(term.socket, f"tmux server {term.socket}")


def test_dashboard_tunnel_to_ready_at_80x24(
    sshd: OpenSsh,
    tmp_path: Path,
    laptop_env: dict[str, str],
    terminals: list[Terminal],
    processes: list[subprocess.Popen[bytes]],
) -> None:
    """SSH detected, the printed `ssh -L` line run as is, the redirect through it: READY."""
    term, port, _, pid_file = open_dashboard(sshd, tmp_path, laptop_env, terminals, (80, 24))
    screen = term.screen()
    printed = tunnel_line(screen)
    assert printed == expected_tunnel(sshd, port), screen
    url = copied_url(term, screen)
    started = time.monotonic()
    start_tunnel(sshd, printed, processes, port)
    browser(url, laptop_env, FAKE_BROWSER_LOCALHOST=TUNNEL_END)
    term.wait_for(f"Authorized {MAIN}")
    figure("tunnel up to authorized, dashboard", time.monotonic() - started)
    term.send("F2")
    assert "✔ READY" in term.wait_for("✔ READY")
    quit_dashboard(term, pid_file)


def test_dashboard_paste_back_at_120x36(
    sshd: OpenSsh, tmp_path: Path, laptop_env: dict[str, str], terminals: list[Terminal]
) -> None:
    """The redirected URL, pasted into the paste box through tmux and ssh, completes the login."""
    term, port, _, pid_file = open_dashboard(sshd, tmp_path, laptop_env, terminals, (120, 36))
    screen = term.screen()
    printed = tunnel_line(screen)
    assert printed == expected_tunnel(sshd, port), screen
    term.send("C-t")  # copies the `ssh -L` line (OSC 52), as shown
    term.wait_for("ssh -L command copied")
    assert term.buffer() == printed
    url = copied_url(term, screen)
    log = tmp_path / "redirects.txt"
    browser(url, laptop_env, FAKE_BROWSER_DELIVER="0", FAKE_BROWSER_LOG=str(log))
    redirect = log.read_text().strip()
    assert redirect.startswith(f"http://localhost:{port}/oauth-callback?")
    term.send("v")  # focus the paste box
    term.paste(redirect)
    term.wait_for(f"Authorized {MAIN}")
    term.send("F2")
    term.wait_for("✔ READY")
    quit_dashboard(term, pid_file)


# ---- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def hubspot(tmp_path: Path) -> Iterator[tuple[Sandbox, Path, int]]:
    """A sandbox HubSpot (in this process, for fault injection) and a store configured for it."""
    port = pick_free_port()
    config = tmp_path / "config"
    with Sandbox(port=0, redirect_uris=[f"http://localhost:{port}/oauth-callback"]) as sandbox:
        configure_store(config, port)
        yield sandbox, config, port


@pytest.mark.parametrize("server", ["127.0.0.1", "::1"])
def test_cli_login_through_the_printed_tunnel(
    server: str,
    sshd: OpenSsh,
    tmp_path: Path,
    laptop_env: dict[str, str],
    hubspot: tuple[Sandbox, Path, int],
    terminals: list[Terminal],
    processes: list[subprocess.Popen[bytes]],
) -> None:
    """`hubspot-tui login` over `ssh -t`: its hint line, run as printed, carries the redirect.

    Also over IPv6, where the line must name the server as `user@::1` (ssh rejects `[::1]`).
    """
    if server == "::1" and not sshd.ipv6:
        pytest.skip("no IPv6 loopback on this host")
    sandbox, _, port = hubspot
    remote = remote_command([HUBSPOT_TUI, "login", "--timeout", "60"], cli_env(tmp_path, sandbox))
    term = Terminal(80, 24, laptop_env)
    terminals.append(term)
    term.start(sshd.login_argv(remote, host=server))
    url = printed_url(term)
    term.wait_for("Over SSH")
    joined = screen_text(term)
    hint = next(line for line in joined.splitlines() if "Over SSH" in line)
    printed = tunnel_line(hint)
    assert printed == expected_tunnel(sshd, port, server), joined
    start_tunnel(sshd, printed, processes, port)
    browser(url, laptop_env, FAKE_BROWSER_LOCALHOST=TUNNEL_END)
    assert_login_ready(term)


def test_cli_login_paste_over_ssh(
    sshd: OpenSsh,
    tmp_path: Path,
    laptop_env: dict[str, str],
    hubspot: tuple[Sandbox, Path, int],
    terminals: list[Terminal],
) -> None:
    """`hubspot-tui login --paste` over `ssh -t`: the pasted redirect URL completes the login."""
    sandbox, _, _ = hubspot
    remote = remote_command(
        [HUBSPOT_TUI, "login", "--paste", "--timeout", "60"], cli_env(tmp_path, sandbox)
    )
    term = Terminal(80, 24, laptop_env)
    terminals.append(term)
    term.start(sshd.login_argv(remote))
    url = printed_url(term)
    term.wait_for("Paste the full URL")
    log = tmp_path / "redirects.txt"
    browser(url, laptop_env, FAKE_BROWSER_DELIVER="0", FAKE_BROWSER_LOG=str(log))
    term.paste(log.read_text().strip())
    term.send("Enter")
    assert_login_ready(term)


# ---- the connection drops -------------------------------------------------------------------


def _login_over_pipe(
    sshd: OpenSsh,
    tmp_path: Path,
    sandbox: Sandbox,
    processes: list[subprocess.Popen[bytes]],
) -> tuple[subprocess.Popen[bytes], int, Path, str]:
    """`ssh -tt … hubspot-tui login` from a pipe (stderr to a remote log): ssh, pid, log, URL."""
    pid_file, log = tmp_path / "remote.pid", tmp_path / "remote.log"
    remote = remote_command(
        [HUBSPOT_TUI, "login", "--timeout", "60"], cli_env(tmp_path, sandbox), pid_file=pid_file
    )
    argv = sshd.client("-tt", "-p", str(sshd.port), sshd.target(), f"{remote} 2>{log}")
    ssh = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    processes.append(ssh)
    assert ssh.stdout is not None
    url = ssh.stdout.readline().decode().strip()
    assert "/oauth/authorize?" in url, url
    return ssh, int(pid_file.read_text()), log, url


def _drop(ssh: subprocess.Popen[bytes], remote_pid: int) -> float:
    """Kill the ssh client (no goodbye to the server); seconds until the remote process is gone."""
    started = time.monotonic()
    ssh.send_signal(signal.SIGKILL)
    ssh.wait(timeout=5)
    wait_until(lambda: not process_alive(remote_pid), "the remote process to exit", PROMPT + 5)
    return time.monotonic() - started


def _assert_clean_exit(
    log: Path, took: float, port: int, before: dict[str, bytes], store: Path, status: int
) -> None:
    assert took < PROMPT, took
    assert status == 130, status  # cancelled like Ctrl-C: its `finally` blocks ran
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text
    assert "cancelled" in text, text
    assert_port_free(port)
    assert snapshot(store) == before


def test_connection_dropped_while_the_listener_waits(
    sshd: OpenSsh,
    tmp_path: Path,
    hubspot: tuple[Sandbox, Path, int],
    processes: list[subprocess.Popen[bytes]],
) -> None:
    sandbox, config, port = hubspot
    before = snapshot(config)
    ssh, remote_pid, log, _ = _login_over_pipe(sshd, tmp_path, sandbox, processes)
    wait_until(lambda: accepts("127.0.0.1", port), "the remote listener")
    took = _drop(ssh, remote_pid)
    figure("remote login gone after the client was killed, waiting", took)
    _assert_clean_exit(log, took, port, before, config, sshd.exit_status(remote_pid))


def test_connection_dropped_mid_exchange(
    sshd: OpenSsh,
    tmp_path: Path,
    hubspot: tuple[Sandbox, Path, int],
    processes: list[subprocess.Popen[bytes]],
) -> None:
    sandbox, config, port = hubspot
    before = snapshot(config)
    fault = sandbox.faults.add("/oauth/v3/token", FaultKind.DELAY, delay=8.0, times=1)
    ssh, remote_pid, log, url = _login_over_pipe(sshd, tmp_path, sandbox, processes)
    wait_until(lambda: accepts("127.0.0.1", port), "the remote listener")

    async def deliver() -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            await choose(client, url, MAIN)

    asyncio.run(deliver())
    wait_until(lambda: fault.hits > 0, "the code exchange to start")
    took = _drop(ssh, remote_pid)
    figure("remote login gone after the client was killed, exchanging", took)
    _assert_clean_exit(log, took, port, before, config, sshd.exit_status(remote_pid))


def _drop_dashboard(term: Terminal, pid_file: Path) -> tuple[int, float]:
    """Kill the ssh client in the pane; the remote dashboard's pid and seconds until it is gone."""
    remote_pid = int(pid_file.read_text())
    started = time.monotonic()
    os.kill(term.pane_pid(), signal.SIGKILL)
    wait_until(lambda: not process_alive(remote_pid), "the remote dashboard to exit", PROMPT + 5)
    return remote_pid, time.monotonic() - started


def test_connection_dropped_under_the_dashboard(
    sshd: OpenSsh, tmp_path: Path, laptop_env: dict[str, str], terminals: list[Terminal]
) -> None:
    """The dashboard waiting on its listener when the laptop's ssh dies: it closes by itself."""
    term, port, store, pid_file = open_dashboard(sshd, tmp_path, laptop_env, terminals, (80, 24))
    before = snapshot(store)
    remote_pid, took = _drop_dashboard(term, pid_file)
    figure("remote dashboard gone after the client was killed, waiting", took)
    assert took < PROMPT, took
    # Closed by its own SIGHUP handler (128 + 1); 120 was Python failing its last flush of the
    # dead terminal, a crash would be 1, and the grace timer's cut-off shows up as a slow exit.
    assert sshd.exit_status(remote_pid) == 128 + signal.SIGHUP
    assert_port_free(port)
    assert snapshot(store) == before


def test_connection_dropped_under_the_dashboard_mid_exchange(
    sshd: OpenSsh,
    tmp_path: Path,
    laptop_env: dict[str, str],
    hubspot: tuple[Sandbox, Path, int],
    terminals: list[Terminal],
) -> None:
    """The dashboard exchanging the code (HubSpot slow to answer) when the laptop's ssh dies."""
    sandbox = hubspot[0]
    fault = sandbox.faults.add("/oauth/v3/token", FaultKind.DELAY, delay=8.0, times=1)
    term, port, store, pid_file = open_dashboard(
        sshd, tmp_path, laptop_env, terminals, (80, 24), hubspot
    )
    url = copied_url(term, term.screen())
    before = snapshot(store)

    async def deliver() -> None:
        async with httpx.AsyncClient(timeout=10.0) as client:
            await choose(client, url, MAIN)

    asyncio.run(deliver())
    wait_until(lambda: fault.hits > 0, "the code exchange to start")
    term.wait_for("exchanging the code")
    remote_pid, took = _drop_dashboard(term, pid_file)
    figure("remote dashboard gone after the client was killed, exchanging", took)
    assert took < PROMPT, took
    assert sshd.exit_status(remote_pid) == 128 + signal.SIGHUP
    assert_port_free(port)
    assert snapshot(store) == before
