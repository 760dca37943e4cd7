"""Bad input everywhere gets a clear error, never a traceback (property-based, deterministic).

Complements the fuzzing in test_parse.py / test_oauth.py with what they leave out:

- install URLs built from random schemes, hosts, paths and query parameters;
- pasted redirects built around a real callback with random extra, repeated or mangled fields;
- the scope linter, search and URL builder with random scope names;
- every as-you-type validator with random text;
- the store loading random TOML documents (random nested tables, the real schema with random
  values, random bytes) -- only `StoreError` may escape, and the profile still loads, saves and
  computes its checklist;
- every HubSpot call end to end (HTTP status, headers and body all random) -- only
  `HubSpotError` may escape, with a one-line message.

Every test counts the inputs it was given (`tests/figures.py`; printed at the end of the run).
Examples are derandomized so the suite is deterministic; sizes keep the file under ~20 s.
"""

from __future__ import annotations

import json
import os
import string
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import httpx
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.figures import add_figure
from tui.core.profile import Profile, ProfileSecrets
from tui.core.service import InstallService, compute_status
from tui.core.store import ProfileStore, StoreError
from tui.hubspot import validate
from tui.hubspot.client import HubSpotClient
from tui.hubspot.errors import CallbackError, HubSpotError, InputError
from tui.hubspot.models import Access, ProbeResult, TokenGrant, TokenInfo
from tui.hubspot.oauth import (
    parse_install_url,
    parse_pasted_redirect,
    redirect_uri_problem,
)
from tui.hubspot.scopes import BY_NAME, filter_scopes, lint, scope_params


