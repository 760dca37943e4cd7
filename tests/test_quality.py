"""The house rules CI enforces: `mypy --strict`, `ruff check`, `ruff format`, small modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 500
"""The style guide says "under ~500 lines"; this is the hard stop that keeps it honest."""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_mypy_strict_is_clean() -> None:
    result = _run("mypy", "tui")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_check_is_clean() -> None:
    result = _run("ruff", "check", "tui", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run("ruff", "format", "--check", "tui", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_modules_stay_small() -> None:
    too_big = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "tui").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_big, f"split these modules: {too_big}"
