"""Parsers: typed results for good answers, only UnexpectedResponse for anything else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.hubspot import parse
from tui.hubspot.errors import (
    AuthenticationError,
    Forbidden,
    HubSpotError,
    MissingScopes,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.hubspot.models import AccountType, RateLimit

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _objects(*keys: str) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts whose keys are the ones a parser looks at, with values of any JSON type."""
    return st.fixed_dictionaries({}, optional={k: json_values for k in keys})


token_like = _objects(
    "access_token", "refresh_token", "expires_in", "token_type", "hub_id", "user_id", "scopes"
)
info_like = _objects(
    "active", "hub_id", "hub_domain", "user", "user_id", "app_id", "scopes", "expires_in"
)
account_like = _objects("portalId", "accountType", "timeZone", "uiDomain", "dataHostingLocation")
collection_like = _objects("results", "paging")


@FUZZ
@given(json_values | token_like)
def test_token_response_fuzz(data: object) -> None:
    try:
        grant = parse.parse_token_response(data, now=1000.0, old_refresh_token="")
    except UnexpectedResponse:
        return
    assert grant.tokens.access_token
    assert 1000.0 < grant.tokens.expires_at <= 1000.0 + parse.MAX_EXPIRES_IN


@FUZZ
@given(json_values | info_like)
def test_token_info_fuzz(data: object) -> None:
    try:
        info = parse.parse_token_info(data)
    except UnexpectedResponse:
        return
    assert isinstance(info.active, bool)


@FUZZ
@given(json_values | account_like)
def test_account_details_fuzz(data: object) -> None:
    try:
        details = parse.parse_account_details(data)
    except UnexpectedResponse:
        return
    assert details.portal_id > 0
    assert isinstance(details.account_type, AccountType)


@FUZZ
@given(json_values | collection_like)
def test_collection_fuzz(data: object) -> None:
    try:
        count, has_more = parse.parse_collection(data)
    except UnexpectedResponse:
        return
    assert count >= 0
    assert isinstance(has_more, bool)


@FUZZ
@given(st.dictionaries(st.text(max_size=50), st.text(max_size=50), max_size=6))
def test_rate_limit_fuzz(headers: dict[str, str]) -> None:
    assert isinstance(parse.parse_rate_limit(headers), RateLimit)


error_bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | _objects(
        "status",
        "message",
        "category",
        "errors",
        "context",
        "error",
        "error_description",
        "policyName",
    ).map(lambda v: json.dumps(v).encode())
)


@FUZZ
@given(
    st.integers(min_value=-5, max_value=1000),
    st.dictionaries(
        st.sampled_from(["Retry-After", "X-HubSpot-RateLimit-Interval-Milliseconds", "x-other"])
        | st.text(max_size=10),
        st.text(max_size=40),
        max_size=4,
    ),
    error_bodies,
)
def test_error_from_response_never_raises(
    status: int, headers: dict[str, str], body: bytes
) -> None:
    error = parse.error_from_response(status, headers, body, context="token refresh")
    assert isinstance(error, HubSpotError)
    assert error.message and "\n" not in error.message
    assert isinstance(error.action, str)


def test_deeply_nested_body_is_not_a_crash() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    assert isinstance(parse.error_from_response(400, {}, body, context="x"), ServerError)


# -- token answers ----------------------------------------------------------------------------


def test_v1_minimal_token_answer() -> None:
    data = {"token_type": "bearer", "refresh_token": "r1", "access_token": "a1", "expires_in": 1800}
    grant = parse.parse_token_response(data, now=100.0)
    assert grant.tokens.access_token == "a1"
    assert grant.tokens.refresh_token == "r1"
    assert grant.tokens.expires_at == 1900.0
    assert grant.tokens.obtained_at == 100.0
    assert grant.hub_id is None and grant.scopes == ()


def test_v3_token_answer_with_account_facts() -> None:
    data = {
        "access_token": "a",
        "refresh_token": "r",
        "expires_in": 1800,
        "token_type": "bearer",
        "token_use": "access_token",
        "hub_id": 123,
        "user_id": "456",
        "scopes": ["oauth", "crm.objects.contacts.read", 7, "oauth"],
    }
    grant = parse.parse_token_response(data, now=0.0)
    assert grant.hub_id == 123 and grant.user_id == 456
    assert grant.scopes == ("oauth", "crm.objects.contacts.read")


def test_old_refresh_token_kept_when_missing() -> None:
    grant = parse.parse_token_response(
        {"access_token": "a", "expires_in": 60}, now=0.0, old_refresh_token="old"
    )
    assert grant.tokens.refresh_token == "old"


def test_no_refresh_token_at_all_is_unexpected() -> None:
    with pytest.raises(UnexpectedResponse):
        parse.parse_token_response({"access_token": "a", "expires_in": 60}, now=0.0)


@pytest.mark.parametrize("value", [0, -5, True, None, "soon", float("inf"), [1800]])
def test_bad_expires_in(value: object) -> None:
    with pytest.raises(UnexpectedResponse):
        parse.parse_token_response(
            {"access_token": "a", "refresh_token": "r", "expires_in": value}, now=0.0
        )


def test_silly_expires_in_is_clamped() -> None:
    data = {"access_token": "a", "refresh_token": "r", "expires_in": 10**30}
    assert parse.parse_token_response(data, now=0.0).tokens.expires_at == parse.MAX_EXPIRES_IN


def test_token_never_in_unexpected_message() -> None:
    with pytest.raises(UnexpectedResponse) as caught:
        parse.parse_token_response({"access_token": "SECRET-AT", "expires_in": "x"}, now=0.0)
    assert "SECRET-AT" not in str(caught.value)


