"""The fixed answers of the OAuth callback listener.

Every page is one of the constants here: nothing from a request (its path, query or headers) is
ever reflected into the HTML, so a crafted callback URL cannot inject anything into the browser.
"""

from __future__ import annotations

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    410: "Gone",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
}
PAGE_OK = (
    "hubspot-tui received the authorization. You can close this tab and return to the terminal."
)
PAGE_STATE = (
    "This link is from a different login attempt. "
    "Use the link from the latest attempt in hubspot-tui, or restart the login."
)
PAGE_NO_CODE = (
    "This address did not carry an authorization code from HubSpot. "
    "Go back to the terminal and try the login again."
)
PAGE_DONE = "This login attempt has already finished. You can close this tab."
REJECTION_PAGES = {
    400: "Bad request.",
    404: "Not found.",
    405: "Method not allowed.",
    408: "The request took too long.",
    414: "Request line too long.",
    431: "Request headers too large.",
}


def http_answer(status: int, text: str, *, head_only: bool = False) -> bytes:
    """A complete HTTP/1.1 answer with a fixed page; `text` is always one of our constants."""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>hubspot-tui</title></head><body><p>{text}</p></body></html>\n"
    ).encode()
    lines = [
        f"HTTP/1.1 {status} {_REASONS[status]}",
        "Content-Type: text/html; charset=utf-8",
        f"Content-Length: {len(body)}",
        "Cache-Control: no-store",
        "Referrer-Policy: no-referrer",
        "X-Content-Type-Options: nosniff",
        "Content-Security-Policy: default-src 'none'",
        "Connection: close",
    ]
    if status == 405:
        lines.append("Allow: GET, HEAD")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    return head if head_only else head + body
