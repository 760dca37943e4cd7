"""Polling an exclusive `flock` until a deadline: the store's write lock and the refresh lock.

Both poll with `LOCK_NB` rather than block, so a hung peer can never hang us; they differ only in
how they wait between tries (a sleep for the store, an `await` for the refresh lock).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator


def try_flock(fd: int) -> bool:
    """Take the exclusive lock on `fd` if nobody holds it; False when somebody does."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def lock_waits(timeout: float, first: float, longest: float) -> Iterator[float]:
    """Pauses between tries, doubling from `first` up to `longest`, until `timeout` has passed.

    Use as `for pause in lock_waits(...): if try_flock(fd): break; sleep(pause)` with an `else:`
    that reports the timeout: the loop ends without `break` only once the deadline is past.
    """
    deadline, pause = time.monotonic() + timeout, first
    while time.monotonic() < deadline:
        yield pause
        pause = min(pause * 2, longest)
    yield 0.0  # one last try at the deadline itself
