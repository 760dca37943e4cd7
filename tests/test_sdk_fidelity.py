"""HubSpot's own Python SDK (`hubspot-api-client`) against the sandbox, with its validation on.

The sandbox is also what partners point their code at, so it must answer what the official SDK
accepts: the SDK deserializes every answer into its generated models and, with
`client_side_validation`, refuses a model that lacks a required field. Each call here goes over
real HTTP to the sandbox on 127.0.0.1 (the SDK's `Configuration.host` is the sandbox's base URL);
nothing reaches HubSpot.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import pytest

# hubspot-api-client is in the `test` extra: imported plainly, so a missing install fails loudly.
from hubspot import HubSpot
from hubspot.crm.line_items import ApiException as LineItemsApiException
from hubspot.crm.products import ApiClient as ProductsApiClient
from hubspot.crm.products import ApiException as ProductsApiException
from hubspot.crm.products import Configuration as ProductsConfiguration
from hubspot.crm.products.models import Error
from hubspot.oauth import ApiException as OAuthApiException

from tui.sandbox import DEMO_APP, FaultKind, Sandbox
from tui.sandbox.browser import choose

MAIN = 44120003
PRODUCTS_SCOPES = "oauth crm.objects.products.read crm.objects.line_items.read"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0) as running:
        yield running


def sdk(sandbox: Sandbox, access_token: str | None = None) -> Any:
    """The SDK pointed at the sandbox, validating every model it builds."""
    client = HubSpot(host=sandbox.base_url, client_side_validation=True)
    if access_token is not None:
        client.access_token = access_token
    return client


def auth_code(sandbox: Sandbox, hub_id: int = MAIN, scope: str = PRODUCTS_SCOPES) -> str:
    """What the browser does: authorize on the sandbox's chooser, return the code."""
    query = urlencode(
        {"client_id": DEMO_APP.client_id, "scope": scope, "redirect_uri": sandbox.redirect_uris[0]},
        quote_via=quote,
    )

    async def pick() -> str:
        async with httpx.AsyncClient(timeout=10) as client:
            url = f"{sandbox.base_url}/oauth/authorize?{query}"
            return await choose(client, url, hub_id, deliver=False)

    location = asyncio.run(pick())
    return parse_qs(urlsplit(location).query)["code"][0]


def exchange(sandbox: Sandbox, hub_id: int = MAIN, scope: str = PRODUCTS_SCOPES) -> Any:
    return sdk(sandbox).oauth.tokens_api.create(
        grant_type="authorization_code",
        code=auth_code(sandbox, hub_id, scope),
        redirect_uri=sandbox.redirect_uris[0],
        client_id=DEMO_APP.client_id,
        client_secret=DEMO_APP.client_secret,
    )


def test_the_sdk_talks_only_to_the_sandbox(sandbox: Sandbox) -> None:
    client = sdk(sandbox)
    for api in (client.oauth.tokens_api, client.crm.products.basic_api):
        config = api.api_client.configuration
        assert config.host == sandbox.base_url and config.client_side_validation is True


def test_code_exchange_refresh_and_token_metadata(sandbox: Sandbox) -> None:
    tokens = exchange(sandbox)  # POST /oauth/v1/token, TokenResponseIF validated
    assert tokens.token_type == "bearer" and tokens.expires_in == sandbox.token_lifetime
    assert tokens.access_token and tokens.refresh_token

    refreshed = sdk(sandbox).oauth.tokens_api.create(
        grant_type="refresh_token",
        refresh_token=tokens.refresh_token,
        client_id=DEMO_APP.client_id,
        client_secret=DEMO_APP.client_secret,
    )
    assert refreshed.access_token != tokens.access_token
    assert refreshed.refresh_token == tokens.refresh_token

    # GET /oauth/v1/access-tokens/{token}: AccessTokenInfoResponse, every required field.
    info = sdk(sandbox).oauth.access_tokens_api.get(refreshed.access_token)
    assert info.hub_id == MAIN and info.app_id == DEMO_APP.app_id
    assert info.token == refreshed.access_token and info.token_type == "access"
    assert set(PRODUCTS_SCOPES.split()) <= set(info.scopes)
    assert 0 < info.expires_in <= sandbox.token_lifetime
    assert info.user and info.user_id and info.hub_domain

    refresh_info = sdk(sandbox).oauth.refresh_tokens_api.get(tokens.refresh_token)
    assert refresh_info.hub_id == MAIN and refresh_info.client_id == DEMO_APP.client_id


