"""HubSpotClient against httpx.MockTransport: request shapes, error mapping, retries."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tui.hubspot.client import HubSpotClient
from tui.hubspot.errors import (
    AuthCodeError,
    AuthenticationError,
    ClientCredentialsError,
    Forbidden,
    HubSpotError,
    MissingScopes,
    NetworkError,
    OAuthError,
    RateLimited,
    RedirectMismatch,
    RefreshTokenRevoked,
    ServerError,
    UnexpectedResponse,
)
from tui.hubspot.models import Access, AccountType, RateLimit

SECRET = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b"
CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
REFRESH = "na1-refresh-9c8b7a6f5e4d"
ACCESS = "CJSP5qf1LhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2"
CODE = "na1-code-1234-5678-abcd"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
REDIRECT = "http://localhost:8765/oauth-callback"
SECRETS = (SECRET, REFRESH, ACCESS, CODE, VERIFIER)
CID = "aeb5f871-7f07-4993-9211-075dc63e7cbf"

TOKEN_OK = {
    "access_token": "new-at",
    "refresh_token": "new-rt",
    "expires_in": 1800,
    "token_type": "bearer",
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler fed from a script of responses (or exceptions)."""

    def __init__(self, *script: httpx.Response | Exception | Handler) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        if callable(step) and not isinstance(step, httpx.Response):
            return step(request)
        return step


def make(rec: Recorder, **kwargs: Any) -> tuple[HubSpotClient, list[float]]:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    kwargs.setdefault("clock", lambda: 1000.0)
    client = HubSpotClient(transport=httpx.MockTransport(rec), sleep=sleep, **kwargs)
    return client, waits


