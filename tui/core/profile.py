"""What a profile holds: one HubSpot app's settings, its authorized accounts, and its secrets.

Plain dataclasses, no I/O (the store reads and writes them), no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.hubspot.models import AccountReport, Region, TokenSet, mask

DEFAULT_CALLBACK_PORT = 8765
"""Loopback port of the redirect URI registered for this tool (`http://localhost:8765/oauth-callback`)."""

CALLBACK_PATH = "/oauth-callback"
"""Path of the loopback redirect URI."""

DEFAULT_REQUIRED_SCOPES: tuple[str, ...] = (
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.companies.read",
    "crm.objects.deals.read",
)
DEFAULT_OPTIONAL_SCOPES: tuple[str, ...] = (
    "crm.objects.products.read",
    "crm.objects.line_items.read",
    "crm.objects.quotes.read",
    "crm.objects.owners.read",
    "e-commerce",
)

DEFAULT_API_BASE = "https://api.hubapi.com"


def profile_name_problem(name: str) -> str | None:
    """Why `name` can't be a profile name (it comes from argv or the environment), or None."""
    if not name or len(name) > 64 or not name.isprintable() or name != name.strip():
        return "use 1-64 printable characters without leading or trailing spaces"
    return None


@dataclass(frozen=True)
class AppConfig:
    """A HubSpot app's non-secret settings (stored in `config.toml`)."""

    client_id: str = ""
    callback_port: int = DEFAULT_CALLBACK_PORT
    redirect_uri: str = ""
    """Explicit redirect URI; empty means the loopback one built from `callback_port`."""
    partner_id: str = ""
    """The platform's PartnerIdentifier host: its redirect is `https://{partner_id}/connector/callback`."""
    scopes: tuple[str, ...] = DEFAULT_REQUIRED_SCOPES
    """Required scopes (`scope=`); must match the app's configured required scopes."""
    optional_scopes: tuple[str, ...] = DEFAULT_OPTIONAL_SCOPES
    """Optional scopes (`optional_scope=`); HubSpot drops those the account lacks."""
    region: Region = Region.NA
    app_base: str = ""
    """Authorize host override; empty means the region's default."""
    token_version: str = "v3"
    """Token endpoint version: `v3` (default) or `v1` (sunset 2027-02-16)."""
    scopes_confirmed: bool = False
    """True once the user saved a scope selection (the checklist shows `todo` before)."""

    @property
    def effective_redirect_uri(self) -> str:
        """The redirect URI the tool sends: the explicit one, else the loopback one."""
        return self.redirect_uri or f"http://localhost:{self.callback_port}{CALLBACK_PATH}"

    @property
    def partner_redirect_uri(self) -> str:
        """The platform's own redirect URI to register on the app, or empty without a partner id."""
        return f"https://{self.partner_id}/connector/callback" if self.partner_id else ""

    @property
    def effective_app_base(self) -> str:
        """The authorize host: the override, else the region's."""
        return self.app_base or self.region.app_base


@dataclass
class Profile:
    """One HubSpot app and the accounts authorized through it (non-secret part)."""

    name: str = "default"
    app: AppConfig = field(default_factory=AppConfig)
    accounts: dict[int, AccountReport] = field(default_factory=dict)
    active_hub_id: int | None = None

    @property
    def active_account(self) -> AccountReport | None:
        """The account the connector uses, if any."""
        if self.active_hub_id is None:
            return None
        return self.accounts.get(self.active_hub_id)


@dataclass(repr=False)
class ProfileSecrets:
    """The secret part of a profile (stored 0600 in `credentials.toml`)."""

    client_secret: str = ""
    tokens: dict[int, TokenSet] = field(default_factory=dict)
    secret_origin: str = ""
    """The API origin the client secret was saved for; it is sent nowhere else ("" = the
    default HubSpot API, for stores written before it was recorded)."""

    def __repr__(self) -> str:
        return (
            f"ProfileSecrets(client_secret={mask(self.client_secret)!r}, "
            f"tokens={sorted(self.tokens)!r})"
        )
