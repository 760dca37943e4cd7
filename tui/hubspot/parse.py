"""Pure parsers for HubSpot answers: JSON bodies, rate-limit headers and error responses.

Every function here accepts *any* input (random JSON, wrong types, absurd integers, binary junk)
and either returns a typed value or raises `UnexpectedResponse`; `error_from_response` never
raises at all. Nothing here does I/O or imports httpx, so the parsers are cheap to import and
easy to fuzz.

Secrets: the parsers never put a token, code or secret into a message. HubSpot's own `message`
is appended only to non-OAuth errors, cut to one short line, with token-like runs blanked out,
because some HubSpot messages quote a prefix of the token ("This oauth-token (abc…) does not …").
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Mapping
from datetime import UTC
from typing import TypedDict

from tui.hubspot.errors import (
    AuthenticationError,
    Forbidden,
    HubSpotError,
    MissingScopes,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    hubspot_text,
)
from tui.hubspot.models import (
    AccountDetails,
    AccountType,
    RateLimit,
    TokenGrant,
    TokenInfo,
    TokenSet,
)

# The call contexts (`CTX_*`) live beside the OAuth refusal reading; re-exported for the client.
from tui.hubspot.refusals import (
    CTX_ACCOUNT as CTX_ACCOUNT,
)
from tui.hubspot.refusals import (
    CTX_EXCHANGE as CTX_EXCHANGE,
)
from tui.hubspot.refusals import (
    CTX_INTROSPECT as CTX_INTROSPECT,
)
from tui.hubspot.refusals import (
    CTX_REFRESH as CTX_REFRESH,
)
from tui.hubspot.refusals import (
    CTX_REVOKE as CTX_REVOKE,
)
from tui.hubspot.refusals import as_str, code_of, is_token, oauth_refusal

MAX_EXPIRES_IN = 86_400
"""Upper clamp for `expires_in`: HubSpot issues 1800 s (formerly up to 6 h); a day is plenty."""

_MAX_ID = 2**63 - 1
_MAX_BODY = 1 << 20
"""Bodies larger than this are not worth parsing as an error envelope."""

_CORRELATION_RE = re.compile(r"[A-Za-z0-9\-]{1,64}")
_LEGACY_PERMS_RE = re.compile(r"requires any of \[([^\]]*)\]")
_SCOPE_NAME_RE = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
_DIGITS_RE = re.compile(r"\d{1,19}")
_INT_HEADER_RE = re.compile(r"\s*(\d{1,12})\s*")
_RETRY_SECONDS_RE = re.compile(r"\s*(\d{1,9}(?:\.\d{1,6})?)\s*")

_UNEXPECTED_ACTION = "Try again; if it keeps happening, report it with the correlation id"


def _bad(what: str) -> UnexpectedResponse:
    return UnexpectedResponse(
        f"HubSpot sent an answer hubspot-tui does not understand: {what}",
        _UNEXPECTED_ACTION,
        code="UNEXPECTED_RESPONSE",
    )


def _as_int(value: object) -> int | None:
    """An id-like positive integer from an int or a digit string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= _MAX_ID else None
    if isinstance(value, str) and _DIGITS_RE.fullmatch(value):
        number = int(value)
        return number if 0 < number <= _MAX_ID else None
    return None


def _as_scopes(value: object) -> tuple[str, ...]:
    """Scope names from a list of strings or a space-separated string (RFC 6749 `scope`)."""
    items: list[object]
    if isinstance(value, str):
        items = list(value.split())
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return ()
    seen: dict[str, None] = {}
    for item in items:
        if isinstance(item, str) and _SCOPE_NAME_RE.fullmatch(item):
            seen.setdefault(item, None)
    return tuple(seen)


def _expires_in(value: object) -> int:
    if isinstance(value, bool):
        raise _bad("'expires_in' is not a number")
    seconds: int
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, float) and math.isfinite(value):
        seconds = int(value)
    elif isinstance(value, str) and _DIGITS_RE.fullmatch(value.strip()):
        seconds = int(value.strip())
    else:
        raise _bad("'expires_in' is missing or not a number")
    if seconds <= 0:
        raise _bad("'expires_in' is not positive")
    # A silly lifetime (years, 10**30) would make us never refresh: clamp it.
    return min(seconds, MAX_EXPIRES_IN)


