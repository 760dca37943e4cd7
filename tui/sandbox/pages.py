"""The HTML a browser sees on the sandbox's app host: account chooser, errors, "not connected".

Every value that came from a request goes through `html.escape` (quotes included, since values land
in attributes). No page ever shows a secret or token: the only request values shown are the
authorize URL's own parameters, which a browser already had.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from tui.sandbox.accounts import SandboxAccount

_STYLE = """
body { font-family: system-ui, sans-serif; background: #f5f8fa; color: #33475b; margin: 0; }
main { max-width: 40rem; margin: 3rem auto; background: #fff; padding: 2rem;
       border: 1px solid #cbd6e2; border-radius: 4px; }
h1 { font-size: 1.4rem; }
ul.accounts { list-style: none; padding: 0; }
ul.accounts li { border: 1px solid #cbd6e2; border-radius: 4px; padding: .8rem; margin: .6rem 0; }
.badge { background: #eaf0f6; border-radius: 3px; padding: 0 .4rem; font-size: .8rem; }
.meta { color: #7c98b6; font-size: .85rem; }
.error { color: #d94c53; }
button { margin-right: .5rem; }
code { background: #eaf0f6; padding: 0 .2rem; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | HubSpot (sandbox)</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _scope_list(title: str, scopes: Iterable[str]) -> str:
    items = "".join(f"<li><code>{escape(s)}</code></li>" for s in scopes)
    return f'<h2>{escape(title)}</h2><ul class="scopes">{items}</ul>' if items else ""


def choose_page(
    *,
    accounts: Iterable[SandboxAccount],
    fields: Mapping[str, str],
    choose_url: str,
    required: Iterable[str],
    optional: Iterable[str],
) -> str:
    """The "Choose an Account" page: one form per account, posting to `choose_url`.

    Args:
        accounts: the accounts offered (one when the authorize URL pins a hub id).
        fields: the original authorize parameters, carried as hidden fields.
        choose_url: where each form posts.
        required: the required scopes, shown to the user.
        optional: the optional scopes, shown to the user.

    Returns:
        The HTML page.
    """
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )
    rows = []
    for account in accounts:
        label = account.type_label
        badge = f' <span class="badge">{escape(label)}</span>' if label else ""
        rows.append(
            f'<li class="account" data-hub-id="{account.hub_id}">'
            f"<strong>{escape(account.name)}</strong>{badge}<br>"
            f'<span class="meta">{escape(account.hub_domain)} · ID {account.hub_id}</span>'
            f'<form method="post" action="{escape(choose_url)}">{hidden}'
            f'<input type="hidden" name="hub_id" value="{account.hub_id}">'
            '<button type="submit" name="decision" value="approve">Connect app</button>'
            '<button type="submit" name="decision" value="deny">Cancel</button>'
            "</form></li>"
        )
    body = (
        "<h1>Choose an Account</h1>"
        "<p>Select the HubSpot account to connect the app to.</p>"
        f'<ul class="accounts">{"".join(rows)}</ul>'
        + _scope_list("The app is requesting", required)
        + _scope_list("Optional (granted if the account has them)", optional)
    )
    return _page("Choose an Account", body)


def error_page(title: str, message: str) -> str:
    """An error page that goes nowhere: HubSpot shows these instead of redirecting.

    Args:
        title: the heading.
        message: the explanation (escaped here).

    Returns:
        The HTML page.
    """
    return _page(title, f'<h1>{escape(title)}</h1><p class="error">{escape(message)}</p>')


def denied_page(account: SandboxAccount) -> str:
    """The page after "Cancel": the app is not connected and nothing is sent to it."""
    return _page(
        "App not connected",
        "<h1>App not connected</h1>"
        f"<p>The app was not connected to {escape(account.name)} (ID {account.hub_id}). "
        "You can close this window.</p>",
    )
