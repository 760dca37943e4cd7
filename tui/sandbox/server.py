"""The sandbox's HTTP server: sockets, routing, fault injection and the request log.

A `ThreadingHTTPServer` on 127.0.0.1 speaking HTTP/1.1 keep-alive. Two settings matter for speed
(see perf-notes "Local HTTP servers"): TCP_NODELAY on every accepted socket, or each keep-alive
request stalls ~40 ms on Nagle + delayed ACK; and a deep listen backlog, or bursts of connections
get SYNs dropped and retried a second later.
"""

from __future__ import annotations

import contextlib
import logging
import re
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from tui.sandbox import api, oauth
from tui.sandbox.faults import FaultInjector, FaultKind, fault_response
from tui.sandbox.state import SandboxState
from tui.sandbox.wire import Request, Response, error_response, redact_path, redact_query

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
"""Largest request body accepted (1 MiB); nothing HubSpot-shaped comes close."""

Handler = Callable[[SandboxState, Request, dict[str, str]], Response]

_DATED = r"(?P<version>v3|2026-03|2026-09)"
_OBJECT = r"(?P<object>products|line_items|0-7|0-8)"

ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
    (re.compile(r"/oauth/authorize"), {"GET": oauth.authorize}),
    (re.compile(r"/oauth/(?P<hub_id>\d+)/authorize"), {"GET": oauth.authorize}),
    (re.compile(r"/oauth/authorize/choose"), {"POST": oauth.choose}),
    (re.compile(r"/oauth/(?P<version>v1|v3|2026-03|2026-09)/token"), {"POST": oauth.token}),
    (re.compile(r"/oauth/v1/access-tokens/(?P<token>[^/]+)"), {"GET": oauth.access_token_info}),
    (
        re.compile(r"/oauth/v1/refresh-tokens/(?P<token>[^/]+)"),
        {"GET": oauth.refresh_token_info, "DELETE": oauth.delete_refresh_token},
    ),
    (re.compile(rf"/oauth/{_DATED}/token/introspect"), {"POST": oauth.introspect}),
    (re.compile(rf"/oauth/{_DATED}/token/revoke"), {"POST": oauth.revoke}),
    (re.compile(rf"/account-info/{_DATED}/details"), {"GET": api.protected(api.account_details)}),
    (re.compile(rf"/crm/v3/objects/{_OBJECT}"), {"GET": api.protected(api.list_objects)}),
    (
        re.compile(rf"/crm/objects/(?P<version>2026-03|2026-09)/{_OBJECT}"),
        {"GET": api.protected(api.list_objects)},
    ),
]
"""Path pattern (matched whole) -> method -> handler."""


@dataclass(frozen=True)
class LoggedRequest:
    """One request the sandbox answered, with credentials redacted.

    Attributes:
        method: the HTTP method.
        path: the path, with any token segment replaced by `<redacted>`.
        query: first value per query key; credential values replaced by `<redacted>`.
        status: the status sent; 0 when a DROP fault closed the connection without one.
        at: when it was answered, by the sandbox's clock.
    """

    method: str
    path: str
    query: dict[str, str]
    status: int
    at: float


def route(state: SandboxState, request: Request) -> Response:
    """Answer `request`: the matching handler, else 404 (unknown path) or 405 (wrong method)."""
    for pattern, methods in ROUTES:
        match = pattern.fullmatch(request.path)
        if match is None:
            continue
        handler = methods.get(request.method)
        if handler is None:
            response = error_response(
                405, f"Method {request.method} is not allowed here", "VALIDATION_ERROR"
            )
            response.headers.append(("Allow", ", ".join(sorted(methods))))
            return response
        args = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
        return handler(state, request, args)
    return error_response(404, f"Unable to route {request.method} request", "OBJECT_NOT_FOUND")


