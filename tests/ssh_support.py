"""A private OpenSSH server on 127.0.0.1 and a tmux terminal, for tests/test_ssh_real.py.

`OpenSsh.start` runs `/usr/sbin/sshd -D` on a free loopback port with throwaway host and user keys
and a config file of its own in a temp dir (the system's sshd_config, ssh_config, ~/.ssh and
known_hosts are never read or written), and `stop` ends it by pid. The client side uses `ssh -F`
with a config file in the same dir, so only the test's key, known host and batch mode are added
to whatever command a test runs.

`unavailable()` says why such a server cannot run here (no OpenSSH, no privilege-separation dir,
sshd refusing its config), so the tests skip with that reason instead of silently.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.conftest import Tmux

SSHD = Path("/usr/sbin/sshd")
PRIVSEP_DIR = Path("/run/sshd")
"""sshd refuses to start without its privilege-separation directory (Debian creates it at boot)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on `host` right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def has_ipv6_loopback() -> bool:
    """True when ::1 can be listened on here."""
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def accepts(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def wait_until(condition: object, what: str, timeout: float = 10.0) -> float:
    """Poll `condition()` every 20 ms until true; returns the seconds it took."""
    assert callable(condition)
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - started


REAPER = """
import ctypes, os, signal, subprocess, sys
# PR_SET_CHILD_SUBREAPER: a remote process whose sshd session ended first (the client was killed)
# is re-parented here instead of to init, so its exit status can be recorded.
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
record, argv = sys.argv[1], sys.argv[2:]
sshd = subprocess.Popen(argv)
signal.signal(signal.SIGTERM, lambda *_: sshd.terminate())
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    if pid != sshd.pid:
        with open(record, "a") as out:
            out.write(f"{pid} {os.waitstatus_to_exitcode(status)}\\n")
"""
"""Runs sshd as its child and records the exit status of orphaned remote processes."""


def unavailable() -> str:
    """Why a private sshd cannot run here, or "" when it can."""
    if not SSHD.is_file():
        return f"OpenSSH server not installed ({SSHD} missing; .ci/run installs openssh-server)"
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"OpenSSH client not installed (no `{tool}`; .ci/run installs openssh-client)"
    if shutil.which("tmux") is None:
        return "tmux is not installed (.ci/run installs it); the SSH tests drive a real terminal"
    if not PRIVSEP_DIR.is_dir():
        try:
            PRIVSEP_DIR.mkdir(mode=0o755, parents=True)
        except OSError as exc:
            return f"sshd needs {PRIVSEP_DIR} and it cannot be created: {exc.strerror}"
    return ""


class OpenSsh:
    """One sshd on 127.0.0.1:<free port> and the matching client options, all under `home`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.user = getpass.getuser()
        self.host = "127.0.0.1"
        self.ipv6 = has_ipv6_loopback()
        """Also listening on ::1 (when this host has IPv6 loopback)."""
        self.client_config = home / "ssh_config"
        self.log = home / "sshd.log"
        self.exits = home / "orphan-exits.txt"
        self._proc: subprocess.Popen[bytes] | None = None

    def target(self, host: str = "") -> str:
        """`user@127.0.0.1` (or another of its addresses), as a user would type it."""
        return f"{self.user}@{host or self.host}"

    def _keygen(self, path: Path) -> None:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hubspot-tui", "-f", str(path)],
            check=True,
            timeout=30,
        )  # fmt: skip

    def start(self) -> str:
        """Start sshd; returns "" when it accepts connections, else why it could not start."""
        home = self.home
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._keygen(home / "host_key")
        self._keygen(home / "id_ed25519")
        shutil.copy(home / "id_ed25519.pub", home / "authorized_keys")
        host_key = (home / "host_key.pub").read_text().split()
        hosts = [self.host, "::1"] if self.ipv6 else [self.host]
        (home / "known_hosts").write_text(
            "".join(f"[{host}]:{self.port} {host_key[0]} {host_key[1]}\n" for host in hosts)
        )
        config = home / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    *(f"ListenAddress {host}" for host in hosts),
                    f"Port {self.port}",
                    f"HostKey {home / 'host_key'}",
                    f"PidFile {home / 'sshd.pid'}",
                    f"AuthorizedKeysFile {home / 'authorized_keys'}",
                    "StrictModes no",  # the temp dir is not owned the way ~/.ssh must be
                    "UsePAM no",
                    "PermitRootLogin prohibit-password",  # CI runs as root; keys only
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "AllowTcpForwarding local",
                    "X11Forwarding no",
                    "PrintMotd no",
                    "PrintLastLog no",
                    "ClientAliveInterval 0",
                    "LogLevel VERBOSE",
                    "",
                ]
            )
        )
        self.client_config.write_text(
            "\n".join(
                [
                    "Host *",
                    f"  IdentityFile {home / 'id_ed25519'}",
                    "  IdentitiesOnly yes",
                    f"  UserKnownHostsFile {home / 'known_hosts'}",
                    "  StrictHostKeyChecking yes",
                    "  BatchMode yes",
                    "  ControlMaster no",
                    "  ForwardAgent no",
                    "  LogLevel ERROR",
                    "",
                ]
            )
        )
        checked = subprocess.run(
            [str(SSHD), "-t", "-f", str(config)], capture_output=True, text=True, timeout=30
        )
        if checked.returncode != 0:
            return f"sshd rejects its test config: {checked.stderr.strip()[-300:]}"
        reaper = home / "reaper.py"
        reaper.write_text(REAPER)
        self._proc = subprocess.Popen(
            [
                sys.executable,
                str(reaper),
                str(self.exits),
                str(SSHD),
                "-D",
                "-f",
                str(config),
                "-E",
                str(self.log),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        # Its own word, not just a connect: another process may hold the port.
        listening = f"Server listening on {self.host} port {self.port}."
        while listening not in (self.log.read_text() if self.log.exists() else ""):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.log.read_text(errors="replace") if self.log.exists() else ""
                return f"sshd did not start on {self.host}:{self.port}: {log.strip()[-300:]}"
            time.sleep(0.05)
        return ""

    def stop(self) -> None:
        """Stop sshd by pid (its per-connection children end with their connections)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        sshd = [pid for pid in children(proc.pid) if _exe(pid) == SSHD.resolve()]
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)  # the reaper passes it on to sshd
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        for pid in sshd:  # whatever happened to the reaper, sshd goes too
            if process_alive(pid) and _exe(pid) == SSHD.resolve():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    @property
    def pid(self) -> int | None:
        """The listening sshd's pid while it runs."""
        return self._proc.pid if self._proc is not None else None

    def sessions(self) -> list[int]:
        """Live processes under the server except the listening sshd: sessions, remote commands."""
        if self.pid is None:
            return []
        found, todo = [], children(self.pid)
        while todo:
            pid = todo.pop()
            todo.extend(children(pid))
            found.append(pid)
        listening = [pid for pid in children(self.pid) if _exe(pid) == SSHD.resolve()]
        return [pid for pid in found if pid not in listening and process_alive(pid)]

    def exit_status(self, pid: int, timeout: float = 10.0) -> int:
        """The exit status of a remote process that outlived its sshd session (see REAPER)."""
        found: list[int] = []

        def recorded() -> bool:
            text = self.exits.read_text() if self.exits.exists() else ""
            found.extend(
                int(code)
                for line in text.splitlines()
                for p, code in [line.split()]
                if int(p) == pid
            )
            return bool(found)

        wait_until(recorded, f"the exit status of remote process {pid}", timeout)
        return found[0]

    def client(self, *args: str) -> list[str]:
        """`ssh -F <test config> ARGS`: the test's key and known host, nothing else added."""
        return ["ssh", "-F", str(self.client_config), *args]

    def login_argv(self, remote: str, *, host: str = "") -> list[str]:
        """`ssh -t -p PORT user@127.0.0.1 REMOTE` (plus the test config)."""
        return self.client("-t", "-p", str(self.port), self.target(host), remote)


