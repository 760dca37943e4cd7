"""The scope catalogue, presets, search and linter."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs

import pytest

from tui.hubspot.scopes import (
    BY_NAME,
    CATALOGUE,
    GROUPS,
    PRESETS,
    ScopeInfo,
    filter_scopes,
    lint,
    scope_params,
)

LEGACY_HYPHENATED = {
    "e-commerce",
    "sales-email-read",
    "marketing-email",
    "transactional-email",
    "forecast-read",
    "integration-sync",
    "forms-uploaded-files",
    "business-intelligence",
}


def test_catalogue_size_and_unique_names() -> None:
    names = [info.name for info in CATALOGUE]
    assert len(names) >= 200
    assert len(set(names)) == len(names)
    assert set(BY_NAME) == set(names)


def test_catalogue_entries_are_well_formed() -> None:
    for info in CATALOGUE:
        assert isinstance(info, ScopeInfo)
        assert info.group in GROUPS
        assert info.description
        assert re.fullmatch(r"[a-z0-9_.\-]+", info.name), info.name
    # Grouped in display order.
    order = [GROUPS.index(info.group) for info in CATALOGUE]
    assert order == sorted(order)


def test_no_internal_hyphenated_scope_groups() -> None:
    hyphen_only = {info.name for info in CATALOGUE if "-" in info.name and "." not in info.name}
    assert hyphen_only <= LEGACY_HYPHENATED
    for internal in ("crm-access", "contacts-access", "developers-read", "price-book-read"):
        assert internal not in BY_NAME


def test_expected_scopes_present() -> None:
    for name in (
        "oauth",
        "crm.objects.contacts.read",
        "crm.objects.products.write",
        "crm.objects.line_items.read",
        "crm.objects.owners.read",
        "crm.objects.contacts.highly_sensitive.write.v2",
        "crm.objects.projects.sensitive.read",
        "tickets.sensitive.v2",
        "crm.schemas.custom.write",
        "crm.schemas.line_items.read",
        "crm.dealsplits.read_write",
        "conversations.visitor_identification.tokens.create",
        "e-commerce",
        "tickets",
    ):
        assert name in BY_NAME, name
    assert BY_NAME["crm.schemas.custom.read"].tier
    assert not BY_NAME["crm.objects.contacts.read"].tier


def test_presets() -> None:
    assert {"Recommended", "Products & line items", "Contacts only", "Read-only CRM"} <= set(
        PRESETS
    )
    assert PRESETS["Recommended"] == (
        (
            "oauth",
            "crm.objects.contacts.read",
            "crm.objects.companies.read",
            "crm.objects.deals.read",
        ),
        (
            "crm.objects.products.read",
            "crm.objects.line_items.read",
            "crm.objects.quotes.read",
            "crm.objects.owners.read",
            "e-commerce",
        ),
    )
    assert PRESETS["Products & line items"] == (
        (
            "oauth",
            "crm.objects.products.read",
            "crm.objects.line_items.read",
            "crm.objects.deals.read",
        ),
        ("crm.objects.products.write", "crm.objects.line_items.write", "e-commerce"),
    )
    for name, (required, optional) in PRESETS.items():
        assert all(s in BY_NAME for s in (*required, *optional)), name
        assert [w for w in lint(required, optional) if w.level == "error"] == [], name
    assert lint(*PRESETS["Recommended"]) == []


def _levels(required: list[str], optional: list[str]) -> dict[tuple[str, str], str]:
    return {(w.level, w.scope): w.message for w in lint(required, optional)}


def test_lint_errors() -> None:
    found = _levels(["crm.objects.contacts.read"], ["crm.objects.contacts.read"])
    assert ("error", "oauth") in found
    # A scope in both lists counts as required: said once, as a warning, never an error.
    assert "kept as required" in found[("warn", "crm.objects.contacts.read")]
    assert ("error", "crm.objects.contacts.read") not in found
    assert "No required scopes" in _levels([], ["oauth"])[("error", "")]
    unknown = _levels(["oauth", "crm.objects.contact.read", "crm-access"], [])
    assert "not a known HubSpot scope" in unknown[("error", "crm.objects.contact.read")]
    assert "internal" in unknown[("error", "crm-access")]
    assert ("error", "bad scope") in _levels(["oauth", "bad scope"], [])


def test_lint_warnings() -> None:
    found = _levels(
        ["oauth", "crm.objects.products.read", "automation"], ["crm.objects.line_items.read"]
    )
    assert "paid Sales Hub seat" in found[("warn", "crm.objects.products.read")]
    assert "make it optional" in found[("warn", "crm.objects.products.read")]
    assert "Professional" in found[("warn", "automation")]
    assert "make it optional" in found[("warn", "automation")]
    assert (
        "warn",
        "crm.objects.line_items.read",
    ) not in found  # optional: HubSpot drops it quietly
    assert ("warn", "oauth") in _levels(["oauth", "oauth"], [])
    # Errors come before warnings.
    levels = [w.level for w in lint(["crm.objects.products.read"], [])]
    assert levels == sorted(levels, key=lambda level: level != "error")


def test_filter_scopes() -> None:
    assert filter_scopes("") == list(CATALOGUE)
    products = filter_scopes("PRODUCTS")
    assert {s.name for s in products} >= {"crm.objects.products.read", "crm.objects.products.write"}
    assert all("products" in f"{s.name} {s.description} {s.group}".lower() for s in products)
    assert {s.name for s in filter_scopes("sensitive contacts")} == {
        "crm.objects.contacts.sensitive.read.v2",
        "crm.objects.contacts.sensitive.write.v2",
        "crm.objects.contacts.highly_sensitive.read.v2",
        "crm.objects.contacts.highly_sensitive.write.v2",
    }
    assert filter_scopes("conversations")  # group names match too
    assert filter_scopes("zzzz-nothing") == []


@pytest.mark.parametrize("query", ["a", "read", "crm.objects", "sensitive contacts write", "zz"])
def test_filter_scopes_is_fast(query: str) -> None:
    filter_scopes(query)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        filter_scopes(query)
    per_call = (time.perf_counter() - start) / runs
    assert per_call < 0.001, f"{per_call * 1e6:.0f} µs"


def test_scope_params() -> None:
    scope, optional = scope_params(["oauth", "crm.objects.contacts.read"], ["e-commerce"])
    assert scope == "scope=oauth%20crm.objects.contacts.read"
    assert optional == "optional_scope=e-commerce"
    assert parse_qs(scope)["scope"] == ["oauth crm.objects.contacts.read"]
    assert scope_params(["oauth"], []) == ("scope=oauth", "")


def test_scope_params_match_the_authorize_url() -> None:
    from tui.hubspot.oauth import build_authorize_url

    required, optional = PRESETS["Recommended"]
    url = build_authorize_url(
        app_base="https://app.hubspot.com",
        client_id="c",
        redirect_uri="http://localhost:8765/oauth-callback",
        scopes=required,
        optional_scopes=optional,
        state="s",
    )
    scope, optional_part = scope_params(required, optional)
    assert f"&{scope}&" in url and f"&{optional_part}&" in url
