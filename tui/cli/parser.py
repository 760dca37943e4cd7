"""The `hubspot-tui` argument parser: global options, then one subcommand (none: the dashboard)."""

from __future__ import annotations

import argparse
import os

from tui import __version__
from tui.cli import connector, token_api
from tui.core.profile import DEFAULT_API_BASE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (global options, then one subcommand or none for the dashboard)."""
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="hubspot-tui",
        description="Connect a HubSpot OAuth app and see at a glance whether the install is right. "
        "Without a command, starts the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"hubspot-tui {__version__}")
    parser.add_argument(
        "--profile",
        default=env.get("HUBSPOT_TUI_PROFILE", "default"),
        help="profile name (one HubSpot app each; env HUBSPOT_TUI_PROFILE; default: default)",
    )
    parser.add_argument(
        "--config-dir", help="where profiles and credentials live (env HUBSPOT_TUI_CONFIG_DIR)"
    )
    parser.add_argument(
        "--api-base",
        type=str.strip,
        default=env.get("HUBSPOT_TUI_API_BASE", DEFAULT_API_BASE),
        help="HubSpot API origin (env HUBSPOT_TUI_API_BASE)",
    )
    parser.add_argument(
        "--app-base",
        type=str.strip,
        default=env.get("HUBSPOT_TUI_APP_BASE", ""),
        help="HubSpot authorize host (env HUBSPOT_TUI_APP_BASE; default by region)",
    )
    parser.add_argument(
        "--http-timeout",
        type=_seconds,
        default=env.get("HUBSPOT_TUI_HTTP_TIMEOUT", "10"),
        metavar="SECONDS",
        help="how long one HubSpot request may take (env HUBSPOT_TUI_HTTP_TIMEOUT; default 10)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run on the embedded sandbox HubSpot with a demo app (own store, no network)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("configure", help="set the app's credentials, redirect URL and scopes")
    p.add_argument("--client-id", help="the app's Client ID (Auth tab; 36 characters)")
    p.add_argument(
        "--client-secret-stdin", action="store_true", help="read the client secret from stdin"
    )
    p.add_argument("--scopes", help='required scopes, space-separated: "oauth crm.objects..."')
    p.add_argument("--optional-scopes", help="optional scopes, space-separated")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--callback-port", metavar="PORT", help="loopback port of the redirect URL (1024-65535)"
    )
    group.add_argument("--redirect-uri", help="explicit redirect URL (https, or http://localhost)")
    p.add_argument("--partner-id", help="PartnerIdentifier host: https://HOST/connector/callback")
    p.add_argument(
        "--install-url",
        help="the app's sample install URL: fills id, redirect, region, scopes "
        "(every value checked; a bad one saves nothing)",
    )
    p.add_argument("--region", choices=["na", "eu"], help="HubSpot region of the app's UI")
    p.add_argument("--token-version", choices=["v3", "v1"], help="token endpoint (v1 sunsets 2027)")

    p = sub.add_parser(
        "login",
        help="authorize an account (loopback listener or paste-back); exit 0 only when the "
        "account is the main one and no check fails",
    )
    p.add_argument("--open", action="store_true", help="open the URL with $BROWSER / webbrowser")
    p.add_argument("--paste", action="store_true", help="read the redirected URL from stdin")
    p.add_argument(
        "--account", type=_hub_id, metavar="HUB_ID", help="pin the authorize URL to this account"
    )
    p.add_argument("--timeout", type=float, default=600.0, help="seconds to wait (default 600)")

    p = sub.add_parser("status", help="the install checklist (exit 0 only when ready)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--check", action="store_true", help="re-probe every account live first")

    p = sub.add_parser("accounts", help="list authorized accounts")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("use", help="make an account the active one")
    p.add_argument("hub_id", type=int, help="an authorized account's Hub ID (see `accounts`)")

    p = sub.add_parser("refresh", help="refresh an account's access token now")
    p.add_argument("hub_id", type=int, nargs="?", help="default: the active account")

    p = sub.add_parser("remove", help="revoke an account's tokens and forget it (asks first)")
    p.add_argument("hub_id", type=int, help="an authorized account's Hub ID (see `accounts`)")
    p.add_argument(
        "--yes", action="store_true", help="don't ask (needed when stdin is not a terminal)"
    )
    p.add_argument("--force", action="store_true", help="forget it even if revoking fails")

    sub.add_parser(
        "paths", help="print the config and credential file paths (with --demo: the demo's)"
    )

    p = sub.add_parser("sandbox", help="run the embedded sandbox HubSpot until Ctrl-C")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    p.add_argument("--token-lifetime", type=int, default=1800, help="access token seconds")
    p.add_argument(
        "--redirect-uri", action="append", default=[], help="register another redirect URL"
    )
    connector.add_parsers(sub)
    token_api.add_parsers(sub)
    return parser


def _hub_id(text: str) -> int:
    """An argparse type: a Hub ID by the same rule as the OAuth screen's Pin field (trimmed)."""
    from tui.hubspot.validate import hub_id_problem

    text = text.strip()
    problem = hub_id_problem(text) if text else "enter the account's Hub ID"
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return int(text)


def _seconds(text: str) -> float:
    """An argparse type: a positive number of seconds (at most an hour)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return value