def fuzz(examples: int) -> settings:
    """Hypothesis settings: `examples` inputs, deterministic, no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def one_line(text: str) -> bool:
    return bool(text) and "\n" not in text and "\r" not in text


# ---- install URLs --------------------------------------------------------------------------------

HOSTS = st.sampled_from(
    [
        "app.hubspot.com",
        "app-eu1.hubspot.com",
        "app-na2.hubspot.com",
        "APP.HUBSPOT.COM",
        "app.hubspot.com.evil.example",
        "evil.example",
        "app.hubspotqa.com",
        "local.app.hubspot.com",
        "app.hubspot.com:8443",
        "[::1]",
        "user:pw@app.hubspot.com",
        "",
    ]
) | st.text(alphabet=string.ascii_lowercase + ".-:[]@%", max_size=30)
PATHS = st.sampled_from(
    ["/oauth/authorize", "/oauth/44120003/authorize", "/oauth/authorize/", "/oauth/x/authorize"]
) | st.text(alphabet=string.printable, max_size=30)
KEYS = st.sampled_from(
    ["client_id", "scope", "optional_scope", "redirect_uri", "state", "code", ""]
) | st.text(max_size=12)
VALUES = st.sampled_from(
    [
        "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "oauth crm.objects.contacts.read",
        "oauth+e-commerce,crm.objects.products.read",
        "http://localhost:8765/oauth-callback",
        "%20%2B%00%ff",
        "",
    ]
) | st.text(max_size=40)


@st.composite
def install_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["https://", "http://", "ftp://", "", "HTTPS://", "//"]))
    params = draw(st.lists(st.tuples(KEYS, VALUES), max_size=8))
    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"{scheme}{draw(HOSTS)}{draw(PATHS)}" + (f"?{query}" if params else "")
    wrap = draw(st.sampled_from(["", "quote", "newline", "angle", "encoded"]))
    if wrap == "quote":
        url = f"'{url}'"
    elif wrap == "newline" and len(url) > 10:
        url = url[:10] + "\n  " + url[10:]
    elif wrap == "angle":
        url = f"<{url}>"
    elif wrap == "encoded":
        url = url.replace("?", "%3F").replace("&", "%26")
    return url


@fuzz(600)
@given(install_urls())
def test_install_url_importer(url: str) -> None:
    add_figure("fuzz inputs: install URL importer", 1)
    try:
        parsed = parse_install_url(url)
    except InputError as error:
        assert one_line(error.message) and error.action
        return
    assert parsed.app_base.startswith("https://") and "hubspot" in parsed.app_base
    assert parsed.client_id and not any(ch.isspace() for ch in parsed.client_id)
    for scope in (*parsed.scopes, *parsed.optional_scopes):
        assert scope and not any(ch.isspace() or ch == "," for ch in scope)
    assert parsed.hub_id is None or parsed.hub_id > 0


# ---- pasted redirects ----------------------------------------------------------------------------

STATE = "Xk3v9_Q2-abcdefghijklmnopqrstuvwxyz0123456"
CODE = "na1-1a2b3c4d-5e6f-7a8b-9c0d-e1f2a3b4c5d6"


@st.composite
def pasted_redirects(draw: st.DrawFn) -> str:
    fields = [("code", CODE), ("state", STATE)]
    extra = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["code", "state", "error", "scope", "x"]) | st.text(max_size=8),
                st.sampled_from([CODE, STATE, "", "other", CODE[:7], CODE + "%00"])
                | st.text(max_size=30),
            ),
            max_size=4,
        )
    )
    fields += extra
    fields = draw(st.permutations(fields))
    drop = draw(st.sets(st.integers(min_value=0, max_value=len(fields) - 1), max_size=2))
    query = "&".join(f"{k}={v}" for i, (k, v) in enumerate(fields) if i not in drop)
    base = draw(
        st.sampled_from(
            ["http://localhost:8765/oauth-callback", "localhost:8765/oauth-callback", "", "?"]
        )
    )
    text = f"{base}?{query}" if base and base != "?" else (base + query)
    return (
        draw(st.sampled_from(["", " ", "\n", '"', "`"]))
        + text
        + draw(st.sampled_from(["", " ", "\n", '"', "#frag"]))
    )


@fuzz(500)
@given(pasted_redirects())
def test_pasted_redirects_around_a_real_callback(text: str) -> None:
    add_figure("fuzz inputs: pasted redirect parser", 1)
    try:
        code = parse_pasted_redirect(text, STATE)
    except (InputError, CallbackError) as error:
        assert one_line(error.message) and error.action
        return
    assert 8 <= len(code) <= 512 and not any(ch.isspace() for ch in code)


# ---- scope lists ---------------------------------------------------------------------------------

SCOPE_NAMES = st.sampled_from(
    [*sorted(BY_NAME)[:60], "oauth", "e-commerce", "crm-access", "", " ", "a b"]
) | st.text(max_size=30)


@fuzz(400)
@given(st.lists(SCOPE_NAMES, max_size=12), st.lists(SCOPE_NAMES, max_size=12), st.text(max_size=20))
def test_scope_lint_search_and_params(required: list[str], optional: list[str], query: str) -> None:
    add_figure("fuzz inputs: scope lists", 1)
    warnings = lint(required, optional)
    for warning in warnings:
        assert warning.level in ("error", "warn") and warning.message
    levels = [w.level for w in warnings]
    assert levels == sorted(levels, key=lambda level: level != "error")  # errors first
    if "oauth" not in required:
        assert any(w.level == "error" for w in warnings)
    scope, optional_part = scope_params(required, optional)
    assert scope.startswith("scope=") and " " not in scope + optional_part
    assert all(info.name in BY_NAME for info in filter_scopes(query))


# ---- validators ----------------------------------------------------------------------------------

TEXTS = (
    st.text(max_size=60)
    | st.uuids().map(str)
    | st.uuids().map(lambda u: f" {u}\n")
    | st.sampled_from(["•" * 36, "*" * 36, "https://app.hubspot.com/x", "1234567", "٣٤٥٦"])
    | st.integers(min_value=-(10**25), max_value=10**25).map(str)
)


@fuzz(500)
@given(TEXTS, TEXTS)
def test_validators(value: str, other: str) -> None:
    add_figure("fuzz inputs: validators", 1)
    for check in (
        validate.client_id_problem,
        validate.partner_id_problem,
        validate.port_problem,
        validate.hub_id_problem,
        redirect_uri_problem,
    ):
        problem = check(value)
        assert problem is None or one_line(problem), (check.__name__, value, problem)
    secret_problem = validate.client_secret_problem(value, client_id=other)
    assert secret_problem is None or one_line(secret_problem)
    if validate.client_id_problem(value) is None:
        assert len(value) == 36 and value.count("-") == 4
    if secret_problem is None:
        assert len(value) == 36 and value != other.strip()
    if validate.port_problem(value) is None:
        assert 1024 <= int(value) <= 65535
    if value and validate.hub_id_problem(value) is None:
        assert int(value) > 0


# ---- the store: random TOML documents ------------------------------------------------------------

toml_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
HUB_KEYS = st.sampled_from(["44120003", "44120001", "7"]) | st.sampled_from(
    ["0", "-1", "x", "99999999999999999999", ""]
)


def mostly(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually (4 in 5) a value of the right type, random within it; else anything at all."""
    return st.integers(0, 4).flatmap(lambda n: plausible if n else toml_values)


