"""Which process holds a TCP port on this host, so "port in use" can name it (Linux `/proc`)."""

from __future__ import annotations

import os
import re

_COMM_RE = re.compile(r"[^\w.\- ]")


def port_holder(port: int) -> tuple[int, str] | None:
    """Which process holds TCP `port` on this host, as `(pid, command name)`, when Linux says.

    Reads `/proc/net/tcp{,6}` for the socket inode, then looks for it among `/proc/*/fd`.
    Only processes we may inspect are found (our own user's, or all as root).
    """
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii", errors="replace") as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) < 10 or fields[9] == "0":
                continue
            try:
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
            except (IndexError, ValueError):
                continue
            if local_port == port:
                inodes.add(f"socket:[{fields[9]}]")
    if not inodes:
        return None
    try:
        pids = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return None
    # Our own process first: the common case in tests, and cheap.
    own = str(os.getpid())
    for pid in sorted(pids, key=lambda p: p != own):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target in inodes:
                try:
                    with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as handle:
                        comm = _COMM_RE.sub("", handle.read().strip())[:32]
                except OSError:
                    comm = ""
                return int(pid), comm or "unknown"
    return None