def js(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def form_of(request: httpx.Request) -> dict[str, str]:
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


async def exchange(client: HubSpotClient, verifier: str | None = VERIFIER) -> Any:
    return await client.exchange_code(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        code=CODE,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )


# -- request shapes ---------------------------------------------------------------------------


async def test_exchange_code_request_shape() -> None:
    rec = Recorder(js(200, {**TOKEN_OK, "hub_id": 99, "scopes": ["oauth"]}))
    client, _ = make(rec)
    grant = await exchange(client)
    (request,) = rec.requests
    assert request.method == "POST"
    assert request.url.path == "/oauth/v3/token"
    assert request.url.host == "api.hubapi.com"
    assert not request.url.query
    assert_no_secret(str(request.url))
    assert "authorization" not in request.headers
    assert form_of(request) == {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "redirect_uri": REDIRECT,
        "code": CODE,
        "code_verifier": VERIFIER,
    }
    assert grant.tokens.access_token == "new-at"
    assert grant.tokens.expires_at == 2800.0
    assert grant.hub_id == 99
    await client.aclose()


async def test_exchange_without_pkce_and_v1_path() -> None:
    rec = Recorder(js(200, TOKEN_OK))
    client, _ = make(rec, token_version="v1")
    await exchange(client, verifier=None)
    assert rec.requests[0].url.path == "/oauth/v1/token"
    assert "code_verifier" not in form_of(rec.requests[0])


def test_bad_token_version_rejected() -> None:
    with pytest.raises(ValueError):
        HubSpotClient(token_version="v2")


async def test_refresh_request_and_keeps_old_refresh_token() -> None:
    rec = Recorder(js(200, {"access_token": "at2", "expires_in": 1800}))
    client, _ = make(rec)
    grant = await client.refresh(client_id=CLIENT_ID, client_secret=SECRET, refresh_token=REFRESH)
    request = rec.requests[0]
    assert request.url.path == "/oauth/v3/token" and not request.url.query
    assert form_of(request) == {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "refresh_token": REFRESH,
    }
    assert grant.tokens.refresh_token == REFRESH
    assert grant.tokens.access_token == "at2"


async def test_refresh_takes_rotated_refresh_token() -> None:
    client, _ = make(Recorder(js(200, TOKEN_OK)))
    grant = await client.refresh(client_id=CLIENT_ID, client_secret=SECRET, refresh_token=REFRESH)
    assert grant.tokens.refresh_token == "new-rt"


async def test_introspect_is_v3_post_even_on_v1() -> None:
    body = {"active": True, "hub_id": 5, "user": "me@x.com", "scopes": ["oauth"], "token": ACCESS}
    rec = Recorder(js(200, body))
    client, _ = make(rec, token_version="v1")
    info = await client.introspect(client_id=CLIENT_ID, client_secret=SECRET, access_token=ACCESS)
    request = rec.requests[0]
    assert (request.method, request.url.path) == ("POST", "/oauth/v3/token/introspect")
    assert_no_secret(str(request.url))
    assert form_of(request) == {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "token": ACCESS,
        "token_type_hint": "access_token",
    }
    assert info.active and info.hub_id == 5 and info.user == "me@x.com"
    assert_no_secret(repr(info))


@pytest.mark.parametrize("status", [200, 204])
async def test_revoke_any_2xx(status: int) -> None:
    rec = Recorder(httpx.Response(status))
    client, _ = make(rec)
    await client.revoke(client_id=CLIENT_ID, client_secret=SECRET, refresh_token=REFRESH)
    request = rec.requests[0]
    assert (request.method, request.url.path) == ("POST", "/oauth/v3/token/revoke")
    assert form_of(request)["token"] == REFRESH
    assert_no_secret(str(request.url))


async def test_account_details_request() -> None:
    body = {"portalId": 123, "accountType": "STANDARD", "uiDomain": "app.hubspot.com"}
    rec = Recorder(
        js(200, body, {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "97"})
    )
    client, _ = make(rec)
    details = await client.account_details(ACCESS)
    request = rec.requests[0]
    assert (request.method, request.url.path) == ("GET", "/account-info/v3/details")
    assert request.headers["authorization"] == f"Bearer {ACCESS}"
    assert_no_secret(str(request.url))
    assert details.portal_id == 123 and details.account_type is AccountType.STANDARD
    assert client.last_rate_limit == RateLimit(max=100, remaining=97)


async def test_probe_ok() -> None:
    page = {"results": [{"id": "1", "properties": {}}], "paging": {"next": {"after": "2"}}}
    rec = Recorder(js(200, page))
    client, _ = make(rec)
    result = await client.probe(ACCESS, "products")
    request = rec.requests[0]
    assert request.url.path == "/crm/v3/objects/products"
    assert dict(request.url.params) == {"limit": "1"}
    assert request.headers["authorization"] == f"Bearer {ACCESS}"
    assert (result.access, result.count, result.has_more) == (Access.OK, 1, True)


async def test_probe_missing_scope() -> None:
    body = {
        "status": "error",
        "message": "This app hasn't been granted all required scopes to make this call.",
        "correlationId": CID,
        "errors": [
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": ["crm.objects.products.read"]},
            }
        ],
        "category": "MISSING_SCOPES",
    }
    client, _ = make(Recorder(js(403, body)))
    result = await client.probe(ACCESS, "products")
    assert result.access is Access.MISSING_SCOPE
    assert result.required_scopes == ("crm.objects.products.read",)
    assert "crm.objects.products.read (or e-commerce)" in result.message
    assert "re-authorize" in result.message


async def test_probe_forbidden_legacy() -> None:
    body = {
        "status": "error",
        "message": f"This oauth-token ({ACCESS[:20]}) does not have proper permissions! "
        "(requires any of [e-commerce])",
    }
    client, _ = make(Recorder(js(403, body)))
    result = await client.probe(ACCESS, "line_items")
    assert result.access is Access.FORBIDDEN
    assert "paid Sales Hub seat" in result.message and "Line items" in result.message
    assert ACCESS[:20] not in result.message


async def test_probe_raises_authentication_error() -> None:
    body = {"status": "error", "message": "expired", "category": "EXPIRED_AUTHENTICATION"}
    client, _ = make(Recorder(js(401, body)))
    with pytest.raises(AuthenticationError):
        await client.probe(ACCESS, "products")


async def test_probe_other_errors_become_error_results() -> None:
    client, waits = make(Recorder(httpx.Response(503, text="<html>down</html>")))
    result = await client.probe(ACCESS, "products")
    assert result.access is Access.ERROR and "HTTP 503" in result.message
    assert len(waits) == 3


async def test_probe_rejects_odd_object_types() -> None:
    client, _ = make(Recorder(js(200, {"results": []})))
    with pytest.raises(ValueError):
        await client.probe(ACCESS, "../oauth")


# -- error mapping ----------------------------------------------------------------------------


