"""The hubspot-tui dashboard: one long-lived screen per section, all I/O in workers.

The app owns what every section shares: the `InstallService`, the background token refresh
(`token_refresh`), the live re-checks, the Ctrl+P commands (`palette`), an activity/error line,
and (demo mode only) one lazily built HTTP client for the in-terminal account chooser. Sections
redraw when `profile_changed` is published.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer

from tui.core.loopback import over_ssh
from tui.core.reasons import Reason
from tui.core.user_errors import error_text
from tui.hubspot.errors import HubSpotError
from tui.ui.fast_app import FastApp
from tui.ui.messages import AuthorizeRequested, Outcome, RecheckRequested
from tui.ui.palette import app_commands
from tui.ui.screens.base import MIN_HEIGHT, MIN_WIDTH, USER_ERRORS, SectionScreen, user_error
from tui.ui.screens.overview import OverviewScreen
from tui.ui.section_imports import IMPORT_AFTER, import_sections
from tui.ui.token_refresh import TokenRefresher

if TYPE_CHECKING:
    import httpx

    from tui.core.profile import Profile
    from tui.core.service import InstallService

T = TypeVar("T")

IDENTIFY_RETRY = 20.0
"""Seconds between quiet retries of an authorized account HubSpot could not identify or check
yet (its tokens are kept; each failed try is recorded on it and shown by the checklist)."""
WARM_UP_DELAY = 0.3
"""Seconds after showing the OAuth or Accounts section before the HTTP client is built."""
LOAD_BEFORE_PAINT = 0.08
"""Seconds the first frame waits for the profile: a usual profile (a few accounts) loads in a few
ms, so the first frame is the real checklist, not "Loading…"; a huge one loads behind it."""
QUIT_KEYS = frozenset({"ctrl+q", "q"})
"""The only keys that act while the terminal is too small (resizing is the other way out)."""


# Only the Overview is built at start-up: each other section's module (and what it imports, e.g.
# Markdown for the help screen) is imported on its first visit, off the start-up path.
def _credentials_screen() -> Screen[Any]:
    from tui.ui.screens.credentials import CredentialsScreen

    return CredentialsScreen()


def _scopes_screen() -> Screen[Any]:
    from tui.ui.screens.scopes import ScopesScreen

    return ScopesScreen()


def _oauth_screen() -> Screen[Any]:
    from tui.ui.screens.oauth import OAuthScreen

    return OAuthScreen()


def _accounts_screen() -> Screen[Any]:
    from tui.ui.screens.accounts import AccountsScreen

    return AccountsScreen()


@dataclass(frozen=True)
class DemoInfo:
    """The sandbox's demo app, shown on the Credentials screen in `--demo` mode."""

    client_id: str
    client_secret: str
    sandbox_url: str


