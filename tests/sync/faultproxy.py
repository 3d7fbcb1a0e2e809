"""A fault-injecting HTTP/1.1 proxy on loopback, for the sync tests (issue 5, "Proof, not hope").

It sits between the shop's agent and the hub: the agent's `hub_url` points at `proxy.url`, and
the proxy forwards to the real hub. The test switches its behaviour at run time, from any thread:

    proxy.set(Fault.CUT_BEFORE_RESPONSE)      # every request from now on
    proxy.set(Fault.HTTP_500, times=3)        # the next three requests, then back to PASS
    proxy.set(Fault.DELAY, delay_ms=200)

The proxy understands just enough HTTP/1.1 to find where a request and a response end
(Content-Length, chunked, or "until close"), so a fault applies to each *request*, also on a
keep-alive connection that the client opened before the switch. The faults:

- PASS: forward both ways.
- REFUSE: a new connection is reset at once (RST); a request on an open connection resets it.
- BLACKHOLE: accept and read the request, never answer, never forward; hold the connection
  until the client gives up (its read timeout) or the proxy stops.
- DELAY: forward, waiting `delay_ms` before the request goes up and again before the answer
  comes back.
- CUT_BEFORE_RESPONSE: forward the request, wait for the hub's whole answer (so the hub has
  committed), then close the client's connection without a byte of it: "the hub committed but
  the answer never arrived".
- CUT_MID_BODY: the same, but send the hub's status line and headers (with their
  Content-Length) and only part of the body, then close.
- CUT_UNFRAMED: the same, but drop the body's framing (no Content-Length, `Connection: close`)
  and send only part of the body: to the client this is a *complete* answer with a truncated
  body, and `requests` reports no error at all (a 200 with a short or empty body).
- HTTP_500 / HTTP_502: answer 500 / 502 at once with an error body; nothing is forwarded.

Counters (`proxy.stats()`) let tests assert what happened: connections, requests, requests
forwarded, faults injected per kind, bytes each way. Anything unexpected inside the proxy's own
threads lands in `proxy.errors` (a test should assert it stays empty).
"""

from __future__ import annotations

import contextlib
import enum
import json
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Final

MAX_HEAD: Final = 64 * 1024
"""Longest request or response head (status line + headers) the proxy accepts."""

RECV: Final = 64 * 1024


class Fault(enum.Enum):
    PASS = "pass"
    REFUSE = "refuse"
    BLACKHOLE = "blackhole"
    DELAY = "delay"
    CUT_BEFORE_RESPONSE = "cut_before_response"
    CUT_MID_BODY = "cut_mid_body"
    CUT_UNFRAMED = "cut_unframed"
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"


FORWARDING: Final = frozenset(
    {
        Fault.PASS,
        Fault.DELAY,
        Fault.CUT_BEFORE_RESPONSE,
        Fault.CUT_MID_BODY,
        Fault.CUT_UNFRAMED,
    }
)
"""The faults under which the hub sees (and may commit) the request."""

INJECTED_STATUS: Final = {Fault.HTTP_500: 500, Fault.HTTP_502: 502}


class Closed(Exception):
    """A peer closed its side (cleanly or not) where the proxy expected more bytes."""


