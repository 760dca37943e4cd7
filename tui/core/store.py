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
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.core.bounds import MAX_STORE_BYTES, cap_profile
from tui.core.file_lock import lock_waits, try_flock
from tui.core.paths import StorePaths, store_paths
from tui.core.profile import Profile, ProfileSecrets, profile_name_problem
from tui.core.safe_files import (
    MAX_FILE_BYTES,
    UnsafePath,
    private_dir,
    read_bounded,
    tighten_file,
)
from tui.core.store_codec import (
    FORMAT_VERSION,
    ParsedFile,
    decode_profile,
    decode_secrets,
    encode_config,
    encode_secrets,
    ordered_names,
    parse_file,
    profile_tables,
    summarize_issues,
)
from tui.hubspot.errors import HubSpotError

__all__ = ["FORMAT_VERSION", "ProfileStore", "StoreError", "StoreWarning"]

STALE_TMP_SECONDS = 5.0
"""A leftover temp file older than this belongs to a killed writer and is removed."""

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

    def __init__(
        self, message: str, action: str = "", *, path: Path | None = None, code: str = "STORE"
    ) -> None:
        super().__init__(message, action, code=code)
        self.path = path


UNSAFE_STORE = "UNSAFE_STORE"
"""The code of a StoreError for a store that is not safe to use (foreign or shared directory,
a link or FIFO in place of a file): bad input, so commands exit 2, nothing read or written."""


def _unsafe(exc: UnsafePath) -> StoreError:
    return StoreError(exc.message, exc.action, path=exc.path, code=UNSAFE_STORE)


# ---- files -------------------------------------------------------------------------------------


def _read(path: Path) -> ParsedFile:
    try:
        raw = read_bounded(path)
    except UnsafePath as exc:
        raise _unsafe(exc) from None
    except PermissionError:
        action = f"run as the user who owns it, or fix its mode with `chmod 600 {path}`"
        raise StoreError(f"Can't read {path}: permission denied", action, path=path) from None
    except IsADirectoryError:
        raise StoreError(f"{path} is a directory, not a file", "move it away", path=path) from None
    except OSError as exc:
        raise StoreError(f"Can't read {path}: {exc.strerror}", path=path) from None
    if raw is None:
        return ParsedFile()
    if len(raw) > MAX_FILE_BYTES:
        # Not parsed (that alone would take seconds): set aside like a corrupt file.
        return ParsedFile(problem=f"larger than {MAX_FILE_BYTES >> 20} MiB")
    return parse_file(raw)


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


