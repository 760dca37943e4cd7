"""The loopback listener that catches HubSpot's OAuth redirect, racing a pasted URL.

A deliberately tiny HTTP/1.x server on asyncio streams (works inside Textual's loop and under
`asyncio.run`). It binds `127.0.0.1` and `::1` on the registered port, answers every request with
a fixed page (request data is never reflected into HTML), and resolves `wait()` with the first
authorization code that carries the right `state`, from the browser or from `offer_paste`.

Anything else on the port (wrong or missing state, other paths, scanners, a flood of junk) gets a
4xx and the listener keeps waiting, so a stray request cannot spoil the real callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import re
import socket
import time
from collections.abc import Coroutine
from typing import Any
from urllib.parse import parse_qs

from tui.hubspot.callback_pages import (
    PAGE_DONE,
    PAGE_NO_CODE,
    PAGE_OK,
    PAGE_STATE,
    REJECTION_PAGES,
    http_answer,
)
from tui.hubspot.errors import CallbackError
from tui.hubspot.oauth import check_state, looks_like_code, parse_pasted_redirect
from tui.hubspot.port_holder import port_holder

MAX_REQUEST_LINE = 8 * 1024
MAX_HEAD = 16 * 1024
MAX_HEADERS = 64
SETTLE_STEPS = 3
"""Loop steps `close()` lets pass so connections accepted a moment before are set up to close."""
MAX_CONNECTIONS = 64

_REQUEST_LINE_RE = re.compile(r"([A-Z]{1,16}) (/[^\s]*) HTTP/1\.[01]")
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NO_IPV6 = (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT)
_PORT_ACTION = "Stop it, or pick another port (and register that redirect URL)"


class _Reject(Exception):
    """Internal: answer this connection with `status` and stop."""

    def __init__(self, status: int, *, head_only: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.head_only = head_only


class CallbackListener:
    """Waits for the OAuth redirect on `http://localhost:{port}{path}`, or a pasted URL.

    Args:
        port: the port of the registered redirect URI (0 picks a free one, for tests).
        state: the `state` sent in the authorize URL; a callback must carry exactly this.
        path: the redirect URI's path.
        timeout: seconds, from construction, before `wait()` gives up with TIMEOUT.
        read_timeout: seconds a connection may take to send its request head (a browser sends
            it at once; an idle connection is closed after this).

    Attributes:
        rejected: requests turned away (wrong state, wrong path, junk, excess connections).
    """

    def __init__(
        self,
        *,
        port: int,
        state: str,
        path: str = "/oauth-callback",
        timeout: float = 600.0,
        read_timeout: float = 3.0,
    ) -> None:
        self._port = port
        self._state = state
        self._path = path
        self._timeout = timeout
        self._read_timeout = read_timeout
        self._deadline = time.monotonic() + timeout
        self._servers: list[asyncio.Server] = []
        self._accepting = False
        self._bound_port = 0
        self._done = asyncio.Event()
        self._code: str | None = None
        self._failure: CallbackError | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        self._idle: dict[asyncio.StreamWriter, None] = {}
        """Connections still waiting for their request head, oldest first: evicted first."""
        self._tasks: set[asyncio.Task[None]] = set()
        # Every connection from the moment it exists, served or not yet (see `_accept`).
        self._open: set[asyncio.StreamWriter] = set()
        self._closed = False
        self.rejected = 0

    def __repr__(self) -> str:
        return f"CallbackListener(address={self.address!r}, done={self._done.is_set()})"

    @property
    def address(self) -> str:
        """`localhost:PORT` while listening, else ""."""
        return f"localhost:{self._bound_port}" if self.listening else ""

    @property
    def listening(self) -> bool:
        """True while the sockets accept connections (until a result or close)."""
        return self._accepting

    async def start(self) -> None:
        """Bind `127.0.0.1` and `::1` (the latter skipped only when the host has no IPv6).

        Raises:
            CallbackError: PORT_IN_USE naming the holder when the OS can tell, PORT_DENIED for
                a privileged port, LISTEN_FAILED otherwise.
        """
        if self._servers or self._closed or self._done.is_set():
            return
        try:
            v4 = await self._serve("127.0.0.1", self._port)
        except OSError as exc:
            raise await self._bind_error(exc, self._port) from None
        self._servers.append(v4)
        port = int(v4.sockets[0].getsockname()[1])
        if socket.has_ipv6:
            try:
                self._servers.append(await self._serve("::1", port))
            except socket.gaierror:
                pass  # no IPv6 loopback configured
            except OSError as exc:
                no_ipv6 = exc.errno in _NO_IPV6
                if not no_ipv6 and not (self._port == 0 and exc.errno == errno.EADDRINUSE):
                    v4.close()
                    self._servers.clear()
                    raise await self._bind_error(exc, port) from None
        self._bound_port = port
        self._accepting = True

    async def _serve(self, host: str, port: int) -> asyncio.Server:
        # A large backlog: a burst of connections must not drop SYNs (each drop costs a 1 s
        # retry), even though at most MAX_CONNECTIONS are served at once.
        return await asyncio.start_server(self._accept, host=host, port=port, backlog=512)

    def _accept(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Coroutine[Any, Any, None]:
        """Note the connection as soon as it exists, then serve it in its own task.

        A task cancelled before its first step never runs its `finally`, so `_handle` alone
        cannot promise to close its connection; `close()` closes whatever is noted here.
        """
        self._open.add(writer)
        return self._handle(reader, writer)

    async def _bind_error(self, exc: OSError, port: int) -> CallbackError:
        if exc.errno == errno.EADDRINUSE:
            holder = await asyncio.to_thread(port_holder, port) if port else None
            who = f"{holder[1]} (pid {holder[0]})" if holder else "another program"
            return CallbackError(
                f"Port {port} is already in use by {who}", _PORT_ACTION, code="PORT_IN_USE"
            )
        if exc.errno == errno.EACCES:
            return CallbackError(
                f"Not allowed to listen on port {port}",
                "Pick a port from 1024 to 65535 (and register that redirect URL)",
                code="PORT_DENIED",
            )
        return CallbackError(
            f"Could not listen on localhost:{port} ({exc.strerror or 'error'})",
            _PORT_ACTION,
            code="LISTEN_FAILED",
        )

    async def wait(self) -> str:
        """The authorization code, from the browser callback or a paste, whichever came first.

        Works without `start()` (paste only).

        Raises:
            CallbackError: TIMEOUT after `timeout`; CANCELLED after `cancel()` or `close()`.
        """
        if not self._done.is_set():
            remaining = max(0.0, self._deadline - time.monotonic())
            try:
                async with asyncio.timeout(remaining):
                    await self._done.wait()
            except TimeoutError:
                minutes = self._timeout / 60
                plural = "" if minutes == 1 else "s"
                shown = f"{minutes:g} minute{plural}" if minutes >= 1 else f"{self._timeout:g} s"
                self._finish(
                    failure=CallbackError(
                        f"No authorization arrived within {shown}",
                        "Start the login again; the link is valid for one attempt",
                        code="TIMEOUT",
                    )
                )
        if self._code is not None:
            return self._code
        raise self._failure or CallbackError(
            "The login ended without a result", "Start the login again", code="CANCELLED"
        )

    def offer_paste(self, text: str) -> None:
        """Use a pasted redirected URL (or bare code). Ignored once a result exists.

        Raises:
            InputError: the paste is not usable; `wait()` keeps waiting.
            CallbackError: the paste belongs to another attempt; `wait()` keeps waiting.
        """
        if self._done.is_set():
            return
        self._finish(code=parse_pasted_redirect(text, self._state))

    def cancel(self) -> None:
        """Give up: `wait()` raises CallbackError(CANCELLED). No effect after a result."""
        self._finish(
            failure=CallbackError(
                "The login was cancelled", "Start the login again when ready", code="CANCELLED"
            )
        )

    async def close(self) -> None:
        """Stop listening, then close every connection before returning (idempotent).

        Nothing of the listener outlives this call: a transport left for the garbage collector
        after its event loop has gone makes asyncio print a traceback (`selector_events.__del__`
        on Python 3.13), so even a Ctrl-C during a login ends quietly.
        """
        if self._closed:
            return
        self.cancel()
        self._closed = True
        self._stop_listening()
        # Connections accepted just before are still being set up (the transport on the next
        # loop step, the connection handler on the one after): let them appear so they close.
        for _ in range(SETTLE_STEPS):
            await asyncio.sleep(0)
        self._close_servers()
        for writer in list(self._open):
            writer.close()  # graceful: an answer already written is still flushed
        current = asyncio.current_task()
        pending = [task for task in self._tasks if task is not current]
        if pending:
            _, still = await asyncio.wait(pending, timeout=1.0)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=1.0)
        for writer in list(self._open):
            writer.transport.abort()  # a peer that never read its answer: drop it now
        self._open.clear()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2.0)

    def _finish(self, *, code: str | None = None, failure: CallbackError | None = None) -> None:
        """Record the first result (later ones are ignored) and stop accepting connections."""
        if self._done.is_set():
            return
        self._code, self._failure = code, failure
        self._done.set()
        self._stop_listening()

    def _stop_listening(self) -> None:
        """Accept no more connections now; close the listening sockets a loop step later.

        A connection accepted in this loop step gets its transport on its own first step,
        already queued: closing the server before then leaves that transport half-built
        (asyncio refuses to attach it) and its garbage collection prints a traceback. So the
        loop stops watching the sockets at once and the servers close after those steps.
        """
        if not self._accepting:
            return
        self._accepting = False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the loop (nothing can be mid-accept then)
            self._close_servers()
            return
        for server in self._servers:
            for sock in server.sockets:
                loop.remove_reader(sock.fileno())
        loop.call_soon(self._close_servers)

    def _close_servers(self) -> None:
        for server in self._servers:
            server.close()  # idempotent

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._conns) >= MAX_CONNECTIONS and self._idle and not self._closed:
            # Full: drop the oldest connection that has not sent its request yet, so a flood of
            # idle connections can never keep the browser's callback out.
            oldest = next(iter(self._idle))
            del self._idle[oldest]
            self._conns.discard(oldest)
            self.rejected += 1
            oldest.transport.abort()
        if self._closed or len(self._conns) >= MAX_CONNECTIONS:
            self.rejected += 1
            self._open.discard(writer)
            writer.transport.abort()
            return
        task = asyncio.current_task()
        self._conns.add(writer)
        self._idle[writer] = None
        if task is not None:
            self._tasks.add(task)
        try:
            sock = writer.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                async with asyncio.timeout(self._read_timeout):
                    head = await self._read_head(reader)
                self._idle.pop(writer, None)
                answer = self._route(head)
            except _Reject as rejection:
                self.rejected += 1
                answer = http_answer(
                    rejection.status,
                    REJECTION_PAGES[rejection.status],
                    head_only=rejection.head_only,
                )
            except TimeoutError:
                self.rejected += 1
                self._idle.pop(writer, None)
                answer = http_answer(408, REJECTION_PAGES[408])
            # No await between routing and this write: the answer is in the transport buffer
            # before close() can run, so a graceful close still delivers it.
            writer.write(answer)
            await asyncio.wait_for(writer.drain(), 5.0)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the peer went away; nothing to tell it
        finally:
            self._conns.discard(writer)
            self._idle.pop(writer, None)
            self._open.discard(writer)
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    @staticmethod
    async def _read_head(reader: asyncio.StreamReader) -> bytes:
        """Read up to the blank line that ends the request head, within the size limits."""
        buf = bytearray()
        while True:
            newline = buf.find(b"\n")
            if newline > MAX_REQUEST_LINE or (newline < 0 and len(buf) > MAX_REQUEST_LINE):
                raise _Reject(414)
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                end = buf.find(b"\n\n")
            if end > MAX_HEAD or (end < 0 and len(buf) > MAX_HEAD):
                raise _Reject(431)
            if end >= 0:
                return bytes(buf[:end])
            chunk = await reader.read(4096)
            if not chunk:
                raise _Reject(400)
            buf += chunk

    def _route(self, head: bytes) -> bytes:
        """The answer to one request head; resolves the listener on the real callback."""
        lines = head.decode("latin-1").split("\n")
        request = _REQUEST_LINE_RE.fullmatch(lines[0].rstrip("\r"))
        if request is None:
            raise _Reject(400)
        headers = [line.rstrip("\r") for line in lines[1:]]
        if len(headers) > MAX_HEADERS:
            raise _Reject(431)
        for line in headers:
            name, sep, _ = line.partition(":")
            if not sep or not _HEADER_NAME_RE.fullmatch(name):
                raise _Reject(400)  # also rejects obsolete line folding
        method, target = request.groups()
        path, _, query = target.partition("?")
        if path != self._path:
            raise _Reject(404, head_only=method == "HEAD")
        if method not in ("GET", "HEAD"):
            raise _Reject(405)
        if method == "HEAD":
            # HEAD is a safe method: it may probe the page but never completes the login.
            return http_answer(200, PAGE_OK, head_only=True)
        if self._done.is_set():
            self.rejected += 1
            return http_answer(410, PAGE_DONE)
        try:
            fields = parse_qs(query, keep_blank_values=True, max_num_fields=MAX_HEADERS)
            check_state(fields.get("state", []), self._state)
        except ValueError:
            raise _Reject(400) from None
        except CallbackError:
            self.rejected += 1
            return http_answer(400, PAGE_STATE)
        codes = fields.get("code", [])
        if len(codes) != 1 or not looks_like_code(codes[0]):
            self.rejected += 1
            return http_answer(400, PAGE_NO_CODE)
        self._finish(code=codes[0])
        return http_answer(200, PAGE_OK)
