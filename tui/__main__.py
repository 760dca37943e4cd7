"""Entry point of the `hubspot-tui` console script.

Kept tiny: the command line lives in `tui.cli.main`, and Textual is imported only when the dashboard
actually starts, so `hubspot-tui status` never pays for it.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run hubspot-tui and exit with its status (0 ok/ready, 1 failure/not ready, 2 usage)."""
    from tui.cli.main import run

    try:
        code = run(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # `hubspot-tui status | head` closed the pipe early: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
