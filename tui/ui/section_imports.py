"""Import every section's modules shortly after the first frame, off the start-up path.

Sections are built on first visit, so their modules used to be imported then too. Replacing the
installed package under a running dashboard (`pip install` again) then broke the next first
visit (ModuleNotFoundError, or old and new code mixed). Importing them all in a thread half a
second after the first frame keeps start-up as light and makes a running dashboard independent
of the files on disk.
"""

from __future__ import annotations

import importlib

IMPORT_AFTER = 0.5
"""Seconds after the first frame before the other sections' modules are imported (in a thread)."""
SECTION_MODULES = (
    "tui.ui.screens.credentials",
    "tui.ui.screens.scopes",
    "tui.ui.screens.oauth",
    "tui.ui.screens.accounts",
    "tui.ui.screens.help",
    "tui.ui.screens.confirm",
    "tui.ui.screens.chooser",
    "tui.ui.screens.connector",
    "tui.core.checklist",
    "tui.core.scope_rules",
    "tui.core.settings_rules",
    "tui.hubspot.oauth",
    "tui.hubspot.listener",
    "tui.hubspot.client",
    "tui.hubspot.redact",
)
"""Everything a section imports on first use. Imported shortly after the first frame so that
replacing the installed package under a running dashboard (`pip install` again) cannot make a
later first visit fail with ModuleNotFoundError or mix old and new code."""
DEMO_MODULES = ("tui.sandbox.browser",)
"""What `--demo`'s in-terminal account chooser imports on first use."""


def import_sections(*, demo: bool) -> None:
    """Import every section module (already imported ones cost a dict lookup)."""
    for name in (*SECTION_MODULES, *(DEMO_MODULES if demo else ())):
        importlib.import_module(name)
