"""A sandbox HubSpot in the bench process, and real authorizations against it.

The bench process serves the sandbox (threads) while the hubspot-tui under test runs in its own
process, so request timings and counts are read from the sandbox's own log. `delay_api` makes
every OAuth/API call slow the way a far-away HubSpot is (the sandbox answers in well under a
millisecond on loopback, where only CPU would be measured).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import TracebackType

from tests.conftest import pick_free_port
from tui.core.profile import AppConfig
from tui.sandbox import DEMO_APP, FaultKind, Sandbox

API_PATHS = (
    # Longest prefixes first: a fault applies to the first prefix that matches.
    "/oauth/v3/token/introspect",
    "/oauth/v3/token",
    "/account-info/",
    "/crm/v3/objects/products",
    "/crm/v3/objects/line_items",
)


class BenchSandbox:
    """A started sandbox with a free callback port registered on its demo app."""

    def __init__(self) -> None:
        self.port = pick_free_port()
        self.sandbox = Sandbox(port=0, redirect_uris=(self.redirect_uri,))

    @property
    def redirect_uri(self) -> str:
        """The loopback redirect URI of this sandbox's callback port."""
        return f"http://localhost:{self.port}/oauth-callback"

    @property
    def base_url(self) -> str:
        """The sandbox origin (API and authorize host)."""
        return self.sandbox.base_url

    def delay_api(self, seconds: float | dict[str, float]) -> None:
        """Answer every token/API call after `seconds` (one value, or one per path prefix)."""
        for path in API_PATHS:
            delay = seconds if isinstance(seconds, float) else seconds[path]
            self.sandbox.faults.add(path, FaultKind.DELAY, delay=delay, times=-1)

    def __enter__(self) -> BenchSandbox:
        self.sandbox.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.sandbox.stop()


async def configure(box: BenchSandbox, config_dir: Path) -> None:
    """Store the demo app's credentials, confirmed default scopes and this box's callback port."""
    from tui.core.service import InstallService
    from tui.core.store import ProfileStore

    service = InstallService(ProfileStore(config_dir), api_base=box.base_url, app_base=box.base_url)
    await service.load()
    app = replace(
        AppConfig(), client_id=DEMO_APP.client_id, callback_port=box.port, scopes_confirmed=True
    )
    await service.save_app(app, DEMO_APP.client_secret)
    await service.aclose()


async def authorize_accounts(box: BenchSandbox, config_dir: Path, hub_ids: tuple[int, ...]) -> None:
    """Configure `config_dir` and authorize `hub_ids` through the sandbox's pages."""
    from tests.sandbox_login import authorize_accounts as authorize
    from tui.core.service import InstallService
    from tui.core.store import ProfileStore

    await configure(box, config_dir)
    service = InstallService(ProfileStore(config_dir), api_base=box.base_url, app_base=box.base_url)
    await authorize(service, *hub_ids)
