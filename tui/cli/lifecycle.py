"""How hubspot-tui's processes end: Ctrl-C, SIGTERM, SIGHUP and a terminal that went away.

- A command (`login`, `refresh`, ...) runs as one asyncio task; SIGTERM and SIGHUP cancel it
  like Ctrl-C, so its `finally` blocks run: the loopback listener closes, the HTTP client closes,
  and a store write already under way finishes (it runs in a thread and is atomic anyway). The
  command then says so and exits 130.
- The dashboard asks Textual to exit on SIGTERM/SIGHUP, and watches its terminal: see
  `exit_on_signals`.
- The sandbox server stops on any of the three.

Nothing here imports Textual at module level: `hubspot-tui status` must start fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from tui.core.demo import DemoEnvironment
    from tui.core.service import InstallService


def run_async(make: Callable[[], Awaitable[int]]) -> int:
    """Run a command coroutine; SIGTERM/SIGHUP cancel it like Ctrl-C so `finally` blocks run."""

    async def main() -> int:
        task = asyncio.ensure_future(make())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            say_cancelled()
            return 130

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        say_cancelled()
        return 130


def say_cancelled() -> None:
    """Say that the command stopped early (exit status 130 follows)."""
    # After SIGHUP the terminal may be gone: a failed write must not become a traceback.
    with contextlib.suppress(OSError):
        print("hubspot-tui: cancelled; nothing was left half-written", file=sys.stderr)


def run_dashboard(
    config_dir: Path,
    *,
    demo: bool,
    make_service: Callable[[DemoEnvironment | None], InstallService],
) -> int:
    """Run the Textual dashboard until it is quit or signalled; returns the exit status.

    Textual is imported only now: `hubspot-tui status` must never load it.

    Args:
        config_dir: the config directory (the demo keeps its own store beneath it).
        demo: run on the embedded sandbox (`--demo`).
        make_service: builds the service, given the demo environment (or None).
    """
    environment: DemoEnvironment | None = None
    if demo:
        from tui.core.demo import start_demo

        environment = start_demo(config_dir)
    try:
        from tui.core.store import StoreError

        try:
            service = make_service(environment)
        except StoreError as exc:
            print(f"hubspot-tui: {exc}", file=sys.stderr)
            return 2 if exc.code == "UNSAFE_STORE" else 1  # unsafe: bad input, nothing written
        from tui.ui.app import DemoInfo, HubSpotApp

        demo_info = None
        if environment is not None:
            from tui.sandbox import DEMO_APP

            demo_info = DemoInfo(
                client_id=DEMO_APP.client_id,
                client_secret=DEMO_APP.client_secret,
                sandbox_url=environment.base_url,
            )
        app = HubSpotApp(service, demo=demo_info)
        with exit_on_signals(app):
            app.run()
        code = int(app.return_code or 0)
        if code == 128 + signal.SIGHUP:
            release_lost_terminal()
        return code
    finally:
        if environment is not None:
            environment.stop()


def release_lost_terminal() -> None:
    """After a hangup, point stdout and stderr at /dev/null if the terminal is gone.

    Textual's last frames sit unwritten in `sys.__stderr__`'s buffer (the dead terminal answered
    EIO), and the interpreter's final flush would fail again: exit status 120 instead of ours,
    and an "Exception ignored" message nobody can read. Seen over a real `ssh -t` whose client
    was killed (tests/test_ssh_real.py).
    """
    stdin = sys.__stdin__
    with contextlib.suppress(OSError, ValueError):
        if stdin is not None and os.isatty(stdin.fileno()):
            return  # the terminal is still there (a plain SIGHUP): leave it alone
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)


GRACE_SECONDS = 2.0
"""After SIGTERM/SIGHUP, how long the dashboard may take to close before it is cut short."""
TTY_POLL_SECONDS = 1.0
"""How often the dashboard checks that its terminal is still there."""


@contextlib.contextmanager
def exit_on_signals(app: App[None]) -> Iterator[None]:
    """SIGTERM, SIGHUP and a terminal that went away close the dashboard like `q` does.

    Textual leaves both signals at their defaults, which kill the process on the spot (no
    listener closed by us, the terminal left in raw mode), and when the terminal vanishes
    without a SIGHUP reaching us (our session leader did not pass it on) its input thread spins
    on the dead terminal forever, listener open. Here a signal asks the app to exit on its loop
    (unmount closes the listener and the HTTP client; the driver restores the terminal); a
    watchdog thread turns a lost terminal into that SIGHUP; and a timer ends the process if
    closing takes longer than GRACE_SECONDS (a dead terminal can block the last writes). Store
    writes are atomic, so even the timer loses nothing.
    """
    import threading

    def on_signal(signum: int, _frame: object) -> None:
        code = 128 + signum
        # A hangup comes with a SIGCONT from the kernel, and Textual answers SIGCONT by
        # re-entering application mode (its ctrl+z resume): a second input thread that nothing
        # stops, so the process hung until the timer below cut it short (seen over a real ssh
        # whose client was killed, tests/test_ssh_real.py). We are leaving: no resume.
        signal.signal(signal.SIGCONT, signal.SIG_DFL)
        deadline = threading.Timer(GRACE_SECONDS, os._exit, (code,))
        deadline.daemon = True
        deadline.start()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the app's loop is not running (yet or any more)
            raise SystemExit(code) from None
        loop.call_soon_threadsafe(lambda: app.exit(return_code=code))

    def watch_terminal(fd: int, stop: threading.Event) -> None:
        while not stop.wait(TTY_POLL_SECONDS):
            if not os.isatty(fd):  # a hung-up terminal stops answering as one
                os.kill(os.getpid(), signal.SIGHUP)
                return

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)}
    stop = threading.Event()
    stdin = sys.__stdin__
    if stdin is not None and stdin.isatty():
        threading.Thread(
            target=watch_terminal, args=(stdin.fileno(), stop), name="tty-watch", daemon=True
        ).start()
    try:
        yield
    finally:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_sandbox(port: int, token_lifetime: int, redirect_uris: list[str]) -> int:
    """`hubspot-tui sandbox`: serve the fake HubSpot until Ctrl-C, SIGTERM or SIGHUP, printing
    how to point hubspot-tui at it. Returns the exit status."""
    import threading

    from tui.sandbox import DEMO_APP, Sandbox

    sandbox = Sandbox(port=port, token_lifetime=token_lifetime)
    for uri in redirect_uris:
        sandbox.register_redirect_uri(uri)
    try:
        sandbox.start()
    except OSError as exc:
        print(f"hubspot-tui: cannot start the sandbox on port {port}: {exc}", file=sys.stderr)
        return 1
    print(f"Sandbox HubSpot running at {sandbox.base_url}  (Ctrl-C stops it)")
    print(f"  export HUBSPOT_TUI_API_BASE={sandbox.base_url}")
    print(f"  export HUBSPOT_TUI_APP_BASE={sandbox.base_url}")
    print(f"Demo app client id:     {DEMO_APP.client_id}")
    print(f"Demo app client secret: {DEMO_APP.client_secret}  (sandbox only, not a real secret)")
    print("Registered redirect URL: http://localhost:8765/oauth-callback", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0
