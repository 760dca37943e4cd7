"""The install checklist, computed from stored state: pure functions, no I/O, no clock.

`build_status` turns a profile (plus what the store knows about secrets and token expiry) into the
eight checks of `CHECK_IDS`, each with a state, a one-line detail and the CLI command that fixes it.
Rules that need the HubSpot layer (scope lint, client id and redirect URI shape) are passed in as
callables, so this module imports neither Textual nor httpx nor those modules, and
`hubspot-tui status` stays fast. Nothing here ever sees the client secret or a token: only whether
one exists and when the access token expires.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Mapping, Sequence

from tui.core.profile import Profile
from tui.core.reasons import AUTH_DEAD, NO_SEAT_ADVICE, SECTION_OF, Reason, Section
from tui.core.vocabulary import CHECK_TITLES, STALE_AFTER, format_duration, iso_utc
from tui.hubspot.models import (
    CHECK_IDS,
    Access,
    AccountReport,
    AccountRole,
    Check,
    CheckState,
    InstallStatus,
    ProbeResult,
)

__all__ = ["CHECK_IDS", "STALE_AFTER", "TITLES", "build_status", "iso_utc", "status_to_json"]

OK, WARN, FAIL, TODO = CheckState.OK, CheckState.WARN, CheckState.FAIL, CheckState.TODO

TITLES: Mapping[str, str] = CHECK_TITLES
"""Row titles of the checklist, by check id (one list for both faces: core/vocabulary)."""

# The CLI commands the checks point to, in one place so the CLI and this list can't drift apart.
CMD = "hubspot-tui"
FIX_CONFIGURE = f"{CMD} configure --client-id ID --client-secret-stdin"
FIX_CLIENT_ID = f"{CMD} configure --client-id ID"
FIX_REDIRECT = f"{CMD} configure --redirect-uri URI"
FIX_LOGIN = f"{CMD} login"
FIX_CHECK = f"{CMD} status --check"
MAIN_HUB_PLACEHOLDER = "<MAIN_HUB_ID>"


_ROLE_PROBLEMS = {
    AccountRole.DEVELOPER: (
        "a developer account: it can't hold your installs or CRM data",
        Reason.DEVELOPER_ACCOUNT,
    ),
    AccountRole.TEST: (
        "a developer test account: a 90-day trial, not your production data",
        Reason.TEST_ACCOUNT,
    ),
    AccountRole.SANDBOX: (
        "a sandbox: a copy of production for testing, not the live account",
        Reason.SANDBOX_ACCOUNT,
    ),
}

_PROBE_SCOPES = {
    "products": "crm.objects.products.read",
    "line_items": "crm.objects.line_items.read",
}
"""The scope to suggest when a MISSING_SCOPE probe didn't name one."""


def _login(hub_id: int | str) -> str:
    return f"{FIX_LOGIN} --account {hub_id}"


def _use(hub_id: int) -> str:
    return f"{CMD} use {hub_id}"


def _set_scopes(
    required: Sequence[str] | None = None, optional: Sequence[str] | None = None
) -> str:
    """A `configure` command that sets the given scope lists (runnable as printed)."""
    parts = [f"{CMD} configure"]
    if required is not None:
        parts.append(f"--scopes {shlex.quote(' '.join(required))}")
    if optional is not None:
        parts.append(f"--optional-scopes {shlex.quote(' '.join(optional))}")
    return " ".join(parts)


def _check(
    check_id: str,
    state: CheckState,
    detail: str,
    fix: str = "",
    reason: Reason | None = None,
    section: Section | None = None,
) -> Check:
    """A checklist row; an unmet one carries its reason and the section that fixes it."""
    if state is OK:
        return Check(check_id, state, TITLES[check_id], detail)
    assert reason is not None, f"{check_id}: an unmet check needs a reason"
    where = section or SECTION_OF[reason]
    return Check(check_id, state, TITLES[check_id], detail, fix, reason.value, where.value)


def _label(account: AccountReport) -> str:
    """`44120003 (acme.com)`; without a domain, `44120003 (app.hubspot.com · STANDARD)`."""
    return f"{account.hub_id} ({account.display_name})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _auth_failed(account: AccountReport | None) -> bool:
    return account is not None and account.check_error_code in AUTH_DEAD


def _since(checked_at: float, now: float) -> str:
    """`last verified 5m ago`, or `never verified`."""
    if not checked_at or not math.isfinite(checked_at):
        return "never verified"
    return f"last verified {format_duration(max(0.0, now - checked_at))} ago"


