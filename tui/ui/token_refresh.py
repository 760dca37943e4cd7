"""The dashboard's background token refresh: one timer, never overlapping, backing off on failure.

The timer looks at the active account's token at most every `REFRESH_POLL` seconds (sooner when
it is due), so a new login or a switch of active account is picked up without a restart. Failed
refreshes back off (a revoked token at once to the longest wait) instead of hammering HubSpot.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tui.hubspot.errors import ReauthorizeRequired
from tui.ui.messages import Outcome

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.ui.app import HubSpotApp

REFRESH_POLL = 60.0
"""Longest wait between two looks at the active token (picks up new logins and switches)."""
REFRESH_BACKOFF_MAX = 600.0
"""Longest wait after failed background refreshes."""


class TokenRefresher:
    """Keeps the active account's access token fresh, in the app's workers and timers."""

    def __init__(self, app: HubSpotApp) -> None:
        """Refresh for `app` (its service, its activity line); nothing runs until `arm`."""
        self._app = app
        self.running = False
        """True while a refresh runs."""
        self._timer: Timer | None = None
        self._failures = 0
        self._backoff_until = 0.0

    def arm(self, delay: float | None = None) -> None:
        """Schedule the next look at the active token (one timer, never overlapping)."""
        app = self._app
        if self._timer is not None:
            self._timer.stop()
        if delay is None:
            now = time.time()
            delay = REFRESH_POLL
            active = app.service.profile.active_hub_id if app.loaded else None
            due = app.service.refresh_due_at(active) if active is not None else None
            if due is not None:
                delay = max(1.0, min(due - now, REFRESH_POLL))
            # After failures, wait out the backoff whatever else changed meanwhile.
            delay = max(delay, self._backoff_until - now)
        else:
            self._backoff_until = time.time() + delay
        self._timer = app.set_timer(delay, self._tick)

    def stop(self) -> None:
        """Stop the timer (the app is closing)."""
        if self._timer is not None:
            self._timer.stop()

    def _tick(self) -> None:
        app = self._app
        active = app.service.profile.active_hub_id if app.loaded else None
        due = app.service.refresh_due_at(active) if active is not None else None
        now = time.time()
        if active is None or due is None or due > now or now < self._backoff_until:
            self.arm()
            return
        self.start(active, force=False)

    def start(self, hub_id: int, *, force: bool) -> None:
        """Refresh `hub_id`'s token in a worker; the timer is re-armed when it finishes."""
        self._app.run_worker(
            self._refresh(hub_id, force=force), group="refresh", exclusive=True, exit_on_error=False
        )

    async def _refresh(self, hub_id: int, *, force: bool) -> None:
        app = self._app
        self.running = True
        delay: float | None = None
        try:
            result = await app.guard(
                "Refreshing token…", app.service.refresh(hub_id, force=force), title="Refresh"
            )
            if result is None:
                # Back off so a dead network or a revoked token is not hammered every second.
                self._failures += 1
                if isinstance(app.last_error, ReauthorizeRequired):
                    self._failures = 10
                delay = min(30.0 * 2 ** (self._failures - 1), REFRESH_BACKOFF_MAX)
            else:
                self._failures = 0
                self._backoff_until = 0.0
            if force:  # asked for by the user (t): say how it went
                expires = app.service.token_expires_at(hub_id)
                left = ""
                if result is not None and expires is not None:
                    left = f", valid {round((expires - time.time()) / 60)} min"
                ok = bool(left)
                done = "token refreshed" if ok else "token refresh failed"
                app.outcome = Outcome(done, ok, time.monotonic(), left)
        finally:
            self.running = False
            app.changed()
            self.arm(delay)
