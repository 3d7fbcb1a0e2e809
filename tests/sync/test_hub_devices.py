"""Stores and devices on the real hub: enrol codes are one-time and expire, tokens are kept only
as hashes, revocation is immediate, and a device sees nothing of another store's."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
import uuid
from pathlib import Path

import pytest
import requests

from sync import protocol
from sync.hub import admin
from sync.hub.errors import AdminError
from tests.sync.conftest import RunningHub
from tests.sync.test_hub_push import Till, event, sale


def enrol_with(hub: RunningHub, code: str, name: str = "till-1") -> requests.Response:
    return requests.post(
        hub.base_url + protocol.ENROL_PATH, json={"code": code, "device_name": name}, timeout=10
    )


def test_enrol_gives_a_token_that_identifies_the_device(hub: RunningHub) -> None:
    store = hub.create_store("幸福里便利店")
    answer = enrol_with(hub, hub.enrol_code(store), "收银台 1")
    assert answer.status_code == 200
    enrolled = protocol.EnrolResponse.model_validate_json(answer.content)
    assert (enrolled.store_id, enrolled.store_name) == (store, "幸福里便利店")
    who = protocol.WhoAmI.model_validate_json(
        hub.session(enrolled.token).get(hub.base_url + protocol.ME_PATH, timeout=10).content
    )
    assert (who.store_id, who.device_id, who.device_name) == (store, enrolled.device_id, "收银台 1")


def test_the_hub_keeps_only_the_tokens_hash(hub: RunningHub, tmp_path: Path) -> None:
    enrolled = hub.enrol()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("hub.db*"))
    assert enrolled.token.encode() not in raw
    with sqlite3.connect(tmp_path / "hub.db") as conn:
        [(stored,)] = conn.execute("SELECT token_hash FROM devices").fetchall()
    assert stored == hashlib.sha256(enrolled.token.encode()).hexdigest()


def test_a_code_works_once(hub: RunningHub) -> None:
    code = hub.enrol_code(hub.create_store())
    assert enrol_with(hub, code).status_code == 200
    again = enrol_with(hub, code, "till-2")
    assert again.status_code == 403
    assert protocol.ErrorBody.model_validate_json(again.content).error == "enrol_refused"


def test_a_code_is_typed_loosely_but_never_guessed(hub: RunningHub) -> None:
    code = hub.enrol_code(hub.create_store())
    assert enrol_with(hub, "XXXXX-XXXXX").status_code == 403
    assert enrol_with(hub, code.lower().replace("-", " ")).status_code == 200


def test_racing_devices_cannot_both_spend_one_code(hub: RunningHub) -> None:
    code = hub.enrol_code(hub.create_store())
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(enrol_with(hub, code).status_code))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [403] * 7


def test_an_expired_code_is_refused(hub: RunningHub) -> None:
    store = hub.create_store()
    old = hub.enrol_code(
        store, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2), ttl=dt.timedelta(hours=1)
    )
    assert enrol_with(hub, old).status_code == 403


def test_a_revoked_device_is_shut_out_at_once(hub: RunningHub) -> None:
    enrolled = hub.enrol()
    http = hub.session(enrolled.token)
    assert http.get(hub.base_url + protocol.ME_PATH, timeout=10).status_code == 200
    assert hub.revoke(enrolled.device_id) is True
    answer = http.get(hub.base_url + protocol.ME_PATH, timeout=10)
    assert answer.status_code == 401
    assert "revoked" in protocol.ErrorBody.model_validate_json(answer.content).detail
    assert hub.revoke(enrolled.device_id) is False


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer " + "x" * 5000,
        "token abc",
    ],
)
def test_requests_without_a_valid_token_get_401(hub: RunningHub, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    for method, path in (
        ("GET", protocol.ME_PATH),
        ("GET", "/v1/streams/catalog"),
        ("POST", protocol.HEALTH_PATH),
    ):
        answer = requests.request(method, hub.base_url + path, headers=headers, timeout=10)
        assert answer.status_code == 401, (method, path, answer.text)
        assert protocol.ErrorBody.model_validate_json(answer.content).error == "unauthorised"


def test_admin_errors_are_clear(hub: RunningHub) -> None:
    with pytest.raises(AdminError, match="no store"):
        hub.enrol_code("no-such-store")
    with pytest.raises(AdminError, match="no device"):
        hub.revoke("no-such-device")
    with pytest.raises(AdminError, match="name"):
        admin.create_store(hub.db, "  ")


def test_a_device_gets_nothing_of_another_stores_whatever_id_it_asks_for(hub: RunningHub) -> None:
    a, b = Till(hub, hub.create_store("A 店")), Till(hub, hub.create_store("B 店"))
    b_sale = event("sale.completed", sale(8800))
    b_odd = event("shift.opened", {"x": 1})
    b.push(b_sale, b_odd)

    # A asks for B's events by id: the same 404 as for an id nobody sent
    for event_id in (b_sale["event_id"], b_odd["event_id"], str(uuid.uuid4())):
        answer = a.http.get(
            hub.base_url + protocol.EVENT_PATH.format(event_id=event_id), timeout=10
        )
        assert answer.status_code == 404
        assert protocol.ErrorBody.model_validate_json(answer.content).error == "not_found"
    own = b.http.get(
        hub.base_url + protocol.EVENT_PATH.format(event_id=b_sale["event_id"]), timeout=10
    )
    assert protocol.EventResult.model_validate_json(own.content).status == "applied"

    # A replays B's event ids: refused, never "duplicate" (which would tell A that B has them),
    # and nothing of A's or B's changes
    [stolen] = a.push(b_sale)
    assert stolen.status == "rejected"
    assert hub.report(a.enrolled.store_id)["sales_count"] == 0
    assert hub.report(b.enrolled.store_id)["sales_total_fen"] == 8800

    # who A is comes from its token only
    me = protocol.WhoAmI.model_validate_json(
        a.http.get(hub.base_url + protocol.ME_PATH, timeout=10).content
    )
    assert me.store_id == a.enrolled.store_id
