"""Import hygiene: the layer contracts hold, no runtime import cycle, the non-UI layers import no
Textual, the HubSpot layer stays cheap to import, and the read-only commands load no network or
UI modules."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tests.conftest import pick_free_port
from tests.sandbox_login import authorize_accounts
from tui.core.profile import AppConfig
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.sandbox import DEMO_APP, Sandbox

MAIN_HUB = 44120003

HUBSPOT_DIR = Path(__file__).resolve().parents[1] / "tui" / "hubspot"
HUBSPOT_MODULES = [
    "tui.hubspot",
    "tui.hubspot.models",
    "tui.hubspot.errors",
    "tui.hubspot.parse",
    "tui.hubspot.client",
    "tui.hubspot.oauth",
    "tui.hubspot.listener",
    "tui.hubspot.validate",
    "tui.hubspot.scopes",
    "tui.hubspot.redact",
]
OTHER_NON_UI = [
    "tui.core.store",
    "tui.core.store_codec",
    "tui.core.checklist",
    "tui.core.profile",
    "tui.core.service",
]

# Runs in a fresh interpreter: the HubSpot modules must import; the other non-UI modules are
# imported only when they exist and import cleanly (other engineers may still be writing them).
PROBE = """
import importlib, importlib.util, json, sys
required, optional = json.loads(sys.argv[1])
for name in required:
    importlib.import_module(name)
imported = []
for name in optional:
    try:
        if importlib.util.find_spec(name) is None:
            continue
        importlib.import_module(name)
    except Exception:
        continue
    imported.append(name)
print(json.dumps({"modules": sorted(sys.modules), "imported": imported}))
"""


def _probe(required: list[str], optional: list[str]) -> tuple[set[str], list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([required, optional])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    data = json.loads(result.stdout)
    return set(data["modules"]), data["imported"]


def _textual(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "textual" or m.startswith("textual.")}


def test_no_textual_at_runtime() -> None:
    loaded, _ = _probe(HUBSPOT_MODULES, OTHER_NON_UI)
    assert not _textual(loaded)


def test_hubspot_layer_alone_is_light() -> None:
    # httpx (≈20-30 ms) loads on the first request, not at import; Rich comes only with the UI.
    loaded, _ = _probe(HUBSPOT_MODULES, [])
    assert not _textual(loaded)
    assert "httpx" not in loaded
    assert "rich" not in loaded


def test_no_textual_or_outside_imports_in_source() -> None:
    textual = re.compile(r"^\s*(import\s+textual|from\s+textual)\b", re.MULTILINE)
    outside = re.compile(r"^\s*(?:from|import)\s+tui\.(?!hubspot\b)", re.MULTILINE)
    for path in sorted(HUBSPOT_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert not textual.search(source), f"{path.name} imports textual"
        assert not outside.search(source), f"{path.name} imports tui outside tui.hubspot"


def test_import_contracts_hold() -> None:
    # The layer contracts in pyproject.toml [tool.importlinter]; lint-imports prints which broke.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=HUBSPOT_DIR.parents[1],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of modules (Tarjan): each one with two or more is a cycle."""
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_no_runtime_import_cycles() -> None:
    # Every import that runs counts, lazy ones inside functions too; `if TYPE_CHECKING:` ones
    # never run, so they are left out of the graph.
    graph = grimp.build_graph("tui", exclude_type_checking_imports=True)
    assert "tui.core.service" in graph.modules
    assert _import_cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    # The check above must be able to fail: the same finder sees a planted loop (the service
    # imports the probes both directly and through the login flow, so the group may be larger).
    graph = grimp.build_graph("tui", exclude_type_checking_imports=True)
    graph.add_import(importer="tui.core.probes", imported="tui.core.service")
    planted = {"tui.core.probes", "tui.core.service"}
    assert any(planted <= set(cycle) for cycle in _import_cycles(graph))


# The read-only commands run synchronously on the stored profile: they must not pay for an event
# loop, TLS or an HTTP client, let alone the UI. `status --check` talks to HubSpot and may.
LIGHT_COMMANDS = [["status"], ["status", "--json"], ["paths"], ["accounts"]]
HEAVY_MODULES = {"textual", "httpx", "asyncio", "ssl", "rich"}

TRACE = """
import contextlib, io, json, sys
from tui.cli.main import run
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    code = run(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "output": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _trace(argv: list[str], config_dir: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_TUI_")}
    result = subprocess.run(
        [sys.executable, "-c", TRACE, json.dumps(["--config-dir", str(config_dir), *argv])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def config_with_account(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config dir whose profile has the demo app and one authorized main account."""
    config_dir = tmp_path_factory.mktemp("cfg")
    port = pick_free_port()
    with Sandbox(port=0, redirect_uris=[f"http://localhost:{port}/oauth-callback"]) as sandbox:

        async def authorize() -> None:
            service = InstallService(
                ProfileStore(config_dir), api_base=sandbox.base_url, app_base=sandbox.base_url
            )
            await service.load()
            app = AppConfig(client_id=DEMO_APP.client_id, callback_port=port)
            await service.save_app(app, DEMO_APP.client_secret)
            await authorize_accounts(service, MAIN_HUB)

        asyncio.run(authorize())
    return config_dir


@pytest.mark.parametrize("argv", LIGHT_COMMANDS, ids=" ".join)
def test_read_only_commands_load_no_network_or_ui_modules(
    argv: list[str], config_with_account: Path
) -> None:
    data = _trace(argv, config_with_account)
    loaded = {str(m).split(".")[0] for m in data["modules"]}  # type: ignore[attr-defined]
    assert loaded & HEAVY_MODULES == set()
    assert str(MAIN_HUB) in str(data["output"]) or argv == ["paths"], data["output"]


def test_status_check_still_talks_to_hubspot(config_with_account: Path) -> None:
    # The trace above can fail: the network path does load asyncio and the HTTP client (the
    # sandbox is gone by now, so the re-check fails, but it was attempted). The tokens were
    # issued by the (loopback) sandbox: they are only ever sent to a loopback base.
    data = _trace(["--api-base", "http://127.0.0.1:9", "status", "--check"], config_with_account)
    loaded = {str(m).split(".")[0] for m in data["modules"]}  # type: ignore[attr-defined]
    assert {"asyncio", "httpx"} <= loaded
