"""Verdicts that stay true (issue 9) and reasons as codes (issue 8), against the real sandbox.

Seat vs scope is decided from the grant, whatever 403 shape HubSpot sends; a check that could not
be verified says so (`access: "error"`, not ready, exit 1) while the store keeps the last good
answers and records the failure; tokens from a good exchange are never dropped; the Overview's
next step comes from the reason code.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.app_helpers import settle, static_text, wait_until
from tests.faults_support import ACCOUNT, INTROSPECT, PRODUCTS, Env, fault_env
from tests.test_fault_matrix import cli
from tui.core.login import unchecked_report
from tui.core.probes import PENDING_HUB_ID, classify_refusal
from tui.core.profile import AppConfig
from tui.core.service import compute_status
from tui.hubspot.errors import HubSpotError, ServerError
from tui.hubspot.models import Access, AccountReport, CheckState, ProbeResult, TokenGrant, TokenSet
from tui.sandbox import FaultKind
from tui.ui.app import HubSpotApp
from tui.ui.screens.overview import advice, pick_next
from tui.ui.widgets.badges import role_advice
from tui.ui.widgets.checklist import Checklist

MAIN, EU = 44120003, 44120004
PRODUCTS_READ, LINE_ITEMS_READ = "crm.objects.products.read", "crm.objects.line_items.read"
SEAT_WORDS = (
    "the installing user needs a paid Sales Hub seat on this account",
    "a super admin assigns it",
    "No re-authorization is needed",
)


def status_json(env_result: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(env_result)
    return data


def by_id(data: dict[str, object]) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in data["checks"]}  # type: ignore[attr-defined,index]


def account_of(data: dict[str, object], hub_id: int) -> dict[str, object]:
    return next(a for a in data["accounts"] if a["hub_id"] == hub_id)  # type: ignore[attr-defined,index]


def assert_reason_on_every_unmet_check(data: dict[str, object]) -> None:
    for check in data["checks"]:  # type: ignore[attr-defined]
        assert (check["reason"] is None) == (check["state"] == "ok"), check


# ---- seat vs scope -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["missing_scopes", "legacy"])
async def test_no_seat_is_forbidden_with_the_seat_message_in_either_shape(
    tmp_path: Path, shape: str
) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        env.sandbox.account(EU).no_seat_shape = shape
        report = await env.login(EU)
        assert PRODUCTS_READ in report.scopes_granted  # the grant holds the scope...
        for probe in (report.products, report.line_items):
            assert probe.access is Access.FORBIDDEN  # ...so it is a seat gate, not a scope
            assert all(words in probe.message for words in SEAT_WORDS), probe.message
        result = cli(env, "status", "--json")
        assert result.returncode == 1
        data = status_json(result.stdout)
        assert account_of(data, EU)["products"] == {"access": "forbidden", "count": None}
        products = by_id(data)["products"]
        assert (products["state"], products["reason"]) == ("fail", "no_seat")
        assert products["fix"] == "hubspot-tui status --check"  # r / --check, no login
        assert all(words in str(products["detail"]) for words in SEAT_WORDS)
        main_account = by_id(data)["main_account"]  # not "without Products": unreadable yet
        assert (main_account["state"], main_account["reason"]) == ("warn", "no_seat")
        assert_reason_on_every_unmet_check(data)
        plain = cli(env, "status")
        lines = plain.stdout.splitlines()
        row = next(i for i, line in enumerate(lines) if line.strip().startswith("✖ FAIL  Products"))
        assert lines[row + 1].strip() == "fix: hubspot-tui status --check"

        # The seat is assigned: a re-check confirms it, no re-authorization.
        env.sandbox.account(EU).sales_seat = True
        checked = cli(env, "status", "--check", "--json")
        assert account_of(status_json(checked.stdout), EU)["products"]["access"] == "ok"  # type: ignore[index]


async def test_a_real_missing_scope_is_missing_scope(tmp_path: Path) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        app = AppConfig(
            client_id=env.service.profile.app.client_id,
            callback_port=env.service.profile.app.callback_port,
            optional_scopes=(),
            scopes_confirmed=True,
        )
        await env.service.save_app(app)
        report = await env.login(MAIN)
        assert PRODUCTS_READ not in report.scopes_granted
        assert report.products.access is Access.MISSING_SCOPE
        assert report.products.required_scopes == (PRODUCTS_READ,)
        assert report.line_items.access is Access.MISSING_SCOPE
        data = status_json(cli(env, "status", "--json").stdout)
        products = by_id(data)["products"]
        assert (products["state"], products["reason"]) == ("fail", "missing_scope")
        assert "--optional-scopes" in str(products["fix"]) and "login" in str(products["fix"])
        assert_reason_on_every_unmet_check(data)


@pytest.mark.parametrize(
    ("access", "named", "granted", "expected"),
    [
        # HubSpot's MISSING_SCOPES category with the grant holding the scope: a seat gate.
        (Access.MISSING_SCOPE, (), (PRODUCTS_READ,), Access.FORBIDDEN),
        (Access.MISSING_SCOPE, (PRODUCTS_READ,), (PRODUCTS_READ,), Access.FORBIDDEN),
        (Access.MISSING_SCOPE, (), ("e-commerce",), Access.FORBIDDEN),
        # The needed scope is absent from the grant: a scope problem, whatever the shape.
        (Access.MISSING_SCOPE, (PRODUCTS_READ,), ("oauth",), Access.MISSING_SCOPE),
        (Access.FORBIDDEN, ("products-access",), ("oauth",), Access.MISSING_SCOPE),
        # A named granular scope that is not granted (beyond the read scope): missing.
        (Access.MISSING_SCOPE, ("crm.objects.x.read",), (PRODUCTS_READ,), Access.MISSING_SCOPE),
        # The legacy shape with the scope granted: forbidden.
        (Access.FORBIDDEN, ("products-access",), (PRODUCTS_READ,), Access.FORBIDDEN),
        # No grant known: HubSpot's own classification stands.
        (Access.MISSING_SCOPE, (), (), Access.MISSING_SCOPE),
        (Access.OK, (), (PRODUCTS_READ,), Access.OK),
    ],
)
def test_classify_refusal_reads_the_grant(
    access: Access, named: tuple[str, ...], granted: tuple[str, ...], expected: Access
) -> None:
    result = classify_refusal("products", ProbeResult(access, required_scopes=named), granted)
    assert result.access is expected
    if expected is Access.FORBIDDEN:
        assert all(words in result.message for words in SEAT_WORDS)


# ---- a check that could not be verified ----------------------------------------------------------


async def test_5xx_under_check_is_error_not_ready_and_keeps_the_last_good(tmp_path: Path) -> None:
    async with fault_env(tmp_path) as env:
        await env.service.aclose()
        good = cli(env, "status", "--json")
        assert good.returncode == 0, good.stdout
        good_main = account_of(status_json(good.stdout), MAIN)
        assert good_main["checked_at"] and good_main["check_error"] is None
        config_before = tomllib.loads(env.config.read_text())
        credentials_before = env.credentials.read_bytes()

        env.sandbox.faults.add(PRODUCTS, FaultKind.STATUS, status=503, times=-1)
        checked = cli(env, "status", "--check", "--json")
        assert checked.returncode == 1
        data = status_json(checked.stdout)
        assert data["ready"] is False
        main = account_of(data, MAIN)
        assert main["products"] == {"access": "error", "count": None}
        assert main["line_items"] == {"access": "error", "count": None}
        assert main["checked_at"] == good_main["checked_at"]
        assert main["check_error"]["code"] == "check_failed"  # type: ignore[index]
        assert "HTTP 503" in main["check_error"]["message"]  # type: ignore[index]
        assert by_id(data)["products"]["reason"] == "check_failed"
        assert by_id(data)["authorized"]["reason"] == "check_failed"
        assert_reason_on_every_unmet_check(data)

        # The store kept every last good answer; only the failed attempt was recorded.
        config_after = tomllib.loads(env.config.read_text())
        table = config_after["profiles"]["default"]["accounts"][str(MAIN)]
        assert table.pop("check_error_code") == "check_failed"
        assert "HTTP 503" in table.pop("check_error")
        old = config_before["profiles"]["default"]["accounts"][str(MAIN)]
        old.pop("check_error"), old.pop("check_error_code")
        assert table == old
        assert env.credentials.read_bytes() == credentials_before

        # Offline, later: the last good values, plus the failure.
        offline = cli(env, "status", "--json")
        assert offline.returncode == 1
        data = status_json(offline.stdout)
        main = account_of(data, MAIN)
        assert main["products"] == good_main["products"]
        assert main["line_items"] == good_main["line_items"]
        assert main["checked_at"] == good_main["checked_at"]
        assert main["check_error"]["code"] == "check_failed"  # type: ignore[index]
        authorized = by_id(data)["authorized"]
        assert str(authorized["detail"]).startswith("couldn't reach HubSpot: ")
        assert "— last verified " in str(authorized["detail"])

        # HubSpot is back: a check clears the failure.
        env.sandbox.faults.clear()
        again = cli(env, "status", "--check", "--json")
        assert again.returncode == 0, again.stdout
        assert account_of(status_json(again.stdout), MAIN)["check_error"] is None


# ---- never lose tokens ---------------------------------------------------------------------------


async def test_tokens_kept_after_a_failed_identification_then_filed(tmp_path: Path) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        app = env.service.profile.app
        await env.service.save_app(AppConfig(**{**app.__dict__, "token_version": "v1"}))
        # v1 token answers carry no hub id, the URL is not pinned, and HubSpot can't say.
        env.sandbox.faults.add(ACCOUNT, FaultKind.STATUS, status=503, times=-1)
        env.sandbox.faults.add(INTROSPECT, FaultKind.STATUS, status=503, times=-1)
        attempt = await env.service.start_login(listen=False)
        attempt.offer_paste(await env.authorize(attempt.url, MAIN))
        with pytest.raises(ServerError) as caught:
            await env.service.finish_login(attempt)
        assert "could not identify the account yet (tokens kept)" in caught.value.message
        assert "no need to authorize again" in caught.value.action

        profile = await env.new_service().load()
        assert list(profile.accounts) == [PENDING_HUB_ID]
        assert profile.active_hub_id == PENDING_HUB_ID
        pending = profile.accounts[PENDING_HUB_ID]
        assert pending.check_error_code == "not_identified"
        tokens = tomllib.loads(env.credentials.read_text())["profiles"]["default"]["tokens"]
        assert list(tokens) == [str(PENDING_HUB_ID)]
        await env.service.aclose()
        offline = status_json(cli(env, "status", "--json").stdout)
        assert by_id(offline)["authorized"]["reason"] == "not_identified"

        # Still failing: the pending entry stays (and says so), exit 1.
        still = cli(env, "status", "--check", "--json")
        assert still.returncode == 1
        assert status_json(still.stdout)["accounts"][0]["check_error"]["code"] == "not_identified"  # type: ignore[index]

        # HubSpot answers again: `status --check` identifies it and files the tokens under it.
        env.sandbox.faults.clear()
        done = cli(env, "status", "--check", "--json")
        assert done.returncode == 0, done.stdout
        data = status_json(done.stdout)
        assert [a["hub_id"] for a in data["accounts"]] == [MAIN]  # type: ignore[attr-defined]
        assert account_of(data, MAIN)["role"] == "main"
        tokens = tomllib.loads(env.credentials.read_text())["profiles"]["default"]["tokens"]
        assert list(tokens) == [str(MAIN)]


async def test_tokens_kept_under_the_hub_id_introspection_reports(tmp_path: Path) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        app = env.service.profile.app
        await env.service.save_app(AppConfig(**{**app.__dict__, "token_version": "v1"}))
        env.sandbox.faults.add(ACCOUNT, FaultKind.STATUS, status=503, times=-1)
        attempt = await env.service.start_login(listen=False)
        attempt.offer_paste(await env.authorize(attempt.url, MAIN))
        with pytest.raises(HubSpotError) as caught:
            await env.service.finish_login(attempt)
        assert f"Authorized {MAIN}, but could not check it" in caught.value.message
        profile = await env.new_service().load()
        assert list(profile.accounts) == [MAIN] and profile.active_hub_id == MAIN


async def _pending_login(env: Env) -> None:
    """A login whose tokens HubSpot can't place yet: v1 (no hub id), unpinned, 503s."""
    app = env.service.profile.app
    await env.service.save_app(AppConfig(**{**app.__dict__, "token_version": "v1"}))
    env.sandbox.faults.add(ACCOUNT, FaultKind.STATUS, status=503, times=-1)
    env.sandbox.faults.add(INTROSPECT, FaultKind.STATUS, status=503, times=-1)
    attempt = await env.service.start_login(listen=False)
    attempt.offer_paste(await env.authorize(attempt.url, MAIN))
    with pytest.raises(ServerError):
        await env.service.finish_login(attempt)
    await env.service.aclose()


