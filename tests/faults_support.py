"""Shared pieces of the fault tests: the fault kinds, a service on a sandbox, store snapshots.

Not a test module. `FAULT_KINDS` is the catalogue every fault test draws from, so the service
matrix, the CLI subset and the dashboard tests inject exactly the same misbehaviour.
"""

from __future__ import annotations

import asyncio
import time
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import pick_free_port
from tui.core.profile import AppConfig
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot.models import AccountReport
from tui.sandbox import DEMO_APP, Fault, FaultKind, Sandbox
from tui.sandbox.browser import choose

MAIN = 44120003
TIMEOUT = 0.3
"""The HubSpot client's per-request timeout in these tests (the product default is 10 s)."""
DELAY = 0.6
"""A DELAY fault's wait: well past TIMEOUT, so the client gives up first."""
MAX_RETRIES = 3
"""The product default: every retried call makes at most 1 + MAX_RETRIES requests."""

TOKEN = "/oauth/v3/token"
INTROSPECT = "/oauth/v3/token/introspect"
REVOKE = "/oauth/v3/token/revoke"
ACCOUNT = "/account-info/v3/details"
PRODUCTS = "/crm/v3/objects/products"
LINE_ITEMS = "/crm/v3/objects/line_items"


@dataclass(frozen=True)
class Kind:
    """One way HubSpot (or a proxy in front of it) misbehaves.

    Attributes:
        name: the test id.
        fault: the sandbox fault kind.
        options: keyword arguments for `faults.add`.
        retryable: whether an idempotent call retries it.
        words: what the error message must say (the cause, in the user's words).
        wait: the wait before retry N (1-based), as the client must compute it.
    """

    name: str
    fault: FaultKind
    options: dict[str, Any] = field(default_factory=dict)
    retryable: bool = True
    words: str = ""
    wait_kind: str = "backoff"
    wait_value: float = 0.0

    def wait(self, attempt: int) -> float:
        """The expected sleep before retry `attempt`."""
        return 0.2 * attempt if self.wait_kind == "backoff" else self.wait_value


FAULT_KINDS: tuple[Kind, ...] = (
    Kind("5xx", FaultKind.STATUS, {"status": 503}, words="HubSpot had a problem"),
    Kind(
        "429-retry-after",
        FaultKind.RATE_LIMIT,
        {"retry_after": 2},
        words="rate-limiting",
        wait_kind="fixed",
        wait_value=2.0,
    ),
    # No Retry-After: the window header (10 000 ms for TEN_SECONDLY_ROLLING) is waited out.
    Kind(
        "429-interval",
        FaultKind.RATE_LIMIT,
        words="rate-limiting",
        wait_kind="fixed",
        wait_value=10.0,
    ),
    Kind(
        "429-secondly",
        FaultKind.RATE_LIMIT,
        {"policy": "SECONDLY"},
        words="rate-limiting",
        wait_kind="fixed",
        wait_value=1.0,
    ),
    Kind("429-daily", FaultKind.RATE_LIMIT, {"policy": "DAILY"}, False, "daily API limit"),
    Kind("timeout", FaultKind.DELAY, {"delay": DELAY}, words="timed out"),
    Kind("drop", FaultKind.DROP, words="broke off"),
    Kind("truncate", FaultKind.TRUNCATE, words="broke off"),
    Kind("html", FaultKind.HTML, words="non-JSON page"),
    Kind("bad-json", FaultKind.BAD_JSON, retryable=False, words="not JSON"),
)
KINDS_BY_NAME = {kind.name: kind for kind in FAULT_KINDS}


