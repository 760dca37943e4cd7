"""Typed HubSpot errors: each carries a one-line human message and the next action.

Every failure the HubSpot layer can meet (OAuth `status`/`error` codes, the standard error envelope,
401s, 403s, 429s, 5xx, timeouts, garbage bodies) becomes one of these. The CLI prints
`message` and `action`; the screens show them. None of them ever holds a secret: messages are built
from HubSpot's codes and our own words, and HubSpot's free text is cut to one short line.
"""

from __future__ import annotations


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

    def __init__(self, message: str, action: str = "", *, retry_after: float = 10.0,
                 policy: str = "", **kwargs: object) -> None:
        super().__init__(message, action, **kwargs)  # type: ignore[arg-type]
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


class MissingScopes(HubSpotError):
    """403 MISSING_SCOPES. `scopes` are the scopes HubSpot says are required."""

    def __init__(self, message: str, action: str = "", *, scopes: tuple[str, ...] = (),
                 **kwargs: object) -> None:
        super().__init__(message, action, **kwargs)  # type: ignore[arg-type]
        self.scopes = scopes


class Forbidden(HubSpotError):
    """403 of the legacy 'does not have proper permissions' kind: plan, seat or permission."""

    def __init__(self, message: str, action: str = "", *, scopes: tuple[str, ...] = (),
                 **kwargs: object) -> None:
        super().__init__(message, action, **kwargs)  # type: ignore[arg-type]
        self.scopes = scopes


class UnexpectedResponse(HubSpotError):
    """A response we could not make sense of (wrong JSON shape, missing fields, unknown status)."""


class CallbackError(HubSpotError):
    """The OAuth redirect could not be used: wrong/missing state, no code, port busy, timed out."""


class InputError(HubSpotError):
    """Something the user typed or pasted is not usable (bad client id, URL, scope list...)."""
