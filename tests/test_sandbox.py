"""The embedded sandbox HubSpot, over real loopback HTTP.

Every test talks to a real `Sandbox` on port 0 through httpx, with a fake clock so codes and tokens
expire on demand. Nothing here sleeps except the DELAY fault test (a fraction of a second).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import ssl
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import pytest

from tui.sandbox import DEMO_APP, FaultKind, Sandbox
from tui.sandbox.accounts import default_accounts
from tui.sandbox.browser import SandboxPageError, choose, fetch_choices

REDIRECT = "http://localhost:8765/oauth-callback"
REQUIRED = "oauth crm.objects.contacts.read"
OPTIONAL = "crm.objects.products.read crm.objects.line_items.read e-commerce"
DEV, TEST, MAIN, EU, SBX = 44120001, 44120002, 44120003, 44120004, 44120005
FAKE_BROWSER = Path(__file__).with_name("fake_browser.py")


# One TLS context for every client: building one per client loads the CA bundle each time
# (~15 ms), which would dominate these loopback tests.
_SSL = ssl.create_default_context()


def new_client(base_url: str) -> httpx.Client:
    """A client for the sandbox: no proxies from the environment, a short timeout."""
    return httpx.Client(base_url=base_url, trust_env=False, timeout=5.0, verify=_SSL)


class FakeClock:
    """A settable clock: `sandbox.clock` for deterministic expiry."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with new_client(sandbox.base_url) as c:
        yield c


# ---------------------------------------------------------------------- helpers


def authorize_query(**params: str | None) -> str:
    base: dict[str, str | None] = {
        "client_id": DEMO_APP.client_id,
        "redirect_uri": REDIRECT,
        "scope": REQUIRED,
        "optional_scope": OPTIONAL,
        "state": "st-123",
    }
    base.update(params)
    return urlencode({k: v for k, v in base.items() if v is not None}, quote_via=quote)


def choose_form(hub_id: int, decision: str = "approve", **params: str | None) -> dict[str, str]:
    form = {k: v[0] for k, v in parse_qs(authorize_query(**params)).items()}
    return {**form, "hub_id": str(hub_id), "decision": decision}


def get_code(client: httpx.Client, hub_id: int = MAIN, **params: str | None) -> str:
    response = client.post("/oauth/authorize/choose", data=choose_form(hub_id, "approve", **params))
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["code"][0]


def exchange(client: httpx.Client, code: str, version: str = "v1", **fields: str) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "client_id": DEMO_APP.client_id,
        "client_secret": DEMO_APP.client_secret,
        "redirect_uri": REDIRECT,
        "code": code,
        **fields,
    }
    return client.post(f"/oauth/{version}/token", data={k: v for k, v in data.items() if v})


def refresh(client: httpx.Client, token: str, version: str = "v1") -> httpx.Response:
    return client.post(
        f"/oauth/{version}/token",
        data={
            "grant_type": "refresh_token",
            "client_id": DEMO_APP.client_id,
            "client_secret": DEMO_APP.client_secret,
            "refresh_token": token,
        },
    )


