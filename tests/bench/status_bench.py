"""`hubspot-tui status --json`: fast, Textual-free, and `--check` probing concurrently.

- Wall time of `status --json` on a stored 3-account profile against `python -c "import httpx,
  tomllib"` (the floor of any Python CLI that can talk HTTP and read TOML), interleaved.
- Whether the status path imported Textual, httpx, asyncio or ssl (it must not: it reads the
  store synchronously and needs neither an event loop nor an HTTP client), read from
  `python -X importtime`.
- `status --check` against a bench-process sandbox that answers every API call after 80 ms (as a
  far-away HubSpot would): 3 accounts must take about as long as 1 (the probes of all accounts
  run concurrently over the one shared client), and each account costs exactly its four calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.bench.common import (
    NOWHERE,
    ROOT,
    Row,
    Settings,
    app_command,
    failed_row,
    median,
    ratio_row,
)
from tests.bench.fixtures import write_profile
from tests.bench.sandbox_env import BenchSandbox, authorize_accounts

CHECK_DELAY = 0.08
"""Seconds every sandbox API call takes in the --check benchmark."""


def _timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=120, check=False
    )
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{argv[-3:]} exited {done.returncode}: {done.stderr[-400:]}")
    return took, done.stdout


def run(settings: Settings, work: Path) -> list[Row]:
    """The status rows."""
    rows: list[Row] = []
    profile = write_profile(work / "status-3", 3)
    status = [*app_command(), "--config-dir", str(profile), "--api-base", NOWHERE]
    try:
        app, base = [], []
        ready = None
        for i in range(max(settings.runs, 5)):
            pair = [
                lambda: _timed([*status, "status", "--json"]),
                lambda: _timed([sys.executable, "-c", "import httpx, tomllib"]),
            ]
            if i % 2:
                pair.reverse()
            results = [make() for make in pair]
            if i % 2:
                results.reverse()
            app.append(results[0][0] * 1000)
            base.append(results[1][0] * 1000)
            ready = json.loads(results[0][1])["ready"]
        rows.append(
            ratio_row(
                "status --json (3 accounts)",
                app,
                base,
                "ms",
                1.0,
                note=f"vs `python -c 'import httpx, tomllib'`; ready={ready}",
            )
        )
    except Exception as exc:
        rows.append(failed_row("status --json", exc))
    try:
        rows.extend(_imports(status))
    except Exception as exc:
        rows.append(failed_row("status imports", exc))
    try:
        rows.extend(_check(settings, work))
    except Exception as exc:
        rows.append(failed_row("status --check", exc))
    return rows


def _imports(status: list[str]) -> list[Row]:
    """Which heavy modules the status path imports (from `-X importtime`)."""
    # `-m tui` runs the same code as the console script (tui.__main__:main).
    argv = [sys.executable, "-X", "importtime", "-m", "tui", *status[1:], "status", "--json"]
    done = subprocess.run(
        argv, capture_output=True, text=True, cwd=str(ROOT), timeout=60, check=False
    )
    names = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    textual = sorted(n for n in names if n == "textual" or n.startswith("textual."))
    network = sorted(n for n in names if n in NETWORK_MODULES)
    return [
        Row(
            "status path imports Textual",
            float(len(textual)),
            "modules",
            target="0",
            passed=not textual,
            note=", ".join(textual[:3]) or "none",
        ),
        Row(
            "status path imports httpx/asyncio/ssl",
            float(len(network)),
            "modules",
            target="0",
            passed=not network,
            note=", ".join(network) or "none: they load only to talk to HubSpot",
        ),
    ]


NETWORK_MODULES = ("httpx", "asyncio", "ssl", "h11", "anyio")
"""Top-level modules only a command that talks to HubSpot needs."""


def _check(settings: Settings, work: Path) -> list[Row]:
    """`status --check` with 3 accounts vs 1, against a sandbox with 80 ms per call."""
    with BenchSandbox() as box:
        three = work / "check-3"
        one = work / "check-1"
        asyncio.run(authorize_accounts(box, three, (44120003, 44120001, 44120004)))
        asyncio.run(authorize_accounts(box, one, (44120003,)))
        box.delay_api(CHECK_DELAY)
        env = {**os.environ, "HUBSPOT_TUI_API_BASE": box.base_url}
        times: dict[str, list[float]] = {"3": [], "1": []}
        calls: Counter[str] = Counter()
        for i in range(max(3, settings.runs // 2)):
            order = (("3", three), ("1", one)) if i % 2 == 0 else (("1", one), ("3", three))
            for key, directory in order:
                mark = len(box.sandbox.request_log)
                took, out = _timed(
                    [*app_command(), "--config-dir", str(directory), "status", "--check", "--json"],
                    env=env,
                )
                times[key].append(took * 1000)
                if key == "3":
                    calls = Counter(
                        _kind(r.path) for r in box.sandbox.request_log[mark:] if r.status
                    )
                json.loads(out)
    per_account = {kind: count / 3 for kind, count in calls.items()}
    duplicated = {k: v for k, v in per_account.items() if v != 1}
    return [
        ratio_row(
            "status --check: 3 accounts vs 1",
            times["3"],
            times["1"],
            "ms",
            1.5,
            note=f"every API call +{CHECK_DELAY * 1000:g} ms; 3 in sequence would be ≈ 3×",
        ),
        Row(
            "status --check: calls per account",
            float(sum(calls.values())) / 3,
            "calls",
            target="4, none twice",
            passed=not duplicated and set(per_account) == set(KINDS),
            note=", ".join(f"{k} {v:g}" for k, v in sorted(per_account.items())),
        ),
        Row(
            "status --check (3 accounts, 80 ms per call)",
            median(times["3"]),
            "ms",
            target="(info)",
        ),
    ]


KINDS = ("introspect", "account-info", "products", "line_items")


def _kind(path: str) -> str:
    if path.endswith("/introspect"):
        return "introspect"
    if path.startswith("/account-info"):
        return "account-info"
    if "/objects/" in path:
        return path.rsplit("/", 1)[-1]
    if path.endswith("/token"):
        return "token"
    return path
