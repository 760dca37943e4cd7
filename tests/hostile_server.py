"""A hostile stand-in for HubSpot: huge answers, trickling answers, bloated introspections.

Not a test module. A raw-socket HTTP/1.1 server on a thread (or as `python -m
tests.hostile_server HOST PORT MODE` inside a network namespace), so the misbehaviour is exactly
what a broken or malicious server does on the wire, not what a framework allows. It records every
connection and the bytes received, so a test can prove that nothing at all was sent to it.

Modes:
- `normal`: plausible small HubSpot answers for every endpoint the checks call.
- `huge`: 200 with a body of `HUGE_BYTES` (streamed; no Content-Length, so only the client's own
  cap can stop it).
- `trickle`: 200 headers, then one byte every `TRICKLE_GAP` seconds, forever.
- `scopes`: `normal`, but the token introspection lists `scope_count` scopes.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from pathlib import Path

HUGE_BYTES = 400 << 20
TRICKLE_GAP = 0.5
HUB = 44120003


def _answer_json(path: str, scope_count: int) -> bytes:
    if path.startswith("/oauth/v3/token/introspect"):
        # Unknown scopes first, the ones the app asked for last: what is kept must not depend
        # on the order HubSpot lists them in.
        customs = [f"crm.objects.custom_{n}.read" for n in range(scope_count)]
        scopes = [*customs, "oauth", "crm.objects.contacts.read"]
        data: object = {
            "active": True,
            "hub_id": HUB,
            "hub_domain": "acme.com",
            "user": "me@acme.com",
            "scopes": scopes,
            "token_type": "access",
        }
    elif path.startswith("/oauth/"):
        data = {"access_token": "at-new-" + "x" * 30, "refresh_token": "rt-1", "expires_in": 1800}
    elif path.startswith("/account-info/"):
        data = {"portalId": HUB, "accountType": "STANDARD", "uiDomain": "app.hubspot.com"}
    else:
        data = {"results": [{"id": "1"}], "paging": {}}
    return json.dumps(data).encode()


class HostileServer:
    """Serves `mode` on (host, port) until `stop()`; counts connections and received bytes."""

    def __init__(
        self, mode: str, host: str = "127.0.0.1", port: int = 0, scope_count: int = 0
    ) -> None:
        self.mode = mode
        self.scope_count = scope_count
        self.connections = 0
        self.received = 0
        self.sent = 0
        self._sock = socket.create_server((host, port), backlog=64)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self.host = host
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            while not self._stop.is_set():
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    self.received += len(chunk)
                    head += chunk
                head, _, body = head.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    self.received += len(chunk)
                    body += chunk
                path = lines[0].split(" ")[1]
                if not self._answer(conn, path):
                    return
        except OSError:
            return
        finally:
            conn.close()

    def _answer(self, conn: socket.socket, path: str) -> bool:
        """Answer one request; False once the connection is done."""
        if self.mode == "huge":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
            block = b" " * (1 << 20)
            for _ in range(HUGE_BYTES // len(block)):
                if self._stop.is_set():
                    return False
                conn.sendall(block)
                self.sent += len(block)
            return False
        if self.mode == "trickle":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
            while not self._stop.is_set():
                conn.sendall(b" ")
                self.sent += 1
                time.sleep(TRICKLE_GAP)
            return False
        body = _answer_json(path, self.scope_count)
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        self.sent += len(body)
        return True


def main(argv: list[str]) -> None:
    """`HOST PORT MODE COUNTS_FILE`: serve until killed, writing the counts after each second."""
    host, port, mode, counts = argv[0], int(argv[1]), argv[2], Path(argv[3])
    with HostileServer(mode, host, port) as server:
        counts.write_text(json.dumps([0, 0]))
        ready = counts.with_suffix(".ready-tmp")
        ready.write_text(str(server.port))
        ready.replace(counts.with_suffix(".ready"))
        while True:
            tmp = counts.with_suffix(".tmp")
            tmp.write_text(json.dumps([server.connections, server.received]))
            tmp.replace(counts)  # atomic: a reader never sees half a file
            time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1:])
