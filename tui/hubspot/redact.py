"""Keep secrets out of the HTTP libraries' own log records.

httpx logs every request URL at INFO, and httpcore logs response headers (a redirect's `Location`
included) at DEBUG. Nothing hubspot-tui sends carries a secret in a URL, but a redirect that
delivers an authorization code does (the demo's in-terminal chooser follows one), and a user who
turns on DEBUG logging to report a bug must not paste a code or a token with it. A filter on
those loggers rewrites each record's text before any handler sees it.

Pure stdlib (`logging`, `re`): importing this costs nothing and pulls in neither httpx nor Textual.
"""

from __future__ import annotations

import logging
import re

LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
"""The loggers httpx and httpcore write to (a filter applies only where a record is created)."""

_PARAM_RE = re.compile(
    r"(?i)\b(code|client_secret|refresh_token|access_token|token|code_verifier|hapikey)"
    r"=[^&\s'\"\\)>\]]+"
)
_BEARER_RE = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=\-]+")
_TOKEN_PATH_RE = re.compile(r"(/oauth/v1/(?:access|refresh)-tokens/)[^/\s'\"?]+")


def redact(text: str) -> str:
    """`text` with credential query values, bearer tokens and token paths replaced by `…`."""
    text = _PARAM_RE.sub(r"\1=…", text)
    text = _BEARER_RE.sub(r"\1 …", text)
    return _TOKEN_PATH_RE.sub(r"\1…", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with `redact` (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def install() -> None:
    """Put the filter on the HTTP libraries' loggers (idempotent, cheap)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
