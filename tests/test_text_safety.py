"""Text that is not ours is shown literally and cleanly (issue 11, text).

- the shared cleaning drops every Unicode format character (category Cf: U+202E, U+200B,
  U+FEFF…) besides controls, so a server name can't be shown reversed or hide characters;
- table columns are padded and cut by terminal cells, so wide characters keep rows aligned;
- a config path holding `[/]` and a profile name holding Textual markup are rendered literally in
  the dashboard (no MarkupError at start, no clickable action);
- a profile name with escape sequences is refused on every command, read-only ones included.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from tests.app_helpers import screen_text, settle
from tests.figures import add_figure
from tui.cli.output import render_accounts
from tui.core.profile import Profile
from tui.core.service import InstallService
from tui.core.store import ProfileStore
from tui.hubspot import parse
from tui.hubspot.errors import hubspot_text
from tui.hubspot.models import AccountReport
from tui.hubspot.text import cell_width, clean_line, fit_cells, strip_format
from tui.ui.app import HubSpotApp
from tui.ui.widgets.account_rows import fit

ROOT = Path(__file__).resolve().parent.parent
CASES = "hardening: hostile cases refused or bounded"
MARKUP_NAME = "[@click=app.quit]x[/]"


def test_every_format_character_is_stripped() -> None:
    format_chars = [
        chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"
    ]
    assert len(format_chars) > 150
    assert strip_format("".join(format_chars)) == ""
    assert strip_format("a\u202eb\u200bc\ufeffd") == "abcd"


def test_server_text_loses_bidi_overrides_and_zero_widths() -> None:
    info = parse.parse_token_info(
        {
            "active": True,
            "hub_id": 7,
            "hub_domain": "\u202emoc.emca\u200b\ufeff",
            "user": "a\u2066b",
        }
    )
    assert info.hub_domain == "moc.emca" and info.user == "ab"
    assert hubspot_text("bad \u202egnirts\u200b\x1b[31m") == "bad gnirts [31m"
    assert clean_line("x\u202ey\n\tz") == "xy z"
    add_figure(CASES, 1)


def test_columns_are_padded_and_cut_by_cells() -> None:
    assert cell_width("日本") == 4 and cell_width("e\u0301") == 1
    assert cell_width(fit_cells("日本語ドメイン.example", 10)) == 10
    assert cell_width(fit_cells("日本", 10)) == 10
    assert cell_width(fit("日本語ドメイン.example", 9)) == 9
    profile = Profile()
    profile.accounts = {
        1: AccountReport(hub_id=1, hub_domain="ascii.example"),
        2: AccountReport(hub_id=2, hub_domain="日本語のドメイン.example"),
        3: AccountReport(hub_id=3, hub_domain="\u202eevil\u200b.example"),
    }
    lines = render_accounts(profile, lambda hub: None, now=0).splitlines()[1:]
    # The TYPE column starts at the same terminal cell on the header and every row.
    starts = {
        cell_width(line[: line.index(word)])
        for line, word in zip(lines, ["TYPE", *["UNKNOWN"] * 3], strict=True)
    }
    assert len(starts) == 1, lines
    assert "\u202e" not in "\n".join(lines)
    add_figure(CASES, 1)


async def test_markup_in_the_path_and_profile_name_renders_literally(tmp_path: Path) -> None:
    config_dir = tmp_path / "we[/]ird[bold]"
    store = ProfileStore(config_dir)
    store.update(MARKUP_NAME, lambda p, s: None)
    os.chmod(config_dir, 0o777)  # the fresh store then warns, naming the path, in a toast
    service = InstallService(ProfileStore(config_dir), MARKUP_NAME, api_base="http://127.0.0.1:9")
    app = HubSpotApp(service)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        text = screen_text(app)
        assert MARKUP_NAME in text  # shown as typed, not turned into a link
        toasts = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("we[/]ird[bold]" in toast for toast in toasts), toasts  # the path, literally
        assert app.return_code is None and app.is_running  # nothing quit the app
    add_figure(CASES, 1)


@pytest.mark.parametrize("command", [["status"], ["accounts"], ["paths"], ["status", "--json"]])
def test_a_profile_name_with_escapes_is_refused_everywhere(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
        env={**os.environ, "HUBSPOT_TUI_PROFILE": "x\x1b]0;pwned\x07\x1b[2J"},
    )
    assert result.returncode == 2
    assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b" in result.stderr
    add_figure(CASES, 1)
