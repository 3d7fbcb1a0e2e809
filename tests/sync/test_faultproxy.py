"""The fault proxy itself, against a tiny local HTTP server: each fault does what it says.

The server counts what it received ("commits"), so a test can tell "the request reached the
server and the answer was lost" from "the request never arrived".
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.sync.faultproxy import Fault, FaultProxy, wait_for

BIG = bytes(range(256)) * 800  # 204,800 bytes: more than one recv, more than one send


class TinyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.commits: list[tuple[str, bytes, float]] = []
        self.thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        return str(host), int(port)

    def record(self, path: str, body: bytes) -> None:
        with self.lock:
            self.commits.append((path, body, time.monotonic()))

    def committed(self) -> int:
        with self.lock:
            return len(self.commits)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: TinyServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.record(self.path, body)
        self._answer(200, answer_for(body))

    def do_GET(self) -> None:
        if self.path == "/big":
            self._answer(200, BIG, "application/octet-stream")
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"first ", b"second ", b"third"):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self._answer(200, b'{"ok": true}')


def answer_for(body: bytes) -> bytes:
    return json.dumps({"received": len(body), "echo": body.decode(), "pad": "x" * 300}).encode()


PAYLOAD = json.dumps({"events": [{"event_id": "e1", "amount_fen": 1250}]}).encode()


@pytest.fixture
def server() -> Iterator[TinyServer]:
    srv = TinyServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        srv.thread.join(timeout=5)


@pytest.fixture
def proxy(server: TinyServer) -> Iterator[FaultProxy]:
    with FaultProxy(server.address) as p:
        yield p
        assert p.errors == []


def post(proxy: FaultProxy, timeout: tuple[float, float] = (2, 5)) -> requests.Response:
    with requests.Session() as s:
        return s.post(f"{proxy.url}/v1/events", data=PAYLOAD, timeout=timeout)


def raw_exchange(proxy: FaultProxy, request: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, read until the proxy closes; what the client's socket saw."""
    with socket.create_connection((proxy.host, proxy.port), timeout=timeout) as sock:
        sock.sendall(request)
        got = b""
        while True:
            data = sock.recv(65536)
            if not data:
                return got
            got += data