def parse_token_response(data: object, *, now: float, old_refresh_token: str = "") -> TokenGrant:
    """Turn a token endpoint answer (any grant) into a `TokenGrant`.

    Args:
        data: the decoded JSON body.
        now: the current Unix time; `expires_at` is `now + expires_in`.
        old_refresh_token: kept when HubSpot returns no refresh token (refresh grants may omit it).

    Returns:
        The tokens plus whatever account facts HubSpot included (`hub_id`, `user_id`, `scopes`).

    Raises:
        UnexpectedResponse: no access token, no refresh token at all, or a bad `expires_in`.
    """
    if not isinstance(data, dict):
        raise _bad("the token answer is not a JSON object")
    access = data.get("access_token")
    if not isinstance(access, str) or not access.strip():
        raise _bad("the token answer has no access token")
    refresh = data.get("refresh_token")
    if not isinstance(refresh, str) or not refresh.strip():
        refresh = old_refresh_token
    if not refresh:
        raise _bad("the token answer has no refresh token")
    access, refresh = access.strip(), refresh.strip()
    for what, token in (("an access token", access), ("a refresh token", refresh)):
        if not is_token(token):
            raise _bad_token(what)
    seconds = _expires_in(data.get("expires_in"))
    return TokenGrant(
        tokens=TokenSet(access, refresh, expires_at=now + seconds, obtained_at=now),
        hub_id=_as_int(data.get("hub_id")),
        user_id=_as_int(data.get("user_id")),
        scopes=_as_scopes(data.get("scopes", data.get("scope"))),
        token_type=as_str(data.get("token_type"), 32) or "bearer",
    )


def _bad_token(what: str) -> UnexpectedResponse:
    return UnexpectedResponse(
        f"HubSpot's token answer holds {what} that is not printable ASCII without spaces "
        "(or is absurdly long); nothing was stored",
        "Authorize again; if it keeps happening, check that the API base URL is HubSpot's",
        code="BAD_TOKEN",
    )


def parse_token_info(data: object) -> TokenInfo:
    """Parse v3 introspection (`active` …) or v1 access-token metadata (no `active`).

    The token itself, which both shapes echo back, is deliberately not copied.

    Raises:
        UnexpectedResponse: not an object, `active` not a boolean, or a v1 shape without `hub_id`.
    """
    if not isinstance(data, dict):
        raise _bad("the token information is not a JSON object")
    active_raw = data.get("active")
    hub_id = _as_int(data.get("hub_id"))
    if active_raw is None:
        # v1 metadata has no `active`: answering at all means the token is live.
        if hub_id is None:
            raise _bad("the token information has neither 'active' nor 'hub_id'")
        active = True
    elif isinstance(active_raw, bool):
        active = active_raw
    else:
        raise _bad("'active' in the token information is not true/false")
    expires = data.get("expires_in")
    expires_in: int | None = None
    if isinstance(expires, int) and not isinstance(expires, bool):
        expires_in = max(-MAX_EXPIRES_IN, min(expires, MAX_EXPIRES_IN))
    return TokenInfo(
        active=active,
        hub_id=hub_id,
        hub_domain=as_str(data.get("hub_domain")),
        user=as_str(data.get("user")),
        user_id=_as_int(data.get("user_id")),
        app_id=_as_int(data.get("app_id")),
        scopes=_as_scopes(data.get("scopes")),
        expires_in=expires_in,
    )


def parse_account_details(data: object) -> AccountDetails:
    """Parse `GET /account-info/v3/details`.

    Raises:
        UnexpectedResponse: not an object, or no usable `portalId`.
    """
    if not isinstance(data, dict):
        raise _bad("the account details are not a JSON object")
    portal_id = _as_int(data.get("portalId"))
    if portal_id is None:
        raise _bad("the account details have no 'portalId'")
    return AccountDetails(
        portal_id=portal_id,
        account_type=AccountType.parse(data.get("accountType")),
        time_zone=as_str(data.get("timeZone"), 64),
        company_currency=as_str(data.get("companyCurrency"), 16),
        ui_domain=as_str(data.get("uiDomain"), 253),
        data_hosting_location=as_str(data.get("dataHostingLocation"), 32),
        portal_name=as_str(data.get("portalName")),
    )


