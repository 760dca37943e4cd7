"""What goes over the wire: a parsed request, a response to send, and HubSpot's body shapes.

Handlers in `oauth.py` and `api.py` take a `Request` and return a `Response`; only `server.py`
touches sockets. Every response carries a correlation id, echoed in `X-HubSpot-Correlation-Id` and,
for JSON errors, in the body's `correlationId`, as HubSpot does.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode

JSON_TYPE = "application/json;charset=utf-8"
HTML_TYPE = "text/html;charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"

# Query and form keys whose values are credentials: never logged.
SECRET_KEYS = frozenset(
    {"client_secret", "refresh_token", "code", "code_verifier", "token", "access_token", "hapikey"}
)
# Paths that carry a token as their last segment (v1 token metadata).
_TOKEN_PATH = re.compile(r"^(/oauth/v1/(?:access|refresh)-tokens/)[^/]+$")

OAUTH_ERRORS: dict[str, tuple[str, str]] = {
    # status -> (RFC 6749 `error`, message). Messages follow HubSpot's where known.
    "BAD_CLIENT_ID": ("invalid_client", "missing or unknown client id"),
    "BAD_CLIENT_SECRET": ("invalid_client", "missing or invalid client secret"),
    "BAD_AUTH_CODE": ("invalid_grant", "missing or unknown auth code"),
    "EXPIRED_AUTH_CODE": ("invalid_grant", "auth code is expired"),
    "MISMATCH_REDIRECT_URI_AUTH_CODE": (
        "invalid_grant",
        "redirect URI does not match initial auth code URI",
    ),
    "BAD_REDIRECT_URI": ("invalid_request", "redirect URI is not registered for this app"),
    "BAD_CODE_VERIFIER": ("invalid_grant", "code verifier does not match the code challenge"),
    "BAD_REFRESH_TOKEN": ("invalid_grant", "refresh token is invalid, expired or revoked"),
    "BAD_GRANT_TYPE": ("unsupported_grant_type", "unsupported or missing grant type"),
    "BAD_ACCESS_TOKEN": ("invalid_request", "access token is invalid or expired"),
    "INVALID_REQUEST": ("invalid_request", "invalid request"),
}
"""OAuth failure codes the sandbox answers, HTTP 400 each."""


def new_correlation_id() -> str:
    """A fresh correlation id (a UUID string, like HubSpot's)."""
    return str(uuid.uuid4())


@dataclass
class Request:
    """One parsed HTTP request.

    Attributes:
        method: upper-case HTTP method.
        path: the path without the query string.
        query: decoded query parameters (`+` and `%20` both decode to a space).
        headers: header names lower-cased, last value wins.
        body: the raw request body.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """The first query value of `name`, or None when absent."""
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def wants_json(self) -> bool:
        """True when the client asked for JSON (`Accept: application/json`) and not for HTML."""
        accept = self.headers.get("accept", "").lower()
        return "application/json" in accept and "text/html" not in accept

    def form(self) -> dict[str, str] | None:
        """The form-encoded body as a dict (first value per key); None if not form-encoded."""
        if self.content_type != FORM_TYPE:
            return None
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        parsed = parse_qs(text, keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


@dataclass
class Response:
    """A response for `server.py` to send.

    Attributes:
        status: HTTP status.
        body: the encoded body.
        content_type: the Content-Type header (empty for no body).
        headers: extra headers.
        correlation_id: sent as `X-HubSpot-Correlation-Id`.
    """

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    correlation_id: str = field(default_factory=new_correlation_id)


def json_response(status: int, payload: object, *, correlation_id: str | None = None) -> Response:
    """A JSON response.

    Args:
        status: HTTP status.
        payload: anything `json.dumps` accepts.
        correlation_id: reuse this id (when the body already names it).

    Returns:
        The response.
    """
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    if correlation_id is None:
        return Response(status, body)
    return Response(status, body, correlation_id=correlation_id)


def error_response(status: int, message: str, category: str, **extra: object) -> Response:
    """HubSpot's standard error envelope: `status`, `message`, `correlationId`, `category`.

    Args:
        status: HTTP status.
        message: the `message` field.
        category: the `category` field (e.g. `VALIDATION_ERROR`).
        **extra: further fields (`errors`, `links`, `context`...).

    Returns:
        The response.
    """
    cid = new_correlation_id()
    payload: dict[str, object] = {
        "status": "error",
        "message": message,
        "correlationId": cid,
        "category": category,
    }
    payload.update(extra)
    return json_response(status, payload, correlation_id=cid)


def oauth_error(code: str, message: str | None = None) -> Response:
    """An OAuth endpoint failure: 400 with `status`/`message` and RFC 6749 `error` fields.

    Args:
        code: a key of `OAUTH_ERRORS` (`BAD_AUTH_CODE`...).
        message: overrides the default message.

    Returns:
        The response.
    """
    error, default = OAUTH_ERRORS[code]
    text = message or default
    cid = new_correlation_id()
    payload = {
        "status": code,
        "message": text,
        "error": error,
        "error_description": text,
        "correlationId": cid,
    }
    response = json_response(400, payload, correlation_id=cid)
    response.headers.append(("Cache-Control", "no-store"))
    return response


def html_response(status: int, page: str) -> Response:
    """An HTML page (already escaped by `pages.py`)."""
    return Response(status, page.encode("utf-8"), HTML_TYPE, [("Cache-Control", "no-store")])


def redact_path(path: str) -> str:
    """`path` with any token segment replaced, fit for the request log."""
    return _TOKEN_PATH.sub(r"\1<redacted>", path)


def redact_query(query: dict[str, list[str]]) -> dict[str, str]:
    """The first value of each query key, with credential values replaced."""
    return {
        key: ("<redacted>" if key.lower() in SECRET_KEYS else (values[0] if values else ""))
        for key, values in query.items()
    }


def encode_query(pairs: list[tuple[str, str]]) -> str:
    """Percent-encode query pairs (spaces as %20, every reserved character escaped)."""
    return urlencode(pairs, safe="", quote_via=quote)