finite = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**40), 2**40)
scope_lists = st.lists(
    st.sampled_from(["oauth", "e-commerce", ""]) | st.text(max_size=20), max_size=4
)
APP = {
    "client_id": st.uuids().map(str) | st.text(max_size=40),
    "callback_port": st.integers(min_value=-(2**31), max_value=2**31),
    "redirect_uri": st.sampled_from(["", "https://x.example/cb", "http://localhost:1/x"])
    | st.text(max_size=40),
    "partner_id": st.text(max_size=30),
    "scopes": scope_lists,
    "optional_scopes": scope_lists,
    "region": st.sampled_from(["na", "eu", "ap", ""]),
    "app_base": st.text(max_size=30),
    "token_version": st.sampled_from(["v3", "v1", "2026-03", "v9", ""]),
    "scopes_confirmed": st.booleans(),
}
PROBE = st.fixed_dictionaries(
    {},
    optional={
        "access": mostly(st.sampled_from(["ok", "missing_scope", "forbidden", "error", "new"])),
        "count": mostly(st.integers(min_value=-5, max_value=2**62)),
        "has_more": mostly(st.booleans()),
        "required_scopes": mostly(scope_lists),
        "message": mostly(st.text(max_size=40)),
    },
)
ACCOUNT = {
    "hub_domain": st.text(max_size=30),
    "account_type": st.sampled_from(
        ["STANDARD", "APP_DEVELOPER", "SANDBOX", "DEVELOPER_TEST", "X"]
    ),
    "role": st.sampled_from(["main", "standard", "developer", "test", "sandbox", "unknown", "?"]),
    "region": st.text(max_size=8),
    "ui_domain": st.text(max_size=20),
    "user": st.text(max_size=20),
    "portal_name": st.text(max_size=40),
    "products": PROBE,
    "line_items": PROBE,
    "scopes_granted": scope_lists,
    "scopes_requested": scope_lists,
    "checked_at": finite,
    "check_error": st.text(max_size=40),
}
TOKENS = {
    "access_token": st.text(max_size=60),
    "refresh_token": st.text(max_size=60),
    "expires_at": finite,
    "obtained_at": finite,
}