def parse_collection(data: object) -> tuple[int, bool]:
    """Parse a CRM list page: `(len(results), has_more)`.

    `has_more` is True when HubSpot sent a `paging.next` cursor (there is no `total`).

    Raises:
        UnexpectedResponse: not an object, or `results` is not a list.
    """
    if not isinstance(data, dict):
        raise _bad("the record list is not a JSON object")
    results = data.get("results")
    if not isinstance(results, list):
        raise _bad("the record list has no 'results' array")
    paging = data.get("paging")
    has_more = False
    if isinstance(paging, dict):
        nxt = paging.get("next")
        has_more = isinstance(nxt, dict) and bool(nxt.get("after") or nxt.get("link"))
    return len(results), has_more


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    try:
        return {
            k.lower(): v for k, v in headers.items() if isinstance(k, str) and isinstance(v, str)
        }
    except (TypeError, ValueError, AttributeError):
        return {}


def _header_int(headers: dict[str, str], name: str) -> int | None:
    match = _INT_HEADER_RE.fullmatch(headers.get(name, ""))
    return int(match.group(1)) if match else None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit:
    """Read the `X-HubSpot-RateLimit-*` headers (any case); missing or junk values are None."""
    lowered = _lower_headers(headers)
    return RateLimit(
        max=_header_int(lowered, "x-hubspot-ratelimit-max"),
        remaining=_header_int(lowered, "x-hubspot-ratelimit-remaining"),
        interval_ms=_header_int(lowered, "x-hubspot-ratelimit-interval-milliseconds"),
    )


def _retry_after(headers: dict[str, str], now: float) -> float | None:
    raw = headers.get("retry-after")
    if raw is None:
        return None
    match = _RETRY_SECONDS_RE.fullmatch(raw)
    if match:
        return float(match.group(1))
    try:
        when = email.utils.parsedate_to_datetime(raw)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


def _with_hubspot_text(message: str, envelope: dict[str, object]) -> str:
    said = hubspot_text(envelope.get("message"))
    return f"{message} (HubSpot: {said})" if said else message


def _decode(body: bytes) -> dict[str, object] | None:
    """The body as a JSON object, or None when it is empty, too big, not JSON or not an object."""
    if not body or len(body) > _MAX_BODY:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _required_scopes(envelope: dict[str, object]) -> tuple[str, ...]:
    """Scopes named in `errors[].context` and `context` (granular, legacy and missing lists)."""
    contexts: list[object] = [envelope.get("context")]
    errors = envelope.get("errors")
    if isinstance(errors, list):
        contexts.extend(e.get("context") for e in errors[:50] if isinstance(e, dict))
    found: list[str] = []
    for ctx in contexts:
        if isinstance(ctx, dict):
            for key in ("requiredGranularScopes", "requiredScopes", "missingScopes"):
                found.extend(_as_scopes(ctx.get(key)))
    return tuple(dict.fromkeys(found))


class _Where(TypedDict):
    """Where an error came from: shared by every error built from one response."""

    http_status: int
    correlation_id: str


def _rate_limited(
    status: int, cid: str, envelope: dict[str, object], headers: dict[str, str], now: float
) -> RateLimited:
    where = _Where(http_status=status, correlation_id=cid)
    policy = code_of(envelope.get("policyName")).upper()
    said = as_str(envelope.get("message")).lower()
    if policy == "DAILY" or "daily limit" in said:
        return RateLimited(
            "HubSpot's daily API limit for this account is used up",
            "Wait until midnight in the account's time zone, then try again",
            retry_after=0.0,
            policy="DAILY",
            code="RATE_LIMITS",
            **where,
        )
    # Retry-After first (undocumented but honoured when present), then the window length,
    # then the waits HubSpot's own Node SDK uses per policy.
    wait = _retry_after(headers, now)
    interval = _header_int(headers, "x-hubspot-ratelimit-interval-milliseconds")
    if wait is None and interval:
        wait = interval / 1000.0
    if wait is None:
        wait = 1.0 if policy == "SECONDLY" or "secondly limit" in said else 10.0
    wait = min(wait, 86_400.0)
    return RateLimited(
        "HubSpot is rate-limiting this app (too many requests in a short time)",
        f"Wait {wait:.0f} s and try again" if wait >= 1 else "Wait a moment and try again",
        retry_after=wait,
        policy=policy or "TEN_SECONDLY_ROLLING",
        code="RATE_LIMITS",
        **where,
        retryable=True,
    )


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    context: str,
    redirect_uri: str = "",
    now: float | None = None,
) -> HubSpotError:
    """Map a failed HubSpot answer to a typed error with our own message and a next action.

    Keys off the envelope's `category` first, then `errors[].context`, then `message`, then the
    HTTP status. Never raises.

    Args:
        status: the HTTP status.
        headers: the response headers (any case).
        body: the raw response body (may be empty, HTML or binary junk).
        context: what was being done, as a noun phrase ("token refresh"); see the `CTX_*` names.
        redirect_uri: the redirect URI that was sent, named in the BAD_REDIRECT_URI action.
        now: the current Unix time, to turn a `Retry-After` date into seconds (default: now).

    Returns:
        The matching `HubSpotError` subclass; `UnexpectedResponse` when nothing fits.
    """
    try:
        return _error_from_response(status, headers, body, context, redirect_uri, now)
    except Exception:  # pragma: no cover - last guard: this function must never raise
        return _bad(f"HTTP {status} with an unreadable body")


