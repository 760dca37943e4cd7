"""HTTP plumbing of the HubSpot client: the shared TLS context, capped body reads, and a short
human reason for a failed connection. httpx is only imported when these run.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

    import httpx

MAX_BODY = 1 << 20
"""The largest answer read (1 MiB): every HubSpot answer hubspot-tui reads is a few KiB."""


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process, shared by every client (what httpx would build each time).

    Building one loads the CA bundle (15-40 ms); a client rebuilt after a token-version change,
    a service per command or per test would otherwise pay it again.
    """
    import httpx

    return httpx.create_ssl_context()


async def read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    """The body (decoded), and whether it is whole: reading stops past `MAX_BODY` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return b"", False
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            return b"", False
        chunks.append(chunk)
    return b"".join(chunks), True


def connect_reason(exc: BaseException) -> str:
    """A short human reason for a failed connect, from the OS error underneath httpx."""
    import socket
    import ssl

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host name not found (DNS)"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "the TLS certificate could not be verified"
        if isinstance(cause, ssl.SSLError):
            return "the TLS handshake failed"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "host name not found (DNS)"
    return "connection failed"
