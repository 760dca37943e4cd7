"""The non-UI layers import no Textual, and the HubSpot layer stays cheap to import."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

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
