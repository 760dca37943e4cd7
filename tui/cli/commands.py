"""One function per `hubspot-tui` command that needs the install service.

Each takes the loaded `InstallService` and the parsed arguments and returns the exit code; results
go to stdout, progress and errors to stderr (see `tui.cli.main` for the dispatch). The read-only
commands (`status` without `--check`, `accounts`) also run without a service, synchronously, on a
`StoredInstall` (`READ_ONLY`): they must not import asyncio, ssl or httpx, and neither may this
module at import time.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from tui.cli.output import (
    print_error,
    render_accounts,
    render_status,
    render_step,
    status_json,
)
from tui.hubspot.errors import HubSpotError, InputError

if TYPE_CHECKING:
    from tui.core.profile import Profile
    from tui.core.service import InstallService, LoginAttempt
    from tui.core.stored import InstallView
    from tui.hubspot.models import AccountReport, InstallStatus

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2

Handler = Callable[["InstallService", argparse.Namespace], Awaitable[int]]
ReadOnlyHandler = Callable[["InstallView", argparse.Namespace], int]


async def cmd_configure(service: InstallService, args: argparse.Namespace) -> int:
    """`configure`: validate every value, then store them all or nothing (secret from stdin only).

    The rules are `tui.core.settings_rules.apply_settings`, the same the Credentials screen uses:
    any refused value (bad install URL, unknown scope, port out of range…) exits 2, nothing saved.
    """
    from tui.core.settings_rules import SettingsInput, apply_settings

    secret: str | None = None
    if args.client_secret_stdin:
        from tui.cli.secret_input import read_secret_line

        secret = read_secret_line("Client secret (not shown): ")
    given = SettingsInput(
        install_url=args.install_url,
        client_id=args.client_id,
        client_secret=secret,
        callback_port=args.callback_port,
        redirect_uri=args.redirect_uri,
        partner_id=args.partner_id,
        region=args.region,
        scopes=args.scopes,
        optional_scopes=args.optional_scopes,
        token_version=args.token_version,
    )
    outcome = apply_settings(service.profile.app, given)
    if not outcome.ok:
        refused = "; ".join(r.text for r in outcome.refusals)
        action = (
            "Copy the Sample install URL from the app's Auth tab in HubSpot"
            if any(r.field == "install_url" or r.source == "install URL" for r in outcome.refusals)
            else "See `hubspot-tui configure --help`"
        )
        raise InputError(f"Nothing saved — {refused}", action, code="USAGE")
    app = outcome.app
    await service.save_app(app, outcome.client_secret)
    out = sys.stdout
    print(f"Saved profile '{service.profile_name}'.", file=out)
    if outcome.changes:
        print(f"Changed: {outcome.summary()}", file=out)
    print(f"Redirect URL to register on the app: {app.effective_redirect_uri}", file=out)
    if app.partner_redirect_uri:
        print(f"Platform redirect URL: {app.partner_redirect_uri}", file=out)
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    if outcome.hub_pin is not None:
        print(
            f"note: the install URL pins account {outcome.hub_pin}: "
            f"`hubspot-tui login --account {outcome.hub_pin}`",
            file=sys.stderr,
        )
    from tui.core.scope_rules import check_scopes

    for warning in check_scopes(app.scopes, app.optional_scopes).findings:
        print(f"scopes {warning.level}: {warning.message}", file=sys.stderr)
    return EXIT_OK


async def cmd_login(service: InstallService, args: argparse.Namespace) -> int:
    """`login`: print the URL, wait on the listener or a paste, exchange, probe, store."""
    import asyncio

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
        from tui.core.loopback import ssh_tunnel_hint

        hint = ssh_tunnel_hint(attempt.redirect_uri)
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
        report = await service.finish_login(
            attempt, on_step=lambda e: print(render_step(e), file=err)
        )
    finally:
        for task in tasks:
            task.cancel()
    status = service.status()
    print(render_status(status, service.profile, service.token_expires_at, now=_now()))
    reasons = not_ready_reasons(report, status)
    for reason in reasons:
        print(f"not ready: {reason}", file=err)
    return EXIT_FAIL if reasons else EXIT_OK


def not_ready_reasons(report: AccountReport, status: InstallStatus) -> list[str]:
    """Why a login did not end where the connector can use it: the account it landed on is a
    developer/test/sandbox account, or a check fails. Empty when the login is READY-worthy."""
    from tui.core.login import verdict
    from tui.hubspot.models import AccountRole, CheckState

    reasons: list[str] = []
    if report.role in (AccountRole.DEVELOPER, AccountRole.TEST, AccountRole.SANDBOX):
        reasons.append(verdict(report))
    reasons += [f"{c.title}: {c.detail}" for c in status.checks if c.state is CheckState.FAIL]
    return reasons


async def _open_browser(url: str) -> None:
    import asyncio
    import webbrowser

    # webbrowser blocks until a $BROWSER command exits: keep it off the loop.
    opened = await asyncio.to_thread(webbrowser.open, url)
    if not opened:
        print("Could not open a browser here; open the URL above yourself.", file=sys.stderr)


async def _read_pastes(attempt: LoginAttempt) -> None:
    import asyncio

    from tui.hubspot.errors import CallbackError

    while True:
        line = await asyncio.to_thread(sys.stdin.readline, 65536)  # bounded: a paste is <16 KiB
        if not line:
            return
        if not line.strip():
            continue
        try:
            attempt.offer_paste(line)
            return
        except (InputError, CallbackError) as exc:
            from tui.core.user_errors import error_text

            print(f"That didn't work: {error_text(exc)}", file=sys.stderr)


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
            print_error(exc)
    if failures:
        # What could not be verified just now reads "error"; the store keeps the last good.
        from tui.core.probes import unverified_view

        return show_status(
            _Checked(service, unverified_view(service.profile, failures)), args, failures
        )
    return show_status(service, args, failures)


class _Checked:
    """The install as `status --check` saw it: the service's, with unverified probes shown."""

    def __init__(self, service: InstallService, profile: Profile) -> None:
        self._service = service
        self._profile = profile

    @property
    def profile(self) -> Profile:
        return self._profile

    def status(self) -> InstallStatus:
        return self._service.status(self._profile)

    def token_expires_at(self, hub_id: int) -> float | None:
        return self._service.token_expires_at(hub_id)


