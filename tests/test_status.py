"""build_status / status_to_json: every branch of every check, the JSON shape, and robustness."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.checklist import build_status, status_to_json
from tui.core.profile import AppConfig, Profile
from tui.core.reasons import Reason
from tui.hubspot.models import (
    CHECK_IDS,
    Access,
    AccountReport,
    AccountRole,
    AccountType,
    Check,
    CheckState,
    InstallStatus,
    ProbeResult,
)

NOW = 1_700_000_000.0
CLIENT_ID = "1a2b3c4d-5e6f-4a0b-8c9d-0123456789ab"
MAIN, DEV, STD = 44120003, 44120001, 44120002
REQUESTED = ("oauth", "crm.objects.deals.read", "crm.objects.products.read", "e-commerce")

OK, WARN, FAIL, TODO = CheckState.OK, CheckState.WARN, CheckState.FAIL, CheckState.TODO


@dataclass(frozen=True)
class Finding:
    """Shaped like tui.hubspot.scopes.ScopeWarning."""

    level: str
    scope: str
    message: str


def main_account(**changes: object) -> AccountReport:
    report = AccountReport(
        hub_id=MAIN,
        hub_domain="acme.com",
        account_type=AccountType.STANDARD,
        role=AccountRole.MAIN,
        region="eu1",
        portal_name="Acme Inc",
        products=ProbeResult(Access.OK, 25, True),
        line_items=ProbeResult(Access.OK, 1, False),
        scopes_granted=REQUESTED,
        scopes_requested=REQUESTED,
        checked_at=NOW - 60,
    )
    return replace(report, **changes)  # type: ignore[arg-type]


def ready_profile(**account_changes: object) -> Profile:
    app = AppConfig(
        client_id=CLIENT_ID,
        scopes=("oauth", "crm.objects.deals.read"),
        optional_scopes=("crm.objects.products.read", "e-commerce"),
        scopes_confirmed=True,
    )
    account = main_account(**account_changes)
    return Profile("default", app, {MAIN: account}, active_hub_id=MAIN)


def status(
    profile: Profile,
    *,
    secret: bool = True,
    expiry: dict[int, float] | None = None,
    **rules: object,
) -> InstallStatus:
    expiry = {MAIN: NOW + 27 * 60 + 5} if expiry is None else expiry
    return build_status(
        profile,
        has_client_secret=secret,
        token_expiry=expiry,
        now=NOW,
        **rules,  # type: ignore[arg-type]
    )


def check(result: InstallStatus, check_id: str) -> Check:
    return next(c for c in result.checks if c.id == check_id)


def test_a_correct_install_is_ready() -> None:
    result = status(ready_profile(), lint=lambda r, o: [], client_id_problem=lambda c: None)
    assert [c.id for c in result.checks] == list(CHECK_IDS)
    assert [c.state for c in result.checks] == [OK] * 8, result.checks
    assert result.ready and result.next_step is None
    assert all(c.fix == "" for c in result.checks)
    details = {c.id: c.detail for c in result.checks}
    assert details == {
        "credentials": "Client ID 1a2b3c4d…; secret stored",
        "redirect_uri": "http://localhost:8765/oauth-callback — register it on the app's Auth tab",
        "scopes": "2 required, 2 optional",
        "authorized": "1 account authorized; active 44120003 (acme.com)",
        "main_account": "44120003 Acme Inc is the main account (STANDARD, has Products)",
        "products": "readable (25+ records)",
        "line_items": "readable (1 record)",
        "token": "access token valid for 27m",
    }


def test_one_warning_is_enough_to_not_be_ready() -> None:
    result = status(ready_profile(line_items=ProbeResult(Access.ERROR, message="timeout")))
    assert not result.ready
    assert result.next_step is not None and result.next_step.id == "line_items"


# ---- credentials -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_id", "secret", "suffix"),
    [
        ("", False, ""),
        (CLIENT_ID, False, " (Client Secret missing)"),
        ("", True, " (Client ID missing)"),
    ],
)
def test_credentials_todo(client_id: str, secret: bool, suffix: str) -> None:
    profile = ready_profile()
    profile.app = replace(profile.app, client_id=client_id)
    c = check(status(profile, secret=secret), "credentials")
    assert (c.state, c.detail) == (TODO, "Enter the app's Client ID and Client Secret" + suffix)
    assert c.fix == "hubspot-tui configure --client-id ID --client-secret-stdin"


def test_credentials_fail_on_a_bad_client_id() -> None:
    c = check(
        status(ready_profile(), client_id_problem=lambda v: "35 characters, expected 36"),
        "credentials",
    )
    assert (c.state, c.detail) == (FAIL, "Client ID: 35 characters, expected 36")
    assert c.fix == "hubspot-tui configure --client-id ID"


def test_credentials_ok_shows_a_short_id_whole() -> None:
    profile = ready_profile()
    profile.app = replace(profile.app, client_id="abc")
    assert check(status(profile), "credentials").detail == "Client ID abc; secret stored"


# ---- redirect URI ----------------------------------------------------------------------------


def test_redirect_fail_and_ok_with_partner() -> None:
    profile = ready_profile()
    profile.app = replace(profile.app, redirect_uri="http://x y", partner_id="p.example.com")
    c = check(status(profile, redirect_uri_problem=lambda u: "has spaces"), "redirect_uri")
    assert (c.state, c.detail, c.fix) == (
        FAIL,
        "http://x y: has spaces",
        "hubspot-tui configure --redirect-uri URI",
    )
    profile.app = replace(profile.app, redirect_uri="", callback_port=9000)
    c = check(status(profile, redirect_uri_problem=lambda u: None), "redirect_uri")
    assert c.state is OK
    assert c.detail == (
        "http://localhost:9000/oauth-callback — register it on the app's Auth tab"
        " · platform: https://p.example.com/connector/callback"
    )


# ---- scopes ----------------------------------------------------------------------------------


def test_scopes_fail_lists_lint_errors_and_ignores_warnings() -> None:
    findings = [Finding("warn", "x", "just a warning")] + [
        Finding("error", f"s{i}", f"problem {i}") for i in range(5)
    ]
    c = check(status(ready_profile(), lint=lambda r, o: findings), "scopes")
    assert c.state is FAIL
    assert c.detail == "problem 0; problem 1; problem 2 (+2 more)"
    assert c.fix.startswith("hubspot-tui configure --scopes 'oauth crm.objects.deals.read'")
    only_warn = check(status(ready_profile(), lint=lambda r, o: findings[:1]), "scopes")
    assert only_warn.state is OK


def test_scopes_warn_names_what_hubspot_dropped() -> None:
    profile = ready_profile(scopes_granted=REQUESTED[:3])
    c = check(status(profile), "scopes")
    assert (c.state, c.detail) == (WARN, "HubSpot dropped e-commerce (the account lacks it)")
    assert c.fix == "hubspot-tui configure --optional-scopes crm.objects.products.read"
    # once the user stops asking for it, it's no news
    profile.app = replace(profile.app, optional_scopes=("crm.objects.products.read",))
    assert check(status(profile), "scopes").state is OK


def test_scopes_warn_two_dropped() -> None:
    profile = ready_profile(scopes_granted=REQUESTED[:2])
    c = check(status(profile), "scopes")
    assert c.detail == (
        "HubSpot dropped crm.objects.products.read, e-commerce (the account lacks them)"
    )


def test_scopes_warn_when_added_after_authorizing() -> None:
    profile = ready_profile()
    profile.app = replace(profile.app, optional_scopes=(*profile.app.optional_scopes, "tickets"))
    c = check(status(profile), "scopes")
    assert c.state is WARN and "tickets added since 44120003 was authorized" in c.detail
    assert c.fix == "hubspot-tui login --account 44120003"


def test_scopes_todo_until_confirmed() -> None:
    profile = ready_profile()
    profile.app = replace(profile.app, scopes_confirmed=False)
    c = check(status(profile), "scopes")
    assert (c.state, c.detail) == (
        TODO,
        "Review the scopes; they must match the app's configuration",
    )
    assert c.fix == (
        "hubspot-tui configure --scopes 'oauth crm.objects.deals.read'"
        " --optional-scopes 'crm.objects.products.read e-commerce'"
    )


# ---- authorized ------------------------------------------------------------------------------


def test_authorized_todo_without_accounts() -> None:
    profile = Profile(app=ready_profile().app)
    c = check(status(profile), "authorized")
    assert (c.state, c.fix) == (TODO, "hubspot-tui login")


def test_authorized_fail_when_the_refresh_token_was_revoked() -> None:
    profile = ready_profile(
        check_error="BAD_REFRESH_TOKEN: the refresh token was revoked",
        check_error_code="token_revoked",
    )
    c = check(status(profile), "authorized")
    assert c.state is FAIL and "revoked" in c.detail
    assert c.fix == "hubspot-tui login --account 44120003"
    assert (c.reason, c.section) == ("token_revoked", "oauth")


def test_the_code_decides_never_the_text() -> None:
    # "revoked" in the text of a transient failure is not a revocation; the code says so.
    profile = ready_profile(
        check_error="proxy revoked the connection", check_error_code="check_failed"
    )
    c = check(status(profile), "authorized")
    assert (c.state, c.reason) == (WARN, "check_failed")
    assert check(status(profile), "token").state is OK


def test_authorized_warn_on_other_check_errors() -> None:
    profile = ready_profile(check_error="network unreachable", check_error_code="check_failed")
    c = check(status(profile), "authorized")
    assert (c.state, c.fix) == (WARN, "hubspot-tui status --check")
    assert c.detail == "couldn't reach HubSpot: network unreachable — last verified 1m ago"
    assert (c.reason, c.section) == ("check_failed", "overview")
    never = ready_profile(check_error="HTTP 503", check_error_code="check_failed", checked_at=0.0)
    assert check(status(never), "authorized").detail.endswith("— never verified")


def test_a_check_older_than_a_day_is_a_warning() -> None:
    fresh = check(status(ready_profile(checked_at=NOW - 23 * 3600)), "authorized")
    assert fresh.state is OK and fresh.reason == ""
    stale = check(status(ready_profile(checked_at=NOW - 26 * 3600)), "authorized")
    assert (stale.state, stale.reason, stale.fix) == (
        WARN,
        "not_verified_recently",
        "hubspot-tui status --check",
    )
    assert stale.detail == (
        "44120003 not verified since 2023-11-13 20:13:20 UTC (last verified 1d 2h ago)"
    )


def test_authorized_ok_variants() -> None:
    profile = ready_profile(hub_domain="")
    profile.accounts[DEV] = AccountReport(DEV)
    # No domain (v3 introspection doesn't promise one): named by its portal name instead.
    detail = check(status(profile), "authorized").detail
    assert detail == "2 accounts authorized; active 44120003 (Acme Inc)"
    profile.active_hub_id = None
    assert check(status(profile), "authorized").detail == "2 accounts authorized; none active"
    profile.active_hub_id = 999  # points at nothing: same as none
    assert check(status(profile), "authorized").detail == "2 accounts authorized; none active"


# ---- main account ----------------------------------------------------------------------------


def test_main_account_todo_without_accounts() -> None:
    c = check(status(Profile()), "main_account")
    assert c.state is TODO and "the one with Products" in c.detail
    assert c.fix == "hubspot-tui login --account <MAIN_HUB_ID>"


def test_main_account_todo_points_at_a_main_account_when_one_exists() -> None:
    profile = ready_profile()
    profile.accounts[DEV] = AccountReport(DEV, role=AccountRole.DEVELOPER)
    profile.active_hub_id = None
    c = check(status(profile), "main_account")
    assert (c.state, c.fix) == (TODO, "hubspot-tui use 44120003")


def test_main_account_todo_picks_the_likeliest_when_none_is_main() -> None:
    profile = Profile(
        accounts={
            DEV: AccountReport(DEV, role=AccountRole.DEVELOPER),
            STD: AccountReport(STD, role=AccountRole.STANDARD),
        }
    )
    assert check(status(profile), "main_account").fix == "hubspot-tui use 44120002"


@pytest.mark.parametrize(
    ("role", "words"),
    [
        (AccountRole.DEVELOPER, "is a developer account: it can't hold your installs or CRM data"),
        (AccountRole.TEST, "developer test account"),
        (AccountRole.SANDBOX, "sandbox"),
    ],
)
def test_main_account_fail_on_a_non_production_account(role: AccountRole, words: str) -> None:
    profile = ready_profile()
    profile.accounts[DEV] = AccountReport(DEV, account_type=AccountType.APP_DEVELOPER, role=role)
    profile.active_hub_id = DEV
    c = check(status(profile), "main_account")
    assert c.state is FAIL
    assert c.detail.startswith(f"Active account {DEV} ") and words in c.detail
    assert c.fix == "hubspot-tui use 44120003"  # the main account is already authorized

    del profile.accounts[MAIN]
    c = check(status(profile), "main_account")
    assert c.state is FAIL and "authorize the main account (the one with Products)" in c.detail
    assert c.fix == "hubspot-tui login --account <MAIN_HUB_ID>"


def test_main_account_warn_on_standard_without_products() -> None:
    profile = ready_profile(role=AccountRole.STANDARD, products=ProbeResult(Access.OK, 0))
    c = check(status(profile), "main_account")
    assert c.state is WARN and "STANDARD without Products" in c.detail
    assert c.fix == "hubspot-tui login --account <MAIN_HUB_ID>"


@pytest.mark.parametrize(
    ("checked_at", "words"), [(0.0, "hasn't been checked yet"), (NOW, "unknown account type")]
)
def test_main_account_warn_on_unknown(checked_at: float, words: str) -> None:
    profile = ready_profile(role=AccountRole.UNKNOWN, checked_at=checked_at)
    c = check(status(profile), "main_account")
    assert (c.state, c.fix) == (WARN, "hubspot-tui status --check")
    assert words in c.detail


def test_main_account_ok_names_by_domain_or_id() -> None:
    detail = check(status(ready_profile(portal_name="")), "main_account").detail
    assert detail == "44120003 acme.com is the main account (STANDARD, has Products)"
    detail = check(status(ready_profile(portal_name="", hub_domain="")), "main_account").detail
    assert detail.startswith("44120003 is the main account")


# ---- products and line items -----------------------------------------------------------------


@pytest.mark.parametrize("check_id", ["products", "line_items"])
def test_probe_todo_without_account_or_probe(check_id: str) -> None:
    assert check(status(Profile()), check_id).state is TODO
    profile = ready_profile(**{check_id: ProbeResult()})
    c = check(status(profile), check_id)
    assert (c.state, c.fix) == (TODO, "hubspot-tui status --check")


@pytest.mark.parametrize(
    ("probe", "detail"),
    [
        (ProbeResult(Access.OK, 25, True), "readable (25+ records)"),
        (ProbeResult(Access.OK, 1, False), "readable (1 record)"),
        (ProbeResult(Access.OK, 3, False), "readable (3 records)"),
        (ProbeResult(Access.OK, None, False), "readable"),
        (ProbeResult(Access.OK, 0, False), "readable, none yet"),
    ],
)
def test_line_items_ok(probe: ProbeResult, detail: str) -> None:
    c = check(status(ready_profile(line_items=probe)), "line_items")
    assert (c.state, c.detail) == (OK, detail)


def test_products_readable_but_empty_warns() -> None:
    c = check(status(ready_profile(products=ProbeResult(Access.OK, 0))), "products")
    assert (c.state, c.fix) == (WARN, "hubspot-tui status --check")


def test_missing_scope_not_configured_adds_it_and_reauthorizes() -> None:
    probe = ProbeResult(Access.MISSING_SCOPE, required_scopes=("crm.objects.line_items.read",))
    c = check(status(ready_profile(line_items=probe)), "line_items")
    assert c.state is FAIL and "crm.objects.line_items.read" in c.detail
    assert c.fix == (
        "hubspot-tui configure --optional-scopes "
        "'crm.objects.products.read e-commerce crm.objects.line_items.read'"
        " && hubspot-tui login --account 44120003"
    )


def test_missing_scope_already_configured_just_reauthorizes() -> None:
    probe = ProbeResult(Access.MISSING_SCOPE)  # unnamed: the object's own read scope
    c = check(status(ready_profile(products=probe)), "products")
    assert c.state is FAIL and "crm.objects.products.read" in c.detail
    assert c.fix == "hubspot-tui login --account 44120003"


def test_forbidden_and_error() -> None:
    c = check(status(ready_profile(products=ProbeResult(Access.FORBIDDEN))), "products")
    assert (c.state, c.reason, c.section) == (FAIL, "no_seat", "overview")
    assert "the installing user needs a paid Sales Hub seat on this account" in c.detail
    assert "a super admin assigns it" in c.detail
    assert "No re-authorization is needed" in c.detail
    assert c.fix == "hubspot-tui status --check"
    c = check(
        status(ready_profile(line_items=ProbeResult(Access.ERROR, message="HTTP 503"))),
        "line_items",
    )
    assert (c.state, c.detail, c.fix) == (
        WARN,
        "Couldn't read line items: HTTP 503",
        "hubspot-tui status --check",
    )
    c = check(status(ready_profile(line_items=ProbeResult(Access.ERROR))), "line_items")
    assert c.detail == "Couldn't read line items: the last check failed"


# ---- token -----------------------------------------------------------------------------------


def test_token_todo() -> None:
    assert check(status(Profile()), "token").state is TODO
    c = check(status(ready_profile(), expiry={}), "token")
    assert (c.state, c.fix) == (TODO, "hubspot-tui login --account 44120003")


def test_token_fail_when_refresh_revoked() -> None:
    profile = ready_profile(
        check_error="invalid_grant: refresh token is invalid", check_error_code="token_revoked"
    )
    c = check(status(profile), "token")
    assert (c.state, c.fix, c.reason) == (
        FAIL,
        "hubspot-tui login --account 44120003",
        "token_revoked",
    )


@pytest.mark.parametrize(
    ("left", "detail"),
    [
        (45.9, "access token valid for 45s"),
        (27 * 60 + 59, "access token valid for 27m"),
        (3600 + 5 * 60, "access token valid for 1h 05m"),
        (2 * 86400 + 3 * 3600 + 1, "access token valid for 2d 3h"),
        (0.0, "access token expired; refreshes automatically on next use"),
        (-500.0, "access token expired; refreshes automatically on next use"),
        (float("nan"), "access token expired; refreshes automatically on next use"),
    ],
)
def test_token_ok(left: float, detail: str) -> None:
    c = check(status(ready_profile(), expiry={MAIN: NOW + left}), "token")
    assert (c.state, c.detail, c.fix) == (OK, detail, "")


# ---- JSON ------------------------------------------------------------------------------------


def test_json_shape_is_exact() -> None:
    profile = ready_profile(scopes_granted=REQUESTED[:3])
    profile.accounts[DEV] = AccountReport(
        DEV, account_type=AccountType.APP_DEVELOPER, role=AccountRole.DEVELOPER
    )
    expiry = {MAIN: NOW - 10.5}
    result = status(profile, expiry=expiry)
    doc = status_to_json(result, profile, expiry, NOW)
    assert json.loads(json.dumps(doc)) == doc  # plain JSON types only
    assert list(doc) == ["profile", "ready", "checks", "accounts"]
    assert doc["profile"] == "default" and doc["ready"] is False
    checks = doc["checks"]
    assert isinstance(checks, list) and [c["id"] for c in checks] == list(CHECK_IDS)
    for c in checks:
        assert list(c) == ["id", "state", "detail", "fix", "reason"]
        assert c["state"] in {"ok", "warn", "fail", "todo"}
        assert isinstance(c["detail"], str) and isinstance(c["fix"], str)
        assert (c["reason"] is None) == (c["state"] == "ok")
    accounts = doc["accounts"]
    assert isinstance(accounts, list)
    assert [a["hub_id"] for a in accounts] == [DEV, MAIN]  # sorted by hub id
    dev, main = accounts
    assert list(main) == [
        "hub_id",
        "hub_domain",
        "account_type",
        "role",
        "active",
        "region",
        "products",
        "line_items",
        "scopes_granted",
        "scopes_missing",
        "token_expires_in",
        "checked_at",
        "check_error",
    ]
    assert main == {
        "hub_id": MAIN,
        "hub_domain": "acme.com",
        "account_type": "STANDARD",
        "role": "main",
        "active": True,
        "region": "eu1",
        "products": {"access": "ok", "count": 25},
        "line_items": {"access": "ok", "count": 1},
        "scopes_granted": list(REQUESTED[:3]),
        "scopes_missing": ["e-commerce"],
        "token_expires_in": -11,
        "checked_at": "2023-11-14T22:12:20Z",
        "check_error": None,
    }
    assert dev["active"] is False and dev["token_expires_in"] is None
    assert dev["checked_at"] is None and dev["check_error"] is None
    assert dev["products"] == {"access": "unknown", "count": None}


def test_json_never_holds_a_secret() -> None:
    profile = ready_profile()
    result = status(profile)
    text = json.dumps(status_to_json(result, profile, {MAIN: float("inf")}, NOW))
    assert "secret stored" in text  # says that it is stored, never what it is
    for word in ("access_token", "refresh_token", "client_secret"):
        assert word not in text
    assert '"token_expires_in": null' in text  # a non-finite expiry isn't a number in JSON


# ---- robustness --------------------------------------------------------------------------------

probes = st.builds(
    ProbeResult,
    access=st.sampled_from(Access),
    count=st.none() | st.integers(-5, 10**6),
    has_more=st.booleans(),
    required_scopes=st.lists(st.text(max_size=12), max_size=3).map(tuple),
    message=st.text(max_size=20),
)
scope_lists = st.lists(st.sampled_from(["oauth", "e-commerce", "x", "", "crm.a"]), max_size=4).map(
    tuple
)
accounts = st.builds(
    AccountReport,
    hub_id=st.integers(1, 10),
    hub_domain=st.text(max_size=10),
    account_type=st.sampled_from(AccountType),
    role=st.sampled_from(AccountRole),
    portal_name=st.text(max_size=10),
    products=probes,
    line_items=probes,
    scopes_granted=scope_lists,
    scopes_requested=scope_lists,
    checked_at=st.floats(),
    check_error=st.sampled_from(["", "revoked", "timeout", "BAD_REFRESH_TOKEN"]),
    check_error_code=st.sampled_from(["", "token_revoked", "check_failed", "not_identified", "x"]),
)
apps = st.builds(
    AppConfig,
    client_id=st.text(max_size=40),
    callback_port=st.integers(-1, 70000),
    redirect_uri=st.text(max_size=20),
    partner_id=st.text(max_size=10),
    scopes=scope_lists,
    optional_scopes=scope_lists,
    scopes_confirmed=st.booleans(),
)
profiles = st.builds(
    Profile,
    name=st.text(max_size=10),
    app=apps,
    accounts=st.lists(accounts, max_size=4).map(lambda xs: {a.hub_id: a for a in xs}),
    active_hub_id=st.none() | st.integers(0, 11),
)
findings = st.lists(
    st.builds(
        Finding,
        st.sampled_from(["error", "warn", "other"]),
        st.text(max_size=5),
        st.text(max_size=10),
    ),
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(
    profile=profiles,
    secret=st.booleans(),
    expiry=st.dictionaries(st.integers(0, 11), st.floats()),
    now=st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=4e9),
    lint_result=findings,
    problem=st.none() | st.text(min_size=1, max_size=10),
    use_rules=st.booleans(),
)
def test_build_status_never_raises(
    profile: Profile,
    secret: bool,
    expiry: dict[int, float],
    now: float,
    lint_result: list[Finding],
    problem: str | None,
    use_rules: bool,
) -> None:
    result = build_status(
        profile,
        has_client_secret=secret,
        token_expiry=expiry,
        now=now,
        lint=(lambda r, o: lint_result) if use_rules else None,
        client_id_problem=(lambda c: problem) if use_rules else None,
        redirect_uri_problem=(lambda u: problem) if use_rules else None,
    )
    assert [c.id for c in result.checks] == list(CHECK_IDS)
    assert result.ready == all(c.state is CheckState.OK for c in result.checks)
    assert all((c.fix == "") == (c.state is CheckState.OK) for c in result.checks)
    assert all((c.reason == "") == (c.state is CheckState.OK) for c in result.checks)
    assert all(Reason(c.reason) and c.section for c in result.checks if c.reason)
    doc = status_to_json(result, profile, expiry, now)
    json.dumps(doc, allow_nan=False)  # valid strict JSON whatever the input
