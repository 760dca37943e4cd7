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


@dataclass(frozen=True)
class Outcome:
    """What the last re-check or token refresh the user asked for did (said inline, no toast)."""

    done: str
    """What happened, e.g. "re-checked 44120003"; the age is added when shown."""
    ok: bool
    """False when it failed (the reason is on the activity line)."""
    at: float
    """When it finished (`time.monotonic()`)."""
    after: str = ""
    """Said after the age, e.g. ", valid 30 min"."""

    def describe(self, now: float) -> str:
        """`✔ re-checked 44120003 2 s ago` / `✖ re-check of 44120003 failed 5 s ago`."""
        age = max(0, int(now - self.at))
        when = "just now" if age < 2 else f"{age} s ago" if age < 60 else f"{age // 60} min ago"
        return f"{'✔' if self.ok else '✖'} {self.done} {when}{self.after}"
