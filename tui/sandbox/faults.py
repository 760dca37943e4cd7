"""Fault injection: make the sandbox misbehave the ways HubSpot and its proxies do.

Resilience tests queue faults on a path prefix; the server consults the injector before routing each
request. Faults apply in the order added, each to `times` matching requests (-1: forever).
"""

from __future__ import annotations

import enum
import http
import threading
from dataclasses import dataclass

from tui.sandbox.wire import (
    HTML_TYPE,
    JSON_TYPE,
    Response,
    error_response,
    json_response,
    new_correlation_id,
)

POLICY_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}
"""HubSpot's 429 `message` per `policyName`."""

POLICY_INTERVAL_MS = {
    "TEN_SECONDLY_ROLLING": 10_000,
    "SECONDLY": 1_000,
    "DAILY": 86_400_000,
}
"""The window each policy counts over, as `X-HubSpot-RateLimit-Interval-Milliseconds`."""

_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class FaultKind(enum.StrEnum):
    """What an injected fault does to a matching request."""

    STATUS = "status"
    """Answer a JSON error envelope with the fault's `status` (5xx by default)."""
    RATE_LIMIT = "rate_limit"
    """Answer 429 with the fault's `policy` and, if set, a `Retry-After` header."""
    DELAY = "delay"
    """Sleep `delay` seconds, then answer normally."""
    DROP = "drop"
    """Close the connection without sending anything."""
    TRUNCATE = "truncate"
    """Send the normal answer's headers, then half its body, then close."""
    HTML = "html"
    """Answer a 502 text/html proxy page."""
    BAD_JSON = "bad_json"
    """Answer 200 with a body that is not JSON."""


@dataclass
class Fault:
    """One queued fault (see `FaultInjector.add` for the fields)."""

    path_prefix: str
    kind: FaultKind
    times: int
    status: int
    retry_after: float | None
    policy: str
    delay: float
    hits: int = 0
    """How many requests this fault has hit so far."""

    @property
    def exhausted(self) -> bool:
        """True once the fault has hit `times` requests (never for `times=-1`)."""
        return self.times >= 0 and self.hits >= self.times


class FaultInjector:
    """A thread-safe queue of faults, matched by path prefix."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        path_prefix: str,
        kind: FaultKind,
        *,
        times: int = 1,
        status: int = 503,
        retry_after: float | None = None,
        policy: str = "TEN_SECONDLY_ROLLING",
        delay: float = 0.0,
    ) -> Fault:
        """Queue a fault.

        Args:
            path_prefix: requests whose path starts with this are hit (`/` hits everything).
            kind: what happens to them.
            times: how many matching requests to hit; -1 means every one.
            status: the HTTP status of a STATUS fault.
            retry_after: seconds for the `Retry-After` header of a RATE_LIMIT fault (omitted
                when None, as HubSpot documents none).
            policy: the `policyName` of a RATE_LIMIT fault (`TEN_SECONDLY_ROLLING`, `DAILY`...).
            delay: seconds a DELAY fault waits before answering.

        Returns:
            The queued fault; its `hits` counts requests it has hit.

        Raises:
            ValueError: on a nonsensical `times`, `status` or `delay`.
        """
        if times == 0 or times < -1:
            raise ValueError("times must be positive, or -1 for always")
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status")
        if delay < 0:
            raise ValueError("delay must not be negative")
        fault = Fault(path_prefix, FaultKind(kind), times, status, retry_after, policy, delay)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every queued fault."""
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """The faults still queued, oldest first."""
        with self._lock:
            return list(self._faults)

    def take(self, path: str) -> Fault | None:
        """The first queued fault matching `path`, counted as one hit; None when none matches."""
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path_prefix):
                    fault.hits += 1
                    if fault.exhausted:
                        self._faults.remove(fault)
                    return fault
        return None


def fault_response(fault: Fault) -> Response | None:
    """The canned answer of a STATUS, RATE_LIMIT, HTML or BAD_JSON fault.

    Returns:
        The response, or None for kinds the server carries out itself (DELAY, DROP, TRUNCATE).
    """
    if fault.kind is FaultKind.STATUS:
        phrase = _phrase(fault.status)
        category = "INTERNAL_ERROR" if fault.status >= 500 else "VALIDATION_ERROR"
        return error_response(fault.status, f"{phrase} (injected by the sandbox)", category)
    if fault.kind is FaultKind.RATE_LIMIT:
        return rate_limited(fault.policy, retry_after=fault.retry_after)
    if fault.kind is FaultKind.HTML:
        return Response(502, _BAD_GATEWAY_PAGE.encode("ascii"), HTML_TYPE)
    if fault.kind is FaultKind.BAD_JSON:
        # Looks like the start of a real answer, then garbage: a parser must reject it.
        return Response(200, b'{"results": [<!-- upstream error -->', JSON_TYPE)
    return None


def rate_limited(
    policy: str,
    *,
    retry_after: float | None = None,
    maximum: int = 100,
    interval_ms: int | None = None,
) -> Response:
    """HubSpot's 429 body and headers for `policy`.

    Args:
        policy: the `policyName` (e.g. `TEN_SECONDLY_ROLLING`, `DAILY`).
        retry_after: seconds for a `Retry-After` header; None sends none.
        maximum: the `X-HubSpot-RateLimit-Max` value.
        interval_ms: the window header; defaults to the policy's usual window.

    Returns:
        The response.
    """
    if interval_ms is None:
        interval_ms = POLICY_INTERVAL_MS.get(policy, 10_000)
    cid = new_correlation_id()
    message = POLICY_MESSAGES.get(policy, f"You have reached your {policy.lower()} limit.")
    response = json_response(
        429,
        {
            "status": "error",
            "message": message,
            "errorType": "RATE_LIMIT",
            "correlationId": cid,
            "policyName": policy,
            "category": "RATE_LIMITS",
        },
        correlation_id=cid,
    )
    response.headers += [
        ("X-HubSpot-RateLimit-Max", str(maximum)),
        ("X-HubSpot-RateLimit-Remaining", "0"),
        ("X-HubSpot-RateLimit-Interval-Milliseconds", str(interval_ms)),
    ]
    if retry_after is not None:
        response.headers.append(("Retry-After", f"{retry_after:g}"))
    return response


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
