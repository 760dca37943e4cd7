"""The help screen: every key, generated from the same binding tables the footer uses."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

GENERAL_HELP = """\
**Getting started**: F3 enter the app's credentials → F4 choose scopes → F5 authorize → pick your
**MAIN** account (the one with Products) → F2 shows READY.

Over SSH the browser runs on *your* machine: copy the authorize URL (ctrl+y), and either forward
the callback port with the `ssh -L` line shown on F5, or paste the address the browser ends on.
Copy keys use OSC 52 (in tmux: `set -g set-clipboard on`).
"""


def _key_name(key: str) -> str:
    names = {"question_mark": "?", "escape": "esc", "enter": "enter", "space": "space"}
    return "/".join(names.get(k, k) for k in key.split(","))


def bindings_table(title: str, bindings: list[BindingType]) -> str:
    """A Markdown list of the described bindings in `bindings` (compact enough for 80x24)."""
    rows: list[str] = []
    seen: set[tuple[str, str]] = set()
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        key = binding.key_display or _key_name(binding.key)
        if (key, binding.description) in seen:
            continue
        seen.add((key, binding.description))
        rows.append(f"- `{key}` — {binding.description}")
    if not rows:
        return ""
    return f"**{title}**\n\n" + "\n".join(rows) + "\n"


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
        self._text = "\n\n".join([f"# Help — {section_title}", section_help, *tables, GENERAL_HELP])

    def compose(self) -> ComposeResult:
        """The markdown in a scrolling dialog."""
        with VerticalScroll(classes="dialog help-dialog"):
            yield Markdown(self._text, id="help-text")
            yield Static("esc / ? / F1 / b to close", classes="dialog-hint")

    def action_dismiss_help(self) -> None:
        """Close the help."""
        self.dismiss(None)

    @property
    def text(self) -> str:
        """The help markdown (for tests)."""
        return self._text
