"""Authorize accounts on the sandbox as a browser would, without any UI.

Shared by the Pilot tests, the screenshot script and the benchmarks: start a login, let the
sandbox's Choose-an-Account page redirect to the listener, wait for the service to finish.
Imports nothing from Textual.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx

from tui.sandbox.browser import choose

if TYPE_CHECKING:
    from tui.core.service import InstallService


async def authorize_accounts(service: InstallService, *hub_ids: int) -> None:
    """Authorize `hub_ids` in order (the last one ends up active), then close the service."""
    await service.load()
    try:
        async with httpx.AsyncClient() as client:
            for hub_id in hub_ids:
                attempt = await service.start_login(hub_id=hub_id)
                finished = asyncio.create_task(service.finish_login(attempt))
                await choose(client, attempt.url, hub_id)
                await finished
    finally:
        await service.aclose()
