"""No secret leaks anywhere a user, a log or a screenshot could see, even when things go wrong.

The whole journey runs twice against the sandbox with faults injected along the way: once through
the CLI (real processes, with Python logging at DEBUG going to stderr) and once through the
dashboard (Pilot, with a DEBUG handler on the root logger and an SVG screenshot of every screen).
The sandbox records every secret that crosses it: the client secret, each authorization code and
PKCE verifier, and every access and refresh token it issued (including the ones later replaced).
None of them may appear in:

- any process's stdout or stderr, or any log record (with its traceback, if it has one);
- the non-secret `config.toml`;
- any screenshot;
- the sandbox's request log (paths and query strings): nothing secret ever travels in a URL,
  checked both by searching for the values and by the log never having had to redact one.

Finally the objects a traceback could print (`repr`, `str`, a rendered crash) hold none either.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from rich.traceback import Traceback
from textual.widgets import Input

from tests.app_helpers import (
    DEVELOPER_HUB,
    MAIN_HUB,
    choose_in_terminal,
    oauth_screen,
    sandbox_env,
    settle,
    start_authorize,
    wait_until,
)
from tests.conftest import CLI_OPTIONAL as OPTIONAL
from tests.conftest import CLI_SCOPES as SCOPES
from tests.conftest import Cli, SandboxEnv, pick_free_port
from tests.faults_support import Sleeps
from tests.figures import add_figure
from tui.core.profile import ProfileSecrets
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot.errors import HubSpotError, RefreshTokenRevoked
from tui.hubspot.models import TokenGrant, TokenSet
from tui.hubspot.oauth import new_pkce
from tui.sandbox import DEMO_APP, FaultKind, Sandbox
from tui.ui.app import DemoInfo, HubSpotApp

DEBUG_MAIN = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
    "from tui.__main__ import main; main()"
)


class SecretRecorder:
    """Wraps the sandbox's state so every secret it hands out or receives is recorded."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.secrets: set[str] = {DEMO_APP.client_secret}
        state = sandbox.state
        state.issue_code = self._wrap(state.issue_code, self._code)  # type: ignore[method-assign]
        state.exchange_code = self._wrap(state.exchange_code, self._exchange)  # type: ignore[method-assign]
        state.refresh = self._wrap(state.refresh, self._record)  # type: ignore[method-assign]

    def _wrap(self, method: Callable[..., Any], hook: Callable[..., None]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            hook(result, **kwargs)
            return result

        return wrapped

    def _code(self, code: str, **_: Any) -> None:
        self.secrets.add(code)

    def _exchange(self, record: Any, **kwargs: Any) -> None:
        self.secrets.update(v for k, v in kwargs.items() if k in ("code", "code_verifier") and v)
        self._record(record)

    def _record(self, record: Any, **_: Any) -> None:
        self.secrets.update((record.token, record.refresh_token))

    def exchanged_verifiers(self) -> int:
        return sum(1 for s in self.secrets if len(s) == 64)


def assert_no_secret(secrets: set[str], haystacks: dict[str, str]) -> int:
    """Search every haystack for every secret; returns how many bytes were searched."""
    assert all(len(s) >= 16 for s in secrets), "a recorded secret is too short to search for"
    searched = 0
    for where, text in haystacks.items():
        searched += len(text.encode())
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {where}"
    return searched


def request_log_text(sandbox: Sandbox) -> str:
    entries = [f"{r.method} {r.path} {json.dumps(r.query)}" for r in sandbox.request_log]
    text = "\n".join(entries)
    # Nothing secret ever travelled in a URL: the log never had to redact a value.
    assert "<redacted>" not in text
    return text


# ---- the CLI -------------------------------------------------------------------------------------


class DebugCli:
    """The real command line with DEBUG logging on and a 0.5 s HTTP timeout; each call returns
    the exit code and asserts that no traceback was printed."""

    def __init__(self, sandbox_env: SandboxEnv, tmp: Path) -> None:
        self.cli = Cli(
            sandbox_env,
            tmp,
            program=[sys.executable, "-c", DEBUG_MAIN],
            extra_env={"HUBSPOT_TUI_HTTP_TIMEOUT": "0.5"},
        )
        self.outputs = self.cli.outputs

    def __call__(self, *args: str, stdin: str | None = None, pick: str = "main") -> int:
        result = self.cli(*args, stdin=stdin, pick=pick)
        assert "Traceback" not in result.stderr, result.stderr
        return result.returncode


def test_cli_journey_with_faults_leaks_nothing(sandbox_env: SandboxEnv, tmp_path: Path) -> None:
    sandbox, port, config_dir = sandbox_env.sandbox, sandbox_env.port, sandbox_env.config_dir
    recorder = SecretRecorder(sandbox)
    faults = sandbox.faults
    cli = DebugCli(sandbox_env, tmp_path)
    configure = ("configure", "--client-id", DEMO_APP.client_id, "--client-secret-stdin")
    options = ("--callback-port", str(port), "--scopes", SCOPES, "--optional-scopes", OPTIONAL)
    assert cli(*configure, *options, stdin=DEMO_APP.client_secret + "\n") == 0

    faults.add("/account-info", FaultKind.STATUS, status=503)  # retried
    faults.add("/oauth/v3/token/introspect", FaultKind.TRUNCATE)  # retried
    assert cli("login", "--open", "--timeout", "30", pick="developer") == 1  # not main
    faults.add("/oauth/v3/token", FaultKind.DROP)  # the exchange answer is lost
    assert cli("login", "--open", "--timeout", "30") == 1
    faults.add("/account-info", FaultKind.STATUS, status=503, times=-1)  # kept, unchecked
    assert cli("login", "--open", "--account", str(MAIN_HUB), "--timeout", "30") == 1
    faults.clear()
    faults.add("/crm/v3/objects/products", FaultKind.RATE_LIMIT, retry_after=0.1)
    assert cli("status", "--check") == 0
    faults.add("/crm/v3/objects/line_items", FaultKind.HTML, times=-1)
    assert cli("status", "--check") == 1
    faults.clear()
    faults.add("/oauth/v3/token", FaultKind.DELAY, delay=1.0)  # past the 0.5 s timeout
    assert cli("refresh") == 0
    faults.add("/oauth/v3/token", FaultKind.BAD_JSON, times=-1)
    assert cli("refresh") == 1
    faults.clear()
    assert cli("status", "--json") == 1  # the failed --check above is recorded: not ready
    assert cli("status", "--check") == 0  # a check that passes clears it
    assert cli("status", "--json") == 0
    assert cli("accounts") == 0
    assert cli("accounts", "--json") == 0
    # Scripts: `api` (a retried 503, a 401 answered by one refresh, a 4xx) and `connector`
    # print no secret. `token` prints the access token by design: it is not run here.
    products = "/crm/v3/objects/products"
    faults.add(products, FaultKind.STATUS, status=503)
    assert cli("api", products, "-i", "--hub", str(MAIN_HUB)) == 0
    sandbox.expire_access_tokens()
    assert cli("api", products, "--paginate", "-F", "limit=100") == 0
    faults.clear()
    assert cli("api", products, "-f", "limit=x") == 1
    assert cli("connector") == 0
    assert cli("connector", "--json") == 0
    faults.add("/oauth/v3/token/revoke", FaultKind.STATUS, status=500, times=-1)
    assert cli("remove", str(DEVELOPER_HUB), "--yes") == 1
    faults.clear()
    assert cli("remove", str(DEVELOPER_HUB), "--yes") == 0
    sandbox.revoke_account_tokens(MAIN_HUB)
    sandbox.expire_access_tokens()
    assert cli("status", "--check") == 1
    assert cli("refresh") == 1

    assert recorder.exchanged_verifiers() >= 2
    haystacks = dict(cli.outputs)
    haystacks["config.toml"] = (config_dir / "config.toml").read_text()
    haystacks["sandbox request log"] = request_log_text(sandbox)
    assert any("DEBUG" in text for text in cli.outputs.values())  # logging really was on
    searched = assert_no_secret(recorder.secrets, haystacks)
    add_figure("leak search: CLI bytes searched", searched)
    add_figure("leak search: secrets searched for (CLI)", len(recorder.secrets))


# ---- the dashboard -------------------------------------------------------------------------------


class Captured(logging.Handler):
    """Every log record, formatted with its traceback, at DEBUG and above."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def root_log() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_dashboard_journey_with_faults_leaks_nothing(
    tmp_path: Path, root_log: Captured
) -> None:
    async with sandbox_env(tmp_path) as env:
        recorder = SecretRecorder(env.sandbox)
        faults = env.sandbox.faults
        service = InstallService(
            ProfileStore(env.config_dir),
            api_base=env.sandbox.base_url,
            app_base=env.sandbox.base_url,
            http_timeout=0.5,
            sleep=Sleeps(),
        )
        demo = DemoInfo(DEMO_APP.client_id, DEMO_APP.client_secret, env.sandbox.base_url)
        app = HubSpotApp(service, demo=demo)
        shots: dict[str, str] = {}

        def shot(name: str) -> None:
            shots[f"screenshot {len(shots)} {name}"] = app.export_screenshot()

        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            shot("start")
            await pilot.press("f3")
            await pilot.press("ctrl+d")  # the demo app's id and secret, typed into the form
            port = app.screen.query_one("#callback-port", Input)
            port.value = str(env.port)
            shot("credentials filled")
            await pilot.press("ctrl+s")
            await settle(pilot)
            shot("credentials saved")
            await pilot.press("f4")
            await pilot.press("ctrl+s")
            await settle(pilot)
            shot("scopes")

            faults.add("/account-info", FaultKind.STATUS, status=503)
            await start_authorize(pilot, app)
            shot("authorize waiting")
            await choose_in_terminal(pilot, app, DEVELOPER_HUB)
            shot("developer authorized")
            faults.add("/oauth/v3/token", FaultKind.TRUNCATE)
            await start_authorize(pilot, app, pin=MAIN_HUB)
            await choose_in_terminal(pilot, app, MAIN_HUB)
            shot("exchange failed")
            await start_authorize(pilot, app, pin=MAIN_HUB)
            await choose_in_terminal(pilot, app, MAIN_HUB)
            shot("main authorized")
            assert MAIN_HUB in app.service.profile.accounts

            await pilot.press("f2")
            faults.add("/crm/v3/objects/products", FaultKind.HTML, times=-1)
            await pilot.press("r")
            await wait_until(pilot, lambda: app.last_error is not None, what="check failure")
            await settle(pilot)
            shot("re-check failed")
            faults.clear()
            faults.add("/oauth/v3/token", FaultKind.RATE_LIMIT, retry_after=1)
            await pilot.press("t")
            await wait_until(pilot, lambda: "Refreshing" not in shots_text(app), what="refresh")
            await settle(pilot)
            shot("refreshed after a 429")
            for key in ("f3", "f4", "f5", "f6", "f1"):
                await pilot.press(key)
                await settle(pilot)
                shot(f"section {key}")
            await pilot.press("escape")

            await pilot.press("f6")
            faults.add("/oauth/v3/token/revoke", FaultKind.DROP, times=-1)
            await pilot.press("d")
            await pilot.pause()
            await pilot.press("y")
            await settle(pilot)
            shot("remove failed")
            faults.clear()
            env.sandbox.revoke_account_tokens(MAIN_HUB)
            await pilot.press("f2")
            await pilot.press("t")
            await wait_until(
                pilot, lambda: isinstance(app.last_error, RefreshTokenRevoked), what="revoked"
            )
            await settle(pilot)
            shot("revoked")
            screen = oauth_screen(app)
            assert screen.attempt is None

        assert recorder.exchanged_verifiers() >= 3
        haystacks = dict(shots)
        haystacks["log records"] = "\n".join(root_log.lines)
        haystacks["config.toml"] = (env.config_dir / "config.toml").read_text()
        haystacks["sandbox request log"] = request_log_text(env.sandbox)
        assert root_log.lines, "no log record was captured: the handler is not wired"
        searched = assert_no_secret(recorder.secrets, haystacks)
        add_figure("leak search: dashboard bytes searched (screens, logs, files)", searched)
        add_figure("leak search: secrets searched for (dashboard)", len(recorder.secrets))
        add_figure("leak search: screenshots searched", len(shots))


def shots_text(app: HubSpotApp) -> str:
    from tests.app_helpers import screen_text

    return screen_text(app)


# ---- what a traceback could print ----------------------------------------------------------------


async def test_reprs_errors_and_rendered_crashes_hold_no_secret(tmp_path: Path) -> None:
    secret = "cs-0f0e0d0c-SECRET-never-shown"
    access, refresh = "at-SECRET-ACCESS-" + "x" * 40, "rt-SECRET-REFRESH-" + "y" * 40
    tokens = TokenSet(access, refresh, 1.9e9, 1.8e9)
    pkce = new_pkce()
    attempt_objects: list[object] = []
    port = pick_free_port()
    with Sandbox(port=0, redirect_uris=[f"http://localhost:{port}/oauth-callback"]) as sandbox:
        service = InstallService(
            ProfileStore(tmp_path / "cfg"), api_base=sandbox.base_url, app_base=sandbox.base_url
        )
        await service.load()
        from tui.core.profile import AppConfig

        await service.save_app(
            AppConfig(client_id=DEMO_APP.client_id, callback_port=port), DEMO_APP.client_secret
        )
        attempt = await service.start_login(listen=False)
        attempt_objects += [attempt, attempt._listener]
        verifier = attempt._code_verifier
        errors: list[BaseException] = []
        sandbox.faults.add("/oauth/v3/token", FaultKind.STATUS, status=503, times=-1)
        async with httpx.AsyncClient(verify=False) as client:
            from tui.sandbox.browser import choose

            location = await choose(client, attempt.url, MAIN_HUB, deliver=False)
        code = re.search(r"code=([^&]+)", location).group(1)  # type: ignore[union-attr]
        attempt.offer_paste(location)
        try:
            await service.finish_login(attempt)
        except HubSpotError as exc:
            errors.append(exc)
        sandbox.faults.clear()
        try:
            await service.refresh(MAIN_HUB)
        except HubSpotError as exc:
            errors.append(exc)
        await service.aclose()

    objects: list[object] = [
        tokens,
        ProfileSecrets(secret, {1: tokens}),
        TokenGrant(tokens=tokens),
        pkce,
        *attempt_objects,
        service,
        *errors,
    ]
    shown = []
    for obj in objects:
        shown += [repr(obj), str(obj)]
    for error in errors:
        shown.append("".join(traceback.format_exception(error)))
    text = "\n".join(shown)
    for needle in (secret, access, refresh, pkce.verifier, verifier, code, DEMO_APP.client_secret):
        assert needle not in text
    assert len(errors) == 2

    # A crash in the dashboard renders without local variables (Textual's default shows them).
    app = HubSpotApp(InstallService(ProfileStore(tmp_path / "other")))

    def crash(client_secret: str, refresh_token: str) -> None:
        raise RuntimeError("boom")

    async with app.run_test() as pilot:
        await pilot.pause()
        try:
            crash(secret, refresh)
        except RuntimeError:
            app._fatal_error()
            textual_default = Traceback(show_locals=True, width=None, locals_max_length=5)
        shown_by_default = io.StringIO()
        Console(file=shown_by_default, width=120).print(textual_default)
        assert secret in shown_by_default.getvalue()  # what the override prevents
        rendered = io.StringIO()
        console = Console(file=rendered, width=120, color_system=None)
        for renderable in app._exit_renderables:
            console.print(renderable)
        app._exit_renderables.clear()
        app._return_code = 0
        output = rendered.getvalue()
        assert "RuntimeError" in output and "boom" in output
        assert secret not in output and refresh not in output
        await asyncio.sleep(0)


def test_http_library_log_records_are_redacted() -> None:
    """httpx/httpcore records pass through the filter before any handler sees them."""
    from tui.hubspot import redact

    redact.install()
    handler = Captured()
    logger = logging.getLogger("httpx")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        logger.info(
            'HTTP Request: %s %s "%s"',
            "GET",
            "http://localhost:1/cb?code=na1-SECRET&state=s",
            "200",
        )
        logging.getLogger("httpcore.http11").debug(
            "receive_response_headers.complete return_value=%r",
            [(b"Location", b"http://localhost:1/cb?state=s&code=na1-SECRET2")],
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    [line] = handler.lines
    assert "na1-SECRET" not in line and "code=…" in line and "state=s" in line
    assert redact.redact("Authorization: Bearer abc.DEF-123") == "Authorization: Bearer …"
    assert redact.redact("/oauth/v1/refresh-tokens/na1-xyz") == "/oauth/v1/refresh-tokens/…"
