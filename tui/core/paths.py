"""Where hubspot-tui keeps its files.

Precedence for the config directory: `--config-dir` > `HUBSPOT_TUI_CONFIG_DIR` > the platform's
user config directory (`$XDG_CONFIG_HOME/hubspot-tui`, usually `~/.config/hubspot-tui`, on Linux).
Cheap to import: no Textual, no httpx, since `hubspot-tui status` starts here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "hubspot-tui"
"""Directory name under the platform's config root."""

CONFIG_DIR_ENV = "HUBSPOT_TUI_CONFIG_DIR"
"""Environment variable that moves the config directory (tests and scripts use it to isolate)."""

CONFIG_FILE = "config.toml"
CREDENTIALS_FILE = "credentials.toml"
LOCK_FILE = ".lock"
DEMO_SUBDIR = "demo"


def _absolute(path: Path) -> Path:
    """Expand `~` and make `path` absolute, normalising `..` but keeping symlinks as written."""
    return Path(os.path.abspath(path.expanduser()))


def resolve_config_dir(cli_value: str | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """Return the config directory to use (it may not exist yet).

    Args:
        cli_value: the `--config-dir` argument, if given; an empty string counts as not given.
        env: the environment to read `HUBSPOT_TUI_CONFIG_DIR` and `XDG_CONFIG_HOME` from.

    Returns:
        An absolute path with `~` expanded.
    """
    if cli_value and cli_value.strip():
        return _absolute(Path(cli_value))
    from_env = env.get(CONFIG_DIR_ENV, "")
    if from_env.strip():
        return _absolute(Path(from_env))
    # platformdirs reads XDG_CONFIG_HOME from os.environ, not from `env`; honour a passed-in
    # mapping too (same rule as platformdirs: blank means unset) so callers and tests that hand us
    # an environment get a consistent answer. macOS and Windows ignore XDG, as platformdirs does.
    if sys.platform not in ("darwin", "win32"):
        xdg = env.get("XDG_CONFIG_HOME", "")
        if xdg.strip():
            return _absolute(Path(xdg) / APP_NAME)
    import platformdirs  # ~10 ms: only paid when no override names the directory

    return _absolute(platformdirs.user_config_path(APP_NAME, appauthor=False))


def demo_dir(config_dir: Path) -> Path:
    """The store used by `--demo`, kept apart so a demo never touches real profiles.

    Args:
        config_dir: the resolved config directory.

    Returns:
        `config_dir / "demo"`.
    """
    return config_dir / DEMO_SUBDIR


@dataclass(frozen=True)
class StorePaths:
    """The files of one profile store."""

    dir: Path
    """The store directory (kept 0700)."""
    config: Path
    """`config.toml`: every profile's non-secret settings and account reports."""
    credentials: Path
    """`credentials.toml`: client secrets and tokens (always 0600)."""
    lock: Path
    """`.lock`: `flock`ed by writers for their read-modify-write."""


def store_paths(config_dir: Path) -> StorePaths:
    """Name the files of the store in `config_dir`.

    Args:
        config_dir: the store directory.

    Returns:
        The directory and its `config.toml`, `credentials.toml` and `.lock` paths.
    """
    return StorePaths(
        dir=config_dir,
        config=config_dir / CONFIG_FILE,
        credentials=config_dir / CREDENTIALS_FILE,
        lock=config_dir / LOCK_FILE,
    )
