"""One way to tell the user about a failure: what went wrong, then what to do next.

Every face renders errors through these functions: the CLI's `error:`/`next:` lines, the
dashboard's toasts and status lines, the login timeline. `exit_code` is the CLI's reading of the
same error (2 for input errors, where nothing was saved or sent; 1 for everything else).
"""

from __future__ import annotations

from tui.hubspot.errors import HubSpotError

USER_ERRORS: tuple[type[Exception], ...] = (HubSpotError, OSError)
"""Failures the user can act on (a StoreError is a HubSpotError); anything else is a bug."""

INPUT_ERROR_CODES = frozenset({"USAGE", "UNKNOWN_ACCOUNT", "BAD_INSTALL_URL", "UNSAFE_STORE"})
"""Codes of errors about what the user gave (or an unsafe store): the CLI exits 2 on them,
nothing saved, written or sent."""


def as_user_error(exc: BaseException) -> HubSpotError:
    """Any failure from `USER_ERRORS` as a message plus the next action (never a traceback)."""
    if isinstance(exc, HubSpotError):
        return exc
    if isinstance(exc, OSError):
        return HubSpotError(
            f"Could not read or write the profile: {exc.strerror or exc}",
            "Check the config directory's permissions and free space",
            code="OS_ERROR",
        )
    return HubSpotError(str(exc))


def error_text(exc: HubSpotError) -> str:
    """`message → next action` on one line (status lines, toasts, the login timeline)."""
    message = exc.message.rstrip(". ")
    return f"{message} → {exc.action}" if exc.action else message


def error_lines(exc: HubSpotError) -> list[str]:
    """`error: message`, `  next: action`, `  HubSpot correlation id: …` (the CLI's stderr)."""
    lines = [f"error: {exc.message}"]
    if exc.action:
        lines.append(f"  next: {exc.action}")
    if exc.correlation_id:
        lines.append(f"  HubSpot correlation id: {exc.correlation_id}")
    return lines


def is_input_error(exc: HubSpotError) -> bool:
    """True when the error is about what the user gave (nothing was saved or sent)."""
    return exc.code in INPUT_ERROR_CODES


def exit_code(exc: HubSpotError) -> int:
    """The CLI exit status for `exc`: 2 for input errors, else 1."""
    return 2 if is_input_error(exc) else 1