def login(client: httpx.Client, hub_id: int = MAIN, **params: str | None) -> dict[str, Any]:
    response = exchange(client, get_code(client, hub_id, **params), "v3")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_oauth_error(response: httpx.Response, status: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == status
    assert body["message"] and body["error_description"] == body["message"]
    assert body["error"] in {
        "invalid_grant",
        "invalid_client",
        "invalid_request",
        "unsupported_grant_type",
    }
    assert body["correlationId"] == response.headers["X-HubSpot-Correlation-Id"]


def assert_envelope(response: httpx.Response, status: int, category: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "error" and body["message"] and body["category"] == category
    assert body["correlationId"] == response.headers["X-HubSpot-Correlation-Id"]
    return body


# ---------------------------------------------------------------------- authorize


def test_authorize_page_lists_every_account_with_hubspot_labels(client: httpx.Client) -> None:
    response = client.get(f"/oauth/authorize?{authorize_query()}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Choose an Account" in page
    for name, hub in [("Acme Developer", DEV), ("Acme Test Portal", TEST), ("Acme Inc", MAIN)]:
        assert name in page and str(hub) in page
    assert ">Trial<" in page and ">Developer<" in page
    assert page.count('action="/oauth/authorize/choose"') == 5
    assert page.count('value="approve">Connect app</button>') == 5
    assert 'value="deny">Cancel</button>' in page
    assert f'name="client_id" value="{DEMO_APP.client_id}"' in page
    assert DEMO_APP.client_secret not in page


def test_pinned_authorize_offers_only_that_account(client: httpx.Client) -> None:
    page = client.get(f"/oauth/{EU}/authorize?{authorize_query()}").text
    assert "Acme Europe GmbH" in page and "Acme Inc<" not in page
    assert page.count("Connect app") == 1
    choices = client.get(
        f"/oauth/{EU}/authorize?{authorize_query()}", headers={"Accept": "application/json"}
    ).json()
    assert [a["hub_id"] for a in choices["accounts"]] == [EU]
    missing = client.get(f"/oauth/99999/authorize?{authorize_query()}")
    assert missing.status_code == 400 and "99999" in missing.text
    assert "location" not in missing.headers


def test_authorize_escapes_hostile_state_and_redirect(client: httpx.Client) -> None:
    hostile = '"><script>alert(1)</script>'
    page = client.get(f"/oauth/authorize?{authorize_query(state=hostile)}").text
    assert "<script>" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    bad = f"http://evil.example/cb?x={hostile}"
    response = client.get(f"/oauth/authorize?{authorize_query(redirect_uri=bad)}")
    assert response.status_code == 400 and "location" not in response.headers
    assert "<script>" not in response.text
    assert "Authorization failed as the redirect URL" in response.text
    assert "doesn&#x27;t match the app&#x27;s registered redirect URL" in response.text
    assert "&lt;script&gt;" in response.text


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"client_id": "00000000-0000-0000-0000-000000000000"}, "client ID"),
        ({"client_id": None}, "client_id"),
        ({"redirect_uri": "http://localhost:9999/other"}, "doesn&#x27;t match"),
        ({"redirect_uri": None}, "redirect_uri"),
        ({"scope": None}, "scope"),
        ({"scope": ""}, "scope"),
        ({"code_challenge": "abc", "code_challenge_method": "plain"}, "S256"),
    ],
)
def test_authorize_errors_show_a_page_and_never_redirect(
    client: httpx.Client, params: dict[str, str | None], fragment: str
) -> None:
    response = client.get(f"/oauth/authorize?{authorize_query(**params)}")
    assert response.status_code == 400 and "location" not in response.headers
    assert "Authorization failed" in response.text and fragment in response.text
    as_json = client.get(
        f"/oauth/authorize?{authorize_query(**params)}", headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 400
    assert set(as_json.json()) == {"error"}


def test_json_choices_describe_accounts_and_fields(client: httpx.Client) -> None:
    response = client.get(
        f"/oauth/authorize?{authorize_query(code_challenge='xyz', code_challenge_method='S256')}",
        headers={"Accept": "application/json"},
    )
    body = response.json()
    assert body["choose_url"] == "/oauth/authorize/choose"
    assert [a["hub_id"] for a in body["accounts"]] == [DEV, TEST, MAIN, EU, SBX]
    eu = body["accounts"][3]
    assert eu == {
        "hub_id": EU,
        "name": "Acme Europe GmbH",
        "account_type": "STANDARD",
        "hub_domain": "acme.eu",
        "region": "eu1",
    }
    assert body["fields"] == {
        "client_id": DEMO_APP.client_id,
        "redirect_uri": REDIRECT,
        "scope": REQUIRED,
        "optional_scope": OPTIONAL,
        "state": "st-123",
        "code_challenge": "xyz",
        "code_challenge_method": "S256",
    }


def test_deny_shows_not_connected_and_sends_nothing(client: httpx.Client) -> None:
    response = client.post("/oauth/authorize/choose", data=choose_form(MAIN, "deny"))
    assert response.status_code == 200 and "location" not in response.headers
    assert "not connected" in response.text and "Acme Inc" in response.text


def test_required_scope_the_account_lacks_blocks_the_install(client: httpx.Client) -> None:
    blocked = client.post("/oauth/authorize/choose", data=choose_form(EU, scope="oauth e-commerce"))
    assert blocked.status_code == 400 and "location" not in blocked.headers
    assert "the provided scopes are insufficient" in blocked.text and "e-commerce" in blocked.text
    # The developer account grants no write scopes (a pattern in unavailable_scopes).
    dev = client.post(
        "/oauth/authorize/choose",
        data=choose_form(DEV, scope="oauth crm.objects.contacts.write"),
        headers={"Accept": "application/json"},
    )
    assert dev.status_code == 400 and "insufficient" in dev.json()["error"]


def test_optional_scopes_the_account_lacks_are_dropped(client: httpx.Client) -> None:
    eu = login(client, EU)
    assert eu["scopes"] == [
        "oauth",
        "crm.objects.contacts.read",
        "crm.objects.products.read",
        "crm.objects.line_items.read",
    ]
    main = login(client, MAIN)
    assert "e-commerce" in main["scopes"]
    dev = login(client, DEV, optional_scope="crm.objects.quotes.read crm.objects.owners.read")
    assert dev["scopes"] == ["oauth", "crm.objects.contacts.read", "crm.objects.owners.read"]


def test_scope_lists_split_on_space_and_plus(client: httpx.Client) -> None:
    query = authorize_query(scope=None, optional_scope=None) + "&scope=oauth+crm.objects.deals.read"
    assert client.get(f"/oauth/authorize?{query}").status_code == 200
    body = login(client, MAIN, scope="oauth+crm.objects.deals.read", optional_scope=None)
    assert body["scopes"] == ["oauth", "crm.objects.deals.read"]


def test_redirect_carries_code_and_exact_state(client: httpx.Client, sandbox: Sandbox) -> None:
    state = "a b&c=d/é+%"
    response = client.post("/oauth/authorize/choose", data=choose_form(MAIN, state=state))
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?code=")
    assert " " not in location and "é" not in location
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state] and len(query["code"][0]) >= 30
    no_state = client.post("/oauth/authorize/choose", data=choose_form(MAIN, state=None))
    assert "state=" not in no_state.headers["location"]
    sandbox.register_redirect_uri("http://localhost:8765/cb?tenant=1")
    extra = client.post(
        "/oauth/authorize/choose",
        data=choose_form(MAIN, redirect_uri="http://localhost:8765/cb?tenant=1"),
    )
    assert extra.headers["location"].startswith("http://localhost:8765/cb?tenant=1&code=")


