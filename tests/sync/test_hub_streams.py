"""Pull streams on the real hub: pages in commit order behind opaque cursors, compaction, the
410/400 answers, and — on PostgreSQL — no change skipped when its transaction commits late."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from sync import protocol
from sync.hub import catalog_seed, streams
from sync.hub.models import StreamChange
from tests.sync.conftest import RunningHub


class Reader:
    """A device pulling one stream, as the agent does."""

    def __init__(self, hub: RunningHub, stream: str = "catalog") -> None:
        self.hub = hub
        self.stream = stream
        self.http = hub.session(hub.enrol().token)
        self.cursor = ""
        self.items: dict[str, dict[str, Any] | None] = {}
        self.seen: list[str] = []

    def page(self, limit: int = protocol.MAX_PAGE, cursor: str | None = None) -> requests.Response:
        return self.http.get(
            self.hub.base_url + protocol.PULL_PATH.format(stream=self.stream),
            params={"cursor": self.cursor if cursor is None else cursor, "limit": limit},
            timeout=30,
        )

    def pull_at_least(
        self, wanted: int, limit: int = protocol.MAX_PAGE, timeout: float = 10
    ) -> int:
        """Pull until at least `wanted` changes came (or `timeout` passed); returns how many.

        A change is served once no transaction that began before it is still running anywhere
        on the server (the xmin rule): on PostgreSQL, an autoanalyze or another client's short
        transaction can hold a change back for a moment after its commit. It is delivered then,
        never skipped; a test that expects it at once would fail on a busy server."""
        deadline = time.monotonic() + timeout
        got = self.pull(limit)
        while got < wanted and time.monotonic() < deadline:
            time.sleep(0.05)
            got += self.pull(limit)
        return got

    def pull(self, limit: int = protocol.MAX_PAGE) -> int:
        """Pull until `more` is false; returns how many changes came."""
        got = 0
        while True:
            answer = self.page(limit)
            assert answer.status_code == 200, answer.text
            page = protocol.PullPage.model_validate_json(answer.content)
            assert page.stream == self.stream
            for change in page.changes:
                self.items[change.key] = change.data if change.op == "upsert" else None
                self.seen.append(change.key)
            got += len(page.changes)
            self.cursor = page.cursor
            if not page.more:
                return got


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def any_hub(
    request: pytest.FixtureRequest, tmp_path: Path, hub_factory: Callable[..., RunningHub]
) -> RunningHub:
    if request.param == "sqlite":
        return hub_factory(str(tmp_path / "hub.db"), catalog_items=500)
    return hub_factory(request.getfixturevalue("pg_url"), catalog_items=500)


def test_a_first_pull_gets_every_item_once_in_pages(any_hub: RunningHub) -> None:
    reader = Reader(any_hub)
    assert reader.pull(limit=120) == 500
    assert len(reader.seen) == len(set(reader.seen)) == 500
    item = protocol.CatalogItem.model_validate(reader.items["M0000001"])
    assert item == catalog_seed.check(next(catalog_seed.generate(1)))
    assert reader.pull() == 0  # nothing new: the same cursor back
    again = protocol.PullPage.model_validate_json(reader.page().content)
    assert (again.changes, again.cursor, again.more) == ([], reader.cursor, False)


def test_changes_come_after_the_cursor_latest_version_only(any_hub: RunningHub) -> None:
    reader = Reader(any_hub)
    reader.pull()
    first = reader.cursor
    any_hub.publish("catalog", [("M0000002", {**reader.items["M0000002"], "retail_price_fen": 1})])  # type: ignore[dict-item]
    any_hub.publish(
        "catalog", [("M0000002", {**reader.items["M0000002"], "retail_price_fen": 2})], ["M0000003"]
    )  # type: ignore[dict-item]
    assert reader.pull_at_least(2) == 2
    assert reader.items["M0000002"]["retail_price_fen"] == 2  # type: ignore[index]
    assert reader.items["M0000003"] is None
    # compaction: the log holds one row per key, so the old cursor sees each key once
    late = Reader(any_hub)
    late.cursor = first
    assert late.pull_at_least(2) == 2
    with any_hub.db.reading() as session:
        assert streams.count(session, "catalog") == 500


def test_a_thousand_changes_reach_a_reader_in_one_round(any_hub: RunningHub) -> None:
    reader = Reader(any_hub)
    reader.pull()
    changed = [
        (
            f"N{i:05d}",
            {
                "sku": f"N{i:05d}",
                "name": f"新品{i}",
                "wholesale_price_fen": 100,
                "retail_price_fen": 150,
            },
        )
        for i in range(1000)
    ]
    any_hub.publish("catalog", changed)
    assert reader.pull_at_least(1000) == 1000
    assert len(reader.items) == 1500


@pytest.mark.parametrize("stream", ["billers", "config"])
def test_billers_and_config_are_served(hub: RunningHub, stream: str) -> None:
    reader = Reader(hub, stream)
    reader.pull()
    if stream == "billers":
        billers = [protocol.Biller.model_validate(v) for v in reader.items.values()]
        assert {b.kind for b in billers} == {"electricity", "water", "gas", "mobile", "credit_card"}
        assert any("国家电网" in b.name for b in billers)
    else:
        entries = {k: protocol.ConfigEntry.model_validate(v).value for k, v in reader.items.items()}
        assert entries["offline_bill_payment_max_fen"] > 0


@pytest.mark.parametrize(
    ("cursor", "status", "error"),
    [
        ("garbage", 400, "bad_cursor"),
        ("catalog.abc.1", 400, "bad_cursor"),
        ("catalog.xyz!.1.2", 400, "bad_cursor"),
        ("catalog.0123456789ab.0.1.99999999999999999999999", 400, "bad_cursor"),
        ("catalog.0123456789ab.0.1.9999999999999999999", 400, "bad_cursor"),  # over BIGINT
        ("catalog.0123456789ab.0.0.5", 410, "cursor_expired"),  # another hub database
    ],
)
def test_cursors_the_hub_did_not_hand_out_are_refused(
    hub: RunningHub, cursor: str, status: int, error: str
) -> None:
    answer = Reader(hub).page(cursor=cursor)
    assert answer.status_code == status, answer.text
    assert protocol.ErrorBody.model_validate_json(answer.content).error == error


def test_a_cursor_of_another_stream_expires(hub: RunningHub) -> None:
    billers = Reader(hub, "billers")
    billers.pull()
    answer = Reader(hub, "catalog").page(cursor=billers.cursor)
    assert answer.status_code == 410
    assert protocol.ErrorBody.model_validate_json(answer.content).error == "cursor_expired"


def test_a_cursor_older_than_pruned_tombstones_expires_and_a_restart_recovers(
    hub: RunningHub,
) -> None:
    old = Reader(hub)
    old.pull()
    hub.publish("catalog", [], [f"M{i:07d}" for i in range(1, 11)])
    current = Reader(hub)
    current.pull()
    with hub.db.transaction() as session:
        assert streams.prune(session, "catalog", keep_last=0) == 10
    answer = old.page()
    assert answer.status_code == 410
    assert protocol.ErrorBody.model_validate_json(answer.content).error == "cursor_expired"
    assert current.pull() == 0  # a cursor at or past the horizon is still served
    fresh = Reader(hub)
    assert fresh.pull() == 190  # the fixture's 200 goods less the 10 deleted


def test_a_fresh_pull_after_a_prune_finishes_page_by_page(hub: RunningHub) -> None:
    """The pages of a pull begun after a prune sit below the horizon: they must still be
    served (found by the agent's tests: a resync bigger than a page never finished)."""
    reader = Reader(hub)
    reader.pull()
    hub.publish("catalog", [("M0000005", {"sku": "M0000005", "name": "改"})], ["M0000001"])
    with hub.db.transaction() as session:
        assert streams.prune(session, "catalog", keep_last=0) == 1
    fresh = Reader(hub)
    assert fresh.pull(limit=30) == 199
    assert "M0000001" not in fresh.items and fresh.items["M0000005"] == {
        "sku": "M0000005",
        "name": "改",
    }
    # a second prune: a pull paused below its horizon expires; one that already read the
    # delete it drops goes on
    behind, ahead = Reader(hub), Reader(hub)
    behind.cursor = protocol.PullPage.model_validate_json(behind.page(limit=5).content).cursor
    ahead.pull()
    hub.publish("catalog", [], ["M0000002"])
    assert ahead.pull_at_least(1) == 1 and ahead.items["M0000002"] is None
    with hub.db.transaction() as session:
        assert streams.prune(session, "catalog", keep_last=0) == 1
    assert behind.page().status_code == 410
    assert ahead.pull() == 0


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "2001"}, {"limit": "x"}, {"cursor": "c" * 201}, {"limt": "5"}],
)
def test_bad_parameters_get_422(hub: RunningHub, query: dict[str, str]) -> None:
    reader = Reader(hub)
    answer = reader.http.get(hub.base_url + "/v1/streams/catalog", params=query, timeout=10)
    assert answer.status_code == 422
    assert protocol.ErrorBody.model_validate_json(answer.content).error == "invalid_request"


