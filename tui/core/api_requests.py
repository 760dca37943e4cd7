"""Authenticated API requests for scripts: a fresh token, one retry after a 401, pagination.

UI-free and CLI-free: `tui.cli.token_api` turns these into `hubspot-tui api`; rendering is its job.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.hubspot.errors import HubSpotError, UnexpectedResponse, refresh_failed_after_401

if TYPE_CHECKING:
    from tui.hubspot.api_call import ApiResponse
    from tui.hubspot.client import HubSpotClient
    from tui.hubspot.models import TokenSet

TokenSource = Callable[[bool], Awaitable["TokenSet"]]
"""Gives the account's tokens; `True` forces a refresh (after HubSpot answered 401)."""

PAGES_MAX = 10_000
"""Most pages `paginate` follows: 1,000,000 records at HubSpot's 100 per page."""
RESULTS_BYTES_MAX = 256 << 20
"""Most page bytes `paginate` keeps in memory (256 MiB) before giving up."""


async def authenticated_call(
    client: HubSpotClient,
    tokens: TokenSource,
    method: str,
    path: str,
    *,
    params: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
) -> ApiResponse:
    """One request with a fresh token; on a 401, refresh once and retry once.

    HubSpot says a 401 is no proof that the token expired (a clock skew, a revoked token); one
    forced refresh settles it, and a second 401 is returned as it is. A refused refresh after
    the 401 raises `ReauthorizeRequired` (UNINSTALLED).

    Raises:
        HubSpotError: the token could not be had or refreshed, or no usable answer came.
    """
    from tui.hubspot.api_call import call  # lazily: it loads httpx

    current = await tokens(False)
    answer = await call(client, method, path, bearer=current.access_token, params=params, body=body)
    if answer.status == 401:
        try:
            current = await tokens(True)
        except HubSpotError as failed:
            # HubSpot's rule: a 401 followed by a refused refresh means the app was uninstalled.
            meaning = refresh_failed_after_401(failed)
            if meaning is failed:
                raise
            raise meaning from None
        answer = await call(
            client, method, path, bearer=current.access_token, params=params, body=body
        )
    return answer


@dataclass
class Pages:
    """What `paginate` gathered.

    Attributes:
        results: every page's `results`, in order.
        pages: how many pages were fetched.
        failed: the answer that stopped it early (a non-2xx), else None.
    """

    results: list[Any] = field(default_factory=list)
    pages: int = 0
    failed: ApiResponse | None = None


async def paginate(
    client: HubSpotClient,
    tokens: TokenSource,
    path: str,
    *,
    params: Sequence[tuple[str, str]] = (),
    pages_max: int = PAGES_MAX,
    bytes_max: int = RESULTS_BYTES_MAX,
) -> Pages:
    """GET `path` page after page, following `paging.next.after`, one request per page.

    The first request is sent as given (an `after` there starts mid-way); each next one is the
    same with `after` set to HubSpot's cursor. A non-2xx answer stops it: `Pages.failed` holds it.

    Raises:
        HubSpotError: UnexpectedResponse for a page that is not `{"results": [...]}` JSON, a
            cursor HubSpot repeats (it would loop for ever), or more than the page or byte
            bounds; anything `authenticated_call` raises.
    """
    base = [(k, v) for k, v in params if k != "after"]
    pages = Pages()
    seen: set[str] = set()
    total = 0
    cursor: str | None = None
    while True:
        query = list(params) if cursor is None else [*base, ("after", cursor)]
        answer = await authenticated_call(client, tokens, "GET", path, params=query)
        pages.pages += 1
        if answer.error is not None or not 200 <= answer.status < 300:
            pages.failed = answer
            return pages
        total += len(answer.body)
        if total > bytes_max:
            raise _bad(f"the pages add up to more than {bytes_max >> 20} MiB")
        results, cursor = _page(answer.body)
        pages.results.extend(results)
        if cursor is None:
            return pages
        if cursor in seen:
            raise _bad(f"HubSpot sent the cursor {cursor[:40]!r} twice (it would loop for ever)")
        if pages.pages >= pages_max:
            raise _bad(f"more than {pages_max} pages")
        seen.add(cursor)


def _page(body: bytes) -> tuple[list[Any], str | None]:
    """A page's `results` and its `paging.next.after` cursor (None on the last page)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _bad("a page is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise _bad('a page has no "results" list (is this a paged CRM endpoint?)')
    paging = data.get("paging")
    after = None
    if isinstance(paging, dict) and isinstance(paging.get("next"), dict):
        after = paging["next"].get("after")
    if after is None or after == "":
        return data["results"], None
    if not isinstance(after, str | int) or isinstance(after, bool):
        raise _bad("a page's paging.next.after is not a cursor")
    return data["results"], str(after)


def _bad(what: str) -> UnexpectedResponse:
    return UnexpectedResponse(
        f"--paginate stopped: {what}",
        "Fetch the pages one by one without --paginate, or narrow the request",
        code="PAGINATION",
    )
