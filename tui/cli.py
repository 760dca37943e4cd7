"""The `hubspot-tui` command line: the same core as the dashboard, scriptable.

Exit codes: 0 success / ready, 1 failure / not ready, 2 usage (bad options or values).
Progress goes to stderr; results (the authorize URL, tables, JSON) go to stdout. No secret is
ever printed, except the sandbox's own demo credentials by `hubspot-tui sandbox`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui import __version__
from tui.cli_output import (
    render_accounts,
    render_status,
    render_step,
    status_json,
)
from tui.hubspot.errors import HubSpotError, InputError
from tui.hubspot.models import Region
from tui.lifecycle import run_async
from tui.profile import DEFAULT_API_BASE, AppConfig

if TYPE_CHECKING:
    from tui.demo import DemoEnvironment
    from tui.service import InstallService, LoginAttempt

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A bad option value: reported with exit code 2."""


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
        default=env.get("HUBSPOT_TUI_API_BASE", DEFAULT_API_BASE),
        help="HubSpot API origin (env HUBSPOT_TUI_API_BASE)",
    )
    parser.add_argument(
        "--app-base",
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
    p.add_argument("--client-id")
    p.add_argument(
        "--client-secret-stdin", action="store_true", help="read the client secret from stdin"
    )
    p.add_argument("--scopes", help='required scopes, space-separated: "oauth crm.objects..."')
    p.add_argument("--optional-scopes", help="optional scopes, space-separated")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--callback-port", type=int, help="loopback port of the redirect URL")
    group.add_argument("--redirect-uri", help="explicit redirect URL (https, or http://localhost)")
    p.add_argument("--partner-id", help="PartnerIdentifier host: https://HOST/connector/callback")
    p.add_argument("--install-url", help="the app's sample install URL: fills id, redirect, scopes")
    p.add_argument("--region", choices=["na", "eu"], help="HubSpot region of the app's UI")
    p.add_argument("--token-version", choices=["v3", "v1"], help="token endpoint (v1 sunsets 2027)")

    p = sub.add_parser("login", help="authorize an account (loopback listener or paste-back)")
    p.add_argument("--open", action="store_true", help="open the URL with $BROWSER / webbrowser")
    p.add_argument("--paste", action="store_true", help="read the redirected URL from stdin")
    p.add_argument("--account", type=int, metavar="HUB_ID", help="pin the authorize URL")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds to wait (default 600)")

    p = sub.add_parser("status", help="the install checklist (exit 0 only when ready)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--check", action="store_true", help="re-probe every account live first")

    p = sub.add_parser("accounts", help="list authorized accounts")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("use", help="make an account the active one")
    p.add_argument("hub_id", type=int)

    p = sub.add_parser("refresh", help="refresh an account's access token now")
    p.add_argument("hub_id", type=int, nargs="?", help="default: the active account")

    p = sub.add_parser("remove", help="revoke an account's tokens and forget it")
    p.add_argument("hub_id", type=int)
    p.add_argument("--force", action="store_true", help="forget it even if revoking fails")

    sub.add_parser("paths", help="print the config and credential file paths")

    p = sub.add_parser("sandbox", help="run the embedded sandbox HubSpot until Ctrl-C")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token-lifetime", type=int, default=1800, help="access token seconds")
    p.add_argument(
        "--redirect-uri", action="append", default=[], help="register another redirect URL"
    )
    return parser


def _seconds(text: str) -> float:
    """An argparse type: a positive number of seconds (at most an hour)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return value


def run(argv: list[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    from tui.paths import resolve_config_dir

    config_dir = resolve_config_dir(args.config_dir)
    if args.command == "paths":
        return cmd_paths(config_dir, args.profile)
    if args.command == "sandbox":
        return cmd_sandbox(args)
    if args.command is None:
        return run_dashboard(args, config_dir)
    demo: DemoEnvironment | None = None
    try:
        if args.demo:
            from tui.demo import start_demo

            demo = start_demo(config_dir)
        handler = COMMANDS[args.command]
        return run_async(lambda: _with_service(args, config_dir, demo, handler))
    except UsageError as exc:
        print(f"hubspot-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if demo is not None:
            demo.stop()


def _make_service(
    args: argparse.Namespace, config_dir: Path, demo: DemoEnvironment | None
) -> InstallService:
    from tui.service import InstallService
    from tui.store import ProfileStore

    if demo is not None:
        return InstallService(
            ProfileStore(demo.config_dir),
            args.profile,
            api_base=demo.base_url,
            app_base=demo.base_url,
            redirect_hook=demo.allow_redirect,
            http_timeout=args.http_timeout,
        )
    return InstallService(
        ProfileStore(config_dir),
        args.profile,
        api_base=args.api_base,
        app_base=args.app_base,
        http_timeout=args.http_timeout,
    )


Handler = Callable[["InstallService", argparse.Namespace], Awaitable[int]]


async def _with_service(
    args: argparse.Namespace, config_dir: Path, demo: DemoEnvironment | None, handler: Handler
) -> int:
    from tui.store import StoreError

    try:
        service = _make_service(args, config_dir, demo)
    except StoreError as exc:
        print(f"hubspot-tui: {exc}", file=sys.stderr)
        return EXIT_FAIL
    try:
        await service.load()
        for warning in service.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return await handler(service, args)
    except HubSpotError as exc:
        _print_error(exc)
        return EXIT_USAGE if isinstance(exc, InputError) and exc.code == "USAGE" else EXIT_FAIL
    except StoreError as exc:
        print(f"hubspot-tui: {exc}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        await service.aclose()


def _print_error(exc: HubSpotError, stream: TextIO = sys.stderr) -> None:
    print(f"error: {exc.message}", file=stream)
    if exc.action:
        print(f"  next: {exc.action}", file=stream)
    if exc.correlation_id:
        print(f"  HubSpot correlation id: {exc.correlation_id}", file=stream)


# ---------------------------------------------------------------- commands


async def cmd_configure(service: InstallService, args: argparse.Namespace) -> int:
    """`configure`: validate and store app settings (secret from stdin only)."""
    from tui.hubspot.oauth import parse_install_url, redirect_uri_problem
    from tui.hubspot.scopes import lint
    from tui.hubspot.validate import client_id_problem, client_secret_problem, partner_id_problem

    app = service.profile.app
    if args.install_url:
        parsed = parse_install_url(args.install_url)
        app = replace(
            app,
            client_id=parsed.client_id,
            scopes=tuple(parsed.scopes),
            optional_scopes=tuple(parsed.optional_scopes),
            scopes_confirmed=True,
            region=Region.EU if "-eu1." in parsed.app_base else app.region,
        )
        app = _with_redirect(app, parsed.redirect_uri)
    if args.client_id is not None:
        problem = client_id_problem(args.client_id)
        if problem:
            raise _usage(f"--client-id: {problem}")
        app = replace(app, client_id=args.client_id)
    secret: str | None = None
    if args.client_secret_stdin:
        secret = sys.stdin.readline().strip()
        problem = client_secret_problem(secret, client_id=app.client_id)
        if problem:
            raise _usage(f"client secret: {problem}")
    if args.scopes is not None:
        app = replace(app, scopes=tuple(args.scopes.split()), scopes_confirmed=True)
    if args.optional_scopes is not None:
        app = replace(app, optional_scopes=tuple(args.optional_scopes.split()))
    if args.callback_port is not None:
        if not 1024 <= args.callback_port <= 65535:
            raise _usage("--callback-port must be between 1024 and 65535")
        app = replace(app, callback_port=args.callback_port, redirect_uri="")
    if args.redirect_uri is not None:
        problem = redirect_uri_problem(args.redirect_uri)
        if problem:
            raise _usage(f"--redirect-uri: {problem}")
        app = _with_redirect(app, args.redirect_uri)
    if args.partner_id is not None:
        problem = partner_id_problem(args.partner_id) if args.partner_id else None
        if problem:
            raise _usage(f"--partner-id: {problem}")
        app = replace(app, partner_id=args.partner_id)
    if args.region:
        app = replace(app, region=Region(args.region))
    if args.token_version:
        app = replace(app, token_version=args.token_version)
    await service.save_app(app, secret)
    out = sys.stdout
    print(f"Saved profile '{service.profile_name}'.", file=out)
    print(f"Redirect URL to register on the app: {app.effective_redirect_uri}", file=out)
    if app.partner_redirect_uri:
        print(f"Platform redirect URL: {app.partner_redirect_uri}", file=out)
    for warning in lint(app.scopes, app.optional_scopes):
        print(f"scopes {warning.level}: {warning.message}", file=sys.stderr)
    return EXIT_OK


def _with_redirect(app: AppConfig, redirect_uri: str) -> AppConfig:
    """A loopback redirect becomes a callback port (the listener needs it); others stay as is."""
    from urllib.parse import urlsplit

    from tui.profile import CALLBACK_PATH

    parts = urlsplit(redirect_uri)
    if parts.scheme == "http" and parts.hostname == "localhost" and parts.path == CALLBACK_PATH:
        return replace(app, callback_port=parts.port or 80, redirect_uri="")
    return replace(app, redirect_uri=redirect_uri)


def _usage(message: str) -> InputError:
    return InputError(message, "See `hubspot-tui configure --help`", code="USAGE")


async def cmd_login(service: InstallService, args: argparse.Namespace) -> int:
    """`login`: print the URL, wait on the listener or a paste, exchange, probe, store."""
    attempt = await service.start_login(
        hub_id=args.account, timeout=args.timeout, listen=not args.paste
    )
    err = sys.stderr
    print("Open this URL in a browser where you are signed in to HubSpot:", file=err)
    print(attempt.url, flush=True)
    if attempt.listen_address:
        print(
            f"Waiting for HubSpot's redirect on {attempt.listen_address} "
            f"(up to {int(args.timeout)} s; Ctrl-C cancels).",
            file=err,
        )
        hint = ssh_tunnel_hint(attempt.listen_address)
        if hint:
            print(hint, file=err)
    elif attempt.listen_error:
        print(f"Not listening: {attempt.listen_error}", file=err)
    if args.paste or not attempt.listen_address:
        print("Paste the full URL your browser was redirected to, then Enter:", file=err)
    tasks: list[asyncio.Task[None]] = []
    if args.open:
        tasks.append(asyncio.ensure_future(_open_browser(attempt.url)))
    if args.paste or not attempt.listen_address:
        tasks.append(asyncio.ensure_future(_read_pastes(attempt)))
    try:
        await service.finish_login(attempt, on_step=lambda e: print(render_step(e), file=err))
    finally:
        for task in tasks:
            task.cancel()
    status = service.status()
    print(render_status(status, service.profile, service.token_expires_at, now=_now()))
    return EXIT_OK


async def _open_browser(url: str) -> None:
    import webbrowser

    # webbrowser blocks until a $BROWSER command exits: keep it off the loop.
    opened = await asyncio.to_thread(webbrowser.open, url)
    if not opened:
        print("Could not open a browser here; open the URL above yourself.", file=sys.stderr)


async def _read_pastes(attempt: LoginAttempt) -> None:
    from tui.hubspot.errors import CallbackError

    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        if not line.strip():
            continue
        try:
            attempt.offer_paste(line)
            return
        except (InputError, CallbackError) as exc:
            print(f"That didn't work: {exc.message}. {exc.action}".rstrip(), file=sys.stderr)


def ssh_tunnel_hint(listen_address: str, env: dict[str, str] | None = None) -> str:
    """The `ssh -L` line to forward the callback port, when running over SSH; else ""."""
    environ = os.environ if env is None else env
    conn = environ.get("SSH_CONNECTION", "")
    if not conn:
        return ""
    port = listen_address.rsplit(":", 1)[-1]
    parts = conn.split()
    host = parts[2] if len(parts) >= 3 else "this-host"
    user = environ.get("USER") or environ.get("LOGNAME") or "you"
    return (
        "Over SSH: on your laptop run  "
        f"ssh -L {port}:localhost:{port} {user}@{host}  "
        "before authorizing, or paste the redirected URL (use --paste)."
    )


async def cmd_status(service: InstallService, args: argparse.Namespace) -> int:
    """`status`: the checklist from stored state, or after live probes with --check."""
    failures: dict[int, HubSpotError] = {}
    if args.check and service.profile.accounts:
        reports, failures = await service.recheck_all()
        for report in reports:
            if report.check_error and report.hub_id not in failures:
                print(f"warning: {report.hub_id}: {report.check_error}", file=sys.stderr)
        for hub_id, exc in failures.items():
            # The stored report is shown below as it was: say it could not be confirmed now.
            exc.message = f"could not re-check {hub_id}: {exc.message}"
            _print_error(exc)
    status = service.status()
    if args.json:
        import json

        data = status_json(status, service.profile, service.token_expires_at, now=_now())
        print(json.dumps(data, indent=2))
    else:
        print(render_status(status, service.profile, service.token_expires_at, now=_now()))
    return EXIT_OK if status.ready and not failures else EXIT_FAIL


async def cmd_accounts(service: InstallService, args: argparse.Namespace) -> int:
    """`accounts`: every authorized account of the profile."""
    if args.json:
        import json

        data = status_json(service.status(), service.profile, service.token_expires_at, _now())
        print(json.dumps(data["accounts"], indent=2))
    else:
        print(render_accounts(service.profile, service.token_expires_at, now=_now()))
    return EXIT_OK


async def cmd_use(service: InstallService, args: argparse.Namespace) -> int:
    """`use HUB_ID`: make an account active."""
    await service.use(args.hub_id)
    print(f"Active account: {args.hub_id}")
    return EXIT_OK


async def cmd_refresh(service: InstallService, args: argparse.Namespace) -> int:
    """`refresh [HUB_ID]`: refresh now, even if not due."""
    hub_id = args.hub_id or service.profile.active_hub_id
    if hub_id is None:
        raise InputError("No active account to refresh", "Authorize one: `hubspot-tui login`")
    tokens = await service.refresh(hub_id, force=True)
    minutes = int(tokens.expires_in(_now()) // 60)
    print(f"Refreshed {hub_id}: access token valid for {minutes} min")
    return EXIT_OK


async def cmd_remove(service: InstallService, args: argparse.Namespace) -> int:
    """`remove HUB_ID`: revoke at HubSpot and forget locally."""
    try:
        revoked = await service.remove(args.hub_id, force=args.force)
    except HubSpotError as exc:
        if not args.force and not isinstance(exc, InputError):
            exc.action = (
                f"{exc.action}; or forget it without revoking: "
                f"`hubspot-tui remove {args.hub_id} --force`"
            ).lstrip("; ")
        raise
    if revoked:
        print(f"Removed {args.hub_id} (refresh token revoked at HubSpot)")
    else:
        print(f"Removed {args.hub_id} here; HubSpot was not told (its token was not revoked)")
        print(
            "  next: uninstall the app from that account in HubSpot if it should stop working",
            file=sys.stderr,
        )
    return EXIT_OK


COMMANDS: dict[str, Handler] = {
    "configure": cmd_configure,
    "login": cmd_login,
    "status": cmd_status,
    "accounts": cmd_accounts,
    "use": cmd_use,
    "refresh": cmd_refresh,
    "remove": cmd_remove,
}


def cmd_paths(config_dir: Path, profile: str) -> int:
    """`paths`: where everything lives (no file is created)."""
    from tui.paths import demo_dir, store_paths

    paths = store_paths(config_dir)
    print(f"profile:      {profile}")
    print(f"config dir:   {paths.dir}")
    print(f"config:       {paths.config}")
    print(f"credentials:  {paths.credentials}  (0600; client secret and tokens)")
    print(f"demo store:   {demo_dir(config_dir)}")
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    """`sandbox`: serve the fake HubSpot until Ctrl-C (see `tui.lifecycle.serve_sandbox`)."""
    from tui.lifecycle import serve_sandbox

    return serve_sandbox(args.port, args.token_lifetime, args.redirect_uri)


def run_dashboard(args: argparse.Namespace, config_dir: Path) -> int:
    """Start the Textual dashboard (see `tui.lifecycle.run_dashboard`)."""
    from tui.lifecycle import run_dashboard as run

    return run(
        config_dir, demo=args.demo, make_service=lambda d: _make_service(args, config_dir, d)
    )


def _now() -> float:
    import time

    return time.time()
