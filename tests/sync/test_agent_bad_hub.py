"""Bad data from the hub (issue 5, "Proof, not hope"): the agent, enrolled at the real hub,
pulls through a loopback server that forwards everything to the hub except the catalogue
page, which it answers with exact bytes: wrong types, missing fields, more changes than asked
or than protocol.MAX_PAGE, a cursor that goes backwards, one that stands still while `more` is
true. Each is refused with its reason logged once, the shop's copy of the stream and its cursor
are untouched (read from the database file), and the round's error is in sync_state."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from storebox import mall_catalog, syncstate
from storebox.shop import Shop
from sync import protocol
from sync.agent import RoundReport
from tests.sync.conftest import RunningHub
from tests.sync.rawhttp import RawServer, Request, response
from tests.sync.test_agent_hub import _forward, agent_for, enrol

CATALOG = protocol.PULL_PATH.format(stream="catalog")
Page = dict[str, Any]


@pytest.fixture
def store(shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]) -> str:
    return enrol(shop, hub, capsys)


def _catalogue_copy(shop: Shop) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(shop.settings.db_path)
    try:
        rows = con.execute("SELECT * FROM mall_items ORDER BY sku").fetchall()
        cursors = con.execute("SELECT * FROM sync_streams ORDER BY 1").fetchall()
        return rows + [("cursor", *c) for c in cursors]
    finally:
        con.close()


def _item(sku: str, price: int = 150) -> dict[str, Any]:
    return protocol.CatalogItem(
        sku=sku, name=f"新品 {sku}", wholesale_price_fen=100, retail_price_fen=price
    ).model_dump(mode="json")


def _with_position(cursor: str, txid: int, seq: int) -> str:
    order = protocol.cursor_order(cursor)
    assert order is not None
    return f"{order.stream}.{order.epoch}.{order.generation}.{txid}.{seq}"


def _tampering_proxy(hub: RunningHub, tamper: Callable[[Page, str], Page | bytes]) -> RawServer:
    """Forwards to the hub; the catalogue's pages go through `tamper(page, cursor asked)`."""

    def gate(request: Request) -> bytes:
        status, body = _forward(hub, request)
        if not request.path.startswith(CATALOG) or status != 200:
            return response(status, body)
        asked = request.path.partition("cursor=")[2].partition("&")[0]
        changed = tamper(json.loads(body), asked)
        return changed if isinstance(changed, bytes) else response(200, changed)

    return RawServer(answers=[gate] * 50)


def _more_changes_than_asked(page: Page, _asked: str) -> Page:
    page["changes"] = [
        {"key": f"X-{i}", "op": "upsert", "data": _item(f"X-{i}")} for i in range(51)
    ]
    return page


def _more_than_max_page(page: Page, _asked: str) -> Page:
    page["changes"] = [
        {"key": f"X-{i}", "op": "delete", "data": None} for i in range(protocol.MAX_PAGE + 1)
    ]
    return page


def _backwards(page: Page, _asked: str) -> Page:
    order = protocol.cursor_order(page["cursor"])
    assert order is not None and order.seq > 3
    page["cursor"] = _with_position(page["cursor"], order.txid, 3)
    return page


def _stands_still(page: Page, asked: str) -> Page:
    from urllib.parse import unquote

    page["cursor"], page["more"] = unquote(asked), True
    return page


def _wrong_type(page: Page, _asked: str) -> Page:
    page["changes"][0]["data"]["retail_price_fen"] = "150"
    return page


def _more_as_text(page: Page, _asked: str) -> Page:
    page["more"] = "false"
    return page


def _no_cursor(page: Page, _asked: str) -> Page:
    del page["cursor"]
    return page


def _another_streams_cursor(page: Page, _asked: str) -> Page:
    page["cursor"] = "billers" + page["cursor"][len("catalog") :]
    return page


