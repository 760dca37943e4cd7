"""Encoding and decoding of the profile store's two TOML files (no I/O, no locking).

`ProfileStore` (`tui.core.store`) owns the files, the lock and the atomic writes; this module turns
their bytes into `Profile`/`ProfileSecrets` objects and back. Decoding is driven by the
dataclasses' type hints: a value of the wrong type is recorded as an *issue* (naming the key and
the expected type, never the value, which may be a secret) and the field keeps its default, so
a hand-mangled file never crashes the app. Encoding writes keys in dataclass field order, one
table per account, probes as inline tables, so diffs stay small and the layout readable.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import tomllib
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.reasons import legacy_error_code
from tui.hubspot.models import AccountReport, TokenSet

FORMAT_VERSION = 1
"""The `version` key at the top of both files."""

_HUB_KEY = re.compile(r"[0-9]{1,19}")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")


# ---- parsing a file's bytes --------------------------------------------------------------------


@dataclass
class ParsedFile:
    """One file as read: its parsed document and bytes, or why it can't be used."""

    doc: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""
    problem: str = ""
    line: int | None = None

    @property
    def version(self) -> int:
        """The file's format version (a file without one counts as the current version)."""
        return int(self.doc.get("version", FORMAT_VERSION))


def parse_file(raw: bytes) -> ParsedFile:
    """Parse a store file's bytes; never raises: a problem (with its line) is recorded instead."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # tolerate an editor's BOM
    except UnicodeDecodeError as exc:
        return ParsedFile(
            raw=raw, problem="not UTF-8 text", line=raw.count(b"\n", 0, exc.start) + 1
        )
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line = int(found.group(1)) if found and found.group(1) else text.count("\n") + 1
        reason = _TOML_POSITION.sub("", str(exc)) or "syntax error"
        return ParsedFile(raw=raw, problem=f"not valid TOML ({reason})", line=line)
    if "version" in doc and type(doc["version"]) is not int:
        return ParsedFile(raw=raw, problem="`version` is not an integer")
    if not isinstance(doc.get("profiles", {}), dict):
        return ParsedFile(raw=raw, problem="`profiles` is not a table")
    return ParsedFile(doc=doc, raw=raw)


# ---- decoding: driven by the dataclasses' type hints; a wrong type is an issue, not a crash ----


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_finite(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# type hint -> (what the TOML value must be, the check, the conversion)
_SCALARS: dict[Any, tuple[str, Callable[[Any], bool], Callable[[Any], Any]]] = {
    str: ("a string", lambda v: isinstance(v, str), str),
    bool: ("true or false", lambda v: isinstance(v, bool), bool),
    int: ("an integer", lambda v: type(v) is int, int),
    int | None: ("an integer", lambda v: type(v) is int, int),
    float: ("a finite number", _is_finite, float),
    tuple[str, ...]: ("a list of strings", _is_strings, tuple),
}


def _decode_value(hint: Any, value: Any, where: str, issues: list[str]) -> Any:
    """Convert one TOML value to `hint`'s type, or record why not and return None."""
    convert: Callable[[Any], Any]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        expected, ok, convert = "a string", _SCALARS[str][1], hint
    elif dataclasses.is_dataclass(hint):
        expected, ok = "a table", (lambda v: isinstance(v, dict))
        convert = lambda v: _decode_fields(hint, v, where, issues)  # noqa: E731
    else:
        expected, ok, convert = _SCALARS[hint]
    if not ok(value):
        # Name the key and the expected type, never the value: it may be a secret.
        issues.append(f"{where} is not {expected}")
        return None
    try:
        return convert(value)
    except ValueError:  # an unknown enum value (newer version, hand edit): use the default
        issues.append(f"{where} has an unknown value")
        return None


def _decode_fields(
    cls: Any, data: Mapping[str, Any], where: str, issues: list[str], **fixed: Any
) -> Any:
    """Build `cls` from a table: missing or unusable keys keep the dataclass defaults."""
    hints, values = _hints(cls), dict(fixed)
    for f in dataclasses.fields(cls):
        if f.name in fixed:
            continue
        if f.name in data:
            decoded = _decode_value(hints[f.name], data[f.name], f"{where}.{f.name}", issues)
            if decoded is not None:
                values[f.name] = decoded
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and f.name not in values:  # TokenSet's fields: a neutral value
            values[f.name] = hints[f.name]()
    return cls(**values)