def table(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A TOML table with most of `fields` (each mostly of its own type), some left out."""
    return st.fixed_dictionaries({k: mostly(v) for k, v in fields.items()}).flatmap(
        lambda full: st.sets(st.sampled_from(sorted(full)), max_size=3).map(
            lambda dropped: {k: v for k, v in full.items() if k not in dropped}
        )
    )


VERSIONS = mostly(st.sampled_from([1, 1, 1, 2, 0]))
PROFILE = st.fixed_dictionaries(
    {"app": mostly(table(APP)), "accounts": mostly(st.dictionaries(HUB_KEYS, table(ACCOUNT)))},
    optional={"active_hub_id": mostly(st.sampled_from([44120003, 7]) | st.integers(-1, 2**64))},
)
SECRETS = st.fixed_dictionaries(
    {"tokens": mostly(st.dictionaries(HUB_KEYS, table(TOKENS), max_size=3))},
    optional={"client_secret": mostly(st.text(max_size=40))},
)


def profiles(entry: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`[profiles.default]` (mostly well-formed), maybe `other`, maybe an oddly named one."""
    return mostly(
        st.fixed_dictionaries(
            {"default": mostly(entry)}, optional={"other": entry, "\u00e9 x": toml_values}
        )
    )


config_docs = st.fixed_dictionaries({"profiles": profiles(PROFILE)}, optional={"version": VERSIONS})
credential_docs = st.fixed_dictionaries(
    {"profiles": profiles(SECRETS)}, optional={"version": VERSIONS}
)


def _toml_or_junk(doc: object, junk: bytes, use_junk: bool) -> bytes:
    if use_junk or not isinstance(doc, dict):
        return junk
    try:
        return tomli_w.dumps(doc).encode()
    except (TypeError, ValueError):  # NaN-free floats only, etc.: then it's junk, as a hand edit
        return junk


@fuzz(150)
@given(
    config_docs,
    credential_docs,
    st.binary(max_size=80) | st.sampled_from([b"[profiles\n", b"\xff\xfe", b"version = 'x'"]),
    st.integers(0, 5).map(lambda n: n == 0),
    st.integers(0, 5).map(lambda n: n == 0),
)
def test_store_loads_any_document(
    config: dict[str, Any], credentials: dict[str, Any], junk: bytes, junk1: bool, junk2: bool
) -> None:
    add_figure("fuzz inputs: store documents", 1)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "cfg"
        directory.mkdir(mode=0o700)
        for name, doc, use_junk in (
            ("config.toml", config, junk1),
            ("credentials.toml", credentials, junk2),
        ):
            path = directory / name
            path.write_bytes(_toml_or_junk(doc, junk, use_junk))
            os.chmod(path, 0o600)
        store = ProfileStore(directory)
        try:
            profile, secrets = store.load("default")
        except StoreError as error:
            assert one_line(error.message)
            return
        assert isinstance(profile, Profile) and isinstance(secrets, ProfileSecrets)
        if profile.accounts or secrets.tokens or profile.app != Profile().app:
            add_figure("fuzz inputs: store documents that decoded to settings/accounts/tokens", 1)
        for warning in store.warnings:
            assert str(warning.path).startswith(str(directory)) and warning.message
        # The checklist is computed from whatever was salvaged, without a crash.
        status = compute_status(profile, secrets, now=1_700_000_000.0)
        assert status.checks
        # And the profile can still be saved, then read back without complaint.
        try:
            store.update("default", lambda p, s: None)
        except StoreError as error:  # e.g. written by a "newer" version: refused, said why
            assert one_line(error.message) and error.action
            return
        again = ProfileStore(directory)
        assert again.load("default")[0] == store.load("default")[0]
        assert not [w for w in again.warnings if "moved it aside" in w.message]
        for name in ("config.toml", "credentials.toml"):
            tomllib.loads((directory / name).read_text())


async def test_service_loads_a_mangled_store(tmp_path: Path) -> None:
    """The app's own entry point on a hand-mangled file: a warning with path and line."""
    directory = tmp_path / "cfg"
    directory.mkdir(mode=0o700)
    (directory / "config.toml").write_text('version = 1\n[profiles.default.app]\nclient_id = "x\n')
    os.chmod(directory / "config.toml", 0o600)
    service = InstallService(ProfileStore(directory))
    profile = await service.load()
    assert profile.name == "default"
    [warning] = service.warnings
    assert "config.toml line 3" in warning and "kept as" in warning
    assert service.status().checks


# ---- every HubSpot call, end to end, with random answers -----------------------------------------

STATUSES = st.sampled_from(
    [200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503]
) | st.integers(min_value=100, max_value=599)
json_bodies = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=15,
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        key: json_bodies
        for key in (
            "access_token",
            "refresh_token",
            "expires_in",
            "hub_id",
            "active",
            "scopes",
            "portalId",
            "accountType",
            "results",
            "paging",
            "status",
            "category",
            "message",
            "policyName",
        )
    },
)
BODIES = (
    st.binary(max_size=200)
    | json_bodies.map(lambda v: json.dumps(v).encode())
    | shaped.map(lambda v: json.dumps(v).encode())
    | st.sampled_from(
        [
            b"",
            b"<html>502 Bad Gateway</html>",
            b'{"access_token": "a", "refresh_token": "r", "expires_in": 1e400}',
            b'{"expires_in": ' + b"9" * 5000 + b"}",
            b"[" * 5000 + b"]" * 5000,
            json.dumps({"portalId": 2**70, "accountType": "STANDARD"}).encode(),
            json.dumps({"results": "x" * 100_000}).encode(),
        ]
    )
)
HEADERS = st.dictionaries(
    st.sampled_from(
        ["Retry-After", "X-HubSpot-RateLimit-Interval-Milliseconds", "X-HubSpot-RateLimit-Max"]
    )
    | st.text(alphabet=string.ascii_letters + "-", min_size=1, max_size=12),
    st.text(alphabet=string.printable.strip(), max_size=20),
    max_size=3,
)
CALLS = ("exchange", "refresh", "introspect", "revoke", "account", "products", "line_items")


