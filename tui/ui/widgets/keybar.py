"""A one-row footer of the keys that apply right now, drawn as text.

Textual's Footer recomposes its FooterKey widgets on every bindings change (each focus move and
section switch) and, in 8.2.8, keeps the old ones alive through `data_bind` watchers until its
`compact` value changes (the leak in perf-notes.md). This bar renders the same bindings as one
line of text instead: a section switch creates no widget at all, and an unchanged bar is not
even repainted. Keys stay clickable (they simulate the key press).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

_DIM = "$foreground-muted"


class KeyBar(Static):
    """`^s Save  ^r Reveal secret  …  ?/F1 Help       ^p palette`."""

    DEFAULT_CSS = """
    KeyBar {
        link-style: none;
        link-style-hover: reverse;
        link-background-hover: $panel;
        link-color-hover: $text;
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """Build an empty bar (filled once mounted on its screen)."""
        super().__init__("", id=id, classes=classes)
        self._last = ""

    def on_mount(self) -> None:
        """Follow the screen's bindings."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.redraw)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.call_after_refresh(self.redraw)

    def keys(self) -> list[tuple[Binding, bool]]:
        """The shown bindings (one per action, first key wins) and whether each is enabled."""
        seen: dict[str, tuple[Binding, bool]] = {}
        for _, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen:
                seen[binding.action] = (binding, enabled)
        return list(seen.values())

    def redraw(self) -> None:
        """Re-render the bar when (and only when) its keys changed.

        When the keys do not fit the width, the last ones are left out (`…` says so) but the
        help key always stays: it lists every key. The palette hint goes first.
        """
        if not self.is_attached:
            return
        app = self.app
        items: list[Content] = []
        help_item: Content | None = None
        keys = self.keys()
        # While a text field has focus, plain keys are typing: say so, and list only the keys
        # that still act there (priority bindings: F-keys, ctrl+ keys).
        typing_into = getattr(self.screen, "typing_into", None)
        typing = typing_into() if callable(typing_into) else None
        if typing:
            items.append(
                Content.assemble(
                    Content.styled(" typing into ", _DIM),
                    Content.styled(typing, "bold"),
                    Content.styled(" — F-keys switch sections ", _DIM),
                )
            )
        for binding, enabled in keys:
            if binding.key == app.COMMAND_PALETTE_BINDING:
                continue
            if typing and not binding.priority:
                continue
            key = app.get_key_display(binding)
            if typing and binding.action == "help":
                key = "F1"
            item = Content.assemble(
                Content.styled(f" {key}", "bold $text-accent" if enabled else _DIM),
                Content.styled(f" {binding.description} ", "" if enabled else _DIM),
            )
            first_key = binding.key.split(",")[0]
            item = item.stylize(f"@click=app.simulate_key('{first_key}')")
            if binding.action == "help":
                help_item = item
            else:
                items.append(item)
        width = self.size.width
        tail = [help_item] if help_item is not None else []
        room = width - sum(item.cell_length for item in tail)
        if sum(item.cell_length for item in items) > room:
            more = Content.styled(" …", _DIM)
            kept: list[Content] = []
            for item in items:
                if sum(i.cell_length for i in kept) + item.cell_length + more.cell_length > room:
                    break
                kept.append(item)
            items = [*kept, more]
        bar = Content("").join([*items, *tail])
        if app.ENABLE_COMMAND_PALETTE:
            palette = app.get_key_display(Binding(app.COMMAND_PALETTE_BINDING, ""))
            hint = Content.styled(f"{palette} palette ", _DIM).stylize("@click=app.command_palette")
            if bar.cell_length + 1 + hint.cell_length <= width:
                gap = width - bar.cell_length - hint.cell_length
                bar = Content.assemble(bar, " " * gap, hint)
        # A key greyed out (or back) changes the styling only: compare that too.
        signature = bar.plain + "".join("1" if enabled else "0" for _, enabled in keys)
        signature += "T" if typing else ""
        if signature != self._last:
            self._last = signature
            self.update(bar, layout=False)

    def on_resize(self) -> None:
        """The palette hint is right-aligned: redraw at the new width."""
        self._last = ""
        self.redraw()