def _check_name(name: str) -> None:
    problem = profile_name_problem(name)
    if problem:
        raise StoreError(f"{name[:80]!a} is not a usable profile name", problem)


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
            config_dir: the store directory, e.g. from `tui.core.paths.resolve_config_dir()`.
            lock_timeout: seconds to wait for another process's write before giving up.
        """
        self.paths: StorePaths = store_paths(config_dir)
        self.warnings: list[StoreWarning] = []
        self._lock_timeout = lock_timeout

    def check_safe(self) -> None:
        """Check (and tighten) the directory and files now, before anything else touches them.

        Raises:
            StoreError: UNSAFE_STORE when the store can't be trusted (see `_tighten_modes`).
        """
        self._tighten_modes()

    def load(self, profile: str = "default") -> tuple[Profile, ProfileSecrets]:
        """Read one profile and its secrets; missing files or profile give an empty one.

        Never raises for a corrupt file: it is kept aside and reported in `warnings`.

        Raises:
            StoreError: a file exists but can't be read (permissions, a directory in its place).
        """
        config, credentials = self._read_both()
        issues: list[str] = []
        table = profile_tables(config, issues).get(profile)
        loaded = decode_profile(profile, table, issues) if table else Profile(name=profile)
        self._report(self.paths.config, issues)
        issues = []
        table = profile_tables(credentials, issues).get(profile)
        secrets = decode_secrets(profile, table, issues) if table else ProfileSecrets()
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
        return ordered_names(
            profile_tables(config, ignored).keys() | profile_tables(credentials, ignored)
        )

    def delete_profile(self, profile: str) -> None:
        """Forget a profile and its secrets (its tokens are not revoked at HubSpot here).

        Raises:
            StoreError: there is no such profile, or the store can't be written.
        """

        def change(profiles: dict[str, Profile], secrets: dict[str, ProfileSecrets]) -> None:
            if profile not in profiles and profile not in secrets:
                known = ", ".join(ordered_names(profiles.keys() | secrets.keys())) or "none"
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
            self._warn(path, f"ignored unusable values: {summarize_issues(issues)}")

    def _files(self) -> list[tuple[Path, ParsedFile]]:
        return [(path, _read(path)) for path in (self.paths.config, self.paths.credentials)]

    def _read_both(self) -> tuple[ParsedFile, ParsedFile]:
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
                files = [(path, ParsedFile() if read.problem else read) for path, read in files]
        for path, read in files:
            if read.version > FORMAT_VERSION:
                self._warn(path, "written by a newer hubspot-tui; some settings may be ignored")
        return files[0][1], files[1][1]

    def _settle(self, path: Path, read: ParsedFile) -> ParsedFile:
        """Move a corrupt file aside (under the lock) and report it; pass a good one through."""
        if not read.problem:
            return read
        kept = _aside_name(path)
        try:
            with contextlib.suppress(OSError, UnsafePath):
                tighten_file(path)  # the kept copy may hold secrets
            os.rename(path, kept)
        except OSError as exc:
            raise StoreError(
                f"{path} is corrupt ({read.problem}) and can't be moved aside: {exc.strerror}",
                f"move it away yourself, e.g. `mv {path} {kept}`",
                path=path,
            ) from None
        _fsync_dir(path.parent)
        self._warn(path, f"{read.problem}; moved it aside and started empty", read.line, kept)
        return ParsedFile()

    def _rewrite(self, change: _Change) -> None:
        """Run `change` on every decoded profile under the lock, then write both files."""
        self._ensure_dir()
        self._tighten_modes()  # before the lock file: an unsafe directory gets nothing written
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
                name: decode_profile(name, table, cfg_issues)
                for name, table in profile_tables(config, cfg_issues).items()
            }
            cred_issues: list[str] = []
            secrets = {
                name: decode_secrets(name, table, cred_issues)
                for name, table in profile_tables(credentials, cred_issues).items()
            }
            change(profiles, secrets)
            for entry in profiles.values():
                cap_profile(entry)  # one bloated answer must not bloat the store for good
            cred_data, cfg_data = encode_secrets(secrets), encode_config(profiles)
            for path, data in ((cred_path, cred_data), (cfg_path, cfg_data)):
                if len(data) > MAX_STORE_BYTES:
                    raise StoreError(
                        f"{path} would grow to {len(data) >> 20} MiB (the limit is "
                        f"{MAX_STORE_BYTES >> 20} MiB); nothing was written",
                        "remove accounts or profiles you no longer need (`hubspot-tui remove`)",
                        path=path,
                    )
            # Secrets first: a crash between the two writes must not lose freshly issued tokens.
            self._commit(cred_path, credentials, cred_issues, cred_data)
            self._commit(cfg_path, config, cfg_issues, cfg_data)

    def _commit(self, path: Path, before: ParsedFile, issues: list[str], data: bytes) -> None:
        try:
            if issues:
                # The rewrite drops values we couldn't use: keep the original, a hand edit survives.
                kept = _aside_name(path)
                _write_new(kept, before.raw)
                self._warn(path, f"dropped unusable values: {summarize_issues(issues)}", kept=kept)
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
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
            fd = os.open(lock, flags, 0o600)
        except OSError as exc:
            message = f"Can't open {lock}: {exc.strerror}"
            raise StoreError(message, "check the config directory is writable", path=lock) from None
        try:
            for pause in lock_waits(self._lock_timeout, first=0.001, longest=0.02):
                if try_flock(fd):
                    break
                time.sleep(pause)
            else:
                raise StoreError(
                    "Another hubspot-tui process is still writing the profile store",
                    f"try again; if it persists, find it with `fuser {lock}`",
                    path=lock,
                )
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
        """Make sure the directory is ours and private (0700) and both files 0600.

        Raises:
            StoreError: UNSAFE_STORE when the directory or a file can't be trusted (another
                user's, shared, still writable by others, a link or FIFO): nothing is read.
        """
        try:
            was = private_dir(self.paths.dir)
            if was is not None:
                self._warn(self.paths.dir, f"was open to other users (mode {was:04o}); now 0700")
            for path in (self.paths.config, self.paths.credentials):
                try:
                    mode = tighten_file(path)
                except PermissionError:
                    continue  # _read says so, with the fix
                except OSError as exc:
                    self._warn(path, f"mode can't be changed ({exc.strerror}): `chmod 600 {path}`")
                    continue
                if mode is not None and mode & 0o077:  # stricter modes are normalised silently
                    self._warn(path, f"was open to other users (mode {mode:04o}); now 0600")
        except UnsafePath as exc:
            raise _unsafe(exc) from None
