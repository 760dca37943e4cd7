"""`HubSpotClient`: the few HubSpot calls hubspot-tui makes, over one shared httpx client.

- One `httpx.AsyncClient` per `HubSpotClient`, built on first use: building one loads the CA
  bundle (≈15 ms), which has no business on the start-up path. httpx itself is imported lazily
  too, so importing this module costs nothing until a request is made.
- Secrets travel only in form bodies (token endpoints) or the `Authorization` header (API
  calls); never in a URL, a message or a log line.
- Idempotent calls are retried on 429, 5xx, timeouts and broken connections. The code exchange
  is retried only when the connection was never made: an auth code is single-use, so a second
  attempt after HubSpot may have consumed it would turn a transient error into BAD_AUTH_CODE.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui.hubspot import parse
from tui.hubspot.attempt_failure import (
    FailedAttempt,
    maybe_sent,
    network_error,
    scrubbed,
    timed_out,
    too_large,
)
from tui.hubspot.errors import (
    AuthenticationError,
    Forbidden,
    HubSpotError,
    MissingScopes,
    NetworkError,
    RateLimited,
    UnexpectedResponse,
)
from tui.hubspot.http_io import read_capped, tls_context
from tui.hubspot.models import (
    Access,
    AccountDetails,
    ProbeResult,
    RateLimit,
    TokenGrant,
    TokenInfo,
)
from tui.hubspot.origins import base_url_problem, origin_of, require_base
from tui.hubspot.refusals import refuse_damaged_tokens

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

_TOKEN_VERSION_RE = re.compile(r"v1|v3|\d{4}-\d{2}")
_OBJECT_TYPE_RE = re.compile(r"[a-z0-9_]{1,64}")
_USER_AGENT = "hubspot-tui/0.1"


_SECRET_FIELDS = frozenset({"client_secret", "code", "refresh_token", "token", "code_verifier"})
_PROBE_LABELS = {"products": "Products", "line_items": "Line items"}


class HubSpotClient:
    """Async client for HubSpot's OAuth, account and CRM endpoints used by hubspot-tui.

    Args:
        api_base: the API origin (override it to talk to a fake server).
        token_version: token endpoint version: "v3" (default), "v1" or a date ("2026-03").
        timeout: per-request timeout in seconds.
        transport: an httpx transport (tests pass `httpx.MockTransport`).
        max_retries: retries after the first attempt for retryable failures.
        max_wait: the longest wait between retries, in seconds; a 429 asking for longer
            (`Retry-After`) is not retried early but raised, its action naming the wait.
        sleep: awaited between retries (tests pass a recorder).
        clock: Unix time, for token expiry.

    Attributes:
        last_rate_limit: the `X-HubSpot-RateLimit-*` headers of the latest response that had them.

    Raises:
        ValueError: `token_version` is not "v1", "v3" or "YYYY-MM".
    """

    def __init__(
        self,
        api_base: str = "https://api.hubapi.com",
        *,
        token_version: str = "v3",
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 3,
        max_wait: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not _TOKEN_VERSION_RE.fullmatch(token_version):
            raise ValueError(
                f"token_version must be 'v1', 'v3' or 'YYYY-MM', not {token_version!r}"
            )
        self._api_base = api_base.rstrip("/")
        self._base_problem = base_url_problem(self._api_base)
        self._host = urlsplit(self._api_base).hostname or self._api_base
        self._token_path = f"/oauth/{token_version}/token"
        self._timeout = timeout
        self._transport = transport
        self._max_retries = max(0, max_retries)
        self._max_wait = max(0.0, max_wait)
        self._sleep = sleep
        self._clock = clock
        self._http: httpx.AsyncClient | None = None
        self.last_rate_limit = RateLimit()

    @property
    def origin(self) -> str:
        """The API origin this client talks to (`scheme://host[:port]`)."""
        return origin_of(self._api_base)

    @property
    def total_budget(self) -> float:
        """The longest one call may take, all attempts and waits included (seconds)."""
        return self._timeout * (1 + self._max_retries) + self._max_wait

    def __repr__(self) -> str:
        return f"HubSpotClient(api_base={self._api_base!r}, token_path={self._token_path!r})"

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx  # deferred: ≈20 ms of import kept off start-up

            from tui.hubspot import redact

            redact.install()

            self._http = httpx.AsyncClient(
                base_url=self._api_base,
                timeout=httpx.Timeout(self._timeout),
                verify=tls_context(),
                transport=self._transport,
                follow_redirects=False,
                headers={
                    "User-Agent": _USER_AGENT,
                    "Accept": "application/json",
                    "Connection": "keep-alive",
                },
            )
        return self._http

    async def aclose(self) -> None:
        """Close the shared HTTP client (a later call builds a new one)."""
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    # -- OAuth ---------------------------------------------------------------------------------

    async def exchange_code(
        self,
        *,
        client_id: str,
        client_secret: str,
        code: str,
        redirect_uri: str,
        code_verifier: str | None,
    ) -> TokenGrant:
        """Trade an authorization code for tokens (`grant_type=authorization_code`).

        Never retried once the request may have reached HubSpot: the code is single-use.

        Raises:
            HubSpotError: AuthCodeError, RedirectMismatch, ClientCredentialsError, NetworkError, …
        """
        form = {
            "grant_type": "authorization_code",
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "code": code,
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        data = await self._json(
            "POST",
            self._token_path,
            context=parse.CTX_EXCHANGE,
            form=form,
            idempotent=False,
            redirect_uri=redirect_uri,
        )
        return self._stamped(parse.parse_token_response(data, now=self._clock()))

    async def refresh(
        self, *, client_id: str, client_secret: str, refresh_token: str
    ) -> TokenGrant:
        """Get a new access token; keeps `refresh_token` when HubSpot returns none.

        Raises:
            HubSpotError: RefreshTokenRevoked, ClientCredentialsError, NetworkError, …
        """
        form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
        }
        data = await self._json("POST", self._token_path, context=parse.CTX_REFRESH, form=form)
        grant = parse.parse_token_response(data, now=self._clock(), old_refresh_token=refresh_token)
        return self._stamped(grant)

    def _stamped(self, grant: TokenGrant) -> TokenGrant:
        """The grant with its tokens marked as issued by this client's API origin."""
        tokens = dataclasses.replace(grant.tokens, api_origin=self.origin)
        return dataclasses.replace(grant, tokens=tokens)

    async def introspect(
        self, *, client_id: str, client_secret: str, access_token: str
    ) -> TokenInfo:
        """Which account, user and scopes an access token belongs to.

        Always `POST /oauth/v3/token/introspect`: the v1 metadata call puts the token in the URL.
        """
        form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "token": access_token,
            "token_type_hint": "access_token",
        }
        data = await self._json(
            "POST", "/oauth/v3/token/introspect", context=parse.CTX_INTROSPECT, form=form
        )
        return parse.parse_token_info(data)

    async def revoke(self, *, client_id: str, client_secret: str, refresh_token: str) -> None:
        """Revoke a refresh token (`POST /oauth/v3/token/revoke`); any 2xx is success.

        Raises:
            HubSpotError: e.g. RefreshTokenRevoked when HubSpot no longer knows the token.
        """
        form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "token": refresh_token,
            "token_type_hint": "refresh_token",
        }
        await self._send("POST", "/oauth/v3/token/revoke", context=parse.CTX_REVOKE, form=form)

    # -- API -----------------------------------------------------------------------------------

    async def account_details(self, access_token: str) -> AccountDetails:
        """`GET /account-info/v3/details`: portal id, account type, region.

        Raises:
            HubSpotError: AuthenticationError (refresh and retry), MissingScopes, NetworkError, …
        """
        data = await self._json(
            "GET", "/account-info/v3/details", context=parse.CTX_ACCOUNT, bearer=access_token
        )
        return parse.parse_account_details(data)

    async def probe(
        self, access_token: str, object_type: str, *, strict: bool = False
    ) -> ProbeResult:
        """Can this token read `object_type` ("products" or "line_items")? One record, at most.

        Args:
            access_token: the bearer token.
            object_type: "products" or "line_items".
            strict: raise failures that say nothing about access (network, 5xx, 429, garbage)
                instead of returning ERROR, so a re-check can keep the last good answer.

        Returns:
            OK with the count and `has_more`; MISSING_SCOPE naming the scopes; FORBIDDEN for a
            plan/seat refusal; ERROR for anything else (unless `strict`).

        Raises:
            AuthenticationError: the token is expired or invalid; refresh it and probe again.
            HubSpotError: with `strict`, any failure that is not an answer about access.
            ValueError: `object_type` is not a plain object type name.
        """
        if not _OBJECT_TYPE_RE.fullmatch(object_type):
            raise ValueError(f"not an object type: {object_type!r}")
        label = _PROBE_LABELS.get(object_type, object_type)
        try:
            data = await self._json(
                "GET",
                f"/crm/v3/objects/{object_type}",
                context=f"{label} check",
                bearer=access_token,
                params={"limit": "1"},
            )
            count, has_more = parse.parse_collection(data)
        except AuthenticationError:
            raise
        except MissingScopes as exc:
            scope = f"crm.objects.{object_type}.read"
            named = ", ".join(exc.scopes) if exc.scopes else f"{scope} or e-commerce"
            return ProbeResult(
                Access.MISSING_SCOPE,
                required_scopes=exc.scopes,
                message=f"The token lacks the scope to read {label} (HubSpot asks for {named}): "
                f"add {scope} (or e-commerce) to the scopes and re-authorize",
            )
        except Forbidden as exc:
            return ProbeResult(
                Access.FORBIDDEN,
                required_scopes=exc.scopes,
                message=f"HubSpot refused: this account's plan or your seat doesn't allow {label} "
                "(a paid Sales Hub seat is needed)",
            )
        except HubSpotError as exc:
            if strict:
                raise
            return ProbeResult(Access.ERROR, message=exc.message)
        return ProbeResult(Access.OK, count=count, has_more=has_more)

    # -- plumbing ------------------------------------------------------------------------------

    async def _json(
        self,
        method: str,
        path: str,
        *,
        context: str,
        form: Mapping[str, str] | None = None,
        bearer: str | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = True,
        redirect_uri: str = "",
    ) -> Any:
        body = await self._send(
            method,
            path,
            context=context,
            form=form,
            bearer=bearer,
            params=params,
            idempotent=idempotent,
            redirect_uri=redirect_uri,
        )
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise UnexpectedResponse(
                f"HubSpot's answer to the {context} is not JSON",
                "Check the API base URL; if it is right, try again later",
                code="NOT_JSON",
            ) from None

    async def _send(
        self,
        method: str,
        path: str,
        *,
        context: str,
        form: Mapping[str, str] | None = None,
        bearer: str | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = True,
        redirect_uri: str = "",
    ) -> bytes:
        """Send with retries; return the body of a 2xx answer or raise the mapped error.

        Each attempt is bounded as a whole by `timeout` (connect, send and the entire answer,
        so a server trickling one byte at a time is given up on); the waits between attempts
        add up to at most `max_wait`. A call therefore ends within `total_budget`.
        """
        if self._base_problem:
            # Refused before a byte is sent: a plain-http base would carry secrets in clear.
            require_base(self._api_base, "The API base")
        refuse_damaged_tokens(bearer, form)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
        secrets = [v for k, v in (form or {}).items() if k in _SECRET_FIELDS]
        if bearer:
            secrets.append(bearer)
        self._client()  # built outside the deadline: loading the CA bundle is not the server's time
        attempt, waited = 0, 0.0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(self._timeout):
                    return await self._once(
                        method, path, context, form, headers, params, redirect_uri
                    )
            except TimeoutError:
                failed = FailedAttempt(self._timed_out(), sent=True)
            except FailedAttempt as caught:
                failed = caught
            error = failed.error
            retry = error.retryable and attempt <= self._max_retries
            if not idempotent and failed.sent:
                retry = False
            if isinstance(error, RateLimited) and error.retry_after > self._max_wait:
                # HubSpot asked for a longer wait than we will sit through: retrying early
                # only earns another 429 (and counts against the app's error rate).
                retry = False
            if not retry:
                raise scrubbed(error, secrets) from None
            if isinstance(error, RateLimited):
                wait = error.retry_after
            else:
                wait = min(0.2 * attempt, self._max_wait)
            if waited + wait > self._max_wait:
                raise scrubbed(error, secrets) from None  # the call's budget is spent
            waited += wait
            log.debug("%s %s: %s; retry %d in %.1f s", method, path, error.code, attempt, wait)
            await self._sleep(wait)

    async def _once(
        self,
        method: str,
        path: str,
        context: str,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None,
        redirect_uri: str,
    ) -> bytes:
        import httpx  # already loaded by _client(): a dict lookup

        client = self._client()
        try:
            request = client.build_request(method, path, data=form, headers=headers, params=params)
            response = await client.send(request, stream=True)
            try:
                body, whole = await read_capped(response)
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise FailedAttempt(self._network_error(exc), sent=maybe_sent(exc)) from None
        except httpx.InvalidURL:
            raise FailedAttempt(
                NetworkError(
                    f"The HubSpot API address is not a valid URL: {self._api_base}",
                    "Fix the API base URL in settings",
                    code="BAD_URL",
                ),
                sent=False,
            ) from None
        limits = parse.parse_rate_limit(response.headers)
        if limits != RateLimit():
            self.last_rate_limit = limits
        log.debug("%s %s -> %d", method, path, response.status_code)
        if 200 <= response.status_code < 300:
            if not whole:
                raise FailedAttempt(too_large(context), sent=True)
            return body
        raise FailedAttempt(
            parse.error_from_response(
                response.status_code,
                response.headers,
                body if whole else b"",
                context=context,
                redirect_uri=redirect_uri,
                now=self._clock(),
            ),
            sent=True,
        )

    def _timed_out(self) -> NetworkError:
        return timed_out(self._host, self._timeout)

    def _network_error(self, exc: Exception) -> NetworkError:
        return network_error(exc, host=self._host, api_base=self._api_base, timeout=self._timeout)
