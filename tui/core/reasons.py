"""Why a checklist item is not OK, as stable machine-readable codes, and where each is fixed.

Every unmet check carries one `Reason` (also in `status --json` as `"reason"`), and every failed
account check is stored as a code (`AccountReport.check_error_code`) beside its message. The
CLI's `fix:` line, the Overview's next step and the Accounts detail decide from these codes,
never by searching the human text, which is free to change wording.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class Reason(enum.StrEnum):
    """Stable snake_case codes. Add new ones; never rename or reuse one (scripts read them)."""

    MISSING_CREDENTIALS = "missing_credentials"
    """Client ID and/or Client Secret not entered."""
    INVALID_CLIENT_ID = "invalid_client_id"
    """The Client ID is not of HubSpot's shape."""
    INVALID_REDIRECT_URI = "invalid_redirect_uri"
    """The redirect URI can't be used."""
    INVALID_SCOPES = "invalid_scopes"
    """The scope lists hold a scope HubSpot does not know (or another lint error)."""
    SCOPES_UNCONFIRMED = "scopes_unconfirmed"
    """The scope lists were never reviewed and saved."""
    SCOPES_DROPPED = "scopes_dropped"
    """HubSpot dropped optional scopes the account's plan lacks."""
    SCOPES_ADDED = "scopes_added"
    """Scopes were added after the account was authorized: re-authorize to get them."""
    NOT_AUTHORIZED = "not_authorized"
    """No account authorized yet."""
    NO_ACTIVE_ACCOUNT = "no_active_account"
    """Accounts are authorized but none is active."""
    NOT_IDENTIFIED = "not_identified"
    """Tokens were received and kept, but HubSpot has not said yet which account they are for."""
    TOKEN_REVOKED = "token_revoked"
    """HubSpot no longer accepts the account's tokens (uninstalled, user removed, revoked)."""
    WRONG_ACCOUNT = "wrong_account"
    """The stored token belongs to another portal than the one it is stored under."""
    CHECK_FAILED = "check_failed"
    """The last check could not reach HubSpot or got no usable answer; the last good one is kept."""
    NOT_VERIFIED_RECENTLY = "not_verified_recently"
    """The last completed check is more than a day old."""
    NOT_CHECKED = "not_checked"
    """Never checked: what the account is, or what it can read, is not known yet."""
    DEVELOPER_ACCOUNT = "developer_account"
    """The active account is an app developer account."""
    TEST_ACCOUNT = "test_account"
    """The active account is a developer test account."""
    SANDBOX_ACCOUNT = "sandbox_account"
    """The active account is a sandbox."""
    NO_PRODUCTS = "no_products"
    """The active account is STANDARD but has no readable product."""
    UNKNOWN_ACCOUNT_TYPE = "unknown_account_type"
    """HubSpot reported an account type this version doesn't know."""
    MISSING_SCOPE = "missing_scope"
    """The grant lacks the scope a call needs (add it and/or re-authorize)."""
    NO_SEAT = "no_seat"
    """HubSpot refused although the grant holds the scope: a seat, plan or permission gate."""
    NO_RECORDS = "no_records"
    """Readable, but there are none yet."""
    NO_TOKEN = "no_token"
    """No token stored for the active account."""


class Section(enum.StrEnum):
    """Where in the dashboard a reason is fixed (`overview` means: re-check with `r`)."""

    CREDENTIALS = "credentials"
    SCOPES = "scopes"
    OAUTH = "oauth"
    ACCOUNTS = "accounts"
    OVERVIEW = "overview"


SECTION_OF: Mapping[Reason, Section] = {
    Reason.MISSING_CREDENTIALS: Section.CREDENTIALS,
    Reason.INVALID_CLIENT_ID: Section.CREDENTIALS,
    Reason.INVALID_REDIRECT_URI: Section.CREDENTIALS,
    Reason.INVALID_SCOPES: Section.SCOPES,
    Reason.SCOPES_UNCONFIRMED: Section.SCOPES,
    Reason.SCOPES_DROPPED: Section.SCOPES,
    Reason.SCOPES_ADDED: Section.OAUTH,
    Reason.NOT_AUTHORIZED: Section.OAUTH,
    Reason.NO_ACTIVE_ACCOUNT: Section.ACCOUNTS,
    Reason.NOT_IDENTIFIED: Section.OVERVIEW,
    Reason.TOKEN_REVOKED: Section.OAUTH,
    Reason.WRONG_ACCOUNT: Section.OAUTH,
    Reason.CHECK_FAILED: Section.OVERVIEW,
    Reason.NOT_VERIFIED_RECENTLY: Section.OVERVIEW,
    Reason.NOT_CHECKED: Section.OVERVIEW,
    Reason.DEVELOPER_ACCOUNT: Section.OAUTH,
    Reason.TEST_ACCOUNT: Section.OAUTH,
    Reason.SANDBOX_ACCOUNT: Section.OAUTH,
    Reason.NO_PRODUCTS: Section.OAUTH,
    Reason.UNKNOWN_ACCOUNT_TYPE: Section.OVERVIEW,
    Reason.MISSING_SCOPE: Section.SCOPES,
    Reason.NO_SEAT: Section.OVERVIEW,
    Reason.NO_RECORDS: Section.OVERVIEW,
    Reason.NO_TOKEN: Section.OAUTH,
}
"""The section that usually fixes each reason (a check may name another, e.g. `accounts` when
switching to a MAIN account already authorized is the fix)."""

SECTION_KEY: Mapping[str, str] = {
    Section.CREDENTIALS: "F3",
    Section.SCOPES: "F4",
    Section.OAUTH: "F5",
    Section.ACCOUNTS: "F6",
    Section.OVERVIEW: "r",
}
"""The dashboard key that opens (or, for `overview`, runs) each section's fix."""

AUTH_DEAD: frozenset[str] = frozenset({Reason.TOKEN_REVOKED})
"""Stored check-error codes that mean the grant is dead: only authorizing again helps."""

NO_SEAT_ADVICE = (
    "the installing user needs a paid Sales Hub seat on this account; a super admin assigns it "
    "(Settings > Users & Teams). No re-authorization is needed: re-check once it is assigned"
)
"""Why Products/Line Items answer `forbidden`, and what fixes it (shared by both faces)."""


def legacy_error_code(message: str) -> str:
    """The code of a check error stored by a version that kept only its text (store migration).

    Only for reading old stores: new errors are stored with their code.
    """
    text = message.lower()
    dead = ("revoked", "bad_refresh_token", "invalid_grant", "uninstalled", "did not accept")
    if any(word in text for word in dead):
        return Reason.TOKEN_REVOKED
    if text.startswith("token reports portal"):
        return Reason.WRONG_ACCOUNT
    return Reason.CHECK_FAILED if text else ""
