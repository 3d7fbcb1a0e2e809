"""A tiny HTTP/1.1 server on a loopback socket that answers with exactly the bytes it is
given: for the answers a real hub only gives when something breaks (a body cut mid-way, an
empty 200, a server that never answers)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def response(
    status: int,
    body: bytes | str | dict[str, Any] | list[Any] = b"",
    *,
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> bytes:
    """A complete HTTP response; `length` overrides Content-Length (to promise more than sent)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    head = [f"HTTP/1.1 {status} X", "Content-Type: application/json", "Connection: close"]
    head.append(f"Content-Length: {len(body) if length is None else length}")
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def without_length(status: int, body: bytes) -> bytes:
    """A response whose end is the connection's close (no Content-Length)."""
    return (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n".encode()
        + body
    )


Answer = bytes | Callable[[Request], bytes] | None
"""bytes to send, a function of the request, or None: read the request and never answer."""


@dataclass
class RawServer:
    answers: list[Answer] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _read(self, conn: socket.socket) -> Request:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        need = int(headers.get("content-length", "0"))
        while len(body) < need:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return Request(method, path, headers, body)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            try:
                request = self._read(conn)
                self.requests.append(request)
                answer = (
                    self.answers.pop(0)
                    if self.answers
                    else response(500, {"error": "x", "detail": "no answer scripted"})
                )
                if answer is None:
                    self._held.append(conn)  # never answer; closed at the end
                    continue
                if callable(answer):
                    try:
                        answer = answer(request)
                    except Exception as exc:  # the test sees it as a 500, never a hang
                        answer = response(500, {"error": "test_server", "detail": repr(exc)})
                conn.sendall(answer)
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        self._sock.close()
        for conn in self._held:
            conn.close()
        self._thread.join(timeout=5)