def _main_elsewhere(profile: Profile, active: AccountReport | None) -> AccountReport | None:
    """Another authorized account that is MAIN, the one to switch to."""
    for hub_id in sorted(profile.accounts):
        account = profile.accounts[hub_id]
        if account.role is AccountRole.MAIN and account is not active:
            return account
    return None


def _credentials(
    profile: Profile, has_client_secret: bool, problem: Callable[[str], str | None] | None
) -> Check:
    client_id = profile.app.client_id.strip()
    if not client_id or not has_client_secret:
        detail = "Enter the app's Client ID and Client Secret"
        if client_id or has_client_secret:  # say which half is missing
            detail += " (Client Secret missing)" if client_id else " (Client ID missing)"
        return _check("credentials", TODO, detail, FIX_CONFIGURE, Reason.MISSING_CREDENTIALS)
    found = problem(client_id) if problem else None
    if found:
        detail = f"Client ID: {found}"
        return _check("credentials", FAIL, detail, FIX_CLIENT_ID, Reason.INVALID_CLIENT_ID)
    shown = client_id if len(client_id) <= 8 else client_id[:8] + "…"
    # The secret is never shown, not even masked: "stored" is all anyone needs to know.
    return _check("credentials", OK, f"Client ID {shown}; secret stored")


def _redirect(profile: Profile, problem: Callable[[str], str | None] | None) -> Check:
    uri = profile.app.effective_redirect_uri
    found = problem(uri) if problem else None
    if found:
        detail = f"{uri}: {found}"
        return _check("redirect_uri", FAIL, detail, FIX_REDIRECT, Reason.INVALID_REDIRECT_URI)
    detail = f"{uri} — register it on the app's Auth tab"
    if profile.app.partner_redirect_uri:
        detail += f" · platform: {profile.app.partner_redirect_uri}"
    return _check("redirect_uri", OK, detail)


def _scopes(
    profile: Profile,
    active: AccountReport | None,
    lint: Callable[[Sequence[str], Sequence[str]], Sequence[object]] | None,
) -> Check:
    app = profile.app
    findings = lint(app.scopes, app.optional_scopes) if lint else ()
    errors = [f for f in findings if str(getattr(f, "level", "")) == "error"]
    if errors:
        messages = [str(getattr(f, "message", "") or getattr(f, "scope", "")) for f in errors]
        more = f" (+{len(messages) - 3} more)" if len(messages) > 3 else ""
        # Today's lists to edit, minus every name lint refused: never suggest an unknown scope.
        bad = {str(getattr(f, "scope", "")) for f in errors} - {"", "oauth"}
        required = ["oauth", *(s for s in app.scopes if s not in bad and s != "oauth")]
        optional = [s for s in app.optional_scopes if s not in bad and s not in required]
        fix = _set_scopes(required, optional)
        return _check("scopes", FAIL, "; ".join(messages[:3]) + more, fix, Reason.INVALID_SCOPES)
    if active is not None and active.scopes_granted:
        configured = set(app.scopes) | set(app.optional_scopes)
        # Only scopes still configured count: one the user has since removed is no news.
        dropped = [s for s in active.scopes_missing if s in configured]
        if dropped:
            lacks = "it" if len(dropped) == 1 else "them"
            detail = f"HubSpot dropped {', '.join(dropped)} (the account lacks {lacks})"
            # Accept the loss by no longer asking for them (or authorize an account that has them).
            kept = [s for s in app.optional_scopes if s not in dropped]
            return _check("scopes", WARN, detail, _set_scopes(optional=kept), Reason.SCOPES_DROPPED)
        requested = set(active.scopes_requested)
        added = [s for s in (*app.scopes, *app.optional_scopes) if s not in requested]
        if requested and added:  # asked for more since this account was authorized
            detail = f"{', '.join(added)} added since {active.hub_id} was authorized: re-authorize"
            return _check("scopes", WARN, detail, _login(active.hub_id), Reason.SCOPES_ADDED)
    if not app.scopes_confirmed:
        detail = "Review the scopes; they must match the app's configuration"
        # Saving the required scopes confirms them; the command shows the current ones to edit.
        fix = _set_scopes(app.scopes, app.optional_scopes)
        return _check("scopes", TODO, detail, fix, Reason.SCOPES_UNCONFIRMED)
    return _check("scopes", OK, f"{len(app.scopes)} required, {len(app.optional_scopes)} optional")


