"""`hubspot-tui token` and `hubspot-tui api`: the authorized account, usable from scripts.

`token` is the one command that prints a secret on purpose (like `gh auth token`); `api` sends an
authenticated request to the profile's API base and prints HubSpot's answer (like `gh api`).
Usage problems exit 2 before anything is sent; HubSpot and network failures exit 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

from tui.cli.output import print_error
from tui.hubspot.errors import InputError, ReauthorizeRequired

if TYPE_CHECKING:
    from tui.cli.commands import Handler
    from tui.core.api_requests import TokenSource
    from tui.core.service import InstallService
    from tui.hubspot.api_call import ApiResponse

EXIT_OK, EXIT_FAIL = 0, 1
"""As everywhere (`tui.cli.commands`); not imported from there, which loads asyncio: the
parser adds these commands' options for every run, `status` included."""

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
INPUT_MAX = 16 << 20
"""Largest request body `--input` sends (16 MiB; HubSpot's batch limits are far below)."""

_TERMINAL_UNSAFE_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""Characters a terminal may act on (escape sequences, C1 controls): escaped on a terminal."""

TOKEN_HELP = (
    "print the active (or --hub) account's access token, refreshed first when it is about to "
    'expire. This prints a SECRET on purpose, for scripts: `curl -H "Authorization: Bearer '
    '$(hubspot-tui token)" …`. Keep it out of logs and shell history.'
)
API_EPILOG = (
    "For GET, -f/-F become query parameters; for other methods they build a JSON body, unless "
    "--input sends a file (or stdin) as the body, and then they become query parameters. The "
    "body goes to stdout: indented on a terminal, byte-for-byte when piped. HubSpot errors go to "
    "stderr (exit 1); bad arguments exit 2 and send nothing."
)


def add_parsers(sub: Any) -> None:
    """Add `token` and `api` to the subcommand parsers `sub` (argparse's `_SubParsersAction`)."""
    p = sub.add_parser(
        "token",
        help="print the account's access token (a SECRET, on purpose, for scripts)",
        description=TOKEN_HELP,
    )
    p.add_argument("--hub", type=int, metavar="HUB_ID", help="default: the active account")
    p.add_argument(
        "--json",
        action="store_true",
        help='print {"hub_id", "access_token", "expires_in", "token_type"}',
    )

    p = sub.add_parser(
        "api",
        help="an authenticated request to the HubSpot API (like `gh api`)",
        description="Send an authenticated request to the profile's API base with the account's "
        "token (refreshed when due; refreshed once more and retried once on a 401).",
        epilog=API_EPILOG,
    )
    p.add_argument("path", metavar="PATH", help="e.g. /crm/v3/objects/products?limit=10")
    p.add_argument(
        "-X",
        "--method",
        default="GET",
        type=str.upper,
        choices=METHODS,
        metavar="METHOD",
        help=f"{', '.join(METHODS)} (default GET)",
    )
    p.add_argument(
        "-f",
        "--raw-field",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a string parameter (repeatable)",
    )
    p.add_argument(
        "-F",
        "--field",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="a JSON-typed parameter: -F limit=100 -F archived=false (repeatable)",
    )
    p.add_argument("--input", metavar="FILE", help="the request body from FILE, or - for stdin")
    p.add_argument(
        "--paginate",
        action="store_true",
        help='GET every page (paging.next.after) and print one {"results": [...]}',
    )
    p.add_argument("--hub", type=int, metavar="HUB_ID", help="default: the active account")
    p.add_argument(
        "-i", "--include", action="store_true", help="print the status line and headers first"
    )


# ------------------------------------------------------------------ token


async def cmd_token(service: InstallService, args: argparse.Namespace) -> int:
    """`token`: the access token on stdout (refreshed first when due)."""
    from tui.core.tokens import fresh_tokens, resolve_hub

    hub_id = resolve_hub(service, args.hub)
    tokens = await _reauthorize_hint(fresh_tokens(service, hub_id), hub_id)
    if args.json:
        data = {
            "hub_id": hub_id,
            "access_token": tokens.access_token,
            "expires_in": max(0, int(tokens.expires_in(service.now()))),
            "token_type": "bearer",
        }
        print(json.dumps(data, indent=2))
    else:
        print(tokens.access_token)
    return EXIT_OK


async def _reauthorize_hint(work: Any, hub_id: int) -> Any:
    """Await `work`; a dead refresh token's error names the command that re-authorizes."""
    try:
        return await work
    except ReauthorizeRequired as exc:
        exc.action = f"Re-authorize the account: `hubspot-tui login --account {hub_id}`"
        raise


# -------------------------------------------------------------------- api


async def cmd_api(service: InstallService, args: argparse.Namespace) -> int:
    """`api PATH`: one authenticated request (or every page), HubSpot's answer on stdout."""
    from tui.core.api_requests import authenticated_call, paginate
    from tui.core.tokens import fresh_tokens, resolve_hub

    path = api_path(args.path, service.api_base)
    fields = _fields(args.raw_field, args.field)
    if args.paginate and args.method != "GET":
        raise _usage("--paginate follows pages of a GET; drop -X or --paginate")
    if args.paginate and args.include:
        raise _usage("-i shows one answer's headers, --paginate merges many: use one of them")
    body: bytes | None = None
    params: list[tuple[str, str]] = []
    if args.input is not None:
        if args.method == "GET":
            raise _usage("--input sends a body: use it with -X POST, PUT, PATCH or DELETE")
        body = _read_input(args.input)
        params = _query(fields)
    elif args.method == "GET":
        params = _query(fields)
    elif fields:
        body = json.dumps(dict(fields)).encode()

    hub_id = resolve_hub(service, args.hub)

    def tokens(force: bool) -> Any:
        return _reauthorize_hint(fresh_tokens(service, hub_id, force=force), hub_id)

    source: TokenSource = tokens
    client = service.hubspot()
    if args.paginate:
        pages = await paginate(client, source, path, params=params)
        if pages.failed is not None:
            return _show(pages.failed, include=False)
        _write_document({"results": pages.results})
        return EXIT_OK
    answer = await authenticated_call(client, source, args.method, path, params=params, body=body)
    return _show(answer, include=args.include)


def api_path(text: str, api_base: str) -> str:
    """PATH as a path on the API base (a leading `/` added), or a usage error for anything else.

    A URL is refused even when it names the API base itself: the token goes to the profile's
    API base and nowhere else, and a path makes that visible.
    """
    if "://" in text or text.startswith("//"):
        raise _usage(
            f"PATH must be a path such as /crm/v3/objects/products, not a URL: the token is "
            f"only ever sent to the profile's API base ({api_base})"
        )
    from tui.hubspot.api_call import is_api_path

    path = text if text.startswith("/") else f"/{text}"
    if not is_api_path(path):
        raise _usage(
            "PATH must be a plain path: no spaces, backslashes, fragments or control characters"
        )
    return path


def _fields(raw: list[str], typed: list[str]) -> list[tuple[str, Any]]:
    """-f (strings) and -F (JSON values) as (key, value) pairs, in the order given."""
    out: list[tuple[str, Any]] = []
    for option, items in (("-f", raw), ("-F", typed)):
        for item in items:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise _usage(f"{option} {item!r}: expected key=value")
            if option == "-f":
                out.append((key, value))
                continue
            try:
                out.append((key, json.loads(value)))
            except (ValueError, RecursionError):
                raise _usage(
                    f"-F {key}: {value[:40]!r} is not JSON (quote strings, or use -f)"
                ) from None
    return out


def _query(fields: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Fields as query parameters: scalars as text, a list as one parameter per item."""
    params: list[tuple[str, str]] = []
    for key, value in fields:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list):
                raise _usage(f"{key}: an object or nested list can't be a query parameter")
            params.append((key, item if isinstance(item, str) else json.dumps(item)))
    return params


def _read_input(name: str) -> bytes:
    """The body from a file or stdin, at most INPUT_MAX bytes."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(INPUT_MAX + 1)
        else:
            with open(name, "rb") as source:
                data = source.read(INPUT_MAX + 1)
    except OSError as exc:
        raise _usage(f"--input {name}: {exc.strerror or exc}") from None
    if len(data) > INPUT_MAX:
        raise _usage(f"--input {name}: larger than {INPUT_MAX >> 20} MiB")
    return data


def _show(answer: ApiResponse, *, include: bool) -> int:
    """Print the answer (status and headers with -i, then the body); errors to stderr."""
    out = sys.stdout
    terminal = out.isatty()
    if include:
        lines = [f"{answer.http_version} {answer.status} {answer.reason}"]
        lines += [f"{name}: {value}" for name, value in answer.headers]
        text = "\n".join(lines) + "\n\n"
        out.write(terminal_safe(text) if terminal else text)
    if terminal:
        pretty = _pretty(answer.body)
        if pretty:
            out.write(pretty if pretty.endswith("\n") else pretty + "\n")
        out.flush()
    else:
        out.flush()
        out.buffer.write(answer.body)
        out.buffer.flush()
    if answer.error is not None:
        print_error(answer.error)
        return EXIT_FAIL
    return EXIT_OK


def _pretty(body: bytes) -> str:
    """A body for a terminal: JSON indented, anything else as text; never raw control codes."""
    try:
        return terminal_safe(json.dumps(json.loads(body), indent=2, ensure_ascii=False))
    except (ValueError, RecursionError):
        return terminal_safe(body.decode("utf-8", "replace"))


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal could act on written as a `\\uXXXX` escape."""
    return _TERMINAL_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _write_document(data: object) -> None:
    """One JSON document on stdout: indented on a terminal, compact when piped."""
    out = sys.stdout
    if out.isatty():
        out.write(terminal_safe(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")
    else:
        out.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    out.flush()


def _usage(message: str) -> InputError:
    return InputError(message, "See `hubspot-tui api --help`", code="USAGE")


COMMANDS: dict[str, Handler] = {"token": cmd_token, "api": cmd_api}