# -- token info, account, collection ----------------------------------------------------------


def test_token_info_v3_and_v1_shapes() -> None:
    v3 = parse.parse_token_info(
        {"active": True, "hub_id": 7, "user": "a@b.c", "scopes": ["oauth"], "token": "SECRET"}
    )
    assert v3.active and v3.hub_id == 7 and v3.user == "a@b.c"
    assert "SECRET" not in repr(v3)
    v1 = parse.parse_token_info(
        {"hub_id": 8, "hub_domain": "x.com", "app_id": 9, "expires_in": 100, "token_type": "access"}
    )
    assert v1.active and v1.hub_domain == "x.com" and v1.app_id == 9 and v1.expires_in == 100
    assert parse.parse_token_info({"active": False}).active is False
    with pytest.raises(UnexpectedResponse):
        parse.parse_token_info({"active": "yes"})
    with pytest.raises(UnexpectedResponse):
        parse.parse_token_info({"hub_domain": "x"})


def test_account_details() -> None:
    details = parse.parse_account_details(
        {
            "portalId": 42,
            "accountType": "developer_test",
            "timeZone": "Europe/Berlin",
            "uiDomain": "app-eu1.hubspot.com",
            "dataHostingLocation": "eu1",
            "portalName": "Acme",
        }
    )
    assert details.portal_id == 42
    assert details.account_type is AccountType.DEVELOPER_TEST
    assert details.data_hosting_location == "eu1" and details.portal_name == "Acme"
    assert parse.parse_account_details({"portalId": 1, "accountType": "NEW"}).account_type is (
        AccountType.UNKNOWN
    )


def test_collection() -> None:
    assert parse.parse_collection({"results": []}) == (0, False)
    page = {"results": [{"id": "1"}], "paging": {"next": {"after": "2", "link": "x"}}}
    assert parse.parse_collection(page) == (1, True)


def test_rate_limit_headers_any_case() -> None:
    limits = parse.parse_rate_limit(
        {
            "x-hubspot-ratelimit-max": "100",
            "X-HubSpot-RateLimit-Remaining": " 99 ",
            "X-HUBSPOT-RATELIMIT-INTERVAL-MILLISECONDS": "10000",
        }
    )
    assert limits == RateLimit(max=100, remaining=99, interval_ms=10000)
    assert parse.parse_rate_limit({"X-HubSpot-RateLimit-Max": "lots"}) == RateLimit()


# -- error details ----------------------------------------------------------------------------


def _body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_retry_after_http_date() -> None:
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:07 GMT"}
    error = parse.error_from_response(429, headers, b"", context="x", now=1445412480.0)
    assert isinstance(error, RateLimited)
    assert error.retry_after == pytest.approx(7.0)


def test_hubspot_text_is_cut_to_one_short_line() -> None:
    long = "line one\nline two " + "word " * 100
    error = parse.error_from_response(
        400, {}, _body(status="error", message=long, category="VALIDATION_ERROR"), context="x"
    )
    assert isinstance(error, UnexpectedResponse)
    assert "\n" not in error.message
    assert "line one line two" in error.message
    said = error.message.split("(HubSpot: ", 1)[1]
    assert len(said) <= 161


def test_token_prefix_in_hubspot_message_is_never_echoed() -> None:
    token = "CJSP5qf1LhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4"
    for message in (
        f"This oauth-token ({token}) does not have proper permissions! (requires any of [a])",
        f"Something odd about {token}",
    ):
        for status in (403, 400, 401, 500):
            error = parse.error_from_response(
                status, {}, _body(status="error", message=message), context="x"
            )
            assert token not in str(error) and token[:24] not in str(error)


def test_control_characters_are_stripped() -> None:
    error = parse.error_from_response(
        401,
        {},
        _body(message="\x1b[31mred\x1b[0m\x07", category="INVALID_AUTHENTICATION"),
        context="x",
    )
    assert isinstance(error, AuthenticationError)
    assert "\x1b" not in error.message and "\x07" not in error.message


def test_scopes_from_every_location() -> None:
    granular = _body(
        category="MISSING_SCOPES",
        errors=[{"message": "x", "context": {"requiredGranularScopes": ["a.read", "b.read"]}}],
    )
    legacy = _body(status="error", errors=[{"context": {"requiredScopes": ["c"]}}])
    top = _body(category="MISSING_SCOPES", context={"missingScopes": ["d"]})
    for body, scopes in ((granular, ("a.read", "b.read")), (legacy, ("c",)), (top, ("d",))):
        error = parse.error_from_response(403, {}, body, context="x")
        assert isinstance(error, MissingScopes)
        assert error.scopes == scopes


def test_legacy_permissions_scopes() -> None:
    body = _body(
        status="error",
        message="This oauth-token (abc) does not have proper permissions! (requires any of [x, y])",
    )
    error = parse.error_from_response(403, {}, body, context="Products check")
    assert isinstance(error, Forbidden)
    assert error.scopes == ("x", "y")


def test_correlation_id_kept_from_body_or_header() -> None:
    cid = "aeb5f871-7f07-4993-9211-075dc63e7cbf"
    body = _body(status="error", message="m", correlationId=cid, category="VALIDATION_ERROR")
    assert parse.error_from_response(400, {}, body, context="x").correlation_id == cid
    headers = {"X-HubSpot-Correlation-Id": cid}
    assert parse.error_from_response(502, headers, b"<html>", context="x").correlation_id == cid
