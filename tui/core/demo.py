"""`--demo`: run hubspot-tui against the embedded sandbox HubSpot, with its own store.

The demo keeps everything under `<config dir>/demo/` (its profile store and the sandbox's issued
tokens), so it never touches real profiles, and a restart shows the same state because both the
store and the sandbox's token table persist there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.paths import demo_dir

if TYPE_CHECKING:
    from tui.sandbox import Sandbox

DEMO_TOKEN_LIFETIME = 600
"""Demo access tokens live 10 minutes (HubSpot's are 30) so a background refresh can be watched."""


@dataclass
class DemoEnvironment:
    """A running sandbox and where the demo keeps its store."""

    sandbox: Sandbox
    config_dir: Path

    @property
    def base_url(self) -> str:
        """The sandbox origin: both the API host and the authorize (app) host."""
        return self.sandbox.base_url

    def allow_redirect(self, redirect_uri: str) -> None:
        """Register the profile's redirect URI on the demo app, as a partner would on HubSpot."""
        self.sandbox.register_redirect_uri(redirect_uri)

    def stop(self) -> None:
        """Stop the sandbox server."""
        self.sandbox.stop()


def start_demo(config_dir: Path, *, token_lifetime: int = DEMO_TOKEN_LIFETIME) -> DemoEnvironment:
    """Start the sandbox on a free loopback port, persisting its tokens in the demo dir."""
    from tui.sandbox import Sandbox

    directory = demo_dir(config_dir)
    # Both the config dir (the demo's parent) and the demo dir are private, like the real store's:
    # a 0755 parent left behind by the demo would make the next real run warn about it.
    for private in (config_dir, directory):
        if not private.exists():
            private.mkdir(mode=0o700, parents=True)
            private.chmod(0o700)  # mkdir's mode was narrowed by the umask
    sandbox = Sandbox(
        port=0,
        token_lifetime=token_lifetime,
        state_file=directory / "sandbox-state.json",
    )
    sandbox.start()
    return DemoEnvironment(sandbox=sandbox, config_dir=directory)
