"""`token`, `api` and `connector` through the real command line against the sandbox over loopback.

Every command runs as its own process, as a script would run it; the sandbox counts requests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, Cli, SandboxEnv
from tests.test_cli_flow import MAIN
from tui.sandbox import DEMO_APP, FaultKind

DEVELOPER = 44120001
TEST_PORTAL = 44120002
PRODUCTS = "/crm/v3/objects/products"


@pytest.fixture
def authorized(cli: Cli) -> Cli:
    """A profile with the MAIN account authorized and active."""
    cli.configure()
    login = cli("login", "--open", "--timeout", "30", pick="main")
    assert login.returncode == 0, login.stderr
    return cli


def accepted(cli: Cli, token: str) -> bool:
    """Does the sandbox accept `token` as a bearer on a CRM call?"""
    answer = httpx.get(
        f"{cli.sandbox.base_url}{PRODUCTS}",
        params={"limit": "1"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code == 200


def stored_token(cli: Cli, hub_id: int = MAIN) -> str:
    return str(cli.secrets()["profiles"]["default"]["tokens"][str(hub_id)]["access_token"])  # type: ignore[index]


def expire_everywhere(cli: Cli) -> None:
    """Time passed: HubSpot refuses the access tokens and the store knows they expired."""
    cli.sandbox.expire_access_tokens()
    credentials = cli.config_dir / "credentials.toml"
    text = re.sub(r"expires_at = [0-9.e+]+", "expires_at = 1.0", credentials.read_text())
    credentials.write_text(text)


def requests_to(cli: Cli, prefix: str) -> int:
    return sum(1 for entry in cli.sandbox.request_log if entry.path.startswith(prefix))


# ------------------------------------------------------------------ token


def test_token_prints_an_accepted_token_and_refreshes_an_expired_one(authorized: Cli) -> None:
    cli = authorized
    first = cli("token")
    assert first.returncode == 0, first.stderr
    token = first.stdout.strip()
    assert first.stdout == token + "\n"
    assert token == stored_token(cli) and accepted(cli, token)
    refreshes = requests_to(cli, "/oauth/v3/token")

    as_json = cli("token", "--json")
    data = json.loads(as_json.stdout)
    assert set(data) == {"hub_id", "access_token", "expires_in", "token_type"}
    assert data["hub_id"] == MAIN and data["access_token"] == token
    assert 0 < data["expires_in"] <= 1800 and data["token_type"] == "bearer"
    assert requests_to(cli, "/oauth/v3/token") == refreshes  # fresh: no refresh spent

    expire_everywhere(cli)
    assert not accepted(cli, token)
    renewed = cli("token")
    assert renewed.returncode == 0, renewed.stderr
    fresh = renewed.stdout.strip()
    assert fresh != token and accepted(cli, fresh)
    assert stored_token(cli) == fresh  # stored, so the next script does not refresh again
    assert requests_to(cli, "/oauth/v3/token") == refreshes + 1


def test_concurrent_scripts_share_one_refresh(authorized: Cli) -> None:
    cli = authorized
    expire_everywhere(cli)  # every process sees it due at once
    before = requests_to(cli, "/oauth/v3/token")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: cli("token"), range(4)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    tokens = {r.stdout.strip() for r in results}
    assert len(tokens) == 1 and accepted(cli, tokens.pop())
    assert requests_to(cli, "/oauth/v3/token") == before + 1


def test_token_exit_codes(cli: Cli) -> None:
    cli.configure()
    none = cli("token")
    assert none.returncode == 1 and none.stdout == ""
    assert "No account is authorized" in none.stderr and "hubspot-tui login" in none.stderr

    assert cli("login", "--open", "--timeout", "30", pick="main").returncode == 0
    unknown = cli("token", "--hub", "12345")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "12345" in unknown.stderr and "not authorized" in unknown.stderr

    # The app was uninstalled: the refresh token is dead; stderr says to re-authorize.
    cli.sandbox.revoke_account_tokens(MAIN)
    expire_everywhere(cli)
    dead = cli("token")
    assert dead.returncode == 1 and dead.stdout == ""
    assert "Re-authorize" in dead.stderr and f"login --account {MAIN}" in dead.stderr
    assert "Traceback" not in dead.stderr


def test_token_help_says_it_prints_a_secret() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "token", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0 and "SECRET" in result.stdout


# -------------------------------------------------------------------- api


def test_api_returns_products_byte_for_byte_when_piped(authorized: Cli) -> None:
    cli = authorized
    result = cli("api", f"{PRODUCTS}?limit=3", "-f", "properties=name")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["results"]) == 3 and data["paging"]["next"]["after"] == "3"
    assert set(data["results"][0]["properties"]) >= {"name", "hs_object_id"}
    assert "price" not in data["results"][0]["properties"]
    # Piped: exactly HubSpot's bytes, as a direct request with the same token gets them.
    direct = httpx.get(
        f"{cli.sandbox.base_url}{PRODUCTS}?limit=3&properties=name",
        headers={"Authorization": f"Bearer {stored_token(cli)}"},
    )
    assert result.stdout.encode() == direct.content

    included = cli("api", "-i", PRODUCTS, "-F", "limit=1")
    head, _, body = included.stdout.partition("\n\n")
    assert head.startswith("HTTP/1.1 200 OK")
    assert "X-HubSpot-RateLimit-Max:" in head
    assert len(json.loads(body)["results"]) == 1


def test_api_paginate_gets_every_product_once_one_request_per_page(authorized: Cli) -> None:
    cli = authorized
    before = requests_to(cli, PRODUCTS)
    # The main account holds 240 products: HubSpot's 100-record pages, so three requests.
    result = cli("api", PRODUCTS, "--paginate", "-F", "limit=100")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["results"]
    ids = [record["id"] for record in data["results"]]
    total = cli.sandbox.account(MAIN).products
    assert len(ids) == total == len(set(ids)) == 240
    assert requests_to(cli, PRODUCTS) - before == 3

    # limit=1 on the test portal (3 products): one record per page, one request per page.
    assert cli("login", "--open", "--timeout", "30", pick=str(TEST_PORTAL)).returncode == 1
    before = requests_to(cli, PRODUCTS)
    one = cli("api", PRODUCTS, "--paginate", "-F", "limit=1", "--hub", str(TEST_PORTAL))
    assert one.returncode == 0, one.stderr
    small = [record["id"] for record in json.loads(one.stdout)["results"]]
    assert len(small) == len(set(small)) == cli.sandbox.account(TEST_PORTAL).products == 3
    assert requests_to(cli, PRODUCTS) - before == 3

    # An `after` given starts mid-way; the pages from there on follow HubSpot's cursors.
    rest = cli(
        "api", PRODUCTS, "--paginate", "-F", "limit=2", "-f", "after=230", "--hub", str(MAIN)
    )
    assert [r["id"] for r in json.loads(rest.stdout)["results"]] == ids[230:]


def test_api_refreshes_an_expired_token_transparently(authorized: Cli) -> None:
    cli = authorized
    old = stored_token(cli)
    # The sandbox expired it but our store still thinks it is fresh: HubSpot's 401 triggers one
    # refresh and one retry.
    cli.sandbox.expire_access_tokens()
    result = cli("api", PRODUCTS)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["results"]) == 10
    assert stored_token(cli) != old and result.stderr == ""
    statuses = [e.status for e in cli.sandbox.request_log if e.path == PRODUCTS]
    assert statuses[-2:] == [401, 200]


def test_api_hubspot_errors_exit_1_with_the_mapped_message(authorized: Cli) -> None:
    cli = authorized
    assert cli("use", str(MAIN)).returncode == 0
    missing = cli("api", "/crm/v3/objects/line_items", "--hub", str(MAIN))
    assert missing.returncode == 0  # granted: the control case

    bad = cli("api", PRODUCTS, "-f", "limit=many")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["category"] == "VALIDATION_ERROR"  # HubSpot's body, on stdout
    assert "error:" in bad.stderr and "Traceback" not in bad.stderr

    cli.sandbox.faults.add(PRODUCTS, FaultKind.STATUS, status=503, times=10)
    down = cli("api", PRODUCTS)
    assert down.returncode == 1
    assert "error:" in down.stderr and "next:" in down.stderr
    cli.sandbox.faults.clear()

    unknown = cli("api", "/crm/v3/objects/widgets")
    assert unknown.returncode == 1 and "error:" in unknown.stderr


def test_api_missing_scope_says_which(cli: Cli) -> None:
    cli.configure()
    narrow = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read"
    assert cli("configure", "--scopes", narrow, "--optional-scopes", "").returncode == 0
    # Authorized (stored), though not READY: Products and Line items need scopes it lacks.
    assert cli("login", "--open", "--timeout", "30", pick="main").returncode == 1
    result = cli("api", PRODUCTS)
    assert result.returncode == 1
    assert json.loads(result.stdout)["category"] == "MISSING_SCOPES"
    assert "crm.objects.products.read" in result.stderr and "next:" in result.stderr


def test_api_bad_arguments_exit_2_and_send_nothing(authorized: Cli) -> None:
    cli = authorized
    before = len(cli.sandbox.request_log)
    for args in (
        ["https://evil.example/crm/v3/objects/products"],
        ["//evil.example/crm/v3/objects/products"],
        [f"{cli.sandbox.base_url}{PRODUCTS}"],
        [PRODUCTS, "-X", "BREW"],
        [PRODUCTS, "-f", "novalue"],
        [PRODUCTS, "-F", "limit={oops"],
        [PRODUCTS, "-X", "POST", "--paginate"],
        [PRODUCTS, "--paginate", "-i"],
        [PRODUCTS, "--input", "-"],
        [PRODUCTS, "-X", "POST", "--input", "/nonexistent/file.json"],
        [PRODUCTS, "--hub", "999"],
        ["/crm/v3/objects/products with space"],
    ):
        result = cli("api", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(cli.sandbox.request_log) == before


def test_api_post_sends_a_json_body(authorized: Cli, tmp_path: Path) -> None:
    cli = authorized
    # The sandbox serves GET only on products: a POST gets its 405, which proves the request
    # (method, body) went out and the error came back mapped.
    posted = cli("api", "-X", "POST", PRODUCTS, "-f", "name=Widget", "-F", "price=10")
    assert posted.returncode == 1
    assert json.loads(posted.stdout)["category"] == "VALIDATION_ERROR"
    body = tmp_path / "body.json"
    body.write_text('{"properties": {"name": "Widget"}}')
    from_file = cli("api", "-X", "PUT", PRODUCTS, "--input", str(body))
    assert from_file.returncode == 1
    methods = [e.method for e in cli.sandbox.request_log if e.path == PRODUCTS]
    assert methods[-2:] == ["POST", "PUT"]


# -------------------------------------------------------------- connector


def test_connector_json_matches_the_app_and_hides_the_secret(authorized: Cli) -> None:
    cli = authorized
    assert cli("configure", "--partner-id", "acme.integrations.example").returncode == 0
    result = cli("connector", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    app = tomllib.loads((cli.config_dir / "config.toml").read_text())["profiles"]["default"]["app"]
    assert set(app["optional_scopes"]) == {
        "crm.objects.products.read",
        "crm.objects.line_items.read",
    }
    assert data == {
        "client_id": DEMO_APP.client_id,
        "client_secret": None,
        "scopes": [
            "oauth",
            "crm.objects.contacts.read",
            "crm.objects.companies.read",
            "crm.objects.deals.read",
        ],
        # In the app's order, as stored (configure keeps its own canonical order).
        "optional_scopes": list(app["optional_scopes"]),
        "redirect_url": "https://acme.integrations.example/connector/callback",
        "main_account": {"hub_id": MAIN, "name": "Acme Inc"},
    }
    revealed = json.loads(cli("connector", "--json", "--reveal-secret").stdout)
    assert revealed["client_secret"] == DEMO_APP.client_secret

    text = cli("connector")
    assert text.returncode == 0
    assert DEMO_APP.client_secret not in text.stdout
    assert DEMO_APP.client_secret[-4:] in text.stdout  # masked: bullets and the last four
    assert "oauth crm.objects.contacts.read crm.objects.companies.read" in text.stdout
    assert "Acme Inc (44120003)" in text.stdout


def test_connector_notes_what_is_missing(cli: Cli) -> None:
    cli.configure()
    # Stored, though not READY: a developer account is not the main one.
    assert cli("login", "--open", "--timeout", "30", pick="developer").returncode == 1
    data = json.loads(cli("connector", "--json").stdout)
    assert data["redirect_url"] is None and data["main_account"] is None
    text = cli("connector")
    assert "Partner id missing" in text.stdout and "no MAIN account yet" in text.stdout
    elsewhere = SandboxEnv(cli.sandbox, cli.port, cli.config_dir.parent / "empty")
    empty = Cli(elsewhere, cli.config_dir.parent)
    nothing = empty("connector", "--json")
    assert nothing.returncode == 1
    assert json.loads(nothing.stdout)["client_id"] is None


def test_no_secret_leaks_from_api_or_connector(authorized: Cli) -> None:
    """Only `token` prints a token and only `--reveal-secret` the client secret, by design."""
    cli = authorized
    cli.outputs.clear()
    cli.sandbox.expire_access_tokens()
    cli("api", PRODUCTS, "-i")
    cli("api", PRODUCTS, "--paginate", "-F", "limit=50")
    cli("api", PRODUCTS, "-f", "limit=bad")
    cli("connector")
    cli("connector", "--json")
    tokens = cli.secrets()["profiles"]["default"]["tokens"][str(MAIN)]  # type: ignore[index]
    needles = [DEMO_APP.client_secret, tokens["access_token"], tokens["refresh_token"]]
    haystacks = [*cli.outputs.values()]
    haystacks += [json.dumps(entry.query) + entry.path for entry in cli.sandbox.request_log]
    for needle in needles:
        assert len(needle) > 20
        for text in haystacks:
            assert needle not in text


def test_api_waits_out_a_rate_limit_like_every_other_call(authorized: Cli) -> None:
    cli = authorized
    cli.sandbox.faults.add(PRODUCTS, FaultKind.RATE_LIMIT, retry_after=0.2)
    result = cli("api", PRODUCTS, "-F", "limit=2")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["results"]) == 2
    statuses = [e.status for e in cli.sandbox.request_log if e.path == PRODUCTS]
    assert statuses[-2:] == [429, 200]
    # A daily limit is not waited out (HubSpot asks for hours): the 429 is reported, exit 1.
    cli.sandbox.faults.add(PRODUCTS, FaultKind.RATE_LIMIT, policy="DAILY", times=-1)
    daily = cli("api", PRODUCTS)
    assert daily.returncode == 1 and "error:" in daily.stderr
    assert json.loads(daily.stdout)["policyName"] == "DAILY"
