"""Scope rules shared by `configure --scopes` and the Scopes screen (F4).

One reading of a scope list, one overlap rule and one lint, so both faces refuse and accept the
same selections:
- a scope list is split on white space and commas, each name once, surrounding space trimmed;
- a scope in both lists is required: it is dropped from the optional list (and said once);
- an unknown scope name is an error: nothing is saved (the CLI exits 2, the screen refuses).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tui.hubspot.scopes import ScopeWarning, lint


def parse_scope_list(text: str) -> tuple[str, ...]:
    """Scope names from `"oauth crm.objects.deals.read, …"`: split on spaces/commas, each once."""
    return tuple(dict.fromkeys(text.replace(",", " ").split()))


def in_catalogue_order(names: Iterable[str]) -> tuple[str, ...]:
    """Each name once, oauth first, then catalogue order, unknown names last (alphabetically):
    one stable order for what both faces store and send, whatever order they were given in."""
    from tui.hubspot.scopes import BY_NAME

    index = {name: i for i, name in enumerate(BY_NAME)}
    unique = dict.fromkeys(names)
    return tuple(sorted(unique, key=lambda n: (n != "oauth", index.get(n, len(index)), n)))


def without_required(required: Iterable[str], optional: Iterable[str]) -> tuple[str, ...]:
    """The optional list minus every scope that is also required (a scope in both is required)."""
    needed = set(required)
    return tuple(dict.fromkeys(name for name in optional if name not in needed))


@dataclass(frozen=True)
class ScopeSelection:
    """A required/optional selection after the overlap rule, with what lint found in it.

    Attributes:
        required: the required scopes, each once, in `in_catalogue_order`.
        optional: the optional scopes minus the required ones, likewise.
        moved: scopes given in both lists (kept as required only).
        findings: `lint` of the two lists: errors first, then warnings.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...]
    moved: tuple[str, ...]
    findings: tuple[ScopeWarning, ...]

    @property
    def errors(self) -> tuple[ScopeWarning, ...]:
        """The findings that make the selection unsavable."""
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def ok(self) -> bool:
        """True when the selection may be saved."""
        return not self.errors

    @property
    def notes(self) -> tuple[str, ...]:
        """One line per moved scope, for the user (said once, never as a failure)."""
        return tuple(f"{name} is in both lists: kept as required only" for name in self.moved)


def check_scopes(required: Sequence[str], optional: Sequence[str]) -> ScopeSelection:
    """Apply the overlap rule to a selection and lint the result (no I/O)."""
    req = in_catalogue_order(name.strip() for name in required if name.strip())
    given_optional = in_catalogue_order(name.strip() for name in optional if name.strip())
    moved = tuple(name for name in given_optional if name in set(req))
    opt = without_required(req, given_optional)
    return ScopeSelection(req, opt, moved, tuple(lint(req, opt)))


def unknown_scopes(names: Iterable[str]) -> tuple[str, ...]:
    """The names in `names` that are not HubSpot scopes an app can request."""
    from tui.hubspot.scopes import BY_NAME

    return tuple(dict.fromkeys(name for name in names if name not in BY_NAME))