def test_an_unknown_stream_is_refused(hub: RunningHub) -> None:
    reader = Reader(hub)
    answer = reader.http.get(hub.base_url + "/v1/streams/orders", timeout=10)
    assert answer.status_code == 422
    assert "stream" in protocol.ErrorBody.model_validate_json(answer.content).detail


@pytest.mark.pg
@pytest.mark.parametrize("late_takes_its_xid_first", [True, False])
def test_a_change_that_commits_late_is_not_skipped(
    hub_factory: Callable[..., RunningHub], pg_url: str, late_takes_its_xid_first: bool
) -> None:
    """T1 writes 'late' (the lower sequence value) and holds its transaction open; T2 writes
    'early' (a higher sequence value) and commits. A reader that pulls now must not move its
    cursor past 'late' for good: when T1 commits, 'late' must still come.

    Both orders of transaction ids are tried: T1's id below T2's (the reader is held back: it
    gets nothing until T1 ends) and T2's below T1's (the reader gets 'early' at once and its
    cursor passes early's sequence value — a cursor over the sequence would now skip 'late')."""
    hub = hub_factory(pg_url)
    reader = Reader(hub)
    reader.pull()
    t1_wrote, t1_commit = threading.Event(), threading.Event()

    def t1_body() -> None:
        with hub.db.transaction() as t1:
            t1.execute(text("SELECT pg_current_xact_id()"))
            streams.publish(t1, "catalog", [("late", {"sku": "late"})])
            t1_wrote.set()
            assert t1_commit.wait(30)

    t1 = threading.Thread(target=t1_body)
    try:
        with hub.db.transaction() as t2:
            if not late_takes_its_xid_first:
                t2.execute(text("SELECT pg_current_xact_id()"))
            t1.start()
            assert t1_wrote.wait(30)
            streams.publish(t2, "catalog", [("early", {"sku": "early"})])
        if late_takes_its_xid_first:
            assert reader.pull() == 0  # 'early' is held back behind the open T1
        else:
            assert reader.pull_at_least(1) == 1
            assert reader.seen == ["early"]
    finally:
        t1_commit.set()
        t1.join(30)
    with hub.db.reading() as session:
        seqs = dict(
            session.execute(
                text("SELECT key, seq FROM stream_changes WHERE key IN ('late', 'early')")
            ).all()
        )
    assert seqs["late"] < seqs["early"]  # the late commit holds the lower sequence value
    reader.pull_at_least(2 - len(reader.seen))
    assert sorted(reader.seen) == ["early", "late"]