def remote_command(argv: list[str], env: dict[str, str], *, pid_file: Path | None = None) -> str:
    """A remote shell line: optionally record its pid, then exec `env K=V ... argv`.

    `exec` makes hubspot-tui itself the session leader of the remote pty, as after a user's
    `ssh -t host hubspot-tui`: it is the process the hangup signal reaches.
    """
    words = ["env", *(f"{k}={v}" for k, v in env.items()), *argv]
    record = f"echo $$ > {shlex.quote(str(pid_file))} && " if pid_file is not None else ""
    return f"{record}exec {shlex.join(words)}"


def _exe(pid: int) -> Path | None:
    try:
        return Path(f"/proc/{pid}/exe").resolve(strict=True)
    except OSError:
        return None


def children(parent: int) -> list[int]:
    """The pids whose parent is `parent` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 of /proc/PID/stat is the parent pid; the command name before it is in parens.
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def process_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Terminal(Tmux):
    """`tests.conftest.Tmux` without any tmux config file, one session `t` of fixed size, OSC 52
    copies kept as paste buffers, and a server killed by pid (an ssh hangup must not outlive it)."""

    def __init__(self, cols: int, rows: int, env: dict[str, str]) -> None:
        super().__init__(cols, rows, env)
        self.socket = f"hubspot-tui-ssh-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.session = "t"
        self.server_pid: int | None = None

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a tmux command on this server, reading no config file."""
        return super().tmux("-f", "/dev/null", *args, check=check)

    def start(self, argv: list[str]) -> int:  # type: ignore[override]
        """Run `argv` (exec'd, so the pane's pid is its pid) with OSC 52 stored as paste buffers."""
        self.tmux(
            "new-session", "-d", "-s", self.session, "-x", str(self.cols), "-y", str(self.rows),
            f"exec {shlex.join(argv)}",
        )  # fmt: skip
        self.tmux("set-option", "-g", "set-clipboard", "on")
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")
        self.server_pid = int(self.tmux("display-message", "-p", "#{pid}").stdout.strip())
        return self.pane_pid()

    def pane_pid(self) -> int:
        """The pid of the command in the pane."""
        out = self.tmux("display-message", "-p", "-t", self.session, "#{pane_pid}")
        return int(out.stdout.strip())

    def paste(self, text: str) -> None:
        """Paste `text` the way a terminal does (bracketed when the application asked for it)."""
        self.tmux("set-buffer", "-b", "paste", text)
        self.tmux("paste-buffer", "-p", "-d", "-b", "paste", "-t", self.session)

    def buffer(self) -> str:
        """The newest paste buffer (an OSC 52 copy lands there with `set-clipboard on`)."""
        return self.tmux("show-buffer", check=False).stdout

    def close(self) -> None:
        """Kill the server (and the pane's process) and remove the socket file."""
        where = self.tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.tmux("kill-server", check=False)
        if self.server_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.server_pid, signal.SIGKILL)
        if where.endswith(self.socket):
            Path(where).unlink(missing_ok=True)