# ---------------------------------------------------------------------- token endpoint


@pytest.mark.parametrize("version", ["v1", "v3", "2026-03"])
def test_token_paths_issue_tokens(client: httpx.Client, version: str) -> None:
    response = exchange(client, get_code(client), version)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 1800
    assert len(body["access_token"]) >= 150 and body["refresh_token"].startswith("na1-")
    if version == "v1":
        assert "token_use" not in body and "hub_id" not in body
    else:
        assert body["token_use"] == "access_token" and body["hub_id"] == MAIN
        assert body["user_id"] and "crm.objects.products.read" in body["scopes"]
    assert response.headers["cache-control"] == "no-store"


def test_auth_code_is_single_use(client: httpx.Client) -> None:
    code = get_code(client)
    assert exchange(client, code).status_code == 200
    assert_oauth_error(exchange(client, code), "BAD_AUTH_CODE")


def test_mismatching_use_spends_the_code(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.register_redirect_uri("http://localhost:8765/other")
    code = get_code(client)
    mismatch = exchange(client, code, redirect_uri="http://localhost:8765/other")
    assert_oauth_error(mismatch, "MISMATCH_REDIRECT_URI_AUTH_CODE")
    assert_oauth_error(exchange(client, code), "BAD_AUTH_CODE")
    code = get_code(client)
    assert_oauth_error(exchange(client, code, redirect_uri="http://nope/"), "BAD_REDIRECT_URI")
    assert_oauth_error(exchange(client, code), "BAD_AUTH_CODE")


def test_auth_code_expires(client: httpx.Client, clock: FakeClock) -> None:
    code = get_code(client)
    clock.advance(299)
    assert exchange(client, code).status_code == 200
    code = get_code(client)
    clock.advance(300)
    assert_oauth_error(exchange(client, code), "EXPIRED_AUTH_CODE")


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"client_id": "00000000-0000-0000-0000-000000000000"}, "BAD_CLIENT_ID"),
        ({"client_id": ""}, "BAD_CLIENT_ID"),
        ({"client_secret": "wrong"}, "BAD_CLIENT_SECRET"),
        ({"client_secret": ""}, "BAD_CLIENT_SECRET"),
        ({"code": "na1-not-a-code"}, "BAD_AUTH_CODE"),
        ({"grant_type": "client_credentials"}, "BAD_GRANT_TYPE"),
        ({"grant_type": ""}, "BAD_GRANT_TYPE"),
        ({"redirect_uri": ""}, "BAD_REDIRECT_URI"),
    ],
)
def test_token_error_statuses(client: httpx.Client, fields: dict[str, str], status: str) -> None:
    data = {
        "grant_type": "authorization_code",
        "client_id": DEMO_APP.client_id,
        "client_secret": DEMO_APP.client_secret,
        "redirect_uri": REDIRECT,
        "code": get_code(client),
    }
    data.update(fields)
    assert_oauth_error(client.post("/oauth/v3/token", data=data), status)


def test_wrong_client_secret_does_not_spend_the_code(client: httpx.Client) -> None:
    code = get_code(client)
    assert_oauth_error(exchange(client, code, client_secret="nope"), "BAD_CLIENT_SECRET")
    assert exchange(client, code).status_code == 200


def test_token_endpoint_accepts_only_forms(client: httpx.Client) -> None:
    payload = {"grant_type": "authorization_code", "code": get_code(client)}
    response = client.post("/oauth/v1/token", json=payload)
    assert_oauth_error(response, "INVALID_REQUEST")
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("version", ["v3", "2026-03"])
def test_dated_token_paths_reject_secrets_in_the_query(client: httpx.Client, version: str) -> None:
    code = get_code(client)
    response = client.post(
        f"/oauth/{version}/token?client_secret={DEMO_APP.client_secret}",
        data={
            "grant_type": "authorization_code",
            "client_id": DEMO_APP.client_id,
            "redirect_uri": REDIRECT,
            "code": code,
        },
    )
    assert_oauth_error(response, "INVALID_REQUEST")


def test_v1_still_reads_legacy_query_secrets(client: httpx.Client) -> None:
    response = client.post(
        f"/oauth/v1/token?client_secret={DEMO_APP.client_secret}",
        data={
            "grant_type": "authorization_code",
            "client_id": DEMO_APP.client_id,
            "redirect_uri": REDIRECT,
            "code": get_code(client),
        },
    )
    assert response.status_code == 200


def test_pkce_verifier_must_match(client: httpx.Client) -> None:
    verifier = "v" * 50
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    code = get_code(client, code_challenge=challenge, code_challenge_method="S256")
    assert_oauth_error(exchange(client, code, code_verifier="w" * 50), "BAD_CODE_VERIFIER")
    assert_oauth_error(exchange(client, code, code_verifier=verifier), "BAD_AUTH_CODE")
    code = get_code(client, code_challenge=challenge, code_challenge_method="S256")
    assert_oauth_error(exchange(client, code), "BAD_CODE_VERIFIER")
    code = get_code(client, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, code, code_verifier=verifier).status_code == 200