class _RequestHandler(BaseHTTPRequestHandler):
    """Turns HTTP/1.1 requests into `Request`s and `Response`s back into bytes."""

    protocol_version = "HTTP/1.1"
    server_version = "hubspot-sandbox"
    sys_version = ""
    # An idle keep-alive connection is dropped after this long, freeing its thread. Generous, so
    # a client rarely races a server-side close when it reuses a pooled connection.
    timeout = 120
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the sandbox keeps its own redacted `request_log` instead of stderr noise."""

    def do_GET(self) -> None:
        """Handle any method the same way; routing decides what is allowed."""
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes | Response:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return error_response(411, "Send a Content-Length", "VALIDATION_ERROR")
        text = self.headers.get("Content-Length") or "0"
        if not text.isdigit():
            self.close_connection = True
            return error_response(400, "Bad Content-Length", "VALIDATION_ERROR")
        length = int(text)
        if length > MAX_BODY:
            self.close_connection = True
            return error_response(413, "Request body too large", "VALIDATION_ERROR")
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        body = self._read_body()
        request = Request(
            method=self.command,
            path=split.path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body if isinstance(body, bytes) else b"",
        )
        # Each request is logged just before its answer is written (a dropped one when the
        # connection is cut), so a client that has its answer finds the request in the log.
        logged = False

        def log(status: int) -> None:
            nonlocal logged
            logged = True
            sandbox.log_request(request, status)

        try:
            if isinstance(body, Response):
                log(body.status)
                self._send(body)
                return
            fault = sandbox.faults.take(split.path)
            if fault is not None and fault.kind is FaultKind.DELAY:
                time.sleep(fault.delay)
            if fault is not None and fault.kind is FaultKind.DROP:
                self.close_connection = True
                return
            response = fault_response(fault) if fault is not None else None
            if response is None:
                response = self._answer(sandbox.state, request)
            if fault is not None and fault.kind is FaultKind.TRUNCATE:
                response = _truncatable(response)
                log(response.status)
                self._send_truncated(response)
            else:
                log(response.status)
                self._send(response)
        finally:
            if not logged:
                log(0)

    def _answer(self, state: SandboxState, request: Request) -> Response:
        try:
            return route(state, request)
        except Exception:  # a sandbox bug must surface as a 500, never kill the connection thread
            path = redact_path(request.path)
            log.exception("sandbox: handler failed for %s %s", request.method, path)
            return error_response(500, "Internal error in the sandbox", "INTERNAL_ERROR")

    def _head(self, response: Response, length: int) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        if response.status != 204:
            self.send_header("Content-Length", str(length))
        self.send_header("X-HubSpot-Correlation-Id", response.correlation_id)
        for name, value in response.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send(self, response: Response) -> int:
        body = b"" if response.status == 204 else response.body
        self._head(response, len(body))
        if self.command != "HEAD" and body:
            self.wfile.write(body)
        return response.status

    def _send_truncated(self, response: Response) -> int:
        # Promise the whole body, deliver half, hang up: what a proxy timeout looks like.
        body = response.body
        self.close_connection = True
        self._head(response, len(body))
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        return response.status


def _truncatable(response: Response) -> Response:
    """`response`, or a stand-in with a body when it has none to cut in half."""
    if response.status == 204 or not response.body:
        return Response(200, b'{"status":"ok","results":[]}')
    return response


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that tracks its connections so `stop()` can cut them."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    # With keep-alive clients, waiting for handler threads on close would hang until they hang up.
    block_on_close = False

    def __init__(self, address: tuple[str, int], sandbox: SandboxLike) -> None:
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._stopping = False
        # A socket pair wakes the serve loop at once on stop; serve_forever would poll instead,
        # costing every stop up to a poll interval and an idle sandbox a timer.
        self._wake_r, self._wake_w = socket.socketpair()
        super().__init__(address, _RequestHandler)

    def serve(self) -> None:
        """Accept connections until `stop_serving()` (each is answered on its own thread)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r or self._stopping:
                        return
                    self._accept_one()

    def _accept_one(self) -> None:
        # What BaseServer._handle_request_noblock does, without leaning on a private method.
        try:
            request, client_address = self.get_request()
        except OSError:
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
            self.shutdown_request(request)

    def stop_serving(self) -> None:
        """Make `serve()` return promptly (safe from any thread)."""
        self._stopping = True
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def server_close(self) -> None:
        """Close the listening socket and the wake-up pair."""
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection with Nagle disabled (see the module docstring)."""
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._connections_lock:
            self._connections.add(sock)
        return sock, address

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection, then close it."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut every open connection so idle keep-alive threads end now."""
        with self._connections_lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log instead of printing a traceback: clients hanging up mid-answer is routine here."""
        log.debug("sandbox: connection error from %s", client_address, exc_info=True)


class SandboxLike(Protocol):
    """What the request handler needs from the `Sandbox` (kept minimal to avoid an import cycle)."""

    state: SandboxState
    faults: FaultInjector

    def log_request(self, request: Request, status: int) -> None:
        """Record an answered request."""


def make_logged(request: Request, status: int, at: float) -> LoggedRequest:
    """A redacted log entry for `request`."""
    return LoggedRequest(
        method=request.method,
        path=redact_path(request.path),
        query=redact_query(request.query),
        status=status,
        at=at,
    )
