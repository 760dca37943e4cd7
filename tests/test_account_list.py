"""AccountList: the accounts, filter and row positions behind the virtualised account table."""

from __future__ import annotations

from tui.hubspot.models import AccountReport
from tui.ui.widgets.account_list import AccountList


def _accounts() -> list[AccountReport]:
    return [
        AccountReport(44120003, hub_domain="acme.com", portal_name="Acme"),
        AccountReport(44120017, hub_domain="acme-test.com", portal_name="Acme test"),
        AccountReport(51000001, hub_domain="globex.com", portal_name="Globex"),
        AccountReport(44990000, hub_domain="initech.com", portal_name="Initech"),
    ]


def _shown(accounts: AccountList) -> list[int]:
    return [report.hub_id for p in range(accounts.shown) if (report := accounts.at(p))]


def test_unfiltered_positions_follow_the_list() -> None:
    accounts = AccountList()
    accounts.replace(_accounts())
    assert (accounts.shown, accounts.total) == (4, 4)
    assert _shown(accounts) == [44120003, 44120017, 51000001, 44990000]
    assert accounts.position_of(51000001) == 2
    assert accounts.position_of(1) is None
    assert accounts.at(4) is None and accounts.at(-1) is None


def test_filter_narrows_widens_and_keeps_order() -> None:
    accounts = AccountList()
    accounts.replace(_accounts())
    assert accounts.set_query("  ACME ")
    assert accounts.query == "acme"
    assert not accounts.set_query("acme")  # the same filter, normalised: nothing to redo
    assert _shown(accounts) == [44120003, 44120017]
    assert accounts.set_query("acme test")  # narrowing: every word must appear
    assert _shown(accounts) == [44120017]
    assert accounts.position_of(44120017) == 0
    assert accounts.position_of(44120003) is None
    assert accounts.set_query("com")  # widening looks at every account again
    assert _shown(accounts) == [44120003, 44120017, 51000001, 44990000]
    assert accounts.set_query("")
    assert accounts.shown == 4


def test_replace_keeps_the_filter_and_jump_finds_shown_rows_only() -> None:
    accounts = AccountList()
    accounts.replace(_accounts())
    assert accounts.first_starting_with("4499") == 3
    accounts.set_query("acme")
    assert accounts.first_starting_with("4499") is None
    assert accounts.first_starting_with("441200") == 0
    accounts.replace([*_accounts(), AccountReport(7, hub_domain="acme.io")])
    assert _shown(accounts) == [44120003, 44120017, 7]
    assert accounts.first_starting_with("7") == 2
