"""`tests/make_screenshots.py` writes every README screenshot, and none of them holds a secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.make_screenshots import SCREENSHOTS
from tui.core.store import ProfileStore
from tui.sandbox import DEMO_APP

SCRIPT = Path(__file__).resolve().parent / "make_screenshots.py"

EXPECTED = {
    "overview": "checklist",
    "credentials": "Client",
    "scopes": "optional_scope",
    "oauth-verdict": "Authorized",
    "oauth": "Listening",
    "chooser": "Choose",
    "accounts": "44120003",
    "help": "Everywhere",
    "connector": "/connector/callback",
}
"""A word each screenshot must show (by file-name prefix): the screen really is on it."""


def _stored_secrets(work_dir: Path) -> set[str]:
    """The client secret and every token in every store the script wrote."""
    found = {DEMO_APP.client_secret}
    stores = {path.parent for path in work_dir.rglob("*.toml")}
    for store_dir in stores:
        _, secrets = ProfileStore(store_dir).load()
        if secrets.client_secret:
            found.add(secrets.client_secret)
        for tokens in secrets.tokens.values():
            found.update({tokens.access_token, tokens.refresh_token})
    return found


@pytest.mark.slow
def test_script_writes_every_screenshot_without_secrets(tmp_path: Path) -> None:
    """Run the script as a user would; check each SVG exists, is a real screen, leaks nothing."""
    out, work = tmp_path / "shots", tmp_path / "work"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), "--work-dir", str(work)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    secrets = _stored_secrets(work)
    # The journey authorized accounts, so tokens were issued and stored: the check has teeth.
    assert len(secrets) > 1
    assert all(len(secret) >= 16 for secret in secrets)
    names = sorted(path.name for path in out.iterdir())
    assert names == sorted(filename for filename, _, _ in SCREENSHOTS)
    for name in names:
        svg = (out / name).read_text(encoding="utf-8")
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>"), name
        assert len(svg) > 20_000, f"{name} is suspiciously small"
        word = next(w for prefix, w in EXPECTED.items() if name.startswith(prefix))
        assert word in svg, f"{name} does not show {word!r}"
        for secret in secrets:
            # A prefix catches a secret cut by wrapping or an ellipsis too; secrets hold no
            # characters the SVG would escape (UUIDs, URL-safe tokens).
            assert secret[:12] not in svg, f"{name} shows a secret"
