"""CallbackListener over real loopback sockets: the callback, hostile traffic, ports, races."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable

import pytest

from tests.figures import add_figure
from tui.hubspot.callback_pages import PAGE_OK, PAGE_STATE
from tui.hubspot.errors import CallbackError, InputError
from tui.hubspot.listener import MAX_CONNECTIONS, CallbackListener

STATE = "st4te-Xk3v9_Q2abcdefghijklmnopqrstuvwxyz0123"
CODE = "na1-1a2b-3c4d-5e6f-7a8b9c0d"
MARKER = "zq7marker"


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
async def listener(free_port: int) -> AsyncIterator[CallbackListener]:
    listen = CallbackListener(port=free_port, state=STATE, timeout=30)
    await listen.start()
    yield listen
    await listen.close()


def port_of(listen: CallbackListener) -> int:
    return int(listen.address.rsplit(":", 1)[1])


async def http(port: int, raw: bytes, host: str = "127.0.0.1") -> bytes:
    """Send raw bytes, return everything the server answers ("" when it just closes)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        writer.write_eof()  # half-close: a truncated head then reads as EOF, not a stall
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 5)
    except (ConnectionResetError, BrokenPipeError):
        return b""
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll `condition` (server-side bookkeeping) instead of sleeping a guessed amount."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


def get(target: str, *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def callback(code: str = CODE, state: str = STATE) -> bytes:
    return get(f"/oauth-callback?code={code}&state={state}")


async def test_good_callback_resolves(listener: CallbackListener) -> None:
    assert listener.listening and listener.address == f"localhost:{port_of(listener)}"
    answer = await http(port_of(listener), callback())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == 200
    assert PAGE_OK.encode() in body
    for header in (
        b"Content-Type: text/html; charset=utf-8",
        b"Cache-Control: no-store",
        b"Referrer-Policy: no-referrer",
        b"Connection: close",
    ):
        assert header in head
    assert await listener.wait() == CODE
    assert not listener.listening and listener.address == ""


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback")
async def test_callback_over_ipv6(listener: CallbackListener) -> None:
    answer = await http(port_of(listener), callback(), host="::1")
    assert status_of(answer) == 200
    assert await listener.wait() == CODE


async def test_stops_accepting_after_the_callback(listener: CallbackListener) -> None:
    port = port_of(listener)
    await http(port, callback())
    await listener.wait()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (get(f"/oauth-callback?code={CODE}&state=wrong"), 400),
        (get(f"/oauth-callback?code={CODE}"), 400),
        (get(f"/oauth-callback?state={STATE}"), 400),
        (get(f"/oauth-callback?state={STATE}&code=%3Cscript%3E"), 400),
        (get(f"/other?code={CODE}&state={STATE}"), 404),
        (get(f"/oauth-callback/?code={CODE}&state={STATE}"), 404),
        (get(f"/oauth-callback?code={CODE}&state={STATE}", method="POST"), 405),
        (get(f"/oauth-callback?code={CODE}&state={STATE}", method="DELETE"), 405),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64) + b"\r\n\r\n", 400),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /oauth-callback HTTP/2.0\r\n\r\n", 400),
        (b"GET /oauth-callback HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"GET /oauth-callback HTTP/1.1\r\n folded: header\r\n\r\n", 400),
        (get("/oauth-callback", "X-Big: " + "a" * 17_000), 431),
        (get("/oauth-callback", *[f"X-{i}: v" for i in range(80)]), 431),
        (get("/oauth-callback?" + "a" * 9000), 414),
        (b"GET /oauth-callback HTTP/1.1\r\n", 400),  # EOF before the head ends
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, bytes) else str(value),
)
async def test_bogus_requests_are_turned_away(
    listener: CallbackListener, raw: bytes, status: int
) -> None:
    answer = await http(port_of(listener), raw)
    assert status_of(answer) == status
    assert b"Connection: close" in answer
    assert listener.rejected == 1
    assert listener.listening
    # ...and the real callback still works afterwards.
    assert status_of(await http(port_of(listener), callback())) == 200
    assert await listener.wait() == CODE


