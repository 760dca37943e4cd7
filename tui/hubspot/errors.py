"""Typed HubSpot errors: each carries a one-line human message and the next action.

Every failure the HubSpot layer can meet (OAuth `status`/`error` codes, the standard error envelope,
401s, 403s, 429s, 5xx, timeouts, garbage bodies) becomes one of these. The CLI prints
`message` and `action`; the screens show them. None of them ever holds a secret: messages are built
from HubSpot's codes and our own words, and HubSpot's free text is cut to one short line.
"""

from __future__ import annotations

import re

from tui.hubspot.text import strip_format

_TOKENISH_RE = re.compile(r"[A-Za-z0-9_\-.~]{24,}")
"""Runs this long look like tokens or codes (base64url, UUID-like); URL paths split on `/`."""
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
HUBSPOT_TEXT_MAX = 160


class HubSpotError(Exception):
    """Base of every error the HubSpot layer raises.

    Attributes:
        message: one line saying what went wrong, for a human.
        action: the next thing to do about it (a key, a command, a setting).
        code: HubSpot's machine code (`BAD_AUTH_CODE`, `MISSING_SCOPES`, ...) or our own.
        http_status: the HTTP status when there was a response, else None.
        correlation_id: HubSpot's `correlationId`, useful in a support ticket.
        retryable: True when trying the same request again later may succeed.
    """

    def __init__(
        self,
        message: str,
        action: str = "",
        *,
        code: str = "",
        http_status: int | None = None,
        correlation_id: str = "",
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.code = code
        self.http_status = http_status
        self.correlation_id = correlation_id
        self.retryable = retryable

    def __str__(self) -> str:
        return f"{self.message} — {self.action}" if self.action else self.message


class NetworkError(HubSpotError):
    """No usable HTTP answer: connection refused/reset, DNS, TLS, timeout, truncated body."""


class ServerError(HubSpotError):
    """HubSpot answered 5xx (or a non-JSON proxy page)."""


class RateLimited(HubSpotError):
    """HubSpot answered 429. `retry_after` is the wait in seconds we would honour."""

    def __init__(
        self,
        message: str,
        action: str = "",
        *,
        retry_after: float = 10.0,
        policy: str = "",
        code: str = "",
        http_status: int | None = None,
        correlation_id: str = "",
        retryable: bool = False,
    ) -> None:
        super().__init__(
            message,
            action,
            code=code,
            http_status=http_status,
            correlation_id=correlation_id,
            retryable=retryable,
        )
        self.retry_after = retry_after
        self.policy = policy


class OAuthError(HubSpotError):
    """The token endpoint refused a grant (HTTP 400 with `status`/`error`)."""


class AuthCodeError(OAuthError):
    """BAD_AUTH_CODE / EXPIRED_AUTH_CODE: the code is spent, wrong or too old; authorize again."""


class RedirectMismatch(OAuthError):
    """MISMATCH_REDIRECT_URI_AUTH_CODE / BAD_REDIRECT_URI."""


class ClientCredentialsError(OAuthError):
    """BAD_CLIENT_ID / BAD_CLIENT_SECRET / invalid_client."""


class RefreshTokenRevoked(OAuthError):
    """BAD_REFRESH_TOKEN: the app was uninstalled, the installer removed, or the token revoked."""


class AuthenticationError(HubSpotError):
    """401 INVALID_AUTHENTICATION / EXPIRED_AUTHENTICATION on an API call."""


class _ScopedError(HubSpotError):
    """A 403 that may name the scopes HubSpot wants (`scopes`, possibly empty)."""

    def __init__(
        self,
        message: str,
        action: str = "",
        *,
        scopes: tuple[str, ...] = (),
        code: str = "",
        http_status: int | None = None,
        correlation_id: str = "",
        retryable: bool = False,
    ) -> None:
        super().__init__(
            message,
            action,
            code=code,
            http_status=http_status,
            correlation_id=correlation_id,
            retryable=retryable,
        )
        self.scopes = scopes


class MissingScopes(_ScopedError):
    """403 MISSING_SCOPES. `scopes` are the scopes HubSpot says are required."""


class Forbidden(_ScopedError):
    """403 of the legacy 'does not have proper permissions' kind: plan, seat or permission."""


class UnexpectedResponse(HubSpotError):
    """A response we could not make sense of (wrong JSON shape, missing fields, unknown status)."""


class CallbackError(HubSpotError):
    """The OAuth redirect could not be used: wrong/missing state, no code, port busy, timed out."""


class InputError(HubSpotError):
    """Something the user typed or pasted is not usable (bad client id, URL, scope list...)."""


_AGAIN = "Authorize the account again"
OAUTH_ERRORS: dict[str, tuple[type[OAuthError], str, str]] = {
    "BAD_AUTH_CODE": (
        AuthCodeError,
        "HubSpot rejected the authorization code: it was already used, mistyped or is unknown",
        f"{_AGAIN} to get a fresh code",
    ),
    "EXPIRED_AUTH_CODE": (
        AuthCodeError,
        "The authorization code expired before hubspot-tui could exchange it",
        f"{_AGAIN} and finish within a few minutes",
    ),
    "MISMATCH_REDIRECT_URI_AUTH_CODE": (
        RedirectMismatch,
        "HubSpot rejected the exchange: the redirect URL differs from the one used to authorize",
        f"{_AGAIN} without changing the callback port or redirect URL in between",
    ),
    "BAD_REDIRECT_URI": (
        RedirectMismatch,
        "HubSpot rejected the redirect URL: it is not registered on the app",
        "Add {where} under the app's Auth → Redirect URLs, or change the callback port (F3)",
    ),
    "BAD_CLIENT_ID": (
        ClientCredentialsError,
        "HubSpot does not know this Client ID",
        "Copy the Client ID again from the app's Auth tab",
    ),
    "BAD_CLIENT_SECRET": (
        ClientCredentialsError,
        "HubSpot rejected the Client secret",
        "Copy the Client secret again from the app's Auth tab (press Show first)",
    ),
    "invalid_client": (
        ClientCredentialsError,
        "HubSpot rejected the Client ID or Client secret",
        "Copy both again from the app's Auth tab (press Show to reveal the secret)",
    ),
    "BAD_REFRESH_TOKEN": (
        RefreshTokenRevoked,
        "The refresh token is no longer valid: the app was uninstalled, the installing user "
        "removed, or the token revoked",
        _AGAIN,
    ),
    "invalid_scope": (
        OAuthError,
        "HubSpot rejected the requested scopes",
        "Make the scope lists match the app's configured required and optional scopes",
    ),
    "access_denied": (OAuthError, "The authorization was denied", f"{_AGAIN} and approve it"),
}
OAUTH_ERRORS["unauthorized_client"] = OAUTH_ERRORS["invalid_client"]
OAUTH_ERRORS["BAD_SCOPE"] = OAUTH_ERRORS["invalid_scope"]
"""OAuth `status` (HubSpot) and `error` (RFC 6749) codes → (class, message, action).

`{where}` in an action stands for the redirect URI that was sent.
"""


def hubspot_text(value: object) -> str:
    """HubSpot's free text made safe to show: one line, ≤160 chars, token-like runs blanked.

    Some HubSpot messages quote a token prefix or echo request data; anything token-shaped goes.
    Returns "" when `value` is not a string.
    """
    if not isinstance(value, str):
        return ""
    text = _CONTROL_RE.sub(" ", strip_format(value[:2000]))
    text = _TOKENISH_RE.sub("…", text)
    text = " ".join(text.split())
    if len(text) > HUBSPOT_TEXT_MAX:
        text = text[: HUBSPOT_TEXT_MAX - 1].rstrip() + "…"
    return text
