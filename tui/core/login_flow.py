"""Running one login: `start_login` builds the authorize URL and starts the loopback listener;
`finish_login` waits for the code, exchanges it, probes the account and stores it.

The install service hands in what a login needs (the same collaborators the probes use, as a
`ProbeContext`) and keeps track of the attempts still open.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from tui.core import probes
from tui.core.login import (
    LoginAttempt,
    LoginStep,
    StepCallback,
    StepEvent,
    exchange_failed,
    probe_summary,
    verdict,
)
from tui.core.probes import ProbeContext
from tui.core.profile import Profile, ProfileSecrets
from tui.core.user_errors import error_text
from tui.hubspot.errors import CallbackError, HubSpotError, InputError, OAuthError
from tui.hubspot.models import AccountReport
from tui.hubspot.origins import require_base


async def start_login(
    context: ProbeContext,
    *,
    app_base: str,
    redirect_hook: Callable[[str], None] | None,
    hub_id: int | None,
    timeout: float,
    listen: bool,
) -> LoginAttempt:
    """Build a fresh authorize URL (new state + PKCE) and start the loopback listener.

    Raises InputError when credentials are missing. A busy port does not raise: the attempt
    carries `listen_error` and still accepts a pasted redirect URL.
    """
    # Imported here, not at module top: the listener and OAuth helpers are only needed once a
    # login starts, and the service (imported on start-up) imports this module.
    from tui.hubspot.listener import CallbackListener
    from tui.hubspot.oauth import (
        build_authorize_url,
        new_pkce,
        new_state,
        redirect_uri_problem,
    )

    client_id, _ = context.credentials()
    app = context.profile().app
    require_base(app_base, "The authorize host (app_base)", app=True)
    redirect_uri = app.effective_redirect_uri
    problem = redirect_uri_problem(redirect_uri)
    if problem:
        raise InputError(f"Redirect URL {redirect_uri}: {problem}", "Fix it on F3")
    if redirect_hook is not None:
        # Demo only: the sandbox app registers whatever redirect the profile uses.
        redirect_hook(redirect_uri)
    state = new_state()
    pkce = new_pkce()
    url = build_authorize_url(
        app_base=app_base,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=app.scopes,
        optional_scopes=app.optional_scopes,
        state=state,
        code_challenge=pkce.challenge,
        hub_id=hub_id,
    )
    parts = urlsplit(redirect_uri)
    loopback = parts.hostname == "localhost" and parts.scheme == "http"
    listener = CallbackListener(
        port=parts.port or 80, state=state, path=parts.path or "/", timeout=timeout
    )
    listen_error = ""
    if not listen:
        pass  # paste mode, as asked: nothing went wrong, so nothing to report
    elif not loopback:
        listen_error = (
            f"the redirect URL {redirect_uri} is not on this machine: after authorizing, "
            "paste the address the browser lands on"
        )
    else:
        try:
            await listener.start()
        except CallbackError as exc:
            listen_error = error_text(exc)
    now = context.clock()
    return LoginAttempt(
        url=url,
        redirect_uri=redirect_uri,
        listener=listener,
        code_verifier=pkce.verifier,
        listen_error=listen_error,
        hub_pin=hub_id,
        started_at=now,
        deadline=now + timeout,
    )


async def finish_login(
    context: ProbeContext, attempt: LoginAttempt, on_step: StepCallback | None = None
) -> AccountReport:
    """Wait for the callback or a paste, exchange the code, probe concurrently, store, report.

    `on_step` is called (on the caller's loop) as each LoginStep is reached. Raises a
    HubSpotError subclass on failure (after reporting LoginStep.FAILED). The listener is closed
    however it ends.
    """

    def emit(step: LoginStep, detail: str = "", ok: bool = True) -> None:
        if on_step is not None:
            on_step(StepEvent(step, detail, ok, context.clock()))

    listener = attempt._listener
    try:
        emit(LoginStep.URL_READY, "authorize URL ready")
        if attempt.listen_address:
            emit(LoginStep.LISTENING, f"waiting on {attempt.listen_address}")
        elif attempt.listen_error:
            emit(LoginStep.LISTENING, attempt.listen_error, ok=False)
        else:
            emit(LoginStep.LISTENING, "waiting for the redirected URL to be pasted")
        code = await listener.wait()
        emit(LoginStep.CALLBACK, "redirect received")
        emit(LoginStep.STATE_CHECKED, "state matches this attempt")
        client_id, client_secret = context.credentials()
        try:
            grant = await context.client().exchange_code(
                client_id=client_id,
                client_secret=client_secret,
                code=code,
                redirect_uri=attempt.redirect_uri,
                code_verifier=attempt._code_verifier,
            )
        except OAuthError:
            raise  # HubSpot refused the code itself: its action already says what to do
        except HubSpotError as exc:
            raise exchange_failed(exc) from None
        minutes = int(grant.tokens.expires_in(context.clock()) // 60)
        emit(LoginStep.TOKENS, f"tokens received (access token valid {minutes} min)")
        try:
            report = await probes.inspect(
                context,
                grant.tokens,
                hub_hint=grant.hub_id,
                scopes_hint=grant.scopes,
            )
        except HubSpotError as exc:
            await probes.keep_unchecked(context, grant, attempt.hub_pin, exc)
            raise

        def mutate(profile: Profile, secrets: ProfileSecrets) -> None:
            secrets.tokens[report.hub_id] = grant.tokens
            profile.accounts[report.hub_id] = report
            # The account just authorized becomes active: it is what the user chose, and the
            # checklist then says at once whether it was the right one.
            profile.active_hub_id = report.hub_id

        await context.update(mutate)
        emit(LoginStep.PROBED, probe_summary(report))
        emit(LoginStep.DONE, verdict(report))
        return report
    except HubSpotError as exc:
        emit(LoginStep.FAILED, error_text(exc), ok=False)
        raise
    finally:
        await listener.close()
