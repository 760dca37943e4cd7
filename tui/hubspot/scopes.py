"""The HubSpot OAuth scope catalogue as data, presets, search, and a linter for scope lists.

Built from the union of scope maps in HubSpot's public API specs (hubspot-api.md §7) plus the
few scopes HubSpot's scopes page lists that the specs do not. Read/write pairs and the
sensitive-data variants are expanded by code so the names cannot drift from the pattern.
Hyphenated internal scope groups (`crm-access`, `price-book-read`, …) are deliberately absent:
only the legacy hyphenated names HubSpot documents for apps are offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

GROUPS: tuple[str, ...] = (
    "Basics",
    "CRM records",
    "Sensitive data",
    "CRM schemas",
    "Other CRM",
    "Automation & sales",
    "Marketing & content",
    "Conversations",
    "Settings & account",
)
"""Display order of the catalogue's groups."""


@dataclass(frozen=True)
class ScopeInfo:
    """One OAuth scope.

    Attributes:
        name: the exact scope string sent to HubSpot.
        group: one of `GROUPS`.
        description: what it grants, in a short phrase.
        tier: the HubSpot subscription it needs when not every account has it, else "".
    """

    name: str
    group: str
    description: str
    tier: str = ""


@dataclass(frozen=True)
class ScopeWarning:
    """A problem `lint` found. `scope` is "" when the problem is about a whole list."""

    level: Literal["error", "warn"]
    scope: str
    message: str


_PRO = "Professional"
_ENT = "Enterprise"

# (object, label, tier) for `crm.objects.<object>.read|write`.
_RECORD_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("contacts", "contacts", ""),
    ("companies", "companies", ""),
    ("deals", "deals", ""),
    ("line_items", "line items", ""),
    ("products", "products", ""),
    ("quotes", "quotes and quote templates", ""),
    ("custom", "custom object records", _ENT),
    ("leads", "leads", f"Sales Hub {_PRO}"),
    ("goals", "goals", "Sales Hub Starter"),
    ("invoices", "invoices", ""),
    ("orders", "orders", ""),
    ("carts", "carts", ""),
    ("subscriptions", "commerce subscriptions", ""),
    ("commercepayments", "commerce payments", ""),
    ("courses", "courses", ""),
    ("listings", "listings", ""),
    ("appointments", "appointments", ""),
    ("services", "services", ""),
    ("projects", "projects", ""),
    ("partner-clients", "partner clients", ""),
    ("partner-services", "partner services", ""),
    ("users", "user records", ""),
    ("marketing_events", "marketing events", ""),
    ("tickets", "tickets (granular, beta)", ""),
)
_RECORD_READ_ONLY: tuple[tuple[str, str, str], ...] = (
    ("owners", "owners (users assigned to records)", ""),
    ("calls", "call engagements", ""),
    ("emails", "email engagements", ""),
    ("meetings", "meeting engagements", ""),
    ("notes", "note engagements", ""),
    ("tasks", "task engagements", ""),
    ("feedback_submissions", "feedback survey submissions", f"Service Hub {_PRO}"),
    ("contracts", "contracts", ""),
)
_SENSITIVE_V2 = ("contacts", "companies", "deals", "custom", "appointments")
_SCHEMA_PAIRS: tuple[tuple[str, str, str], ...] = (
    *(
        (obj, label, "")
        for obj, label in (
            ("contacts", "contacts"),
            ("companies", "companies"),
            ("deals", "deals"),
            ("quotes", "quotes"),
            ("invoices", "invoices"),
            ("orders", "orders"),
            ("carts", "carts"),
            ("subscriptions", "commerce subscriptions"),
            ("commercepayments", "commerce payments"),
            ("courses", "courses"),
            ("listings", "listings"),
            ("appointments", "appointments"),
            ("services", "services"),
            ("projects", "projects"),
            ("tickets", "tickets"),
        )
    ),
    ("custom", "custom object definitions", _ENT),
)
_SCHEMA_READ_ONLY = ("line_items", "calls", "emails", "meetings", "notes", "tasks")

