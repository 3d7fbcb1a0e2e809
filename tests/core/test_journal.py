"""The hash-chained journal: appends link, tampering is found and named."""

from __future__ import annotations

import itertools
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storebox import integrity, journal, outbox
from storebox.db.models import JournalEntry, OutboxEvent
from storebox.shop import Shop


def _write_events(shop: Shop, n: int) -> None:
    for i in range(n):
        with shop.store.write() as session:
            outbox.record(
                session,
                at=shop.now(),
                kind="test.event",
                ref_id=None,
                payload={"i": i, "名": "可乐"},
            )


def _raw(shop: Shop) -> sqlite3.Connection:
    con = sqlite3.connect(shop.settings.db_path, isolation_level=None)
    con.execute("DROP TRIGGER journal_no_update")  # what someone editing the file by hand can do
    con.execute("DROP TRIGGER journal_no_delete")
    return con


def test_entries_link_and_share_their_id_with_the_outbox(shop: Shop) -> None:
    _write_events(shop, 5)
    with shop.store.read() as session:
        entries = session.scalars(select(JournalEntry).order_by(JournalEntry.seq)).all()
        events = session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
        assert entries[0].prev_hash == journal.GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
        assert [e.id for e in entries] == [e.event_id for e in events]
        assert journal.verify(session).ok
        assert outbox.pending_count(session) == 5


def test_sqlite_refuses_to_change_or_delete_entries(shop: Shop) -> None:
    _write_events(shop, 1)
    with pytest.raises(IntegrityError, match="append-only"), shop.store.write() as session:
        session.get_one(JournalEntry, 1).kind = "edited"
    with pytest.raises(IntegrityError, match="append-only"), shop.store.write() as session:
        session.delete(session.get_one(JournalEntry, 1))


@pytest.mark.parametrize(
    ("tamper", "broken", "problem"),
    [
        ("UPDATE journal SET payload_json = '{\"i\":99}' WHERE seq = 3", 3, "altered"),
        ("DELETE FROM journal WHERE seq = 2", 2, "missing"),
        ("UPDATE journal SET prev_hash = hash WHERE seq = 4", 4, "does not link"),
        ("UPDATE journal SET at = '2020-01-01 00:00:00.000000' WHERE seq = 5", 5, "altered"),
    ],
)
def test_tampering_names_the_first_broken_link(
    shop: Shop, tamper: str, broken: int, problem: str
) -> None:
    _write_events(shop, 6)
    con = _raw(shop)
    con.execute(tamper)
    con.close()
    with shop.store.read() as session:
        report = journal.verify(session)
    assert not report.ok
    assert report.first_broken_seq == broken
    assert problem in report.problem
    check = integrity.check(shop)
    assert not check.ok
    assert f"entry {broken}" in check.render_text()


def test_a_rewritten_tail_with_recomputed_hashes_still_breaks_at_the_next_link(shop: Shop) -> None:
    """Recomputing the altered entry's own hash is not enough: its successor no longer links."""
    _write_events(shop, 4)
    with shop.store.read() as session:
        e2 = session.get_one(JournalEntry, 2)
        new_payload = journal.canonical({"i": 1000})
        forged = journal.entry_hash(e2.prev_hash, 2, e2.id, e2.at, e2.kind, e2.ref_id, new_payload)
    con = _raw(shop)
    con.execute(
        "UPDATE journal SET payload_json = ?, hash = ? WHERE seq = 2", (new_payload, forged)
    )
    con.close()
    with shop.store.read() as session:
        report = journal.verify(session)
    assert report.first_broken_seq == 3


def test_clean_store_passes_db_check(shop: Shop) -> None:
    _write_events(shop, 3)
    report = integrity.check(shop)
    assert report.ok, report.render_text()
    assert report.as_dict()["journal"]["entries"] == 3