@pytest.mark.pg
def test_concurrent_writers_and_a_reader_lose_nothing(
    hub_factory: Callable[..., RunningHub], pg_url: str
) -> None:
    """Writers publish in transactions that stay open for random times (sequence values taken
    early, commits in any order) while a reader pulls over HTTP: it ends with every key."""
    hub = hub_factory(pg_url)
    reader = Reader(hub)
    reader.pull()
    written: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        rnd = random.Random(n)
        for i in range(25):
            keys = [f"w{n}-{i}-{j}" for j in range(rnd.randint(1, 4))]
            with hub.db.transaction() as session:
                streams.publish(session, "catalog", [(k, {"sku": k}) for k in keys[:1]])
                time.sleep(rnd.uniform(0, 0.02))  # the sequence value is taken, the commit waits
                streams.publish(session, "catalog", [(k, {"sku": k}) for k in keys[1:]])
            with lock:
                written.extend(keys)

    def read_all_the_time() -> None:
        while not stop.is_set():
            reader.pull(limit=7)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    pulling = threading.Thread(target=read_all_the_time)
    pulling.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    pulling.join()
    reader.pull()
    assert set(written) <= set(reader.items)
    assert len(reader.seen) == len(set(reader.seen))  # each key once: no key was written twice


def test_on_sqlite_the_sequence_is_commit_order(hub: RunningHub) -> None:
    with hub.db.reading() as session:
        txids = set(session.scalars(text("SELECT DISTINCT txid FROM stream_changes")))
    assert txids == {0}
    assert StreamChange.__table__.c.seq.primary_key
