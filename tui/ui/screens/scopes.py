"""Scopes: Required and Optional checklists over the grouped catalogue, live lint, exact strings.

The screen keeps its own two sets (required, optional) as the truth; the two checklists only
show the filtered slice of the catalogue. A filter keystroke hands both checklists one new list of
plain rows (they are virtualised: only the lines on screen are drawn) and never re-creates widgets.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from tui.core.profile import AppConfig
from tui.core.scope_rules import check_scopes, in_catalogue_order
from tui.core.settings_rules import SettingsInput, apply_settings
from tui.core.user_errors import error_text
from tui.hubspot.scopes import (
    BY_NAME,
    GROUPS,
    PRESETS,
    ScopeInfo,
    filter_scopes,
    scope_params,
)
from tui.ui.screens.base import USER_ERRORS, SectionScreen, user_error
from tui.ui.widgets.field import FieldLabel
from tui.ui.widgets.filter_box import FilterBox
from tui.ui.widgets.scope_checklist import ScopeChecklist, ScopeRow

OTHER_GROUP = "Not in the catalogue"
"""Group of selected scopes the catalogue does not know (e.g. from an install URL)."""
SAVED = "Saved selection"
"""The pseudo-preset that restores what is stored."""


def _row(info: ScopeInfo) -> ScopeRow:
    tier = f" · {info.tier}" if info.tier else ""
    return ScopeRow(info.name, f"{info.description}{tier}")


class ScopesScreen(SectionScreen):
    """Choose the scopes the app is configured with; ctrl+s saves and confirms them."""

    SECTION = "scopes"
    HELP = (
        "Tick each scope in the list that matches your HubSpot app's *Auth* settings: "
        "**Required** scopes go in `scope=`, **Optional** ones in `optional_scope=`. They must "
        "match the app exactly or HubSpot refuses the install. Products and line items need a "
        "paid Sales Hub seat: keep them optional. `/` filters (`↓` to the list, `↑` from its top "
        "back, `esc` clears), `space` ticks, `p` cycles presets."
    )
    AUTO_FOCUS = "#required"
    FOCUS_LABELS: ClassVar[dict[str, str]] = {
        "scope-filter": "#scope-filter-label",
        "required": "#required-title",
        "optional": "#optional-title",
    }
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
            yield FieldLabel("Filter", id="scope-filter-label", classes="filter-label")
            yield FilterBox(
                self._filter_now, placeholder="/ filter scopes", id="scope-filter", compact=True
            )
            yield Static("", id="scope-counts")
        yield Static(
            Content.styled("p presets: " + " · ".join(PRESETS), "$foreground-muted"),
            id="scope-preset",
        )
        yield Static("", id="scope-empty", markup=False)
        with Horizontal(id="scope-lists"):
            with Vertical(classes="scope-column"):
                yield FieldLabel(
                    "Required  (scope=)", id="required-title", classes="scope-list-title"
                )
                yield ScopeChecklist(id="required", classes="scope-list")
            with Vertical(classes="scope-column"):
                yield FieldLabel(
                    "Optional  (optional_scope=)", id="optional-title", classes="scope-list-title"
                )
                yield ScopeChecklist(id="optional", classes="scope-list")
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

    def on_mount(self) -> None:
        """↑ on the first scope of either list goes back to the filter."""
        for checklist in self.query(ScopeChecklist):
            checklist.on_leave_top = self.action_focus_filter
            checklist.on_slash = self._focus_filter_now
        self.query_one("#scope-filter", FilterBox).on_down = self._focus_list_now
        super().on_mount()

    def _rebuild(self) -> None:
        """Give both checklists the filtered catalogue (once per keystroke)."""
        groups = self._rows()
        self._visible = [info.name for _, infos in groups for info in infos]
        rows: list[ScopeRow] = []
        for group, infos in groups:
            rows.append(ScopeRow("", group))
            rows.extend(_row(info) for info in infos)
        self.query_one("#required", ScopeChecklist).set_rows(rows, self.required)
        self.query_one("#optional", ScopeChecklist).set_rows(rows, self.optional)
        empty = self.query_one("#scope-empty", Static)
        nothing = not rows
        if nothing:
            empty.update(f"No scope matches '{self._query.strip()}' — esc clears the filter")
        if empty.display != nothing:
            empty.display = nothing
            self.query_one("#scope-lists").display = not nothing

    def _filter_now(self, value: str) -> None:
        """Each filter keystroke, straight from the field (one frame: see FilterBox)."""
        if value != self._query and self.is_mounted:
            self._query = value
            self._rebuild()

    @on(Input.Submitted, "#scope-filter")
    def _filter_done(self) -> None:
        self.query_one("#required", ScopeChecklist).focus()

    @on(ScopeChecklist.Toggled)
    def _toggled(self, event: ScopeChecklist.Toggled) -> None:
        # The checklist shares the screen's set and has already changed it.
        self._summarise()

    def _say(self, content: Content | str) -> None:
        """What a key just did, on the line under the filter (toasts would cover the strings)."""
        self.query_one("#scope-preset", Static).update(content)

    # ------------------------------------------------------------- summary

    def selection(self) -> tuple[list[str], list[str]]:
        """(required, optional) in the order they will be sent (see `in_catalogue_order`)."""
        return list(in_catalogue_order(self.required)), list(in_catalogue_order(self.optional))

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
        self._say(
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

    def _focus_list_now(self) -> None:
        self.set_focus(self.query_one("#required", ScopeChecklist))

    def _focus_filter_now(self) -> None:
        self.set_focus(self.query_one("#scope-filter", Input))

    def action_leave_filter(self) -> None:
        """Down from the filter goes to the Required list."""
        if isinstance(self.focused, Input):
            self.query_one("#required", ScopeChecklist).focus()

    def action_go_back(self) -> None:
        """Esc clears a filter first (and returns to the list); with no filter, back."""
        box = self.query_one("#scope-filter", Input)
        if box.value:
            box.value = ""
            self.query_one("#required", ScopeChecklist).focus()
            return
        super().action_go_back()

    def focus_on_return(self) -> None:
        """Never come back to the filter box: `p`, `/` and `b` would be typed into it."""
        if self.focused is None or isinstance(self.focused, Input):
            self.query_one("#required", ScopeChecklist).focus(scroll_visible=False)

    def action_copy_scope(self) -> None:
        """Copy the `scope=` string (OSC 52)."""
        scope, _ = scope_params(*self.selection())
        self.app.copy_to_clipboard(scope)
        self._say(Content.styled("✔ Copied the scope= string", "$text-success"))

    def action_copy_optional(self) -> None:
        """Copy the `optional_scope=` string (OSC 52)."""
        _, optional = scope_params(*self.selection())
        self.app.copy_to_clipboard(optional)
        self._say(Content.styled("✔ Copied the optional_scope= string", "$text-success"))

    def action_save(self) -> None:
        """Store the selection and mark it confirmed (in a worker)."""
        if not self.hub_app.loaded:
            return
        required, optional = self.selection()
        outcome = apply_settings(
            self.service.profile.app, SettingsInput(scopes=required, optional_scopes=optional)
        )
        if not outcome.ok:
            self._summarise()  # the lint panel names every problem, this line the first
            self._say(Content.styled(f"✖ Can't save: {outcome.refusals[0].reason}", "$text-error"))
            return
        self._save(outcome.app, outcome.notes)

    @work(exclusive=True, group="save-scopes", exit_on_error=False)
    async def _save(self, app: AppConfig, notes: tuple[str, ...] = ()) -> None:
        try:
            await self.service.save_app(app)
        except USER_ERRORS as exc:
            err = user_error(exc)
            self._say(Content.styled(f"✖ Not saved: {error_text(err)}", "$text-error"))
            return
        self._loaded_from = (app.scopes, app.optional_scopes)
        self.required, self.optional = set(app.scopes), set(app.optional_scopes)
        self._rebuild()
        said = "".join(f" ({note})" for note in notes)
        self._say(
            Content.styled(f"✔ Scopes saved{said}. Next: press F5 to authorize.", "$text-success")
        )
        self.hub_app.changed()
