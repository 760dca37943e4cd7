"""OAuth helpers with no I/O: state, PKCE, the authorize URL, pasted redirects, install URLs.

The authorize URL carries only public values (client id, redirect URI, scopes, state, PKCE
challenge). The PKCE verifier stays in `Pkce`, whose repr hides it, and goes only into the
token request's form body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from tui.hubspot.errors import CallbackError, InputError

_CODE_RE = re.compile(r"[A-Za-z0-9._~\-]{8,512}")
_BARE_CODE_RE = re.compile(r"[A-Za-z0-9_~\-]{8,512}")
"""A bare paste has no state to vouch for it, so it gets the stricter set: no dots, which keeps
a pasted host name such as `app.hubspot.com` from passing as a code."""
_CLIENT_ID_RE = re.compile(r"[A-Za-z0-9._\-]{1,128}")
_APP_HOST_RE = re.compile(r"(?:local\.)?app(?:-[a-z]{2,4}\d{1,2})?\.hubspot(?:qa)?\.com")
_AUTHORIZE_PATH_RE = re.compile(r"/oauth/(?:(\d{1,19})/)?authorize/?")
_WRAP_RE = re.compile(r"\s+")
_WORDS_RE = re.compile(r"\S[ \t]+\S")
_MAX_PASTE = 16_384
_MAX_FIELDS = 64

_STATE_ACTION = "Use the URL from the latest attempt, or restart the login"


def new_state() -> str:
    """A fresh unguessable `state` for one authorization attempt (256 bits)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, repr=False)
class Pkce:
    """A PKCE pair (RFC 7636, S256). The verifier is secret: it is never shown or logged.

    Attributes:
        verifier: sent only in the token exchange form body.
        challenge: `BASE64URL(SHA256(verifier))`, sent in the authorize URL.
    """

    verifier: str
    challenge: str

    def __repr__(self) -> str:
        return f"Pkce(verifier='••••••••', challenge={self.challenge!r})"


def pkce_challenge(verifier: str) -> str:
    """The S256 challenge of `verifier`: unpadded base64url of its SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_pkce() -> Pkce:
    """A fresh PKCE pair: a 64-character verifier (RFC 7636 allows 43..128) and its challenge."""
    verifier = secrets.token_urlsafe(48)
    return Pkce(verifier=verifier, challenge=pkce_challenge(verifier))


def build_authorize_url(
    *,
    app_base: str,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str],
    optional_scopes: Sequence[str],
    state: str,
    code_challenge: str | None = None,
    hub_id: int | None = None,
) -> str:
    """The URL the user opens to install the app.

    Spaces in the scope lists are sent as `%20` (what HubSpot documents; `+` is unconfirmed).

    Args:
        app_base: the HubSpot UI origin, e.g. `https://app.hubspot.com` or `…app-eu1…`.
        client_id: the app's Client ID.
        redirect_uri: a redirect URL registered on the app.
        scopes: required scopes (`scope=`).
        optional_scopes: optional scopes (`optional_scope=`, omitted when empty).
        state: the value HubSpot echoes back; checked on the callback.
        code_challenge: the PKCE S256 challenge, if any.
        hub_id: pin the install to this account (`/oauth/{hub_id}/authorize`).

    Raises:
        ValueError: `hub_id` is not a positive integer.
    """
    base = app_base.rstrip("/")
    if hub_id is not None:
        if isinstance(hub_id, bool) or hub_id <= 0:
            raise ValueError("hub_id must be a positive integer")
        endpoint = f"{base}/oauth/{hub_id}/authorize"
    else:
        endpoint = f"{base}/oauth/authorize"
    params: list[tuple[str, str]] = [
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", " ".join(scopes)),
    ]
    required = set(scopes)
    optional = [name for name in optional_scopes if name not in required]  # in both: required
    if optional:
        params.append(("optional_scope", " ".join(optional)))
    params.append(("state", state))
    if code_challenge:
        params += [("code_challenge", code_challenge), ("code_challenge_method", "S256")]
    return f"{endpoint}?{urlencode(params, quote_via=quote, safe='')}"


def _unwrap(text: str) -> str:
    """Undo what terminals and chat tools do to a pasted URL: quotes, brackets, hard wraps."""
    text = text.strip()
    for _ in range(3):
        text = text.strip().strip("'\"`").strip("<>").strip("()[]")
    # A URL never contains raw whitespace; a terminal that hard-wraps one inserts newlines
    # (and sometimes indentation), so all of it goes.
    text = _WRAP_RE.sub("", text).replace("&amp;", "&")
    if "?" not in text and "%3f" in text.lower():
        text = unquote(text)  # the whole URL came percent-encoded (copied from a link target)
    return text


def _query_of(text: str) -> str | None:
    """The query part of a URL or a bare query string; None when `text` has none."""
    if "?" in text:
        return text.split("?", 1)[1].split("#", 1)[0]
    if "=" in text and "/" not in text:
        return text.lstrip("?").split("#", 1)[0]
    return None


def _fields(query: str) -> dict[str, list[str]]:
    try:
        return parse_qs(query, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:
        raise InputError(
            "That text has too many parameters to be a HubSpot redirect",
            "Paste the address from the browser's address bar after approving the app",
            code="BAD_PASTE",
        ) from None


def _same(a: str, b: str) -> bool:
    """Constant-time string equality (state values are compared without timing leaks)."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


