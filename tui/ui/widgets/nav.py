"""The one-row section bar: every section's key, the current one highlighted."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("overview", "F2", "Overview"),
    ("credentials", "F3", "Credentials"),
    ("scopes", "F4", "Scopes"),
    ("oauth", "F5", "OAuth"),
    ("accounts", "F6", "Accounts"),
)
"""Mode name, key and title of each section, in bar order."""


class NavBar(Static):
    """`F2 Overview  F3 Credentials  …` plus DEMO / SSH tags; items are clickable.

    Replaces Textual's Header: the key to every section is always on screen, and a long-lived
    screen never re-creates header parts (the upstream watcher leak in perf-notes.md).
    """

    DEFAULT_CSS = """
    NavBar {
        link-style: none;
        link-style-hover: reverse;
        link-background-hover: $panel;
        link-color-hover: $text;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, current: str, *, tags: tuple[str, ...] = ()) -> None:
        """Build the bar for section `current` with extra right-hand `tags`."""
        super().__init__(self.build(current, tags))

    @staticmethod
    def build(current: str, tags: tuple[str, ...]) -> Content:
        """The bar's content."""
        parts: list[Content] = []
        for mode, key, title in SECTIONS:
            style = "bold reverse $accent" if mode == current else ""
            item = Content.styled(f" {key} {title} ", style)
            parts.append(item.stylize(f"@click=app.switch_section('{mode}')"))
        bar = Content("").join(parts)
        if tags:
            bar = Content.assemble(bar, " ", Content.styled(" · ".join(tags), "bold $warning"))
        return bar