async def test_wrong_state_page(listener: CallbackListener) -> None:
    answer = await http(port_of(listener), get(f"/oauth-callback?code={CODE}&state=old"))
    assert PAGE_STATE.encode() in answer
    assert "This link is from a different login attempt." in PAGE_STATE


async def test_head_gets_headers_only_and_does_not_resolve(listener: CallbackListener) -> None:
    answer = await http(
        port_of(listener), get(f"/oauth-callback?code={CODE}&state={STATE}", method="HEAD")
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == 200 and body == b"" and b"Content-Length:" in head
    assert listener.listening
    answer = await http(port_of(listener), get("/elsewhere", method="HEAD"))
    assert status_of(answer) == 404 and answer.endswith(b"\r\n\r\n")
    assert status_of(await http(port_of(listener), callback())) == 200


async def test_pages_never_reflect_request_data(listener: CallbackListener) -> None:
    port = port_of(listener)
    attempts = [
        get(f"/{MARKER}"),
        get(f"/oauth-callback?code={MARKER}12345&state=x{MARKER}"),
        get(f"/oauth-callback?code=%3C{MARKER}%3E&state={STATE}"),
        get(f"/oauth-callback?{MARKER}=1", f"X-{MARKER}: {MARKER}", f"Referer: http://{MARKER}/"),
        get(f"/oauth-callback?state={STATE}&code=<b>{MARKER}</b>"),
        get(f"/oauth-callback?code={CODE}&state={STATE}", method=MARKER.upper()),
        f"{MARKER} {MARKER}\r\n\r\n".encode(),
        get(f"/oauth-callback?code={CODE}&state={STATE}", f"X: {MARKER}" * 3000),
    ]
    for raw in attempts:
        answer = await http(port, raw)
        assert answer, raw
        assert MARKER.encode() not in answer.lower()
    answer = await http(port, get(f"/oauth-callback?code={CODE}{MARKER}&state={STATE}"))
    assert status_of(answer) == 200 and MARKER.encode() not in answer
    assert await listener.wait() == CODE + MARKER


async def test_flood_of_parallel_bogus_connections(listener: CallbackListener) -> None:
    port = port_of(listener)
    junk = [
        get(f"/oauth-callback?code={CODE}&state=nope"),
        b"\x00\xff" * 50 + b"\r\n\r\n",
        get("/favicon.ico"),
        get("/oauth-callback", method="POST"),
    ]
    answers = await asyncio.gather(
        *(http(port, junk[i % len(junk)]) for i in range(200)), return_exceptions=True
    )
    answered = [a for a in answers if isinstance(a, bytes) and a]
    assert answered, "some bogus requests must be answered"
    assert all(status_of(a) in (400, 404, 405) for a in answered)
    assert listener.rejected >= len(answered)
    assert listener.listening
    assert status_of(await http(port, callback())) == 200
    assert await listener.wait() == CODE


async def test_connection_cap_evicts_the_oldest_idle_and_times_out_the_rest(
    free_port: int,
) -> None:
    listen = CallbackListener(port=free_port, state=STATE, timeout=30, read_timeout=0.5)
    await listen.start()
    port = port_of(listen)
    idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(MAX_CONNECTIONS)]
    await until(lambda: len(listen._conns) == MAX_CONNECTIONS)
    # Over the cap: the oldest idle connection is dropped so the newcomer (here the real
    # callback) is served.
    assert status_of(await http(port, callback())) == 200
    assert await listen.wait() == CODE
    assert await asyncio.wait_for(idle[0][0].read(), 5) == b""  # evicted, no answer
    # The other idle connections are closed by the read timeout (408 or, once the login
    # finished, simply closed).
    for reader, _ in idle[1:4]:
        answer = await asyncio.wait_for(reader.read(), 5)
        assert answer == b"" or status_of(answer) == 408
    for _, writer in idle:
        writer.close()
    await until(lambda: not listen._conns)
    assert listen.rejected >= 1
    await listen.close()