def test_refresh_grant_keeps_the_refresh_token(client: httpx.Client) -> None:
    first = login(client)
    response = refresh(client, first["refresh_token"], "2026-03")
    body = response.json()
    assert response.status_code == 200 and body["token_use"] == "access_token"
    assert body["refresh_token"] == first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    for token in (first["access_token"], body["access_token"]):
        assert client.get("/account-info/v3/details", headers=bearer(token)).status_code == 200
    assert_oauth_error(refresh(client, "na1-unknown"), "BAD_REFRESH_TOKEN")


def test_concurrent_exchanges_of_one_code_succeed_once(sandbox: Sandbox) -> None:
    with new_client(sandbox.base_url) as c:
        code = get_code(c)
    results: list[int] = []

    def worker() -> None:
        with new_client(sandbox.base_url) as c:
            results.append(exchange(c, code).status_code)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 400, 400, 400, 400, 400]


# ---------------------------------------------------------------------- token metadata


def test_v1_token_metadata(client: httpx.Client, clock: FakeClock) -> None:
    tokens = login(client)
    clock.advance(100)
    info = client.get(f"/oauth/v1/access-tokens/{tokens['access_token']}").json()
    assert info["hub_id"] == MAIN and info["hub_domain"] == "acme.com"
    assert info["user"] == "partner@acme.com" and info["app_id"] == DEMO_APP.app_id
    assert info["expires_in"] == 1700 and info["token_type"] == "access"
    assert info["scopes"] == tokens["scopes"] and info["token"] == tokens["access_token"]
    refresh_info = client.get(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}").json()
    assert refresh_info["client_id"] == DEMO_APP.client_id and refresh_info["hub_id"] == MAIN
    assert refresh_info["token_type"] == "refresh"
    clock.advance(1800)
    expired = client.get(f"/oauth/v1/access-tokens/{tokens['access_token']}")
    assert expired.status_code == 400
    deleted = client.delete(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert_oauth_error(refresh(client, tokens["refresh_token"]), "BAD_REFRESH_TOKEN")


@pytest.mark.parametrize("version", ["v3", "2026-03"])
def test_introspect(client: httpx.Client, clock: FakeClock, version: str) -> None:
    tokens = login(client, EU)

    def introspect(token: str, **extra: str) -> httpx.Response:
        data = {
            "client_id": DEMO_APP.client_id,
            "client_secret": DEMO_APP.client_secret,
            "token": token,
            **extra,
        }
        return client.post(f"/oauth/{version}/token/introspect", data=data)

    access = introspect(tokens["access_token"], token_type_hint="access_token").json()
    assert access["active"] is True and access["token_use"] == "access_token"
    assert access["hub_id"] == EU and access["client_id"] == DEMO_APP.client_id
    for key in ("app_id", "expires_in", "is_private_distribution", "scopes", "signed_access_token"):
        assert key in access
    assert tokens["access_token"] not in json.dumps(access["signed_access_token"])
    refreshed = introspect(tokens["refresh_token"]).json()
    assert refreshed["active"] is True and refreshed["token_use"] == "refresh_token"
    assert introspect("nonsense").json() == {"active": False}
    clock.advance(1800)
    assert introspect(tokens["access_token"]).json() == {"active": False}
    assert_oauth_error(introspect("x", client_secret="bad"), "BAD_CLIENT_SECRET")


def test_revoke_refresh_token_kills_its_access_tokens(client: httpx.Client) -> None:
    tokens = login(client)
    response = client.post(
        "/oauth/2026-03/token/revoke",
        data={
            "client_id": DEMO_APP.client_id,
            "client_secret": DEMO_APP.client_secret,
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
        },
    )
    assert response.status_code == 200 and response.json() == {}
    assert_oauth_error(refresh(client, tokens["refresh_token"]), "BAD_REFRESH_TOKEN")
    api = client.get("/account-info/v3/details", headers=bearer(tokens["access_token"]))
    assert_envelope(api, 401, "INVALID_AUTHENTICATION")


def test_uninstall_revokes_every_token_of_the_account(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    main, eu = login(client, MAIN), login(client, EU)
    sandbox.revoke_account_tokens(MAIN)
    assert_oauth_error(refresh(client, main["refresh_token"]), "BAD_REFRESH_TOKEN")
    api = client.get("/account-info/v3/details", headers=bearer(main["access_token"]))
    assert_envelope(api, 401, "INVALID_AUTHENTICATION")
    assert refresh(client, eu["refresh_token"]).status_code == 200


# ---------------------------------------------------------------------- API


def test_missing_or_unknown_bearer_is_invalid_authentication(client: httpx.Client) -> None:
    for headers in ({}, bearer("nope"), {"Authorization": "Basic abc"}):
        response = client.get("/crm/v3/objects/products", headers=headers)
        body = assert_envelope(response, 401, "INVALID_AUTHENTICATION")
        assert "Authentication credentials not found" in body["message"]
        assert response.headers["X-HubSpot-RateLimit-Max"] == "100"


def test_expired_tokens_get_expired_authentication(
    client: httpx.Client, sandbox: Sandbox, clock: FakeClock
) -> None:
    tokens = login(client)
    clock.advance(1800 + 150)
    response = client.get("/account-info/v3/details", headers=bearer(tokens["access_token"]))
    body = assert_envelope(response, 401, "EXPIRED_AUTHENTICATION")
    assert body["message"] == "The OAuth token used to make this call expired 2 minute(s) ago."
    fresh = refresh(client, tokens["refresh_token"]).json()["access_token"]
    assert client.get("/account-info/v3/details", headers=bearer(fresh)).status_code == 200
    sandbox.expire_access_tokens()
    response = client.get("/account-info/v3/details", headers=bearer(fresh))
    assert (
        "expired 0 minute(s) ago"
        in assert_envelope(response, 401, "EXPIRED_AUTHENTICATION")["message"]
    )


@pytest.mark.parametrize(
    ("hub_id", "account_type", "ui_domain", "hosting", "zone", "currency", "name"),
    [
        (DEV, "APP_DEVELOPER", "app.hubspot.com", "na1", "US/Eastern", "USD", "Acme Developer"),
        (TEST, "DEVELOPER_TEST", "app.hubspot.com", "na1", "US/Eastern", "USD", "Acme Test Portal"),
        (MAIN, "STANDARD", "app.hubspot.com", "na1", "US/Eastern", "USD", "Acme Inc"),
        (EU, "STANDARD", "app-eu1.hubspot.com", "eu1", "Europe/Berlin", "EUR", "Acme Europe GmbH"),
        (SBX, "SANDBOX", "app.hubspot.com", "na1", "US/Eastern", "USD", "Acme Sandbox"),
    ],
)
def test_account_details_per_account(
    client: httpx.Client,
    hub_id: int,
    account_type: str,
    ui_domain: str,
    hosting: str,
    zone: str,
    currency: str,
    name: str,
) -> None:
    token = login(client, hub_id, optional_scope=None)["access_token"]
    for version in ("v3", "2026-03"):
        response = client.get(f"/account-info/{version}/details", headers=bearer(token))
        body = response.json()
        assert response.status_code == 200
        assert body["portalId"] == hub_id and body["accountType"] == account_type
        assert body["uiDomain"] == ui_domain and body["dataHostingLocation"] == hosting
        assert body["timeZone"] == zone and body["companyCurrency"] == currency
        assert body["portalName"] == name and body["additionalCurrencies"] == []
        offset = body["utcOffset"]
        assert len(offset) == 6 and offset[0] in "+-" and offset[3] == ":"
        assert isinstance(body["utcOffsetMilliseconds"], int)


def test_products_page_through_with_the_after_cursor(client: httpx.Client) -> None:
    token = login(client)["access_token"]
    seen: list[str] = []
    url: str | None = "/crm/v3/objects/products"
    pages = 0
    while url:
        body = client.get(url, headers=bearer(token)).json()
        pages += 1
        assert "total" not in body
        for item in body["results"]:
            assert isinstance(item["id"], str) and item["archived"] is False
            assert {"name", "description", "price", "hs_sku"} <= set(item["properties"])
            assert all(isinstance(v, str) for v in item["properties"].values())
            assert item["createdAt"].endswith("Z") and item["updatedAt"].endswith("Z")
            seen.append(item["id"])
        nxt = body.get("paging", {}).get("next")
        url = f"/crm/v3/objects/products?after={nxt['after']}" if nxt else None
        if nxt:
            assert nxt["link"].endswith(f"after={nxt['after']}")
    # The main account holds more than one 100-record page: 24 default pages of 10.
    assert pages == 24 and len(seen) == len(set(seen)) == 240


def test_products_past_the_100_cap_need_paging(client: httpx.Client) -> None:
    token = login(client)["access_token"]
    sizes: list[int] = []
    seen: list[str] = []
    after = ""
    while True:
        query = f"limit=500&properties=name&after={after}" if after else "limit=500"
        body = client.get(f"/crm/v3/objects/products?{query}", headers=bearer(token)).json()
        sizes.append(len(body["results"]))
        seen += [item["id"] for item in body["results"]]
        nxt = body.get("paging", {}).get("next")
        if not nxt:
            break
        after = nxt["after"]
        assert nxt["link"].endswith(f"limit=100&after={after}")
    assert sizes == [100, 100, 40] and len(set(seen)) == 240


def test_properties_repeated_or_comma_separated_are_all_honoured(client: httpx.Client) -> None:
    token = login(client)["access_token"]
    always = {"hs_object_id", "createdate", "hs_lastmodifieddate"}
    asked = {"name", "price", "hs_sku", "hs_recurring_billing_period", "hs_cost_of_goods_sold"}
    queries = (
        "properties=name&properties=price&properties=hs_sku"
        "&properties=hs_recurring_billing_period&properties=hs_cost_of_goods_sold",
        "properties=name,price,hs_sku,hs_recurring_billing_period,hs_cost_of_goods_sold",
        "properties=name,%20price&properties=hs_sku,hs_recurring_billing_period"
        "&properties=hs_cost_of_goods_sold,,",
    )
    for query in queries:
        body = client.get(f"/crm/v3/objects/products?limit=3&{query}", headers=bearer(token))
        for item in body.json()["results"]:
            assert set(item["properties"]) == asked | always, query
            # Asked for and empty: null, as HubSpot answers (never left out, never "").
            assert item["properties"]["hs_cost_of_goods_sold"] is None
        periods = [i["properties"]["hs_recurring_billing_period"] for i in body.json()["results"]]
        assert periods == [None, "P12M", None]
    # A name the object type does not have is ignored, as HubSpot does.
    odd = client.get(
        "/crm/v3/objects/line_items?limit=1&properties=quantity,no_such_property&properties=discount",
        headers=bearer(token),
    ).json()["results"][0]["properties"]
    assert set(odd) == {"quantity", "discount"} | always and odd["discount"] is None


def test_limit_defaults_to_10_and_caps_at_100(client: httpx.Client) -> None:
    token = login(client)["access_token"]
    first = client.get("/crm/v3/objects/line_items?limit=1", headers=bearer(token)).json()
    assert len(first["results"]) == 1 and first["paging"]["next"]["after"] == "1"
    item = first["results"][0]["properties"]
    assert {"name", "quantity", "price", "hs_product_id"} <= set(item)
    big = client.get("/crm/v3/objects/line_items?limit=500", headers=bearer(token)).json()
    assert len(big["results"]) == 40 and "paging" not in big
    last = client.get("/crm/v3/objects/line_items?after=35", headers=bearer(token)).json()
    assert len(last["results"]) == 5 and "paging" not in last
    bad = client.get("/crm/v3/objects/line_items?limit=abc", headers=bearer(token))
    assert_envelope(bad, 400, "VALIDATION_ERROR")
    props = client.get(
        "/crm/v3/objects/products?limit=2&properties=name", headers=bearer(token)
    ).json()
    assert set(props["results"][0]["properties"]) == {
        "name",
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
    }
    dev = login(client, TEST)["access_token"]
    few = client.get("/crm/v3/objects/products", headers=bearer(dev)).json()
    assert len(few["results"]) == 3 and "paging" not in few


def test_missing_scope_is_a_missing_scopes_403(client: httpx.Client) -> None:
    token = login(client, optional_scope=None)["access_token"]
    response = client.get("/crm/v3/objects/products", headers=bearer(token))
    body = assert_envelope(response, 403, "MISSING_SCOPES")
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.products.read"]
    legacy_scope = login(client, optional_scope="e-commerce")["access_token"]
    for kind in ("products", "line_items"):
        ok = client.get(f"/crm/v3/objects/{kind}", headers=bearer(legacy_scope))
        assert ok.status_code == 200


@pytest.mark.parametrize("shape", ["missing_scopes", "legacy"])
def test_no_sales_seat_answers_either_403_shape(
    client: httpx.Client, sandbox: Sandbox, shape: str
) -> None:
    # HubSpot's seat gate says MISSING_SCOPES although the grant holds the scope; the older
    # shape has no category at all. The account answers whichever it is set to.
    sandbox.account(EU).no_seat_shape = shape
    token = login(client, EU)["access_token"]
    for kind, group in (("products", "products-access"), ("line_items", "line-items-access")):
        response = client.get(f"/crm/v3/objects/{kind}", headers=bearer(token))
        assert response.status_code == 403
        body = response.json()
        assert body["status"] == "error"
        assert body.get("category") == ("MISSING_SCOPES" if shape == "missing_scopes" else None)
        assert "errors" not in body  # no requiredGranularScopes: it is not about a scope
        assert body["message"].startswith(f"This oauth-token ({token[:6]}...)")
        assert body["message"].endswith(
            f"does not have proper permissions! (requires any of [{group}])"
        )
        assert token[:7] not in body["message"]
        assert body["correlationId"] == response.headers["X-HubSpot-Correlation-Id"]
    sandbox.account(EU).sales_seat = True
    assert client.get("/crm/v3/objects/products", headers=bearer(token)).status_code == 200


def test_no_seat_shape_defaults_to_missing_scopes() -> None:
    assert all(a.no_seat_shape == "missing_scopes" for a in default_accounts())


def test_rate_limit_headers_on_every_api_response(client: httpx.Client) -> None:
    token = login(client)["access_token"]
    remaining = []
    for path in ("/account-info/v3/details", "/crm/v3/objects/products", "/crm/v3/objects/x"):
        response = client.get(path, headers=bearer(token))
        if response.status_code == 404:
            continue
        assert response.headers["X-HubSpot-RateLimit-Max"] == "100"
        assert response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert not any("daily" in h.lower() for h in response.headers)
        remaining.append(int(response.headers["X-HubSpot-RateLimit-Remaining"]))
    assert remaining == [99, 98]


def test_rolling_rate_limiter_per_app_and_account(clock: FakeClock) -> None:
    with (
        Sandbox(clock=clock, rate_limit=(3, 10.0)) as sb,
        new_client(sb.base_url) as c,
    ):
        main, eu = login(c)["access_token"], login(c, EU)["access_token"]
        statuses = [c.get("/account-info/v3/details", headers=bearer(main)) for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        limited = statuses[-1]
        assert limited.json() == {
            "status": "error",
            "message": "You have reached your ten_secondly_rolling limit.",
            "errorType": "RATE_LIMIT",
            "correlationId": limited.headers["X-HubSpot-Correlation-Id"],
            "policyName": "TEN_SECONDLY_ROLLING",
            "category": "RATE_LIMITS",
        }
        assert limited.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        assert "Retry-After" not in limited.headers
        assert c.get("/account-info/v3/details", headers=bearer(eu)).status_code == 200
        clock.advance(9.9)
        assert c.get("/account-info/v3/details", headers=bearer(main)).status_code == 429
        clock.advance(0.2)
        assert c.get("/account-info/v3/details", headers=bearer(main)).status_code == 200


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    assert_envelope(client.get("/crm/v3/objects/widgets"), 404, "OBJECT_NOT_FOUND")
    assert_envelope(client.get("/nope"), 404, "OBJECT_NOT_FOUND")
    wrong = client.get("/oauth/v1/token")
    assert_envelope(wrong, 405, "VALIDATION_ERROR")
    assert wrong.headers["Allow"] == "POST"
    assert client.post("/oauth/authorize").status_code == 405


# ---------------------------------------------------------------------- faults


def test_status_fault_answers_an_envelope_then_recovers(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    token = login(client)["access_token"]
    fault = sandbox.faults.add("/crm/v3/objects", FaultKind.STATUS, times=2, status=502)
    for _ in range(2):
        response = client.get("/crm/v3/objects/products", headers=bearer(token))
        assert_envelope(response, 502, "INTERNAL_ERROR")
    assert client.get("/crm/v3/objects/products", headers=bearer(token)).status_code == 200
    assert fault.hits == 2 and sandbox.faults.pending == []
    # Prefixes match paths only: other endpoints were never affected.
    sandbox.faults.add("/crm/v3/objects/line_items", FaultKind.STATUS, times=-1)
    for _ in range(3):
        assert client.get("/crm/v3/objects/line_items", headers=bearer(token)).status_code == 503
    assert client.get("/crm/v3/objects/products", headers=bearer(token)).status_code == 200
    sandbox.faults.clear()
    assert client.get("/crm/v3/objects/line_items", headers=bearer(token)).status_code == 200


def test_rate_limit_fault_with_and_without_retry_after(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    sandbox.faults.add("/account-info", FaultKind.RATE_LIMIT)
    sandbox.faults.add("/account-info", FaultKind.RATE_LIMIT, retry_after=2, policy="DAILY")
    plain = client.get("/account-info/v3/details")
    assert plain.status_code == 429 and "Retry-After" not in plain.headers
    assert plain.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert plain.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    daily = client.get("/account-info/v3/details")
    assert daily.status_code == 429 and daily.headers["Retry-After"] == "2"
    assert daily.json()["message"] == "You have reached your daily limit."
    assert daily.json()["policyName"] == "DAILY"
    assert daily.json()["correlationId"] == daily.headers["X-HubSpot-Correlation-Id"]


def test_delay_fault_waits_then_answers(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("/nope", FaultKind.DELAY, delay=0.2)
    started = time.perf_counter()
    assert client.get("/nope").status_code == 404
    assert time.perf_counter() - started >= 0.2


def test_drop_truncate_html_and_bad_json_faults(client: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("/x", FaultKind.DROP)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/x")
    sandbox.faults.add("/x", FaultKind.TRUNCATE)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/x")
    sandbox.faults.add("/x", FaultKind.HTML)
    html = client.get("/x")
    assert html.status_code == 502 and html.headers["content-type"].startswith("text/html")
    assert "Bad Gateway" in html.text
    sandbox.faults.add("/x", FaultKind.BAD_JSON)
    garbage = client.get("/x")
    assert garbage.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        garbage.json()
    assert client.get("/x").status_code == 404
    assert [e.status for e in sandbox.request_log[-5:]] == [0, 404, 502, 200, 404]


def test_fault_arguments_are_validated(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError):
        sandbox.faults.add("/", FaultKind.STATUS, times=0)
    with pytest.raises(ValueError):
        sandbox.faults.add("/", FaultKind.STATUS, status=200)


# ---------------------------------------------------------------------- state file and secrets


def test_state_file_round_trip(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "demo" / "sandbox-state.json"
    with Sandbox(clock=clock, state_file=path) as sb, new_client(sb.base_url) as c:
        main, eu = login(c), login(c, EU)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left behind
    with Sandbox(clock=clock, state_file=path) as sb, new_client(sb.base_url) as c:
        assert (
            c.get("/account-info/v3/details", headers=bearer(main["access_token"])).status_code
            == 200
        )
        assert refresh(c, main["refresh_token"]).status_code == 200
        revoked = c.post(
            "/oauth/v3/token/revoke",
            data={
                "client_id": DEMO_APP.client_id,
                "client_secret": DEMO_APP.client_secret,
                "token": eu["refresh_token"],
            },
        )
        assert revoked.status_code == 200
    with Sandbox(clock=clock, state_file=path) as sb, new_client(sb.base_url) as c:
        assert_oauth_error(refresh(c, eu["refresh_token"]), "BAD_REFRESH_TOKEN")
        assert refresh(c, main["refresh_token"]).status_code == 200
    path.write_text("{not json")
    with Sandbox(clock=clock, state_file=path) as sb, new_client(sb.base_url) as c:
        assert_oauth_error(refresh(c, main["refresh_token"]), "BAD_REFRESH_TOKEN")


def test_no_secret_or_token_in_the_log_or_pages(client: httpx.Client, sandbox: Sandbox) -> None:
    pages = [
        client.get(f"/oauth/authorize?{authorize_query()}").text,
        client.get(f"/oauth/{MAIN}/authorize?{authorize_query()}").text,
        client.post("/oauth/authorize/choose", data=choose_form(MAIN, "deny")).text,
        client.post("/oauth/authorize/choose", data=choose_form(EU, scope="e-commerce")).text,
    ]
    code = get_code(client)
    tokens = exchange(client, code, "v3").json()
    client.get(f"/oauth/v1/access-tokens/{tokens['access_token']}")
    client.get(f"/oauth/v1/refresh-tokens/{tokens['refresh_token']}")
    client.post(
        f"/oauth/v1/token?client_secret={DEMO_APP.client_secret}&refresh_token={tokens['refresh_token']}",
        data={"grant_type": "refresh_token", "client_id": DEMO_APP.client_id},
    )
    client.get("/crm/v3/objects/products", headers=bearer(tokens["access_token"]))
    secrets = [DEMO_APP.client_secret, code, tokens["access_token"], tokens["refresh_token"]]
    logged = repr(sandbox.request_log)
    for secret in secrets:
        assert secret not in logged
        assert all(secret not in page for page in pages)
    assert "/oauth/v1/access-tokens/<redacted>" in logged
    assert "oauth/authorize" in logged


def test_demo_app_credentials_are_derived_uuids() -> None:
    package = Path(__file__).resolve().parent.parent / "tui" / "sandbox"
    source = "".join(p.read_text() for p in package.glob("*.py"))
    assert len(DEMO_APP.client_id) == 36 and len(DEMO_APP.client_secret) == 36
    assert DEMO_APP.client_id != DEMO_APP.client_secret
    assert DEMO_APP.client_secret not in source and DEMO_APP.client_id not in source


def test_keep_alive_requests_are_fast_and_stop_closes(sandbox: Sandbox) -> None:
    with new_client(sandbox.base_url) as c:
        c.get("/nope")
        started = time.perf_counter()
        for _ in range(50):
            c.get("/nope")
        # Without TCP_NODELAY each keep-alive request would stall ~40 ms (2 s for 50).
        assert time.perf_counter() - started < 1.0
        sandbox.stop()
        assert not sandbox.running
        with pytest.raises(httpx.TransportError):
            c.get("/nope")


# ---------------------------------------------------------------------- browser helpers


class _Listener:
    """A stand-in for the app's loopback callback listener: records the paths it receives."""

    def __init__(self) -> None:
        seen: list[str] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oauth-callback"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener(sandbox: Sandbox) -> Iterator[_Listener]:
    found = _Listener()
    sandbox.register_redirect_uri(found.url)
    yield found
    found.close()


async def test_browser_helpers_choose_and_deliver(sandbox: Sandbox, listener: _Listener) -> None:
    url = f"{sandbox.base_url}/oauth/authorize?{authorize_query(redirect_uri=listener.url)}"
    async with httpx.AsyncClient(trust_env=False, verify=_SSL) as client:
        choices = await fetch_choices(client, url)
        assert [a.hub_id for a in choices.accounts] == [DEV, TEST, MAIN, EU, SBX]
        assert choices.choose_url == f"{sandbox.base_url}/oauth/authorize/choose"
        delivered = await choose(client, url, MAIN)
        assert delivered.startswith(listener.url + "?code=") and "state=st-123" in delivered
        assert listener.seen == [delivered.removeprefix(listener.url.split("/oauth")[0])]
        assert await choose(client, url, MAIN, approve=False) == ""
        pasted = await choose(client, url, TEST, deliver=False)
        assert "code=" in pasted and len(listener.seen) == 1
        with pytest.raises(SandboxPageError, match="not offered"):
            await choose(
                client, f"{sandbox.base_url}/oauth/{EU}/authorize?{authorize_query()}", MAIN
            )
        blocked = authorize_query(redirect_uri=listener.url, scope="oauth e-commerce")
        with pytest.raises(SandboxPageError, match="insufficient"):
            await choose(client, f"{sandbox.base_url}/oauth/authorize?{blocked}", EU)
        with pytest.raises(SandboxPageError, match="redirect URL"):
            await fetch_choices(
                client,
                f"{sandbox.base_url}/oauth/authorize?{authorize_query(redirect_uri='http://x/')}",
            )


def _run_fake_browser(url: str, pick: str, log: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FAKE_BROWSER_PICK": pick, "FAKE_BROWSER_LOG": str(log)}
    return subprocess.run(
        [sys.executable, str(FAKE_BROWSER), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )


def test_fake_browser_script(sandbox: Sandbox, listener: _Listener, tmp_path: Path) -> None:
    assert os.access(FAKE_BROWSER, os.X_OK)
    log = tmp_path / "delivered.txt"
    url = f"{sandbox.base_url}/oauth/authorize?{authorize_query(redirect_uri=listener.url)}"

    async def run_both() -> list[subprocess.CompletedProcess[str]]:
        # Two processes at once: each pays the interpreter start-up, so overlap them.
        return list(
            await asyncio.gather(
                asyncio.to_thread(_run_fake_browser, url, "eu", log),
                asyncio.to_thread(_run_fake_browser, url, "deny", log),
            )
        )

    eu, deny = asyncio.run(run_both())
    assert eu.returncode == 0, eu.stderr
    assert deny.returncode == 0 and "denied" in deny.stderr
    lines = log.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith(listener.url + "?code=")
    assert len(listener.seen) == 1
    code = parse_qs(urlsplit(lines[0]).query)["code"][0]
    with new_client(sandbox.base_url) as c:
        tokens = exchange(c, code, "v3", redirect_uri=listener.url).json()
    assert tokens["hub_id"] == EU
    missing = _run_fake_browser(url, "12345", log)
    assert missing.returncode == 1 and "no account matches" in missing.stderr