def _hub_tables(data: Any, where: str, issues: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The `"HUB" = {…}` entries of a table, skipping (and reporting) malformed ones."""
    if not isinstance(data, dict):
        issues.append(f"{where} is not a table")
        return
    for key, value in data.items():
        if _HUB_KEY.fullmatch(key) and isinstance(value, dict):
            yield int(key), value
        else:  # the key isn't echoed: in credentials.toml it could be anything
            issues.append(f"{where} has an entry that is not a Hub ID table")


def decode_profile(name: str, data: Mapping[str, Any], issues: list[str]) -> Profile:
    """The profile `name` from its `[profiles.NAME]` table of `config.toml`."""
    where = f"profiles.{name}"
    profile = Profile(name=name)
    if "active_hub_id" in data:
        profile.active_hub_id = _decode_value(
            int | None, data["active_hub_id"], f"{where}.active_hub_id", issues
        )
    if "app" in data:
        app = _decode_value(AppConfig, data["app"], f"{where}.app", issues)
        profile.app = app if app is not None else AppConfig()
    for hub_id, table in _hub_tables(data.get("accounts", {}), f"{where}.accounts", issues):
        at = f'{where}.accounts."{hub_id}"'
        account = _decode_fields(AccountReport, table, at, issues, hub_id=hub_id)
        if account.check_error and not account.check_error_code:
            # Written before errors carried a code: classify the text once, on read.
            account = dataclasses.replace(
                account, check_error_code=legacy_error_code(account.check_error)
            )
        profile.accounts[hub_id] = account
    return profile


def decode_secrets(name: str, data: Mapping[str, Any], issues: list[str]) -> ProfileSecrets:
    """The secrets of profile `name` from its table of `credentials.toml`."""
    where = f"profiles.{name}"
    secret = _decode_value(str, data.get("client_secret", ""), f"{where}.client_secret", issues)
    origin = _decode_value(str, data.get("secret_origin", ""), f"{where}.secret_origin", issues)
    secrets = ProfileSecrets(client_secret=secret or "", secret_origin=origin or "")
    for hub_id, table in _hub_tables(data.get("tokens", {}), f"{where}.tokens", issues):
        at = f'{where}.tokens."{hub_id}"'
        tokens: TokenSet = _decode_fields(TokenSet, table, at, issues)
        if tokens.access_token or tokens.refresh_token:
            secrets.tokens[hub_id] = tokens
        else:
            issues.append(f"{at} holds no token")
    return secrets


def profile_tables(read: ParsedFile, issues: list[str]) -> dict[str, dict[str, Any]]:
    """The `[profiles.NAME]` tables of a parsed file (the top level was validated on read)."""
    tables: dict[str, dict[str, Any]] = {}
    for name, value in read.doc.get("profiles", {}).items():
        if isinstance(value, dict):
            tables[name] = value
        else:
            issues.append(f"profiles.{name} is not a table")
    return tables


# ---- encoding: dataclass field order, one table per account, probes as inline tables ----------


@lru_cache(maxsize=256)
def _key(name: str) -> str:
    """A TOML key, quoted only when it must be (tomli_w knows the rules)."""
    import tomli_w  # only writes need it: `hubspot-tui status` never pays for the import

    return tomli_w.dumps({name: 0})[: -len(" = 0\n")]


def _inline(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + "}"
    import tomli_w

    return tomli_w.dumps({"v": value})[len("v = ") : -1]


def _plain(obj: Any, skip: str = "") -> dict[str, object]:
    """A dataclass as TOML values: enums as their values, tuples as lists, None left out."""
    hints, out = _hints(obj.__class__), {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name == skip or value is None:
            continue
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        elif dataclasses.is_dataclass(value):
            value = _plain(value)
        elif hints[f.name] is float:
            value = float(value)  # an int in a float field would flip the file's type
        out[f.name] = value
    return out


def _table(header: str, values: Mapping[str, object]) -> str:
    """`[header]`, then plain values (tomli_w wraps long lists), then sub-tables inline."""
    import tomli_w

    plain = {k: v for k, v in values.items() if not isinstance(v, dict)}
    text = f"[{header}]\n" + tomli_w.dumps(plain)
    return text + "".join(
        f"{_key(k)} = {_inline(v)}\n" for k, v in values.items() if isinstance(v, dict)
    )


def ordered_names(names: Iterable[str]) -> list[str]:
    """Profile names sorted, `default` first: a stable order keeps diffs small."""
    return sorted(names, key=lambda n: (n != "default", n))


def encode_config(profiles: Mapping[str, Profile]) -> bytes:
    """The whole `config.toml` (no secrets) for `profiles`."""
    chunks = [f"version = {FORMAT_VERSION}\n"]
    for name in ordered_names(profiles):
        profile, base = profiles[name], f"profiles.{_key(name)}"
        top = {} if profile.active_hub_id is None else {"active_hub_id": profile.active_hub_id}
        chunks += [_table(base, top), _table(f"{base}.app", _plain(profile.app))]
        for hub_id in sorted(profile.accounts):
            values = _plain(profile.accounts[hub_id], skip="hub_id")  # the key is the hub id
            chunks.append(_table(f'{base}.accounts."{hub_id}"', values))
    return _to_bytes(chunks)


def encode_secrets(secrets: Mapping[str, ProfileSecrets]) -> bytes:
    """The whole `credentials.toml` for `secrets` (profiles with nothing secret are left out)."""
    chunks = [f"version = {FORMAT_VERSION}\n"]
    for name in ordered_names(secrets):
        entry, base = secrets[name], f"profiles.{_key(name)}"
        if entry.client_secret or entry.tokens:
            top = {"client_secret": entry.client_secret}
            if entry.secret_origin:
                top["secret_origin"] = entry.secret_origin
            chunks.append(_table(base, top))
            chunks += [
                _table(f'{base}.tokens."{hub_id}"', _plain(entry.tokens[hub_id]))
                for hub_id in sorted(entry.tokens)
            ]
    return _to_bytes(chunks)


def _to_bytes(chunks: list[str]) -> bytes:
    # "replace" turns a lone surrogate (possible from JSON) into "?" instead of failing the save.
    return "\n".join(chunks).encode("utf-8", "replace")


def summarize_issues(issues: list[str]) -> str:
    """The first three decoding issues, and how many more there were."""
    return "; ".join(issues[:3]) + (f"; and {len(issues) - 3} more" if len(issues) > 3 else "")
