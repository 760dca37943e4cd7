"""What the account table shows for an account: its cells, the header, the filter's text.

Plain functions over `AccountReport` (no widget): the table formats only the rows it draws, and
the benchmarks predict what a filter matches with the same `search_text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.core.vocabulary import access_text, expiry_text, role_word, scopes_ratio
from tui.hubspot.models import AccountReport
from tui.hubspot.text import clean_line, fit_cells

COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("hub", "Hub ID", 12),
    ("role", "Role", 11),
    ("products", "Products", 12),
    ("line_items", "Line items", 12),
    ("scopes", "Scopes", 6),
    ("token", "Token", 9),
    ("type", "Type", 14),
    ("region", "Region", 6),
    ("domain", "Domain", 28),
)
"""Column keys, headers and widths, in display order: what decides "is this the right account"
first, so it is visible at 80 columns without scrolling sideways."""

CELL_PAD = 1
"""Blank cells on each side of a cell (as DataTable's default padding)."""

ROW_WIDTH = sum(width + 2 * CELL_PAD for _, _, width in COLUMNS)
"""Cells in a whole row."""

Row = tuple[str, ...]


def row_for(report: AccountReport, active: bool, expires_at: float | None, now: float) -> Row:
    """The cells of one account as plain strings (the words carry the meaning)."""
    hub = f"● {report.hub_id}" if active else f"  {report.hub_id}"
    domain = report.display_name
    return (
        hub,
        role_word(report.role),
        access_text(report.products),
        access_text(report.line_items),
        scopes_ratio(report),
        expiry_text(None if expires_at is None else expires_at - now),
        report.account_type.value,
        report.region or "-",
        domain,
    )


def search_text(report: AccountReport) -> str:
    """What a filter matches against: hub id, domain, name, role, type and region (lower case)."""
    return " ".join(
        (
            str(report.hub_id),
            report.display_name,
            report.portal_name,
            role_word(report.role),
            report.account_type.value,
            report.region,
        )
    ).lower()


def matches(report: AccountReport, query: str) -> bool:
    """True when every word of `query` appears in the account's `search_text`."""
    text = search_text(report)
    return all(word in text for word in query.lower().split())


def fit(text: str, width: int) -> str:
    """`text` cut (with an ellipsis) or padded to exactly `width` terminal cells.

    By cells, not characters: a wide (CJK) name would otherwise push its row's columns right.
    """
    if text.isascii() and text.isprintable():  # the common case, kept cheap for big tables
        return text[: max(0, width - 1)] + "…" if len(text) > width else text.ljust(width)
    return fit_cells(clean_line(text, 4 * width + 8), width)


def line(cells: Sequence[str]) -> str:
    pad = " " * CELL_PAD
    return "".join(
        f"{pad}{fit(cell, width)}{pad}" for cell, (_, _, width) in zip(cells, COLUMNS, strict=True)
    )


HEADER_TEXT = line([label for _, label, _ in COLUMNS])