def raw_post(path: str = "/v1/events", body: bytes = PAYLOAD) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def split_response(data: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, body


# --- pass -------------------------------------------------------------------------------------


def test_pass_forwards_both_ways_and_counts(proxy: FaultProxy, server: TinyServer) -> None:
    with requests.Session() as s:
        first = s.post(f"{proxy.url}/v1/events", data=PAYLOAD, timeout=(2, 5))
        big = s.get(f"{proxy.url}/big", timeout=(2, 5))
        chunked = s.get(f"{proxy.url}/chunked", timeout=(2, 5))
    assert first.status_code == 200
    assert first.content == answer_for(PAYLOAD)
    assert big.content == BIG
    assert chunked.content == b"first second third"
    assert server.committed() == 1
    assert server.commits[0][:2] == ("/v1/events", PAYLOAD)
    # The proxy counts an answer once its last byte went out, a moment after the client has it.
    wait_for(lambda: proxy.stats().answered == 3)
    stats = proxy.stats()
    assert stats.connections == 1  # keep-alive: three requests, one connection
    assert (stats.requests, stats.forwarded, stats.answered) == (3, 3, 3)
    assert stats.bytes_up > len(PAYLOAD)
    assert stats.bytes_down > len(BIG) + len(answer_for(PAYLOAD))
    assert stats.paths == ["POST /v1/events", "GET /big", "GET /chunked"]
    assert (
        stats.forwarded_by
        == stats.answered_by
        == {"POST /v1/events": 1, "GET /big": 1, "GET /chunked": 1}
    )
    assert sum(stats.faults.values()) == 0


def test_an_unreachable_upstream_answers_502(server: TinyServer) -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        dead = placeholder.getsockname()[:2]
    with FaultProxy(dead) as p:
        assert post(p).status_code == 502
        assert p.errors == []


# --- refuse -----------------------------------------------------------------------------------


def test_refuse_resets_new_connections(proxy: FaultProxy, server: TinyServer) -> None:
    proxy.set(Fault.REFUSE)
    with pytest.raises(requests.ConnectionError):
        post(proxy)
    with pytest.raises(ConnectionResetError):  # at connect, send or receive: a race
        raw_exchange(proxy, raw_post())
    assert server.committed() == 0
    assert proxy.stats().faults["refuse"] >= 2
    assert proxy.stats().hits["refuse", "connect"] >= 2
    proxy.set(Fault.PASS)
    assert post(proxy).status_code == 200
    assert server.committed() == 1


def test_refuse_resets_a_keepalive_connection_at_its_next_request(
    proxy: FaultProxy, server: TinyServer
) -> None:
    with requests.Session() as s:
        assert s.get(f"{proxy.url}/", timeout=(2, 5)).status_code == 200
        proxy.set(Fault.REFUSE)
        with pytest.raises(requests.ConnectionError):
            s.post(f"{proxy.url}/v1/events", data=PAYLOAD, timeout=(2, 5))
    assert server.committed() == 0
    assert proxy.stats().faults["refuse"] == 1


# --- black hole -------------------------------------------------------------------------------


def test_blackhole_reads_and_never_answers(proxy: FaultProxy, server: TinyServer) -> None:
    proxy.set(Fault.BLACKHOLE)
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(proxy, timeout=(2, 0.3))
    wait_for(lambda: proxy.stats().requests == 1)
    stats = proxy.stats()
    assert (stats.forwarded, stats.bytes_down, stats.faults["blackhole"]) == (0, 0, 1)
    assert server.committed() == 0
    proxy.set(Fault.PASS)
    assert post(proxy).status_code == 200


def test_stopping_the_proxy_releases_a_blackholed_client(server: TinyServer) -> None:
    p = FaultProxy(server.address).start()
    p.set(Fault.BLACKHOLE)
    with socket.create_connection((p.host, p.port), timeout=10) as sock:
        sock.sendall(raw_post())
        wait_for(lambda: p.stats().requests == 1)
        p.stop()
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(100) == b""
    assert p.errors == []


# --- delay ------------------------------------------------------------------------------------


def test_delay_holds_each_direction(proxy: FaultProxy, server: TinyServer) -> None:
    proxy.set(Fault.DELAY, delay_ms=150)
    started = time.monotonic()
    answer = post(proxy)
    done = time.monotonic()
    assert answer.content == answer_for(PAYLOAD)
    arrived = server.commits[0][2]
    assert arrived - started >= 0.15, "the request went up without its delay"
    assert done - arrived >= 0.15, "the answer came back without its delay"


# --- the hub committed, the answer was lost -----------------------------------------------------


def test_cut_before_response_after_the_server_committed(
    proxy: FaultProxy, server: TinyServer
) -> None:
    proxy.set(Fault.CUT_BEFORE_RESPONSE)
    with pytest.raises(requests.ConnectionError):
        post(proxy)
    assert server.committed() == 1, "the request must reach the server before the cut"
    assert raw_exchange(proxy, raw_post()) == b"", "not a byte of the answer may arrive"
    assert server.committed() == 2
    stats = proxy.stats()
    assert (stats.forwarded, stats.answered, stats.faults["cut_before_response"]) == (2, 0, 2)
    assert stats.hits == {("cut_before_response", "POST /v1/events"): 2}
    assert stats.lost_answers == {"POST /v1/events": 2}


def test_cut_mid_body_sends_headers_and_part_of_the_body(
    proxy: FaultProxy, server: TinyServer
) -> None:
    proxy.set(Fault.CUT_MID_BODY, keep_fraction=0.5)
    status, headers, body = split_response(raw_exchange(proxy, raw_post()))
    full = answer_for(PAYLOAD)
    assert status == "HTTP/1.1 200 OK"
    assert int(headers["content-length"]) == len(full)
    assert 0 < len(body) < len(full)
    assert full.startswith(body)
    assert server.committed() == 1
    # requests (urllib3 2) notices the short body: an error, not an answer.
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        post(proxy)
    assert server.committed() == 2


def test_cut_unframed_looks_like_a_complete_short_answer(
    proxy: FaultProxy, server: TinyServer
) -> None:
    """The trap of REFERENCE.md: a cut connection that `requests` reports as a clean 200."""
    full = answer_for(PAYLOAD)
    proxy.set(Fault.CUT_UNFRAMED, keep_fraction=0.5)
    short = post(proxy)
    assert short.status_code == 200
    assert 0 < len(short.content) < len(full) and full.startswith(short.content)
    proxy.set(Fault.CUT_UNFRAMED, keep_fraction=0.0)
    empty = post(proxy)
    assert (empty.status_code, empty.content) == (200, b"")
    assert server.committed() == 2
    _status, headers, _body = split_response(raw_exchange(proxy, raw_post()))
    assert "content-length" not in headers and headers["connection"] == "close"


# --- injected errors --------------------------------------------------------------------------


@pytest.mark.parametrize(("fault", "status"), [(Fault.HTTP_500, 500), (Fault.HTTP_502, 502)])
def test_injected_errors_never_reach_the_server(
    proxy: FaultProxy, server: TinyServer, fault: Fault, status: int
) -> None:
    proxy.set(fault)
    answer = post(proxy)
    assert answer.status_code == status
    assert answer.json()["error"] == "injected"
    assert server.committed() == 0
    assert proxy.stats().forwarded == 0
    assert proxy.stats().hits == {(fault.value, "POST /v1/events"): 1}
    assert not proxy.stats().lost_answers


def test_times_applies_a_fault_to_the_next_n_requests_only(
    proxy: FaultProxy, server: TinyServer
) -> None:
    proxy.set(Fault.HTTP_500, times=2)
    with requests.Session() as s:
        codes = [
            s.post(f"{proxy.url}/v1/events", data=PAYLOAD, timeout=(2, 5)).status_code
            for _ in range(4)
        ]
    assert codes == [500, 500, 200, 200]
    assert proxy.fault is Fault.PASS
    assert proxy.stats().faults["http_500"] == 2
    assert proxy.stats().connections == 1  # an injected error keeps the connection alive
    assert server.committed() == 2


def test_a_switch_applies_to_an_open_keepalive_connection(
    proxy: FaultProxy, server: TinyServer
) -> None:
    with requests.Session() as s:
        url = f"{proxy.url}/v1/events"
        assert s.post(url, data=PAYLOAD, timeout=(2, 5)).status_code == 200
        proxy.set(Fault.HTTP_502)
        assert s.post(url, data=PAYLOAD, timeout=(2, 5)).status_code == 502
        proxy.set(Fault.PASS)
        assert s.post(url, data=PAYLOAD, timeout=(2, 5)).status_code == 200
    assert proxy.stats().connections == 1
    assert server.committed() == 2


def test_set_refuses_nonsense() -> None:
    p = FaultProxy(("127.0.0.1", 9))
    try:
        with pytest.raises(ValueError):
            p.set(Fault.HTTP_500, times=0)
        with pytest.raises(ValueError):
            p.set(Fault.CUT_MID_BODY, keep_fraction=1.0)
        with pytest.raises(ValueError):
            p.set(Fault.DELAY, delay_ms=-1)
    finally:
        p.stop()


# --- switching from other threads -------------------------------------------------------------


def test_switching_while_clients_run_is_safe_and_every_forward_arrives(
    proxy: FaultProxy, server: TinyServer
) -> None:
    expected_errors = (requests.RequestException,)
    outcomes: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        with requests.Session() as s:
            while not stop.is_set():
                try:
                    r = s.post(f"{proxy.url}/v1/events", data=PAYLOAD, timeout=(1, 0.3))
                    result = str(r.status_code)
                except expected_errors as exc:
                    result = type(exc).__name__
                with lock:
                    outcomes.append(result)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    faults = list(Fault)
    try:
        for i in range(60):
            fault = faults[i % len(faults)]
            proxy.set(fault, delay_ms=20)
            seen = len(outcomes)
            wait_for(lambda: len(outcomes) >= seen + 2, timeout=20)  # noqa: B023
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=20)
    proxy.set(Fault.PASS)
    assert post(proxy).status_code == 200
    stats = proxy.stats()
    assert stats.answered <= stats.forwarded <= stats.requests
    # Every request the proxy forwarded reached the server, whatever happened to the answer.
    wait_for(lambda: server.committed() == proxy.stats().forwarded)
    assert {"200", "500", "502"} <= set(outcomes)
    assert set(stats.faults) == {f.value for f in faults} - {"pass", "delay"}
