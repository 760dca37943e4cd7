"""What counts as "this machine" in a redirect URL, and the `ssh -L` line that reaches it.

One loopback test and one tunnel hint for the CLI (`login`) and the dashboard (Credentials, OAuth):
HubSpot only accepts `http://localhost…` for plain-HTTP redirects, so a loopback redirect written
with `127.0.0.1` or `[::1]` is read as the same place and shown back with `localhost`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

from tui.hubspot.origins import is_loopback_host

__all__ = [
    "is_loopback_host",
    "is_loopback_redirect",
    "on_localhost",
    "over_ssh",
    "redirect_port",
    "ssh_target",
    "ssh_tunnel_command",
    "ssh_tunnel_hint",
]


def is_loopback_redirect(uri: str) -> bool:
    """True when `uri` is a plain-HTTP URL on this machine: the listener can catch it."""
    try:
        parts = urlsplit(uri.strip())
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme.lower() == "http" and is_loopback_host(host)


def redirect_port(uri: str) -> int | None:
    """The port of a redirect URL (80/443 by scheme when none is written); None if malformed."""
    try:
        parts = urlsplit(uri.strip())
        port = parts.port
    except ValueError:
        return None
    if port is not None:
        return port
    return 443 if parts.scheme.lower() == "https" else 80


def on_localhost(uri: str, port: int) -> str:
    """`uri` moved to `localhost:port` (HubSpot accepts `localhost`, not bare IP addresses)."""
    parts = urlsplit(uri.strip())
    return parts._replace(netloc=f"localhost:{port}").geturl()


def over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    """True inside an SSH session: the browser then runs on another machine."""
    env = os.environ if environ is None else environ
    return bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"))


def ssh_target(environ: Mapping[str, str] | None = None) -> str:
    """`user@host` for an `ssh -L` line: the server address SSH_CONNECTION names.

    An IPv6 address stays bare: ssh takes `user@fe80::1`, but looks `user@[fe80::1]` up as a
    host NAME and fails ("Could not resolve hostname [fe80::1]").
    """
    env = os.environ if environ is None else environ
    user = env.get("USER") or env.get("LOGNAME") or "user"
    parts = env.get("SSH_CONNECTION", "").split()
    host = parts[2] if len(parts) >= 3 else socket.gethostname()
    return f"{user}@{host}"


def ssh_tunnel_command(port: int, environ: Mapping[str, str] | None = None) -> str:
    """The command to run on the laptop so its browser reaches this machine's listener.

    `-p` is added when this session came in on another port than 22 (SSH_CONNECTION's fourth
    field): without it the printed line would knock on the wrong door. Checked over a real
    OpenSSH connection by tests/test_ssh_real.py.
    """
    env = os.environ if environ is None else environ
    parts = env.get("SSH_CONNECTION", "").split()
    server_port = parts[3] if len(parts) >= 4 and parts[3].isdigit() else "22"
    via = f" -p {server_port}" if server_port != "22" else ""
    return f"ssh -L {port}:localhost:{port}{via} {ssh_target(env)}"


def ssh_tunnel_hint(redirect_uri: str, environ: Mapping[str, str] | None = None) -> str:
    """One line telling an SSH user how to reach the loopback listener; "" when not needed."""
    if not over_ssh(environ) or not is_loopback_redirect(redirect_uri):
        return ""
    port = redirect_port(redirect_uri) or 80
    return (
        f"Over SSH: on your laptop run  {ssh_tunnel_command(port, environ)}  "
        "before authorizing, or paste the redirected URL (use --paste)."
    )
