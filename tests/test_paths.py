"""Where the config directory is: `--config-dir` > `HUBSPOT_TUI_CONFIG_DIR` > platformdirs/XDG."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tui.core.paths import APP_NAME, demo_dir, resolve_config_dir, store_paths

unix_only = pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="XDG is Linux/BSD")


def test_cli_value_wins_over_env_and_xdg(tmp_path: Path) -> None:
    env = {"HUBSPOT_TUI_CONFIG_DIR": str(tmp_path / "env"), "XDG_CONFIG_HOME": str(tmp_path)}
    assert resolve_config_dir(str(tmp_path / "cli"), env) == tmp_path / "cli"


def test_env_var_wins_over_xdg(tmp_path: Path) -> None:
    env = {"HUBSPOT_TUI_CONFIG_DIR": str(tmp_path / "env"), "XDG_CONFIG_HOME": str(tmp_path)}
    assert resolve_config_dir(None, env) == tmp_path / "env"


@unix_only
def test_xdg_config_home_from_the_given_env(tmp_path: Path) -> None:
    assert resolve_config_dir(None, {"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / APP_NAME


@unix_only
def test_platformdirs_honours_xdg_in_the_process_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBSPOT_TUI_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert resolve_config_dir() == tmp_path / "xdg" / APP_NAME


@unix_only
def test_default_is_dot_config_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert resolve_config_dir(None, {}) == tmp_path / ".config" / APP_NAME


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_values_count_as_unset(tmp_path: Path, blank: str) -> None:
    env = {"HUBSPOT_TUI_CONFIG_DIR": blank, "XDG_CONFIG_HOME": str(tmp_path)}
    expected = tmp_path / APP_NAME if sys.platform not in ("darwin", "win32") else None
    got = resolve_config_dir(blank, env)
    if expected is not None:
        assert got == expected
    assert got.is_absolute()


def test_tilde_is_expanded_and_relative_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_config_dir("~/cfg", {}) == tmp_path / "cfg"
    monkeypatch.chdir(tmp_path)
    assert resolve_config_dir("rel/../cfg", {}) == tmp_path / "cfg"
    assert resolve_config_dir(None, {"HUBSPOT_TUI_CONFIG_DIR": "~/x"}) == tmp_path / "x"


def test_default_env_is_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_TUI_CONFIG_DIR", str(tmp_path / "from-env"))
    assert resolve_config_dir() == tmp_path / "from-env"
    assert os.environ["HUBSPOT_TUI_CONFIG_DIR"] == str(tmp_path / "from-env")


def test_demo_dir_and_store_paths(tmp_path: Path) -> None:
    assert demo_dir(tmp_path) == tmp_path / "demo"
    paths = store_paths(tmp_path)
    assert paths.dir == tmp_path
    assert paths.config == tmp_path / "config.toml"
    assert paths.credentials == tmp_path / "credentials.toml"
    assert paths.lock == tmp_path / ".lock"
    with pytest.raises(AttributeError):
        paths.dir = tmp_path / "other"  # type: ignore[misc]
