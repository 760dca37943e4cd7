"""Shared fixtures and the helpers behind them.

- every test gets an isolated config dir and a clean environment (autouse);
- `free_port` / `pick_free_port`: a loopback port free right now;
- `sandbox`: a running sandbox HubSpot; `sandbox_env`: one with a free callback port registered
  on its demo app, a config dir, and the environment that points `hubspot-tui` at both;
- `cli`: runs the real `hubspot-tui` as its own process against `sandbox_env`, keeping every
  output (for leak searches);
- `tmux`: private tmux servers (real terminals), killed after the test;
- `open_section`: the real dashboard on a fresh sandbox under Pilot, settled, one section shown;
- the figures the robustness tests record (tests/figures.py) are printed after the run.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

from tui.sandbox import DEMO_APP, Sandbox

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tests.app_helpers import Env
    from tui.ui.app import HubSpotApp

ROOT = Path(__file__).resolve().parent.parent


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
def sandbox() -> Iterator[Sandbox]:
    """A running sandbox HubSpot on a free loopback port."""
    with Sandbox(port=0) as running:
        yield running


# ---- a sandbox HubSpot and a config dir for hubspot-tui processes ------------------------------


@dataclass
class SandboxEnv:
    """A running sandbox whose demo app accepts `localhost:{port}`, and a config dir."""

    sandbox: Sandbox
    port: int
    config_dir: Path

    @property
    def redirect_uri(self) -> str:
        """The loopback redirect URI registered on the sandbox's demo app."""
        return f"http://localhost:{self.port}/oauth-callback"

    def env(self, **extra: str) -> dict[str, str]:
        """An environment that points `hubspot-tui` at this sandbox and config dir."""
        return {
            **os.environ,
            "HUBSPOT_TUI_CONFIG_DIR": str(self.config_dir),
            "HUBSPOT_TUI_API_BASE": self.sandbox.base_url,
            "HUBSPOT_TUI_APP_BASE": self.sandbox.base_url,
            "PYTHONPATH": str(ROOT),
            **extra,
        }

    def store_demo_app(self) -> None:
        """The demo app's credentials and this port, straight into the store (no CLI run)."""
        store_demo_app(self.config_dir, self.port)


def store_demo_app(config_dir: Path, port: int) -> None:
    """Write the demo app's credentials and `port` as the callback port into a profile store."""
    from tui.core.profile import AppConfig, Profile, ProfileSecrets
    from tui.core.store import ProfileStore

    def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
        profile.app = AppConfig(client_id=DEMO_APP.client_id, callback_port=port)
        secrets.client_secret = DEMO_APP.client_secret
        secrets.secret_origin = "http://127.0.0.1"  # saved for the (loopback) sandbox

    ProfileStore(config_dir).update("default", mutate)


@pytest.fixture
def sandbox_env(tmp_path: Path) -> Iterator[SandboxEnv]:
    """A sandbox with a free callback port registered, and an empty config dir `tmp_path/cfg`."""
    port = pick_free_port()
    with Sandbox(port=0, redirect_uris=[f"http://localhost:{port}/oauth-callback"]) as running:
        yield SandboxEnv(running, port, tmp_path / "cfg")


# ---- the command line as its own process -------------------------------------------------------

CLI_SCOPES = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read"
CLI_OPTIONAL = "crm.objects.products.read crm.objects.line_items.read"


