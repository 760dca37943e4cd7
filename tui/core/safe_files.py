"""Opening the store's files and directory so that another local user can't play tricks.

The store keeps secrets, so its directory must be private: owned by us and writable by no one
else (a directory we own but left open is made 0700, once; a shared or foreign one is refused).
Every file is opened with `O_NOFOLLOW | O_NONBLOCK` and must be a regular file: a symlink to
`/dev/zero` or another user's file, a FIFO that would block `status` forever, a device — each is
refused with the file's name, never followed, read or hung on. Reads are bounded, and modes are
set on the opened file (`fchmod`), never through a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 4 << 20
"""The largest store file read (4 MiB; a store with a hundred accounts is ~100 KiB)."""

_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnsafePath(Exception):
    """The directory or a file of the store is not safe to use: what, and what to do."""

    def __init__(self, path: Path, message: str, action: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.action = action


def _not_regular(path: Path, mode: int) -> UnsafePath:
    kind = (
        "a symbolic link"
        if stat.S_ISLNK(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a directory"
        if stat.S_ISDIR(mode)
        else "a device or socket"
    )
    return UnsafePath(
        path,
        f"{path} is {kind}, not a regular file: hubspot-tui will not read or follow it",
        f"move it away (e.g. `mv {path} {path}.moved`); hubspot-tui then starts a new one",
    )


def open_regular(path: Path) -> int | None:
    """Open `path` for reading without following a link or blocking; None when it is missing.

    Raises:
        UnsafePath: it is a symlink, FIFO, device, directory, or owned by another user.
        OSError: any other failure (permission denied, …).
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise _not_regular(path, stat.S_IFLNK) from None
        if exc.errno == errno.ENXIO:  # a FIFO without a writer, or a socket
            raise _not_regular(path, stat.S_IFIFO) from None
        raise
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _not_regular(path, info.st_mode)
    if info.st_uid != os.geteuid():
        os.close(fd)
        raise UnsafePath(
            path,
            f"{path} belongs to another user (uid {info.st_uid}): hubspot-tui will not use it",
            f"remove it, or run as its owner; check who could write it (`ls -l {path}`)",
        )
    return fd


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of regular file `path` (at most `limit` + 1 of them), or None when missing.

    A result longer than `limit` means the file is larger than any store file should be.

    Raises:
        UnsafePath: see `open_regular`.
        OSError: any other failure.
    """
    fd = open_regular(path)
    if fd is None:
        return None
    try:
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def tighten_file(path: Path, wanted: int = 0o600) -> int | None:
    """Set `path`'s mode to `wanted` through an opened descriptor (never through a link).

    Returns:
        The mode it had when it differed, else None (also when the file is missing).

    Raises:
        UnsafePath: see `open_regular`.
        OSError: the mode can't be changed.
    """
    fd = open_regular(path)
    if fd is None:
        return None
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        if mode == wanted:
            return None
        os.fchmod(fd, wanted)
        return mode
    finally:
        os.close(fd)


def private_dir(path: Path) -> int | None:
    """Make sure directory `path` is ours and private; make an open one 0700.

    Returns:
        The group/other-accessible mode it had when it was tightened, else None (also when
        the directory does not exist yet: it is created 0700).

    Raises:
        UnsafePath: not a directory, owned by another user, shared (sticky, e.g. /tmp), or
            still writable by others after the chmod.
    """
    try:
        info = os.stat(path)  # a symlinked config dir is fine: its target is what is checked
    except FileNotFoundError:
        return None
    choose = "choose another with --config-dir or HUBSPOT_TUI_CONFIG_DIR"
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(path, f"{path} is not a directory", choose)
    if info.st_uid != os.geteuid():
        raise UnsafePath(
            path,
            f"{path} belongs to another user (uid {info.st_uid}): secrets will not be kept "
            "where someone else controls the files",
            choose,
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & stat.S_ISVTX:
        raise UnsafePath(
            path,
            f"{path} is a shared directory (mode {mode:04o}): secrets can't be kept private there",
            choose,
        )
    if not mode & 0o077:
        return None
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)  # checked below: what matters is whether others can still write
    after = stat.S_IMODE(os.stat(path).st_mode)
    if after & 0o022:
        raise UnsafePath(
            path,
            f"{path} is writable by other users (mode {after:04o}) and could not be made 0700",
            f"run `chmod 700 {path}`, or {choose}",
        )
    return mode if after != mode else None
