"""The HubSpot layer of hubspot-tui: no Textual, nothing from the rest of `tui`.

Modules (import the one you need; this package imports none of them, so it stays cheap):

- `models`, `errors`: the shared typed values and the error hierarchy.
- `parse`: pure parsers for token, account, collection and error answers.
- `client`: `HubSpotClient`, the async HTTP client (imports httpx on first request).
- `oauth`: state, PKCE, authorize URL, pasted-redirect and install-URL parsing.
- `listener`: `CallbackListener`, the loopback redirect catcher.
- `validate`: as-you-type checks for the settings form.
- `scopes`: the scope catalogue, presets, search and linter.
"""