def test_oauth_refusals_are_sdk_api_exceptions(sandbox: Sandbox) -> None:
    with pytest.raises(OAuthApiException) as caught:
        sdk(sandbox).oauth.tokens_api.create(
            grant_type="refresh_token",
            refresh_token="na1-not-a-real-token",
            client_id=DEMO_APP.client_id,
            client_secret=DEMO_APP.client_secret,
        )
    assert caught.value.status == 400
    body = json.loads(caught.value.body)
    assert body["status"] == "BAD_REFRESH_TOKEN" and body["error"] == "invalid_grant"


@pytest.mark.parametrize("object_api", ["products", "line_items"])
def test_paging_with_several_properties(sandbox: Sandbox, object_api: str) -> None:
    tokens = exchange(sandbox)
    basic = getattr(sdk(sandbox, tokens.access_token).crm, object_api).basic_api
    wanted = (
        ["name", "price", "hs_sku", "hs_recurring_billing_period"]
        if object_api == "products"
        else ["name", "quantity", "amount", "discount"]
    )
    ids: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        # The SDK sends `properties` once per name (`properties=name&properties=price...`).
        page = basic.get_page(limit=100, after=after, properties=wanted)
        pages += 1
        for record in page.results:
            assert set(wanted) <= set(record.properties), record.properties
            assert record.created_at.tzinfo is not None and record.archived is False
            ids.append(record.id)
        if page.paging is None:
            break
        after = page.paging.next.after
    expected = 240 if object_api == "products" else 40
    assert len(ids) == len(set(ids)) == expected
    assert pages == (3 if object_api == "products" else 1)
    # get_all is the SDK's own pager (100 per page, following `paging.next.after`).
    everything = getattr(sdk(sandbox, tokens.access_token).crm, object_api).get_all(
        properties=wanted
    )
    assert [r.id for r in everything] == ids
    empty = "hs_recurring_billing_period" if object_api == "products" else "discount"
    assert any(r.properties[empty] is None for r in everything)  # asked for, no value: null


def sdk_error(exc: Exception) -> Error:
    """The SDK's own Error model for an ApiException body, with validation on."""
    config = ProductsConfiguration()
    config.client_side_validation = True
    client = ProductsApiClient(configuration=config)

    class _Response:
        data = exc.body  # type: ignore[attr-defined]

    error: Error = client.deserialize(_Response(), "Error")
    return error


def test_error_model_on_401(sandbox: Sandbox) -> None:
    with pytest.raises(ProductsApiException) as caught:
        sdk(sandbox, "C-not-a-token").crm.products.basic_api.get_page(limit=1)
    assert caught.value.status == 401
    error = sdk_error(caught.value)
    assert error.category == "INVALID_AUTHENTICATION" and error.correlation_id and error.message

    tokens = exchange(sandbox)
    sandbox.expire_access_tokens()
    with pytest.raises(LineItemsApiException) as expired:
        sdk(sandbox, tokens.access_token).crm.line_items.basic_api.get_page(limit=1)
    assert expired.value.status == 401
    assert sdk_error(expired.value).category == "EXPIRED_AUTHENTICATION"


def test_error_model_on_403(sandbox: Sandbox) -> None:
    tokens = exchange(sandbox, scope="oauth")
    with pytest.raises(ProductsApiException) as caught:
        sdk(sandbox, tokens.access_token).crm.products.basic_api.get_page(limit=1)
    assert caught.value.status == 403
    error = sdk_error(caught.value)
    assert error.category == "MISSING_SCOPES"
    assert error.errors[0].context["requiredGranularScopes"] == ["crm.objects.products.read"]
    assert error.links["scopes"].startswith("https://")

    # The no-seat refusal (an account without a paid seat) is a 403 the SDK raises the same way.
    sandbox.account(MAIN).sales_seat = False
    with pytest.raises(ProductsApiException) as seat:
        sdk(sandbox, exchange(sandbox).access_token).crm.products.basic_api.get_page(limit=1)
    assert seat.value.status == 403
    assert "requires any of" in json.loads(seat.value.body)["message"]


@pytest.mark.parametrize("policy", ["TEN_SECONDLY_ROLLING", "DAILY"])
def test_error_model_on_429(sandbox: Sandbox, policy: str) -> None:
    tokens = exchange(sandbox)
    sandbox.faults.add("/crm/v3/objects/products", FaultKind.RATE_LIMIT, policy=policy)
    with pytest.raises(ProductsApiException) as caught:
        sdk(sandbox, tokens.access_token).crm.products.basic_api.get_page(limit=1)
    assert caught.value.status == 429
    error = sdk_error(caught.value)
    assert error.category == "RATE_LIMITS" and error.correlation_id
    body = json.loads(caught.value.body)
    assert body["policyName"] == policy and body["errorType"] == "RATE_LIMIT"
    assert caught.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    # The limit passes: the SDK's next call succeeds.
    page = sdk(sandbox, tokens.access_token).crm.products.basic_api.get_page(limit=1)
    assert len(page.results) == 1
