"""The hubspot-tui side of tests/test_ssh_real.py: stores, remote command lines, the printed
`ssh -L` line run as a tunnel, the browser stand-in, the dashboard over `ssh -t` in tmux.

Generic OpenSSH/tmux plumbing is in tests/ssh_support.py; this module knows hubspot-tui's screens.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import pick_free_port
from tests.figures import record_figure
from tests.ssh_support import OpenSsh, Terminal, accepts, process_alive, remote_command, wait_until
from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.store import ProfileStore
from tui.sandbox import DEMO_APP, Sandbox

ROOT = Path(__file__).resolve().parent.parent
HUBSPOT_TUI = str(Path(sys.executable).with_name("hubspot-tui"))
"""The venv's console script, by absolute path: the remote login shell has its own PATH."""
FAKE_BROWSER = ROOT / "tests" / "fake_browser.py"
TUNNEL_END = "127.0.0.2"
"""The laptop side of the tunnel (127.0.0.1:PORT is the server side's listener)."""
MAIN = 44120003


def figure(name: str, seconds: float) -> None:
    """Record a timing for the run's summary (tests/figures.py), in milliseconds."""
    record_figure(f"ssh: {name} (ms)", int(seconds * 1000))


def configure_store(store: Path, port: int) -> Path:
    """The demo app's credentials, `port` as callback port and confirmed scopes, in the store."""

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = AppConfig(
            client_id=DEMO_APP.client_id, callback_port=port, scopes_confirmed=True
        )
        secrets.client_secret = DEMO_APP.client_secret
        secrets.secret_origin = "http://127.0.0.1"  # saved for the (loopback) sandbox

    ProfileStore(store).update("default", mutate)
    return store


def demo_store(config: Path, port: int) -> Path:
    """The store `--demo` uses under `config`, configured for `port`."""
    return configure_store(config / "demo", port)


