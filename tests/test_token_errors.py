"""Reading token failures right: when "authorize again" is the answer, and damaged tokens.

- A refused refresh token is `ReauthorizeRequired` (code BAD_REFRESH_TOKEN) whatever shape the
  refusal takes: HubSpot's `status`, RFC 6749 `invalid_grant`, or the date-versioned endpoints'
  standard envelope (`{message, correlationId, category}`, or only a `category`).
- A 401 on an API call followed by a refused refresh is `UNINSTALLED` (HubSpot's rule), a 401
  that survives a fresh token `TOKEN_REJECTED`; both are recorded on the account and the
  checklist says to authorize again. A transient refresh failure after a 401 is neither.
- A token that is not printable ASCII without spaces is refused at parse and never stored; one
  already in the store is never sent, and `status --check` says so (exit 1, no traceback).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.faults_support import ACCOUNT, MAIN, TOKEN, fault_env
from tui.hubspot.errors import (
    REAUTHORIZE_CODES,
    AuthCodeError,
    ClientCredentialsError,
    HubSpotError,
    NetworkError,
    ReauthorizeRequired,
    RedirectMismatch,
    RefreshTokenRevoked,
    ServerError,
    UnexpectedResponse,
    needs_reauthorization,
)
from tui.hubspot.models import CheckState, TokenSet
from tui.hubspot.parse import (
    CTX_EXCHANGE,
    CTX_REFRESH,
    CTX_REVOKE,
    error_from_response,
    is_token,
    parse_token_response,
)
from tui.sandbox import FaultKind
from tui.sandbox.state import AccessRecord, RefreshRecord

ROOT = Path(__file__).resolve().parent.parent
CID = "0c4e6a3b-8f0d-4f7e-9d55-2f4f1b0e9a11"


def refusal(body: object, status: int = 400, context: str = CTX_REFRESH) -> HubSpotError:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_response(status, {}, raw, context=context)


# ---- refresh refusals: every shape means "authorize again" ----------------------------------

REFRESH_REFUSALS = {
    "hubspot status": {
        "status": "BAD_REFRESH_TOKEN",
        "message": "missing or invalid refresh token",
    },
    "rfc invalid_grant, no description": {"error": "invalid_grant"},
    "rfc invalid_grant, odd description": {"error": "invalid_grant", "error_description": "nope"},
    "both (v3 changelog)": {
        "error": "invalid_grant",
        "error_description": "refresh token is invalid, expired or revoked",
        "status": "BAD_REFRESH_TOKEN",
        "message": "refresh token is invalid, expired or revoked",
    },
    "date-versioned envelope": {
        "message": "The refresh token is invalid, expired or revoked",
        "correlationId": CID,
        "category": "VALIDATION_ERROR",
    },
    "envelope with status error": {
        "status": "error",
        "message": "refresh_token is not valid",
        "correlationId": CID,
        "category": "BAD_REQUEST",
    },
    "category only": {"category": "BAD_REFRESH_TOKEN"},
    "category only, dotted": {"category": "OAUTH.INVALID_REFRESH_TOKEN"},
    "category INVALID_GRANT only": {"category": "INVALID_GRANT"},
    "subCategory names it": {
        "message": "Invalid request",
        "category": "VALIDATION_ERROR",
        "subCategory": "OAuth.REFRESH_TOKEN_REVOKED",
        "correlationId": CID,
    },
    "errors[] name it": {
        "message": "Invalid input",
        "category": "VALIDATION_ERROR",
        "errors": [{"message": "refresh_token expired"}],
    },
}


@pytest.mark.parametrize("status", [400, 401])
@pytest.mark.parametrize("body", REFRESH_REFUSALS.values(), ids=REFRESH_REFUSALS.keys())
def test_refused_refresh_token_means_reauthorize(body: dict[str, object], status: int) -> None:
    error = refusal(body, status)
    assert isinstance(error, RefreshTokenRevoked) and isinstance(error, ReauthorizeRequired)
    assert error.code == "BAD_REFRESH_TOKEN" and needs_reauthorization(error)
    assert needs_reauthorization(error.code)
    assert "Authorize the account again" in error.action
    assert not error.retryable


def test_revoke_of_a_dead_refresh_token_is_recognised_too() -> None:
    error = refusal({"category": "BAD_REFRESH_TOKEN"}, context=CTX_REVOKE)
    assert isinstance(error, RefreshTokenRevoked)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"message": "client_id is unknown", "category": "VALIDATION_ERROR"},
            ClientCredentialsError,
        ),
        (
            {"message": "Invalid client secret", "correlationId": CID, "category": "X"},
            ClientCredentialsError,
        ),
        ({"message": "Something else broke", "category": "VALIDATION_ERROR"}, UnexpectedResponse),
        ({"message": "refresh token", "category": "INTERNAL_ERROR"}, ServerError),
    ],
)
def test_refresh_refusals_that_are_not_about_the_grant(
    body: dict[str, object], expected: type[HubSpotError]
) -> None:
    status = 500 if body.get("category") == "INTERNAL_ERROR" else 400
    error = refusal(body, status)
    assert type(error) is expected
    assert not needs_reauthorization(error)


@pytest.mark.parametrize(
    ("body", "expected", "code"),
    [
        (
            {"message": "auth code has expired", "category": "VALIDATION_ERROR"},
            AuthCodeError,
            "EXPIRED_AUTH_CODE",
        ),
        (
            {"message": "unknown authorization code", "correlationId": CID, "category": "X"},
            AuthCodeError,
            "BAD_AUTH_CODE",
        ),
        (
            {"category": "MISMATCH_REDIRECT_URI"},
            RedirectMismatch,
            "MISMATCH_REDIRECT_URI_AUTH_CODE",
        ),
        (
            {"error": "invalid_grant", "error_description": "redirect_uri mismatch"},
            RedirectMismatch,
            "MISMATCH_REDIRECT_URI_AUTH_CODE",
        ),
    ],
)
def test_date_versioned_exchange_refusals(
    body: dict[str, object], expected: type[HubSpotError], code: str
) -> None:
    error = refusal(body, context=CTX_EXCHANGE)
    assert type(error) is expected and error.code == code
    assert not needs_reauthorization(error)


def test_the_reauthorize_codes_are_exactly_the_typed_ones() -> None:
    assert {"BAD_REFRESH_TOKEN", "UNINSTALLED", "TOKEN_REJECTED", "BAD_STORED_TOKEN"} == set(
        REAUTHORIZE_CODES
    )
    assert not needs_reauthorization("INVALID_AUTHENTICATION")
    assert not needs_reauthorization(NetworkError("down", code="CONNECT"))


# ---- tokens that are not tokens -----------------------------------------------------------

BAD_TOKENS = {
    "non-ascii": "CJ\u00e9abc123",
    "emoji": "abc\U0001f600def",
    "inner space": "abc def",
    "tab": "abc\tdef",
    "newline (header injection)": "abc\r\nX-Evil: 1",
    "nul": "abc\x00def",
    "del": "abc\x7fdef",
    "too long": "a" * 5000,
}


@pytest.mark.parametrize("field", ["access_token", "refresh_token"])
@pytest.mark.parametrize("bad", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_token_in_a_token_answer_is_refused_at_parse(field: str, bad: str) -> None:
    data = {"access_token": "CJSP5qf1KhICAQEYs", "refresh_token": "na1-1234", "expires_in": 1800}
    data[field] = bad
    with pytest.raises(UnexpectedResponse) as caught:
        parse_token_response(data, now=1000.0)
    assert caught.value.code == "BAD_TOKEN"
    words = "access token" if field == "access_token" else "refresh token"
    assert words in caught.value.message and "printable ASCII" in caught.value.message
    assert bad not in str(caught.value) and bad.strip() not in caught.value.message


def test_good_tokens_still_parse_and_surrounding_whitespace_is_trimmed() -> None:
    access = "C" + "x" * 299
    grant = parse_token_response(
        {"access_token": f" {access}\n", "refresh_token": "na1-a-b", "expires_in": 1800}, now=0.0
    )
    assert grant.tokens.access_token == access and grant.tokens.refresh_token == "na1-a-b"
    assert is_token("~!#$%&'()*+,-./:;<=>?@[]^_`{|}") and not is_token("") and not is_token(3)


async def test_non_ascii_token_at_login_is_a_clear_error_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        before = env.snapshot()
        original = env.sandbox.state._issue_access

        def issue(refresh: RefreshRecord) -> AccessRecord:
            # What a broken proxy (or a hostile server) might hand back: a non-ASCII token.
            record = replace(original(refresh), token="CJ\u00e9" + "x" * 40)
            env.sandbox.state._access[record.token] = record
            return record

        env.sandbox.state._issue_access = issue  # type: ignore[method-assign]
        with pytest.raises(UnexpectedResponse) as caught:
            await env.login()
        assert caught.value.code == "BAD_TOKEN"
        assert "printable ASCII" in caught.value.message
        assert env.snapshot() == before  # nothing stored
        assert MAIN not in (await env.new_service().load()).accounts


# ---- the core maps the typed errors -------------------------------------------------------


async def test_401_then_refused_refresh_means_uninstalled(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        _, credentials = env.snapshot()
        # The API says 401; the refresh that follows gets a date-versioned refusal that names
        # nothing (HubSpot's rule still applies: 401 + failed refresh = uninstalled).
        env.sandbox.faults.add(ACCOUNT, FaultKind.STATUS, status=401)
        # (every time: the prefix also catches introspection, whose failure is not fatal)
        env.sandbox.faults.add(TOKEN, FaultKind.STATUS, status=400, times=-1)
        report = await env.service.check(MAIN)
        assert "uninstalled" in report.check_error
        assert "Authorize the account again" in report.check_error
        assert report.check_error_code == "token_revoked"  # what the checklist decides from
        assert env.snapshot()[1] == credentials  # the tokens are kept, not silently dropped
        status = env.service.status()
        states = {c.id: c.state for c in status.checks}
        assert states["token"] is CheckState.FAIL and states["authorized"] is CheckState.FAIL
        assert not status.ready


async def test_401_then_transient_refresh_failure_is_not_uninstalled(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        before = env.snapshot()
        env.sandbox.faults.add(ACCOUNT, FaultKind.STATUS, status=401)
        env.sandbox.faults.add(TOKEN, FaultKind.STATUS, status=503, times=-1)
        with pytest.raises(ServerError):
            await env.service.check(MAIN)
        # A blip is recorded as a failed check (not a dead grant); the tokens stay as they were.
        assert env.snapshot()[1] == before[1]
        stored = env.service.profile.accounts[MAIN]
        assert stored.check_error_code == "check_failed"
        states = {c.id: c.state for c in env.service.status().checks}
        assert states["token"] is not CheckState.FAIL
        env.sandbox.faults.clear()
        assert (await env.service.check(MAIN)).check_error == ""


async def test_401_surviving_a_refresh_is_token_rejected(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        env.sandbox.faults.add(ACCOUNT, FaultKind.STATUS, status=401, times=2)
        report = await env.service.check(MAIN)
        assert "even after a refresh" in report.check_error
        states = {c.id: c.state for c in env.service.status().checks}
        assert states["token"] is CheckState.FAIL


async def test_a_401_once_is_refreshed_away(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        env.sandbox.faults.add(ACCOUNT, FaultKind.STATUS, status=401, times=1)
        report = await env.service.check(MAIN)
        assert report.check_error == ""
        assert env.service.status().ready


@pytest.mark.parametrize("which", ["access_token", "refresh_token"])
async def test_damaged_stored_token_is_never_sent(tmp_path: Path, which: str) -> None:
    async with fault_env(tmp_path) as env:
        await damage_stored_token(env.credentials, which)
        service = env.new_service()
        await service.load()
        if which == "refresh_token":
            env.now += 3600  # due: the refresh token is what would be sent
        mark = env.mark()
        report = await service.check(MAIN)
        await service.aclose()
        assert "damaged" in report.check_error and report.check_error_code == "token_revoked"
        assert not any(r.path in (TOKEN, ACCOUNT) for r in env.sandbox.request_log[mark:])
        assert {c.id: c.state for c in service.status().checks}["token"] is CheckState.FAIL


async def damage_stored_token(credentials: Path, which: str) -> None:
    data = tomllib.loads(credentials.read_text())
    tokens = data["profiles"]["default"]["tokens"][str(MAIN)]
    text = credentials.read_text().replace(tokens[which], "\u00e9t\u00e9-" + tokens[which][:10])
    credentials.write_text(text)


def test_status_check_with_a_damaged_stored_token_exits_1_without_traceback(
    tmp_path: Path,
) -> None:
    import asyncio

    async def prepare() -> tuple[str, Path]:
        async with fault_env(tmp_path) as env:
            await damage_stored_token(env.credentials, "access_token")
            return env.sandbox.base_url, env.config_dir

    # The sandbox is gone after prepare: a token that would be sent would fail as a network
    # error; the damaged one must be refused before any connection is tried.
    base, config_dir = asyncio.run(prepare())
    env = {
        **os.environ,
        "HUBSPOT_TUI_CONFIG_DIR": str(config_dir),
        "HUBSPOT_TUI_API_BASE": base,
        "PYTHONPATH": str(ROOT),
    }
    for args in (["status", "--check"], ["status", "--check", "--json"]):
        result = subprocess.run(
            [sys.executable, "-m", "tui", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=ROOT,
        )
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        out = result.stdout + result.stderr
        assert "damaged" in out and "not printable ASCII" in out
        assert "Could not reach" not in out  # never tried to send it
        assert "\u00e9t\u00e9" not in out  # not even the damaged token is shown
    data = json.loads(result.stdout)
    assert data["ready"] is False
    assert {c["id"]: c["state"] for c in data["checks"]}["token"] == "fail"


def test_tokenset_with_a_good_token_is_unaffected() -> None:
    tokens = TokenSet("abc", "na1-x", expires_at=1.0)
    assert is_token(tokens.access_token) and is_token(tokens.refresh_token)


async def test_api_request_401_then_refused_refresh_is_uninstalled(tmp_path: Path) -> None:
    from tui.core.api_requests import authenticated_call
    from tui.core.tokens import fresh_tokens

    async with fault_env(tmp_path) as env:
        service = env.service

        def tokens(force: bool) -> Any:
            return fresh_tokens(service, MAIN, force=force)

        env.sandbox.faults.add("/crm/v3/objects/products", FaultKind.STATUS, status=401)
        env.sandbox.faults.add(TOKEN, FaultKind.STATUS, status=400)
        with pytest.raises(ReauthorizeRequired) as caught:
            await authenticated_call(service.hubspot(), tokens, "GET", "/crm/v3/objects/products")
        assert caught.value.code == "UNINSTALLED"
        # A 401 once, and a refresh that works: the retry answers.
        env.sandbox.faults.add("/crm/v3/objects/products", FaultKind.STATUS, status=401)
        answer = await authenticated_call(
            service.hubspot(), tokens, "GET", "/crm/v3/objects/products"
        )
        assert answer.status == 200


async def test_api_request_with_a_damaged_stored_token_is_refused_before_sending(
    tmp_path: Path,
) -> None:
    from tui.core.api_requests import authenticated_call
    from tui.core.tokens import fresh_tokens

    async with fault_env(tmp_path) as env:
        await damage_stored_token(env.credentials, "access_token")
        service = env.new_service()
        await service.load()

        def tokens(force: bool) -> Any:
            return fresh_tokens(service, MAIN, force=force)

        mark = env.mark()
        with pytest.raises(ReauthorizeRequired) as caught:
            await authenticated_call(service.hubspot(), tokens, "GET", "/crm/v3/objects/products")
        await service.aclose()
        assert caught.value.code == "BAD_STORED_TOKEN"
        assert env.sandbox.request_log[mark:] == []
