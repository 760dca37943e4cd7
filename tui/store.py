"""The profile store: `config.toml` (no secrets) and `credentials.toml` (0600) in a 0700 directory.

Every write is atomic (temp file in the same directory, fsync, `os.replace`, fsync the directory),
so a process killed at any instant leaves the old file or the new one, never a mix. Writers take an
exclusive `flock` on `.lock` and re-read both files under it, so concurrent processes never lose
each other's changes; readers need no lock. A corrupt file is renamed aside, never overwritten, and
the app carries on with an empty one. Imports nothing from Textual or httpx: `hubspot-tui status`
reads through here and must start fast.

Layout (keys in dataclass field order; `None` is an absent key since TOML has no null)::

    version = 1
    [profiles.default]
    active_hub_id = 44120003
    [profiles.default.app]
    client_id = "…"  # … every AppConfig field
    [profiles.default.accounts."44120003"]
    hub_domain = "acme.com"  # … every AccountReport field but hub_id (the key)
    products = {access = "ok", count = 1, has_more = true, required_scopes = [], message = ""}

and in `credentials.toml`: `client_secret` under `[profiles.NAME]`, and one
`[profiles.NAME.tokens."HUB"]` table per TokenSet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import fcntl
import math
import os
import re
import stat
import time
import tomllib
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from tui.hubspot.errors import HubSpotError
from tui.hubspot.models import AccountReport, TokenSet
from tui.paths import StorePaths, store_paths
from tui.profile import AppConfig, Profile, ProfileSecrets

FORMAT_VERSION = 1
"""The `version` key at the top of both files."""

STALE_TMP_SECONDS = 5.0
"""A leftover temp file older than this belongs to a killed writer and is removed."""

_HUB_KEY = re.compile(r"[0-9]{1,19}")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")
_Change = Callable[[dict[str, Profile], dict[str, ProfileSecrets]], None]


@dataclass(frozen=True)
class StoreWarning:
    """Something the store fixed or worked around that the user should hear about.

    Attributes:
        path: the file or directory concerned.
        message: what happened, for a human (without the path, line or kept_as, which `str()`
            adds); never holds file contents.
        line: the line of a TOML syntax error, when known.
        kept_as: where a corrupt file was moved (or copied) so nothing is lost.
    """

    path: Path
    message: str
    line: int | None = None
    kept_as: Path | None = None

    def __str__(self) -> str:
        line = f" line {self.line}" if self.line else ""
        kept = f" (kept as {self.kept_as})" if self.kept_as else ""
        return f"{self.path}{line}: {self.message}{kept}"


class StoreError(HubSpotError):
    """The store can't be read or written: a message and the action that fixes it.

    A HubSpotError subclass only so that every caller's one `except HubSpotError` shows it the
    same way (message + next action); it has nothing to do with HubSpot itself.

    Attributes:
        message: what went wrong (names the path, never file contents).
        action: what to do about it.
        path: the file or directory concerned, when there is one.
    """

    def __init__(self, message: str, action: str = "", *, path: Path | None = None) -> None:
        super().__init__(message, action, code="STORE")
        self.path = path


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


def _decode_profile(name: str, data: Mapping[str, Any], issues: list[str]) -> Profile:
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
        profile.accounts[hub_id] = _decode_fields(AccountReport, table, at, issues, hub_id=hub_id)
    return profile


def _decode_secrets(name: str, data: Mapping[str, Any], issues: list[str]) -> ProfileSecrets:
    where = f"profiles.{name}"
    secret = _decode_value(str, data.get("client_secret", ""), f"{where}.client_secret", issues)
    secrets = ProfileSecrets(client_secret=secret or "")
    for hub_id, table in _hub_tables(data.get("tokens", {}), f"{where}.tokens", issues):
        at = f'{where}.tokens."{hub_id}"'
        tokens: TokenSet = _decode_fields(TokenSet, table, at, issues)
        if tokens.access_token or tokens.refresh_token:
            secrets.tokens[hub_id] = tokens
        else:
            issues.append(f"{at} holds no token")
    return secrets


def _profile_tables(read: _Read, issues: list[str]) -> dict[str, dict[str, Any]]:
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


def _ordered(names: Iterable[str]) -> list[str]:
    """Profile names sorted, `default` first: a stable order keeps diffs small."""
    return sorted(names, key=lambda n: (n != "default", n))


def _encode_config(profiles: Mapping[str, Profile]) -> bytes:
    chunks = [f"version = {FORMAT_VERSION}\n"]
    for name in _ordered(profiles):
        profile, base = profiles[name], f"profiles.{_key(name)}"
        top = {} if profile.active_hub_id is None else {"active_hub_id": profile.active_hub_id}
        chunks += [_table(base, top), _table(f"{base}.app", _plain(profile.app))]
        for hub_id in sorted(profile.accounts):
            values = _plain(profile.accounts[hub_id], skip="hub_id")  # the key is the hub id
            chunks.append(_table(f'{base}.accounts."{hub_id}"', values))
    return _to_bytes(chunks)


def _encode_secrets(secrets: Mapping[str, ProfileSecrets]) -> bytes:
    chunks = [f"version = {FORMAT_VERSION}\n"]
    for name in _ordered(secrets):
        entry, base = secrets[name], f"profiles.{_key(name)}"
        if entry.client_secret or entry.tokens:
            chunks.append(_table(base, {"client_secret": entry.client_secret}))
            chunks += [
                _table(f'{base}.tokens."{hub_id}"', _plain(entry.tokens[hub_id]))
                for hub_id in sorted(entry.tokens)
            ]
    return _to_bytes(chunks)


def _to_bytes(chunks: list[str]) -> bytes:
    # "replace" turns a lone surrogate (possible from JSON) into "?" instead of failing the save.
    return "\n".join(chunks).encode("utf-8", "replace")


# ---- files -------------------------------------------------------------------------------------


@dataclass
class _Read:
    """One file as read: its parsed document and bytes, or why it can't be used."""

    doc: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""
    problem: str = ""
    line: int | None = None

    @property
    def version(self) -> int:
        return int(self.doc.get("version", FORMAT_VERSION))