def _not_json(_page: Page, _asked: str) -> bytes:
    return response(200, b'{"stream":"catalog","changes":[')


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_more_changes_than_asked, "asked for at most 50 changes, the hub sent 51"),
        (_more_than_max_page, "changes"),
        (_backwards, "cursor went backwards"),
        (_stands_still, "does not move"),
        (_wrong_type, "does not fit its schema"),
        (_more_as_text, "more"),
        (_no_cursor, "cursor"),
        (_another_streams_cursor, "is not ours"),
        (_not_json, ""),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:],
)
def test_a_bad_page_is_refused_logged_once_and_changes_nothing(
    shop: Shop,
    hub: RunningHub,
    store: str,
    caplog: pytest.LogCaptureFixture,
    tamper: Callable[[Page, str], Page | bytes],
    reason: str,
) -> None:
    agent_for(shop).run_round()  # the hub's 200 goods, honestly
    assert mall_catalog.count(shop) == 200
    held = syncstate.stream_position(shop, "catalog").cursor
    before = _catalogue_copy(shop)
    hub.publish("catalog", [(f"NEW-{i}", _item(f"NEW-{i}")) for i in range(60)])

    proxy = _tampering_proxy(hub, tamper)
    caplog.set_level(logging.DEBUG, logger="sync")
    try:
        agent = agent_for(shop, url=proxy.url, page_limit=50)
        first, second = agent.run_round(), agent.run_round()
    finally:
        proxy.close()

    for report in (first, second):
        assert report.error is not None and reason in report.error, report.error
        assert report.pulled.get("catalog", 0) == 0
    assert _catalogue_copy(shop) == before
    assert syncstate.stream_position(shop, "catalog").cursor == held
    assert mall_catalog.get(shop, "NEW-0") is None
    state = syncstate.status(shop)
    assert state.last_error is not None and reason in state.last_error
    # the reason logged once at warning or above although two rounds met the same page
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING and reason in r.getMessage()]
    assert len(loud) == 1, [r.getMessage() for r in loud]

    # the hub mended: the next round brings the new goods
    report = agent_for(shop, page_limit=50).run_round()
    assert report.error is None and report.pulled["catalog"] == 60
    assert mall_catalog.count(shop) == 260


def test_a_page_of_another_hub_database_resyncs_the_stream(
    shop: Shop, hub: RunningHub, store: str
) -> None:
    """A cursor of another epoch: the hub's database was replaced (restored, rebuilt) and it
    did not say 410. Not an error: the copy is dropped and the stream pulled from the start."""
    agent_for(shop).run_round()
    resyncs = syncstate.stream_position(shop, "catalog").resyncs
    served: list[str] = []

    def other_epoch(page: Page, asked: str) -> Page:
        served.append(asked)
        if len(served) == 1:  # the replaced database's first answer to our old cursor
            order = protocol.cursor_order(page["cursor"])
            assert order is not None
            page["cursor"] = f"catalog.{'f' * 32}.0.0.{order.seq}"
            page["changes"] = [{"key": "GHOST", "op": "upsert", "data": _item("GHOST")}]
        return page

    hub.publish("catalog", [("NEW-1", _item("NEW-1"))])
    proxy = _tampering_proxy(hub, other_epoch)
    try:
        report = RoundReport()
        agent_for(shop, url=proxy.url).pull("catalog", report)
    finally:
        proxy.close()
    assert report.resynced == ["catalog"]
    assert served[1] == ""  # pulled again from the start
    assert mall_catalog.get(shop, "GHOST") is None  # nothing of the refused page applied
    assert mall_catalog.count(shop) == 201
    assert syncstate.stream_position(shop, "catalog").resyncs == resyncs + 1


def test_the_real_hub_hands_out_cursors_in_order(shop: Shop, hub: RunningHub, store: str) -> None:
    """What the shop's check relies on: every page's cursor is of the protocol's shape and
    its position never goes down while the stream is pulled page by page."""
    agent = agent_for(shop, page_limit=30)
    seen: list[protocol.CursorOrder] = []
    original = agent.client.pull

    def pull(stream: str, cursor: str | None, limit: int = protocol.MAX_PAGE) -> protocol.PullPage:
        page = original(stream, cursor, limit)
        order = protocol.cursor_order(page.cursor)
        assert order is not None and order.stream == stream
        if stream == "catalog":
            seen.append(order)
        return page

    agent.client.pull = pull  # type: ignore[method-assign]
    agent.run_round()
    hub.publish("catalog", [("NEW-1", _item("NEW-1"))])
    agent.run_round()
    assert len(seen) >= 8
    assert [o.position for o in seen] == sorted(o.position for o in seen)
    assert len({o.epoch for o in seen}) == 1
