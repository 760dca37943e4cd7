"""An embedded, faithful fake of HubSpot's OAuth and API hosts, served on 127.0.0.1.

`--demo`, every test and the screenshots run against it, so nothing needs the network.

Modules:
    accounts: the demo app (`DEMO_APP`) and the default accounts.
    state: auth codes, tokens, the rate limiter and the persisted state file.
    oauth: authorize pages and the token/introspection/revocation endpoints.
    api: account details, products and line items behind bearer auth.
    pages: the HTML the browser sees.
    faults: fault injection for resilience tests.
    server: the HTTP server and routing.
    core: `Sandbox`, which ties them together.
    browser: what a browser does on the sandbox, over httpx (imported separately: it needs httpx).
"""

from __future__ import annotations

from tui.sandbox.accounts import DEMO_APP, DemoApp, SandboxAccount
from tui.sandbox.core import Sandbox
from tui.sandbox.faults import Fault, FaultInjector, FaultKind
from tui.sandbox.server import LoggedRequest

__all__ = [
    "DEMO_APP",
    "DemoApp",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "LoggedRequest",
    "Sandbox",
    "SandboxAccount",
]
