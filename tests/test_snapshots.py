"""Snapshot tests: every screen, in the states that matter, at 80x24 and 120x36.

Each test runs the real app on the real sandbox (fixed port, frozen clock, fixed OAuth state and
PKCE, no cursor blink: see `tests/make_screenshots.py`, which shares these scenes) and compares
the screen with the SVG in `tests/__snapshots__/test_snapshots/`.

A failing snapshot writes `snapshot_report.html`: look at it, and only if the new screen is right
run `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.make_screenshots import NARROW, SCENES, WIDE, frozen, world

SIZES = [pytest.param(NARROW, id="80x24"), pytest.param(WIDE, id="120x36")]
"""The smallest supported terminal and the README size."""

SnapCompare = Callable[..., bool]


def _matches(snap_compare: SnapCompare, tmp_path: Path, scene: str, size: tuple[int, int]) -> bool:
    """Run `scene` at `size` on a fresh sandbox and store; True when it matches the snapshot."""
    with frozen(), world(tmp_path / "store") as w:
        SCENES[scene].setup(w)
        return snap_compare(w.app(), terminal_size=size, run_before=SCENES[scene].drive)


@pytest.mark.parametrize("size", SIZES)
def test_overview_empty(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """First run, nothing configured: every check TODO, next step F3, keys without an account
    greyed out."""
    assert _matches(snap_compare, tmp_path, "overview-empty", size)


@pytest.mark.parametrize("size", SIZES)
def test_overview_developer_flagged(
    snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The developer account was authorized: Main account, Products and Line items FAIL, the
    next step says to authorize the MAIN account."""
    assert _matches(snap_compare, tmp_path, "overview-developer-flagged", size)


@pytest.mark.parametrize("size", SIZES)
def test_overview_ready(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Developer then main account authorized: every check OK and the READY banner."""
    assert _matches(snap_compare, tmp_path, "overview-ready", size)


@pytest.mark.parametrize("size", SIZES)
def test_credentials_validation_error(
    snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]
) -> None:
    """A mistyped Client ID and ctrl+s: the reason under the field and the refused save."""
    assert _matches(snap_compare, tmp_path, "credentials", size)


@pytest.mark.parametrize("size", SIZES)
def test_scopes_lint_warnings(
    snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The "Products & line items" preset: paid-seat scopes as required are flagged, and the
    exact scope= / optional_scope= strings are shown whole."""
    assert _matches(snap_compare, tmp_path, "scopes", size)


@pytest.mark.parametrize("size", SIZES)
def test_oauth_waiting(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """An attempt in flight: the whole authorize URL, the listener, the 10:00 countdown and the
    timeline."""
    assert _matches(snap_compare, tmp_path, "oauth", size)


@pytest.mark.parametrize("size", SIZES)
def test_oauth_verdict(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """The developer account picked: the verdict says why it is wrong and what to do."""
    assert _matches(snap_compare, tmp_path, "oauth-verdict", size)


@pytest.mark.parametrize("size", SIZES)
def test_chooser(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Demo mode's Choose-an-Account page: every account with its kind flagged in words."""
    assert _matches(snap_compare, tmp_path, "chooser", size)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """? on the Overview: the section's keys, then the global ones; how to close is in view."""
    assert _matches(snap_compare, tmp_path, "help", size)


@pytest.mark.parametrize("size", SIZES)
def test_focus_visible_without_colour(
    snap_compare: SnapCompare,
    tmp_path: Path,
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NO_COLOR, OAuth after a login: `▶ Pin to account` marks the focused field and the key bar
    says "typing into Pin to account" (no colour needed to see where keys go)."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert _matches(snap_compare, tmp_path, "oauth-pin", size)


@pytest.mark.parametrize(
    "size", [pytest.param((79, 24), id="79x24"), pytest.param((70, 20), id="70x20")]
)
def test_too_small(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Below 80x24: one plain message instead of a broken layout."""
    assert _matches(snap_compare, tmp_path, "too-small", size)


@pytest.mark.parametrize("size", SIZES)
def test_connector_sheet(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """c on the READY Overview: every connector form value, the secret masked, the platform's
    redirect URL and the MAIN account to choose; the first value highlighted for copying."""
    assert _matches(snap_compare, tmp_path, "connector", size)


def test_connector_sheet_missing_values(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """No Partner id and only a developer account: each missing value says which key fixes it."""
    assert _matches(snap_compare, tmp_path, "connector-missing", NARROW)


# The Accounts table is being reworked (virtualised); its snapshots come last in the file.


@pytest.mark.parametrize("size", SIZES)
def test_accounts(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    """Developer and main accounts: the table (● active) and the highlighted one's detail."""
    assert _matches(snap_compare, tmp_path, "accounts", size)
