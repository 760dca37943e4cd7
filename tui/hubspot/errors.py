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


class ReauthorizeRequired(HubSpotError):
    """The stored grant is dead: only authorizing the account again helps.

    Recognised by type (or by `code in REAUTHORIZE_CODES` once stored), never by its text:
    - `BAD_REFRESH_TOKEN`: the token endpoint refused the refresh token (`RefreshTokenRevoked`);
    - `UNINSTALLED`: an API call got 401 and the refresh that followed was refused (HubSpot's
      rule: 401 + failed refresh = the app was uninstalled);
    - `TOKEN_REJECTED`: HubSpot still answers 401 with a freshly refreshed access token;
    - `BAD_STORED_TOKEN`: a stored token is not a token at all (not printable ASCII), so it is
      never sent.
    """


REAUTHORIZE_CODES = frozenset(
    {"BAD_REFRESH_TOKEN", "UNINSTALLED", "TOKEN_REJECTED", "BAD_STORED_TOKEN"}
)
"""`HubSpotError.code` values meaning "authorize the account again" (`ReauthorizeRequired`)."""


def needs_reauthorization(error: HubSpotError | str) -> bool:
    """True when `error` (or a stored error code) means the account must be authorized again."""
    if isinstance(error, HubSpotError):
        return isinstance(error, ReauthorizeRequired) or error.code in REAUTHORIZE_CODES
    return error in REAUTHORIZE_CODES


class RefreshTokenRevoked(OAuthError, ReauthorizeRequired):
    """BAD_REFRESH_TOKEN: the app was uninstalled, the installer removed, or the token revoked."""


class AuthenticationError(HubSpotError):
    """401 INVALID_AUTHENTICATION / EXPIRED_AUTHENTICATION on an API call."""


_REAUTHORIZE_ACTION = "Authorize the account again"


def uninstalled(after: HubSpotError) -> ReauthorizeRequired:
    """The verdict for "HubSpot answered 401, and the refresh that followed was refused"."""
    return ReauthorizeRequired(
        "HubSpot rejected the access token and then refused to refresh it: the app was "
        "uninstalled from the account, or its grant was revoked",
        _REAUTHORIZE_ACTION,
        code="UNINSTALLED",
        http_status=after.http_status,
        correlation_id=after.correlation_id,
    )


def refresh_failed_after_401(failed: HubSpotError) -> HubSpotError:
    """What a failed refresh means when it followed a 401 on an API call.

    HubSpot's rule: 401 + a refused refresh = the app was uninstalled (`UNINSTALLED`). Refused
    means the token endpoint answered 4xx about the grant; not a 429, not wrong app credentials
    (fixing the secret is the remedy there), not a failure that never got an answer (those are
    returned as they are).
    """
    if isinstance(failed, ReauthorizeRequired):
        return failed
    status = failed.http_status
    if status is None or not 400 <= status < 500 or status == 429:
        return failed
    if isinstance(failed, ClientCredentialsError | RateLimited):
        return failed
    return uninstalled(failed)


def token_rejected(after: HubSpotError) -> ReauthorizeRequired:
    """The verdict for "HubSpot still answers 401 with a freshly refreshed access token"."""
    return ReauthorizeRequired(
        "HubSpot did not accept the access token even after a refresh: the account's grant "
        "was revoked",
        _REAUTHORIZE_ACTION,
        code="TOKEN_REJECTED",
        http_status=after.http_status,
        correlation_id=after.correlation_id,
    )


def bad_stored_token(what: str) -> ReauthorizeRequired:
    """A stored `what` ("access token", "refresh token") is unusable; it is never sent."""
    return ReauthorizeRequired(
        f"The stored {what} is damaged (not printable ASCII without spaces), so hubspot-tui "
        "does not send it: treat the grant as revoked",
        _REAUTHORIZE_ACTION,
        code="BAD_STORED_TOKEN",
    )


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