def _authorized(profile: Profile, active: AccountReport | None, now: float) -> Check:
    count = _plural(len(profile.accounts), "account") + " authorized"
    if not profile.accounts:
        return _check(
            "authorized", TODO, "No account authorized yet", FIX_LOGIN, Reason.NOT_AUTHORIZED
        )
    if active is None:
        return _check("authorized", OK, f"{count}; none active")
    code = active.check_error_code
    if active.check_error or code:
        message = active.check_error or "the last check failed"
        if _auth_failed(active):
            detail = f"{active.hub_id}: {message} — authorize it again"
            return _check("authorized", FAIL, detail, _login(active.hub_id), Reason.TOKEN_REVOKED)
        if code == Reason.WRONG_ACCOUNT:
            detail = f"{active.hub_id}: {message} — authorize it again"
            return _check("authorized", FAIL, detail, _login(active.hub_id), Reason.WRONG_ACCOUNT)
        if code == Reason.NOT_IDENTIFIED:
            detail = f"Tokens kept, but the account is not identified yet: {message}"
            return _check("authorized", WARN, detail, FIX_CHECK, Reason.NOT_IDENTIFIED)
        # Not an auth failure (network, 5xx): the grant may be fine, so check again first. The
        # last good answers stay shown; say how old they are.
        detail = f"couldn't reach HubSpot: {message} — {_since(active.checked_at, now)}"
        return _check("authorized", WARN, detail, FIX_CHECK, Reason.CHECK_FAILED)
    if active.checked_at and now - active.checked_at > STALE_AFTER:
        when = iso_utc(active.checked_at) or "?"
        when = when.replace("T", " ").removesuffix("Z") + " UTC"
        detail = f"{active.hub_id} not verified since {when} ({_since(active.checked_at, now)})"
        return _check("authorized", WARN, detail, FIX_CHECK, Reason.NOT_VERIFIED_RECENTLY)
    return _check("authorized", OK, f"{count}; active {_label(active)}")


def _switch_or_login(
    profile: Profile, active: AccountReport | None
) -> tuple[str, str, Section | None]:
    """(guidance, fix, section) for getting onto the main account: switch to one, or authorize.

    The section is `accounts` when a MAIN account is already authorized (switch to it), else
    None: the reason's own section (authorize one).
    """
    main = _main_elsewhere(profile, active)
    if main is not None:
        return f"switch to {_label(main)}, the main account", _use(main.hub_id), Section.ACCOUNTS
    guidance = "authorize the main account (the one with Products)"
    return guidance, _login(MAIN_HUB_PLACEHOLDER), None


_ROLE_RANK = {AccountRole.MAIN: 0, AccountRole.STANDARD: 1, AccountRole.UNKNOWN: 2}


def _main_account(profile: Profile, active: AccountReport | None) -> Check:
    if active is None:
        guidance, fix, section = _switch_or_login(profile, None)
        reason = Reason.NOT_AUTHORIZED
        if profile.accounts:
            reason, section = Reason.NO_ACTIVE_ACCOUNT, Section.ACCOUNTS
        if profile.accounts and _main_elsewhere(profile, None) is None:
            # Accounts exist but none is known to be main: activate the likeliest one.
            best = min(
                profile.accounts.values(), key=lambda a: (_ROLE_RANK.get(a.role, 3), a.hub_id)
            )
            guidance, fix = f"pick one, e.g. {_label(best)}", _use(best.hub_id)
        detail = f"No active account: {guidance}"
        return _check("main_account", TODO, detail, fix, reason, section)
    label = _label(active)
    if active.role in _ROLE_PROBLEMS:
        guidance, fix, section = _switch_or_login(profile, active)
        problem, reason = _ROLE_PROBLEMS[active.role]
        detail = f"Active account {active.hub_id} is {problem}; {guidance}"
        return _check("main_account", FAIL, detail, fix, reason, section)
    if active.role is AccountRole.STANDARD and active.products.access is Access.FORBIDDEN:
        # Not "without Products": they can't be read until the installing user has a seat.
        detail = f"Active account {label} is STANDARD; its Products can't be read without a seat"
        return _check("main_account", WARN, detail, FIX_CHECK, Reason.NO_SEAT)
    if active.role is AccountRole.STANDARD:
        guidance, fix, section = _switch_or_login(profile, active)
        detail = f"Active account {label} is STANDARD without Products; if it isn't the main one, "
        return _check("main_account", WARN, detail + guidance, fix, Reason.NO_PRODUCTS, section)
    if active.role is AccountRole.UNKNOWN:
        if not active.checked_at:
            detail = f"Active account {label} hasn't been checked yet"
            return _check("main_account", WARN, detail, FIX_CHECK, Reason.NOT_CHECKED)
        detail = f"Active account {label} has an unknown account type"
        return _check("main_account", WARN, detail, FIX_CHECK, Reason.UNKNOWN_ACCOUNT_TYPE)
    name = active.portal_name or active.hub_domain
    named = f"{active.hub_id} {name}" if name else str(active.hub_id)
    detail = f"{named} is the main account ({active.account_type.value}, has Products)"
    return _check("main_account", OK, detail)


