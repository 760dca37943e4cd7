"""The bearer-protected half of the sandbox: account details, products and line items.

`protected` wraps each handler with what every HubSpot API call goes through: bearer
authentication (401 INVALID/EXPIRED_AUTHENTICATION), the rolling rate limiter per app and account
(429 TEN_SECONDLY_ROLLING) and the `X-HubSpot-RateLimit-*` headers on every answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui.sandbox.accounts import NO_SEAT_LEGACY, SandboxAccount
from tui.sandbox.faults import rate_limited
from tui.sandbox.state import AccessRecord, SandboxState
from tui.sandbox.wire import (
    Request,
    Response,
    encode_query,
    error_response,
    json_response,
    new_correlation_id,
)

ApiHandler = Callable[
    [SandboxState, Request, dict[str, str], AccessRecord, SandboxAccount], Response
]
"""An API handler: called only for an authenticated, rate-allowed request."""

Handler = Callable[[SandboxState, Request, dict[str, str]], Response]
"""A route handler (see `server.py`)."""

MAX_LIMIT = 100
"""HubSpot's largest page for the CRM list endpoints."""

DEFAULT_LIMIT = 10
"""The page size when `limit` is not given."""

_NO_CREDENTIALS = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
    "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
_MISSING_SCOPES = (
    "This app hasn't been granted all required scopes to make this call. Read more about required "
    "scopes here: https://developers.hubspot.com/scopes."
)
_SCOPES_LINK = "https://developers.hubspot.com/scopes"

_OBJECTS = {
    "products": "products",
    "0-7": "products",
    "line_items": "line_items",
    "0-8": "line_items",
}

_PRODUCT_NAMES = (
    "Onboarding package",
    "Annual license",
    "Premium support",
    "Training day",
    "Consulting hour",
    "Integration setup",
    "Analytics add-on",
    "Data migration",
    "Seat pack (10)",
    "API access",
    "Custom report",
    "Health check",
)
_EPOCH = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)


def _rate_headers(response: Response, state: SandboxState, remaining: int) -> Response:
    # OAuth calls get the rolling-window headers only: OAuth apps have no daily limit.
    response.headers += [
        ("X-HubSpot-RateLimit-Max", str(state.limiter.max_requests)),
        ("X-HubSpot-RateLimit-Remaining", str(remaining)),
        ("X-HubSpot-RateLimit-Interval-Milliseconds", str(state.limiter.interval_ms)),
    ]
    return response