def check_state(values: Sequence[str], expected_state: str) -> None:
    """Raise CallbackError(STATE_MISMATCH) unless exactly one `state` equal to the expected one.

    Raises:
        CallbackError: the state is missing, repeated or different.
    """
    if len(values) != 1 or not expected_state or not _same(values[0], expected_state):
        message = "This redirect belongs to a different login attempt (state mismatch)"
        if not values:
            message = "This redirect has no state, so it cannot belong to this login attempt"
        raise CallbackError(message, _STATE_ACTION, code="STATE_MISMATCH")


def looks_like_code(value: str) -> bool:
    """True when `value` could be an authorization code: URL-safe characters, 8..512 long."""
    return bool(_CODE_RE.fullmatch(value))


def parse_pasted_redirect(text: str, expected_state: str) -> str:
    """Extract the authorization code from what the user pasted.

    Accepts the whole redirected URL (any host, with or without scheme, quoted, bracketed or
    hard-wrapped across lines), its bare query string, or a bare code.

    Args:
        text: the pasted text.
        expected_state: the `state` of the current attempt; a URL or query must carry it.

    Returns:
        The authorization code.

    Raises:
        CallbackError: STATE_MISMATCH when the URL belongs to another attempt.
        InputError: no code, or text that is neither a redirect URL nor a code.
    """
    if not isinstance(text, str) or len(text) > _MAX_PASTE:
        raise InputError(
            "That is too long to be a redirect URL",
            "Paste only the address from the browser's address bar",
            code="BAD_PASTE",
        )
    cleaned = _unwrap(text)
    if not cleaned:
        raise InputError(
            "Nothing was pasted",
            "Paste the address of the page HubSpot redirected to",
            code="BAD_PASTE",
        )
    query = _query_of(cleaned)
    if query is None:
        # Words separated by spaces are prose, not a code (a wrapped code has only newlines).
        if _BARE_CODE_RE.fullmatch(cleaned) and not _WORDS_RE.search(text.strip()):
            return cleaned
        if "/" in cleaned or "." in cleaned or ":" in cleaned:
            raise InputError(
                "That URL has no ?code=… part",
                "Copy the whole address from the browser's address bar after approving",
                code="NO_CODE",
            )
        raise InputError(
            "That is neither a redirect URL nor an authorization code",
            "Paste the address of the page HubSpot redirected to (it contains ?code=)",
            code="BAD_PASTE",
        )
    fields = _fields(query)
    if "error" in fields:
        raise CallbackError(
            "HubSpot sent an error instead of an authorization code",
            "Authorize again and approve the app",
            code="AUTHORIZATION_ERROR",
        )
    check_state(fields.get("state", []), expected_state)
    codes = fields.get("code", [])
    if len(codes) != 1 or not codes[0]:
        raise InputError(
            "That redirect has no authorization code",
            "Copy the whole address, including the ?code=… part",
            code="NO_CODE",
        )
    if not looks_like_code(codes[0]):
        raise InputError(
            "The code in that redirect is malformed (cut off or altered?)",
            "Copy the whole address again from the browser's address bar",
            code="BAD_CODE",
        )
    return codes[0]