async def _call(client: HubSpotClient, call: str) -> object:
    creds = {"client_id": "cid", "client_secret": "cs-SECRET-value-0001"}
    if call == "exchange":
        return await client.exchange_code(
            **creds, code="code-0001", redirect_uri="http://localhost/x", code_verifier="v" * 50
        )
    if call == "refresh":
        return await client.refresh(**creds, refresh_token="rt-REFRESH-0001")
    if call == "introspect":
        return await client.introspect(**creds, access_token="at-ACCESS-0001")
    if call == "revoke":
        await client.revoke(**creds, refresh_token="rt-REFRESH-0001")
        return None
    if call == "account":
        return await client.account_details("at-ACCESS-0001")
    return await client.probe("at-ACCESS-0001", call)


@fuzz(500)
@given(st.sampled_from(CALLS), STATUSES, HEADERS, BODIES)
async def test_every_call_with_random_answers(
    call: str, status: int, headers: dict[str, str], body: bytes
) -> None:
    add_figure("fuzz inputs: HubSpot answers (status × headers × body)", 1)

    def answer(request: httpx.Request) -> httpx.Response:
        try:
            return httpx.Response(status, headers=headers, content=body)
        except (ValueError, TypeError, UnicodeError):
            return httpx.Response(status, content=body)

    async def no_sleep(_: float) -> None:
        return None

    client = HubSpotClient(
        "https://api.example.test", transport=httpx.MockTransport(answer), sleep=no_sleep
    )
    try:
        result = await _call(client, call)
    except HubSpotError as error:
        assert one_line(error.message), error.message
        for secret in ("cs-SECRET-value-0001", "rt-REFRESH-0001", "at-ACCESS-0001", "code-0001"):
            assert secret not in f"{error.message} {error.action} {error!r}"
        return
    finally:
        await client.aclose()
    assert (
        result is None
        or isinstance(result, TokenGrant | TokenInfo | ProbeResult)
        or (hasattr(result, "portal_id"))
    )
    add_figure("fuzz inputs: HubSpot answers parsed into a typed result", 1)
    if isinstance(result, ProbeResult):
        assert result.access in Access
    if isinstance(result, TokenGrant):
        assert result.tokens.access_token and result.tokens.refresh_token
        assert 0 < result.tokens.expires_at - result.tokens.obtained_at <= 86_400
