"""Figures the robustness tests record (fault combinations tried, inputs generated, writers...).

Tests call `record_figure`; `conftest.pytest_terminal_summary` prints them at the end of the run,
so every CI log carries the numbers the issue's closing note quotes.
"""

from __future__ import annotations

FIGURES: dict[str, int] = {}


def record_figure(name: str, value: int) -> None:
    """Set a figure (the latest value wins: a test records its own total once)."""
    FIGURES[name] = value


def add_figure(name: str, value: int) -> None:
    """Add to a figure (for counts accumulated over several tests)."""
    FIGURES[name] = FIGURES.get(name, 0) + value