def _error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    context: str,
    redirect_uri: str,
    now: float | None,
) -> HubSpotError:
    lowered = _lower_headers(headers)
    envelope = _decode(bytes(body)) if isinstance(body, bytes | bytearray) else None
    env: dict[str, object] = envelope or {}
    cid = code_of(env.get("correlationId")) or code_of(lowered.get("x-hubspot-correlation-id"))
    if not _CORRELATION_RE.fullmatch(cid):
        cid = ""
    category = code_of(env.get("category")).upper()
    where = _Where(http_status=status, correlation_id=cid)

    if status == 429 or category == "RATE_LIMITS" or env.get("errorType") == "RATE_LIMIT":
        return _rate_limited(status, cid, env, lowered, time.time() if now is None else now)

    refusal = oauth_refusal(env, status, cid, context, redirect_uri)
    if refusal is not None:
        return refusal

    if category in ("EXPIRED_AUTHENTICATION", "INVALID_AUTHENTICATION") or status == 401:
        if category == "EXPIRED_AUTHENTICATION":
            message = "HubSpot says the access token has expired"
        else:
            message = "HubSpot did not accept the access token (missing, invalid or revoked)"
        return AuthenticationError(
            _with_hubspot_text(message, env),
            "Refresh the token and try again; if that fails, authorize the account again",
            code=category or "INVALID_AUTHENTICATION",
            **where,
        )

    scopes = _required_scopes(env)
    if category == "MISSING_SCOPES" or (status == 403 and scopes and not category):
        return MissingScopes(
            f"The token lacks a scope the {context} needs: HubSpot asks for "
            f"{', '.join(scopes) if scopes else 'a scope it did not name'}",
            "Add the scope to the app and to the scope list here, then authorize again",
            scopes=scopes,
            code="MISSING_SCOPES",
            **where,
        )
    if status == 403:
        match = _LEGACY_PERMS_RE.search(as_str(env.get("message"), 2000))
        legacy = _as_scopes(match.group(1).replace(",", " ")) if match else ()
        if match:
            # Legacy permission 403: HubSpot's text quotes a token prefix, so never append it.
            message = f"HubSpot refused the {context}: the account or token lacks permission"
            if legacy:
                message += f" (requires any of {', '.join(legacy)})"
        else:
            message = _with_hubspot_text(f"HubSpot refused the {context} (HTTP 403)", env)
        return Forbidden(
            message,
            "Check the account's plan, seats and the installing user's permissions",
            scopes=legacy,
            code=category or "FORBIDDEN",
            **where,
        )

    if 300 <= status < 400:
        return UnexpectedResponse(
            f"HubSpot redirected the {context} (HTTP {status}) instead of answering it",
            "Check the API base URL in settings (it should be https://api.hubapi.com)",
            code=f"HTTP_{status}",
            **where,
        )
    if status >= 500 or envelope is None:
        what = f"HTTP {status}" if envelope is not None else f"a non-JSON page, HTTP {status}"
        return ServerError(
            _with_hubspot_text(f"HubSpot had a problem answering the {context} ({what})", env),
            "Try again in a minute; if it persists, check status.hubspot.com",
            code=category or f"HTTP_{status}",
            **where,
            retryable=True,
        )

    detail = f", {category}" if category else ""
    return UnexpectedResponse(
        _with_hubspot_text(f"HubSpot answered the {context} with HTTP {status}{detail}", env),
        _UNEXPECTED_ACTION,
        code=category or f"HTTP_{status}",
        **where,
    )