def oauth_body(status: str, message: str, error: str | None = None) -> dict[str, str]:
    body = {"status": status, "message": message, "correlationId": CID}
    if error:
        body.update(error=error, error_description=message)
    return body


OAUTH_CASES = [
    (
        oauth_body("BAD_AUTH_CODE", f"missing or unknown auth code {CODE}"),
        AuthCodeError,
        "already used",
    ),
    (
        oauth_body("EXPIRED_AUTH_CODE", "auth code expired", "invalid_grant"),
        AuthCodeError,
        "expired",
    ),
    (oauth_body("MISMATCH_REDIRECT_URI_AUTH_CODE", "x"), RedirectMismatch, "differs"),
    (oauth_body("BAD_REDIRECT_URI", "x"), RedirectMismatch, "not registered"),
    (oauth_body("BAD_CLIENT_ID", "x", "invalid_client"), ClientCredentialsError, "Client ID"),
    (oauth_body("BAD_CLIENT_SECRET", "x"), ClientCredentialsError, "Client secret"),
    ({"error": "invalid_client", "error_description": "bad"}, ClientCredentialsError, "Client"),
    ({"error": "invalid_grant", "error_description": "code is bad"}, AuthCodeError, "code"),
    (oauth_body("BAD_GRANT_TYPE", "x"), OAuthError, "BAD_GRANT_TYPE"),
]


@pytest.mark.parametrize(("body", "cls", "words"), OAUTH_CASES)
async def test_exchange_errors(body: dict[str, str], cls: type[HubSpotError], words: str) -> None:
    rec = Recorder(js(400, body))
    client, waits = make(rec)
    with pytest.raises(cls) as caught:
        await exchange(client)
    error = caught.value
    assert words in error.message
    assert error.action and "\n" not in error.message
    assert error.http_status == 400
    assert error.correlation_id in ("", CID)
    assert_no_secret(str(error) + repr(error) + error.action)
    assert len(rec.requests) == 1 and waits == []


async def test_bad_redirect_uri_action_names_the_uri() -> None:
    client, _ = make(Recorder(js(400, oauth_body("BAD_REDIRECT_URI", "x"))))
    with pytest.raises(RedirectMismatch) as caught:
        await exchange(client)
    assert (
        caught.value.message == "HubSpot rejected the redirect URL: it is not registered on the app"
    )
    assert caught.value.action == (
        f"Add {REDIRECT} under the app's Auth → Redirect URLs, or change the callback port (F3)"
    )
    assert caught.value.code == "BAD_REDIRECT_URI"


@pytest.mark.parametrize(
    "body",
    [
        oauth_body(
            "BAD_REFRESH_TOKEN", "refresh token is invalid, expired or revoked", "invalid_grant"
        ),
        {
            "error": "invalid_grant",
            "error_description": "refresh token is invalid, expired or revoked",
        },
        {"error": "invalid_grant"},
    ],
)
async def test_refresh_revoked(body: dict[str, str]) -> None:
    rec = Recorder(js(400, body))
    client, waits = make(rec)
    with pytest.raises(RefreshTokenRevoked) as caught:
        await client.refresh(client_id=CLIENT_ID, client_secret=SECRET, refresh_token=REFRESH)
    assert "uninstalled" in caught.value.message
    assert_no_secret(str(caught.value))
    assert len(rec.requests) == 1 and waits == []


API_CASES: list[tuple[int, object, type[HubSpotError], str]] = [
    (
        401,
        {
            "status": "error",
            "message": "Authentication credentials not found. This API supports OAuth 2.0.",
            "correlationId": CID,
            "category": "INVALID_AUTHENTICATION",
        },
        AuthenticationError,
        "did not accept the access token",
    ),
    (
        401,
        {
            "status": "error",
            "message": "The OAuth token used to make this call expired 3 minute(s) ago.",
            "category": "EXPIRED_AUTHENTICATION",
        },
        AuthenticationError,
        "expired",
    ),
    (
        403,
        {
            "status": "error",
            "category": "MISSING_SCOPES",
            "errors": [{"context": {"requiredGranularScopes": ["oauth"]}}],
        },
        MissingScopes,
        "oauth",
    ),
    (
        403,
        {
            "status": "error",
            "message": "The scope needed for this API call isn't available for public use.",
        },
        Forbidden,
        "isn't available for public use",
    ),
    (
        404,
        {
            "status": "error",
            "message": "not here",
            "category": "OBJECT_NOT_FOUND",
            "correlationId": CID,
        },
        UnexpectedResponse,
        "OBJECT_NOT_FOUND",
    ),
    (
        400,
        {"status": "error", "message": "Invalid input", "category": "VALIDATION_ERROR"},
        UnexpectedResponse,
        "HTTP 400",
    ),
    (302, None, UnexpectedResponse, "redirected"),
]