# (name, group, description, tier) for everything that does not follow a pattern.
_SINGLES: tuple[tuple[str, str, str, str], ...] = (
    ("oauth", "Basics", "Basic account and user info; required by every app", ""),
    ("account-info.security.read", "Basics", "Login, security and audit activity", ""),
    ("tickets", "CRM records", "Tickets (legacy scope)", ""),
    ("e-commerce", "CRM records", "Products, line items and commerce objects (legacy)", ""),
    ("crm.lists.read", "Other CRM", "View lists (segments)", ""),
    ("crm.lists.write", "Other CRM", "Create, change and delete lists (segments)", ""),
    ("crm.import", "Other CRM", "Import records into the CRM", ""),
    ("crm.export", "Other CRM", "Export CRM records", ""),
    ("crm.dealsplits.read_write", "Other CRM", "Read and write deal splits", f"Sales Hub {_ENT}"),
    ("crm.pipelines.orders.read", "Other CRM", "View order pipelines", ""),
    ("crm.pipelines.orders.write", "Other CRM", "Change order pipelines", ""),
    ("crm.extensions_calling_transcripts.read", "Other CRM", "View call transcripts", ""),
    ("crm.extensions_calling_transcripts.write", "Other CRM", "Write call transcripts", ""),
    ("timeline", "Other CRM", "Custom timeline events on CRM records", ""),
    ("media_bridge.read", "Other CRM", "View media bridge events and objects", ""),
    ("media_bridge.write", "Other CRM", "Create and update media bridge events and objects", ""),
    ("tax_rates.read", "Other CRM", "View tax rates (for line items)", ""),
    ("accounting", "Other CRM", "Accounting extension: invoices, products, contacts", ""),
    ("actions", "Other CRM", "CRM extension actions on records", ""),
    ("integration-sync", "Other CRM", "Ecommerce bridge sync API (legacy)", ""),
    ("automation", "Automation & sales", "Workflows", f"Marketing Hub {_PRO}"),
    ("automation.sequences.read", "Automation & sales", "View sequences", f"Sales Hub {_PRO}"),
    ("automation.sequences.write", "Automation & sales", "Change sequences", f"Sales Hub {_PRO}"),
    (
        "automation.sequences.enrollments.write",
        "Automation & sales",
        "Enroll contacts in sequences",
        f"Sales Hub {_PRO}",
    ),
    ("sales-email-read", "Automation & sales", "Read one-to-one email content (legacy)", ""),
    ("scheduler.meetings.meeting-link.read", "Automation & sales", "View meeting links", ""),
    ("forecast-read", "Automation & sales", "View forecasts (legacy)", ""),
    ("content", "Marketing & content", "CMS, blog, email and campaigns", f"CMS Hub {_PRO}"),
    ("content.landing_pages.read", "Marketing & content", "View landing pages", ""),
    ("content.landing_pages.write", "Marketing & content", "Change landing pages", ""),
    ("content.site_pages.read", "Marketing & content", "View website pages", ""),
    ("content.site_pages.write", "Marketing & content", "Change website pages", ""),
    ("cms.domains.read", "Marketing & content", "List CMS domains", ""),
    ("cms.domains.write", "Marketing & content", "Change CMS custom domains", ""),
    ("cms.functions.read", "Marketing & content", "View serverless functions", f"CMS Hub {_ENT}"),
    ("cms.functions.write", "Marketing & content", "Write serverless functions", f"CMS Hub {_ENT}"),
    ("cms.performance.read", "Marketing & content", "View CMS performance data", ""),
    ("cms.knowledge_base.articles.read", "Marketing & content", "View knowledge articles", ""),
    ("cms.knowledge_base.articles.write", "Marketing & content", "Change knowledge articles", ""),
    ("cms.knowledge_base.articles.publish", "Marketing & content", "Publish articles", ""),
    ("cms.knowledge_base.settings.read", "Marketing & content", "View knowledge base settings", ""),
    ("cms.knowledge_base.settings.write", "Marketing & content", "Change KB settings", ""),
    ("cms.membership.access_groups.write", "Marketing & content", "Manage access groups", ""),
    ("hubdb", "Marketing & content", "HubDB", f"CMS Hub {_PRO}"),
    ("hubdb.tables.read", "Marketing & content", "View HubDB tables", f"CMS Hub {_PRO}"),
    ("hubdb.tables.write", "Marketing & content", "Change HubDB tables", f"CMS Hub {_PRO}"),
    ("hubdb.tables.publish", "Marketing & content", "Publish HubDB tables", f"CMS Hub {_PRO}"),
    ("hubdb.rows.read", "Marketing & content", "View HubDB rows", f"CMS Hub {_PRO}"),
    ("hubdb.rows.write", "Marketing & content", "Change HubDB rows", f"CMS Hub {_PRO}"),
    ("files", "Marketing & content", "File Manager", ""),
    ("files.read", "Marketing & content", "View files", ""),
    ("files.write", "Marketing & content", "Upload and change files", ""),
    ("files.delete", "Marketing & content", "Delete files", ""),
    ("files.ui_hidden.read", "Marketing & content", "View hidden and system files", ""),
    ("files.ui_hidden.write", "Marketing & content", "Change hidden and system files", ""),
    ("forms", "Marketing & content", "Forms", ""),
    ("forms-uploaded-files", "Marketing & content", "Download files sent through forms", ""),
    ("external_integrations.forms.access", "Marketing & content", "Rename and clone forms", ""),
    ("ctas.read", "Marketing & content", "View CTAs", "Marketing Hub Starter"),
    ("marketing-email", "Marketing & content", "Marketing email (legacy)", ""),
    ("marketing.email.read", "Marketing & content", "View marketing emails", ""),
    ("marketing.email.write", "Marketing & content", "Change marketing emails", ""),
    (
        "transactional-email",
        "Marketing & content",
        "Transactional email (add-on)",
        f"Marketing Hub {_PRO}",
    ),
    ("marketing.campaigns.read", "Marketing & content", "View campaigns", f"Marketing Hub {_PRO}"),
    (
        "marketing.campaigns.write",
        "Marketing & content",
        "Change campaigns",
        f"Marketing Hub {_PRO}",
    ),
    (
        "marketing.campaigns.revenue.read",
        "Marketing & content",
        "View campaign revenue",
        f"Marketing Hub {_PRO}",
    ),
    ("social", "Marketing & content", "Social inbox", f"Marketing Hub {_PRO}"),
    ("communication_preferences.read", "Marketing & content", "View subscription status", ""),
    ("communication_preferences.write", "Marketing & content", "Change subscriptions", ""),
    ("communication_preferences.read_write", "Marketing & content", "Read and change them", ""),
    (
        "communication_preferences.statuses.batch.read",
        "Marketing & content",
        "Read subscription statuses in bulk",
        "",
    ),
    (
        "communication_preferences.statuses.batch.write",
        "Marketing & content",
        "Change subscription statuses in bulk",
        "",
    ),
    (
        "analytics.behavioral_events.send",
        "Marketing & content",
        "Send custom behavioral events",
        f"Marketing Hub {_ENT}",
    ),
    (
        "behavioral_events.event_definitions.read_write",
        "Marketing & content",
        "Define custom behavioral events",
        f"Marketing Hub {_ENT}",
    ),
    ("business-intelligence", "Marketing & content", "Analytics on sources and email", ""),
    (
        "collector.graphql_query.execute",
        "Marketing & content",
        "Query data with GraphQL",
        f"CMS Hub {_PRO}",
    ),
    (
        "collector.graphql_schema.read",
        "Marketing & content",
        "Introspect the GraphQL schema",
        f"CMS Hub {_PRO}",
    ),
    ("conversations.read", "Conversations", "View inbox threads", ""),
    ("conversations.write", "Conversations", "Send messages and update threads", ""),
    (
        "conversations.custom_channels.read",
        "Conversations",
        "View custom channels",
        f"Service Hub {_PRO}",
    ),
    (
        "conversations.custom_channels.write",
        "Conversations",
        "Change custom channels",
        f"Service Hub {_PRO}",
    ),
    (
        "conversations.visitor_identification.tokens.create",
        "Conversations",
        "Identify chat visitors",
        _PRO,
    ),
    ("settings.currencies.read", "Settings & account", "View currencies and exchange rates", ""),
    ("settings.currencies.write", "Settings & account", "Change currencies and rates", ""),
    ("settings.users.read", "Settings & account", "View users and permissions", ""),
    ("settings.users.write", "Settings & account", "Manage users and permissions", ""),
    ("settings.users.teams.read", "Settings & account", "View teams", ""),
    ("settings.users.teams.write", "Settings & account", "Assign users to teams", ""),
    ("settings.billing.write", "Settings & account", "Change billing and seats", ""),
    ("business_units_view.read", "Settings & account", "View business units", _ENT),
)


