"""Typed values exchanged between the HubSpot layer, the store, the CLI and the screens.

Everything here is a plain frozen dataclass or enum: no I/O, no Textual, cheap to import.
Secrets (client secret, tokens) live only in `TokenSet` and `AppSecrets`, whose `repr` masks them
so a traceback or a debug print can never show one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


def mask(secret: str, keep: int = 4) -> str:
    """Return `secret` with all but its last `keep` characters replaced by bullets.

    Short values are masked whole: revealing 4 of 6 characters would reveal most of it.
    """
    if not secret:
        return ""
    if len(secret) <= keep * 3:
        return "•" * 8
    return "•" * 8 + secret[-keep:]


class AccountType(enum.StrEnum):
    """`accountType` from `/account-info/v3/details`; UNKNOWN when HubSpot sends something new."""

    STANDARD = "STANDARD"
    DEVELOPER_TEST = "DEVELOPER_TEST"
    SANDBOX = "SANDBOX"
    APP_DEVELOPER = "APP_DEVELOPER"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def parse(cls, value: object) -> AccountType:
        """Map any wire value to a member, never raising."""
        if isinstance(value, str):
            try:
                return cls(value.upper())
            except ValueError:
                return cls.UNKNOWN
        return cls.UNKNOWN


class AccountRole(enum.StrEnum):
    """What an authorized account is for the connector (from its type and the products probe)."""

    MAIN = "main"
    """A STANDARD account with at least one product: the one the connector belongs in."""
    STANDARD = "standard"
    """A STANDARD account without products (or whose products could not be read)."""
    DEVELOPER = "developer"
    """An APP_DEVELOPER account: apps cannot be installed into it and it holds no CRM data."""
    TEST = "test"
    """A DEVELOPER_TEST account: a 90-day trial, not the customer's production data."""
    SANDBOX = "sandbox"
    """A SANDBOX account: a copy of production for testing."""
    UNKNOWN = "unknown"
    """Not probed yet, or HubSpot answered with an unknown account type."""


class Access(enum.StrEnum):
    """Outcome of a Products or Line Items probe (`GET /crm/v3/objects/{type}?limit=1`)."""

    OK = "ok"
    MISSING_SCOPE = "missing_scope"
    """403 MISSING_SCOPES: the token lacks the scope; `ProbeResult.required_scopes` names them."""
    FORBIDDEN = "forbidden"
    """403 of the legacy/permission kind: typically no paid Sales Hub seat, or a gated plan."""
    ERROR = "error"
    """Any other failure (network, 5xx, 401 after refresh, malformed body)."""
    UNKNOWN = "unknown"
    """Never probed."""


class Region(enum.StrEnum):
    """Where the HubSpot UI for an app lives; the API host is global (`api.hubapi.com`)."""

    NA = "na"
    EU = "eu"

    @property
    def app_base(self) -> str:
        """The default authorize host for this region."""
        return "https://app-eu1.hubspot.com" if self is Region.EU else "https://app.hubspot.com"


@dataclass(frozen=True)
class ProbeResult:
    """What a Products or Line Items probe saw."""

    access: Access = Access.UNKNOWN
    count: int | None = None
    """Records on the first page (0 or 1 with `limit=1`); None when not readable."""
    has_more: bool = False
    """True when HubSpot returned a `paging.next` cursor (more records exist)."""
    required_scopes: tuple[str, ...] = ()
    """Scopes HubSpot named in a MISSING_SCOPES/legacy 403."""
    message: str = ""
    """One-line human explanation when access is not OK."""


@dataclass(frozen=True, repr=False)
class TokenSet:
    """Tokens for one authorized account. `expires_at` is a Unix timestamp (seconds)."""

    access_token: str
    refresh_token: str
    expires_at: float
    obtained_at: float = 0.0
    api_origin: str = ""
    """The API origin that issued these tokens (`https://api.hubapi.com`); they are never sent
    anywhere else. Empty in stores written before it was recorded: read as the default API."""

    def expires_in(self, now: float) -> float:
        """Seconds until the access token expires (negative once expired)."""
        return self.expires_at - now

    def needs_refresh(self, now: float, margin: float = 300.0) -> bool:
        """True when the access token expires within `margin` seconds."""
        return self.expires_at - now <= margin

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token={mask(self.access_token)!r}, "
            f"refresh_token={mask(self.refresh_token)!r}, expires_at={self.expires_at!r})"
        )


@dataclass(frozen=True)
class TokenGrant:
    """A successful token endpoint answer, before it is stored."""

    tokens: TokenSet
    hub_id: int | None = None
    user_id: int | None = None
    scopes: tuple[str, ...] = ()
    token_type: str = "bearer"


@dataclass(frozen=True)
class TokenInfo:
    """Introspection / access-token metadata: which account and user a token belongs to."""

    active: bool
    hub_id: int | None = None
    hub_domain: str = ""
    user: str = ""
    user_id: int | None = None
    app_id: int | None = None
    scopes: tuple[str, ...] = ()
    expires_in: int | None = None


