"""The help screen: every key, generated from the same binding tables the footer uses."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

GENERAL_HELP = """\
**Getting started**: F3 enter the app's credentials → F4 choose scopes → F5 authorize → pick your
**MAIN** account (the one with Products) → F2 shows READY.

Over SSH the browser runs on *your* machine: copy the authorize URL (ctrl+y), and either forward
the callback port with the `ssh -L` line shown on F5, or paste the address the browser ends on.
Copy keys use OSC 52 (in tmux: `set -g set-clipboard on`).
"""


KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc"}
"""Textual key names shown as what is printed on the key."""


def key_name(key: str) -> str:
    """One key as the user reads it: `F5` as on the nav bar, `?`, `ctrl+s`, `esc`."""
    if len(key) >= 2 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return KEY_NAMES.get(key, key)


def _keys_of(binding: Binding) -> list[str]:
    if binding.key_display:
        return [part for part in binding.key_display.split("/") if part]
    return [key_name(k.strip()) for k in binding.key.split(",")]


def bindings_table(title: str, bindings: list[BindingType]) -> str:
    """A Markdown list of the described bindings, one row per action (compact for 80x24).

    Keys bound to the same action are merged into one row: `` `F2` / `1` — Overview ``.
    """
    rows: dict[tuple[str, str], list[str]] = {}
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys = rows.setdefault((binding.action, binding.description), [])
        keys.extend(k for k in _keys_of(binding) if k not in keys)
    if not rows:
        return ""
    lines = [
        f"- {' / '.join(f'`{k}`' for k in keys)} — {description}"
        for (_, description), keys in rows.items()
    ]
    return f"**{title}**\n\n" + "\n".join(lines) + "\n"


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys: this section's, then the global ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark,b", "dismiss_help", "Close", show=False),
    ]

    def __init__(self, section_title: str, section_help: str, tables: list[str]) -> None:
        """Build the help for one section.

        Args:
            section_title: The section's name.
            section_help: The section's HELP markdown.
            tables: Markdown key tables, most specific first.
        """
        super().__init__()
        self._title = f"Help — {section_title}"
        self._text = "\n\n".join([f"# {self._title}", section_help, *tables, GENERAL_HELP])
        self._body = "\n\n".join([section_help, *tables, GENERAL_HELP])

    def compose(self) -> ComposeResult:
        """Title, the markdown in a scrolling box, and how to close (always in view)."""
        with Vertical(classes="dialog help-dialog"):
            yield Static(self._title, classes="dialog-title", markup=False)
            with VerticalScroll(id="help-scroll"):
                yield Markdown(self._body, id="help-text")
            yield Static("↑/↓ scroll · esc, ?, F1 or b closes", classes="dialog-hint")

    def action_dismiss_help(self) -> None:
        """Close the help."""
        self.dismiss(None)

    @property
    def text(self) -> str:
        """The help markdown (for tests)."""
        return self._text
