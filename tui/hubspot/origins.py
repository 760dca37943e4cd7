"""Which servers hubspot-tui may talk to, and which server a stored secret belongs to.

- An API or app base must be `https://`; plain `http://` only to a loopback host (127.0.0.0/8,
  ::1, localhost: the embedded sandbox), since anything else would carry the client secret and
  tokens in clear over a network.
- The app (authorize) base must be a HubSpot app host (as the install-URL importer requires) or
  loopback: it is the page `login` prints and `--open` launches, so a swapped host is phishing.
- `origin_of` names the server a secret was issued by or saved for; `same_origin` decides
  whether it may be sent to another base. Loopback origins count as one: the sandbox picks a
  new port on every start, and nothing sent to loopback leaves the machine.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from tui.hubspot.errors import InputError

_APP_HOST_RE = re.compile(r"(?:local\.)?app(?:-[a-z]{2,4}\d{1,2})?\.hubspot(?:qa)?\.com")
_MAX_URL = 2048
LOOPBACK = "loopback"
"""What `same_origin` compares every loopback origin as."""


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def base_url_problem(url: str) -> str | None:
    """Why `url` is not a usable API/app base, or None.

    Only `https://HOST[:PORT][/path]`, or `http://` to a loopback host, without user info, query
    or fragment.
    """
    if not url or len(url) > _MAX_URL or url != url.strip() or not url.isprintable():
        return "is not a URL"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return "is not a valid URL (check the host and port)"
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host:
        return "must start with https://"
    if parts.username is not None or parts.password is not None:
        return "must not contain user:password@"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "must not contain a ?query or #fragment"
    if scheme == "http" and not is_loopback_host(host):
        return (
            "uses plain http:// to a host that is not this machine: the client secret and "
            "tokens would cross the network unencrypted (only https://, or http:// to "
            "127.0.0.1/::1/localhost for the sandbox)"
        )
    return None


def app_base_problem(url: str) -> str | None:
    """Why `url` is not a usable authorize (app) base, or None."""
    problem = base_url_problem(url)
    if problem:
        return problem
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not (_APP_HOST_RE.fullmatch(host) or is_loopback_host(host)):
        return "is not a HubSpot app host (app.hubspot.com, app-eu1.hubspot.com, …)"
    return None


def require_base(url: str, what: str, *, app: bool = False) -> None:
    """Raise InputError (code USAGE: exit 2, nothing sent) when `url` is not a usable base.

    Args:
        url: the base to check.
        what: how the user set it, for the message (e.g. "--api-base").
        app: check it as an authorize (app) base.
    """
    problem = app_base_problem(url) if app else base_url_problem(url)
    if problem:
        shown = clean_url(url)
        raise InputError(
            f"{what} {shown} {problem}",
            "Use https://api.hubapi.com (the default)"
            if not app
            else "Leave it empty for the region's default (https://app.hubspot.com)",
            code="USAGE",
        )


def clean_url(url: str) -> str:
    """`url` made safe to print in a message (short, one line, no user info)."""
    from tui.hubspot.text import clean_line

    try:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            url = url.replace(parts.netloc, parts.netloc.rpartition("@")[2])
    except ValueError:
        pass
    return repr(clean_line(url, 120))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a base URL (default ports dropped, lower case)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"https": 443, "http": 80}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def same_origin(a: str, b: str) -> bool:
    """Whether a secret issued by (or saved for) `a` may be sent to `b`."""
    return _key(a) == _key(b)


def _key(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return url
    return LOOPBACK if is_loopback_host(host) else origin_of(url)


DEFAULT_ORIGIN = "https://api.hubapi.com"
"""Where secrets stored before origins were recorded belong."""


def require_secret_origin(saved_for: str, api_base: str) -> None:
    """Refuse (InputError, exit 2) to send a client secret saved for another API origin."""
    saved_for = saved_for or DEFAULT_ORIGIN
    if not same_origin(saved_for, api_base):
        raise InputError(
            f"The client secret was saved for {saved_for}; hubspot-tui will not send it "
            f"to {origin_of(api_base)}",
            f"Use --api-base {saved_for}, or enter the secret again for this API base "
            "(`hubspot-tui configure --client-secret-stdin`, or F3)",
            code="USAGE",
        )


def require_token_origin(hub_id: int, issued_by: str, api_base: str) -> None:
    """Refuse (InputError, exit 2) to send `hub_id`'s tokens to another origin than their issuer."""
    issued_by = issued_by or DEFAULT_ORIGIN
    if not same_origin(issued_by, api_base):
        here = origin_of(api_base)
        raise InputError(
            f"The tokens of account {hub_id} were issued by {issued_by}; hubspot-tui will not "
            f"send them to {here}",
            f"Authorize the account against this API base: `hubspot-tui --api-base {here} "
            f"login` (or use --api-base {issued_by})",
            code="USAGE",
        )