def show_status(
    view: InstallView, args: argparse.Namespace, failures: Mapping[int, HubSpotError] = {}
) -> int:
    """`status` without --check: the checklist from stored state (`failures`: re-checks that
    failed just before, which make the exit status 1)."""
    status = view.status()
    if args.json:
        import json

        data = status_json(status, view.profile, view.token_expires_at, now=_now())
        print(json.dumps(data, indent=2))
    else:
        print(render_status(status, view.profile, view.token_expires_at, now=_now()))
    return EXIT_OK if status.ready and not failures else EXIT_FAIL


async def cmd_accounts(service: InstallService, args: argparse.Namespace) -> int:
    """`accounts`: every authorized account of the profile."""
    return show_accounts(service, args)


def show_accounts(view: InstallView, args: argparse.Namespace) -> int:
    """`accounts`, from stored state."""
    if args.json:
        import json

        data = status_json(view.status(), view.profile, view.token_expires_at, _now())
        print(json.dumps(data["accounts"], indent=2))
    else:
        print(render_accounts(view.profile, view.token_expires_at, now=_now()))
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
    _require_stored(service, hub_id)
    tokens = await service.refresh(hub_id, force=True)
    minutes = int(tokens.expires_in(_now()) // 60)
    print(f"Refreshed {hub_id}: access token valid for {minutes} min")
    return EXIT_OK


def _require_stored(service: InstallService, hub_id: int) -> None:
    """An argument naming an account this profile does not hold is an input error (exit 2)."""
    if hub_id not in service.profile.accounts and service.token_expires_at(hub_id) is None:
        raise InputError(
            f"Account {hub_id} is not in profile '{service.profile_name}'",
            "Run `hubspot-tui accounts` to list the authorized accounts",
            code="UNKNOWN_ACCOUNT",
        )


async def _confirmed(question: str) -> bool:
    """Ask on the terminal; True only for an explicit yes."""
    import asyncio

    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = await asyncio.to_thread(sys.stdin.readline)
    return answer.strip().lower() in ("y", "yes")


async def cmd_remove(service: InstallService, args: argparse.Namespace) -> int:
    """`remove HUB_ID`: revoke at HubSpot and forget locally, once confirmed.

    On a terminal it asks first; without one (a script, a pipe) it refuses unless `--yes`
    (exit 2, nothing revoked), so a typo in a script never revokes the wrong account.
    """
    _require_stored(service, args.hub_id)
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError(
                f"Not removed: revoking {args.hub_id} needs a confirmation",
                f"Add --yes to remove it without asking: `hubspot-tui remove {args.hub_id} --yes`",
                code="USAGE",
            )
        account = service.profile.accounts.get(args.hub_id)
        name = f"{args.hub_id} ({account.hub_domain})" if account and account.hub_domain else ""
        question = f"Revoke the tokens of {name or args.hub_id} at HubSpot and forget it?"
        if not await _confirmed(question):
            print("Not removed.", file=sys.stderr)
            return EXIT_FAIL
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

READ_ONLY: dict[str, ReadOnlyHandler] = {"status": show_status, "accounts": show_accounts}
"""Commands that only read the store: run synchronously unless they need the network."""


def needs_network(args: argparse.Namespace) -> bool:
    """True when a read-only command was asked to talk to HubSpot (`status --check`)."""
    return bool(getattr(args, "check", False))


def _now() -> float:
    return time.time()