@dataclass(frozen=True)
class InstallUrl:
    """What an app's sample install URL (its Auth tab) says about the app."""

    app_base: str
    hub_id: int | None
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    optional_scopes: tuple[str, ...]


def _split_scopes(values: Sequence[str]) -> tuple[str, ...]:
    # parse_qs has already turned `+` into spaces; commas are a common hand-edit.
    names = " ".join(values).replace(",", " ").split()
    return tuple(dict.fromkeys(names))


def _install_error(reason: str) -> InputError:
    return InputError(
        reason,
        "Copy the Sample install URL from the app's Auth tab in HubSpot",
        code="BAD_INSTALL_URL",
    )


def parse_install_url(url: str) -> InstallUrl:
    """Read HubSpot's sample install URL into the app's settings.

    Handles `%20` and `+` between scopes, regional hosts (`app-eu1`) and pinned
    `/oauth/{hub_id}/authorize` paths; the URL may be quoted or hard-wrapped.

    Raises:
        InputError: not a URL, not a HubSpot authorize URL, or no client_id.
    """
    if not isinstance(url, str) or len(url) > _MAX_PASTE:
        raise _install_error("That is too long to be an install URL")
    text = _unwrap(url)
    if not text:
        raise _install_error("Nothing was pasted")
    if "://" not in text:
        if not text.lower().startswith("app"):
            raise _install_error("That is not a URL")
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise _install_error("That is not a valid URL") from None
    if parts.scheme.lower() not in ("https", "http"):
        raise _install_error("That is not a web URL (it should start with https://)")
    if not _APP_HOST_RE.fullmatch(host):
        raise _install_error(
            "That is not a HubSpot install URL (the host should be app.hubspot.com)"
        )
    match = _AUTHORIZE_PATH_RE.fullmatch(parts.path)
    if not match:
        raise _install_error("That is not a HubSpot authorize URL (no /oauth/authorize in it)")
    fields = _fields(parts.query)
    client_ids = fields.get("client_id", [])
    if len(client_ids) != 1 or not client_ids[0]:
        raise _install_error("That install URL has no client_id")
    if not _CLIENT_ID_RE.fullmatch(client_ids[0]):
        raise _install_error("The client_id in that install URL is malformed")
    redirect = fields.get("redirect_uri", [""])
    return InstallUrl(
        app_base=f"https://{host}",
        hub_id=int(match.group(1)) if match.group(1) else None,
        client_id=client_ids[0],
        redirect_uri=redirect[0] if len(redirect) == 1 else "",
        scopes=_split_scopes(fields.get("scope", [])),
        optional_scopes=_split_scopes(fields.get("optional_scope", [])),
    )


def loopback_redirect_uri(port: int, path: str = "/oauth-callback") -> str:
    """The redirect URI of the loopback listener: `http://localhost:{port}{path}`."""
    return f"http://localhost:{port}/{path.lstrip('/')}"


def redirect_uri_problem(uri: str) -> str | None:
    """Why HubSpot would refuse `uri` as a redirect URL, or None when it looks acceptable."""
    if not uri:
        return "enter a redirect URL"
    if uri != uri.strip() or any(ch.isspace() for ch in uri):
        return "has spaces — paste again without them"
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return "is not a valid URL (check the host and port)"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return "must start with https:// (or http://localhost for local testing)"
    if not host:
        return "has no host name"
    if parts.username is not None or parts.password is not None:
        return "must not contain user:password@"
    if parts.fragment or uri.endswith("#"):
        return "must not contain a #fragment"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if address.is_loopback:
            return f"HubSpot rejects IP addresses: use localhost instead of {host}"
        return "HubSpot rejects IP addresses: use a host name"
    if scheme == "http" and host.lower() != "localhost":
        return "HubSpot requires https:// except for http://localhost"
    return None
