"""The agent against the real hub over HTTP on loopback (tests/sync/conftest.py `hub`), with
sales made through the real core on a real SQLite file."""

from __future__ import annotations

import http.client
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from cli.main import main
from storebox import billers, hub_config, mall_catalog, outbox, syncstate
from storebox.ids import new_id
from storebox.shop import Shop
from sync import protocol
from sync.agent import RoundReport, SyncAgent
from sync.client import HubClient
from sync.hub import streams
from tests.sync.conftest import RunningHub
from tests.sync.rawhttp import RawServer, Request, response
from tests.sync.shopfixtures import Counter, open_counter, outbox_rows


def enrol(shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]) -> str:
    """`storebox enrol` as the owner runs it; returns the hub's store id."""
    store_id = hub.create_store("幸福小店")
    code = hub.enrol_code(store_id)
    args = ["enrol", "--hub", hub.base_url, "--code", code, "--json"]
    args += ["--data-dir", str(shop.settings.data_dir), "--set", "pin_scrypt_n=16"]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["store_id"] == store_id
    return store_id


def agent_for(shop: Shop, url: str | None = None, **kw: int) -> SyncAgent:
    enrolled = syncstate.require_enrolment(shop)
    return SyncAgent(
        shop, HubClient(url or enrolled.hub_url, enrolled.token, read_timeout=10), **kw
    )


@pytest.fixture
def store(shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]) -> str:
    return enrol(shop, hub, capsys)


@pytest.fixture
def counter(shop: Shop) -> Counter:
    return open_counter(shop)


@pytest.fixture(autouse=True)
def _no_env_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("STOREBOX_CONFIG", raising=False)
    monkeypatch.delenv("STOREBOX_HUB_URL", raising=False)
    yield


def statuses(shop: Shop) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in outbox_rows(shop):
        out[row[3]] = out.get(row[3], 0) + 1
    return out


# --- enrolment ------------------------------------------------------------------------------


def test_enrol_keeps_the_token_in_the_shop_and_prints_none(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]
) -> None:
    store_id = hub.create_store("幸福小店")
    code = hub.enrol_code(store_id)
    args = ["enrol", "--hub", hub.base_url, "--code", code, "--json", "--device-name", "柜台一号"]
    args += ["--data-dir", str(shop.settings.data_dir), "--set", "pin_scrypt_n=16"]
    assert main(args) == 0
    out = capsys.readouterr().out
    enrolled = syncstate.require_enrolment(shop)
    assert enrolled.token and enrolled.token not in out
    assert json.loads(out) == {
        "hub": hub.base_url,
        "store_id": store_id,
        "store_name": "幸福小店",
        "device_id": enrolled.device_id,
        "device_name": "柜台一号",
    }
    with HubClient(enrolled.hub_url, enrolled.token) as client:
        me = client.me()
    assert (me.store_id, me.device_id, me.device_name) == (store_id, enrolled.device_id, "柜台一号")
    # the code was one-time: a second enrolment with it is refused in one line, exit 2
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("storebox: ") and len(err.strip().splitlines()) == 1
    assert syncstate.require_enrolment(shop).token == enrolled.token


