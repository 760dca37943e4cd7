"""Whether the dashboard runs over SSH, and the `user@host` its `ssh -L` line names.

A module of its own so the app and the OAuth screen share it without importing each other.
"""

from __future__ import annotations

import os
import socket


def detect_ssh(environ: dict[str, str] | None = None) -> bool:
    """True when running inside an SSH session (the browser is then on another machine)."""
    env = os.environ if environ is None else environ
    return bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"))


def ssh_target(environ: dict[str, str] | None = None) -> str:
    """`user@host` to put in an `ssh -L` line: the server address SSH_CONNECTION names.

    An IPv6 address stays bare: ssh takes `user@fe80::1`, but looks `user@[fe80::1]` up as a
    host NAME and fails ("Could not resolve hostname [fe80::1]").
    """
    env = os.environ if environ is None else environ
    user = env.get("USER") or env.get("LOGNAME") or "user"
    parts = env.get("SSH_CONNECTION", "").split()
    host = parts[2] if len(parts) >= 3 else socket.gethostname()
    return f"{user}@{host}"


def ssh_tunnel_command(port: int, environ: dict[str, str] | None = None) -> str:
    """`ssh -L PORT:localhost:PORT [-p SSH_PORT] user@host`: run on the laptop, it carries the
    browser's redirect to this machine's listener.

    `-p` is added when this session came in on another port than 22 (SSH_CONNECTION's fourth
    field): without it the printed line would knock on the wrong door.
    """
    env = os.environ if environ is None else environ
    parts = env.get("SSH_CONNECTION", "").split()
    server_port = parts[3] if len(parts) >= 4 and parts[3].isdigit() else "22"
    via = f" -p {server_port}" if server_port != "22" else ""
    return f"ssh -L {port}:localhost:{port}{via} {ssh_target(environ)}"