async def test_dashboard_shows_pending_tokens_and_identifies_them(tmp_path: Path) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        await _pending_login(env)
        env.sandbox.faults.clear()
        app = HubSpotApp(env.new_service())
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            rows = {r.id: r for r in app.screen.query_one("#checklist", Checklist).rows}
            assert rows["authorized"].state is CheckState.WARN
            assert rows["authorized"].detail.startswith("Tokens kept, but the account is not")
            assert rows["authorized"].key == "r"
            assert static_text(app, "#next-action").startswith("Press r to ")
            await pilot.press("r")
            await wait_until(pilot, lambda: MAIN in app.service.profile.accounts, what="identified")
            await settle(pilot)
            assert app.service.profile.active_hub_id == MAIN
            assert PENDING_HUB_ID not in app.service.profile.accounts
            rows = {r.id: r for r in app.screen.query_one("#checklist", Checklist).rows}
            assert rows["main_account"].state is CheckState.OK


def test_accounts_detail_says_when_hubspot_could_not_be_reached() -> None:
    report = AccountReport(
        MAIN,
        checked_at=1_000_000.0,
        check_error="HubSpot had a problem answering the Products check (HTTP 503)",
        check_error_code="check_failed",
    )
    line = role_advice(report, now=1_000_000.0 + 7 * 60)[-1]
    assert line == (
        "⚠ couldn't reach HubSpot: HubSpot had a problem answering the Products check "
        "(HTTP 503) — last verified 7m ago. Press r to retry."
    )
    revoked = AccountReport(MAIN, check_error="gone", check_error_code="token_revoked")
    assert "Press F5" in role_advice(revoked)[-1]
    stale = AccountReport(MAIN, checked_at=1_000_000.0)
    assert role_advice(stale, now=1_000_000.0 + 3 * 86400)[-1] == (
        "⚠ Not verified since 1970-01-12T13:46:40Z (3d 0h ago): press r to re-check."
    )
    assert not role_advice(stale, now=1_000_000.0 + 3600)[-1].startswith("⚠ Not verified")