def _build() -> tuple[ScopeInfo, ...]:
    out: list[ScopeInfo] = [ScopeInfo(*_SINGLES[0]), ScopeInfo(*_SINGLES[1])]
    for obj, label, tier in _RECORD_PAIRS:
        out.append(ScopeInfo(f"crm.objects.{obj}.read", "CRM records", f"View {label}", tier))
        out.append(
            ScopeInfo(
                f"crm.objects.{obj}.write",
                "CRM records",
                f"Create, change and delete {label}",
                tier,
            )
        )
    for obj, label, tier in _RECORD_READ_ONLY:
        out.append(ScopeInfo(f"crm.objects.{obj}.read", "CRM records", f"View {label}", tier))
    for obj in _SENSITIVE_V2:
        tier = _ENT if obj == "custom" else ""
        for level in ("sensitive", "highly_sensitive"):
            words = level.replace("_", " ")
            for access, verb in (("read", "View"), ("write", "Change")):
                out.append(
                    ScopeInfo(
                        f"crm.objects.{obj}.{level}.{access}.v2",
                        "Sensitive data",
                        f"{verb} {words} properties of {obj}",
                        tier,
                    )
                )
    for level in ("sensitive", "highly_sensitive"):
        words = level.replace("_", " ")
        for access, verb in (("read", "View"), ("write", "Change")):
            out.append(
                ScopeInfo(
                    f"crm.objects.projects.{level}.{access}",
                    "Sensitive data",
                    f"{verb} {words} properties of projects",
                )
            )
        out.append(
            ScopeInfo(f"tickets.{level}.v2", "Sensitive data", f"{words.capitalize()} ticket data")
        )
    for obj, label, tier in _SCHEMA_PAIRS:
        for access, verb in (("read", "View"), ("write", "Change")):
            out.append(
                ScopeInfo(
                    f"crm.schemas.{obj}.{access}",
                    "CRM schemas",
                    f"{verb} property settings of {label}",
                    tier,
                )
            )
    for obj in _SCHEMA_READ_ONLY:
        label = obj.replace("_", " ")
        out.append(
            ScopeInfo(
                f"crm.schemas.{obj}.read", "CRM schemas", f"View property settings of {label}"
            )
        )
    out.extend(ScopeInfo(*row) for row in _SINGLES[2:])
    order = {group: i for i, group in enumerate(GROUPS)}
    return tuple(sorted(out, key=lambda s: order[s.group]))


