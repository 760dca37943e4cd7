"""The shared settings and scope rules (tui/core/settings_rules.py, scope_rules.py, loopback.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui.core.loopback import is_loopback_redirect, ssh_tunnel_command, ssh_tunnel_hint
from tui.core.profile import DEFAULT_OPTIONAL_SCOPES, AppConfig
from tui.core.scope_rules import check_scopes, parse_scope_list
from tui.core.settings_rules import SettingsInput, apply_settings, region_of_host
from tui.hubspot.models import Region

GOOD_ID = "76b36bbc-ad13-55bf-97d9-cc09ae80f743"
OTHER_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
BASE = AppConfig(client_id=GOOD_ID, scopes_confirmed=True)
AUTHORIZE = "https://app.hubspot.com/oauth/authorize"


def test_install_url_with_a_bad_client_id_changes_nothing() -> None:
    outcome = apply_settings(BASE, SettingsInput(install_url=f"{AUTHORIZE}?client_id=abc"))
    assert not outcome.ok and outcome.app == BASE and outcome.changes == ()
    refusal = outcome.refused("client_id")
    assert refusal is not None and "expected 36" in refusal.reason
    assert "install URL" in refusal.text


def test_install_url_without_scopes_keeps_the_scope_lists() -> None:
    outcome = apply_settings(BASE, SettingsInput(install_url=f"{AUTHORIZE}?client_id={OTHER_ID}"))
    assert outcome.ok
    assert outcome.app.client_id == OTHER_ID
    assert outcome.app.scopes == BASE.scopes and outcome.app.optional_scopes == BASE.optional_scopes


@pytest.mark.parametrize(
    ("redirect", "port", "redirect_uri", "partner"),
    [
        ("http://localhost:9555/oauth-callback", 9555, "", ""),
        ("http://127.0.0.1:9556/oauth-callback", 9556, "", ""),
        ("http://[::1]:9557/cb", 9557, "http://localhost:9557/cb", ""),
        ("https://connect.example.com/connector/callback", 8765, "", "connect.example.com"),
        ("https://example.org/hubspot/cb", 8765, "https://example.org/hubspot/cb", ""),
    ],
)
def test_install_url_redirects(redirect: str, port: int, redirect_uri: str, partner: str) -> None:
    url = f"https://app-eu1.hubspot.com/oauth/123/authorize?client_id={OTHER_ID}&redirect_uri={redirect}"
    outcome = apply_settings(BASE, SettingsInput(install_url=url))
    assert outcome.ok, outcome.refusals
    assert outcome.app.callback_port == port
    assert outcome.app.redirect_uri == redirect_uri
    assert outcome.app.partner_id == partner
    assert outcome.app.region is Region.EU
    assert outcome.hub_pin == 123


def test_install_url_refuses_a_privileged_loopback_port_and_unknown_scopes() -> None:
    url = f"{AUTHORIZE}?client_id={OTHER_ID}&redirect_uri=http://localhost:80/oauth-callback"
    assert apply_settings(BASE, SettingsInput(install_url=url)).refused("redirect_uri")
    url = f"{AUTHORIZE}?client_id={OTHER_ID}&scope=oauth%20crm.objects.contact.read"
    outcome = apply_settings(BASE, SettingsInput(install_url=url))
    assert outcome.app == BASE
    refusal = outcome.refused("scopes")
    assert refusal is not None and "crm.objects.contact.read" in refusal.reason


def test_region_of_host() -> None:
    assert region_of_host("https://app-eu1.hubspot.com") is Region.EU
    assert region_of_host("https://app.hubspot.com") is Region.NA
    assert region_of_host("https://app-na2.hubspot.com") is Region.NA
    assert region_of_host("https://local.app.hubspotqa.com") is None


def test_values_are_trimmed_and_every_one_validated_before_any_is_taken() -> None:
    outcome = apply_settings(
        BASE, SettingsInput(client_id=f"  {OTHER_ID}\n", client_secret=f"{SECRET}\n")
    )
    assert outcome.ok and outcome.app.client_id == OTHER_ID and outcome.client_secret == SECRET
    mixed = apply_settings(BASE, SettingsInput(client_id=OTHER_ID, callback_port="80"))
    assert mixed.app == BASE and mixed.client_secret is None
    assert [r.field for r in mixed.refusals] == ["callback_port"]


@pytest.mark.parametrize("port", ["80", "1023", "65536", "abc", ""])
def test_port_range(port: str) -> None:
    assert apply_settings(BASE, SettingsInput(callback_port=port)).refused("callback_port")


def test_new_port_moves_a_loopback_redirect_with_it() -> None:
    base = replace(BASE, redirect_uri="http://localhost:8765/custom")
    outcome = apply_settings(base, SettingsInput(callback_port="9000"))
    assert outcome.app.redirect_uri == "http://localhost:9000/custom"


def test_scope_in_both_lists_is_required_and_said_once() -> None:
    required = "oauth crm.objects.products.read crm.objects.line_items.read"
    outcome = apply_settings(BASE, SettingsInput(scopes=required))
    assert outcome.ok
    assert "crm.objects.products.read" not in outcome.app.optional_scopes
    assert outcome.app.optional_scopes == tuple(
        s for s in DEFAULT_OPTIONAL_SCOPES if s not in required.split()
    )
    assert len(outcome.notes) == 2 and all("kept as required only" in n for n in outcome.notes)
    checked = check_scopes(["oauth", "e-commerce"], ["e-commerce", "e-commerce"])
    assert checked.optional == () and checked.moved == ("e-commerce",)


def test_scope_lists_parse_commas_and_repeats() -> None:
    assert parse_scope_list(" oauth,crm.objects.deals.read  oauth ") == (
        "oauth",
        "crm.objects.deals.read",
    )


def test_loopback_and_ssh_hint() -> None:
    for uri in (
        "http://localhost:1/x",
        "http://127.0.0.1:2/",
        "http://[::1]:3/",
        "http://127.1.2.3/",
    ):
        assert is_loopback_redirect(uri), uri
    for uri in ("https://localhost/x", "http://example.com/", "http://[bad/", "localhost:8765"):
        assert not is_loopback_redirect(uri), uri
    env = {"SSH_CONNECTION": "10.0.0.2 5000 10.0.0.1 22", "USER": "ann"}
    assert ssh_tunnel_command(8765, env) == "ssh -L 8765:localhost:8765 ann@10.0.0.1"
    assert "ssh -L 9000:localhost:9000 ann@10.0.0.1" in ssh_tunnel_hint(
        "http://localhost:9000/oauth-callback", env
    )
    assert ssh_tunnel_hint("http://localhost:9000/oauth-callback", {}) == ""
    assert ssh_tunnel_hint("https://example.com/cb", env) == ""