@dataclass
class Cli:
    """Runs `hubspot-tui` (`python -m tui`, or `program`) as its own process, as a user or a
    script would, against one sandbox and config dir; a `$BROWSER` stand-in
    (tests/fake_browser.py) clicks an account on the sandbox's Choose-an-Account page.

    Every output is kept in `outputs` (name → text) for leak searches.
    """

    site: SandboxEnv
    tmp: Path
    program: list[str] = field(default_factory=lambda: [sys.executable, "-m", "tui"])
    extra_env: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        browser = self.tmp / "browser.sh"
        browser.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "tests" / "fake_browser.py"}" "$1"\n'
        )
        browser.chmod(0o755)
        self.env = self.site.env(BROWSER=str(browser), **self.extra_env)

    @property
    def sandbox(self) -> Sandbox:
        """The sandbox HubSpot the commands talk to."""
        return self.site.sandbox

    @property
    def config_dir(self) -> Path:
        """The config dir the commands use."""
        return self.site.config_dir

    @property
    def port(self) -> int:
        """The callback port registered on the sandbox's demo app."""
        return self.site.port

    def __call__(
        self, *args: str, stdin: str | None = None, pick: str = "main", timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run one command (`pick`: the account the fake browser chooses)."""
        result = subprocess.run(
            [*self.program, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, "FAKE_BROWSER_PICK": pick},
            timeout=timeout,
            cwd=ROOT,
        )
        self.keep(" ".join(args), result.stdout, result.stderr)
        return result

    def keep(self, what: str, stdout: str, stderr: str) -> None:
        """Keep a command's outputs for the leak searches."""
        n = len(self.outputs) // 2
        self.outputs[f"cli #{n} {what} stdout"] = stdout
        self.outputs[f"cli #{n} {what} stderr"] = stderr

    def configure(self) -> None:
        """Store the demo app, this port and the usual scopes through `configure`."""
        result = self(
            "configure",
            "--client-id", DEMO_APP.client_id,
            "--client-secret-stdin",
            "--callback-port", str(self.port),
            "--scopes", CLI_SCOPES,
            "--optional-scopes", CLI_OPTIONAL,
            stdin=DEMO_APP.client_secret + "\n",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    def status(self, *extra: str) -> tuple[int, dict[str, object]]:
        """`status --json`: the exit code and the parsed document."""
        import json

        result = self("status", "--json", *extra)
        return result.returncode, json.loads(result.stdout)

    def secrets(self) -> dict[str, object]:
        """The credentials file as stored."""
        return tomllib.loads((self.config_dir / "credentials.toml").read_text())


@pytest.fixture
def cli(sandbox_env: SandboxEnv, tmp_path: Path) -> Cli:
    """The real command line on a sandbox with a free callback port, in `tmp_path/cfg`."""
    return Cli(sandbox_env, tmp_path)


# ---- real terminals ----------------------------------------------------------------------------


class Tmux:
    """One private tmux server; each `start` runs a command in a new session of a fixed size."""

    def __init__(self, cols: int, rows: int, env: dict[str, str] | None = None) -> None:
        self.socket = f"hubspot-tui-test-{uuid.uuid4().hex[:12]}"
        self.cols, self.rows = cols, rows
        self.env = env
        self.session = ""
        self._runs = 0

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a tmux command on this server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            env=self.env,
            check=check,
            timeout=30,
        )

    def start(self, argv: list[str]) -> None:
        """Run `argv` in a new session (the pane stays after it exits, to read its last words)."""
        self._runs += 1
        self.session = f"run{self._runs}"
        self.tmux(
            "new-session", "-d", "-s", self.session, "-x", str(self.cols), "-y", str(self.rows),
            shlex.join(argv),
        )  # fmt: skip
        self.tmux("set-option", "-t", self.session, "remain-on-exit", "on")

    def screen(self) -> str:
        """The pane's text, as the user sees it now."""
        return self.tmux("capture-pane", "-p", "-t", self.session, check=False).stdout

    def send(self, *keys: str) -> None:
        """Press keys (tmux key names: F3, C-s, Enter, Tab, or literal text)."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, *texts: str, timeout: float = 20.0) -> str:
        """Poll the screen until every text is on it; returns the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"never saw {texts!r} on screen:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 20.0) -> str:
        """Poll the screen until `text` is no longer on it."""
        deadline = time.monotonic() + timeout
        screen = self.screen()
        while text in screen and time.monotonic() < deadline:
            time.sleep(0.05)
            screen = self.screen()
        if text in screen:
            raise AssertionError(f"{text!r} stayed on screen:\n{screen}")
        return screen

    def pane_dead(self) -> bool:
        """True once the command in the current session has exited."""
        out = self.tmux("display-message", "-p", "-t", self.session, "#{pane_dead}", check=False)
        return out.stdout.strip() == "1"

    def kill(self) -> None:
        """Stop this server (and everything it runs) and remove its socket file."""
        where = self.tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.tmux("kill-server", check=False)
        if not where.endswith(self.socket):  # the server was gone already: its default place
            base = os.environ.get("TMUX_TMPDIR", "/tmp")
            where = os.path.join(base, f"tmux-{os.getuid()}", self.socket)
        Path(where).unlink(missing_ok=True)


@pytest.fixture
def tmux() -> Iterator[Callable[..., Tmux]]:
    """Makes private tmux servers (`tmux(cols, rows, env)`); all are killed after the test."""
    made: list[Tmux] = []

    def make(cols: int, rows: int, env: dict[str, str] | None = None) -> Tmux:
        made.append(Tmux(cols, rows, env))
        return made[-1]

    yield make
    for server in made:
        server.kill()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the robustness figures the tests recorded (see tests/figures.py)."""
    from tests.figures import FIGURES

    if FIGURES:
        terminalreporter.section("robustness figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")


# ---- the dashboard under Pilot -----------------------------------------------------------------


class Section(NamedTuple):
    """What a Pilot test drives: the sandbox environment, the app and its pilot."""

    env: Env
    app: HubSpotApp
    pilot: Pilot[None]


OpenSection = Callable[..., AbstractAsyncContextManager[Section]]


@pytest.fixture
def open_section(tmp_path: Path) -> OpenSection:
    """`async with open_section("f6", size=(120, 36), accounts=(MAIN_HUB,)) as (env, app, pilot)`:
    the real app (demo mode) on a fresh sandbox over loopback, profile loaded and workers
    settled, with the section of `key` shown (None: the Overview).

    `configured`: the demo app's credentials and a free callback port stored first (skips the
    Credentials screen); `accounts`: Hub IDs authorized first, without the UI (implies
    `configured`); `ssh`: run as if over SSH.
    """
    from tests.app_helpers import authorize_without_ui, sandbox_env, settle

    @asynccontextmanager
    async def open_(
        key: str | None = None,
        *,
        size: tuple[int, int] = (80, 24),
        configured: bool = False,
        accounts: tuple[int, ...] = (),
        ssh: bool = False,
    ) -> AsyncIterator[Section]:
        async with sandbox_env(tmp_path) as env:
            if configured or accounts:
                await env.preconfigure()
            if accounts:
                await authorize_without_ui(env, *accounts)
            app = env.app(ssh=ssh)
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                if key is not None:
                    await pilot.press(key)
                    await settle(pilot)
                yield Section(env, app, pilot)

    return open_
