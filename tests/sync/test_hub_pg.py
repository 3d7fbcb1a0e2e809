"""The hub on PostgreSQL (STOREBOX_TEST_PG_URL): the same push guarantees under concurrency —
two deliveries of one batch at the same moment (the agent retrying while its first attempt is
still in flight) apply each event exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from sync import protocol
from sync.hub import migrate
from tests.sync.conftest import RunningHub
from tests.sync.test_hub_push import Till, event, refund_of, sale

pytestmark = pytest.mark.pg


@pytest.fixture
def pg_hub(hub_factory: Callable[..., RunningHub], pg_url: str) -> RunningHub:
    return hub_factory(pg_url, catalog_items=100)


def test_push_replay_and_rejection_on_postgresql(pg_hub: RunningHub) -> None:
    till = Till(pg_hub)
    first = sale(1500, (("card", 1000), ("cash", 500)))
    bad = sale(100)
    bad["total_fen"] = 1.5
    batch = [
        event("sale.completed", first),
        event("sale.completed", bad),
        event("refund.completed", refund_of(first, 200)),
    ]
    assert [r.status for r in till.push(*batch)] == ["applied", "rejected", "applied"]
    assert [r.status for r in till.push(*batch)] == ["duplicate", "rejected", "duplicate"]
    changed = {**batch[0], "payload": {**first, "number": "S-9999"}}
    [refused] = till.push(changed)
    assert refused.status == "rejected"
    report = pg_hub.report(till.enrolled.store_id)
    assert (report["sales_total_fen"], report["refunds_total_fen"]) == (1500, 200)
    assert report["sales_by_tender_fen"] == {"card": 1000, "cash": 500}


def test_concurrent_deliveries_of_one_batch_apply_each_event_once(pg_hub: RunningHub) -> None:
    till = Till(pg_hub)
    batches = [
        [event("sale.completed", sale(100 + i)) for i in range(j * 50, j * 50 + 50)]
        for j in range(4)
    ]
    answers: list[list[protocol.EventResult]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def deliver(batch: list[dict[str, Any]]) -> None:
        own = Till.__new__(Till)  # the same device, its own connection (one per thread)
        own.hub, own.enrolled, own.http = pg_hub, till.enrolled, pg_hub.session(till.enrolled.token)
        try:
            results = own.push(*batch)
        except BaseException as exc:  # reported below
            errors.append(exc)
            return
        with lock:
            answers.append(results)

    # every batch sent three times at once, as retries racing their first attempt
    threads = [threading.Thread(target=deliver, args=(b,)) for b in batches for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    statuses = Counter((r.event_id, r.status) for results in answers for r in results)
    for batch in batches:
        for e in batch:
            assert statuses[(e["event_id"], "applied")] == 1
            assert statuses[(e["event_id"], "duplicate")] == 2
    report = pg_hub.report(till.enrolled.store_id)
    assert report["sales_count"] == 200
    assert report["sales_total_fen"] == sum(100 + i for i in range(200))


def test_migrations_are_the_hubs_own_and_run_once(pg_hub: RunningHub) -> None:
    migrate.upgrade(pg_hub.db.engine)  # again: nothing to do
    with pg_hub.db.engine.connect() as connection:
        assert migrate.current_revision(connection) is not None
        tables = {
            r[0]
            for r in connection.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
    assert "hub_alembic_version" in tables and "alembic_version" not in tables


def test_database_connections_killed_mid_push_lose_nothing(
    hub_factory: Callable[..., RunningHub], pg_url: str
) -> None:
    """PostgreSQL drops the hub's connections (as on a database restart) again and again while a
    shop pushes: the hub answers 503 (never 500) for what failed, the shop resends, and in the
    end every sale is there exactly once."""
    import os
    import time
    import uuid

    import psycopg

    name = f"hub_kill_{uuid.uuid4().hex[:8]}"
    hub = hub_factory(f"{pg_url}&application_name={name}")
    till = Till(hub)
    batches = [
        [event("sale.completed", sale(100 + i)) for i in range(j * 20, j * 20 + 20)]
        for j in range(30)
    ]
    stop = threading.Event()
    kills = 0

    def killer() -> None:
        nonlocal kills
        with psycopg.connect(os.environ["STOREBOX_TEST_PG_URL"], autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                    (name,),
                ).fetchall()
                kills += sum(1 for (done,) in rows if done)
                time.sleep(0.05)

    killing = threading.Thread(target=killer)
    killing.start()
    statuses: Counter[int] = Counter()
    try:
        for batch in batches:
            for _attempt in range(50):
                answer = till.http.post(
                    hub.base_url + protocol.PUSH_PATH, json={"events": batch}, timeout=30
                )
                statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    break
                assert answer.status_code == 503, answer.text
                assert protocol.ErrorBody.model_validate_json(answer.content).error == "unavailable"
            else:
                pytest.fail("the hub never recovered")
    finally:
        stop.set()
        killing.join()
    assert kills > 0 and statuses[503] > 0, (kills, statuses)  # the faults really happened
    report = hub.report(till.enrolled.store_id)
    assert report["sales_count"] == 600
    assert report["sales_total_fen"] == sum(100 + i for i in range(600))