def test_sync_without_enrolment_says_what_to_do(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sync", "--once", "--data-dir", str(shop.settings.data_dir)])
    assert code == 2
    assert "storebox enrol" in capsys.readouterr().err


# --- push -----------------------------------------------------------------------------------


def test_sales_reach_the_hub_once_and_the_outbox_drains(
    shop: Shop, hub: RunningHub, store: str, counter: Counter
) -> None:
    receipts = [counter.sell(colas=i + 1, breads=i % 2) for i in range(7)]
    pending = statuses(shop)["pending"]
    agent = agent_for(shop, batch_size=3)  # several batches
    report = agent.run_round()
    assert report.error is None and report.online
    assert (report.pushed, report.applied, report.duplicate) == (pending, pending, 0)
    assert statuses(shop) == {"sent": pending}
    figures = hub.report(store)
    assert figures["sales_count"] == 7
    assert figures["sales_total_fen"] == sum(r.total_fen for r in receipts)
    assert figures["events_received"] == pending
    state = syncstate.status(shop)
    assert (state.online, state.pending_events, state.dead_letters) == (True, 0, 0)
    assert state.last_success_at == shop.now()
    # the agent reported its state to the hub, visible per store
    device = next(
        d
        for d in figures["devices"]
        if d["device_id"] == syncstate.require_enrolment(shop).device_id
    )
    assert device["health"]["agent"]["pending_events"] == 0
    assert device["health"]["agent"]["online"] is True
    assert set(device["health"]["agent"]["cursors"]) == set(protocol.STREAMS)


def test_a_batch_sent_again_is_counted_once(
    shop: Shop, hub: RunningHub, store: str, counter: Counter
) -> None:
    for _ in range(4):
        counter.sell()
    agent = agent_for(shop)
    first = agent.run_round()
    before = hub.report(store)
    # The answer was lost after the hub committed (as if): the events are pending again.
    con = sqlite3.connect(shop.settings.db_path)
    con.execute("UPDATE outbox SET status = 'pending', sent_at = NULL")
    con.commit()
    con.close()
    again = agent.run_round()
    assert (again.applied, again.duplicate) == (0, first.applied)
    assert statuses(shop) == {"sent": first.applied}
    after = hub.report(store)
    assert (after["sales_count"], after["sales_total_fen"]) == (4, before["sales_total_fen"])
    assert after["events_received"] == before["events_received"]


def test_a_rejected_event_is_a_dead_letter_and_the_events_behind_it_still_go(
    shop: Shop, hub: RunningHub, store: str, counter: Counter
) -> None:
    good = counter.sell(colas=2)
    # A sale event whose payments do not add up to its total: the hub can never accept it.
    sale_event = next(r for r in outbox_rows(shop) if r[2] == "sale.completed")
    con = sqlite3.connect(shop.settings.db_path)
    (payload_json,) = con.execute(
        "SELECT payload_json FROM outbox WHERE event_id = ?", (sale_event[1],)
    ).fetchone()
    con.close()
    broken = json.loads(payload_json)
    broken["total_fen"] += 1
    broken["sale_id"] = new_id()
    bad_id = new_id()
    with shop.store.write() as session:
        outbox.enqueue(
            session, event_id=bad_id, at=shop.now(), kind="sale.completed", payload=broken
        )
    behind = [counter.sell(breads=1), counter.sell(colas=1, breads=2)]
    report = agent_for(shop, batch_size=2).run_round()
    assert report.error is None
    assert [r["event_id"] for r in report.rejected] == [bad_id]
    assert "add up" in report.rejected[0]["reason"]
    dead = syncstate.dead_letters(shop)
    assert [(d.event_id, d.kind) for d in dead] == [(bad_id, "sale.completed")]
    assert "add up" in dead[0].reason
    assert statuses(shop)["dead"] == 1 and "pending" not in statuses(shop)
    figures = hub.report(store)
    assert figures["sales_count"] == 3
    assert figures["sales_total_fen"] == good.total_fen + sum(r.total_fen for r in behind)
    assert syncstate.status(shop).dead_letters == 1
    # a dead letter is never sent again
    assert agent_for(shop).run_round().pushed == 0


def test_a_revoked_device_stops_pushing_and_says_so(
    shop: Shop, hub: RunningHub, store: str, counter: Counter
) -> None:
    counter.sell()
    hub.revoke(syncstate.require_enrolment(shop).device_id)
    report = agent_for(shop).run_round()
    assert not report.online and report.error is not None and "enrol" in report.error
    assert "sent" not in statuses(shop) and "dead" not in statuses(shop)
    state = syncstate.status(shop)
    assert not state.online and state.last_error == report.error


# --- a cut answer ---------------------------------------------------------------------------


def _forward(hub: RunningHub, request: Request) -> tuple[int, bytes]:
    parts = urlsplit(hub.base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    headers = {k: v for k, v in request.headers.items() if k not in ("host", "connection")}
    conn.request(request.method, request.path, body=request.body, headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, body


@pytest.mark.parametrize("cut", ["mid-body", "empty-200"])
def test_an_answer_cut_after_the_hub_committed_is_not_an_ack(
    shop: Shop, hub: RunningHub, store: str, counter: Counter, cut: str
) -> None:
    """The hub applies the batch, the answer is lost on its way: the shop keeps the events
    pending, sends them again later, and the hub counts each once."""
    for _ in range(3):
        counter.sell()
    pending = statuses(shop)["pending"]

    def cut_answer(request: Request) -> bytes:
        status, body = _forward(hub, request)
        assert status == 200
        if cut == "empty-200":
            return response(200, b"")
        return response(200, body[: len(body) // 2], length=len(body))

    proxy = RawServer(answers=[cut_answer])
    try:
        report = agent_for(shop, url=proxy.url).run_round()
    finally:
        proxy.close()
    assert not report.online and report.error is not None
    assert report.pushed == 0
    assert statuses(shop) == {"pending": pending}
    assert hub.report(store)["sales_count"] == 3  # the hub did commit
    assert syncstate.pending_events(shop, 1)[0].attempts == 1
    healed = agent_for(shop).run_round()
    assert (healed.applied, healed.duplicate) == (0, pending)
    assert statuses(shop) == {"sent": pending}
    assert hub.report(store)["sales_count"] == 3


# --- offline and the connection monitor ------------------------------------------------------


def test_offline_rounds_keep_selling_and_log_the_change_once(
    shop: Shop, hub: RunningHub, store: str, counter: Counter, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    dead_port = sock.getsockname()[1]
    sock.close()
    enrolled = syncstate.require_enrolment(shop)
    offline = SyncAgent(shop, HubClient(f"http://127.0.0.1:{dead_port}", enrolled.token))
    caplog.set_level(logging.INFO, logger="sync")
    for _ in range(3):
        counter.sell()
        report = offline.run_round()
        assert not report.online
    changes = [r for r in caplog.records if r.name == "sync.agent" and "hub " in r.getMessage()]
    assert len(changes) == 1 and "unreachable" in changes[0].getMessage()
    state = syncstate.status(shop)
    assert not state.online and state.last_success_at is None
    assert state.pending_events == statuses(shop)["pending"]
    assert state.last_error is not None and "POST /v1/events" in state.last_error

    # the line comes back: the same monitor logs that once, and everything goes
    offline.client = HubClient(hub.base_url, enrolled.token)
    caplog.clear()
    for _ in range(2):
        assert offline.run_round().online
    back = [r for r in caplog.records if r.name == "sync.agent" and "hub " in r.getMessage()]
    assert len(back) == 1 and "again" in back[0].getMessage()
    assert hub.report(store)["sales_count"] == 3
    assert syncstate.status(shop).pending_events == 0


# --- pull -----------------------------------------------------------------------------------


def test_the_catalogue_billers_and_config_are_pulled_page_by_page(
    shop: Shop, hub: RunningHub, store: str
) -> None:
    report = agent_for(shop, page_limit=64).run_round()
    assert report.error is None
    assert report.pulled["catalog"] == 200 == mall_catalog.count(shop)
    assert report.pulled["billers"] == len(billers.list_billers(shop, active_only=False)) > 0
    assert report.pulled["config"] == len(hub_config.entries(shop)) > 0
    with hub.db.reading() as session:
        hub_skus = {
            k
            for (k,) in session.execute(
                streams.select(streams.StreamChange.key).where(
                    streams.StreamChange.stream == "catalog", streams.StreamChange.op == "upsert"
                )
            )
        }
    assert hub_skus == {i for i in _local_skus(shop)}
    # the hub changes a price and withdraws an item: the next round brings exactly that
    sku, gone = sorted(hub_skus)[:2]
    item = mall_catalog.get(shop, sku)
    assert item is not None
    data = protocol.CatalogItem(
        sku=sku,
        name=item.name,
        wholesale_price_fen=item.wholesale_price_fen + 100,
        retail_price_fen=item.retail_price_fen,
        barcode=item.barcode,
        spec=item.spec,
        unit=item.unit,
        category=item.category,
        case_qty=item.case_qty,
    ).model_dump(mode="json")
    hub.publish("catalog", [(sku, data)], [gone])
    cursor_before = syncstate.stream_position(shop, "catalog").cursor
    again = agent_for(shop).run_round()
    assert again.pulled == {"catalog": 2, "billers": 0, "config": 0, "bill_results": 0}
    changed = mall_catalog.get(shop, sku)
    assert changed is not None and changed.wholesale_price_fen == item.wholesale_price_fen + 100
    assert mall_catalog.get(shop, gone) is None
    assert mall_catalog.count(shop) == 199
    assert syncstate.stream_position(shop, "catalog").cursor != cursor_before


def _local_skus(shop: Shop) -> set[str]:
    con = sqlite3.connect(shop.settings.db_path)
    try:
        return {r[0] for r in con.execute("SELECT sku FROM mall_items")}
    finally:
        con.close()


def test_a_page_that_does_not_fit_changes_nothing(
    shop: Shop, hub: RunningHub, store: str, caplog: pytest.LogCaptureFixture
) -> None:
    agent_for(shop).run_round()
    position = syncstate.stream_position(shop, "catalog")
    count = mall_catalog.count(shop)
    good = protocol.CatalogItem(
        sku="NEW-1", name="新品", wholesale_price_fen=100, retail_price_fen=150
    )
    hub.publish(
        "catalog",
        [
            ("NEW-1", good.model_dump(mode="json")),
            (
                "NEW-2",
                {
                    "sku": "NEW-2",
                    "name": "坏数据",
                    "wholesale_price_fen": 12.5,
                    "retail_price_fen": 150,
                },
            ),
        ],
    )
    hub.publish("config", [("shop_banner", {"key": "shop_banner", "value": "欢迎"})])
    report = agent_for(shop).run_round()
    assert report.error is not None and "NEW-2" in report.error
    assert mall_catalog.get(shop, "NEW-1") is None
    assert mall_catalog.count(shop) == count
    assert syncstate.stream_position(shop, "catalog").cursor == position.cursor
    # the other streams still came
    assert hub_config.value(shop, "shop_banner") == "欢迎"
    assert any("refused a page" in r.getMessage() for r in caplog.records)


def test_an_expired_cursor_resyncs_the_stream_and_leaves_the_outbox(
    shop: Shop, hub: RunningHub, store: str, counter: Counter
) -> None:
    agent = agent_for(shop, page_limit=50)
    agent.run_round()
    assert mall_catalog.count(shop) == 200
    resyncs_before = syncstate.stream_position(shop, "catalog").resyncs
    # While the shop is away the hub withdraws an item and prunes the tombstones past the
    # shop's cursor: the delete is gone, so only a full resync can make the copy right.
    gone = sorted(_local_skus(shop))[0]
    hub.publish("catalog", deletes=[gone])
    extra = protocol.CatalogItem(
        sku="LATE-1", name="晚到的", wholesale_price_fen=1, retail_price_fen=2
    )
    hub.publish("catalog", [("LATE-1", extra.model_dump(mode="json"))])
    with hub.db.transaction() as session:
        assert streams.prune(session, "catalog", keep_last=0) == 1
    for _ in range(2):
        counter.sell()
    outbox_before = outbox_rows(shop)
    assert any(r[3] == "pending" for r in outbox_before)
    report = RoundReport()
    agent_for(shop).pull("catalog", report)  # pages of MAX_PAGE: the stream fits in one
    assert report.resynced == ["catalog"]
    assert report.pulled["catalog"] == 200
    assert mall_catalog.get(shop, gone) is None
    assert mall_catalog.get(shop, "LATE-1") is not None
    assert mall_catalog.count(shop) == 200
    assert syncstate.stream_position(shop, "catalog").resyncs == resyncs_before + 1
    assert outbox_rows(shop) == outbox_before


def test_a_resync_of_a_stream_bigger_than_a_page_completes(
    shop: Shop, hub: RunningHub, store: str
) -> None:
    """After a prune, the cursors a fresh pull from the start is handed stay good: a resync
    of a stream many pages long finishes (it did not, before the hub counted generations)."""
    agent = agent_for(shop, page_limit=50)
    agent.run_round()
    hub.publish("catalog", deletes=[sorted(_local_skus(shop))[0]])
    with hub.db.transaction() as session:
        streams.prune(session, "catalog", keep_last=0)
    report = RoundReport()
    agent.pull("catalog", report)
    assert report.resynced == ["catalog"] and mall_catalog.count(shop) == 199


def test_enrolling_again_after_a_revocation_heals_the_running_agent(
    shop: Shop, hub: RunningHub, store: str, counter: Counter, capsys: pytest.CaptureFixture[str]
) -> None:
    counter.sell()
    agent = agent_for(shop)
    hub.revoke(syncstate.require_enrolment(shop).device_id)
    assert not agent.run_round().online
    code = hub.enrol_code(store)
    args = ["enrol", "--hub", hub.base_url, "--code", code]
    assert main([*args, "--data-dir", str(shop.settings.data_dir), "--set", "pin_scrypt_n=16"]) == 0
    report = agent.run_round()  # the same agent, no restart
    assert report.online and report.error is None
    assert hub.report(store)["sales_count"] == 1
    assert "pending" not in statuses(shop)


def test_a_batch_refused_whole_as_malformed_is_halved_to_park_the_one_bad_event(
    shop: Shop, hub: RunningHub, store: str, counter: Counter
) -> None:
    """A hub (or a proxy before it) that answers 422 for a whole batch because of one event:
    the agent halves the batch until that event stands alone, parks it, and delivers the rest."""
    for _ in range(6):
        counter.sell()
    rows = outbox_rows(shop)
    bad = rows[len(rows) // 2][1]

    def gate(request: Request) -> bytes:
        body = request.json() if request.path == protocol.PUSH_PATH else {"events": []}
        if any(e["event_id"] == bad for e in body["events"]):
            return response(422, {"error": "invalid_request", "detail": "events.3.payload: bad"})
        status, answer = _forward(hub, request)
        return response(status, answer)

    proxy = RawServer(answers=[gate] * 100)
    try:
        report = agent_for(shop, url=proxy.url).run_round()
    finally:
        proxy.close()
    assert report.error is None, report.error
    assert [r["event_id"] for r in report.rejected] == [bad]
    assert "422" in report.rejected[0]["reason"]
    by_id = {r[1]: r[3] for r in outbox_rows(shop)}
    assert by_id.pop(bad) == "dead"
    assert set(by_id.values()) == {"sent"}
    assert hub.report(store)["events_received"] == len(rows) - 1
    # the push requests: the whole batch, then halves until the bad one stood alone
    pushes = [r for r in proxy.requests if r.path == protocol.PUSH_PATH]
    assert len(pushes[0].json()["events"]) == len(rows)
    assert any([e["event_id"] for e in p.json()["events"]] == [bad] for p in pushes)


def test_a_thousand_changed_items_arrive_in_one_round(
    shop: Shop, hub: RunningHub, store: str
) -> None:
    agent = agent_for(shop, page_limit=300)
    agent.run_round()
    changed = [
        protocol.CatalogItem(
            sku=f"CHG-{i:04d}",
            name=f"改价商品 {i}",
            wholesale_price_fen=100 + i,
            retail_price_fen=200 + i,
        )
        for i in range(1000)
    ]
    hub.publish("catalog", [(c.sku, c.model_dump(mode="json")) for c in changed])
    report = agent.run_round()
    assert report.error is None
    assert report.pulled["catalog"] == 1000
    assert mall_catalog.count(shop) == 1200
    last = mall_catalog.get(shop, "CHG-0999")
    assert last is not None and last.wholesale_price_fen == 1099


@pytest.mark.pg
def test_the_agent_against_a_postgresql_hub(
    shop: Shop,
    pg_url: str,
    hub_factory: Callable[..., RunningHub],
    counter: Counter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The production hub's database: push (with a dead letter and a replay) and pull."""
    hub = hub_factory(pg_url, catalog_items=500)
    store = enrol(shop, hub, capsys)
    receipts = [counter.sell(colas=i + 1) for i in range(5)]
    bad_id = new_id()
    with shop.store.write() as session:
        outbox.enqueue(
            session,
            event_id=bad_id,
            at=shop.now(),
            kind="refund.completed",
            payload={"total_fen": 1},
        )
    receipts.append(counter.sell(breads=2))
    agent = agent_for(shop, batch_size=4, page_limit=120)
    report = agent.run_round()
    assert report.error is None, report.error
    assert [r["event_id"] for r in report.rejected] == [bad_id]
    assert mall_catalog.count(shop) == 500
    figures = hub.report(store)
    assert (figures["sales_count"], figures["sales_total_fen"]) == (
        6,
        sum(r.total_fen for r in receipts),
    )
    con = sqlite3.connect(shop.settings.db_path)
    con.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sent'")
    con.commit()
    con.close()
    again = agent.run_round()
    assert again.applied == 0 and again.duplicate == report.applied
    assert hub.report(store)["sales_count"] == 6


def test_the_running_agent_starts_a_round_early_when_the_till_sells(
    shop: Shop, hub: RunningHub, store: str, counter: Counter
) -> None:
    import threading
    import time

    agent = agent_for(shop)
    runner = threading.Thread(target=agent.run_forever, kwargs={"interval": 600, "poll": 0.05})
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while syncstate.status(shop).updated_at is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert syncstate.status(shop).online  # the first round is done; the next is 600 s away
        counter.sell()
        while hub.report(store)["sales_count"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hub.report(store)["sales_count"] == 1
    finally:
        agent.stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive()


def test_the_health_report_carries_what_the_database_knows_of_the_devices(
    shop: Shop, hub: RunningHub, store: str
) -> None:
    from storebox import printing

    agent_for(shop).run_round()
    device_id = syncstate.require_enrolment(shop).device_id

    def reported() -> dict[str, dict[str, str]]:
        entry = next(d for d in hub.report(store)["devices"] if d["device_id"] == device_id)
        return {d["name"]: d for d in entry["health"]["devices"]}

    assert reported() == {}  # no printer, no terminal, nothing in their queues
    job = printing.enqueue(shop, "receipt", {"number": "1125-01-0001"})
    con = sqlite3.connect(shop.settings.db_path)
    con.execute("UPDATE print_jobs SET status = 'failed' WHERE id = ?", (job,))
    con.execute(
        "INSERT INTO payment_attempts (id, reference, kind, operation, amount_fen, status, "
        "result_json, created_at) VALUES (?, 'ref-1', 'card', 'sale', 350, 'unknown', '{}', "
        "'2026-11-25 02:00:00.000000')",
        (new_id(),),
    )
    con.commit()
    con.close()
    agent = agent_for(shop)
    agent.run_round()
    devices = reported()
    assert devices["printer"]["state"] == "off"  # jobs, but no printer configured
    assert "1 failed" in devices["printer"]["detail"]
    assert devices["terminal"]["state"] == "warning"
    assert "not yet known" in devices["terminal"]["detail"]
    # the same agent reports again only after `health_every`, not every round
    first = next(d for d in hub.report(store)["devices"] if d["device_id"] == device_id)
    agent.run_round()
    again = next(d for d in hub.report(store)["devices"] if d["device_id"] == device_id)
    assert again["reported_at"] == first["reported_at"]
    agent.health_every = 0
    agent.run_round()
    latest = next(d for d in hub.report(store)["devices"] if d["device_id"] == device_id)
    assert latest["reported_at"] != first["reported_at"]
