"""Reading a secret from standard input without showing it.

On a terminal, echo is switched off for the one line (and always restored, even on Ctrl-C), with
a prompt on stderr; from a pipe or file, the first line is read as is. Either way at most
`MAX_SECRET_LINE` characters are read, so a stray binary on stdin can't fill memory.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

MAX_SECRET_LINE = 4096


@contextlib.contextmanager
def _no_echo(stream: TextIO) -> Iterator[None]:
    import termios

    fd = stream.fileno()
    old = termios.tcgetattr(fd)
    new = termios.tcgetattr(fd)
    new[3] &= ~termios.ECHO  # lflag: no echo, keep canonical line editing (Backspace works)
    termios.tcsetattr(fd, termios.TCSAFLUSH, new)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSAFLUSH, old)


def read_secret_line(prompt: str, stream: TextIO | None = None, err: TextIO | None = None) -> str:
    """One line from `stream` (stdin), not echoed when it is a terminal."""
    stream = sys.stdin if stream is None else stream
    err = sys.stderr if err is None else err
    try:
        is_tty = stream.isatty()
    except (ValueError, OSError):
        is_tty = False
    if not is_tty:
        return stream.readline(MAX_SECRET_LINE)
    print(prompt, end="", file=err, flush=True)
    try:
        with _no_echo(stream):
            return stream.readline(MAX_SECRET_LINE)
    finally:
        print(file=err)  # the Enter the user typed was not echoed either