def _records(probe: ProbeResult) -> str:
    if probe.count is None:
        return ""
    return f"{probe.count}+ records" if probe.has_more else _plural(probe.count, "record")


def _probe(check_id: str, profile: Profile, active: AccountReport | None) -> Check:
    if active is None:
        return _check(
            check_id, TODO, "Authorize an account first", FIX_LOGIN, Reason.NOT_AUTHORIZED
        )
    probe: ProbeResult = getattr(active, check_id)
    noun = TITLES[check_id]
    if probe.access is Access.OK:
        if probe.count == 0 and not probe.has_more:
            if check_id == "products":
                # The connector syncs products: readable but empty is most likely the wrong account.
                detail = "readable, but there are none yet: add products in HubSpot, then re-check"
                return _check(check_id, WARN, detail, FIX_CHECK, Reason.NO_RECORDS)
            return _check(check_id, OK, "readable, none yet")
        records = _records(probe)
        return _check(check_id, OK, f"readable ({records})" if records else "readable")
    if probe.access is Access.MISSING_SCOPE:
        scopes = probe.required_scopes or (_PROBE_SCOPES[check_id],)
        app, named = profile.app, ", ".join(scopes)
        if set(scopes) <= {*app.scopes, *app.optional_scopes}:
            # Already asked for: the grant predates it, or HubSpot dropped it for this account.
            detail = f"{noun} need {named}, which the grant of {active.hub_id} lacks: re-authorize"
            fix = _login(active.hub_id)
            return _check(check_id, FAIL, detail, fix, Reason.MISSING_SCOPE, Section.OAUTH)
        optional = [*app.optional_scopes, *(s for s in scopes if s not in app.optional_scopes)]
        detail = f"{noun} need the scope {named}: add it and re-authorize"
        fix = f"{_set_scopes(optional=optional)} && {_login(active.hub_id)}"
        return _check(check_id, FAIL, detail, fix, Reason.MISSING_SCOPE)
    if probe.access is Access.FORBIDDEN:
        # The grant holds the scope (see probes.classify_refusal): only a seat/plan/permission
        # change in HubSpot fixes it, and a re-check confirms it.
        detail = f"HubSpot refused {noun.lower()} on {active.hub_id}: {NO_SEAT_ADVICE}"
        return _check(check_id, FAIL, detail, FIX_CHECK, Reason.NO_SEAT)
    if probe.access is Access.ERROR:
        detail = f"Couldn't read {noun.lower()}: {probe.message or 'the last check failed'}"
        return _check(check_id, WARN, detail, FIX_CHECK, Reason.CHECK_FAILED)
    return _check(check_id, TODO, f"{noun} not checked yet", FIX_CHECK, Reason.NOT_CHECKED)


def _token(active: AccountReport | None, token_expiry: Mapping[int, float], now: float) -> Check:
    if active is None:
        detail = "No token yet: authorize an account"
        return _check("token", TODO, detail, FIX_LOGIN, Reason.NOT_AUTHORIZED)
    if active.hub_id not in token_expiry:
        detail = f"No token stored for {active.hub_id}"
        return _check("token", TODO, detail, _login(active.hub_id), Reason.NO_TOKEN)
    if _auth_failed(active):
        detail = f"The refresh token of {active.hub_id} was revoked or is invalid"
        return _check("token", FAIL, detail, _login(active.hub_id), Reason.TOKEN_REVOKED)
    left = token_expiry[active.hub_id] - now
    if math.isfinite(left) and left > 0:
        return _check("token", OK, f"access token valid for {format_duration(left)}")
    # A stored refresh token renews it on the next API call: nothing for the user to do.
    return _check("token", OK, "access token expired; refreshes automatically on next use")