@pytest.mark.parametrize(("status", "body", "cls", "words"), API_CASES)
async def test_api_errors(status: int, body: object, cls: type[HubSpotError], words: str) -> None:
    response = (
        js(status, body)
        if body is not None
        else httpx.Response(status, headers={"Location": "https://x/"})
    )
    rec = Recorder(response)
    client, _ = make(rec)
    with pytest.raises(cls) as caught:
        await client.account_details(ACCESS)
    assert words in caught.value.message
    assert caught.value.action
    assert caught.value.http_status == status
    assert_no_secret(str(caught.value))
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (httpx.Response(502, text="<html><body>Bad gateway</body></html>"), "HTTP 502"),
        (httpx.Response(200, text="<html>proxy login</html>"), "not JSON"),
        (httpx.Response(400, text="<html>cloudflare</html>"), "non-JSON"),
    ],
)
async def test_html_bodies(response: httpx.Response, words: str) -> None:
    client, _ = make(Recorder(response), max_retries=0)
    with pytest.raises((ServerError, UnexpectedResponse)) as caught:
        await client.account_details(ACCESS)
    assert words in caught.value.message


async def test_200_with_wrong_shape_is_unexpected() -> None:
    client, _ = make(Recorder(js(200, {"portalId": "nope"})))
    with pytest.raises(UnexpectedResponse):
        await client.account_details(ACCESS)


# -- retries ----------------------------------------------------------------------------------

TEN_SECONDLY = {
    "status": "error",
    "message": "You have reached your ten_secondly_rolling limit.",
    "errorType": "RATE_LIMIT",
    "correlationId": CID,
    "policyName": "TEN_SECONDLY_ROLLING",
}
DAILY = {**TEN_SECONDLY, "message": "You have reached your daily limit.", "policyName": "DAILY"}
ACCOUNT = {"portalId": 1, "accountType": "STANDARD"}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"X-HubSpot-RateLimit-Interval-Milliseconds": "3000"}, 3.0),
        ({}, 10.0),
        ({"Retry-After": "30"}, 30.0),  # as long as max_wait: still waited out
    ],
)
async def test_429_retried_after_the_right_wait(headers: dict[str, str], expected: float) -> None:
    rec = Recorder(js(429, TEN_SECONDLY, headers), js(200, ACCOUNT))
    client, waits = make(rec)
    assert (await client.account_details(ACCESS)).portal_id == 1
    assert waits == [expected]
    assert len(rec.requests) == 2


async def test_retry_after_beyond_max_wait_is_not_retried_early() -> None:
    rec = Recorder(js(429, TEN_SECONDLY, {"Retry-After": "120"}), js(200, ACCOUNT))
    client, waits = make(rec)
    with pytest.raises(RateLimited) as caught:
        await client.account_details(ACCESS)
    assert waits == [] and len(rec.requests) == 1
    assert caught.value.retry_after == 120.0 and "Wait 120 s" in caught.value.action


async def test_secondly_limit_waits_one_second() -> None:
    body = {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
    }
    client, waits = make(Recorder(js(429, body), js(200, ACCOUNT)))
    await client.account_details(ACCESS)
    assert waits == [1.0]


async def test_daily_limit_not_retried() -> None:
    rec = Recorder(js(429, DAILY))
    client, waits = make(rec)
    with pytest.raises(RateLimited) as caught:
        await client.account_details(ACCESS)
    assert caught.value.retryable is False and caught.value.policy == "DAILY"
    assert "daily" in caught.value.message
    assert waits == [] and len(rec.requests) == 1


async def test_5xx_then_success() -> None:
    rec = Recorder(httpx.Response(500), httpx.Response(502, text="<html>"), js(200, ACCOUNT))
    client, waits = make(rec)
    await client.account_details(ACCESS)
    assert waits == pytest.approx([0.2, 0.4])


