"""OAuth helpers: authorize URL, PKCE, pasted redirects, install URLs, redirect URI rules."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.hubspot.errors import CallbackError, InputError
from tui.hubspot.oauth import (
    InstallUrl,
    Pkce,
    build_authorize_url,
    loopback_redirect_uri,
    new_pkce,
    new_state,
    parse_install_url,
    parse_pasted_redirect,
    pkce_challenge,
    redirect_uri_problem,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATE = "Xk3v9_Q2-abcdefghijklmnopqrstuvwxyz0123456"
CODE = "na1-1a2b-3c4d-5e6f-7a8b9c0d"
CLIENT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
REDIRECT = "http://localhost:8765/oauth-callback"
CALLBACK = f"http://localhost:8765/oauth-callback?code={CODE}&state={STATE}"


# -- state and PKCE ---------------------------------------------------------------------------


def test_state_is_long_random_and_url_safe() -> None:
    states = {new_state() for _ in range(50)}
    assert len(states) == 50
    assert all(len(s) >= 43 and quote(s, safe="") == s for s in states)


def test_pkce_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_new_pkce_is_valid_and_repr_hides_verifier() -> None:
    pair = new_pkce()
    assert 43 <= len(pair.verifier) <= 128
    assert pair.challenge == pkce_challenge(pair.verifier)
    assert pair.verifier not in repr(pair) and pair.challenge in repr(pair)
    assert isinstance(pair, Pkce) and new_pkce().verifier != pair.verifier


# -- authorize URL ----------------------------------------------------------------------------


def test_authorize_url_exact() -> None:
    url = build_authorize_url(
        app_base="https://app.hubspot.com/",
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT,
        scopes=["oauth", "crm.objects.contacts.read"],
        optional_scopes=["e-commerce", "crm.objects.products.read"],
        state=STATE,
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    )
    assert url == (
        "https://app.hubspot.com/oauth/authorize"
        f"?client_id={CLIENT_ID}"
        "&redirect_uri=http%3A%2F%2Flocalhost%3A8765%2Foauth-callback"
        "&scope=oauth%20crm.objects.contacts.read"
        "&optional_scope=e-commerce%20crm.objects.products.read"
        f"&state={STATE}"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    )
    assert "+" not in url


def test_authorize_url_pinned_no_optional_no_pkce() -> None:
    url = build_authorize_url(
        app_base="https://app-eu1.hubspot.com",
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT,
        scopes=["oauth"],
        optional_scopes=[],
        state="s",
        hub_id=4242,
    )
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("app-eu1.hubspot.com", "/oauth/4242/authorize")
    params = parse_qs(parts.query)
    assert set(params) == {"client_id", "redirect_uri", "scope", "state"}
    assert params["redirect_uri"] == [REDIRECT]


@pytest.mark.parametrize("hub_id", [0, -1])
def test_authorize_url_rejects_bad_pin(hub_id: int) -> None:
    with pytest.raises(ValueError):
        build_authorize_url(
            app_base="https://app.hubspot.com",
            client_id="c",
            redirect_uri=REDIRECT,
            scopes=["oauth"],
            optional_scopes=[],
            state="s",
            hub_id=hub_id,
        )


# -- pasted redirects -------------------------------------------------------------------------

GOOD_PASTES = [
    CALLBACK,
    f"  {CALLBACK}\n",
    f'"{CALLBACK}"',
    f"'{CALLBACK}'",
    f"<{CALLBACK}>",
    f"localhost:8765/oauth-callback?code={CODE}&state={STATE}",
    f"https://connect.example.com/connector/callback?state={STATE}&code={CODE}",
    CALLBACK[:30] + "\n" + CALLBACK[30:60] + "\r\n  " + CALLBACK[60:],  # hard-wrapped, indented
    CALLBACK.replace("&", "\n&"),
    f"code={CODE}&state={STATE}",
    f"?code={CODE}&state={STATE}",
    f"{CALLBACK}#",
    CALLBACK.replace("&", "&amp;"),
    quote(CALLBACK, safe=""),
    CODE,
    f"  {CODE}  ",
]


@pytest.mark.parametrize("text", GOOD_PASTES)
def test_paste_variants(text: str) -> None:
    assert parse_pasted_redirect(text, STATE) == CODE


def test_paste_state_mismatch() -> None:
    with pytest.raises(CallbackError) as caught:
        parse_pasted_redirect(CALLBACK.replace(STATE, "other-state"), STATE)
    assert caught.value.code == "STATE_MISMATCH"
    assert (
        caught.value.message
        == "This redirect belongs to a different login attempt (state mismatch)"
    )
    assert caught.value.action == "Use the URL from the latest attempt, or restart the login"
    assert CODE not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        f"http://localhost:8765/oauth-callback?code={CODE}",
        f"http://localhost:8765/oauth-callback?code={CODE}&state={STATE}&state=x",
        f"http://localhost:8765/oauth-callback?code={CODE}&state=",
    ],
)
def test_paste_without_the_right_single_state(text: str) -> None:
    with pytest.raises(CallbackError) as caught:
        parse_pasted_redirect(text, STATE)
    assert caught.value.code == "STATE_MISMATCH"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (f"http://localhost:8765/oauth-callback?state={STATE}", "NO_CODE"),
        (f"http://localhost:8765/oauth-callback?state={STATE}&code=", "NO_CODE"),
        (f"http://localhost:8765/oauth-callback?state={STATE}&code=a%20b<script>", "BAD_CODE"),
        ("http://localhost:8765/oauth-callback", "NO_CODE"),
        ("app.hubspot.com", "NO_CODE"),
        ("", "BAD_PASTE"),
        ("   \n ", "BAD_PASTE"),
        ("short", "BAD_PASTE"),
        ("not a url at all", "BAD_PASTE"),
        ("<script>alert(1)</script>", "NO_CODE"),
        ("x" * 20_000, "BAD_PASTE"),
        ("&".join(["a=b"] * 100), "BAD_PASTE"),
    ],
)
def test_bad_pastes(text: str, code: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_pasted_redirect(text, STATE)
    assert caught.value.code == code
    assert caught.value.message and caught.value.action


def test_paste_with_error_param() -> None:
    with pytest.raises(CallbackError):
        parse_pasted_redirect(f"{REDIRECT}?error=access_denied&state={STATE}", STATE)


@FUZZ
@given(
    st.text(max_size=300)
    | st.builds(
        lambda pre, mid, post: pre + CALLBACK[: len(mid) % len(CALLBACK)] + mid + post,
        st.text(max_size=20),
        st.text(max_size=20),
        st.text(max_size=40),
    )
    | st.lists(
        st.sampled_from(["?", "&", "=", "code", "state", STATE, CODE, "#", "%", "\n", "/", ":"])
    ).map("".join)
)
def test_paste_fuzz_only_typed_errors(text: str) -> None:
    try:
        code = parse_pasted_redirect(text, STATE)
    except (InputError, CallbackError) as error:
        assert error.message and "\n" not in error.message
        return
    assert 8 <= len(code) <= 512


# -- install URLs -----------------------------------------------------------------------------

SAMPLE = (
    f"https://app.hubspot.com/oauth/authorize?client_id={CLIENT_ID}"
    "&redirect_uri=http%3A%2F%2Flocalhost%3A8765%2Foauth-callback"
    "&scope=oauth%20crm.objects.contacts.read&optional_scope=e-commerce%20crm.objects.products.read"
)
EXPECTED = InstallUrl(
    app_base="https://app.hubspot.com",
    hub_id=None,
    client_id=CLIENT_ID,
    redirect_uri=REDIRECT,
    scopes=("oauth", "crm.objects.contacts.read"),
    optional_scopes=("e-commerce", "crm.objects.products.read"),
)


@pytest.mark.parametrize(
    "text",
    [
        SAMPLE,
        SAMPLE.replace("%20", "+"),
        f"  '{SAMPLE}'\n",
        SAMPLE[:50] + "\n" + SAMPLE[50:],
        SAMPLE.removeprefix("https://"),
    ],
)
def test_install_url_variants(text: str) -> None:
    assert parse_install_url(text) == EXPECTED


def test_install_url_eu_and_pinned() -> None:
    parsed = parse_install_url(
        SAMPLE.replace("app.hubspot.com/oauth/", "app-eu1.hubspot.com/oauth/123/")
    )
    assert parsed.app_base == "https://app-eu1.hubspot.com" and parsed.hub_id == 123
    assert parsed.scopes == EXPECTED.scopes


def test_install_url_without_optional_or_redirect() -> None:
    parsed = parse_install_url(
        f"https://app.hubspot.com/oauth/authorize?client_id={CLIENT_ID}&scope=oauth"
    )
    assert (
        parsed.optional_scopes == () and parsed.redirect_uri == "" and parsed.scopes == ("oauth",)
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("hello", "not a URL"),
        ("https://evil.example.com/oauth/authorize?client_id=x", "not a HubSpot install URL"),
        (
            "https://app.hubspot.com.evil.com/oauth/authorize?client_id=x",
            "not a HubSpot install URL",
        ),
        ("https://app.hubspot.com/login?client_id=x", "not a HubSpot authorize URL"),
        ("https://app.hubspot.com/oauth/authorize?scope=oauth", "no client_id"),
        ("ftp://app.hubspot.com/oauth/authorize?client_id=x", "not a web URL"),
        ("https://[::1/oauth/authorize", "not a valid URL"),
        ("", "Nothing"),
    ],
)
def test_install_url_errors(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_install_url(text)
    assert words in caught.value.message
    assert caught.value.action


@FUZZ
@given(
    st.text(max_size=200)
    | st.builds(lambda a, b: SAMPLE[: len(a)] + b, st.text(), st.text(max_size=30))
)
def test_install_url_fuzz(text: str) -> None:
    try:
        parsed = parse_install_url(text)
    except InputError as error:
        assert error.message and error.action
        return
    assert parsed.client_id and parsed.app_base.startswith("https://")


# -- redirect URIs ----------------------------------------------------------------------------


def test_loopback_redirect_uri() -> None:
    assert loopback_redirect_uri(8765) == REDIRECT
    assert loopback_redirect_uri(9000, "cb") == "http://localhost:9000/cb"


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        (REDIRECT, None),
        ("http://localhost/cb", None),
        ("https://connect.example.com/connector/callback", None),
        ("http://127.0.0.1:8765/oauth-callback", "use localhost instead of 127.0.0.1"),
        ("http://[::1]:8765/cb", "use localhost"),
        ("https://10.0.0.5/cb", "IP addresses"),
        ("http://example.com/cb", "requires https"),
        ("https://example.com/cb#frag", "fragment"),
        ("ftp://example.com/cb", "https://"),
        ("localhost:8765/cb", "https://"),
        ("http://localhost:99999/cb", "not a valid URL"),
        ("https://user:pw@example.com/cb", "user:password"),
        (" https://example.com/cb", "spaces"),
        ("", "enter"),
    ],
)
def test_redirect_uri_problem(uri: str, words: str | None) -> None:
    problem = redirect_uri_problem(uri)
    if words is None:
        assert problem is None
    else:
        assert problem is not None and words in problem
