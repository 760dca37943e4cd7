"""Any authenticated API request, answered whatever its status: the engine of `hubspot-tui api`.

A companion of `HubSpotClient` (it shares the client's httpx client, retry settings and error
mapping, hence the use of its private members from inside the package): the client's own calls
raise on a non-2xx answer, while a script wants the answer itself, HubSpot's body included.

The token only ever goes to the API base: `path` must be a plain path, and the URL httpx builds
from it is checked against the base's scheme, host and port before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.hubspot import parse
from tui.hubspot.attempt_failure import FailedAttempt, maybe_sent, scrubbed
from tui.hubspot.errors import HubSpotError, RateLimited, UnexpectedResponse
from tui.hubspot.models import RateLimit
from tui.hubspot.origins import require_base
from tui.hubspot.refusals import refuse_damaged_tokens

if TYPE_CHECKING:
    from tui.hubspot.client import HubSpotClient

API_BODY_MAX = 32 << 20
"""Largest response body accepted (32 MiB): a CRM page of 100 records is ~100 KiB."""

NON_IDEMPOTENT = frozenset({"POST", "PATCH"})
"""Methods retried only when the request certainly never left (a retry could act twice)."""


def is_api_path(path: str) -> bool:
    """True for a plain path on the API base (`/crm/v3/objects/products?limit=1`).

    False for anything that could send the token elsewhere or smuggle a request line: a URL with
    a scheme, a network-path reference (`//host`), backslashes, spaces or control characters.
    """
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and " " not in path
        and "#" not in path
        and path.isprintable()
        and len(path) <= 8192
    )


@dataclass(frozen=True)
class ApiResponse:
    """One API answer as it came: status line, headers, body, and our mapped error if not 2xx.

    Attributes:
        status: the HTTP status.
        reason: the reason phrase (`OK`, `Not Found`).
        http_version: e.g. `HTTP/1.1`.
        headers: the response headers in order, repeats kept.
        body: the body, decoded from any content encoding, at most `API_BODY_MAX` bytes.
        error: for a non-2xx answer, the same typed error (message + next action) every other
            call would raise; None for a 2xx.
    """

    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    error: HubSpotError | None = None


async def call(
    client: HubSpotClient,
    method: str,
    path: str,
    *,
    bearer: str,
    params: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    max_body: int = API_BODY_MAX,
) -> ApiResponse:
    """Send one request with the client's retries; return the final answer whatever its status.

    Retries what every other call retries (429 within the client's longest wait, 5xx,
    timeouts, broken connections); POST and PATCH only when they certainly never left.

    Args:
        client: the shared HubSpot client.
        method: the HTTP method, upper case.
        path: a path on the API base, query string allowed (see `is_api_path`).
        bearer: the access token.
        params: query parameters added after the path's own, in order (repeats allowed).
        body: the request body, sent as `application/json`.
        max_body: the largest response body accepted, in bytes.

    Raises:
        ValueError: `path` is not a plain path on the API base.
        HubSpotError: no usable answer (network failure, oversized body) after the retries.
    """
    if not is_api_path(path):
        raise ValueError(f"not a path on the API base: {path!r}")
    if client._base_problem:
        require_base(client._api_base, "The API base")  # nothing in clear over a network
    client._client()  # built outside the deadline (loading the CA bundle is not HubSpot's time)
    refuse_damaged_tokens(bearer, None)
    headers = {"Authorization": f"Bearer {bearer}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    context = f"{method} {path.partition('?')[0][:80]} request"
    idempotent = method not in NON_IDEMPOTENT
    attempt = 0
    while True:
        attempt += 1
        try:
            # Each attempt as a whole (connect, send, the entire answer) within the timeout, so
            # a server trickling its answer cannot hold the call.
            async with asyncio.timeout(client._timeout):
                answer = await _once(client, method, path, headers, params, body, max_body)
        except (FailedAttempt, TimeoutError) as caught:
            failed = (
                caught
                if isinstance(caught, FailedAttempt)
                else FailedAttempt(client._timed_out(), sent=True)
            )
            error = failed.error
            retry = error.retryable and attempt <= client._max_retries
            if not retry or (failed.sent and not idempotent):
                raise scrubbed(error, [bearer]) from None
            await client._sleep(min(0.2 * attempt, client._max_wait))
            continue
        if 200 <= answer.status < 300:
            return answer
        error = parse.error_from_response(
            answer.status, dict(answer.headers), answer.body, context=context, now=client._clock()
        )
        wait = error.retry_after if isinstance(error, RateLimited) else 0.2 * attempt
        retry = error.retryable and idempotent and attempt <= client._max_retries
        if retry and wait <= client._max_wait:
            await client._sleep(wait)
            continue
        return replace(answer, error=scrubbed(error, [bearer]))


async def _once(
    client: HubSpotClient,
    method: str,
    path: str,
    headers: Mapping[str, str],
    params: Sequence[tuple[str, str]],
    body: bytes | None,
    max_body: int,
) -> ApiResponse:
    import httpx  # already loaded by the client: a dict lookup

    http = client._client()
    request = http.build_request(method, path, content=body, headers=headers)
    if params:
        request.url = request.url.copy_with(
            query=_joined_query(request.url.query, params).encode("ascii")
        )
    base = httpx.URL(client._api_base)
    if (request.url.scheme, request.url.host, request.url.port) != (
        base.scheme,
        base.host,
        base.port,
    ):
        raise ValueError(f"not a path on the API base: {path!r}")
    try:
        response = await http.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_body:
                    raise FailedAttempt(
                        UnexpectedResponse(
                            f"HubSpot's answer is larger than {max_body >> 20} MiB",
                            "Ask for less at once (a smaller limit, fewer properties)",
                            code="TOO_LARGE",
                        ),
                        sent=True,
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
    except httpx.HTTPError as exc:
        raise FailedAttempt(client._network_error(exc), sent=maybe_sent(exc)) from None
    limits = parse.parse_rate_limit(response.headers)
    if limits != RateLimit():
        client.last_rate_limit = limits
    return ApiResponse(
        status=response.status_code,
        reason=response.reason_phrase,
        http_version=response.http_version,
        headers=tuple(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response.headers.raw
        ),
        body=b"".join(chunks),
    )


def _joined_query(existing: bytes, params: Sequence[tuple[str, str]]) -> str:
    """The path's own query string, then `params` percent-encoded (order and repeats kept)."""
    from urllib.parse import urlencode

    extra = urlencode(list(params))
    own = existing.decode("ascii", "replace")
    return f"{own}&{extra}" if own else extra
