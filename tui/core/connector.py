"""The connector sheet: what the integration platform's connector form asks for, as configured.

One place for the values both faces show (`hubspot-tui connector` and the dashboard's Connector
sheet): Client ID and Secret, Scopes and Optional scopes in the app's order (the platform wants
them space-separated), the platform's redirect URL, and the account to pick on HubSpot's
*Choose an Account* screen. Plain data, no I/O, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.profile import Profile
from tui.hubspot.models import AccountReport, AccountRole, mask


@dataclass(frozen=True)
class MainAccount:
    """The account to choose on HubSpot's Choose an Account screen."""

    hub_id: int
    name: str


@dataclass(frozen=True, repr=False)
class ConnectorSheet:
    """The connector form's values. `client_secret` is "" when none is stored.

    Attributes:
        client_id: the app's Client ID ("" when not configured).
        client_secret: the app's Client Secret: show it masked unless the user asks.
        scopes: required scopes, in the app's order.
        optional_scopes: optional scopes, in the app's order.
        redirect_url: `https://{PartnerIdentifier}/connector/callback`, "" without a Partner id.
        main_account: the MAIN account when one is authorized and checked, else None.
    """

    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    optional_scopes: tuple[str, ...]
    redirect_url: str
    main_account: MainAccount | None

    def __repr__(self) -> str:
        return (
            f"ConnectorSheet(client_id={self.client_id!r}, "
            f"client_secret={mask(self.client_secret)!r}, redirect_url={self.redirect_url!r})"
        )

    @property
    def scopes_text(self) -> str:
        """Required scopes as the platform's form wants them: space-separated."""
        return " ".join(self.scopes)

    @property
    def optional_scopes_text(self) -> str:
        """Optional scopes, space-separated."""
        return " ".join(self.optional_scopes)

    def to_json(self, *, reveal_secret: bool = False) -> dict[str, object]:
        """The documented `connector --json` shape; the secret is null unless revealed."""
        main = self.main_account
        return {
            "client_id": self.client_id or None,
            "client_secret": (self.client_secret or None) if reveal_secret else None,
            "scopes": list(self.scopes),
            "optional_scopes": list(self.optional_scopes),
            "redirect_url": self.redirect_url or None,
            "main_account": {"hub_id": main.hub_id, "name": main.name} if main else None,
        }


def main_account(profile: Profile) -> AccountReport | None:
    """The MAIN account: the active one when it is MAIN, else the first MAIN by hub id."""
    active = profile.active_account
    if active is not None and active.role is AccountRole.MAIN:
        return active
    mains = [a for _, a in sorted(profile.accounts.items()) if a.role is AccountRole.MAIN]
    return mains[0] if mains else None


def connector_sheet(profile: Profile, client_secret: str) -> ConnectorSheet:
    """The sheet for `profile`, whose stored client secret is `client_secret`."""
    app = profile.app
    main = main_account(profile)
    return ConnectorSheet(
        client_id=app.client_id,
        client_secret=client_secret,
        scopes=tuple(app.scopes),
        optional_scopes=tuple(app.optional_scopes),
        redirect_url=app.partner_redirect_uri,
        main_account=(
            # The chooser lists accounts by name: the portal name first, else what we call it.
            MainAccount(main.hub_id, main.portal_name or main.display_name)
            if main is not None
            else None
        ),
    )
