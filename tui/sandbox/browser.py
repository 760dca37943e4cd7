"""What a browser does on the sandbox's authorize pages, over real HTTP with httpx.

The demo's in-terminal account chooser, the fake `$BROWSER` used by CLI tests and the sandbox's
own tests all drive authorization through these two calls: `fetch_choices` (open the authorize
URL) and `choose` (click "Connect app" or "Cancel", then follow the redirect to the app's loopback
listener the way a browser would). Redirects are never followed automatically: the only request
made after the 302 is one GET of its `Location`, and only when that is a loopback address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from tui.hubspot import redact
from tui.hubspot.origins import is_loopback_host

# A redirect delivered from here carries the authorization code in its URL, which httpx logs at
# INFO (and httpcore at DEBUG): keep it out of every log.
redact.install()

_JSON = {"Accept": "application/json"}


class SandboxPageError(Exception):
    """The sandbox showed an error page (bad client, unregistered redirect, blocked scope...).

    Attributes:
        message: the page's explanation.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ChoiceAccount:
    """One account offered on the chooser.

    Attributes:
        hub_id: the portal id.
        name: the portal name.
        account_type: STANDARD, DEVELOPER_TEST, SANDBOX or APP_DEVELOPER.
        hub_domain: the portal's domain.
        region: the data hosting location (`na1`, `eu1`...).
    """

    hub_id: int
    name: str
    account_type: str
    hub_domain: str
    region: str


@dataclass(frozen=True)
class AuthorizeChoices:
    """What the authorize page offers.

    Attributes:
        accounts: the accounts the user may pick (one when the URL pins a hub id).
        choose_url: the absolute URL the choice is posted to.
        fields: the hidden form fields to post back with the choice.
    """

    accounts: tuple[ChoiceAccount, ...]
    choose_url: str
    fields: dict[str, str]

    def account(self, hub_id: int) -> ChoiceAccount | None:
        """The offered account with `hub_id`, or None."""
        return next((a for a in self.accounts if a.hub_id == hub_id), None)


def _error_text(response: httpx.Response) -> str:
    try:
        payload: Any = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return str(payload["error"])
    return f"the sandbox answered HTTP {response.status_code}"


async def fetch_choices(client: httpx.AsyncClient, authorize_url: str) -> AuthorizeChoices:
    """Open `authorize_url` and read the account choice it offers.

    Args:
        client: the HTTP client to use.
        authorize_url: an authorize URL on the sandbox (either the plain or the pinned form).

    Returns:
        The offered accounts and the form to post a choice to.

    Raises:
        SandboxPageError: the sandbox showed an error page instead of the chooser.
        httpx.HTTPError: the sandbox could not be reached.
    """
    response = await client.get(authorize_url, headers=_JSON, follow_redirects=False)
    if response.status_code != 200:
        raise SandboxPageError(_error_text(response))
    try:
        payload: Any = response.json()
        accounts = tuple(
            ChoiceAccount(
                hub_id=int(item["hub_id"]),
                name=str(item["name"]),
                account_type=str(item["account_type"]),
                hub_domain=str(item["hub_domain"]),
                region=str(item["region"]),
            )
            for item in payload["accounts"]
        )
        fields = {str(k): str(v) for k, v in payload["fields"].items()}
        choose_url = urljoin(authorize_url, str(payload["choose_url"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SandboxPageError("the authorize page is not the sandbox's chooser") from exc
    return AuthorizeChoices(accounts=accounts, choose_url=choose_url, fields=fields)


def is_loopback_url(url: str) -> bool:
    """True when `url` points at this machine (localhost, 127.0.0.0/8 or ::1)."""
    return is_loopback_host(urlsplit(url).hostname or "")


async def choose(
    client: httpx.AsyncClient,
    authorize_url: str,
    hub_id: int,
    *,
    approve: bool = True,
    deliver: bool = True,
) -> str:
    """Pick `hub_id` on the chooser and deliver the redirect to the app, as a browser would.

    Args:
        client: the HTTP client to use.
        authorize_url: an authorize URL on the sandbox.
        hub_id: the account to pick.
        approve: True clicks "Connect app"; False clicks "Cancel".
        deliver: when True and the redirect goes to a loopback address, GET it (the app's
            callback listener). False only returns it, for a caller that pastes it instead.

    Returns:
        The redirect URL (`redirect_uri?code=...&state=...`), or "" after "Cancel": HubSpot
        sends nothing to the app when the user declines.

    Raises:
        SandboxPageError: the chooser did not offer `hub_id`, or an error page was shown
            (e.g. a required scope the account cannot grant), or the listener was unreachable.
        httpx.HTTPError: the sandbox could not be reached.
    """
    choices = await fetch_choices(client, authorize_url)
    if choices.account(hub_id) is None:
        offered = ", ".join(str(a.hub_id) for a in choices.accounts) or "none"
        raise SandboxPageError(f"account {hub_id} is not offered (offered: {offered})")
    form = dict(choices.fields, hub_id=str(hub_id), decision="approve" if approve else "deny")
    response = await client.post(
        choices.choose_url, data=form, headers=_JSON, follow_redirects=False
    )
    if not approve and response.status_code == 200:
        return ""
    if response.status_code != 302 or "location" not in response.headers:
        raise SandboxPageError(_error_text(response))
    location = urljoin(choices.choose_url, response.headers["location"])
    if deliver and is_loopback_url(location):
        try:
            await client.get(location, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise SandboxPageError(
                f"could not deliver the redirect to the app's listener: {type(exc).__name__}"
            ) from exc
    return location
