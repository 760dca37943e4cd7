"""`Sandbox`: a fake HubSpot (app host and API host in one) on a loopback port.

Usage:
    with Sandbox() as sandbox:
        url = f"{sandbox.base_url}/oauth/authorize?client_id={sandbox.app.client_id}&..."

The demo mode, the tests and the screenshot script all run the product against it, so nothing
ever needs the network. See `tui/sandbox/__init__.py` for the pieces it is built from.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from tui.sandbox.accounts import DEMO_APP, DemoApp, SandboxAccount, default_accounts
from tui.sandbox.faults import FaultInjector
from tui.sandbox.server import LoggedRequest, SandboxHTTPServer, make_logged
from tui.sandbox.state import SandboxState
from tui.sandbox.wire import Request

LOG_LIMIT = 10_000
"""`request_log` keeps at most this many entries (the oldest are dropped first)."""


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the sandbox binds loopback IPv4 addresses only, not {host!r}")


class Sandbox:
    """An embedded HubSpot emulation served over real HTTP on 127.0.0.1.

    Args:
        host: a loopback IPv4 address (or `localhost`).
        port: the port; 0 picks a free one (read it back from `port`).
        token_lifetime: access token lifetime in seconds (`expires_in`).
        code_ttl: auth code lifetime in seconds.
        state_file: when set, issued tokens persist there (JSON, 0600) across restarts.
        redirect_uris: the demo app's registered redirect URLs.
        clock: returns Unix time; tests inject a fake one to expire codes and tokens.
        rate_limit: (requests, seconds) allowed per app and account in a rolling window.
        app: the OAuth app the sandbox knows (the fixed demo app by default).

    Attributes:
        faults: the fault injector consulted before each request.
        request_log: every answered request, credentials redacted.
        state: the shared state (codes, tokens, limiter), for advanced tests.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime: int = 1800,
        code_ttl: int = 300,
        state_file: Path | None = None,
        redirect_uris: Iterable[str] = ("http://localhost:8765/oauth-callback",),
        clock: Callable[[], float] = time.time,
        rate_limit: tuple[int, float] = (100, 10.0),
        app: DemoApp = DEMO_APP,
    ) -> None:
        _check_loopback(host)
        self.host = host
        self._requested_port = port
        self.faults = FaultInjector()
        self.request_log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self.state = SandboxState(
            app=app,
            accounts=default_accounts(),
            redirect_uris=redirect_uris,
            token_lifetime=token_lifetime,
            code_ttl=code_ttl,
            clock=clock,
            state_file=Path(state_file) if state_file is not None else None,
            rate_limit=rate_limit,
        )
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Bind, listen and serve in a daemon thread; returns once connections are accepted.

        Raises:
            RuntimeError: when already started.
            OSError: when the port cannot be bound.
        """
        if self._server is not None:
            raise RuntimeError("sandbox already started")
        # The constructor binds and listens, so clients can connect as soon as this returns.
        server = SandboxHTTPServer((self.host, self._requested_port), self)
        thread = threading.Thread(
            target=server.serve,
            name=f"hubspot-sandbox:{server.server_address[1]}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread

    def stop(self) -> None:
        """Stop serving: close the listening socket, cut open connections, join the thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.stop_serving()
        if thread is not None:
            thread.join(timeout=5)
        server.close_connections()
        server.server_close()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            RuntimeError: before `start()`.
        """
        if self._server is None:
            raise RuntimeError("sandbox not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`: both the authorize (app) host and the API host."""
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------------ configuration

    @property
    def app(self) -> DemoApp:
        """The registered OAuth app (client id, secret, app id)."""
        return self.state.app

    @property
    def accounts(self) -> list[SandboxAccount]:
        """The accounts offered on the chooser; edit in place or assign a new list."""
        return self.state.accounts

    @accounts.setter
    def accounts(self, value: list[SandboxAccount]) -> None:
        with self.state.lock:
            self.state.accounts = value

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        """The app's registered redirect URLs."""
        with self.state.lock:
            return tuple(self.state.redirect_uris)

    @property
    def token_lifetime(self) -> int:
        """Access token lifetime in seconds."""
        return self.state.token_lifetime

    def register_redirect_uri(self, uri: str) -> None:
        """Register another redirect URL on the app, as a developer would on HubSpot."""
        self.state.register_redirect_uri(uri)

    def account(self, hub_id: int) -> SandboxAccount:
        """The account with `hub_id`.

        Raises:
            KeyError: when there is none.
        """
        found = self.state.find_account(hub_id)
        if found is None:
            raise KeyError(hub_id)
        return found

    # ------------------------------------------------------------------ simulations

    def revoke_account_tokens(self, hub_id: int) -> None:
        """Simulate an uninstall: refresh gets BAD_REFRESH_TOKEN and API calls get 401."""
        self.state.revoke_account(hub_id)

    def expire_access_tokens(self) -> None:
        """Make every issued access token expire now (API calls then get EXPIRED_AUTHENTICATION)."""
        self.state.expire_access_tokens()

    # ------------------------------------------------------------------ log

    def log_request(self, request: Request, status: int) -> None:
        """Append a redacted entry to `request_log` (called by the server thread)."""
        entry = make_logged(request, status, self.state.clock())
        with self._log_lock:
            self.request_log.append(entry)
            if len(self.request_log) > LOG_LIMIT:
                # A demo left running all day must not grow without bound: drop the oldest tenth.
                del self.request_log[: LOG_LIMIT // 10]
