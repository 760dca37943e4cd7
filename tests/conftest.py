"""Shared fixtures: every test gets an isolated config dir and a clean environment."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read or write the developer's real config, or inherit SSH/colour settings."""
    monkeypatch.setenv("HUBSPOT_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in (
        "HUBSPOT_TUI_PROFILE",
        "HUBSPOT_TUI_API_BASE",
        "HUBSPOT_TUI_APP_BASE",
        "SSH_CONNECTION",
        "SSH_TTY",
        "SSH_CLIENT",
        "BROWSER",
    ):
        monkeypatch.delenv(name, raising=False)


def pick_free_port() -> int:
    """A loopback port free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def free_port() -> int:
    """A free loopback port for a callback listener."""
    return pick_free_port()


@pytest.fixture
def sandbox() -> Iterator[object]:
    """A running sandbox HubSpot on a free loopback port."""
    from tui.sandbox import Sandbox

    with Sandbox(port=0) as running:
        yield running


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the robustness figures the tests recorded (see tests/figures.py)."""
    from tests.figures import FIGURES

    if FIGURES:
        terminalreporter.section("robustness figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")