def _bearer(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def protected(handler: ApiHandler) -> Handler:
    """Wrap `handler` with bearer authentication, the rate limiter and the rate headers.

    Args:
        handler: the endpoint proper.

    Returns:
        A route handler.
    """

    def route(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
        token = _bearer(request)
        with state.lock:
            record = state.access_record(token) if token else None
            account = state.find_account(record.hub_id) if record else None
            if record is None or account is None:
                response = error_response(401, _NO_CREDENTIALS, "INVALID_AUTHENTICATION")
                return _rate_headers(response, state, state.limiter.max_requests)
            key = (record.client_id, record.hub_id)
            if not state.is_live(record):
                minutes = int((state.clock() - record.expires_at) // 60)
                response = error_response(
                    401,
                    f"The OAuth token used to make this call expired {minutes} minute(s) ago.",
                    "EXPIRED_AUTHENTICATION",
                )
                return _rate_headers(response, state, state.limiter.remaining(key))
            allowed, remaining = state.limiter.hit(key)
        if not allowed:
            return rate_limited(
                "TEN_SECONDLY_ROLLING",
                maximum=state.limiter.max_requests,
                interval_ms=state.limiter.interval_ms,
            )
        return _rate_headers(handler(state, request, args, record, account), state, remaining)

    return route


def _utc_offset(zone: str, now: float) -> timedelta:
    try:
        offset = datetime.fromtimestamp(now, ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        offset = None
    return offset or timedelta(0)


def account_details(
    state: SandboxState,
    request: Request,
    args: dict[str, str],
    record: AccessRecord,
    account: SandboxAccount,
) -> Response:
    """`GET /account-info/v3/details`: the account's `PortalInformationResponse`."""
    offset = _utc_offset(account.time_zone, state.clock())
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    payload: dict[str, object] = {
        "portalId": account.hub_id,
        "accountType": account.account_type,
        "timeZone": account.time_zone,
        "companyCurrency": account.currency,
        "additionalCurrencies": [],
        "utcOffset": f"{sign}{hours:02d}:{rest // 60:02d}",
        "utcOffsetMilliseconds": seconds * 1000,
        "uiDomain": account.ui_domain,
        "dataHostingLocation": account.data_hosting_location,
        "createdAt": int(_EPOCH.timestamp() * 1000) - (account.hub_id % 1000) * 86_400_000,
    }
    if account.name:
        # Not in the schema (only in its example): an account without a name omits it.
        payload["portalName"] = account.name
    return json_response(200, payload)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_PROPERTIES: dict[str, tuple[str, ...]] = {
    "products": (
        "name",
        "description",
        "price",
        "hs_sku",
        "hs_cost_of_goods_sold",
        "hs_recurring_billing_period",
        "hs_product_type",
        "hs_url",
    ),
    "line_items": (
        "name",
        "quantity",
        "price",
        "amount",
        "hs_product_id",
        "hs_sku",
        "discount",
        "hs_recurring_billing_period",
    ),
}
"""The properties each object type has (its schema): a requested one without a value is null."""

_DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "products": ("name", "description", "price", "hs_sku"),
    "line_items": ("name", "quantity", "price", "hs_product_id"),
}
"""What comes back when `properties` is not given (plus the three HubSpot always adds)."""


def requested_properties(request: Request) -> list[str] | None:
    """The `properties` asked for, in order, or None when the parameter is absent.

    HubSpot takes the parameter repeated (`properties=a&properties=b`, as its SDKs send it) or
    comma-separated (`properties=a,b`), or both: every name counts.
    """
    values = request.query.get("properties")
    if values is None:
        return None
    names = (name.strip() for value in values for name in value.split(","))
    return list(dict.fromkeys(name for name in names if name))


def _values(account: SandboxAccount, kind: str, index: int) -> dict[str, str | None]:
    """Every property of record `index` of `kind`: a string, or None where it has no value."""
    product_no = index % account.products if account.products else index
    name = _PRODUCT_NAMES[product_no % len(_PRODUCT_NAMES)]
    if product_no >= len(_PRODUCT_NAMES):
        name = f"{name} #{product_no // len(_PRODUCT_NAMES) + 1}"
    cents = (product_no * 37 % 20 + 1) * 5000
    price = f"{cents / 100:.2f}"
    # Every third product is a subscription; the rest bill once and have no period.
    period = "P12M" if product_no % 3 == 1 else None
    sku = f"SKU-{account.hub_id % 10_000:04d}-{product_no + 1:03d}"
    if kind == "products":
        return {
            "name": name,
            "description": f"{name} for {account.name}",
            "price": price,
            "hs_sku": f"SKU-{account.hub_id % 10_000:04d}-{index + 1:03d}",
            "hs_cost_of_goods_sold": None,
            "hs_recurring_billing_period": period,
            "hs_product_type": "service" if period else "non_inventory",
            "hs_url": None,
        }
    quantity = index % 5 + 1
    linked = bool(account.products)
    return {
        "name": name if linked else f"Custom line item {index + 1}",
        "quantity": str(quantity),
        "price": price,
        "amount": f"{cents * quantity / 100:.2f}",
        "hs_product_id": str(account.hub_id * 10_000 + product_no + 1) if linked else None,
        "hs_sku": sku if linked else None,
        "discount": None,
        "hs_recurring_billing_period": period if linked else None,
    }


def _record(
    account: SandboxAccount, kind: str, index: int, wanted: list[str] | None
) -> dict[str, object]:
    """Record `index` of `kind` in `account`: deterministic, every property a string or null.

    Args:
        account: the account holding it.
        kind: `products` or `line_items`.
        index: its position (0-based) in the account's list.
        wanted: the `properties` asked for, or None for the defaults. Names the object type
            does not have are ignored, as HubSpot does; ones it has without a value are null.
    """
    created = _EPOCH + timedelta(days=index, minutes=account.hub_id % 60)
    updated = created + timedelta(hours=3)
    offset = 0 if kind == "products" else 5_000
    record_id = str(account.hub_id * 10_000 + offset + index + 1)
    values = _values(account, kind, index)
    names = _DEFAULT_PROPERTIES[kind] if wanted is None else wanted
    properties: dict[str, str | None] = {n: values[n] for n in names if n in values}
    # HubSpot always adds these three, whatever was asked for.
    properties.update(
        hs_object_id=record_id, createdate=_iso(created), hs_lastmodifieddate=_iso(updated)
    )
    return {
        "id": record_id,
        "properties": properties,
        "createdAt": _iso(created),
        "updatedAt": _iso(updated),
        "archived": False,
    }


def list_objects(
    state: SandboxState,
    request: Request,
    args: dict[str, str],
    record: AccessRecord,
    account: SandboxAccount,
) -> Response:
    """`GET /crm/v3/objects/{products,line_items}`: a page, `paging.next` unless last, no total."""
    kind = _OBJECTS[args["object"]]
    required = f"crm.objects.{kind}.read"
    if required not in record.scopes and "e-commerce" not in record.scopes:
        return error_response(
            403,
            _MISSING_SCOPES,
            "MISSING_SCOPES",
            errors=[
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": [required]},
                }
            ],
            links={"scopes": _SCOPES_LINK},
        )
    if not account.sales_seat:
        return _no_permission(record, kind, account.no_seat_shape)
    limit_text = request.param("limit") or str(DEFAULT_LIMIT)
    after_text = request.param("after") or "0"
    if not limit_text.isdigit() or int(limit_text) < 1:
        return error_response(400, f"Unable to parse limit '{limit_text}'", "VALIDATION_ERROR")
    if not after_text.isdigit():
        return error_response(400, f"Unable to parse after '{after_text}'", "VALIDATION_ERROR")
    limit = min(int(limit_text), MAX_LIMIT)
    start = int(after_text)
    total = account.products if kind == "products" else account.line_items
    archived = (request.param("archived") or "false").lower() == "true"
    end = min(start + limit, total) if not archived else start
    wanted = requested_properties(request)
    results = [_record(account, kind, i, wanted) for i in range(start, end)]
    payload: dict[str, object] = {"results": results}
    if end < total and not archived:
        host = request.headers.get("host", "127.0.0.1")
        query = encode_query([("limit", str(limit)), ("after", str(end))])
        payload["paging"] = {
            "next": {"after": str(end), "link": f"http://{host}{request.path}?{query}"}
        }
    return json_response(200, payload)


def _no_permission(record: AccessRecord, kind: str, shape: str) -> Response:
    """The no-seat 403, in the shape the account is set to answer (see `SandboxAccount`).

    HubSpot names a portal permission group (`products-access`), not an OAuth scope, and quotes at
    most a 6-character token prefix. Its `category` says MISSING_SCOPES although the grant holds
    the scope; the `legacy` shape leaves `category` out.
    """
    cid = new_correlation_id()
    group = "products-access" if kind == "products" else "line-items-access"
    body: dict[str, object] = {
        "status": "error",
        "message": (
            f"This oauth-token ({record.token[:6]}...) does not have proper permissions! "
            f"(requires any of [{group}])"
        ),
        "correlationId": cid,
    }
    if shape != NO_SEAT_LEGACY:
        body["category"] = "MISSING_SCOPES"
    return json_response(403, body, correlation_id=cid)