CATALOGUE: tuple[ScopeInfo, ...] = _build()
"""Every scope hubspot-tui offers, grouped in `GROUPS` order."""

BY_NAME: dict[str, ScopeInfo] = {info.name: info for info in CATALOGUE}
"""Catalogue lookup by exact scope name."""

_RECOMMENDED_REQUIRED = (
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.companies.read",
    "crm.objects.deals.read",
)
PRESETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Recommended": (
        _RECOMMENDED_REQUIRED,
        (
            "crm.objects.products.read",
            "crm.objects.line_items.read",
            "crm.objects.quotes.read",
            "crm.objects.owners.read",
            "e-commerce",
        ),
    ),
    "Products & line items": (
        (
            "oauth",
            "crm.objects.products.read",
            "crm.objects.line_items.read",
            "crm.objects.deals.read",
        ),
        ("crm.objects.products.write", "crm.objects.line_items.write", "e-commerce"),
    ),
    "Contacts only": (
        ("oauth", "crm.objects.contacts.read"),
        ("crm.schemas.contacts.read",),
    ),
    "Read-only CRM": (
        _RECOMMENDED_REQUIRED,
        (
            "crm.objects.owners.read",
            "crm.objects.products.read",
            "crm.objects.line_items.read",
            "crm.objects.quotes.read",
            "tickets",
            "crm.lists.read",
            "crm.schemas.contacts.read",
            "crm.schemas.companies.read",
            "crm.schemas.deals.read",
        ),
    ),
}
"""Preset name → (required scopes, optional scopes)."""

