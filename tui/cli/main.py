"""The `hubspot-tui` command line: the same core as the dashboard, scriptable.

Exit codes: 0 success / ready, 1 failure / not ready, 2 usage (bad options or values).
Progress goes to stderr; results (the authorize URL, tables, JSON) go to stdout. No secret is
ever printed, except on purpose: the access token by `hubspot-tui token` (for scripts), the client
secret by `connector --reveal-secret`, and the sandbox's own demo credentials by `sandbox`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli import connector, token_api
from tui.cli.commands import (
    COMMANDS,
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    READ_ONLY,
    Handler,
    ReadOnlyHandler,
    needs_network,
)
from tui.cli.output import print_error
from tui.cli.parser import build_parser
from tui.core.user_errors import exit_code
from tui.hubspot.errors import HubSpotError

if TYPE_CHECKING:
    from tui.core.demo import DemoEnvironment
    from tui.core.service import InstallService


SCRIPT_COMMANDS: dict[str, Handler] = {**token_api.COMMANDS, **connector.COMMANDS}
"""Commands for scripts after READY (token, api, connector), kept in their own modules."""


def run(argv: list[str] | None = None) -> int:
    """Parse `argv` and run the command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    problem = global_options_problem(args)
    if problem:
        print(f"hubspot-tui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from tui.core.paths import resolve_config_dir

    config_dir = resolve_config_dir(args.config_dir)
    if args.command == "paths":
        return cmd_paths(config_dir, args.profile, demo=args.demo)
    if args.command == "sandbox":
        return cmd_sandbox(args)
    if args.command is None:
        return run_dashboard(args, config_dir)
    if args.command in READ_ONLY and not args.demo and not needs_network(args):
        return run_read_only(args, config_dir, READ_ONLY[args.command])
    # Everything else may talk to HubSpot: asyncio (and with it ssl) loads only from here on.
    from tui.cli.lifecycle import run_async

    demo: DemoEnvironment | None = None
    try:
        if args.demo:
            from tui.core.demo import start_demo

            demo = start_demo(config_dir)
        handler = SCRIPT_COMMANDS.get(args.command) or COMMANDS[args.command]
        return run_async(lambda: _with_service(args, config_dir, demo, handler))
    finally:
        if demo is not None:
            demo.stop()


def global_options_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the global options (from argv or the environment), or None.

    Checked before any command, the dashboard included, so nothing is read, written or sent
    with a profile name that would put escape sequences on the terminal, or with an API/app
    base that would carry secrets in clear or show a foreign authorize page.
    """
    from tui.core.profile import profile_name_problem
    from tui.hubspot.origins import app_base_problem, base_url_problem, clean_url

    problem = profile_name_problem(args.profile)
    if problem:
        return f"--profile / HUBSPOT_TUI_PROFILE {args.profile[:80]!a}: {problem}"
    if args.command == "sandbox" or getattr(args, "demo", False):
        return None  # the demo talks to its own loopback sandbox only
    problem = base_url_problem(args.api_base)
    if problem:
        return f"--api-base / HUBSPOT_TUI_API_BASE {clean_url(args.api_base)} {problem}"
    problem = app_base_problem(args.app_base) if args.app_base else None
    if problem:
        return f"--app-base / HUBSPOT_TUI_APP_BASE {clean_url(args.app_base)} {problem}"
    return None


def _make_service(
    args: argparse.Namespace, config_dir: Path, demo: DemoEnvironment | None
) -> InstallService:
    from tui.core.service import InstallService
    from tui.core.store import ProfileStore

    if demo is not None:
        return InstallService(
            ProfileStore(demo.config_dir),
            args.profile,
            api_base=demo.base_url,
            app_base=demo.base_url,
            redirect_hook=demo.allow_redirect,
            http_timeout=args.http_timeout,
        )
    store = ProfileStore(config_dir)
    store.check_safe()  # an unsafe store is refused before anything reads or writes it
    return InstallService(
        store,
        args.profile,
        api_base=args.api_base,
        app_base=args.app_base,
        http_timeout=args.http_timeout,
    )


async def _with_service(
    args: argparse.Namespace, config_dir: Path, demo: DemoEnvironment | None, handler: Handler
) -> int:
    from tui.core.store import StoreError

    try:
        service = _make_service(args, config_dir, demo)
    except StoreError as exc:
        print(f"hubspot-tui: {exc}", file=sys.stderr)
        return exit_code(exc)
    try:
        await service.load()
        for warning in service.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return await handler(service, args)
    except HubSpotError as exc:  # a StoreError is one too
        print_error(exc)
        return exit_code(exc)
    finally:
        await service.aclose()


def run_read_only(args: argparse.Namespace, config_dir: Path, show: ReadOnlyHandler) -> int:
    """Run a read-only command synchronously on the stored profile: no event loop, no HTTP
    client, so nothing of asyncio, ssl or httpx is imported (see `tui.core.stored`)."""
    from tui.core.store import ProfileStore, StoreError
    from tui.core.stored import StoredInstall

    try:
        store = ProfileStore(config_dir)
    except StoreError as exc:
        print(f"hubspot-tui: {exc}", file=sys.stderr)
        return EXIT_FAIL
    try:
        view = StoredInstall.load(store, args.profile)
    except HubSpotError as exc:
        print_error(exc)
        return exit_code(exc)
    for warning in view.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return show(view, args)


def cmd_paths(config_dir: Path, profile: str, *, demo: bool = False) -> int:
    """`paths`: where everything lives (no file is created); with --demo, the demo's own files."""
    from tui.core.paths import demo_dir, store_paths

    if demo:
        paths = store_paths(demo_dir(config_dir))
        print("demo:         the embedded sandbox's store (never your real profiles)")
        print(f"config dir:   {paths.dir}")
        print(f"config:       {paths.config}")
        print(f"credentials:  {paths.credentials}  (0600; the demo app's secret and tokens)")
        print(f"sandbox:      {paths.dir / 'sandbox-state.json'}  (the demo HubSpot's tokens)")
        return EXIT_OK
    paths = store_paths(config_dir)
    print(f"profile:      {profile}")
    print(f"config dir:   {paths.dir}")
    print(f"config:       {paths.config}")
    print(f"credentials:  {paths.credentials}  (0600; client secret and tokens)")
    print(f"demo store:   {demo_dir(config_dir)}")
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    """`sandbox`: serve the fake HubSpot until Ctrl-C (see `tui.cli.lifecycle.serve_sandbox`)."""
    from tui.cli.lifecycle import serve_sandbox

    return serve_sandbox(args.port, args.token_lifetime, args.redirect_uri)


def run_dashboard(args: argparse.Namespace, config_dir: Path) -> int:
    """Start the Textual dashboard (see `tui.cli.lifecycle.run_dashboard`)."""
    from tui.cli.lifecycle import run_dashboard as run

    return run(
        config_dir, demo=args.demo, make_service=lambda d: _make_service(args, config_dir, d)
    )