class Sleeps(list[float]):
    """Stands in for `asyncio.sleep` between retries: records the waits, returns at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


class Clock:
    """A settable clock (the sandbox's: auth codes and tokens expire when it is moved on)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Env:
    """A sandbox, a store directory and a service (with a fixed clock and fake sleep) on them."""

    sandbox: Sandbox
    sandbox_clock: Clock
    config_dir: Path
    now: float
    sleeps: Sleeps
    service: InstallService

    @property
    def config(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def credentials(self) -> Path:
        return self.config_dir / "credentials.toml"

    def snapshot(self) -> tuple[bytes, bytes]:
        """Both store files' bytes (b"" for a missing one)."""
        return tuple(  # type: ignore[return-value]
            p.read_bytes() if p.exists() else b"" for p in (self.config, self.credentials)
        )

    def new_service(self, **overrides: Any) -> InstallService:
        """Another service on the same store and sandbox (what a restart would build)."""
        options: dict[str, Any] = {
            "api_base": self.sandbox.base_url,
            "app_base": self.sandbox.base_url,
            "clock": lambda: self.now,
            "http_timeout": TIMEOUT,
            "sleep": self.sleeps,
        }
        options.update(overrides)
        return InstallService(ProfileStore(self.config_dir), **options)

    def mark(self) -> int:
        """A position in the sandbox's request log."""
        return len(self.sandbox.request_log)

    async def requests_to(self, path: str, since: int, at_least: int = 0) -> int:
        """Requests the sandbox answered on exactly `path` since `since` (waits, briefly, for
        delayed answers to be logged: a DELAY fault logs only once its sleep is over)."""
        deadline = time.monotonic() + DELAY + 2.0
        while True:
            count = sum(1 for r in self.sandbox.request_log[since:] if r.path == path)
            if count >= at_least or time.monotonic() > deadline:
                return count
            await asyncio.sleep(0.02)

    def add_fault(self, path: str, kind: Kind, *, times: int) -> Fault:
        return self.sandbox.faults.add(path, kind.fault, times=times, **kind.options)

    async def login(
        self, hub_id: int = MAIN, *, service: InstallService | None = None
    ) -> AccountReport:
        """A whole login through the paste path: authorize URL → chooser → code → exchange."""
        svc = service or self.service
        attempt = await svc.start_login(hub_id=hub_id, listen=False)
        location = await self.authorize(attempt.url, hub_id)
        attempt.offer_paste(location)
        return await svc.finish_login(attempt)

    async def authorize(self, url: str, hub_id: int = MAIN) -> str:
        """What the browser does: pick `hub_id` and return the redirect (not delivered)."""
        # verify=False: plain HTTP on loopback, and it skips loading the CA bundle (≈40 ms).
        async with httpx.AsyncClient(timeout=5.0, verify=False) as client:
            return await choose(client, url, hub_id, deliver=False)


@asynccontextmanager
async def fault_env(tmp_path: Path, *, authorized: bool = True) -> AsyncIterator[Env]:
    """A sandbox and a configured profile (and, by default, MAIN authorized)."""
    port = pick_free_port()
    clock = Clock()
    redirect = f"http://localhost:{port}/oauth-callback"
    with Sandbox(port=0, redirect_uris=[redirect], clock=clock) as sandbox:
        sleeps = Sleeps()
        now = float(int(time.time()))
        env = Env(sandbox, clock, tmp_path / "store", now, sleeps, None)  # type: ignore[arg-type]
        env.service = env.new_service()
        await env.service.load()
        app = AppConfig(client_id=DEMO_APP.client_id, callback_port=port, scopes_confirmed=True)
        await env.service.save_app(app, DEMO_APP.client_secret)
        try:
            if authorized:
                await env.login()
            sleeps.clear()
            yield env
        finally:
            await env.service.aclose()


def assert_failed_check_kept_good(
    before: tuple[bytes, bytes], after: tuple[bytes, bytes], words: str = ""
) -> None:
    """A failed check recorded its code and message; tokens and last good answers are kept."""
    assert after[1] == before[1], "a failed check changed the tokens"
    account = account_table(after[0])
    assert account.pop("check_error_code") == "check_failed"
    assert words in str(account.pop("check_error"))
    assert account == account_table(before[0]), "a failed check lost the last good answers"


def account_table(config: bytes) -> dict[str, object]:
    """MAIN's table in config.toml, without its (empty) check error fields."""
    table = tomllib.loads(config.decode())["profiles"]["default"]["accounts"][str(MAIN)]
    if not table.get("check_error_code"):
        table.pop("check_error", None)
        table.pop("check_error_code", None)
    return dict(table)
