"""The OAuth half of the sandbox: authorize pages, the token endpoints, token metadata.

Handlers take the shared state, the parsed request and the route's path parameters, and return a
`Response`. Behaviour follows `/work/shared/hubspot-api.md` §1-§3 and §9: error pages instead of
redirects for a bad client or redirect URL, no redirect at all on deny, single-use auth codes,
form-encoded token requests only, HTTP 400 with `status`/`error` codes for every refused grant.
"""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit, urlunsplit

from tui.sandbox import pages
from tui.sandbox.accounts import DEMO_USER, SandboxAccount
from tui.sandbox.state import AccessRecord, GrantError, RefreshRecord, SandboxState, same
from tui.sandbox.wire import (
    Request,
    Response,
    encode_query,
    html_response,
    json_response,
    oauth_error,
)

CHOOSE_PATH = "/oauth/authorize/choose"
"""Where the account chooser's forms post."""

AUTHORIZE_FIELDS = (
    "client_id",
    "redirect_uri",
    "scope",
    "optional_scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
"""Authorize parameters the chooser carries through to its form as hidden fields."""

_DATED = frozenset({"v3", "2026-03", "2026-09"})


def split_scopes(value: str | None) -> list[str]:
    """Split a scope parameter on spaces (`%20`) or `+`, dropping blanks and duplicates."""
    if not value:
        return []
    return list(dict.fromkeys(value.replace("+", " ").split()))


def _authorize_problem(state: SandboxState, params: dict[str, str]) -> str | None:
    """Why these authorize parameters cannot be honoured, or None when they can."""
    client_id = params.get("client_id", "")
    if not client_id:
        return "Authorization failed because the client_id parameter is missing."
    if not same(client_id, state.app.client_id):
        return f"Authorization failed because no app has the client ID '{client_id}'."
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri:
        return "Authorization failed because the redirect_uri parameter is missing."
    if not state.redirect_registered(redirect_uri):
        return (
            f"Authorization failed as the redirect URL '{redirect_uri}' doesn't match the app's "
            "registered redirect URL"
        )
    if not split_scopes(params.get("scope")):
        return "Authorization failed because the scope parameter is missing or empty."
    method = params.get("code_challenge_method", "S256") or "S256"
    if params.get("code_challenge") and method != "S256":
        return "Authorization failed because code_challenge_method must be S256."
    return None


def _fail(request: Request, message: str) -> Response:
    """An error answer that goes nowhere: an HTML page, or `{"error": ...}` for JSON clients."""
    if request.wants_json:
        return json_response(400, {"error": message})
    return html_response(400, pages.error_page("Authorization failed", message))


def authorize(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`GET /oauth/authorize` and `GET /oauth/{hubId}/authorize`: the account chooser."""
    params = {k: v for k in AUTHORIZE_FIELDS if (v := request.param(k)) is not None}
    problem = _authorize_problem(state, params)
    if problem:
        return _fail(request, problem)
    with state.lock:
        accounts = list(state.accounts)
    pinned = args.get("hub_id")
    if pinned is not None:
        accounts = [a for a in accounts if str(a.hub_id) == pinned]
        if not accounts:
            return _fail(
                request, f"Authorization failed because you don't have access to account {pinned}."
            )
    if request.wants_json:
        return json_response(
            200,
            {
                "accounts": [
                    {
                        "hub_id": a.hub_id,
                        "name": a.name,
                        "account_type": a.account_type,
                        "hub_domain": a.hub_domain,
                        "region": a.data_hosting_location,
                    }
                    for a in accounts
                ],
                "choose_url": CHOOSE_PATH,
                "fields": params,
            },
        )
    page = pages.choose_page(
        accounts=accounts,
        fields=params,
        choose_url=CHOOSE_PATH,
        required=split_scopes(params.get("scope")),
        optional=split_scopes(params.get("optional_scope")),
    )
    return html_response(200, page)


def choose(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`POST /oauth/authorize/choose`: approve (302 with a code) or deny (no redirect)."""
    form = request.form()
    if form is None:
        return _fail(request, "Authorization failed because the form could not be read.")
    problem = _authorize_problem(state, form)
    if problem:
        return _fail(request, problem)
    hub_text = form.get("hub_id", "")
    account = state.find_account(int(hub_text)) if hub_text.isdigit() else None
    if account is None:
        return _fail(request, f"Authorization failed because there is no account '{hub_text}'.")
    decision = form.get("decision", "approve")
    if decision == "deny":
        # HubSpot sends nothing to the app when the user declines (DOC-QS): no redirect.
        if request.wants_json:
            return json_response(200, {"connected": False, "hub_id": account.hub_id})
        return html_response(200, pages.denied_page(account))
    if decision != "approve":
        return _fail(request, "Authorization failed because the decision is not understood.")
    required = split_scopes(form.get("scope"))
    blocked = [s for s in required if not account.can_grant(s)]
    if blocked:
        return _fail(request, _insufficient(account, blocked))
    optional = split_scopes(form.get("optional_scope"))
    granted = tuple(dict.fromkeys(required + [s for s in optional if account.can_grant(s)]))
    redirect_uri = form["redirect_uri"]
    code = state.issue_code(
        client_id=form["client_id"],
        redirect_uri=redirect_uri,
        hub_id=account.hub_id,
        scopes=granted,
        code_challenge=form.get("code_challenge", ""),
    )
    pairs = [("code", code)]
    if "state" in form:
        pairs.append(("state", form["state"]))
    response = Response(302, b"", "")
    response.headers += [
        ("Location", _with_query(redirect_uri, pairs)),
        ("Cache-Control", "no-store"),
    ]
    return response


def _insufficient(account: SandboxAccount, blocked: list[str]) -> str:
    return (
        "Authorization failed because the provided scopes are insufficient: "
        f"{account.name} (ID {account.hub_id}) can't grant {', '.join(blocked)}. "
        "Ask the app developer to request these as optional scopes, or choose another account."
    )


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    """`url` with `pairs` appended to its query string, percent-encoded."""
    parts = urlsplit(url)
    extra = encode_query(pairs)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _client_problem(state: SandboxState, form: dict[str, str]) -> str | None:
    """BAD_CLIENT_ID / BAD_CLIENT_SECRET when the client does not authenticate, else None."""
    if not same(form.get("client_id", ""), state.app.client_id):
        return "BAD_CLIENT_ID"
    if not same(form.get("client_secret", ""), state.app.client_secret):
        return "BAD_CLIENT_SECRET"
    return None


def token(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`POST /oauth/{v1,v3,2026-03}/token`: the authorization_code and refresh_token grants."""
    version = args["version"]
    form = request.form()
    if form is None:
        return oauth_error(
            "INVALID_REQUEST", "the token endpoint accepts only application/x-www-form-urlencoded"
        )
    in_query = [k for k in ("client_secret", "refresh_token") if k in request.query]
    if version in _DATED and in_query:
        return oauth_error(
            "INVALID_REQUEST", f"{', '.join(in_query)} must be sent in the body, not the query"
        )
    for key in in_query:  # v1 still reads these two from the query string (legacy)
        form.setdefault(key, request.param(key) or "")
    grant_type = form.get("grant_type", "")
    if grant_type not in ("authorization_code", "refresh_token"):
        return oauth_error("BAD_GRANT_TYPE")
    problem = _client_problem(state, form)
    if problem:
        return oauth_error(problem)
    try:
        if grant_type == "authorization_code":
            record = state.exchange_code(
                client_id=form["client_id"],
                code=form.get("code", ""),
                redirect_uri=form.get("redirect_uri", ""),
                code_verifier=form.get("code_verifier", ""),
            )
        else:
            record = state.refresh(
                client_id=form["client_id"], refresh_token=form.get("refresh_token", "")
            )
    except GrantError as exc:
        return oauth_error(exc.code)
    payload: dict[str, object] = {
        "token_type": "bearer",
        "refresh_token": record.refresh_token,
        "access_token": record.token,
        "expires_in": state.token_lifetime,
    }
    if version in _DATED:
        payload.update(
            token_use="access_token",
            hub_id=record.hub_id,
            user_id=record.user_id,
            scopes=list(record.scopes),
        )
    response = json_response(200, payload)
    response.headers.append(("Cache-Control", "no-store"))
    return response


def _scope_pks(scopes: tuple[str, ...]) -> list[int]:
    # HubSpot reports an internal scope-group id per scope; stable fake ids keep bodies realistic.
    return [zlib.crc32(s.encode()) % 900 + 100 for s in scopes]


def _without_empty_domain(info: dict[str, object]) -> dict[str, object]:
    # `hub_domain` is optional in every token-info schema: an account without one omits it.
    if not info.get("hub_domain"):
        del info["hub_domain"]
    return info


def _access_info(state: SandboxState, record: AccessRecord) -> dict[str, object]:
    account = state.find_account(record.hub_id)
    remaining = max(0, int(record.expires_at - state.clock()))
    info: dict[str, object] = {
        "token": record.token,
        "user": DEMO_USER,
        "hub_domain": account.hub_domain if account else "",
        "scopes": list(record.scopes),
        "scope_to_scope_group_pks": _scope_pks(record.scopes),
        "trial_scopes": [],
        "trial_scope_to_scope_group_pks": [],
        "hub_id": record.hub_id,
        "app_id": state.app.app_id,
        "expires_in": remaining,
        "user_id": record.user_id,
        "token_type": "access",
        "is_private_distribution": False,
    }
    return _without_empty_domain(info)


def _refresh_info(state: SandboxState, record: RefreshRecord) -> dict[str, object]:
    account = state.find_account(record.hub_id)
    info: dict[str, object] = {
        "token": record.token,
        "user": DEMO_USER,
        "hub_domain": account.hub_domain if account else "",
        "scopes": list(record.scopes),
        "hub_id": record.hub_id,
        "client_id": record.client_id,
        "user_id": record.user_id,
        "token_type": "refresh",
    }
    return _without_empty_domain(info)


def access_token_info(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`GET /oauth/v1/access-tokens/{token}`: metadata of a live access token."""
    record = state.access_record(args["token"])
    if record is None or not state.is_live(record):
        return oauth_error("BAD_ACCESS_TOKEN")
    return json_response(200, _access_info(state, record))


def refresh_token_info(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`GET /oauth/v1/refresh-tokens/{token}`: metadata of a live refresh token."""
    record = state.refresh_record(args["token"])
    if record is None:
        return oauth_error("BAD_REFRESH_TOKEN")
    return json_response(200, _refresh_info(state, record))


def delete_refresh_token(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`DELETE /oauth/v1/refresh-tokens/{token}`: 204, whether or not the token was live."""
    state.revoke_refresh(args["token"])
    return Response(204, b"", "")


def _client_form(state: SandboxState, request: Request) -> dict[str, str] | Response:
    """The form of an introspect/revoke call once the client authenticated, else the error."""
    form = request.form()
    if form is None:
        return oauth_error("INVALID_REQUEST", "expected an application/x-www-form-urlencoded body")
    problem = _client_problem(state, form)
    if problem:
        return oauth_error(problem)
    if not form.get("token"):
        return oauth_error("INVALID_REQUEST", "missing token")
    return form


def introspect(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`POST /oauth/{v3,2026-03}/token/introspect`: full info with `active`, or inactive."""
    form = _client_form(state, request)
    if isinstance(form, Response):
        return form
    value = form["token"]
    access = state.access_record(value)
    if access is not None and state.is_live(access) and access.client_id == form["client_id"]:
        info = _access_info(state, access)
        info.update(
            active=True,
            client_id=access.client_id,
            token_use="access_token",
            signed_access_token=_signed(state, access),
        )
        return json_response(200, info)
    refresh = state.refresh_record(value)
    if refresh is not None and refresh.client_id == form["client_id"]:
        info = _refresh_info(state, refresh)
        info.update(active=True, app_id=state.app.app_id, token_use="refresh_token")
        return json_response(200, info)
    return json_response(200, {"active": False})


def _signed(state: SandboxState, record: AccessRecord) -> dict[str, object]:
    account = state.find_account(record.hub_id)
    return {
        "appId": state.app.app_id,
        "hubId": record.hub_id,
        "userId": record.user_id,
        "installingUserId": record.user_id,
        "expiresAt": int(record.expires_at * 1000),
        "hublet": account.data_hosting_location if account else "na1",
        "isPrivateDistribution": False,
        "isServiceAccount": False,
        "isUserLevel": False,
        "scopes": list(record.scopes),
        "scopeToScopeGroupPks": _scope_pks(record.scopes),
        "trialScopes": [],
        "trialScopeToScopeGroupPks": [],
        # A checksum, not a real signature: nothing here can be replayed as a credential.
        "signature": f"{zlib.crc32(record.token.encode()):08x}",
        "newSignature": "",
    }


def revoke(state: SandboxState, request: Request, args: dict[str, str]) -> Response:
    """`POST /oauth/{v3,2026-03}/token/revoke`: 200 `{}`; a refresh token takes its access ones."""
    form = _client_form(state, request)
    if isinstance(form, Response):
        return form
    value = form["token"]
    refresh = state.refresh_record(value)
    if refresh is not None and refresh.client_id == form["client_id"]:
        state.revoke_refresh(value)
    else:
        access = state.access_record(value)
        if access is not None and access.client_id == form["client_id"]:
            state.revoke_access(value)
    # RFC 7009: an unknown token is not an error; the caller's goal (token dead) is met.
    return json_response(200, {})
