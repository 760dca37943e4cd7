"""A store no one else can touch (issue 11, store): real directories, modes, links and FIFOs.

- a config dir we own but left open (0777) becomes 0700, said once;
- a dir owned by another user, a shared (sticky) one, or one still writable by others after the
  chmod is refused: exit 2, nothing written (not even the lock file);
- a symlink in place of a store file is never followed: its target keeps its mode and bytes;
- a FIFO or a link to /dev/zero in place of config.toml gives a clear error naming the file at
  once, never a hang or a MemoryError; an oversized file is set aside, not parsed.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.figures import add_figure
from tui.core.profile import AppConfig, Profile, ProfileSecrets
from tui.core.store import ProfileStore, StoreError
from tui.sandbox import DEMO_APP

ROOT = Path(__file__).resolve().parent.parent
CASES = "hardening: hostile cases refused or bounded"


def cli(config_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "--config-dir", str(config_dir), *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=ROOT,
        timeout=20,  # a hang on a FIFO would blow this
    )


def fill(config_dir: Path) -> None:
    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = AppConfig(client_id=DEMO_APP.client_id)
        secrets.client_secret = DEMO_APP.client_secret

    ProfileStore(config_dir).update("default", mutate)


def listing(directory: Path) -> dict[str, tuple[int, bytes]]:
    out = {}
    for entry in sorted(directory.iterdir()):
        info = entry.lstat()
        data = entry.read_bytes() if stat.S_ISREG(info.st_mode) else b""
        out[entry.name] = (info.st_mode, data)
    return out


def test_an_open_own_dir_becomes_0700_and_is_said_once(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    fill(config_dir)
    os.chmod(config_dir, 0o777)
    first = cli(config_dir, "status")
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    assert first.stderr.count("was open to other users (mode 0777); now 0700") == 1
    second = cli(config_dir, "status")
    assert "was open to other users" not in second.stderr
    add_figure(CASES, 1)


@pytest.mark.parametrize("command", [["status"], ["accounts"], ["configure", "--region", "eu"], []])
def test_a_dir_owned_by_someone_else_is_refused(tmp_path: Path, command: list[str]) -> None:
    config_dir = tmp_path / "cfg"
    fill(config_dir)
    os.chown(config_dir, 12345, 12345)
    before = listing(config_dir)
    result = cli(config_dir, *command)
    assert result.returncode == 2, result.stderr
    assert "belongs to another user (uid 12345)" in result.stderr
    assert "Traceback" not in result.stderr
    assert listing(config_dir) == before  # nothing written, not even .lock
    add_figure(CASES, 1)


def test_a_dir_still_writable_by_others_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "cfg"
    fill(config_dir)
    os.chmod(config_dir, 0o777)
    before = listing(config_dir)
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)  # e.g. a filesystem ignoring modes
    store = ProfileStore(config_dir)
    with pytest.raises(StoreError, match="writable by other users") as caught:
        store.update("default", lambda p, s: None)
    assert caught.value.code == "UNSAFE_STORE"
    with pytest.raises(StoreError, match="writable by other users"):
        store.load()
    assert listing(config_dir) == before
    add_figure(CASES, 1)


def test_a_symlinked_store_file_is_never_followed(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    fill(config_dir)
    target = tmp_path / "precious.txt"
    target.write_bytes(b"someone else's file\n")
    os.chmod(target, 0o644)
    (config_dir / "credentials.toml").unlink()
    (config_dir / "credentials.toml").symlink_to(target)
    result = cli(config_dir, "status")
    assert result.returncode == 2, result.stderr
    assert "credentials.toml is a symbolic link" in result.stderr
    result = cli(config_dir, "configure", "--region", "eu")
    assert result.returncode == 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not chmod-ed through the link
    assert target.read_bytes() == b"someone else's file\n"
    assert (config_dir / "credentials.toml").is_symlink()
    add_figure(CASES, 1)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_fifo_or_dev_zero_config_is_an_error_not_a_hang(tmp_path: Path, kind: str) -> None:
    config_dir = tmp_path / "cfg"
    fill(config_dir)
    config = config_dir / "config.toml"
    config.unlink()
    if kind == "fifo":
        os.mkfifo(config, 0o600)
    else:
        config.symlink_to("/dev/zero")
    started = time.monotonic()
    for command in (["status"], ["accounts"], ["configure", "--region", "eu"]):
        result = cli(config_dir, *command)
        assert result.returncode == 2, result.stderr
        assert str(config) in result.stderr
        assert "not a regular file" in result.stderr
        assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 15
    add_figure(CASES, 1)


def test_an_oversized_config_is_set_aside_unread(tmp_path: Path) -> None:
    config_dir = tmp_path / "cfg"
    fill(config_dir)
    config = config_dir / "config.toml"
    config.write_bytes(b"# padding\n" * (600 << 10))  # 6 MiB of valid TOML comments
    store = ProfileStore(config_dir)
    profile, _ = store.load()
    assert profile == Profile()
    assert any("larger than 4 MiB" in w.message for w in store.warnings)
    kept = [w.kept_as for w in store.warnings if w.kept_as]
    assert kept and kept[0].stat().st_size == 10 * (600 << 10)  # kept whole, nothing lost
    add_figure(CASES, 1)
