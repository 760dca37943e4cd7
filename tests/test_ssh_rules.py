"""Two rules real OpenSSH connections exposed (tests/test_ssh_real.py), checked without sshd so
they run everywhere, on every Python CI tries: the `ssh -L` line names the session's port and an
IPv6 host bare, and the SIGCONT that comes with a hangup does not restart Textual.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_tunnel_line_names_the_sessions_port_and_a_bare_ipv6_host() -> None:
    """The rule test_ssh_real checks over real connections: `-p` only when
    the session came in on another port than 22; `user@::1`, not `user@[::1]` (which ssh looks
    up as a host name)."""
    from tui.core.loopback import ssh_tunnel_command, ssh_tunnel_hint

    on_22 = {"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 22", "USER": "ann"}
    on_2222 = {"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 2222", "USER": "ann"}
    v6 = {"SSH_CONNECTION": "::2 5555 fe80::1 2222", "USER": "bo"}
    cases = [
        (on_22, "ssh -L 8765:localhost:8765 ann@10.0.0.1"),
        (on_2222, "ssh -L 8765:localhost:8765 -p 2222 ann@10.0.0.1"),
        (v6, "ssh -L 8765:localhost:8765 -p 2222 bo@fe80::1"),
    ]
    for env, command in cases:
        assert ssh_tunnel_command(8765, env) == command
        assert f"  {command}  " in ssh_tunnel_hint("http://localhost:8765/oauth-callback", env)


HANGUP_SCRIPT = """
import asyncio, os, signal
from tui.cli.lifecycle import exit_on_signals
resumed = []
signal.signal(signal.SIGCONT, lambda *_: resumed.append(1))  # stands in for Textual's resume
class App:
    code = None
    def exit(self, return_code):
        App.code = return_code
async def main():
    with exit_on_signals(App()):
        os.kill(os.getpid(), signal.SIGHUP)  # a hangup: the kernel sends both, in this order
        os.kill(os.getpid(), signal.SIGCONT)
        await asyncio.sleep(0.2)
asyncio.run(main())
print(App.code, len(resumed), flush=True)
os._exit(0)  # before the grace timer
"""


def test_a_hangup_does_not_resume_textual() -> None:
    """The SIGCONT that comes with a hangup must not restart Textual's application mode (a
    second input thread nothing stops: the dropped-ssh dashboard hung until its grace timer).
    Deterministic twin of `test_connection_dropped_under_the_dashboard` (no sshd needed)."""
    done = subprocess.run(
        [sys.executable, "-c", HANGUP_SCRIPT],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.stdout.split() == ["129", "0"], (done.stdout, done.stderr)