@dataclass
class Stats:
    connections: int = 0
    """Client connections accepted (including the ones reset at once)."""
    requests: int = 0
    """Whole requests read from clients."""
    forwarded: int = 0
    """Requests sent on to the upstream server."""
    answered: int = 0
    """Upstream answers delivered to the client whole."""
    faults: Counter[str] = field(default_factory=Counter)
    """Faults injected, by `Fault.value` (a reset connection counts as one 'refuse')."""
    bytes_up: int = 0
    """Bytes sent to the upstream server."""
    bytes_down: int = 0
    """Bytes sent to clients."""
    paths: list[str] = field(default_factory=list)
    """Method and path (without the query) of each request read ("POST /v1/events"), in
    order."""
    requests_by: Counter[str] = field(default_factory=Counter)
    """`requests` by request (method and path): `paths` counted, cheap to look at."""
    forwarded_by: Counter[str] = field(default_factory=Counter)
    """`forwarded` by request (method and path)."""
    answered_by: Counter[str] = field(default_factory=Counter)
    """`answered` by request (method and path)."""
    hits: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Faults injected by (fault, request): ("cut_mid_body", "POST /v1/events"); a connection
    reset before any request was read is ("refuse", "connect")."""
    lost_answers: Counter[str] = field(default_factory=Counter)
    """Requests (method and path) the upstream answered below 500 (so it did the work) and
    whose answer the client never got whole: the "committed, answer lost" case."""

    def copy(self) -> Stats:
        return Stats(
            connections=self.connections,
            requests=self.requests,
            forwarded=self.forwarded,
            answered=self.answered,
            faults=Counter(self.faults),
            bytes_up=self.bytes_up,
            bytes_down=self.bytes_down,
            paths=list(self.paths),
            requests_by=Counter(self.requests_by),
            forwarded_by=Counter(self.forwarded_by),
            answered_by=Counter(self.answered_by),
            hits=Counter(self.hits),
            lost_answers=Counter(self.lost_answers),
        )


@dataclass(frozen=True)
class Message:
    """One HTTP message as raw bytes: its head (start line + headers + blank line) and body."""

    head: bytes
    body: bytes
    start_line: str
    headers: list[tuple[str, str]]
    close_after: bool
    """The connection ends after this message (HTTP/1.0, `Connection: close`, read-to-close)."""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class _Reader:
    """Buffered reads of HTTP messages from one socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def _fill(self) -> None:
        try:
            data = self.sock.recv(RECV)
        except OSError as exc:
            raise Closed(str(exc)) from exc
        if not data:
            raise Closed("peer closed")
        self.buf += data

    def head(self) -> bytes:
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > MAX_HEAD:
                raise ValueError("HTTP head too long")
            self._fill()
        end = self.buf.index(b"\r\n\r\n") + 4
        head, self.buf = self.buf[:end], self.buf[end:]
        return head

    def exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            if len(self.buf) > MAX_HEAD:
                raise ValueError("chunk line too long")
            self._fill()
        end = self.buf.index(b"\r\n") + 2
        data, self.buf = self.buf[:end], self.buf[end:]
        return data

    def until_close(self) -> bytes:
        while True:
            try:
                self._fill()
            except Closed:
                data, self.buf = self.buf, b""
                return data

    def chunked(self) -> bytes:
        """The raw chunked body, framing included, up to and including the trailers' end."""
        out = b""
        while True:
            size_line = self.line()
            out += size_line
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while True:  # trailers, then the blank line
                    trailer = self.line()
                    out += trailer
                    if trailer == b"\r\n":
                        return out
            out += self.exactly(size + 2)

    def message(self, *, response_to: str | None = None) -> Message:
        """Read one request (response_to None) or the response to a request with that method."""
        head = self.head()
        text = head.decode("latin-1")
        lines = text.split("\r\n")
        start = lines[0]
        headers: list[tuple[str, str]] = []
        for raw in lines[1:]:
            if not raw:
                continue
            name, sep, value = raw.partition(":")
            if not sep:
                raise ValueError(f"bad header line {raw!r}")
            headers.append((name.strip(), value.strip()))
        found = {k.lower(): v for k, v in headers}
        version = start.split(" ", 1)[0] if response_to is not None else start.rsplit(" ", 1)[-1]
        connection = found.get("connection", "").lower()
        close_after = "close" in connection or (
            version == "HTTP/1.0" and "keep-alive" not in connection
        )
        no_body = False
        if response_to is not None:
            parts = start.split(" ", 2)
            status = int(parts[1])
            no_body = response_to == "HEAD" or status in (204, 304) or 100 <= status < 200
        if no_body:
            body = b""
        elif "chunked" in found.get("transfer-encoding", "").lower():
            body = self.chunked()
        elif "content-length" in found:
            body = self.exactly(int(found["content-length"]))
        elif response_to is not None:
            body = self.until_close()
            close_after = True
        else:
            body = b""  # a request without framing has no body
        return Message(head, body, start, headers, close_after)


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN: the peer sees 'connection reset by peer'."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _quiet_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def _unframed_head(message: Message) -> bytes:
    """The response head without Content-Length / Transfer-Encoding, with Connection: close."""
    lines = [message.start_line]
    for name, value in message.headers:
        if name.lower() in ("content-length", "transfer-encoding", "connection"):
            continue
        lines.append(f"{name}: {value}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def error_response(status: int) -> bytes:
    reason = {500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "Error")
    body = json.dumps(
        {"error": "injected", "detail": f"fault proxy injected HTTP {status}"}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode("latin-1")
    return head + body


class FaultProxy:
    """See the module docstring. Use as a context manager or call `start()` / `stop()`."""

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        upstream_timeout: float = 30.0,
    ) -> None:
        self.upstream = upstream
        self.upstream_timeout = upstream_timeout
        self._lock = threading.Lock()
        self._fault = Fault.PASS
        self._delay_s = 0.0
        self._times: int | None = None
        self._keep = 0.5
        self._stats = Stats()
        self.errors: list[BaseException] = []
        self._stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.2)
        self.host, self.port = self._listener.getsockname()[:2]
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"faultproxy:{self.port}", daemon=True
        )

    # --- control (any thread) --------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def set(
        self,
        fault: Fault,
        *,
        delay_ms: int = 0,
        times: int | None = None,
        keep_fraction: float = 0.5,
    ) -> None:
        """Apply `fault` to every request from now on, or to the next `times` requests only
        (then PASS again). `delay_ms` is for DELAY; `keep_fraction` is how much of the body the
        two CUT_*_BODY/UNFRAMED faults let through (0 = none of it)."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        if not 0.0 <= keep_fraction < 1.0:
            raise ValueError("keep_fraction is in [0, 1)")
        if delay_ms < 0:
            raise ValueError("delay_ms must not be negative")
        with self._lock:
            self._fault = fault
            self._delay_s = delay_ms / 1000
            self._times = times
            self._keep = keep_fraction

    @property
    def fault(self) -> Fault:
        with self._lock:
            return self._fault

    def stats(self) -> Stats:
        """A consistent snapshot of the counters."""
        with self._lock:
            return self._stats.copy()

    def start(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._acceptor.is_alive():
            self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            socks = list(self._open)
            threads = list(self._threads)
        for sock in socks:
            _quiet_close(sock)
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- internals -------------------------------------------------------------------------

    def _take(self, what: str) -> tuple[Fault, float, float]:
        """The fault for one request (or one new connection), counting down `times`."""
        with self._lock:
            fault, keep = self._fault, self._keep
            delay = self._delay_s if fault is Fault.DELAY else 0.0
            if self._times is not None and fault is not Fault.PASS:
                self._times -= 1
                if self._times <= 0:
                    self._fault, self._times = Fault.PASS, None
            if fault not in (Fault.PASS, Fault.DELAY):
                self._stats.faults[fault.value] += 1
                self._stats.hits[fault.value, what] += 1
            return fault, delay, keep

    def _count(self, **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self._stats, name, getattr(self._stats, name) + amount)

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)

    def _untrack(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError as exc:
                if not self._stopping.is_set():
                    self.errors.append(exc)
                return
            self._count(connections=1)
            with self._lock:
                refuse = self._fault is Fault.REFUSE
            if refuse:
                self._take("connect")
                _reset(client)
                continue
            client.settimeout(None)
            self._track(client)
            thread = threading.Thread(
                target=self._serve, args=(client,), name="faultproxy-conn", daemon=True
            )
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _send(self, sock: socket.socket, data: bytes, counter: str) -> None:
        try:
            sock.sendall(data)
        except OSError as exc:
            raise Closed(str(exc)) from exc
        self._count(**{counter: len(data)})

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        reader = _Reader(client)
        up_reader: _Reader | None = None
        try:
            while not self._stopping.is_set():
                try:
                    request = reader.message()
                except Closed:
                    return
                method, _, rest = request.start_line.partition(" ")
                target = rest.rsplit(" ", 1)[0]
                what = f"{method} {target.split('?', 1)[0]}"
                with self._lock:
                    self._stats.requests += 1
                    self._stats.paths.append(what)
                    self._stats.requests_by[what] += 1
                fault, delay, keep = self._take(what)

                if fault is Fault.REFUSE:
                    _reset(client)
                    return
                if fault is Fault.BLACKHOLE:
                    reader.until_close()  # swallow whatever else comes, answer nothing
                    return
                if fault in INJECTED_STATUS:
                    self._send(client, error_response(INJECTED_STATUS[fault]), "bytes_down")
                    if request.close_after:
                        return
                    continue

                # Forwarding faults: the hub sees the request.
                if delay:
                    self._sleep(delay)
                if upstream is None:
                    try:
                        upstream = socket.create_connection(
                            self.upstream, timeout=self.upstream_timeout
                        )
                    except OSError:
                        # The upstream is down: what a load balancer says.
                        self._send(client, error_response(502), "bytes_down")
                        return
                    self._track(upstream)
                    up_reader = _Reader(upstream)
                assert up_reader is not None
                self._send(upstream, request.head + request.body, "bytes_up")
                with self._lock:
                    self._stats.forwarded += 1
                    self._stats.forwarded_by[what] += 1
                try:
                    response = up_reader.message(response_to=method)
                except Closed:
                    return  # the upstream dropped us: so does the proxy (client sees a cut)
                if delay:
                    self._sleep(delay)

                if fault in (Fault.CUT_BEFORE_RESPONSE, Fault.CUT_MID_BODY, Fault.CUT_UNFRAMED):
                    status = int(response.start_line.split(" ", 2)[1])
                    if status < 500:
                        with self._lock:
                            self._stats.lost_answers[what] += 1
                if fault is Fault.CUT_BEFORE_RESPONSE:
                    return
                if fault is Fault.CUT_MID_BODY:
                    part = response.body[: int(len(response.body) * keep)]
                    self._send(client, response.head + part, "bytes_down")
                    return
                if fault is Fault.CUT_UNFRAMED:
                    part = response.body[: int(len(response.body) * keep)]
                    self._send(client, _unframed_head(response) + part, "bytes_down")
                    return
                self._send(client, response.head + response.body, "bytes_down")
                with self._lock:
                    self._stats.answered += 1
                    self._stats.answered_by[what] += 1
                if request.close_after or response.close_after:
                    return
        except Closed:
            return
        except Exception as exc:
            if not self._stopping.is_set():
                self.errors.append(exc)
        finally:
            self._untrack(client)
            _quiet_close(client)
            if upstream is not None:
                self._untrack(upstream)
                _quiet_close(upstream)

    def _sleep(self, seconds: float) -> None:
        """A delay that a stopping proxy cuts short."""
        self._stopping.wait(seconds)
        if self._stopping.is_set():
            raise Closed("proxy stopping")


def wait_for(
    condition: Callable[[], object], *, timeout: float = 10.0, interval: float = 0.01
) -> None:
    """Poll `condition()` until it is true; fail after `timeout` seconds (bounded polling)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {condition!r}")
        time.sleep(interval)