async def test_200_idle_connections_do_not_stop_a_login(free_port: int) -> None:
    listen = CallbackListener(port=free_port, state=STATE, timeout=30)  # product read timeout
    await listen.start()
    port = port_of(listen)
    idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(200)]
    await until(lambda: len(listen._conns) == MAX_CONNECTIONS)
    started = time.monotonic()
    assert status_of(await http(port, callback())) == 200
    served_in = time.monotonic() - started
    assert await listen.wait() == CODE
    assert served_in < 2.0  # served at once, not after the idle ones timed out
    for _, writer in idle:
        writer.close()
    await listen.close()
    add_figure("hardening: hostile cases refused or bounded", 1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="holder lookup reads /proc")
async def test_port_in_use_names_the_holder() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        listen = CallbackListener(port=port, state=STATE)
        with pytest.raises(CallbackError) as caught:
            await listen.start()
    error = caught.value
    assert error.code == "PORT_IN_USE"
    assert f"Port {port} is already in use by" in error.message
    assert f"(pid {os.getpid()})" in error.message
    assert error.action == "Stop it, or pick another port (and register that redirect URL)"
    assert not listen.listening and listen.address == ""
    # Paste-only still works after a failed start.
    listen.offer_paste(f"http://localhost:{port}/oauth-callback?code={CODE}&state={STATE}")
    assert await listen.wait() == CODE
    await listen.close()


async def test_timeout(free_port: int) -> None:
    listen = CallbackListener(port=free_port, state=STATE, timeout=0.2)
    await listen.start()
    with pytest.raises(CallbackError) as caught:
        await listen.wait()
    assert caught.value.code == "TIMEOUT" and caught.value.action
    assert not listen.listening
    with pytest.raises(CallbackError):
        await listen.wait()  # stays failed
    await listen.close()


async def test_cancel(listener: CallbackListener) -> None:
    asyncio.get_running_loop().call_later(0.05, listener.cancel)
    with pytest.raises(CallbackError) as caught:
        await listener.wait()
    assert caught.value.code == "CANCELLED"
    assert not listener.listening


async def test_close_while_waiting_cancels(free_port: int) -> None:
    listen = CallbackListener(port=free_port, state=STATE)
    await listen.start()
    waiter = asyncio.create_task(listen.wait())
    await asyncio.sleep(0.01)
    await listen.close()
    await listen.close()  # idempotent
    with pytest.raises(CallbackError) as caught:
        await waiter
    assert caught.value.code == "CANCELLED"


async def test_paste_first_wins_and_closes(listener: CallbackListener) -> None:
    port = port_of(listener)
    waiter = asyncio.create_task(listener.wait())
    listener.offer_paste(f"http://localhost:{port}/oauth-callback?code={CODE}&state={STATE}")
    assert await waiter == CODE
    assert not listener.listening
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    listener.offer_paste(f"?code=other-code-123&state={STATE}")  # ignored
    assert await listener.wait() == CODE


async def test_callback_first_wins_over_paste(listener: CallbackListener) -> None:
    await http(port_of(listener), callback())
    listener.offer_paste(f"?code=other-code-123&state={STATE}")
    assert await listener.wait() == CODE


async def test_bad_paste_raises_and_keeps_waiting(listener: CallbackListener) -> None:
    waiter = asyncio.create_task(listener.wait())
    with pytest.raises(CallbackError):
        listener.offer_paste(f"?code={CODE}&state=another")
    with pytest.raises(InputError):
        listener.offer_paste("not a url at all")
    await asyncio.sleep(0.01)
    assert not waiter.done() and listener.listening
    listener.offer_paste(CODE)
    assert await waiter == CODE


async def test_paste_only_without_start(free_port: int) -> None:
    listen = CallbackListener(port=free_port, state=STATE, timeout=5)
    assert not listen.listening and listen.address == ""
    asyncio.get_running_loop().call_soon(listen.offer_paste, f"code={CODE}&state={STATE}")
    assert await listen.wait() == CODE
    await listen.close()


async def test_works_under_asyncio_run_in_a_thread(free_port: int) -> None:
    """A fresh loop (as under `asyncio.run`) can host a listener built outside any loop."""
    listen = CallbackListener(port=free_port, state=STATE, timeout=5)

    async def main() -> str:
        await listen.start()
        port = port_of(listen)
        answer = await http(port, callback())
        assert status_of(answer) == 200
        try:
            return await listen.wait()
        finally:
            await listen.close()

    assert await asyncio.to_thread(asyncio.run, main()) == CODE
