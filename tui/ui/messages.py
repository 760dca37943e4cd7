"""App-wide messages: events a section screen sends up to the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class AuthorizeRequested(Message):
    """Switch to the OAuth section and start an authorization, optionally pinned to a hub id."""

    hub_id: int | None = None
    """The account to pin the authorize URL to (`/oauth/{hubId}/authorize`), or None."""


@dataclass
class RecheckRequested(Message):
    """Re-probe accounts live: one hub id, or every account when None."""

    hub_id: int | None = None
    """The account to re-check, or None for all of them."""
