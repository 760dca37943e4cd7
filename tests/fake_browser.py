#!/usr/bin/env python3
"""A stand-in for `$BROWSER` in CLI tests: "opens" a sandbox authorize URL and picks an account.

Usage: fake_browser.py URL

Environment:
    FAKE_BROWSER_PICK: the account to pick, as a hub id or a role word: `main` (first NA standard
        account), `developer`, `test`, `eu`, `sandbox`, or `deny` (click "Cancel" on the first
        offered account). Unset: the only offered account of a pinned URL, else `main`.
    FAKE_BROWSER_LOG: when set, the redirect URL is appended to this file, one per line.
    FAKE_BROWSER_DELIVER: `0` skips the GET of the redirect (the app is in paste mode); the URL
        is still logged.
    FAKE_BROWSER_LOCALHOST: the address `localhost` stands for on the browser's machine, e.g.
        `127.0.0.2`, the local end of an `ssh -L` tunnel when the app's listener (on the "remote"
        host, here the same machine) already holds the port on 127.0.0.1. The redirect is sent
        there with `Host: localhost:PORT`, as a browser would.
    FAKE_BROWSER_PYTHON: an interpreter with httpx and `tui` installed, used when the `python3`
        this script started under lacks them.

Exit status: 0 when the choice was made (and the redirect delivered to the app's listener);
1 when the sandbox showed an error page or the pick is not offered; 2 on bad usage.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_ROLE_TYPES = {"developer": "APP_DEVELOPER", "test": "DEVELOPER_TEST", "sandbox": "SANDBOX"}


def _ancestor_pythons(levels: int = 3) -> list[str]:
    """Interpreters our ancestors run (Linux /proc): the CLI under test has everything installed.

    argv[0] is used, not /proc/PID/exe: exe resolves a venv's symlink to the base interpreter,
    which does not see the venv's packages.
    """
    found: list[str] = []
    pid = os.getppid()
    for _ in range(levels):
        try:
            argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (OSError, UnicodeDecodeError):
            break
        if os.path.isabs(argv0) and Path(argv0).name.startswith("python"):
            found.append(argv0)
        # Field 4 of /proc/PID/stat is the parent pid; the command name before it is in parens.
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid <= 1:
            break
    return found


def _reexec_with_capable_python() -> None:
    """Re-run under an interpreter that has httpx and `tui` (the shebang may find a bare one)."""
    candidates = [os.environ.get("FAKE_BROWSER_PYTHON", "")]
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        candidates.append(str(Path(venv) / "bin" / "python"))
    candidates += _ancestor_pythons()
    if os.environ.get("FAKE_BROWSER_REEXEC"):
        return  # already re-executed once: never bounce between interpreters
    env = {**os.environ, "FAKE_BROWSER_REEXEC": "1"}
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and candidate != sys.executable:
            argv = [candidate, str(Path(__file__).resolve()), *sys.argv[1:]]
            os.execve(candidate, argv, env)


try:
    import httpx
except ImportError:
    _reexec_with_capable_python()
    sys.stderr.write("fake_browser: httpx is not installed; set FAKE_BROWSER_PYTHON\n")
    sys.exit(2)

if __name__ == "__main__":
    # Run as a script from a checkout that is not installed: make `tui` importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.sandbox.browser import (  # noqa: E402 (needs the path set up above)
    AuthorizeChoices,
    ChoiceAccount,
    SandboxPageError,
    choose,
    fetch_choices,
)


def pick_account(choices: AuthorizeChoices, pick: str) -> ChoiceAccount | None:
    """The offered account `pick` names (hub id or role word), or None."""
    accounts = choices.accounts
    if not pick:
        if len(accounts) == 1:
            return accounts[0]
        pick = "main"
    if pick.isdigit():
        return choices.account(int(pick))
    if pick == "deny":
        return accounts[0] if accounts else None
    if pick == "main":
        standard = [a for a in accounts if a.account_type == "STANDARD"]
        return next(
            (a for a in standard if a.region.startswith("na")), standard[0] if standard else None
        )
    if pick == "eu":
        return next((a for a in accounts if a.region.startswith("eu")), None)
    wanted = _ROLE_TYPES.get(pick)
    return next((a for a in accounts if a.account_type == wanted), None) if wanted else None


async def deliver_via(client: httpx.AsyncClient, location: str, localhost: str) -> None:
    """GET a `http://localhost:PORT/...` redirect from `localhost` (an address) instead."""
    parts = urlsplit(location)
    if parts.hostname != "localhost":
        raise SandboxPageError(f"the redirect does not go to localhost: {parts.netloc}")
    target = urlunsplit(parts._replace(netloc=f"{localhost}:{parts.port or 80}"))
    try:
        await client.get(target, headers={"Host": parts.netloc}, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise SandboxPageError(
            f"could not deliver the redirect via {localhost}: {type(exc).__name__}"
        ) from exc


async def run(
    url: str, pick: str, log_file: str, *, deliver: bool = True, localhost: str = ""
) -> int:
    """Open `url`, pick, deliver; returns the exit status."""
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
        try:
            choices = await fetch_choices(client, url)
            account = pick_account(choices, pick)
            if account is None:
                offered = ", ".join(f"{a.hub_id} {a.name}" for a in choices.accounts)
                sys.stderr.write(
                    f"fake_browser: no account matches {pick!r} (offered: {offered})\n"
                )
                return 1
            delivered = await choose(
                client,
                url,
                account.hub_id,
                approve=pick != "deny",
                deliver=deliver and not localhost,
            )
            if delivered and deliver and localhost:
                await deliver_via(client, delivered, localhost)
        except SandboxPageError as exc:
            sys.stderr.write(f"fake_browser: error page: {exc.message}\n")
            return 1
        except httpx.HTTPError as exc:
            sys.stderr.write(f"fake_browser: cannot reach the sandbox: {type(exc).__name__}\n")
            return 1
    if not delivered:
        sys.stderr.write(f"fake_browser: denied on {account.name}; nothing sent to the app\n")
        return 0
    if log_file:
        with open(log_file, "a", encoding="utf-8") as handle:
            handle.write(delivered + "\n")
    return 0


def main(argv: list[str]) -> int:
    """Entry point: `fake_browser.py URL`."""
    if len(argv) != 2 or not argv[1].startswith(("http://", "https://")):
        sys.stderr.write("usage: fake_browser.py URL\n")
        return 2
    pick = os.environ.get("FAKE_BROWSER_PICK", "").strip().lower()
    deliver = os.environ.get("FAKE_BROWSER_DELIVER", "1").strip() != "0"
    log_file = os.environ.get("FAKE_BROWSER_LOG", "")
    localhost = os.environ.get("FAKE_BROWSER_LOCALHOST", "").strip()
    return asyncio.run(run(argv[1], pick, log_file, deliver=deliver, localhost=localhost))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
