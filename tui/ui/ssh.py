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
    """`user@host` to put in an `ssh -L` line: the server address SSH_CONNECTION names."""
    env = os.environ if environ is None else environ
    user = env.get("USER") or env.get("LOGNAME") or "user"
    parts = env.get("SSH_CONNECTION", "").split()
    host = parts[2] if len(parts) >= 3 else socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"{user}@{host}"
