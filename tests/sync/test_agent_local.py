"""The shop's side of sync as data, offline: enrolment, outbox marking, pages with their
cursors, resync and the agent's state — all through the real core on a real SQLite file."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from storebox import billers, hub_config, mall_catalog, syncstate
from storebox.clock import FixedClock
from storebox.errors import InvalidInput, RuleViolation
from storebox.mall_catalog import MallItemData
from storebox.shop import Shop
from storebox.syncstate import Delete, Outcome, Upsert
from tests.sync.shopfixtures import open_counter, outbox_rows


def _item(sku: str, price: int = 1000, **kw: object) -> MallItemData:
    return MallItemData(
        sku=sku, name=f"商品 {sku}", wholesale_price_fen=price, retail_price_fen=price + 200, **kw
    )  # type: ignore[arg-type]


def test_enrolment_is_kept_replaced_and_never_shows_its_token(shop: Shop) -> None:
    assert syncstate.enrolment(shop) is None
    with pytest.raises(RuleViolation, match="storebox enrol"):
        syncstate.require_enrolment(shop)
    first = syncstate.save_enrolment(
        shop,
        hub_url="http://hub.example/",
        store_id="s1",
        store_name="幸福小店",
        device_id="d1",
        device_name="till-1",
        token="secret-token-1",
    )
    assert first.hub_url == "http://hub.example"
    assert "secret-token-1" not in repr(first)
    syncstate.save_enrolment(
        shop,
        hub_url="https://hub.example",
        store_id="s1",
        store_name="幸福小店",
        device_id="d2",
        device_name="till-1",
        token="secret-token-2",
    )
    again = syncstate.require_enrolment(shop)
    assert (again.device_id, again.token, again.hub_url) == (
        "d2",
        "secret-token-2",
        "https://hub.example",
    )
    with pytest.raises(InvalidInput, match="http"):
        syncstate.save_enrolment(
            shop,
            hub_url="ftp://x",
            store_id="s",
            store_name="",
            device_id="d",
            device_name="n",
            token="t",
        )
    assert syncstate.require_enrolment(shop).device_id == "d2"


def test_pending_events_come_oldest_first_in_batches(shop: Shop) -> None:
    counter = open_counter(shop)
    for _ in range(5):
        counter.sell()
    rows = outbox_rows(shop)
    batch = syncstate.pending_events(shop, 4)
    assert [e.seq for e in batch] == [r[0] for r in rows[:4]]
    assert [e.event_id for e in batch] == [r[1] for r in rows[:4]]
    assert all(e.created_at.tzinfo is not None for e in batch)
    assert len(syncstate.pending_events(shop, 1000)) == len(rows)
    with pytest.raises(InvalidInput):
        syncstate.pending_events(shop, 0)


def test_marking_a_batch_sends_and_dead_letters_together_and_the_rest_go_on(shop: Shop) -> None:
    counter = open_counter(shop)
    for _ in range(3):
        counter.sell()
    batch = syncstate.pending_events(shop, 3)
    outcomes = {
        batch[0].event_id: Outcome("applied"),
        batch[1].event_id: Outcome("rejected", "amount is not an integer"),
        batch[2].event_id: Outcome("duplicate"),
    }
    marked = syncstate.mark_delivered(shop, outcomes)
    assert (marked.sent, marked.dead) == (2, 1)
    by_id = {r[1]: r for r in outbox_rows(shop)}
    assert by_id[batch[0].event_id][3] == "sent"
    assert by_id[batch[1].event_id][3:] == ("dead", "amount is not an integer")
    assert by_id[batch[2].event_id][3] == "sent"
    # the dead letter does not block what follows
    following = syncstate.pending_events(shop, 3)
    assert following and following[0].seq > batch[2].seq
    assert [d.event_id for d in syncstate.dead_letters(shop)] == [batch[1].event_id]
    assert syncstate.dead_letters(shop)[0].reason == "amount is not an integer"


def test_an_answer_naming_an_event_not_pending_marks_nothing(shop: Shop) -> None:
    counter = open_counter(shop)
    counter.sell()
    batch = syncstate.pending_events(shop, 10)
    before = outbox_rows(shop)
    outcomes = {e.event_id: Outcome("applied") for e in batch}
    outcomes["0190aaaa-0000-7000-8000-000000000000"] = Outcome("applied")
    with pytest.raises(InvalidInput, match="not pending"):
        syncstate.mark_delivered(shop, outcomes)
    assert outbox_rows(shop) == before
    # and an event already sent is not pending any more either: a second mark is refused
    syncstate.mark_delivered(shop, {batch[0].event_id: Outcome("applied")})
    with pytest.raises(InvalidInput):
        syncstate.mark_delivered(shop, {batch[0].event_id: Outcome("rejected", "late")})
    assert {r[1]: r[3] for r in outbox_rows(shop)}[batch[0].event_id] == "sent"


def test_a_failed_attempt_keeps_events_pending_with_the_reason(shop: Shop) -> None:
    counter = open_counter(shop)
    counter.sell()
    ids = [e.event_id for e in syncstate.pending_events(shop, 10)]
    syncstate.note_attempt_failed(shop, ids, "connection refused")
    again = syncstate.pending_events(shop, 10)
    assert [e.event_id for e in again] == ids
    assert all(e.attempts == 1 for e in again)
    assert {r[3] for r in outbox_rows(shop)} == {"pending"}
    assert {r[4] for r in outbox_rows(shop)} == {"connection refused"}


def test_a_page_and_its_cursor_commit_together(shop: Shop) -> None:
    page = [Upsert("A1", _item("A1")), Upsert("A2", _item("A2")), Delete("A3")]
    assert syncstate.apply_page(shop, "catalog", page, "c1") == 3
    assert mall_catalog.count(shop) == 2
    assert syncstate.stream_position(shop, "catalog").cursor == "c1"
    assert syncstate.stream_position(shop, "catalog").last_pulled_at == shop.now()

    # An item that breaks a rule after other changes of the page were written: all undone.
    bad = [
        Upsert("B1", _item("B1")),
        Delete("A1"),
        Upsert("B2", _item("B2", price=-5)),
    ]
    with pytest.raises(InvalidInput, match="negative"):
        syncstate.apply_page(shop, "catalog", bad, "c2")
    assert mall_catalog.get(shop, "B1") is None
    assert mall_catalog.get(shop, "A1") is not None
    assert syncstate.stream_position(shop, "catalog").cursor == "c1"

    # A key that is not the item's own refuses the page before anything is written.
    with pytest.raises(InvalidInput, match="not its item"):
        syncstate.apply_page(shop, "catalog", [Upsert("X", _item("Y"))], "c3")
    # An item of another stream's kind likewise.
    with pytest.raises(InvalidInput, match="carries mall items"):
        syncstate.apply_page(shop, "catalog", [Upsert("k", hub_config.ConfigValue("k", 1))], "c3")
    with pytest.raises(InvalidInput, match="unknown stream"):
        syncstate.apply_page(shop, "orders", [], "c3")
    with pytest.raises(InvalidInput, match="cursor"):
        syncstate.apply_page(shop, "catalog", [], "")
    assert syncstate.stream_position(shop, "catalog").cursor == "c1"


def test_changes_apply_in_page_order(shop: Shop) -> None:
    page = [
        Upsert("A1", _item("A1", price=100)),
        Upsert("A1", _item("A1", price=200)),
        Upsert("A2", _item("A2")),
        Delete("A2"),
        Delete("A9"),
        Upsert("A9", _item("A9", barcode="6900000000009")),
    ]
    syncstate.apply_page(shop, "catalog", page, "c1")
    a1 = mall_catalog.get(shop, "A1")
    assert a1 is not None and a1.wholesale_price_fen == 200
    assert mall_catalog.get(shop, "A2") is None
    assert [i.sku for i in mall_catalog.by_barcode(shop, "6900000000009")] == ["A9"]


def test_billers_and_config_have_their_own_copies(shop: Shop) -> None:
    syncstate.apply_page(
        shop,
        "billers",
        [
            Upsert(
                "sgcc-bj",
                billers.BillerData(
                    "sgcc-bj", "electricity", "国网北京电力", rules={"len": [10, 13]}
                ),
            )
        ],
        "b1",
    )
    syncstate.apply_page(
        shop,
        "config",
        [Upsert("offline_bill_limit_fen", hub_config.ConfigValue("offline_bill_limit_fen", 20000))],
        "k1",
    )
    assert [(b.biller_id, b.rules) for b in billers.list_billers(shop)] == [
        ("sgcc-bj", {"len": [10, 13]})
    ]
    assert hub_config.value(shop, "offline_bill_limit_fen") == 20000
    with pytest.raises(InvalidInput, match="unknown kind"):
        syncstate.apply_page(
            shop, "billers", [Upsert("x", billers.BillerData("x", "lottery", "彩票"))], "b2"
        )
    assert syncstate.stream_position(shop, "billers").cursor == "b1"


def test_reset_clears_one_stream_and_its_cursor_and_leaves_the_outbox(shop: Shop) -> None:
    counter = open_counter(shop)
    counter.sell()
    syncstate.apply_page(shop, "catalog", [Upsert("A1", _item("A1"))], "c1")
    syncstate.apply_page(shop, "config", [Upsert("k", hub_config.ConfigValue("k", True))], "k1")
    outbox_before = outbox_rows(shop)
    assert syncstate.reset_stream(shop, "catalog") == 1
    position = syncstate.stream_position(shop, "catalog")
    assert (position.cursor, position.resyncs) == (None, 1)
    assert mall_catalog.count(shop) == 0
    assert hub_config.entries(shop) == {"k": True}
    assert syncstate.stream_position(shop, "config").cursor == "k1"
    assert outbox_rows(shop) == outbox_before


def test_the_round_record_counts_the_outbox(shop: Shop) -> None:
    never = syncstate.status(shop)
    assert (never.updated_at, never.online) == (None, False)
    counter = open_counter(shop)
    counter.sell()
    counter.sell()
    batch = syncstate.pending_events(shop, 1)
    syncstate.mark_delivered(shop, {batch[0].event_id: Outcome("rejected", "bad")})
    pending = len(syncstate.pending_events(shop, 1000))
    state = syncstate.record_round(shop, online=False, error="connection refused")
    assert (state.online, state.pending_events, state.dead_letters) == (False, pending, 1)
    assert (state.last_error, state.last_success_at) == ("connection refused", None)
    ok = syncstate.record_round(shop, online=True, error=None)
    assert (ok.online, ok.last_error, ok.last_success_at) == (True, None, shop.now())
    assert [s.stream for s in ok.streams] == ["bill_results", "billers", "catalog", "config"]
    # the status bar counts the outbox as it is now, not as of the last round
    counter.sell()
    assert syncstate.status(shop).pending_events > ok.pending_events
    con = sqlite3.connect(shop.settings.db_path)
    assert con.execute("SELECT count(*) FROM sync_state").fetchone() == (1,)
    con.close()


def test_device_health_says_only_what_the_database_proves(shop: Shop, clock: FixedClock) -> None:
    from storebox import device_health, printing

    assert device_health.devices(shop) == []
    shop.settings = dataclasses.replace(
        shop.settings, printer_url="dummy:", terminal_url="tcp://10.0.0.5:20007"
    )
    states = {d.name: d for d in device_health.devices(shop)}
    assert (states["printer"].state, states["terminal"].state) == ("unknown", "unknown")
    printing.enqueue(shop, "receipt", {"number": "1"})
    assert {d.name: d.state for d in device_health.devices(shop)}["printer"] == "unknown"
    clock.advance(minutes=6)  # the receipt has waited too long: the printer is not taking jobs
    printer = {d.name: d for d in device_health.devices(shop)}["printer"]
    assert (
        printer.state == "warning"
        and "1 queued" in printer.detail
        and "5 minutes" in printer.detail
    )
