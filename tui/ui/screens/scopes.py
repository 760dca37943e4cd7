"""Scopes: Required and Optional checklists over the grouped catalogue, live lint, exact strings.

The screen keeps its own two sets (required, optional) as the truth; the two SelectionLists only
show the filtered slice of the catalogue. A filter keystroke rebuilds each list's options once
(≈ 220 options, a few ms) and never re-creates widgets.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.core.profile import AppConfig
from tui.core.scope_rules import check_scopes
from tui.core.settings_rules import SettingsInput, apply_settings
from tui.hubspot.scopes import (
    BY_NAME,
    GROUPS,
    PRESETS,
    ScopeInfo,
    filter_scopes,
    scope_params,
)
from tui.ui.screens.base import USER_ERRORS, SectionScreen, user_error
from tui.ui.widgets.filter_box import FilterBox
from tui.ui.widgets.scope_list import ScopeList

HEADING = "\x00group:"
"""Value prefix of the (disabled) group heading rows; never a real scope."""
OTHER_GROUP = "Not in the catalogue"
"""Group of selected scopes the catalogue does not know (e.g. from an install URL)."""
SAVED = "Saved selection"
"""The pseudo-preset that restores what is stored."""


@cache
def _prompt(info: ScopeInfo) -> Content:
    tier = f" · {info.tier}" if info.tier else ""
    return Content.assemble(
        Content(info.name), Content.styled(f"  {info.description}{tier}", "$foreground-muted")
    )


class ScopesScreen(SectionScreen):
    """Choose the scopes the app is configured with; ctrl+s saves and confirms them."""

    SECTION = "scopes"
    HELP = (
        "Tick each scope in the list that matches your HubSpot app's *Auth* settings: "
        "**Required** scopes go in `scope=`, **Optional** ones in `optional_scope=`. They must "
        "match the app exactly or HubSpot refuses the install. Products and line items need a "
        "paid Sales Hub seat: keep them optional. `/` filters, `space` ticks, `p` cycles presets."
    )
    AUTO_FOCUS = "#required"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("p", "next_preset", "Preset"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("ctrl+y", "copy_scope", "Copy scope=", priority=True),
        Binding("ctrl+o", "copy_optional", "Copy optional=", show=False, priority=True),
        Binding("down", "leave_filter", "Lists", show=False),
    ]

    def __init__(self) -> None:
        """Start empty; the stored selection is loaded with the profile."""
        super().__init__()
        self.required: set[str] = set()
        """Scopes ticked as required (the screen's truth)."""
        self.optional: set[str] = set()
        """Scopes ticked as optional."""
        self._loaded_from: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._preset_index = -1
        self._query = ""
        self._visible: list[str] = []

    def compose_body(self) -> ComposeResult:
        """Filter row, the two lists, lint and the exact strings."""
        with Horizontal(id="scopes-top"):
            yield FilterBox(
                self._filter_now, placeholder="/ filter scopes", id="scope-filter", compact=True
            )
            yield Static("", id="scope-counts")
        yield Static(
            Content.styled("p presets: " + " · ".join(PRESETS), "$foreground-muted"),
            id="scope-preset",
        )
        with Horizontal(id="scope-lists"):
            with Vertical(classes="scope-column"):
                yield Static("Required  (scope=)", classes="scope-list-title")
                yield ScopeList(id="required", classes="scope-list")
            with Vertical(classes="scope-column"):
                yield Static("Optional  (optional_scope=)", classes="scope-list-title")
                yield ScopeList(id="optional", classes="scope-list")
        with VerticalScroll(id="scope-bottom"):
            yield Static("", id="scope-lint")
            yield Static("", id="scope-strings", markup=False)

    # ------------------------------------------------------------- loading

    def refresh_from_service(self) -> None:
        """Adopt the stored selection unless the user has unsaved changes."""
        if not self.hub_app.loaded:
            return
        app = self.service.profile.app
        stored = (tuple(app.scopes), tuple(app.optional_scopes))
        unsaved = self._loaded_from is not None and (
            (tuple(sorted(self.required)), tuple(sorted(self.optional)))
            != (tuple(sorted(self._loaded_from[0])), tuple(sorted(self._loaded_from[1])))
        )
        if stored != self._loaded_from and not unsaved:
            self.required, self.optional = set(stored[0]), set(stored[1])
            self._loaded_from = stored
            self._rebuild()
        self._summarise()

    # ------------------------------------------------------------ building

    def _rows(self) -> list[tuple[str, list[ScopeInfo]]]:
        """Group → matching scopes, in catalogue order, plus unknown selected scopes."""
        matches = filter_scopes(self._query)
        groups: dict[str, list[ScopeInfo]] = {group: [] for group in GROUPS}
        for info in matches:
            groups.setdefault(info.group, []).append(info)
        unknown = sorted((self.required | self.optional) - set(BY_NAME))
        words = self._query.lower().split()
        extra = [
            ScopeInfo(name, OTHER_GROUP, "not a known HubSpot scope")
            for name in unknown
            if all(w in name.lower() for w in words)
        ]
        if extra:
            groups[OTHER_GROUP] = extra
        return [(group, infos) for group, infos in groups.items() if infos]

    def _rebuild(self) -> None:
        """Replace both lists' options with the filtered catalogue (once per keystroke)."""
        rows = self._rows()
        self._visible = [info.name for _, infos in rows for info in infos]
        for list_id, chosen in (("required", self.required), ("optional", self.optional)):
            widget = self.query_one(f"#{list_id}", SelectionList)
            options: list[Selection[str]] = []
            for group, infos in rows:
                options.append(
                    Selection(
                        Content.styled(f"── {group}", "bold"),
                        f"{HEADING}{group}",
                        False,
                        disabled=True,
                    )
                )
                options.extend(
                    Selection(_prompt(info), info.name, info.name in chosen) for info in infos
                )
            # The rebuild re-selects what is ticked: that is not a user change.
            with widget.prevent(SelectionList.SelectedChanged, SelectionList.SelectionToggled):
                widget.clear_options()
                widget.add_options(options)
            if options and widget.highlighted is None:
                widget.highlighted = 1 if len(options) > 1 else 0

    def _filter_now(self, value: str) -> None:
        """Each filter keystroke, straight from the field (one frame: see FilterBox)."""
        if value != self._query and self.is_mounted:
            self._query = value
            self._rebuild()

    @on(Input.Submitted, "#scope-filter")
    def _filter_done(self) -> None:
        self.query_one("#required", SelectionList).focus()

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        value = event.selection.value
        if value.startswith(HEADING):
            return
        target = self.required if event.selection_list.id == "required" else self.optional
        if value in event.selection_list.selected:
            target.add(value)
        else:
            target.discard(value)
        self._summarise()

    # ------------------------------------------------------------- summary

    def _ordered(self, chosen: set[str]) -> list[str]:
        """Catalogue order (oauth first), unknown names last: stable strings to compare."""
        index = {info.name: i for i, info in enumerate(BY_NAME.values())}
        return sorted(chosen, key=lambda n: (n != "oauth", index.get(n, len(index)), n))

    def selection(self) -> tuple[list[str], list[str]]:
        """(required, optional) in the order they will be sent."""
        return self._ordered(self.required), self._ordered(self.optional)

    def _summarise(self) -> None:
        required, optional = self.selection()
        app = self.service.profile.app if self.hub_app.loaded else None
        dirty = app is not None and (set(app.scopes), set(app.optional_scopes)) != (
            self.required,
            self.optional,
        )
        state = (
            " · unsaved (ctrl+s)"
            if dirty
            else (
                " · ✔ saved"
                if app is not None and app.scopes_confirmed
                else " · not confirmed (ctrl+s)"
            )
        )
        self.query_one("#scope-counts", Static).update(
            Content.assemble(
                Content.styled(f"{len(required)} required · {len(optional)} optional", "bold"),
                Content.styled(state, "$text-warning" if dirty else "$foreground-muted"),
            )
        )
        checked = check_scopes(required, optional)
        lines = [
            Content.styled(
                f"{'✖' if w.level == 'error' else '⚠'} {w.message}",
                "$text-error" if w.level == "error" else "$text-warning",
            )
            for w in checked.findings
        ]
        lines += [Content.styled(f"⚠ {note}", "$text-warning") for note in checked.notes]
        if not lines:
            lines = [Content.styled("✔ No problems found with this selection", "$text-success")]
        self.query_one("#scope-lint", Static).update(Content("\n").join(lines))
        scope, optional_part = scope_params(required, optional)
        self.query_one("#scope-strings", Static).update(
            f"{scope}\n{optional_part or '(no optional_scope parameter)'}"
        )

    # ----------------------------------------------------------------- keys

    def action_next_preset(self) -> None:
        """Apply the next preset (the cycle ends with the saved selection)."""
        names = [*PRESETS, SAVED]
        self._preset_index = (self._preset_index + 1) % len(names)
        name = names[self._preset_index]
        if name == SAVED:
            app = self.service.profile.app
            self.required, self.optional = set(app.scopes), set(app.optional_scopes)
        else:
            required, optional = PRESETS[name]
            self.required, self.optional = set(required), set(optional)
        self.query_one("#scope-preset", Static).update(
            Content.assemble(
                Content.styled("Preset: ", "bold"),
                Content(name),
                Content.styled("  (p for the next one; ctrl+s saves)", "$foreground-muted"),
            )
        )
        self._rebuild()
        self._summarise()

    def action_focus_filter(self) -> None:
        """Focus the filter box."""
        self.query_one("#scope-filter", Input).focus()

    def action_leave_filter(self) -> None:
        """Down from the filter goes to the Required list."""
        if isinstance(self.focused, Input):
            self.query_one("#required", SelectionList).focus()

    def action_copy_scope(self) -> None:
        """Copy the `scope=` string (OSC 52)."""
        scope, _ = scope_params(*self.selection())
        self.app.copy_to_clipboard(scope)
        self.notify("Copied the scope= string")

    def action_copy_optional(self) -> None:
        """Copy the `optional_scope=` string (OSC 52)."""
        _, optional = scope_params(*self.selection())
        self.app.copy_to_clipboard(optional)
        self.notify("Copied the optional_scope= string")

    def action_save(self) -> None:
        """Store the selection and mark it confirmed (in a worker)."""
        if not self.hub_app.loaded:
            return
        required, optional = self.selection()
        outcome = apply_settings(
            self.service.profile.app, SettingsInput(scopes=required, optional_scopes=optional)
        )
        if not outcome.ok:
            self.notify(f"Can't save: {outcome.refusals[0].reason}", severity="error", markup=False)
            return
        self._save(outcome.app)

    @work(exclusive=True, group="save-scopes", exit_on_error=False)
    async def _save(self, app: AppConfig) -> None:
        try:
            await self.service.save_app(app)
        except USER_ERRORS as exc:
            err = user_error(exc)
            body = f"{err.message}\n→ {err.action}" if err.action else err.message
            self.notify(body, title="Not saved", severity="error", markup=False)
            return
        self._loaded_from = (app.scopes, app.optional_scopes)
        self.required, self.optional = set(app.scopes), set(app.optional_scopes)
        self._rebuild()
        self.notify("Scopes saved. Next: press F5 to authorize.", timeout=3)
        self.hub_app.changed()
