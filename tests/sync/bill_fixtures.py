"""Helpers for the billers' tests: a till (a store's enrolled device and its typed client), a
hub clock set to a China time (utilities close 23:30-00:30), and payment builders."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from sync import protocol
from sync.client import HubClient
from sync.hub import billers, clock
from sync.hub.models import BillPayment
from tests.sync.conftest import RunningHub

CHINA = dt.timezone(dt.timedelta(hours=8))
MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)
"""Inside every biller's opening hours; past the 25th, so last month's bills carry a late fee."""


class HubClock:
    """The hub's clock: real time moved to a chosen moment, then advanced by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: dt.datetime = MORNING) -> None:
        self.offset = dt.timedelta()
        self._real = clock.utcnow
        monkeypatch.setattr(clock, "utcnow", lambda: self._real() + self.offset)
        self.set(at)

    def set(self, at: dt.datetime) -> None:
        self.offset = at - self._real()

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)

    def now(self) -> dt.datetime:
        return clock.utcnow()


@dataclass
class Till:
    hub: RunningHub
    store_id: str
    device_id: str
    client: HubClient
    clock: HubClock

    def script(self, steps: str, biller: str = "") -> list[str]:
        return billers.set_script(self.hub.db, self.store_id, steps, biller_id=biller)

    def request(
        self,
        biller_id: str,
        account: str,
        amount_fen: int,
        *,
        query_no: str = "",
        offline: bool = False,
        payment_id: str | None = None,
        tender: str = "cash",
    ) -> protocol.BillPaymentRequest:
        return protocol.BillPaymentRequest(
            payment_id=payment_id or str(uuid.uuid4()),
            biller_id=biller_id,
            account=account,
            amount_fen=amount_fen,
            query_no=query_no,
            tender=tender,  # type: ignore[arg-type]
            accepted_offline=offline,
            accepted_at=self.clock.now(),
            number=f"B{uuid.uuid4().hex[:8]}",
        )

    def lookup(self, biller_id: str, account: str) -> protocol.BillLookup:
        return self.client.bill_lookup(
            protocol.BillLookupRequest(biller_id=biller_id, account=account)
        )

    def pay_bill(self, biller_id: str, account: str, **kw: Any) -> protocol.BillResult:
        """Look the bill up and pay exactly what is due."""
        bill = self.lookup(biller_id, account)
        due = bill.amount_due_fen + bill.penalty_fen
        return self.client.bill_pay(self.request(biller_id, account, due, query_no=bill.query_no))

    def event(self, kind: str, payload: protocol.WireModel, event_id: str | None = None) -> Any:
        request = protocol.PushRequest(
            events=[
                protocol.Event(
                    event_id=event_id or str(uuid.uuid4()),
                    kind=kind,
                    created_at=self.clock.now(),
                    payload=payload.model_dump(mode="json"),
                )
            ]
        )
        [result] = self.client.push(request).results
        return result

    def results(self, timeout: float = 10.0) -> dict[str, dict[str, Any]]:
        """The store's bill_results stream, pulled from the start, once it shows every payment
        the hub holds for the store.

        The stream is compacted (one row per payment, moved forward at each change) and serves
        only changes older than the oldest transaction running on the server (the xmin rule):
        while any transaction is open — the hub's own 2 s tick, say — a payment changed just
        after it is served to a reader from the start a moment later, not at once. A shop that
        follows the stream already holds the earlier state; a test reading from the start waits
        for the later one."""
        deadline = time.monotonic() + timeout
        while True:
            out: dict[str, dict[str, Any]] = {}
            cursor: str | None = None
            while True:
                page = self.client.pull(protocol.BILL_RESULTS_STREAM, cursor)
                for change in page.changes:
                    assert change.data is not None
                    out[change.key] = change.data
                cursor = page.cursor
                if not page.more:
                    break
            if set(out) >= self._held() or time.monotonic() > deadline:
                return out
            time.sleep(0.05)

    def _held(self) -> set[str]:
        """The payment ids the hub holds for this store."""
        with self.hub.db.reading() as session:
            return set(
                session.scalars(
                    select(BillPayment.payment_id).where(BillPayment.store_id == self.store_id)
                )
            )


def make_till(hub: RunningHub, hub_clock: HubClock) -> Till:
    enrolled = hub.enrol()
    client = HubClient(hub.base_url, enrolled.token, read_timeout=20)
    return Till(hub, enrolled.store_id, enrolled.device_id, client, hub_clock)


def with_luhn(body: str) -> str:
    """`body` and the check digit that makes it pass Luhn."""
    for digit in "0123456789":
        if billers.luhn_ok(body + digit):
            return body + digit
    raise AssertionError("unreachable")