async def test_retries_exhausted_raise_the_last_error() -> None:
    rec = Recorder(js(429, TEN_SECONDLY))
    client, waits = make(rec, max_retries=2)
    with pytest.raises(RateLimited):
        await client.refresh(client_id=CLIENT_ID, client_secret=SECRET, refresh_token=REFRESH)
    assert len(rec.requests) == 3 and waits == [10.0, 10.0]


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ReadError("connection reset"),
        httpx.ConnectError("[Errno 111] Connection refused"),
    ],
)
async def test_transport_failures_then_success(exc: Exception) -> None:
    rec = Recorder(exc, js(200, ACCOUNT))
    client, waits = make(rec)
    assert (await client.account_details(ACCESS)).portal_id == 1
    assert waits == [pytest.approx(0.2)]


async def test_exchange_not_retried_after_5xx() -> None:
    rec = Recorder(httpx.Response(503), js(200, TOKEN_OK))
    client, _ = make(rec)
    with pytest.raises(ServerError):
        await exchange(client)
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("t"), httpx.RemoteProtocolError("x"), httpx.WriteTimeout("t")]
)
async def test_exchange_not_retried_once_sent(exc: Exception) -> None:
    rec = Recorder(exc, js(200, TOKEN_OK))
    client, _ = make(rec)
    with pytest.raises(NetworkError):
        await exchange(client)
    assert len(rec.requests) == 1


async def test_exchange_retried_after_connect_failure() -> None:
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"), js(200, TOKEN_OK))
    client, _ = make(rec)
    assert (await exchange(client)).tokens.access_token == "new-at"
    assert len(rec.requests) == 2


async def test_exchange_not_retried_on_429() -> None:
    rec = Recorder(js(429, TEN_SECONDLY), js(200, TOKEN_OK))
    client, _ = make(rec)
    with pytest.raises(RateLimited):
        await exchange(client)
    assert len(rec.requests) == 1


# -- network errors ---------------------------------------------------------------------------


async def test_timeout_message() -> None:
    client, _ = make(Recorder(httpx.ReadTimeout("x")), max_retries=0)
    with pytest.raises(NetworkError) as caught:
        await client.account_details(ACCESS)
    assert caught.value.message == "Could not reach HubSpot at api.hubapi.com: timed out after 10 s"
    assert caught.value.action and caught.value.retryable


async def test_real_connection_refused_on_loopback() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    client = HubSpotClient(f"http://127.0.0.1:{port}", max_retries=1, sleep=sleep)
    with pytest.raises(NetworkError) as caught:
        await client.exchange_code(
            client_id=CLIENT_ID,
            client_secret=SECRET,
            code=CODE,
            redirect_uri=REDIRECT,
            code_verifier=None,
        )
    assert caught.value.message == "Could not reach HubSpot at 127.0.0.1: connection refused"
    assert_no_secret(str(caught.value))
    assert len(waits) == 1  # a connect failure never reached HubSpot: one retry was allowed
    await client.aclose()


# -- the shared httpx client ------------------------------------------------------------------


async def test_one_async_client_reused_and_closed() -> None:
    rec = Recorder(js(200, ACCOUNT))
    client, _ = make(rec)
    assert client._http is None  # lazily built: nothing costs at construction
    await client.account_details(ACCESS)
    first = client._http
    await client.account_details(ACCESS)
    assert client._http is first and first is not None
    assert first.follow_redirects is False
    await client.aclose()
    assert client._http is None and first.is_closed
    await client.aclose()  # idempotent


def test_repr_has_no_secrets() -> None:
    assert "api.hubapi.com" in repr(HubSpotClient())


async def test_messages_never_echo_request_data() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return js(
            400,
            {
                "status": "error",
                "message": request.content.decode(),
                "category": "VALIDATION_ERROR",
            },
        )

    client, _ = make(Recorder(echo))
    with pytest.raises(HubSpotError) as caught:
        await client.refresh(client_id=CLIENT_ID, client_secret=SECRET, refresh_token=REFRESH)
    assert_no_secret(str(caught.value) + repr(caught.value))
    body = json.dumps({"status": "BAD_AUTH_CODE", "message": f"code {CODE} secret {SECRET}"})
    client2, _ = make(Recorder(httpx.Response(400, content=body.encode())))
    with pytest.raises(AuthCodeError) as caught2:
        await exchange(client2)
    assert_no_secret(str(caught2.value))