@dataclass(frozen=True)
class AccountDetails:
    """`GET /account-info/v3/details`."""

    portal_id: int
    account_type: AccountType
    time_zone: str = ""
    company_currency: str = ""
    ui_domain: str = ""
    data_hosting_location: str = ""
    portal_name: str = ""


@dataclass(frozen=True)
class RateLimit:
    """The `X-HubSpot-RateLimit-*` headers of the last response, when HubSpot sent them."""

    max: int | None = None
    remaining: int | None = None
    interval_ms: int | None = None


@dataclass(frozen=True)
class AccountReport:
    """Everything known about one authorized account: the row of the Accounts screen.

    Persisted (without tokens) in the profile so `status` works offline.
    """

    hub_id: int
    hub_domain: str = ""
    account_type: AccountType = AccountType.UNKNOWN
    role: AccountRole = AccountRole.UNKNOWN
    region: str = ""
    """`dataHostingLocation`, e.g. `na1` or `eu1`."""
    ui_domain: str = ""
    user: str = ""
    portal_name: str = ""
    products: ProbeResult = field(default_factory=ProbeResult)
    line_items: ProbeResult = field(default_factory=ProbeResult)
    scopes_granted: tuple[str, ...] = ()
    scopes_requested: tuple[str, ...] = ()
    """Required + optional scopes asked for when this account was authorized."""
    checked_at: float = 0.0
    """When the last check completed (Unix seconds); 0 when never. A failed one leaves it."""
    check_error: str = ""
    """Why the last check attempt failed (e.g. refresh token revoked), or empty."""
    check_error_code: str = ""
    """The machine-readable kind of `check_error` (`token_revoked`, `check_failed`...), or empty.

    The vocabulary is `tui.core.reasons.Reason`; decisions read this, never `check_error`'s text.
    """

    @property
    def display_name(self) -> str:
        """What to call this account next to its id; never blank.

        Its domain when HubSpot named one (`hub_domain`, which v3 introspection does not
        promise), else its `portalName`, else the HubSpot UI host it lives on and its type
        (`app-eu1.hubspot.com · STANDARD`), else just "HubSpot account".
        """
        if self.hub_domain:
            return self.hub_domain
        if self.portal_name:
            return self.portal_name
        host = _host_of(self.ui_domain)
        kind = "" if self.account_type is AccountType.UNKNOWN else self.account_type.value
        return " · ".join(p for p in (host, kind) if p) or "HubSpot account"

    @property
    def scopes_missing(self) -> tuple[str, ...]:
        """Requested scopes HubSpot did not grant (optional scopes dropped silently)."""
        granted = set(self.scopes_granted)
        return tuple(s for s in self.scopes_requested if s not in granted)


def _host_of(ui_domain: str) -> str:
    """The host in a `uiDomain` value ("app.hubspot.com", or a URL by mistake)."""
    text = ui_domain.strip()
    if "//" in text:
        text = text.split("//", 1)[1]
    return text.split("/", 1)[0].split("?", 1)[0]


def derive_role(account_type: AccountType, products: ProbeResult) -> AccountRole:
    """Classify an account: only a STANDARD account with readable products is `main`."""
    if account_type is AccountType.APP_DEVELOPER:
        return AccountRole.DEVELOPER
    if account_type is AccountType.DEVELOPER_TEST:
        return AccountRole.TEST
    if account_type is AccountType.SANDBOX:
        return AccountRole.SANDBOX
    if account_type is AccountType.STANDARD:
        if products.access is Access.OK and (products.count or 0) > 0:
            return AccountRole.MAIN
        return AccountRole.STANDARD
    return AccountRole.UNKNOWN


class CheckState(enum.StrEnum):
    """State of one install-checklist row."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    TODO = "todo"


CHECK_IDS: tuple[str, ...] = (
    "credentials",
    "redirect_uri",
    "scopes",
    "authorized",
    "main_account",
    "products",
    "line_items",
    "token",
)
"""Stable ids of the install checklist, in display order."""


@dataclass(frozen=True)
class Check:
    """One row of the install checklist."""

    id: str
    state: CheckState
    title: str
    detail: str
    fix: str = ""
    """What to do about it (a CLI command or a dashboard key), empty when OK."""
    reason: str = ""
    """Why it is not OK, as a stable snake_case code (`tui.core.reasons.Reason`); empty when OK."""
    section: str = ""
    """The dashboard section that fixes it (`credentials`, `scopes`, `oauth`, `accounts`, or
    `overview` for a re-check); empty when OK."""


@dataclass(frozen=True)
class InstallStatus:
    """The whole checklist; `ready` only when every check is OK."""

    profile: str
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        """True when every check is OK."""
        return bool(self.checks) and all(c.state is CheckState.OK for c in self.checks)

    @property
    def next_step(self) -> Check | None:
        """What the user should do next: the first failure, else the first to-do, else warning."""
        # A failure is fixed before a to-do, and a warning last: a developer account picked by
        # mistake matters more than the optional scopes it dropped.
        for state in (CheckState.FAIL, CheckState.TODO, CheckState.WARN):
            found = next((c for c in self.checks if c.state is state), None)
            if found is not None:
                return found
        return None