class HubSpotApp(FastApp):
    """Keyboard-driven dashboard from "I created a HubSpot app" to "installed on MAIN"."""

    TITLE = "hubspot-tui"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "overview": OverviewScreen,
        "credentials": _credentials_screen,
        "scopes": _scopes_screen,
        "oauth": _oauth_screen,
        "accounts": _accounts_screen,
    }
    DEFAULT_MODE = "overview"

    BINDINGS: ClassVar[list[BindingType]] = [
        # F-keys are priority bindings: they switch sections even while an Input has focus.
        Binding("f2", "switch_section('overview')", "Overview", show=False, priority=True),
        Binding("f3", "switch_section('credentials')", "Credentials", show=False, priority=True),
        Binding("f4", "switch_section('scopes')", "Scopes", show=False, priority=True),
        Binding("f5", "switch_section('oauth')", "OAuth", show=False, priority=True),
        Binding("f6", "switch_section('accounts')", "Accounts", show=False, priority=True),
        # Digits are plain bindings: a focused Input receives them as typing instead.
        Binding("1", "switch_section('overview')", "Overview", show=False),
        Binding("2", "switch_section('credentials')", "Credentials", show=False),
        Binding("3", "switch_section('scopes')", "Scopes", show=False),
        Binding("4", "switch_section('oauth')", "OAuth", show=False),
        Binding("5", "switch_section('accounts')", "Accounts", show=False),
        Binding("f1", "help", "Help", key_display="?/F1", priority=True),
        Binding("question_mark", "help", "Help", show=False),
        Binding("q", "quit", "Quit", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        service: InstallService,
        *,
        demo: DemoInfo | None = None,
        ssh: bool | None = None,
    ) -> None:
        """Build the app around a service (not loaded yet: `load()` runs in a worker).

        Args:
            service: The install service driving one profile.
            demo: The sandbox's demo app in `--demo` mode.
            ssh: Whether the browser is on another machine; None detects from the environment.
        """
        super().__init__()
        self.service = service
        """The shared install service."""
        self.demo = demo
        """Demo app details, or None outside `--demo`."""
        self.ssh = over_ssh() if ssh is None else ssh
        """True when the user's browser is not on this machine."""
        self.loaded = False
        """True once the profile has been read."""
        self.load_error: HubSpotError | None = None
        """Why the profile could not be read, if it could not."""
        self.last_error: HubSpotError | None = None
        """The most recent background failure (shown on the activity line)."""
        self.outcome: Outcome | None = None
        """What the last re-check or refresh the user asked for did (the Overview says it)."""
        self.suggested_pin: int | None = None
        """A hub id taken from a pasted install URL, offered as the OAuth pin."""
        self.profile_changed: Signal[None] = Signal(self, "profile_changed")
        """Published whenever stored state, activity or errors change: sections redraw."""
        self._activities: dict[str, str] = {}
        self._refresher = TokenRefresher(self)
        self._identify_timer: Timer | None = None
        self._http: httpx.AsyncClient | None = None
        self._load_task: asyncio.Future[Profile] | None = None
        self._warmed = False

    @property
    def tags(self) -> tuple[str, ...]:
        """Right-hand tags of the nav bar."""
        tags = []
        if self.demo is not None:
            tags.append("DEMO")
        if self.ssh:
            tags.append("SSH")
        return tuple(tags)

    @property
    def refreshing(self) -> bool:
        """True while a background token refresh runs."""
        return self._refresher.running

    @property
    def activity(self) -> str:
        """What runs in the background right now (latest first), or empty."""
        return next(reversed(self._activities.values()), "")

    # ------------------------------------------------------------ lifecycle

    async def on_load(self) -> None:
        """Start reading the profile (in a thread) and give it `LOAD_BEFORE_PAINT` to finish.

        Runs before the first screen is composed: when the profile is read in time, the first
        frame already shows the checklist (one frame instead of "Loading…" then a second one).
        """
        task = asyncio.ensure_future(self.service.load())
        self._load_task = task
        await asyncio.wait({task}, timeout=LOAD_BEFORE_PAINT)
        if task.done():
            self._take_load(task)
        self.prepare_first_frame()  # no frame until the Overview is mounted whole

    def _take_load(self, task: asyncio.Future[Profile]) -> None:
        """Record the outcome of the profile read (loaded, or why not)."""
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            self.loaded = True
        elif isinstance(exc, USER_ERRORS):
            self.load_error = user_error(exc)
        else:
            raise exc

    def on_mount(self) -> None:
        """Paint the first section (now mounted); finish reading the profile off the loop."""
        self.release_first_frame()
        self.run_worker(self._load(), group="load", exclusive=True, exit_on_error=False)
        self.set_timer(IMPORT_AFTER, self._import_sections)

    def _import_sections(self) -> None:
        # In a thread: the imports compete with the event loop for the GIL only briefly, and
        # never before the first frame.
        demo = self.demo is not None
        self.run_worker(
            lambda: import_sections(demo=demo), thread=True, group="imports", exit_on_error=False
        )

    # ------------------------------------------------------------ too small

    @property
    def too_small(self) -> bool:
        """True while the terminal is below the 80x24 the layout needs (only a notice shows)."""
        width, height = self.size
        return width < MIN_WIDTH or height < MIN_HEIGHT

    async def on_event(self, event: events.Event) -> None:
        """Below 80x24 only quitting acts: no key or paste reaches the screen behind the notice."""
        if (
            isinstance(event, (events.Key, events.Paste))
            and not event.is_forwarded
            and self.too_small
        ):
            if isinstance(event, events.Key) and event.key in QUIT_KEYS:
                self.exit()
            return
        await super().on_event(event)

    async def _load(self) -> None:
        task = self._load_task
        if task is None:  # on_load did not run (never in practice): read it now
            task = self._load_task = asyncio.ensure_future(self.service.load())
        if not (self.loaded or self.load_error is not None):
            await asyncio.wait({task})
            self._take_load(task)
        if self.load_error is not None:
            self._report(self.load_error, "Could not read the profile")
        elif self.loaded:
            for warning in self.service.warnings:
                # The warning names a path, which may hold "[/]": shown literally, never as markup.
                self.notify(
                    warning, title="Store warning", severity="warning", timeout=10, markup=False
                )
        self.changed()
        self._refresher.arm()
        if self.loaded:
            self._identify_timer = self.set_interval(IDENTIFY_RETRY, self._identify_tick)

    def _identify_tick(self) -> None:
        """Retry identifying (checking) an active account a login could not check yet."""
        account = self.service.profile.active_account if self.loaded else None
        unchecked = account is not None and not account.checked_at
        if not unchecked or account is None or not account.check_error_code:
            return
        if account.check_error_code not in (Reason.NOT_IDENTIFIED, Reason.CHECK_FAILED):
            return  # e.g. revoked: only authorizing again helps, retrying would not
        work = self._identify(account.hub_id)
        self.run_worker(work, group="identify", exclusive=True, exit_on_error=False)

    async def _identify(self, hub_id: int) -> None:
        try:
            await self.service.check(hub_id)
        except USER_ERRORS:
            pass  # recorded on the account and shown by the checklist; the next tick retries
        finally:
            self.changed()

    def warm_up(self) -> None:
        """Import httpx and build the HubSpot client in a thread, once, ahead of a request.

        Called on the way to the network (the OAuth and Accounts sections), never at start-up:
        httpx and the CA bundle cost ≈ 40 ms and ≈ 4 MiB, which an Overview left open does
        not need until its first token refresh. A login's code exchange then finds the client
        ready instead of building it on the event loop while the user waits for the verdict.
        """
        if self._warmed:
            return
        self._warmed = True
        self.run_worker(self._build_http_client, thread=True, group="warm-up", exit_on_error=False)

    def _build_http_client(self) -> None:
        # In the worker thread. The service builds its client on first use; building it here
        # first just moves that cost off the event loop (a racing first use only builds a
        # second, unused client without connections: nothing to close).
        self.service._http()._client()

    async def on_unmount(self) -> None:
        """Close the service (HTTP client, listeners) and the demo client."""
        self._refresher.stop()
        try:
            await self.service.aclose()
        finally:
            if self._http is not None:
                await self._http.aclose()
                self._http = None

    def http_client(self) -> httpx.AsyncClient:
        """The one client used to drive the sandbox's pages in demo mode (built on first use)."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(timeout=10.0)
        return self._http

    def changed(self) -> None:
        """Tell every section to redraw from the service, and re-aim the refresh timer."""
        self.profile_changed.publish(None)
        if self.loaded and not self.refreshing:
            # A login, a switch of active account or a removal changes when the next refresh
            # is due; a running refresh re-arms the timer itself when it finishes.
            self._refresher.arm()

    # ---------------------------------------------------- background tasks

    async def guard(self, activity: str, work: Awaitable[T], *, title: str = "") -> T | None:
        """Run `work` showing `activity`; a HubSpotError becomes a message, never a traceback.

        Returns:
            The result, or None when it failed (the error is on the activity line and notified).
        """
        key = f"{id(work)}"
        self._activities[key] = activity
        self.changed()
        try:
            result = await work
        except USER_ERRORS as exc:
            self._report(user_error(exc), title or activity.rstrip("…"))
            return None
        else:
            self.last_error = None
            return result
        finally:
            self._activities.pop(key, None)
            self.changed()

    def _fatal_error(self) -> None:
        """Textual's crash report minus local variables: a frame may hold a secret or token."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        report = Traceback(show_locals=False, width=None)
        crash = self.console.render(report, self.console.options)
        self._exit_renderables.append(Segments(crash))
        self._close_messages_no_wait()

    def _report(self, exc: HubSpotError, title: str) -> None:
        """Show a failure: the message and the next action (they never hold a secret)."""
        self.last_error = exc
        self.notify(error_text(exc), title=title, severity="error", timeout=8, markup=False)

    def recheck(self, hub_id: int | None = None) -> None:
        """Re-probe one account (or all) live, in a worker."""
        if not self.loaded:
            return
        if hub_id is None:
            if not self.service.profile.accounts:
                self.notify("No authorized accounts yet: press F5 to authorize.")
                return
            count = len(self.service.profile.accounts)
            # strict: a failed re-check is reported (message + next action), not swallowed.
            work = self.guard(f"Checking {count} accounts…", self.service.check_all(strict=True))
            what = f"{count} account{'s' if count != 1 else ''}"
            self.run_worker(
                self._told(work, what), group="check-all", exclusive=True, exit_on_error=False
            )
        else:
            work2 = self.guard(f"Checking {hub_id}…", self.service.check(hub_id))
            self.run_worker(
                self._told(work2, str(hub_id)),
                group=f"check-{hub_id}",
                exclusive=True,
                exit_on_error=False,
            )

    async def _told(self, work: Awaitable[object], what: str) -> None:
        """Run a guarded re-check, then record how it went for the Overview to say."""
        ok = await work is not None
        done = f"re-checked {what}" if ok else f"re-check of {what} failed"
        self.outcome = Outcome(done, ok, time.monotonic())
        self.changed()

    def on_recheck_requested(self, message: RecheckRequested) -> None:
        """A section asked for a live re-check."""
        self.recheck(message.hub_id)

    async def on_authorize_requested(self, message: AuthorizeRequested) -> None:
        """Go to the OAuth section and start an authorization (pinned when asked)."""
        from tui.ui.screens.oauth import OAuthScreen

        await self.switch_mode("oauth")
        self.set_timer(WARM_UP_DELAY, self.warm_up)
        screen = self.screen
        if isinstance(screen, OAuthScreen):
            screen.start_authorize(pin=message.hub_id, set_pin=message.hub_id is not None)

    def start_refresh(self, hub_id: int, *, force: bool) -> None:
        """Refresh `hub_id`'s token in a worker; the timer is re-armed when it finishes."""
        self._refresher.start(hub_id, force=force)

    # -------------------------------------------------------------- keys

    def action_switch_section(self, mode: str) -> None:
        """Show a section (its one long-lived screen)."""
        # A modal (help, confirm, chooser) sits on the current mode's stack: close it first.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if mode != self.current_mode:
            self.switch_mode(mode)
        if mode in ("oauth", "accounts") and not self._warmed:
            # Once the section is painted: the thread would otherwise compete with it for the GIL.
            self.set_timer(WARM_UP_DELAY, self.warm_up)

    def action_help(self) -> None:
        """Show every key: the section's own, then the global ones."""
        from tui.ui.screens.help import HelpScreen, bindings_table

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        screen = self.screen
        title, help_text, tables = "hubspot-tui", "", []
        if isinstance(screen, SectionScreen):
            title = type(screen).__name__.removesuffix("Screen")
            help_text = screen.HELP
            tables.append(bindings_table(f"{title} keys", list(screen.BINDINGS)))
        tables.append(bindings_table("Everywhere", list(self.BINDINGS)))
        tables.append(
            "Also: `ctrl+p` command palette · `b`/`esc` back to Overview (`esc` clears a filter "
            "first) · `q` quit · `ctrl+q` quit from anywhere · `tab` next field. `▶` marks where "
            "keys go; in a text field letters and digits are typing (the key bar says so).\n"
        )
        self.push_screen(HelpScreen(title, help_text, tables))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """App commands for the Ctrl+P palette, then Textual's."""
        yield from app_commands(self)
        yield from super().get_system_commands(screen)
