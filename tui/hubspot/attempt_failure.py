"""How one failed HTTP attempt is told: our words for an httpx failure, whether the request may
have reached HubSpot (which decides if it may be retried), and any echo of what we sent blanked.

Shared by `HubSpotClient` and `api_call`, which retry the same way. httpx is only imported when
a failure is being mapped (it is loaded by then).
"""

from __future__ import annotations

import re

from tui.hubspot.errors import HubSpotError, NetworkError, UnexpectedResponse
from tui.hubspot.http_io import MAX_BODY, connect_reason

NETWORK_ACTION = "Check the network connection (and any proxy), then try again"


class FailedAttempt(Exception):
    """One failed attempt, with whether the request can have reached the server."""

    def __init__(self, error: HubSpotError, *, sent: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.sent = sent


def timed_out(host: str, timeout: float) -> NetworkError:
    """An attempt that did not finish within `timeout` seconds."""
    return NetworkError(
        f"Could not reach HubSpot at {host}: timed out after {timeout:g} s",
        NETWORK_ACTION,
        code="TIMEOUT",
        retryable=True,
    )


def too_large(context: str) -> UnexpectedResponse:
    """A 2xx answer larger than `MAX_BODY`: reading it was stopped."""
    return UnexpectedResponse(
        f"HubSpot's answer to the {context} is larger than {MAX_BODY // (1 << 20)} MiB; "
        "hubspot-tui stopped reading it",
        "Check the API base URL (is it HubSpot?); if it is right, try again later",
        code="TOO_LARGE",
    )


def network_error(exc: Exception, *, host: str, api_base: str, timeout: float) -> NetworkError:
    """Our words for an httpx failure; httpx's own text is not shown (it may hold a URL)."""
    import httpx

    where = f"Could not reach HubSpot at {host}"
    if isinstance(exc, httpx.TimeoutException):
        return timed_out(host, timeout)
    if isinstance(exc, httpx.ConnectError):
        return NetworkError(
            f"{where}: {connect_reason(exc)}", NETWORK_ACTION, code="CONNECT", retryable=True
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return NetworkError(
            f"The connection to HubSpot at {host} broke off mid-answer",
            "Try again",
            code="CONNECTION_LOST",
            retryable=True,
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return NetworkError(
            f"The HubSpot API address must start with https:// (got {api_base})",
            "Fix the API base URL in settings",
            code="BAD_URL",
        )
    return NetworkError(f"{where}: {type(exc).__name__}", NETWORK_ACTION, code="NETWORK")


def maybe_sent(exc: Exception) -> bool:
    """False only when the failure certainly happened before any byte of the request left."""
    import httpx

    return not isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.UnsupportedProtocol
    )


def scrubbed(error: HubSpotError, secrets: list[str]) -> HubSpotError:
    """Blank out anything we sent that HubSpot's quoted text might echo back (belt and braces:
    the parsers already drop token-like runs, but a short code could slip through)."""
    for attr in ("message", "action"):
        text = getattr(error, attr)
        for secret in secrets:
            if len(secret) >= 8 and secret[:8] in text:
                text = re.sub(re.escape(secret[:8]) + r"[A-Za-z0-9_\-.~+/=]*", "…", text)
        setattr(error, attr, text)
    error.args = (error.message,)
    return error
