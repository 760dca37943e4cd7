"""Live checks of authorized accounts: which account a token is for, and what it can read.

`inspect` asks HubSpot four things at once (token introspection, account details, a Products probe
and a Line Items probe) and turns the answers into an `AccountReport`. `check` re-probes one stored
account (refreshing its token when due, and once more after a 401), `recheck_all` every account.
The rules for what a failure does to the stored report live here too:

- a transient failure (network, 5xx, 429, garbage) raises and leaves the last good answers as
  they were, so a blip never flips the checklist (a failed probe is not proof the account has no
  Products); only `check_error`/`check_error_code` record the failed attempt;
- a grant that is dead (`ReauthorizeRequired`: a refused refresh token, a 401 followed by a refused
  refresh, a 401 that survives a refresh, a damaged stored token) is recorded on the account
  (`token_revoked`);
- a 403 on Products/Line Items is read against the grant (`classify_refusal`): HubSpot's
  `category` says MISSING_SCOPES for seat gates too;
- a login whose code was exchanged but whose account could not be checked keeps the tokens
  (`keep_unchecked`): under the Hub ID when one is known, else under the pending entry
  `PENDING_HUB_ID` that the next check identifies, so the user never authorizes twice.

Functions take a `ProbeContext`: the collaborators they use (the HTTP client, the credentials,
the stored profile, the clock, the store update, refresh), handed in by the install service, so
this module never reaches into the service and the two do not import each other. Imports nothing
from Textual.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.core.login import inspect_failed, unchecked_report
from tui.core.profile import Profile, ProfileSecrets
from tui.core.reasons import NO_SEAT_ADVICE, Reason
from tui.hubspot.errors import (
    AuthenticationError,
    HubSpotError,
    ReauthorizeRequired,
    refresh_failed_after_401,
    token_rejected,
)
from tui.hubspot.models import (
    Access,
    AccountDetails,
    AccountReport,
    ProbeResult,
    TokenGrant,
    TokenInfo,
    TokenSet,
    derive_role,
)

if TYPE_CHECKING:
    from tui.hubspot.client import HubSpotClient

Mutation = Callable[[Profile, ProfileSecrets], None]
"""Changes one profile and its secrets in place (applied under the store's lock)."""


@dataclass(frozen=True)
class ProbeContext:
    """What the probes need from the install service, handed in explicitly."""

    client: Callable[[], HubSpotClient]
    """The shared HubSpot client (built on first use)."""
    credentials: Callable[[], tuple[str, str]]
    """The app's Client ID and secret; raises InputError when they are not set."""
    profile: Callable[[], Profile]
    """The profile as last loaded or saved."""
    clock: Callable[[], float]
    """Unix time; report times are set against it."""
    load: Callable[[], Awaitable[Profile]]
    """Re-read the profile and secrets from disk."""
    update: Callable[[Mutation], Awaitable[None]]
    """Apply a mutation under the store's lock and keep the result."""
    refresh: Callable[[int, bool], Awaitable[TokenSet]]
    """Refresh an account's access token when due (or always, when the flag is set)."""


PENDING_HUB_ID = 0
"""Where a login's tokens wait when HubSpot has not said yet which account they are for.

Never a real portal id; `check(PENDING_HUB_ID)` identifies the account and re-files them."""

_LABELS = {"products": "products", "line_items": "line items"}


def classify_refusal(object_type: str, probe: ProbeResult, granted: Sequence[str]) -> ProbeResult:
    """Decide seat vs scope for a 403 on `object_type` from the grant we hold, not `category`.

    HubSpot answers a seat/plan/permission gate with `"category": "MISSING_SCOPES"` and a
    legacy "requires any of [products-access]" text, whose `-access` names are not OAuth scopes.
    So: when the grant holds what the call needs (`crm.objects.<obj>.read` or `e-commerce`) and
    every other scope HubSpot named, it is FORBIDDEN (no seat), whatever the answer's kind;
    MISSING_SCOPE only when the needed scope, or a named one, is absent from the grant. An
    unknown grant (empty) leaves HubSpot's own classification.
    """
    if probe.access not in (Access.MISSING_SCOPE, Access.FORBIDDEN) or not granted:
        return probe
    grant = set(granted)
    scope = f"crm.objects.{object_type}.read"
    needed = (scope, "e-commerce")  # alternatives: either one lets the call through
    holds = any(s in grant for s in needed)
    named = probe.required_scopes if probe.access is Access.MISSING_SCOPE else ()
    lacking = tuple(s for s in named if s not in grant and s not in needed)
    label = _LABELS.get(object_type, object_type)
    if holds and not lacking:
        held = scope if scope in grant else "e-commerce"
        message = f"HubSpot refused {label} although the grant holds {held}: {NO_SEAT_ADVICE}"
        return ProbeResult(Access.FORBIDDEN, required_scopes=probe.required_scopes, message=message)
    wanted = lacking or (scope,)
    message = (
        f"The token lacks the scope to read {label} ({', '.join(wanted)}"
        f"{' or e-commerce' if not lacking else ''}): add it to the scopes and re-authorize"
    )
    return ProbeResult(Access.MISSING_SCOPE, required_scopes=wanted, message=message)


async def inspect(
    ctx: ProbeContext,
    tokens: TokenSet,
    *,
    hub_hint: int | None = None,
    scopes_hint: tuple[str, ...] = (),
    previous: AccountReport | None = None,
    strict: bool = False,
) -> AccountReport:
    """Introspect, read account details and probe Products and Line Items, concurrently.

    With `strict` (a re-check), a probe that failed for a reason that says nothing about
    access (network, 5xx, 429, garbage) raises, so the stored report is kept rather than
    overwritten with "error"; a login records the failure in the probe instead.
    """
    client = ctx.client()
    client_id, client_secret = ctx.credentials()
    access = tokens.access_token
    info_task = client.introspect(
        client_id=client_id, client_secret=client_secret, access_token=access
    )
    results = await asyncio.gather(
        info_task,
        client.account_details(access),
        client.probe(access, "products", strict=strict),
        client.probe(access, "line_items", strict=strict),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, AuthenticationError):
            raise result
    info, details, products, line_items = results
    # Introspection only adds the user and fresher scopes: its failure is not fatal.
    token_info = info if isinstance(info, TokenInfo) else TokenInfo(active=True)
    for result in (details, products, line_items):
        if isinstance(result, BaseException):
            raise result
    assert isinstance(details, AccountDetails)
    hub_id = details.portal_id or token_info.hub_id or hub_hint or PENDING_HUB_ID
    app = ctx.profile().app
    granted = token_info.scopes or scopes_hint or (previous.scopes_granted if previous else ())
    products_result = classify_refusal("products", _as_probe(products), granted)
    line_items_result = classify_refusal("line_items", _as_probe(line_items), granted)
    requested = (
        previous.scopes_requested
        if previous and previous.scopes_requested
        else tuple(app.scopes) + tuple(app.optional_scopes)
    )
    return AccountReport(
        hub_id=hub_id,
        hub_domain=token_info.hub_domain or (previous.hub_domain if previous else ""),
        account_type=details.account_type,
        role=derive_role(details.account_type, products_result),
        region=details.data_hosting_location,
        ui_domain=details.ui_domain,
        user=token_info.user or (previous.user if previous else ""),
        portal_name=details.portal_name,
        products=products_result,
        line_items=line_items_result,
        scopes_granted=tuple(granted),
        scopes_requested=requested,
        checked_at=ctx.clock(),
    )


async def check(ctx: ProbeContext, hub_id: int) -> AccountReport:
    """Re-probe one account live (refreshing its token first when due) and store the report.

    A dead grant (`ReauthorizeRequired`, see `_inspect_refreshing`) is recorded on the account
    (`check_error_code` `token_revoked`) and returned, not raised. A transient failure (network,
    5xx, 429) is recorded as `check_failed` with its message, the last good answers and
    `checked_at` are kept, and the error is raised. The pending entry (`PENDING_HUB_ID`) is
    re-filed under the Hub ID HubSpot reports.
    """
    previous = ctx.profile().accounts.get(hub_id)
    hint = hub_id if hub_id != PENDING_HUB_ID else None
    try:
        report = await _inspect_refreshing(ctx, hub_id, hint, previous)
    except ReauthorizeRequired as exc:
        await mark_broken(ctx, hub_id, f"{exc.message}. {exc.action}".strip())
        return ctx.profile().accounts.get(hub_id) or AccountReport(hub_id=hub_id)
    except HubSpotError as exc:
        code = Reason.NOT_IDENTIFIED if hub_id == PENDING_HUB_ID else Reason.CHECK_FAILED
        await mark_broken(ctx, hub_id, exc.message, code)
        raise
    if hub_id == PENDING_HUB_ID and report.hub_id != PENDING_HUB_ID:
        return await _identified(ctx, report)
    if report.hub_id != hub_id:
        # The token belongs to another portal than the one it is stored under: keep the
        # stored key (the user's choice) but say so.
        report = replace(
            report,
            hub_id=hub_id,
            check_error=f"token reports portal {report.hub_id}, stored as {hub_id}",
            check_error_code=Reason.WRONG_ACCOUNT,
        )

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        if hub_id in profile.accounts:
            profile.accounts[hub_id] = report

    await ctx.update(mutate)
    return report


async def _identified(ctx: ProbeContext, report: AccountReport) -> AccountReport:
    """Move the pending entry's tokens under the Hub ID HubSpot now reports for them."""

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        tokens = secrets.tokens.pop(PENDING_HUB_ID, None)
        pending = profile.accounts.pop(PENDING_HUB_ID, None)
        if tokens is None:  # another process identified it first
            return
        secrets.tokens[report.hub_id] = tokens
        requested = pending.scopes_requested if pending else report.scopes_requested
        profile.accounts[report.hub_id] = replace(report, scopes_requested=requested)
        if profile.active_hub_id in (PENDING_HUB_ID, None):
            profile.active_hub_id = report.hub_id

    await ctx.update(mutate)
    return ctx.profile().accounts.get(report.hub_id, report)


async def _inspect_refreshing(
    ctx: ProbeContext, hub_id: int, hint: int | None, previous: AccountReport | None
) -> AccountReport:
    """`inspect` with the stored token, refreshed when due, and once more after a 401.

    Raises:
        ReauthorizeRequired: the refresh token is dead; or a 401 was followed by a refused
            refresh (HubSpot's rule: the app was uninstalled); or a 401 survived a refresh.
        HubSpotError: anything transient (network, 5xx, 429), which says nothing about the grant.
    """
    tokens = await ctx.refresh(hub_id, False)
    try:
        return await inspect(ctx, tokens, hub_hint=hint, previous=previous, strict=True)
    except AuthenticationError:
        pass  # HubSpot says a 401 alone is not proof the token is dead: refresh once and retry.
    try:
        tokens = await ctx.refresh(hub_id, True)
    except HubSpotError as failed:
        meaning = refresh_failed_after_401(failed)
        if meaning is failed:
            raise
        raise meaning from None
    try:
        return await inspect(ctx, tokens, hub_hint=hint, previous=previous, strict=True)
    except AuthenticationError as again:
        raise token_rejected(again) from None


async def recheck_all(
    ctx: ProbeContext,
) -> tuple[list[AccountReport], dict[int, HubSpotError]]:
    """Re-probe every account concurrently over the shared client.

    Returns:
        A report per account (the stored one when its check failed transiently) and the
        transient failures by Hub ID (each with its message and next action; the stored
        reports of those accounts are left as they were).
    """
    await ctx.load()
    hub_ids = list(ctx.profile().accounts)
    results = await asyncio.gather(*(check(ctx, h) for h in hub_ids), return_exceptions=True)
    reports: list[AccountReport] = []
    failures: dict[int, HubSpotError] = {}
    for hub_id, result in zip(hub_ids, results, strict=True):
        if isinstance(result, AccountReport):
            reports.append(result)
        elif isinstance(result, HubSpotError):
            failures[hub_id] = result
            reports.append(ctx.profile().accounts.get(hub_id) or AccountReport(hub_id=hub_id))
        else:
            raise result
    return reports, failures


async def check_all(ctx: ProbeContext, *, strict: bool = False) -> list[AccountReport]:
    """Re-probe every account (see `recheck_all`).

    Without `strict`, an account whose check failed transiently comes back as its stored
    report with `check_error` describing the failure (not persisted). With `strict`, the
    first failure is raised instead, naming the account (and how many others failed).
    """
    reports, failures = await recheck_all(ctx)
    if strict and failures:
        hub_id, first = next(iter(failures.items()))
        others = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        first.message = f"Could not re-check {hub_id}{others}: {first.message}"
        first.args = (first.message,)
        raise first
    return [
        replace(r, check_error=failures[r.hub_id].message, check_error_code=Reason.CHECK_FAILED)
        if r.hub_id in failures
        else r
        for r in reports
    ]


async def mark_broken(
    ctx: ProbeContext, hub_id: int, why: str, code: str = Reason.TOKEN_REVOKED
) -> None:
    """Record on the stored account why its last check failed (shown by the checklist).

    Only `check_error`/`check_error_code` change: the last good answers and `checked_at` stay.
    """

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        account = profile.accounts.get(hub_id)
        if account is not None:
            profile.accounts[hub_id] = replace(account, check_error=why, check_error_code=code)

    await ctx.update(mutate)


async def keep_unchecked(
    ctx: ProbeContext, grant: TokenGrant, hub_pin: int | None, failure: HubSpotError
) -> None:
    """The code was exchanged but the account could not be checked: store the tokens anyway.

    Authorizing again would only repeat what the user already did; a later re-check fills
    in the report. The tokens are filed under the Hub ID from the token answer, the pinned
    URL or introspection; when none says, under `PENDING_HUB_ID`, which the next check
    (`status --check`, `r`, or the dashboard's retry) identifies. Only a brand-new token
    HubSpot rejects (401) is not kept. `failure` is reworded to say what was kept.
    """
    if isinstance(failure, AuthenticationError):
        return
    hub_id = grant.hub_id or hub_pin or await _introspected_hub(ctx, grant)
    app = ctx.profile().app
    report = unchecked_report(
        hub_id or PENDING_HUB_ID, grant, failure, tuple(app.scopes) + tuple(app.optional_scopes)
    )
    if hub_id is None:
        report = replace(report, check_error_code=Reason.NOT_IDENTIFIED)
    key = report.hub_id

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        secrets.tokens[key] = grant.tokens
        profile.accounts[key] = report
        profile.active_hub_id = key

    await ctx.update(mutate)
    inspect_failed(failure, hub_id)


async def _introspected_hub(ctx: ProbeContext, grant: TokenGrant) -> int | None:
    """The Hub ID introspection reports for a fresh token, or None when it can't say now."""
    try:
        client_id, client_secret = ctx.credentials()
        info = await ctx.client().introspect(
            client_id=client_id, client_secret=client_secret, access_token=grant.tokens.access_token
        )
    except HubSpotError:
        return None
    return info.hub_id or None


def unverified_view(profile: Profile, failures: Mapping[int, HubSpotError]) -> Profile:
    """`profile` as a live check saw it: the accounts whose check failed read `error`.

    The store keeps their last good answers (a blip must not overwrite them); what was just
    asked and could not be verified must not be reported as healthy, so `status --check` shows
    these probes as ERROR (count unknown) with the failure's message.
    """
    if not failures:
        return profile
    accounts = dict(profile.accounts)
    for hub_id, exc in failures.items():
        account = accounts.get(hub_id)
        if account is not None:
            error = ProbeResult(Access.ERROR, message=exc.message)
            accounts[hub_id] = replace(account, products=error, line_items=error)
    return replace(profile, accounts=accounts)


def _as_probe(result: object) -> ProbeResult:
    """A probe's outcome as a ProbeResult (a failure becomes ERROR with its message)."""
    if isinstance(result, ProbeResult):
        return result
    if isinstance(result, HubSpotError):
        return ProbeResult(access=Access.ERROR, message=f"{result.message}")
    if isinstance(result, BaseException):
        raise result
    raise TypeError(f"unexpected probe result {type(result).__name__}")
