"""The sandbox's fixed cast: one demo OAuth app and the HubSpot accounts a partner can pick.

Plain data, no I/O. The hub ids are fixed because tests, the demo and the screenshots refer to them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/hubspot-tui/sandbox")


@dataclass(frozen=True)
class DemoApp:
    """The OAuth app registered on the sandbox.

    Attributes:
        client_id: the app's client id (36-character UUID string, like HubSpot's).
        client_secret: the app's client secret (36-character UUID string).
        app_id: the numeric app id HubSpot reports in token metadata.
    """

    client_id: str
    client_secret: str
    app_id: int


# Derived rather than written out: the source never holds a literal secret, yet every run (and
# every `--demo` restart) agrees on the same credentials.
DEMO_APP = DemoApp(
    client_id=str(uuid.uuid5(_NAMESPACE, "demo-app/client-id")),
    client_secret=str(uuid.uuid5(_NAMESPACE, "demo-app/client-secret")),
    app_id=1234567,
)
"""The one app the sandbox knows."""

DEMO_USER = "partner@acme.com"
"""The installing user every sandbox token belongs to."""

DEMO_USER_ID = 51234567
"""That user's numeric id."""

NO_SEAT_MISSING_SCOPES = "missing_scopes"
"""No-seat 403 shape: `category: MISSING_SCOPES` though the grant holds the scope (default)."""

NO_SEAT_LEGACY = "legacy"
"""No-seat 403 shape: the legacy permissions text without any `category`."""

TYPE_LABELS = {
    "STANDARD": "",
    "DEVELOPER_TEST": "Trial",
    "SANDBOX": "Sandbox",
    "APP_DEVELOPER": "Developer",
}
"""The badge HubSpot's account chooser shows next to an account name (none for standard)."""


@dataclass
class SandboxAccount:
    """One HubSpot account (portal) the demo user can install the app into.

    Attributes:
        hub_id: the portal id.
        name: the portal name shown on the chooser and in `portalName`.
        account_type: STANDARD, DEVELOPER_TEST, SANDBOX or APP_DEVELOPER.
        hub_domain: the domain token metadata reports as `hub_domain`.
        ui_domain: `uiDomain` (app.hubspot.com or app-eu1.hubspot.com).
        data_hosting_location: `dataHostingLocation` (na1, eu1...).
        time_zone: `timeZone`.
        currency: `companyCurrency`.
        products: how many product records the account holds.
        line_items: how many line item records the account holds.
        sales_seat: False makes products and line items answer a permissions 403 (no seat).
        no_seat_shape: which 403 a seatless account answers: `missing_scopes` (default, what
            HubSpot sends: `"category": "MISSING_SCOPES"` with the legacy "requires any of
            [products-access]" text) or `legacy` (the same text without a `category`).
        unavailable_scopes: scopes this account cannot grant. Entries may be shell-style patterns
            (`*.write`). Optional ones are dropped silently; a required one blocks the install.
    """

    hub_id: int
    name: str
    account_type: str
    hub_domain: str
    ui_domain: str = "app.hubspot.com"
    data_hosting_location: str = "na1"
    time_zone: str = "US/Eastern"
    currency: str = "USD"
    products: int = 0
    line_items: int = 0
    sales_seat: bool = True
    no_seat_shape: str = NO_SEAT_MISSING_SCOPES
    unavailable_scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def type_label(self) -> str:
        """The chooser badge for this account type ("" for a standard account)."""
        return TYPE_LABELS.get(self.account_type, self.account_type.title())

    def can_grant(self, scope: str) -> bool:
        """True when this account's plan lets the app hold `scope`."""
        return not any(fnmatchcase(scope, pattern) for pattern in self.unavailable_scopes)


def default_accounts() -> list[SandboxAccount]:
    """A fresh copy of the default accounts: one of each type plus an EU portal.

    Returns:
        New `SandboxAccount` objects, so a test that edits one never leaks into another.
    """
    return [
        SandboxAccount(
            44120001,
            "Acme Developer",
            "APP_DEVELOPER",
            "acme-dev.hubspot.com",
            sales_seat=False,
            # A developer account holds no CRM data and no paid tools: no commerce, no writes.
            unavailable_scopes=frozenset(
                {
                    "e-commerce",
                    "*.write",
                    "*.write.v2",
                    "crm.objects.quotes.*",
                    "crm.schemas.quotes.*",
                }
            ),
        ),
        SandboxAccount(
            44120002,
            "Acme Test Portal",
            "DEVELOPER_TEST",
            "acme-test.hubspot.com",
            products=3,
            line_items=5,
        ),
        # The main account's catalogue is longer than HubSpot's 100-record page, so paging and
        # the page cap are real for anyone pointing code at the sandbox.
        SandboxAccount(44120003, "Acme Inc", "STANDARD", "acme.com", products=240, line_items=40),
        SandboxAccount(
            44120004,
            "Acme Europe GmbH",
            "STANDARD",
            "acme.eu",
            ui_domain="app-eu1.hubspot.com",
            data_hosting_location="eu1",
            time_zone="Europe/Berlin",
            currency="EUR",
            products=12,
            line_items=0,
            sales_seat=False,
            unavailable_scopes=frozenset({"e-commerce"}),
        ),
        SandboxAccount(
            44120005,
            "Acme Sandbox",
            "SANDBOX",
            "acme-sandbox.hubspot.com",
            products=25,
            line_items=40,
        ),
    ]