def remote_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What the remote command line sets (sshd passes none of the laptop's environment)."""
    return {
        "HUBSPOT_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "LANG": "C.UTF-8",
        **extra,
    }


def tunnel_line(screen: str) -> str:
    """The `ssh -L …` command as printed (one line of the screen)."""
    for line in screen.splitlines():
        start = line.find("ssh -L ")
        if start >= 0:
            return line[start:].split("  ")[0].strip()
    raise AssertionError(f"no `ssh -L` line on screen:\n{screen}")


def start_tunnel(
    sshd: OpenSsh, printed: str, processes: list[subprocess.Popen[bytes]], port: int
) -> subprocess.Popen[bytes]:
    """Run the printed `ssh -L P:localhost:P …` with its local end moved to 127.0.0.2.

    Added: only `-F <test config>` (key, known host, batch mode), `-N` and ExitOnForwardFailure.
    """
    words = shlex.split(printed)
    assert words[:2] == ["ssh", "-L"], printed
    assert not accepts(TUNNEL_END, port), "something already listens on the tunnel's end"
    argv = sshd.client("-N", "-o", "ExitOnForwardFailure=yes", "-L", f"{TUNNEL_END}:{words[2]}")
    tunnel = subprocess.Popen([*argv, *words[3:]], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    processes.append(tunnel)
    wait_until(
        lambda: accepts(TUNNEL_END, port) or tunnel.poll() is not None, "the tunnel to listen"
    )
    assert tunnel.poll() is None, tunnel.stderr.read() if tunnel.stderr else b""
    return tunnel


def browser(url: str, env: dict[str, str], **settings: str) -> subprocess.CompletedProcess[str]:
    """The browser stand-in on the laptop side: open `url`, pick the main account."""
    browser_env = {**env, "FAKE_BROWSER_PICK": "main", "FAKE_BROWSER_PYTHON": sys.executable}
    browser_env.update(settings)
    done = subprocess.run(
        [sys.executable, str(FAKE_BROWSER), url],
        capture_output=True,
        text=True,
        env=browser_env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def copied_url(term: Terminal, screen: str) -> str:
    """ctrl+y: the authorize URL must arrive whole in tmux's paste buffer through ssh."""
    lines = screen.splitlines()
    first = next(i for i, line in enumerate(lines) if "Authorize URL" in line)
    last = next(i for i, line in enumerate(lines) if "✔ Listening" in line)
    shown = "".join(line.strip() for line in lines[first + 1 : last])
    term.send("C-y")
    term.wait_for("Authorize URL copied")
    copied = term.buffer()
    assert copied == shown, (copied, shown)
    assert "/oauth/authorize?" in copied
    return copied


def open_dashboard(
    sshd: OpenSsh,
    tmp_path: Path,
    env: dict[str, str],
    terminals: list[Terminal],
    size: tuple[int, int],
    hubspot: tuple[Sandbox, Path, int] | None = None,
) -> tuple[Terminal, int, Path, Path]:
    """`ssh -t … hubspot-tui --demo` in tmux, on F5 with an authorization waiting.

    With `hubspot`, the dashboard runs on that sandbox instead of `--demo`'s own (whose faults
    a test cannot reach). Returns the terminal, the callback port, the store and the pid file.
    """
    pid_file = tmp_path / "remote.pid"
    if hubspot is None:
        port = pick_free_port()
        store = demo_store(tmp_path / "config", port)
        argv, variables, tags = [HUBSPOT_TUI, "--demo"], remote_env(tmp_path), "DEMO · SSH"
    else:
        sandbox, store, port = hubspot
        argv, variables, tags = [HUBSPOT_TUI], cli_env(tmp_path, sandbox), "F6 Accounts  SSH"
    remote = remote_command(argv, variables, pid_file=pid_file)
    term = Terminal(*size, env)
    terminals.append(term)
    started = time.monotonic()
    term.start(sshd.login_argv(remote))
    term.wait_for(tags, "Install checklist", timeout=30)
    figure(f"dashboard up over ssh at {size[0]}x{size[1]}", time.monotonic() - started)
    term.send("F5")
    term.wait_for("Pin to account")
    term.send("C-l")
    term.wait_for("✔ Listening", f"localhost:{port}", "ssh -L")
    return term, port, store, pid_file


def expected_tunnel(sshd: OpenSsh, port: int, host: str = "") -> str:
    """The line for this session: our sshd is not on port 22, so `-p` must be in it."""
    return f"ssh -L {port}:localhost:{port} -p {sshd.port} {sshd.target(host)}"


def quit_dashboard(term: Terminal, pid_file: Path) -> None:
    """ctrl+q ends the remote dashboard, and with it the ssh session in the pane."""
    remote_pid = int(pid_file.read_text())
    term.send("C-q")
    wait_until(lambda: not process_alive(remote_pid), "the remote dashboard to quit")
    ssh_pid = term.pane_pid()
    wait_until(lambda: not process_alive(ssh_pid), "ssh to end after the remote command")


def cli_env(tmp_path: Path, sandbox: Sandbox) -> dict[str, str]:
    return remote_env(
        tmp_path, HUBSPOT_TUI_API_BASE=sandbox.base_url, HUBSPOT_TUI_APP_BASE=sandbox.base_url
    )


def screen_text(term: Terminal) -> str:
    """The pane and its scrollback, wrapped lines joined (a long URL is one line again)."""
    return term.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t", check=False).stdout


def assert_login_ready(term: Terminal) -> None:
    """The remote `login` ends (and so does ssh) with the status block saying READY."""
    ssh_pid = term.pane_pid()
    wait_until(lambda: not process_alive(ssh_pid), "login (and ssh) to finish", timeout=30)
    text = screen_text(term)
    assert "· READY" in text and "Traceback" not in text, text


def printed_url(term: Terminal) -> str:
    screen = term.wait_for("/oauth/authorize?")
    line = next(line for line in screen_text(term).splitlines() if "/oauth/authorize?" in line)
    assert line.strip().startswith("http"), screen
    return line.strip()
