"""The hub client against a real HTTP server on loopback that answers with scripted bytes:
what counts as an answer, what is transient and what is permanent."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator

import pytest

from sync import protocol
from sync.client import CursorExpired, DeviceRevoked, HubClient, HubRefused, HubUnavailable
from tests.sync.rawhttp import RawServer, response, without_length

E1 = "0190aaaa-0000-7000-8000-000000000001"
E2 = "0190aaaa-0000-7000-8000-000000000002"
AT = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def server() -> Iterator[RawServer]:
    s = RawServer()
    yield s
    s.close()


def _client(server: RawServer, **kw: float) -> HubClient:
    return HubClient(server.url, "tok-123", **kw)


def _batch() -> protocol.PushRequest:
    return protocol.PushRequest(
        events=[
            protocol.Event(
                event_id=i, kind="sale.completed", created_at=AT, payload={"total_fen": 350}
            )
            for i in (E1, E2)
        ]
    )


ACK = {"results": [{"event_id": E1, "status": "applied"}, {"event_id": E2, "status": "duplicate"}]}


def test_a_full_acknowledgement_is_returned_and_the_request_is_authenticated(
    server: RawServer,
) -> None:
    server.answers.append(response(200, ACK))
    with _client(server) as client:
        answer = client.push(_batch())
    assert [(r.event_id, r.status) for r in answer.results] == [(E1, "applied"), (E2, "duplicate")]
    request = server.requests[0]
    assert (request.method, request.path) == ("POST", protocol.PUSH_PATH)
    assert request.headers["authorization"] == "Bearer tok-123"
    assert protocol.PushRequest.model_validate(request.json()) == _batch()


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (
            response(200, b'{"results": [{"event_id": "' + E1.encode(), length=400),
            "no complete answer",
        ),
        (response(200, b""), "empty"),
        (without_length(200, b'{"results": [{"event_id": "' + E1.encode()), "not complete JSON"),
        (response(200, {"results": [{"event_id": E1, "status": "applied"}]}), "acknowledgement"),
        (
            response(
                200,
                {
                    "results": [
                        {"event_id": E1, "status": "applied"},
                        {"event_id": E2, "status": "kept"},
                    ]
                },
            ),
            "does not match",
        ),
        (response(200, b"<html>proxy says hi</html>"), "not complete JSON"),
    ],
    ids=["cut-mid-body", "empty-200", "cut-no-length", "missing-one-id", "unknown-status", "html"],
)
def test_an_answer_that_is_not_a_whole_valid_acknowledgement_is_transient(
    server: RawServer, answer: bytes, why: str
) -> None:
    server.answers.append(answer)
    with _client(server) as client, pytest.raises(HubUnavailable, match=why):
        client.push(_batch())


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, HubUnavailable),
        (502, HubUnavailable),
        (429, HubUnavailable),
        (408, HubUnavailable),
        (401, DeviceRevoked),
        (403, HubRefused),
        (422, HubRefused),
        (409, HubRefused),
    ],
)
def test_statuses_split_into_transient_and_permanent(
    server: RawServer, status: int, kind: type[Exception]
) -> None:
    server.answers.append(
        response(status, {"error": "some_code", "detail": "a reason for a person"})
    )
    with _client(server) as client, pytest.raises(kind) as caught:
        client.push(_batch())
    assert type(caught.value) is kind
    assert caught.value.status == status  # type: ignore[attr-defined]
    if status != 401:
        assert "a reason for a person" in str(caught.value)


def test_retry_after_is_passed_on(server: RawServer) -> None:
    server.answers.append(
        response(503, {"error": "busy", "detail": "later"}, headers={"Retry-After": "7"})
    )
    with _client(server) as client, pytest.raises(HubUnavailable) as caught:
        client.me()
    assert caught.value.retry_after == 7.0


def test_pull_sends_cursor_and_limit_and_410_is_its_own_signal(server: RawServer) -> None:
    page = {
        "stream": "catalog",
        "changes": [{"key": "A1", "op": "delete"}],
        "cursor": "c2",
        "more": False,
    }
    server.answers += [
        response(200, page),
        response(410, {"error": "cursor_expired", "detail": "too old"}),
        response(200, {**page, "stream": "billers"}),
        response(200, {**page, "changes": [{"key": "A1", "op": "delete"}] * 3}),
    ]
    with _client(server) as client:
        got = client.pull("catalog", "c1", 50)
        assert (got.cursor, got.more, got.changes[0].key) == ("c2", False, "A1")
        with pytest.raises(CursorExpired):
            client.pull("catalog", "c0", 50)
        with pytest.raises(HubUnavailable, match="asked for stream"):
            client.pull("catalog", "c1", 50)
        with pytest.raises(HubUnavailable, match="at most 2"):
            client.pull("catalog", "c1", 2)
    assert server.requests[0].path == "/v1/streams/catalog?limit=50&cursor=c1"


def test_enrol_carries_no_token_and_a_refusal_is_permanent(server: RawServer) -> None:
    server.answers += [
        response(
            200, {"store_id": "s1", "store_name": "幸福小店", "device_id": "d1", "token": "t"}
        ),
        response(400, {"error": "bad_code", "detail": "this code was used or has expired"}),
    ]
    client = HubClient(server.url)
    answer = client.enrol("ABCDE-FGHJK", "till-1")
    assert (answer.store_id, answer.token) == ("s1", "t")
    assert "authorization" not in server.requests[0].headers
    with pytest.raises(HubRefused, match="used or has expired"):
        client.enrol("ABCDE-FGHJK", "till-1")
    with pytest.raises(HubRefused, match="before sending"):
        client.enrol("abc", "till-1")  # too short to be a code: never sent
    assert len(server.requests) == 2
    with pytest.raises(DeviceRevoked, match="not enrolled"):
        client.me()  # no token, nothing sent


def test_nobody_listening_is_transient() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with (
        HubClient(f"http://127.0.0.1:{port}", "t") as client,
        pytest.raises(HubUnavailable, match="GET /v1/me"),
    ):
        client.me()


def test_a_hub_that_never_answers_times_out_on_the_read_timeout(server: RawServer) -> None:
    server.answers.append(None)
    started = time.monotonic()
    with (
        _client(server, read_timeout=0.3) as client,
        pytest.raises(HubUnavailable, match="in time"),
    ):
        client.push(_batch())
    assert time.monotonic() - started < 5


def test_a_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(HubRefused):
        HubClient("ftp://hub.example")


def test_an_answer_larger_than_the_cap_is_not_read(server: RawServer) -> None:
    page = {
        "stream": "catalog",
        "changes": [{"key": f"K{i}", "op": "delete"} for i in range(400)],
        "cursor": "c",
        "more": False,
    }
    server.answers += [response(200, page), response(200, page)]
    with _client(server) as client:
        assert len(client.pull("catalog", None, 1000).changes) == 400
    with (
        HubClient(server.url, "t", max_answer_bytes=4096) as small,
        pytest.raises(HubUnavailable, match="larger than 4096 bytes"),
    ):
        small.pull("catalog", None, 1000)
