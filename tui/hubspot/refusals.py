"""How HubSpot's token endpoints say no, read into typed OAuth errors; what a token looks like.

Three generations of answer are read here, in this order: HubSpot's own `status` codes
(`BAD_REFRESH_TOKEN`…), RFC 6749 `error` codes (`invalid_grant`…), and the standard error envelope
the date-versioned endpoints send (`{message, correlationId, category}`, sometimes only a
`category`), whose words say what was refused. A refresh token refused in any of these shapes
becomes `RefreshTokenRevoked` (a `ReauthorizeRequired`), so callers decide by type, never by text.
Pure functions, no I/O; `parse.error_from_response` calls `oauth_refusal` first. `is_token` is the
shape every token must have to be stored (`parse`) or sent (`client`, `api_call`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tui.hubspot.errors import OAUTH_ERRORS, OAuthError, bad_stored_token
from tui.hubspot.text import clean_line

# Contexts the client passes to `error_from_response`. They appear in messages ("… to the token
# refresh") and decide what an RFC `invalid_grant` without a HubSpot `status` means.
CTX_EXCHANGE = "authorization code exchange"
CTX_REFRESH = "token refresh"
CTX_INTROSPECT = "token check"
CTX_REVOKE = "token revocation"
CTX_ACCOUNT = "account details request"

_CODE_RE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


MAX_TOKEN_CHARS = 4096
"""Longest token accepted: HubSpot access tokens are ≤300 characters, refresh tokens UUID-like."""
_TOKEN_RE = re.compile(rf"[\x21-\x7e]{{1,{MAX_TOKEN_CHARS}}}")


def is_token(value: object) -> bool:
    """True when `value` can be a HubSpot token: 1-4096 printable ASCII characters, no spaces.

    Anything else can't go in an `Authorization` header or be trusted as what HubSpot meant, so it
    is refused at parse (never stored) and, when found in an old store, never sent.
    """
    return isinstance(value, str) and _TOKEN_RE.fullmatch(value) is not None


def refuse_damaged_tokens(bearer: str | None, form: Mapping[str, str] | None) -> None:
    """Never send a stored token that is not one (e.g. non-ASCII from an old or edited store):
    it would fail inside httpx with a traceback, or reach HubSpot as something else."""
    if bearer is not None and not is_token(bearer):
        raise bad_stored_token("access token")
    for field in ("refresh_token", "token"):
        value = (form or {}).get(field)
        if value is not None and not is_token(value):
            raise bad_stored_token("refresh token" if field == "refresh_token" else "token")


def as_str(value: object, limit: int = 200) -> str:
    """A short printable string, or "" when `value` is not a string."""
    return clean_line(value, limit)


def code_of(value: object) -> str:
    """`value` when it looks like a machine code (`BAD_AUTH_CODE`, a uuid), else ""."""
    return value if isinstance(value, str) and _CODE_RE.fullmatch(value) else ""


def oauth_refusal(
    envelope: dict[str, object], status: int, cid: str, context: str, redirect_uri: str
) -> OAuthError | None:
    """The OAuth error this answer is, or None when it is not an OAuth refusal.

    Args:
        envelope: the decoded JSON body ({} when there was none).
        status: the HTTP status.
        cid: the correlation id already extracted.
        context: the `CTX_*` of the call.
        redirect_uri: the redirect URI that was sent (named in BAD_REDIRECT_URI's action).
    """
    category = code_of(envelope.get("category"))
    hs_status = code_of(envelope.get("status"))
    if hs_status in OAUTH_ERRORS or (hs_status.startswith("BAD_") and not category):
        return _oauth_error(hs_status, status, cid, context, redirect_uri)
    rfc_error = code_of(envelope.get("error"))
    if rfc_error.startswith(_RFC_PREFIXES):
        if rfc_error == "invalid_grant":
            rfc_error = _grant_code(as_str(envelope.get("error_description")), context)
        return _oauth_error(rfc_error, status, cid, context, redirect_uri)
    if context in _TOKEN_CONTEXTS and 400 <= status < 500 and status != 429:
        token_code = _token_endpoint_code(envelope, context)
        if token_code:
            return _oauth_error(token_code, status, cid, context, redirect_uri)
    return None


# RFC 6749 §5.2 error names all start with one of these.
_RFC_PREFIXES = ("invalid_", "unsupported_", "unauthorized_", "access_")


def _grant_code(description: str, context: str) -> str:
    """Which HubSpot code an RFC `invalid_grant` stands for, from its description and the call.

    A refresh grant carries nothing but the refresh token, so any `invalid_grant` on it means
    that token is dead, whatever the description says.
    """
    text = description.lower()
    if context == CTX_REFRESH or "refresh" in text:
        return "BAD_REFRESH_TOKEN"
    if "redirect" in text:
        return "MISMATCH_REDIRECT_URI_AUTH_CODE"
    return "EXPIRED_AUTH_CODE" if "expired" in text else "BAD_AUTH_CODE"


_TOKEN_CONTEXTS = (CTX_EXCHANGE, CTX_REFRESH, CTX_REVOKE)
_WORD_SEPARATORS_RE = re.compile(r"[_.\-/:]+")


def _envelope_words(envelope: dict[str, object]) -> str:
    """`category`, `subCategory`, `message`, `errors[].message`: lower-cased, `_`/`.` as spaces."""
    parts: list[object] = [envelope.get(k) for k in ("category", "subCategory", "message")]
    errors = envelope.get("errors")
    if isinstance(errors, list):
        parts.extend(e.get("message") for e in errors[:10] if isinstance(e, dict))
    text = " ".join(as_str(p, 500) for p in parts if isinstance(p, str))
    return " ".join(_WORD_SEPARATORS_RE.sub(" ", text.lower()).split())


def _token_endpoint_code(envelope: dict[str, object], context: str) -> str:
    """The OAuth code a token-endpoint refusal without `status`/`error` codes stands for.

    Date-versioned endpoints answer with the standard envelope (`{message, correlationId,
    category}`), and some answers carry only a `category`: read what they name. "" when they
    name nothing we know.
    """
    text = _envelope_words(envelope)
    if context == CTX_REFRESH and ("refresh" in text or "invalid grant" in text):
        return "BAD_REFRESH_TOKEN"
    if context == CTX_REVOKE and "refresh" in text:
        return "BAD_REFRESH_TOKEN"
    if "client id" in text or "client secret" in text or "invalid client" in text:
        return "invalid_client"
    if context != CTX_EXCHANGE:
        return ""
    if "redirect" in text:
        return "MISMATCH_REDIRECT_URI_AUTH_CODE"
    if "code" in text or "invalid grant" in text:
        return "EXPIRED_AUTH_CODE" if "expired" in text else "BAD_AUTH_CODE"
    return ""


def _oauth_error(code: str, status: int, cid: str, context: str, redirect_uri: str) -> OAuthError:
    """Build the error for an OAuth `status` (HubSpot) or `error` (RFC 6749) code."""
    cls, message, action = OAUTH_ERRORS.get(
        code,
        (
            OAuthError,
            f"HubSpot refused the {context} ({code})",
            "Update hubspot-tui, or report this with the correlation id",
        ),
    )
    action = action.replace("{where}", redirect_uri or "the redirect URL shown in Settings")
    return cls(message, action, code=code, http_status=status, correlation_id=cid)
