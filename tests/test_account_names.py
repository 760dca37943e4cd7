"""An account is never shown nameless: v3 introspection does not promise `hub_domain`.

Without it (and without the optional `portalName`), the account is called by the HubSpot UI host
it lives on and its type, next to its id, in the CLI's `accounts` and `status`, and in the
dashboard's Accounts table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults_support import MAIN, fault_env
from tui.cli.output import render_accounts, render_status
from tui.hubspot.models import AccountReport, AccountType
from tui.ui.widgets.account_rows import row_for, search_text

EU = 44120004


@pytest.mark.parametrize(
    ("report", "name"),
    [
        (AccountReport(1, hub_domain="acme.com", portal_name="Acme Inc"), "acme.com"),
        (AccountReport(1, portal_name="Acme Inc", ui_domain="app.hubspot.com"), "Acme Inc"),
        (
            AccountReport(1, ui_domain="app-eu1.hubspot.com", account_type=AccountType.STANDARD),
            "app-eu1.hubspot.com · STANDARD",
        ),
        (
            AccountReport(
                1, ui_domain="https://app.hubspot.com/x", account_type=AccountType.SANDBOX
            ),
            "app.hubspot.com · SANDBOX",
        ),
        (AccountReport(1, account_type=AccountType.DEVELOPER_TEST), "DEVELOPER_TEST"),
        (AccountReport(1, ui_domain="app.hubspot.com"), "app.hubspot.com"),
        (AccountReport(1), "HubSpot account"),
    ],
)
def test_display_name_is_never_blank(report: AccountReport, name: str) -> None:
    assert report.display_name == name


@pytest.mark.parametrize("hub_id", [MAIN, EU])
async def test_account_without_hub_domain_is_named_by_ui_host_and_type(
    tmp_path: Path, hub_id: int
) -> None:
    async with fault_env(tmp_path, authorized=False) as env:
        account = env.sandbox.account(hub_id)
        account.hub_domain = ""  # introspection then omits `hub_domain`
        account.name = ""  # and account details omit `portalName`
        report = await env.login(hub_id)
        host = "app.hubspot.com" if hub_id == MAIN else "app-eu1.hubspot.com"
        expected = f"{host} · STANDARD"
        assert report.hub_domain == "" and report.portal_name == ""
        assert report.display_name == expected

        service = env.service
        listing = render_accounts(service.profile, service.token_expires_at, now=env.now)
        row = next(line for line in listing.splitlines() if str(hub_id) in line)
        assert expected in row
        status = render_status(
            service.status(), service.profile, service.token_expires_at, now=env.now
        )
        assert f"{hub_id} ({expected})" in status

        cells = row_for(report, True, None, env.now)
        assert cells[-1] == expected and all(cell.strip() for cell in cells)
        assert host in search_text(report)
