"""`hubspot-tui connector`: the values the integration platform's connector form asks for.

The secret is printed only with `--reveal-secret` (masked in text, null in JSON otherwise).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from tui.hubspot.models import mask

if TYPE_CHECKING:
    from tui.cli.commands import Handler
    from tui.core.connector import ConnectorSheet
    from tui.core.service import InstallService

EXIT_OK, EXIT_FAIL = 0, 1
"""As in `tui.cli.commands` (not imported: the parser loads this module on every run)."""

MISSING = "(not set)"


def add_parsers(sub: Any) -> None:
    """Add `connector` to the subcommand parsers `sub` (argparse's `_SubParsersAction`)."""
    p = sub.add_parser(
        "connector",
        help="the values to enter in the integration platform's connector form",
        description="Client ID, Client Secret, Scopes and Optional scopes exactly as the app is "
        "configured, the platform's redirect URL and the account to choose on HubSpot's "
        "Choose an Account screen. Exit 1 while a value the form needs is missing.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--reveal-secret",
        action="store_true",
        help="print the Client Secret itself (masked, or null in JSON, without it)",
    )


async def cmd_connector(service: InstallService, args: argparse.Namespace) -> int:
    """`connector`: the connector sheet, from stored state (no network)."""
    sheet = service.connector_sheet()
    if args.json:
        print(json.dumps(sheet.to_json(reveal_secret=args.reveal_secret), indent=2))
    else:
        print(render_sheet(sheet, reveal_secret=args.reveal_secret))
    complete = sheet.client_id and sheet.client_secret and sheet.scopes
    return EXIT_OK if complete else EXIT_FAIL


def render_sheet(sheet: ConnectorSheet, *, reveal_secret: bool = False) -> str:
    """The sheet as aligned `Label  value` lines, with a note for each missing value."""
    secret = sheet.client_secret
    if secret and not reveal_secret:
        secret = f"{mask(secret)}  (--reveal-secret prints it)"
    main = sheet.main_account
    rows = [
        ("Client ID", sheet.client_id or f"{MISSING} — `hubspot-tui configure --client-id`"),
        ("Client Secret", secret or f"{MISSING} — `hubspot-tui configure --client-secret-stdin`"),
        ("Scopes", sheet.scopes_text or MISSING),
        ("Optional scopes", sheet.optional_scopes_text or "(none)"),
        (
            "Redirect URL",
            sheet.redirect_url
            or "(Partner id missing — `hubspot-tui configure --partner-id HOST`)",
        ),
        (
            "Choose account",
            f"{main.name} ({main.hub_id})"
            if main
            else "(no MAIN account yet — `hubspot-tui login`, pick the account with Products)",
        ),
    ]
    return "\n".join(f"{label + ':':<17}{value}" for label, value in rows)


COMMANDS: dict[str, Handler] = {"connector": cmd_connector}
