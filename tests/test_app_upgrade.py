"""Replacing the installed package under a running dashboard does not break it.

The dashboard imports every section's module shortly after its first frame. This test runs it
from a COPY of the `tui` package in a fresh interpreter, checks that the section modules are
imported without any visit, deletes the copy (what `pip install` of a new version does to the
old files), and then visits every section and opens the help and the chooser: nothing may fail
with ModuleNotFoundError.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.ui.section_imports import DEMO_MODULES, SECTION_MODULES

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import asyncio, shutil, sys, time
    from pathlib import Path

    package_copy, store = Path(sys.argv[1]), Path(sys.argv[2])
    expected = sys.argv[3].split(",")

    from tui.core.service import InstallService
    from tui.core.store import ProfileStore
    from tui.ui.app import HubSpotApp

    assert str(package_copy) in sys.modules["tui"].__file__
    # The sections themselves are not on the start-up path (their helpers may be).
    early = [n for n in expected if n.startswith("tui.ui.screens.") and n in sys.modules]
    assert not early, f"imported before the app started: {early}"

    async def main() -> None:
        app = HubSpotApp(InstallService(ProfileStore(store)), ssh=False)
        async with app.run_test(size=(80, 24)) as pilot:
            deadline = time.monotonic() + 10
            while any(name not in sys.modules for name in expected):
                assert time.monotonic() < deadline, [n for n in expected if n not in sys.modules]
                await pilot.pause(0.05)
            assert app.current_mode == "overview"
            shutil.rmtree(package_copy)  # the package is replaced on disk
            for key in ("f3", "f4", "f5", "f6", "f1", "escape", "f2"):
                await pilot.press(key)
                await pilot.pause()
            assert app.current_mode == "overview"
        print("OK")

    asyncio.run(main())
    """
)


@pytest.mark.timeout(120)
def test_sections_are_imported_after_the_first_frame(tmp_path: Path) -> None:
    """Section modules load without a visit; deleting the package afterwards breaks nothing."""
    copy_root = tmp_path / "site"
    shutil.copytree(ROOT / "tui", copy_root / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    expected = [name for name in SECTION_MODULES if name not in DEMO_MODULES]
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(copy_root / "tui"),
            str(tmp_path / "store"),
            ",".join(expected),
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(copy_root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK" in done.stdout
