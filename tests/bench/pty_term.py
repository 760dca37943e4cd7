"""A program running in a real pseudo-terminal, watched byte by byte.

`PtyTerm` starts a command on the slave side of `os.openpty()` (as its controlling terminal, with
a fixed size), and a reader thread drains the master side, timestamping every chunk. Benchmarks
then ask "when did this text first appear after offset N" (a frame being painted), "how many bytes
arrived in this window" (wire cost), and read the child's RSS from /proc.

Nothing answers the terminal's queries (Textual asks about synchronized output and in-band
resize): the terminal looks like a plain xterm that supports neither, for the app and the
baseline alike.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

KEYS: dict[str, bytes] = {
    "escape": b"\x1b",
    "enter": b"\r",
    "tab": b"\t",
    "backspace": b"\x7f",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
    "f1": b"\x1bOP",
    "f2": b"\x1bOQ",
    "f3": b"\x1bOR",
    "f4": b"\x1bOS",
    "f5": b"\x1b[15~",
    "f6": b"\x1b[17~",
}
"""xterm byte sequences of the named keys the benchmarks press."""

_OSC52 = re.compile(rb"\x1b\]52;[a-z]*;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\)")


def key_bytes(key: str) -> bytes:
    """The bytes a terminal sends for `key` (a name from KEYS, `ctrl+x`, or literal text)."""
    if key in KEYS:
        return KEYS[key]
    if key.startswith("ctrl+") and len(key) == 6:
        return bytes([ord(key[-1].lower()) - ord("a") + 1])
    return key.encode()


@dataclass(frozen=True)
class Chunk:
    """One read from the master side: when it arrived and where it ends in the buffer."""

    at: float
    end: int


class PtyTerm:
    """A child process in a pty of `cols` x `rows`; output is recorded with arrival times.

    Args:
        argv: The command.
        cols: Terminal width.
        rows: Terminal height.
        env: Extra environment (added to a clean copy of os.environ).
        cwd: Working directory.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cols: int = 80,
        rows: int = 24,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self.cols = cols
        self.rows = rows
        self._buf = bytearray()
        self._chunks: list[Chunk] = []
        self._cond = threading.Condition()
        self._closed = False
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ)
        for name in ("TMUX", "TEXTUAL", "NO_COLOR", "COLUMNS", "LINES", "ESCDELAY"):
            full_env.pop(name, None)
        full_env.update({"TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8"})
        full_env.update(env or {})
        self.master = master
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_take_ctty,
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ output

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:
                data = b""
            now = time.perf_counter()
            with self._cond:
                if not data:
                    self._closed = True
                    self._cond.notify_all()
                    return
                self._buf += data
                self._chunks.append(Chunk(now, len(self._buf)))
                self._cond.notify_all()

    @property
    def offset(self) -> int:
        """Bytes received so far."""
        with self._cond:
            return len(self._buf)

    @property
    def output(self) -> bytes:
        """Everything received so far."""
        with self._cond:
            return bytes(self._buf)

    def _arrival(self, end: int) -> float:
        """When the byte just before `end` arrived."""
        for chunk in self._chunks:
            if chunk.end >= end:
                return chunk.at
        return self._chunks[-1].at

    def wait_for(
        self, *markers: str | bytes, since: int = 0, timeout: float = 20.0
    ) -> tuple[float, int]:
        """Wait until every marker appeared at or after offset `since`.

        Returns:
            (when the last of them arrived, the buffer offset just after it).

        Raises:
            TimeoutError: with the tail of the output, when they did not all appear in time.
        """
        wanted = [m.encode() if isinstance(m, str) else m for m in markers]
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                ends = []
                for marker in wanted:
                    pos = self._buf.find(marker, since)
                    if pos < 0:
                        break
                    ends.append(pos + len(marker))
                else:
                    end = max(ends)
                    return self._arrival(end), end
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    tail = bytes(self._buf[-1500:])
                    raise TimeoutError(f"{markers!r} not seen (exited={self._closed}): {tail!r}")
                self._cond.wait(min(left, 0.05))

    def wait_quiet(self, quiet: float = 0.25, timeout: float = 10.0, since: int = 0) -> float:
        """Wait until no byte arrived for `quiet` seconds; returns when the last byte arrived.

        With `since`, first wait (up to `timeout`) for at least one byte beyond that offset.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._buf) <= since and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no output after offset {since}")
                self._cond.wait(min(left, 0.05))
            while True:
                last = self._chunks[-1].at if self._chunks else self.started
                idle = time.perf_counter() - last
                if idle >= quiet or time.monotonic() > deadline or self._closed:
                    return last
                self._cond.wait(quiet - idle)

    def bytes_between(self, start: float, end: float) -> int:
        """Bytes whose chunks arrived in [start, end) (perf_counter times)."""
        total, prev = 0, 0
        with self._cond:
            for chunk in self._chunks:
                if start <= chunk.at < end:
                    total += chunk.end - prev
                prev = chunk.end
        return total

    def writes_between(self, start: float, end: float) -> list[int]:
        """Sizes of the reads whose chunks arrived in [start, end) (about one per frame)."""
        sizes, prev = [], 0
        with self._cond:
            for chunk in self._chunks:
                if start <= chunk.at < end:
                    sizes.append(chunk.end - prev)
                prev = chunk.end
        return sizes

    def clipboard(self, since: int = 0) -> str | None:
        """The last text the program copied (OSC 52) at or after `since`."""
        found = _OSC52.findall(self.output[since:])
        return base64.b64decode(found[-1]).decode() if found else None

    # ------------------------------------------------------------------- input

    def send(self, *keys: str) -> float:
        """Type `keys` (names or text); returns when the last one was written."""
        for key in keys:
            os.write(self.master, key_bytes(key))
        return time.perf_counter()

    def press(
        self, key: str, *markers: str | bytes, timeout: float = 20.0
    ) -> tuple[float, float, int]:
        """Press `key` and wait for `markers` in the output that follows.

        Returns:
            (seconds from the key to the markers' arrival, the arrival time, offset after them).
        """
        since = self.offset
        sent = self.send(key)
        at, end = self.wait_for(*markers, since=since, timeout=timeout)
        return at - sent, at, end

    def press_settle(self, key: str, quiet: float = 0.1, timeout: float = 10.0) -> float:
        """Press `key`; seconds until the last byte of the screen's response (then `quiet` s
        of silence). For keys whose effect has no predictable text to wait for."""
        since = self.offset
        sent = self.send(key)
        last = self.wait_quiet(quiet, timeout=timeout, since=since)
        return last - sent

    # ------------------------------------------------------------------ status

    def rss(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) of the child in bytes (its current and peak resident set)."""
        values = {"VmRSS": 0, "VmHWM": 0}
        try:
            with open(f"/proc/{self.proc.pid}/status") as status:
                for line in status:
                    key, _, rest = line.partition(":")
                    if key in values:
                        values[key] = int(rest.split()[0]) * 1024
        except OSError:
            pass
        return values["VmRSS"], values["VmHWM"]

    def cpu_seconds(self) -> float:
        """CPU time the child has used so far (all its threads; /proc/PID/schedstat, in ns)."""
        total = 0
        try:
            for task in os.listdir(f"/proc/{self.proc.pid}/task"):
                with open(f"/proc/{self.proc.pid}/task/{task}/schedstat") as stat:
                    total += int(stat.read().split()[0])
        except OSError:
            pass
        return total / 1e9

    def close(self, keys: Sequence[str] = ("ctrl+q",), timeout: float = 5.0) -> int | None:
        """Quit with `keys` (then SIGTERM, then SIGKILL) and release the pty."""
        if self.proc.poll() is None:
            try:
                self.send(*keys)
                self.proc.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    if self.proc.poll() is not None:
                        break
                    try:
                        os.killpg(self.proc.pid, sig)
                    except ProcessLookupError:
                        break
                    try:
                        self.proc.wait(timeout=timeout)
                    except subprocess.TimeoutExpired:
                        continue
        self._reader.join(timeout=2)
        with contextlib.suppress(OSError):
            os.close(self.master)
        return self.proc.returncode

    def __enter__(self) -> PtyTerm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _take_ctty() -> None:
    """In the child (after setsid): make the pty slave on fd 0 the controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
