"""Every fault kind × every HubSpot call the service makes, against the sandbox over loopback.

For each (fault kind, code path), injected once (transient) and on every request (persistent):

- the outcome: success after bounded retries, a typed `HubSpotError` whose message names the cause
  and whose action says what to do next, or (where the call is optional) a degraded success;
- the number of requests the sandbox saw on that path (at most 1 + MAX_RETRIES; exactly 1 for a
  code exchange that was sent, since an authorization code works once);
- the waits between retries: `Retry-After` when sent, else the rate-limit window header, else the
  5xx/network backoff (a fake `sleep` records them, so a 10 s window costs nothing);
- the store: byte-for-byte what it was before a failed operation, or the success state.

Then the token faults (revoked install, expired access tokens, 401 on every call, auth codes
reused or expired) and, at the end, the CLI subset: one subprocess per fault kind proving exit
status 1, `error:` + `next:` on stderr and no traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.faults_support import (
    ACCOUNT,
    DELAY,
    FAULT_KINDS,
    INTROSPECT,
    KINDS_BY_NAME,
    LINE_ITEMS,
    MAIN,
    MAX_RETRIES,
    PRODUCTS,
    REVOKE,
    TIMEOUT,
    TOKEN,
    Env,
    Kind,
    assert_failed_check_kept_good,
    fault_env,
)
from tests.figures import add_figure, record_figure
from tui.hubspot.errors import (
    AuthCodeError,
    HubSpotError,
    NetworkError,
    RateLimited,
    RefreshTokenRevoked,
    ServerError,
    UnexpectedResponse,
)
from tui.hubspot.models import Access, AccountRole, TokenSet
from tui.sandbox import DEMO_APP, FaultKind

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CodePath:
    """A HubSpot call, and the service operation that makes it.

    Attributes:
        name: the test id.
        path: the sandbox path the fault is put on.
        op: `login`, `refresh` (forced), `check` or `remove`.
    """

    name: str
    path: str
    op: str


CODE_PATHS = (
    CodePath("exchange", TOKEN, "login"),
    CodePath("refresh", TOKEN, "refresh"),
    CodePath("introspect", INTROSPECT, "check"),
    CodePath("account", ACCOUNT, "check"),
    CodePath("products", PRODUCTS, "check"),
    CodePath("line_items", LINE_ITEMS, "check"),
    CodePath("revoke", REVOKE, "remove"),
    CodePath("introspect@login", INTROSPECT, "login"),
    CodePath("account@login", ACCOUNT, "login"),
    CodePath("products@login", PRODUCTS, "login"),
    CodePath("line_items@login", LINE_ITEMS, "login"),
)


def tried(run: str) -> None:
    """Count one fault run; the session summary prints the totals (tests/figures.py)."""
    if run.startswith("token "):
        add_figure("token faults (revoked, expired, 401, code reused/expired) runs", 1)
    elif run.startswith("cli "):
        add_figure("CLI fault runs", 1)
    else:
        record_figure("fault kinds", len(FAULT_KINDS))
        record_figure("code paths", len(CODE_PATHS))
        add_figure("fault kind × code path combinations (× once/always)", 1)


@dataclass(frozen=True)
class Expected:
    """What must happen.

    Attributes:
        outcome: `ok` (as after a clean run), `error` (raised, store untouched), `degraded`
            (login stored, one probe recorded as failed), `kept` (login raised but the tokens
            it got are stored, so nothing the user did is lost).
        requests: requests the sandbox answers on the faulted path.
        sleeps: the waits between retries.
    """

    outcome: str
    requests: int
    sleeps: list[float]


def expected(path: CodePath, kind: Kind, persistent: bool) -> Expected:
    """The contract, written out once for the whole matrix."""
    if path.name == "exchange":
        # Never retried once sent: the code may be spent, a retry would turn any blip into
        # BAD_AUTH_CODE. The user authorizes again (the message says so).
        return Expected("error", 1, [])
    if path.name == "revoke" and kind.fault is FaultKind.BAD_JSON:
        return Expected("ok", 1, [])  # any 2xx revokes; the body is not read
    if not kind.retryable:
        requests, sleeps, failed = 1, [], True
    elif persistent:
        requests = 1 + MAX_RETRIES
        sleeps = [kind.wait(n) for n in range(1, MAX_RETRIES + 1)]
        failed = True
    else:
        requests, sleeps, failed = 2, [kind.wait(1)], False
    if not failed or path.path == INTROSPECT:
        outcome = "ok"  # introspection only adds the user and fresher scopes: never fatal
    elif path.name in ("products@login", "line_items@login"):
        outcome = "degraded"
    elif path.name == "account@login":
        outcome = "kept"
    else:
        outcome = "error"
    return Expected(outcome, requests, sleeps)


def secrets_of(env: Env) -> list[str]:
    """The client secret and every token in the store now."""
    found = [DEMO_APP.client_secret]
    if env.credentials.exists():
        data = tomllib.loads(env.credentials.read_text())
        for profile in data.get("profiles", {}).values():
            for tokens in profile.get("tokens", {}).values():
                found += [tokens["access_token"], tokens["refresh_token"]]
    return found


def stored_tokens(env: Env) -> dict[int, dict[str, object]]:
    """The tokens in credentials.toml now, by hub id."""
    if not env.credentials.exists():
        return {}
    data = tomllib.loads(env.credentials.read_text())
    tokens = data.get("profiles", {}).get("default", {}).get("tokens", {})
    return {int(hub): values for hub, values in tokens.items()}


def assert_explains(exc: HubSpotError, words: str, secrets: list[str]) -> None:
    """A message that names the cause, a next action, and no secret anywhere in the error."""
    assert words in exc.message, exc.message
    assert exc.action.strip(), f"no next action for: {exc.message}"
    assert "\n" not in exc.message
    shown = f"{exc.message} {exc.action} {exc} {exc!r} {exc.args!r}"
    for secret in secrets:
        assert secret not in shown


async def run_op(env: Env, path: CodePath) -> object:
    service = env.service
    if path.op == "login":
        return await env.login()
    if path.op == "refresh":
        return await service.refresh(MAIN, force=True)
    if path.op == "check":
        return await service.check(MAIN)
    assert path.op == "remove"
    await service.remove(MAIN)
    return None


@pytest.mark.parametrize("persistent", [False, True], ids=["once", "always"])
@pytest.mark.parametrize("kind", FAULT_KINDS, ids=lambda k: k.name)
@pytest.mark.parametrize("path", CODE_PATHS, ids=lambda p: p.name)
async def test_fault_matrix(tmp_path: Path, path: CodePath, kind: Kind, persistent: bool) -> None:
    want = expected(path, kind, persistent)
    async with fault_env(tmp_path, authorized=path.op != "login") as env:
        before = env.snapshot()
        secrets = secrets_of(env)
        stored_before = stored_tokens(env).get(MAIN)
        mark = env.mark()
        fault = env.add_fault(path.path, kind, times=-1 if persistent else 1)
        error: HubSpotError | None = None
        result: object = None
        try:
            result = await run_op(env, path)
        except HubSpotError as exc:
            error = exc
        tried(f"{kind.name}×{path.name}")

        # Bounded retries, honouring Retry-After / the window header / the backoff.
        assert fault.hits == (want.requests if persistent else 1), (fault.hits, want)
        assert await env.requests_to(path.path, mark, want.requests) == want.requests
        assert env.sleeps == pytest.approx(want.sleeps)

        after = env.snapshot()
        secrets += secrets_of(env)
        if want.outcome == "error":
            assert error is not None, f"expected an error, got {result!r}"
            assert_explains(error, kind.words, secrets)
            if path.op == "check":
                # The failed attempt is recorded (code + message); the last good answers,
                # checked_at and the tokens are kept exactly.
                assert_failed_check_kept_good(before, after, kind.words)
            else:
                assert after == before, "a failed operation changed the store"
            if path.name == "exchange":
                assert re.search(r"(log ?in|authoriz\w*) again", error.action, re.I), error.action
            return
        if want.outcome == "kept":
            assert error is not None
            assert_explains(error, kind.words, secrets)
            assert "no need to authorize again" in error.action
            profile = await env.new_service().load()
            assert MAIN in stored_tokens(env) and profile.accounts[MAIN].check_error
            assert profile.active_hub_id == MAIN
            return
        assert error is None, f"unexpected {type(error).__name__}: {error}"
        if want.outcome == "degraded":
            probe = result.products if path.name.startswith("products") else result.line_items  # type: ignore[attr-defined]
            assert probe.access is Access.ERROR and kind.words in probe.message
            assert MAIN in stored_tokens(env)
            return
        # ok: the success state.
        if path.op == "login":
            assert result.role is AccountRole.MAIN  # type: ignore[attr-defined]
            assert MAIN in stored_tokens(env)
        elif path.op == "refresh":
            assert isinstance(result, TokenSet) and stored_before is not None
            assert result.access_token != stored_before["access_token"]
            assert result.refresh_token == stored_before["refresh_token"]
            assert stored_tokens(env)[MAIN]["access_token"] == result.access_token
            assert after[0] == before[0], "a refresh changed config.toml"
        elif path.op == "check":
            assert result.role is AccountRole.MAIN and not result.check_error  # type: ignore[attr-defined]
            # Same clock, same answers: the re-check stores exactly what was there.
            assert after == before
        else:
            profile = await env.new_service().load()
            assert MAIN not in profile.accounts
            assert MAIN not in stored_tokens(env)


# ---- limits of honouring the rate-limit headers --------------------------------------------------


async def test_retry_after_beyond_the_wait_cap_fails_fast(tmp_path: Path) -> None:
    """HubSpot says "come back in 2 minutes": no retry before then, and the message says so."""
    async with fault_env(tmp_path) as env:
        before = env.snapshot()
        env.sandbox.faults.add(ACCOUNT, FaultKind.RATE_LIMIT, retry_after=120, times=-1)
        with pytest.raises(RateLimited) as caught:
            await env.service.check(MAIN)
        assert env.sleeps == []
        assert "120 s" in caught.value.action
        assert_failed_check_kept_good(before, env.snapshot())


async def test_retries_stay_bounded_across_a_check_of_many_faulted_calls(tmp_path: Path) -> None:
    """Every call of a check failing at once: each retries at most MAX_RETRIES times."""
    async with fault_env(tmp_path) as env:
        before = env.snapshot()
        mark = env.mark()
        env.sandbox.faults.add("/", FaultKind.STATUS, status=502, times=-1)
        with pytest.raises(ServerError):
            await env.service.check(MAIN)
        per_path = Counter(r.path for r in env.sandbox.request_log[mark:])
        assert per_path == {
            INTROSPECT: 1 + MAX_RETRIES,
            ACCOUNT: 1 + MAX_RETRIES,
            PRODUCTS: 1 + MAX_RETRIES,
            LINE_ITEMS: 1 + MAX_RETRIES,
        }
        assert_failed_check_kept_good(before, env.snapshot(), "HTTP 502")


async def test_check_all_reports_each_failure_and_keeps_the_stored_reports(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        before = env.snapshot()
        env.sandbox.faults.add(PRODUCTS, FaultKind.STATUS, status=503, times=-1)
        reports, failures = await env.service.recheck_all()
        assert set(failures) == {MAIN}
        assert_explains(failures[MAIN], "HubSpot had a problem", secrets_of(env))
        assert reports[0].role is AccountRole.MAIN  # the stored report, not a degraded one
        with pytest.raises(ServerError) as caught:
            await env.service.check_all(strict=True)
        assert str(MAIN) in caught.value.message
        assert_failed_check_kept_good(before, env.snapshot(), "HubSpot had a problem")


# ---- token faults --------------------------------------------------------------------------------


async def test_revoked_install_refresh(tmp_path: Path) -> None:
    """BAD_REFRESH_TOKEN: said plainly, recorded on the account, tokens left as they were."""
    async with fault_env(tmp_path) as env:
        _, credentials = env.snapshot()
        env.sandbox.revoke_account_tokens(MAIN)
        with pytest.raises(RefreshTokenRevoked) as caught:
            await env.service.refresh(MAIN, force=True)
        tried("token revoked×refresh")
        assert_explains(caught.value, "no longer valid", secrets_of(env))
        assert "Authorize the account again" in caught.value.action
        assert env.snapshot()[1] == credentials
        profile = await env.new_service().load()
        assert "uninstalled" in profile.accounts[MAIN].check_error


async def test_revoked_install_check_and_remove(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        _, credentials = env.snapshot()
        env.sandbox.revoke_account_tokens(MAIN)
        report = await env.service.check(MAIN)  # 401 → refresh → BAD_REFRESH_TOKEN: recorded
        tried("token revoked×check")
        assert "uninstalled" in report.check_error
        assert "Authorize the account again" in report.check_error
        assert env.snapshot()[1] == credentials
        await env.service.remove(MAIN)  # a token HubSpot already rejects counts as revoked
        tried("token revoked×remove")
        assert MAIN not in (await env.new_service().load()).accounts


async def test_expired_access_tokens_are_refreshed_transparently(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        config, _ = env.snapshot()
        old = stored_tokens(env)[MAIN]
        env.sandbox.expire_access_tokens()
        report = await env.service.check(MAIN)
        tried("token expired×check")
        assert report.role is AccountRole.MAIN and not report.check_error
        assert stored_tokens(env)[MAIN]["access_token"] != old["access_token"]
        assert env.snapshot()[0] == config


async def test_401_on_every_api_call(tmp_path: Path) -> None:
    """A 401 that survives a refresh: recorded on the account with the next action."""
    async with fault_env(tmp_path) as env:
        mark = env.mark()
        for path in (ACCOUNT, "/crm/"):
            env.sandbox.faults.add(path, FaultKind.STATUS, status=401, times=-1)
        report = await env.service.check(MAIN)
        tried("token 401×check")
        assert "did not accept the access token" in report.check_error
        assert "authorize the account again" in report.check_error.lower()
        # One refresh between the two attempts, no retry storm.
        tokens = [r for r in env.sandbox.request_log[mark:] if r.path == TOKEN]
        assert len(tokens) == 1
        assert await env.requests_to(ACCOUNT, mark, at_least=2) == 2


@pytest.mark.parametrize("how", ["reused", "expired"])
async def test_spent_or_expired_auth_code(tmp_path: Path, how: str) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        before = env.snapshot()
        attempt = await env.service.start_login(hub_id=MAIN, listen=False)
        location = await env.authorize(attempt.url)
        code = re.search(r"code=([^&]+)", location).group(1)  # type: ignore[union-attr]
        if how == "reused":
            spent = httpx.post(
                f"{env.sandbox.base_url}{TOKEN}",
                data={
                    "grant_type": "authorization_code",
                    "client_id": DEMO_APP.client_id,
                    "client_secret": DEMO_APP.client_secret,
                    "redirect_uri": attempt.redirect_uri,
                    "code": code,
                },
            )
            assert spent.status_code == 400  # no verifier: refused, but the code is spent
        else:
            env.sandbox_clock.offset += env.sandbox.state.code_ttl + 1
        mark = env.mark()
        attempt.offer_paste(location)
        with pytest.raises(AuthCodeError) as caught:
            await env.service.finish_login(attempt)
        tried(f"token code {how}×exchange")
        words = "already used" if how == "reused" else "expired"
        assert_explains(caught.value, words, secrets_of(env))
        assert "Authorize the account again" in caught.value.action
        assert await env.requests_to(TOKEN, mark, at_least=1) == 1
        assert env.snapshot() == before


# ---- the CLI subset ------------------------------------------------------------------------------


def cli_env(env: Env) -> dict[str, str]:
    return {
        **os.environ,
        "HUBSPOT_TUI_CONFIG_DIR": str(env.config_dir),
        "HUBSPOT_TUI_API_BASE": env.sandbox.base_url,
        "HUBSPOT_TUI_APP_BASE": env.sandbox.base_url,
        "HUBSPOT_TUI_HTTP_TIMEOUT": str(TIMEOUT),
        "PYTHONPATH": str(ROOT),
    }


def cli(env: Env, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        cwd=ROOT,
    )


def assert_cli_failure(result: subprocess.CompletedProcess[str], words: str) -> None:
    where = f"{result.args}: exit {result.returncode}\n{result.stderr}"
    assert result.returncode == 1, where
    assert "Traceback" not in result.stderr + result.stdout, where
    assert "error:" in result.stderr and "next:" in result.stderr, where
    assert words in result.stderr, where


async def test_cli_refresh_under_every_fault_kind(tmp_path: Path) -> None:
    """`hubspot-tui refresh` against each fault kind, on every request (one process per kind,
    run side by side): exit 1, the cause, the next action, no traceback, the store untouched.

    The real CLI sleeps for real: Retry-After is shortened to 0.1 s, and a 10 s window
    (429-interval) is left to the matrix above; 429-secondly proves the window header is
    honoured here too (three 1 s waits).
    """
    async with contextlib.AsyncExitStack() as stack:
        runs = []
        for kind in FAULT_KINDS:
            if kind.name == "429-interval":
                continue
            env = await stack.enter_async_context(fault_env(tmp_path / kind.name))
            await env.service.aclose()
            options = dict(kind.options)
            if "retry_after" in options:
                options["retry_after"] = 0.1
            env.sandbox.faults.add(TOKEN, kind.fault, times=-1, **options)
            proc = subprocess.Popen(
                [sys.executable, "-m", "tui", "refresh"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                env=cli_env(env),
                cwd=ROOT,
            )
            runs.append((kind, env, env.snapshot(), proc))
        for kind, env, before, proc in runs:
            out, err = await asyncio.to_thread(proc.communicate, timeout=60)
            tried(f"cli {kind.name}×refresh")
            result = subprocess.CompletedProcess([kind.name], proc.returncode, out, err)
            assert_cli_failure(result, kind.words)
            assert env.snapshot() == before, kind.name
            for secret in secrets_of(env):
                assert secret not in out + err


async def test_cli_check_remove_and_login_under_faults(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        await env.service.aclose()
        before = env.snapshot()
        env.sandbox.faults.add(PRODUCTS, FaultKind.DROP, times=-1)
        checked = cli(env, "status", "--check")
        assert_cli_failure(checked, "broke off")
        assert f"could not re-check {MAIN}" in checked.stderr
        assert_failed_check_kept_good(before, env.snapshot(), "broke off")
        before = env.snapshot()
        env.sandbox.faults.clear()

        env.sandbox.faults.add(REVOKE, FaultKind.HTML, times=-1)
        removed = cli(env, "remove", str(MAIN), "--yes")
        assert_cli_failure(removed, "non-JSON page")
        assert "--force" in removed.stderr
        assert env.snapshot() == before
        forced = cli(env, "remove", str(MAIN), "--yes", "--force")
        assert forced.returncode == 0, forced.stderr
        assert MAIN not in stored_tokens(env)
        tried("cli drop×status --check")
        tried("cli html×remove")


async def test_cli_login_exchange_fault(tmp_path: Path) -> None:
    """The exchange answer is lost: exit 1, why, and "start the login again"; nothing stored."""
    async with fault_env(tmp_path, authorized=False) as env:
        await env.service.aclose()
        before = env.snapshot()
        env.sandbox.faults.add(TOKEN, FaultKind.TRUNCATE, times=1)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "login", "--paste", "--account", str(MAIN)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={
                **os.environ,
                "HUBSPOT_TUI_CONFIG_DIR": str(env.config_dir),
                "HUBSPOT_TUI_API_BASE": env.sandbox.base_url,
                "HUBSPOT_TUI_APP_BASE": env.sandbox.base_url,
                "PYTHONPATH": str(ROOT),
            },
            cwd=ROOT,
        )
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        location = await env.authorize(url)
        out, err = proc.communicate(location + "\n", timeout=30)
        tried("cli truncate×exchange")
        assert_cli_failure(subprocess.CompletedProcess([], proc.returncode, out, err), "broke off")
        assert "login again" in err
        assert env.snapshot() == before


def test_cli_rejects_a_bad_http_timeout(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "status"],
        capture_output=True,
        text=True,
        env={**os.environ, "HUBSPOT_TUI_HTTP_TIMEOUT": "soon", "PYTHONPATH": str(ROOT)},
        timeout=30,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "--http-timeout" in result.stderr and "Traceback" not in result.stderr


def test_delay_is_really_past_the_timeout() -> None:
    assert DELAY >= 2 * TIMEOUT
    assert KINDS_BY_NAME["timeout"].options["delay"] == DELAY
    assert issubclass(NetworkError, HubSpotError) and issubclass(UnexpectedResponse, HubSpotError)
