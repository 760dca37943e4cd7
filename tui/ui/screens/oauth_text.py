"""What the OAuth section says: the waiting attempt's lines and how a login ended.

Plain builders of `Content` (no widget, no I/O): the screen decides when to show them. A login's
end is one `LoginOutcome` (the state line, the verdict and its tone, the notification), so the
screen shows every ending (could not start, failed, cancelled, authorized) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.notifications import SeverityLevel
from textual.style import Style

from tui.core.login import LoginAttempt, LoginStep
from tui.core.vocabulary import role_word
from tui.hubspot.errors import HubSpotError
from tui.hubspot.models import AccountReport, AccountRole
from tui.ui.widgets.verdict import TONE_LOOK, Tone, error_verdict, report_tone, report_verdict


def dim(text: str) -> Content:
    """`text` in the muted foreground (notes and hints)."""
    return Content.styled(text, "$foreground-muted")


def error_line(text: str) -> Content:
    """`text` as an error (a note under a field)."""
    return Content.styled(text, "$text-error")


def pin_note(text: str, problem: str | None) -> Content:
    """The note under the pin field: what an empty or filled pin does, or why it is wrong."""
    if problem:
        return error_line(f"✖ {problem}")
    if text:
        return dim(f"only account {text} will be offered")
    return dim("empty: HubSpot lets you pick among all your accounts")


def url_label(*, demo: bool) -> Content:
    """The line above the authorize URL: what copies it and what `o` opens."""
    opener = "o opens the account chooser" if demo else "o opens a browser on this machine"
    # One line at 80 columns; the URL below is itself a link (OSC 8), so no separate label.
    return Content.assemble(
        Content.styled("Authorize URL", "bold"), dim(f" — ctrl+y copies · {opener}")
    )


def url_link(url: str) -> Content:
    """The raw URL on its own, folded by width only (never at an inserted space), and also an
    OSC 8 link, so a click on any of its rows opens the whole URL."""
    return Content(url).stylize(Style(link=url))


def listener_line(attempt: LoginAttempt) -> Content:
    """Where the loopback listener waits, or why there is none (then pasting is the way)."""
    if attempt.listen_address:
        return Content.assemble(
            Content.styled("✔ Listening", "$text-success"),
            f" on {attempt.listen_address} for {attempt.redirect_uri}",
        )
    return Content.assemble(
        Content.styled(f"⚠ {attempt.listen_error}", "$text-warning"),
        "\n  Paste the redirected URL below instead.",
    )


def ssh_help(tunnel: str) -> Content:
    """The `ssh -L` command to run first, and why the browser will say "can't connect"."""
    # The command stands out from the warning around it: it is the thing to copy.
    return Content.assemble(
        "Over SSH — run this on your own machine first (ctrl+t copies it):\n  ",
        Content.styled(tunnel, "bold $text"),
        '\nWithout the tunnel the browser will show "can\'t connect to localhost" — '
        "that's expected; copy its address bar and paste it below.",
    )


def waiting_state(attempt: LoginAttempt) -> Content:
    """The state line while an attempt waits for its redirect."""
    pinned = f" (pinned {attempt.hub_pin})" if attempt.hub_pin is not None else ""
    return Content.styled(f"⟳ Waiting for the redirect{pinned} · x cancels", "bold")


STEP_STATES: dict[LoginStep, str] = {
    LoginStep.CALLBACK: "⟳ Redirect received — exchanging the code…",
    LoginStep.TOKENS: "⟳ Tokens received — probing the account…",
}
"""The state line once a login reaches these steps (the timeline records every step)."""


@dataclass(frozen=True)
class LoginOutcome:
    """How a login ended, as the screen shows it."""

    state: Content
    """The state line."""
    verdict: Content
    """The verdict box."""
    tone: Tone | None
    """The verdict's tint (None: neutral)."""
    notice: str = ""
    """The notification's text (empty: none)."""
    severity: SeverityLevel = "error"
    timeout: float | None = None
    """Seconds the notification stays (None: Textual's default)."""
    markup: bool = False
    """True only for our own words: HubSpot's messages are shown literally."""


def could_not_start(exc: HubSpotError) -> LoginOutcome:
    """No authorize URL could be built (e.g. no credentials, or the store failed)."""
    state = error_line("✖ Could not start — see why below.")
    return LoginOutcome(state, error_verdict(exc), "bad", exc.message)


def login_failed(exc: HubSpotError, *, cancelled: bool = False) -> LoginOutcome:
    """The login ended without an account (cancelled by the user: no notification)."""
    if cancelled:
        state = Content.styled("Cancelled — ctrl+l starts again.", "bold")
        return LoginOutcome(state, error_verdict(exc), None)
    state = error_line("✖ Failed — see why below; ctrl+l tries again.")
    return LoginOutcome(state, error_verdict(exc), "bad", exc.message)


def authorized(report: AccountReport) -> LoginOutcome:
    """The login landed on an account: MAIN is the goal, anything else says authorize again."""
    good = report.role is AccountRole.MAIN
    tone = report_tone(report)
    mark = TONE_LOOK[tone][0]
    if good:
        done = f"{mark} Authorized your MAIN account — F2 shows the checklist."
    else:
        done = f"{mark} Authorized, but not your MAIN account — ctrl+l to authorize again."
    return LoginOutcome(
        Content.styled(done, "bold"),
        report_verdict(report),
        tone,
        f"Authorized {report.hub_id}: {role_word(report.role)}"
        + ("" if good else " — not your main account"),
        severity="information" if good else "warning",
        timeout=4,
        markup=True,
    )
