"""As-you-type checks for the settings form. Each returns None when the value is fine, else a
short reason the form shows under the field.

The reasons name the usual copy-paste accidents from HubSpot's app pages: the masked secret,
the App ID in the Client ID field, the install URL in an ID field, stray spaces and newlines.
"""

from __future__ import annotations

import ipaddress
import re

_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_MASK_CHARS = frozenset("*•●·∙⋅◦○")
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?")
_SPACES = "has spaces — paste again without them"


def _is_masked(value: str) -> bool:
    """A row of bullets/asterisks: what HubSpot shows until you press Show."""
    squeezed = "".join(value.split())
    return len(squeezed) >= 3 and set(squeezed) <= _MASK_CHARS


def _has_spaces(value: str) -> bool:
    return any(ch.isspace() for ch in value)


def _looks_like_url(value: str) -> bool:
    lowered = value.strip().lower()
    return "://" in lowered or lowered.startswith(("www.", "app.hubspot", "app-")) or "/" in lowered


def _length_problem(value: str) -> str | None:
    if len(value) != 36:
        noun = "character" if len(value) == 1 else "characters"
        return f"{len(value)} {noun}, expected 36"
    if not _UUID_RE.fullmatch(value):
        return "expected the shape xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits and dashes)"
    return None


def client_id_problem(value: str) -> str | None:
    """Check a Client ID (36 characters, UUID shape 8-4-4-4-12 hex).

    Args:
        value: the text in the field, untouched.

    Returns:
        None when it looks right, else why not (e.g. "35 characters, expected 36").
    """
    if not value.strip():
        return "enter the Client ID from the app's Auth tab"
    if _is_masked(value):
        return "that's a masked value; copy the Client ID itself"
    if _looks_like_url(value):
        return "that's a URL — use 'paste install URL'"
    if _has_spaces(value):
        return _SPACES
    if value.isdigit():
        return "that looks like the App ID, not the Client ID"
    return _length_problem(value)


def client_secret_problem(value: str, *, client_id: str = "") -> str | None:
    """Check a Client secret (36 characters, UUID shape), and that it is not the Client ID.

    Args:
        value: the text in the field, untouched.
        client_id: the Client ID entered, to catch it pasted twice.

    Returns:
        None when it looks right, else why not.
    """
    if not value.strip():
        return "enter the Client secret from the app's Auth tab"
    if _is_masked(value):
        return "that's the masked value; press Show in HubSpot and copy the real secret"
    if _looks_like_url(value):
        return "that's a URL, not the Client secret"
    if _has_spaces(value):
        return _SPACES
    if client_id and value == client_id.strip():
        return "that's the Client ID again — copy the Client secret"
    if value.isdigit():
        return "that looks like the App ID, not the Client secret"
    return _length_problem(value)


def partner_id_problem(value: str) -> str | None:
    """Check the partner identifier: a bare host name such as `connect.example.com`.

    Empty is fine (no partner redirect).
    """
    if not value:
        return None
    if _has_spaces(value):
        return _SPACES
    if "://" in value or "/" in value or ":" in value or "?" in value or "@" in value:
        return "enter just the host, e.g. connect.example.com"
    host = value.rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "enter a host name, not an IP address"
    if "." not in host:
        return "enter a full host name, e.g. connect.example.com"
    if len(host) > 253 or not all(_LABEL_RE.fullmatch(label) for label in host.split(".")):
        return "not a valid host name (letters, digits, dots and dashes only)"
    return None


def port_problem(value: str) -> str | None:
    """Check a callback port: a whole number from 1024 to 65535."""
    if not value.strip():
        return "enter a port number, e.g. 8765"
    if _has_spaces(value):
        return _SPACES
    if not value.isascii() or not value.isdigit():
        return "must be a number, e.g. 8765"
    if len(value) > 5 or not 1024 <= int(value) <= 65535:
        return "must be between 1024 and 65535"
    return None


def hub_id_problem(value: str) -> str | None:
    """Check a Hub ID (account ID): a positive whole number. Empty is fine (no pin)."""
    if not value:
        return None
    if _has_spaces(value):
        return _SPACES
    if _looks_like_url(value):
        return "that's a URL — enter just the account number"
    if not value.isascii() or not value.isdigit():
        return "must be a number (the account ID shown in HubSpot's account menu)"
    if len(value) > 18 or int(value) <= 0:
        return "must be a positive number of at most 18 digits"
    return None