# ---- the next step comes from the code -----------------------------------------------------------


def _profile_with(account: AccountReport) -> tuple[object, object]:
    from tui.core.profile import Profile, ProfileSecrets

    app = AppConfig(
        client_id="1a2b3c4d-5e6f-4a0b-8c9d-0123456789ab",
        scopes=("oauth",),
        optional_scopes=(PRODUCTS_READ, LINE_ITEMS_READ),
        scopes_confirmed=True,
    )
    profile = Profile("default", app, {account.hub_id: account}, active_hub_id=account.hub_id)
    tokens = TokenSet("a" * 40, "r" * 36, 2e9)
    return profile, ProfileSecrets("s" * 36, {account.hub_id: tokens})


@pytest.mark.parametrize(
    "account",
    [
        AccountReport(MAIN),  # stored but never checked
        # authorized just now, the check failed: tokens kept, not checked yet
        unchecked_report(
            MAIN,
            TokenGrant(TokenSet("a", "r", 2e9)),
            ServerError("HubSpot had a problem (HTTP 503)"),
            ("oauth",),
        ),
    ],
    ids=["never-checked", "login-check-failed"],
)
def test_a_never_checked_accounts_next_step_is_r(account: AccountReport) -> None:
    profile, secrets = _profile_with(account)
    status = compute_status(profile, secrets, 1.9e9)  # type: ignore[arg-type]
    step = pick_next(status)
    assert step is not None and step.state is not CheckState.OK
    main_row = next(c for c in status.checks if c.id == "main_account")
    assert (main_row.state, main_row.reason) == (CheckState.WARN, "not_checked")
    for check in (step, main_row):
        assert check.reason in ("not_checked", "check_failed")
        text, section = advice(check, profile)  # type: ignore[arg-type]
        assert section == "overview"  # the Overview's `n` runs the re-check
        assert text.startswith("Press r to ")
        assert "F5" not in text


def test_no_seat_next_step_is_a_recheck_not_a_login() -> None:
    forbidden = ProbeResult(Access.FORBIDDEN)
    account = AccountReport(MAIN, products=forbidden, line_items=forbidden, checked_at=1.9e9 - 60)
    profile, secrets = _profile_with(account)
    step = next(c for c in compute_status(profile, secrets, 1.9e9).checks if c.id == "products")  # type: ignore[arg-type]
    text, section = advice(step, profile)  # type: ignore[arg-type]
    assert (step.reason, section) == ("no_seat", "overview")
    assert "super admin" in text and "press r" in text and "no re-authorization" in text
