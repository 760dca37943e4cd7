"""The baseline every hubspot-tui figure is compared with: a minimal, idiomatic Textual app.

Header, an Input, a 120-option SelectionList, a 20-row DataTable and a Footer: roughly what any
dashboard of this kind shows on its first screen, built the stock way. `f6` pushes a second
screen (Header, a Static, a 20-row DataTable, Footer); `b` or `escape` pops it; `ctrl+q` quits.

    python tests/bench/baseline_app.py            # the baseline
    python tests/bench/baseline_app.py --rows N   # f6 pushes a stock DataTable of N account rows

Markers (text the benchmarks wait for in the terminal output): `BASELINE-ROW-00` (first frame),
`PUSHED-SCREEN` (the pushed screen painted), `BASELINE-READY` (back on the first screen after a
pop: the Input's placeholder), and with `--rows` the first account row's hub id.
"""

from __future__ import annotations

import argparse
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, SelectionList, Static

FIRST_FRAME = "BASELINE-ROW-00"
PUSHED = "PUSHED-SCREEN"
BACK = "BASELINE-READY"


def _table_rows(count: int) -> list[tuple[str, ...]]:
    return [
        (f"BASELINE-ROW-{i:02d}", f"value {i}", "STANDARD", "na1", f"row-{i}.example.com")
        for i in range(count)
    ]


class PushedScreen(Screen[None]):
    """A second screen, re-created on every push (the stock pattern)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "app.pop_screen", "Back"),
        Binding("escape", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, account_rows: list[tuple[str, ...]] | None = None) -> None:
        super().__init__()
        self.account_rows = account_rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{PUSHED} — press b to go back")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        if self.account_rows is None:
            table.add_columns("Name", "Value", "Type", "Region", "Domain")
            table.add_rows(_table_rows(20))
        else:
            # The stock way to show N accounts: every row added to a DataTable, with the same
            # fixed column widths as hubspot-tui's table (fixed widths are the fast stock way).
            from tui.ui.widgets.account_rows import COLUMNS

            for _, label, width in COLUMNS:
                table.add_column(label, width=width)
            table.add_rows(self.account_rows)


class BaselineApp(App[None]):
    """Header, Input, SelectionList (120), DataTable (20), Footer."""

    TITLE = "baseline"
    CSS = """
    SelectionList { height: 1fr; }
    DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f6", "push", "Push screen", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, account_rows: list[tuple[str, ...]] | None = None) -> None:
        super().__init__()
        self.account_rows = account_rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=f"type to filter {BACK}")
        yield SelectionList[int](*((f"option {i:03d}", i) for i in range(120)))
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Value", "Type", "Region", "Domain")
        table.add_rows(_table_rows(20))

    def action_push(self) -> None:
        self.push_screen(PushedScreen(self.account_rows))


def account_rows(count: int) -> list[tuple[str, ...]]:
    """The cells hubspot-tui shows for the bench fixture's accounts (same strings, same widths)."""
    import time

    from tests.bench.fixtures import report
    from tui.ui.widgets.account_rows import row_for

    now = time.time()
    return [row_for(report(i, now=now), i == 0, now + 1800, now) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    rows = None
    if args.rows is not None:
        import sys
        from pathlib import Path

        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        rows = account_rows(args.rows)
    BaselineApp(rows).run()


if __name__ == "__main__":
    main()