_HAYSTACKS: tuple[tuple[str, ScopeInfo], ...] = tuple(
    (f"{s.name} {s.description} {s.group} {s.tier}".lower(), s) for s in CATALOGUE
)


def filter_scopes(query: str) -> list[ScopeInfo]:
    """Catalogue entries matching `query`: every word must occur in name, description or group.

    Case-insensitive; an empty query returns the whole catalogue.
    """
    words = query.lower().split()
    if not words:
        return list(CATALOGUE)
    matches = _HAYSTACKS
    for word in words:  # narrowing pass by pass beats all(...) per row
        matches = tuple(row for row in matches if word in row[0])
    return [info for _, info in matches]


_PAID_SEAT = (
    "crm.objects.products.read",
    "crm.objects.products.write",
    "crm.objects.line_items.read",
    "crm.objects.line_items.write",
    "e-commerce",
)


def _name_problem(name: str) -> str | None:
    if name in BY_NAME:
        return None
    if not name or any(ch.isspace() for ch in name):
        return f"'{name}' is not a scope name"
    if "-" in name and "." not in name:
        return f"{name} looks like an internal HubSpot scope group; apps can't request it"
    return f"{name} is not a known HubSpot scope (check the spelling)"


def lint(required: Sequence[str], optional: Sequence[str]) -> list[ScopeWarning]:
    """Check a required/optional scope selection against HubSpot's install rules.

    Errors make the install fail for everyone; warnings make it fail for some accounts.

    Returns:
        Errors first, then warnings, each in list order.
    """
    errors: list[ScopeWarning] = []
    warns: list[ScopeWarning] = []
    if not required:
        errors.append(ScopeWarning("error", "", "No required scopes: HubSpot needs at least oauth"))
    elif "oauth" not in required:
        errors.append(ScopeWarning("error", "oauth", "oauth must be a required scope"))
    both = set(required) & set(optional)
    # A scope in both lists is required (it is sent once, in scope=): worth a word, not a failure.
    for name in _unique(n for n in required if n in both):
        warns.append(ScopeWarning("warn", name, f"{name} is in both lists: kept as required only"))
    for name in _unique((*required, *optional)):
        problem = _name_problem(name)
        if problem:
            errors.append(ScopeWarning("error", name, problem))
    for which, names in (("required", required), ("optional", optional)):
        for name in _unique(n for n in names if names.count(n) > 1):
            warns.append(ScopeWarning("warn", name, f"{name} is listed twice as {which}"))
    for name in _unique(required):
        if name in both:
            continue
        if name in _PAID_SEAT:
            warns.append(
                ScopeWarning(
                    "warn",
                    name,
                    f"{name} needs a paid Sales Hub seat on the account; as a required scope, "
                    "installs into accounts without one fail — make it optional",
                )
            )
        elif name in BY_NAME and BY_NAME[name].tier:
            warns.append(
                ScopeWarning(
                    "warn",
                    name,
                    f"{name} needs {BY_NAME[name].tier}; many accounts lack it and can't "
                    "approve the install — make it optional",
                )
            )
    return errors + warns


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def scope_params(required: Sequence[str], optional: Sequence[str]) -> tuple[str, str]:
    """The exact `scope=…` and `optional_scope=…` query parts sent (spaces as `%20`).

    The optional part is "" when there are no optional scopes (the parameter is omitted).
    """
    needed = set(required)
    optional = [name for name in optional if name not in needed]  # a scope in both is required
    scope = "scope=" + quote(" ".join(required), safe="")
    optional_part = "optional_scope=" + quote(" ".join(optional), safe="") if optional else ""
    return scope, optional_part