def _parse(raw: bytes) -> _Read:
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # tolerate an editor's BOM
    except UnicodeDecodeError as exc:
        return _Read(raw=raw, problem="not UTF-8 text", line=raw.count(b"\n", 0, exc.start) + 1)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line = int(found.group(1)) if found and found.group(1) else text.count("\n") + 1
        reason = _TOML_POSITION.sub("", str(exc)) or "syntax error"
        return _Read(raw=raw, problem=f"not valid TOML ({reason})", line=line)
    if "version" in doc and type(doc["version"]) is not int:
        return _Read(raw=raw, problem="`version` is not an integer")
    if not isinstance(doc.get("profiles", {}), dict):
        return _Read(raw=raw, problem="`profiles` is not a table")
    return _Read(doc=doc, raw=raw)


def _read(path: Path) -> _Read:
    try:
        return _parse(path.read_bytes())
    except FileNotFoundError:
        return _Read()
    except PermissionError:
        action = f"run as the user who owns it, or fix its mode with `chmod 600 {path}`"
        raise StoreError(f"Can't read {path}: permission denied", action, path=path) from None
    except IsADirectoryError:
        raise StoreError(f"{path} is a directory, not a file", "move it away", path=path) from None
    except OSError as exc:
        raise StoreError(f"Can't read {path}: {exc.strerror}", path=path) from None


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; some filesystems refuse to open/fsync a directory.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file."""
    import tempfile  # imported here so that reading (`hubspot-tui status`) doesn't pay for it

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)  # mkstemp's 0600 may have been narrowed by the umask
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (never overwriting) 0600 with `data`."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _aside_name(path: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    candidate, n = path.with_name(f"{path.name}.corrupt-{stamp}"), 1
    while candidate.exists():  # two in one second: don't clobber the first
        n += 1
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    return candidate


def _summary(issues: list[str]) -> str:
    return "; ".join(issues[:3]) + (f"; and {len(issues) - 3} more" if len(issues) > 3 else "")


def _check_name(name: str) -> None:
    if not name or len(name) > 64 or not name.isprintable() or name != name.strip():
        raise StoreError(
            f"{name!r} is not a usable profile name",
            "use 1-64 printable characters without leading or trailing spaces",
        )


class ProfileStore:
    """Reads and writes the profiles of one config directory.

    Attributes:
        paths: the directory and file paths of this store.
        warnings: what `load`/`update` fixed or worked around (corrupt files kept aside, modes
            tightened, unusable values ignored), each once; the caller shows and clears them.
    """

    def __init__(self, config_dir: Path, *, lock_timeout: float = 30.0) -> None:
        """Use the store in `config_dir`; nothing is created until the first write.

        Args:
            config_dir: the store directory, e.g. from `tui.paths.resolve_config_dir()`.
            lock_timeout: seconds to wait for another process's write before giving up.
        """
        self.paths: StorePaths = store_paths(config_dir)
        self.warnings: list[StoreWarning] = []
        self._lock_timeout = lock_timeout

    def load(self, profile: str = "default") -> tuple[Profile, ProfileSecrets]:
        """Read one profile and its secrets; missing files or profile give an empty one.

        Never raises for a corrupt file: it is kept aside and reported in `warnings`.

        Raises:
            StoreError: a file exists but can't be read (permissions, a directory in its place).
        """
        config, credentials = self._read_both()
        issues: list[str] = []
        table = _profile_tables(config, issues).get(profile)
        loaded = _decode_profile(profile, table, issues) if table else Profile(name=profile)
        self._report(self.paths.config, issues)
        issues = []
        table = _profile_tables(credentials, issues).get(profile)
        secrets = _decode_secrets(profile, table, issues) if table else ProfileSecrets()
        self._report(self.paths.credentials, issues)
        return loaded, secrets

    def update(
        self, profile: str, mutate: Callable[[Profile, ProfileSecrets], None]
    ) -> tuple[Profile, ProfileSecrets]:
        """Read-modify-write one profile under the store lock.

        Both files are re-read under the lock, `mutate` changes the profile and its secrets in
        place, and both files are replaced atomically, so concurrent updates never lose each
        other's changes. If `mutate` raises, nothing is written.

        Args:
            profile: the profile name (created if it doesn't exist).
            mutate: changes the profile and its secrets in place.

        Returns:
            The profile and secrets as written.

        Raises:
            StoreError: bad name, the directory can't be created or written, or the lock timed out.
        """
        _check_name(profile)
        done: list[tuple[Profile, ProfileSecrets]] = []

        def change(profiles: dict[str, Profile], secrets: dict[str, ProfileSecrets]) -> None:
            entry = profiles.get(profile) or Profile(name=profile)
            entry_secrets = secrets.get(profile) or ProfileSecrets()
            mutate(entry, entry_secrets)
            entry.name = profile  # the table key is the name; a renamed object must not fork it
            profiles[profile], secrets[profile] = entry, entry_secrets
            done.append((entry, entry_secrets))

        self._rewrite(change)
        return done[0]

    def profile_names(self) -> list[str]:
        """The stored profile names (from either file), `default` first, then sorted."""
        config, credentials = self._read_both()
        ignored: list[str] = []  # load() reports these; listing names shouldn't repeat them
        return _ordered(
            _profile_tables(config, ignored).keys() | _profile_tables(credentials, ignored)
        )

    def delete_profile(self, profile: str) -> None:
        """Forget a profile and its secrets (its tokens are not revoked at HubSpot here).

        Raises:
            StoreError: there is no such profile, or the store can't be written.
        """

        def change(profiles: dict[str, Profile], secrets: dict[str, ProfileSecrets]) -> None:
            if profile not in profiles and profile not in secrets:
                known = ", ".join(_ordered(profiles.keys() | secrets.keys())) or "none"
                raise StoreError(f"No profile named {profile!r}", f"known profiles: {known}")
            profiles.pop(profile, None)
            secrets.pop(profile, None)

        self._rewrite(change)

    def _warn(
        self, path: Path, message: str, line: int | None = None, kept: Path | None = None
    ) -> None:
        warning = StoreWarning(path, message, line, kept)
        if warning not in self.warnings:  # every load repeats what it finds: say it once
            self.warnings.append(warning)

    def _report(self, path: Path, issues: list[str]) -> None:
        if issues:
            self._warn(path, f"ignored unusable values: {_summary(issues)}")

    def _files(self) -> list[tuple[Path, _Read]]:
        return [(path, _read(path)) for path in (self.paths.config, self.paths.credentials)]

    def _read_both(self) -> tuple[_Read, _Read]:
        """Read both files without the lock; a corrupt one is set aside under the lock."""
        self._tighten_modes()
        files = self._files()
        if any(read.problem for _, read in files):
            try:
                with self._locked():
                    # A writer may have replaced the file since we read it: re-read under the
                    # lock and move aside only what is still corrupt.
                    files = [(path, self._settle(path, read)) for path, read in self._files()]
            except StoreError:
                # Read-only directory or a busy lock: report, move nothing, carry on empty.
                for path, read in files:
                    if read.problem:
                        self._warn(path, f"{read.problem}; ignored it for now", read.line)
                files = [(path, _Read() if read.problem else read) for path, read in files]
        for path, read in files:
            if read.version > FORMAT_VERSION:
                self._warn(path, "written by a newer hubspot-tui; some settings may be ignored")
        return files[0][1], files[1][1]

    def _settle(self, path: Path, read: _Read) -> _Read:
        """Move a corrupt file aside (under the lock) and report it; pass a good one through."""
        if not read.problem:
            return read
        kept = _aside_name(path)
        try:
            with contextlib.suppress(OSError):
                os.chmod(path, 0o600)  # the kept copy may hold secrets
            os.rename(path, kept)
        except OSError as exc:
            raise StoreError(
                f"{path} is corrupt ({read.problem}) and can't be moved aside: {exc.strerror}",
                f"move it away yourself, e.g. `mv {path} {kept}`",
                path=path,
            ) from None
        _fsync_dir(path.parent)
        self._warn(path, f"{read.problem}; moved it aside and started empty", read.line, kept)
        return _Read()

    def _rewrite(self, change: _Change) -> None:
        """Run `change` on every decoded profile under the lock, then write both files."""
        self._ensure_dir()
        with self._locked():
            self._remove_stale_tmp()
            self._tighten_modes()
            (cfg_path, config), (cred_path, credentials) = (
                (path, self._settle(path, read)) for path, read in self._files()
            )
            for path, read in ((cfg_path, config), (cred_path, credentials)):
                if read.version > FORMAT_VERSION:
                    message = f"{path} was written by a newer hubspot-tui; not downgrading it"
                    raise StoreError(message, "upgrade hubspot-tui", path=path)
            cfg_issues: list[str] = []
            profiles = {
                name: _decode_profile(name, table, cfg_issues)
                for name, table in _profile_tables(config, cfg_issues).items()
            }
            cred_issues: list[str] = []
            secrets = {
                name: _decode_secrets(name, table, cred_issues)
                for name, table in _profile_tables(credentials, cred_issues).items()
            }
            change(profiles, secrets)
            # Secrets first: a crash between the two writes must not lose freshly issued tokens.
            self._commit(cred_path, credentials, cred_issues, _encode_secrets(secrets))
            self._commit(cfg_path, config, cfg_issues, _encode_config(profiles))

    def _commit(self, path: Path, before: _Read, issues: list[str], data: bytes) -> None:
        try:
            if issues:
                # The rewrite drops values we couldn't use: keep the original, a hand edit survives.
                kept = _aside_name(path)
                _write_new(kept, before.raw)
                self._warn(path, f"dropped unusable values: {_summary(issues)}", kept=kept)
            if data != before.raw:  # unchanged: leave the file (and its mtime) alone
                _atomic_write(path, data)
        except OSError as exc:
            action = "check that the directory is writable and the disk not full"
            raise StoreError(f"Can't write {path}: {exc.strerror}", action, path=path) from None

    def _ensure_dir(self) -> None:
        directory = self.paths.dir
        action = "choose another with --config-dir or HUBSPOT_TUI_CONFIG_DIR"
        try:
            if not directory.is_dir():
                directory.mkdir(mode=0o700, parents=True)
                os.chmod(directory, 0o700)  # mkdir's mode was narrowed by the umask
        except FileExistsError:
            raise StoreError(f"{directory} is not a directory", action, path=directory) from None
        except OSError as exc:
            message = f"Can't create {directory}: {exc.strerror}"
            raise StoreError(message, action, path=directory) from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the exclusive `flock` on `.lock` (the kernel drops it if the process dies)."""
        lock = self.paths.lock
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            message = f"Can't open {lock}: {exc.strerror}"
            raise StoreError(message, "check the config directory is writable", path=lock) from None
        try:
            deadline, delay = time.monotonic() + self._lock_timeout, 0.001
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    # Poll rather than block, so a hung peer can't hang us forever.
                    if time.monotonic() >= deadline:
                        raise StoreError(
                            "Another hubspot-tui process is still writing the profile store",
                            f"try again; if it persists, find it with `fuser {lock}`",
                            path=lock,
                        ) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.02)
            yield
        finally:
            os.close(fd)

    def _remove_stale_tmp(self) -> None:
        """Delete temp files that a killed writer left behind (called under the lock)."""
        prefixes = (f".{self.paths.config.name}.", f".{self.paths.credentials.name}.")
        with contextlib.suppress(OSError), os.scandir(self.paths.dir) as entries:
            for entry in entries:
                if entry.name.startswith(prefixes) and entry.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        if time.time() - entry.stat().st_mtime > STALE_TMP_SECONDS:
                            os.unlink(entry.path)

    def _tighten_modes(self) -> None:
        """Make the directory 0700 and both files 0600, warning when they were looser."""
        for path, wanted in (
            (self.paths.dir, 0o700),
            (self.paths.config, 0o600),
            (self.paths.credentials, 0o600),
        ):
            try:
                info = os.stat(path)
            except OSError:
                continue
            mode = stat.S_IMODE(info.st_mode)
            if mode == wanted or not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
                continue
            if stat.S_ISDIR(info.st_mode) and mode & (stat.S_ISVTX | stat.S_IWOTH):
                # A shared directory such as /tmp: changing its mode would break other users.
                self._warn(path, "a shared directory (left as is): keep secrets in a private one")
                continue
            try:
                os.chmod(path, wanted)
            except OSError as exc:
                message = f"mode {mode:04o} can't be changed ({exc.strerror})"
                self._warn(path, f"{message}: run `chmod {wanted:o} {path}`")
                continue
            if mode & 0o077:  # stricter modes (e.g. 0400) are normalised silently
                self._warn(path, f"was open to other users (mode {mode:04o}); now {wanted:04o}")