def build_status(
    profile: Profile,
    *,
    has_client_secret: bool,
    token_expiry: Mapping[int, float],
    now: float,
    lint: Callable[[Sequence[str], Sequence[str]], Sequence[object]] | None = None,
    client_id_problem: Callable[[str], str | None] | None = None,
    redirect_uri_problem: Callable[[str], str | None] | None = None,
) -> InstallStatus:
    """Compute the install checklist of a profile from stored state (no network).

    Args:
        profile: the profile (non-secret part).
        has_client_secret: whether a client secret is stored.
        token_expiry: `expires_at` (Unix seconds) of the stored access token, by hub id; an entry
            means a token set (with its refresh token) is stored for that account.
        now: the current Unix time.
        lint: `tui.hubspot.scopes.lint(required, optional)`; results with `.level == "error"`
            fail the scopes check. None skips the rule.
        client_id_problem: returns why a client id is unusable, or None. None skips the rule.
        redirect_uri_problem: returns why a redirect URI is unusable, or None. None skips it.

    Returns:
        The eight checks in `CHECK_IDS` order.
    """
    active = profile.active_account
    checks = (
        _credentials(profile, has_client_secret, client_id_problem),
        _redirect(profile, redirect_uri_problem),
        _scopes(profile, active, lint),
        _authorized(profile, active, now),
        _main_account(profile, active),
        _probe("products", profile, active),
        _probe("line_items", profile, active),
        _token(active, token_expiry, now),
    )
    return InstallStatus(profile=profile.name, checks=checks)


def _expires_in(token_expiry: Mapping[int, float], hub_id: int, now: float) -> int | None:
    expires_at = token_expiry.get(hub_id)
    if expires_at is None or not math.isfinite(expires_at - now):
        return None
    return math.floor(expires_at - now)


def _check_error(account: AccountReport) -> dict[str, str] | None:
    if not (account.check_error or account.check_error_code):
        return None
    code = account.check_error_code or Reason.CHECK_FAILED.value
    return {"code": code, "message": account.check_error}


def status_to_json(
    status: InstallStatus, profile: Profile, token_expiry: Mapping[int, float], now: float
) -> dict[str, object]:
    """The `hubspot-tui status --json` document (never holds a secret).

    Args:
        status: the checklist from `build_status`.
        profile: the same profile.
        token_expiry: `expires_at` by hub id, as given to `build_status`.
        now: the current Unix time.

    Returns:
        `{"profile", "ready", "checks": [{"id", "state", "detail", "fix", "reason"}], "accounts":
        [{"hub_id", "hub_domain", "account_type", "role", "active", "region", "products",
        "line_items", "scopes_granted", "scopes_missing", "token_expires_in", "checked_at",
        "check_error"}]}`; `reason` is a `Reason` code, null when the check is OK;
        `products`/`line_items` are `{"access", "count"}`; `token_expires_in` is whole seconds
        (negative once expired) or null without a stored token; `checked_at` is the last
        completed check (ISO 8601 UTC) or null; `check_error` is `{"code", "message"}` of the
        last failed attempt, or null.
    """
    checks = [
        {
            "id": c.id,
            "state": c.state.value,
            "detail": c.detail,
            "fix": c.fix,
            "reason": c.reason or None,
        }
        for c in status.checks
    ]
    accounts = [
        {
            "hub_id": a.hub_id,
            "hub_domain": a.hub_domain,
            "account_type": a.account_type.value,
            "role": a.role.value,
            "active": a.hub_id == profile.active_hub_id,
            "region": a.region,
            "products": {"access": a.products.access.value, "count": a.products.count},
            "line_items": {"access": a.line_items.access.value, "count": a.line_items.count},
            "scopes_granted": list(a.scopes_granted),
            "scopes_missing": list(a.scopes_missing),
            "token_expires_in": _expires_in(token_expiry, a.hub_id, now),
            "checked_at": iso_utc(a.checked_at),
            "check_error": _check_error(a),
        }
        for a in (profile.accounts[hub_id] for hub_id in sorted(profile.accounts))
    ]
    return {
        "profile": status.profile,
        "ready": status.ready,
        "checks": checks,
        "accounts": accounts,
    }
