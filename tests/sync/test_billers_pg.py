"""The billers on a PostgreSQL hub (marker pg), where requests really run at once: two tills
paying one bill make one payment (the other: duplicate_bill), the POST and the event of one
payment racing make one payment, and concurrent top-ups cannot slip past the per-day limit."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from sync import protocol
from sync.client import HubClient, HubRefused
from sync.hub.models import BillPayment
from tests.sync.bill_fixtures import HubClock, Till, make_till, with_luhn
from tests.sync.conftest import RunningHub

pytestmark = pytest.mark.pg


def _together(n: int, work: Callable[[int], str]) -> list[str]:
    results: list[str] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(n)

    def run(i: int) -> None:
        gate.wait()
        try:
            results.append(work(i))
        except HubRefused as exc:
            results.append(exc.error)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


@pytest.fixture
def pg_hub(hub_factory: Callable[..., RunningHub], pg_url: str) -> RunningHub:
    return hub_factory(pg_url)


@pytest.fixture
def tills(pg_hub: RunningHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Till]]:
    hub_clock = HubClock(monkeypatch)
    made = [make_till(pg_hub, hub_clock) for _ in range(4)]
    yield made
    for till in made:
        till.client.close()


def _count(hub: RunningHub, **where: str) -> int:
    with hub.db.reading() as session:
        query = select(func.count()).select_from(BillPayment)
        for column, value in where.items():
            query = query.where(getattr(BillPayment, column) == value)
        return int(session.scalar(query) or 0)


def test_tills_paying_one_bill_at_once_make_one_payment(
    pg_hub: RunningHub, tills: list[Till]
) -> None:
    account = "1100987654321"
    bills = [t.lookup("sgcc-bj", account) for t in tills]  # all before any payment
    requests = [
        t.request("sgcc-bj", account, b.amount_due_fen + b.penalty_fen, query_no=b.query_no)
        for t, b in zip(tills, bills, strict=True)
    ]

    def pay(i: int) -> str:
        with HubClient(pg_hub.base_url, tills[i].client.token) as client:
            return client.bill_pay(requests[i]).status

    outcomes = _together(len(tills), pay)
    assert sorted(outcomes) == ["duplicate_bill"] * 3 + ["pending"], outcomes
    assert _count(pg_hub, account=account) == 1


def test_the_post_and_the_event_of_one_payment_racing_make_one_payment(
    pg_hub: RunningHub, tills: list[Till]
) -> None:
    till = tills[0]
    request = till.request("cmcc", "13812345678", 5000)

    def deliver(i: int) -> str:
        with HubClient(pg_hub.base_url, till.client.token) as client:
            if i % 2:
                return client.bill_pay(request).biller_reference
            event = protocol.Event(
                event_id=str(uuid.uuid4()),
                kind=protocol.BILL_ACCEPTED_EVENT,
                created_at=request.accepted_at,
                payload=request.model_dump(mode="json"),
            )
            [answer] = client.push(protocol.PushRequest(events=[event])).results
            return answer.status

    outcomes = _together(8, deliver)
    references = {o for o in outcomes if o.startswith("BP")}
    assert len(references) == 1 and outcomes.count("applied") == 4, outcomes
    assert _count(pg_hub, payment_id=request.payment_id) == 1
    results = till.results()
    assert list(results) == [request.payment_id]


def test_concurrent_top_ups_cannot_pass_the_per_day_limit(
    pg_hub: RunningHub, tills: list[Till]
) -> None:
    number = "13998765432"  # ¥1,000 a day: two ¥500 top-ups, whichever till

    def top_up(i: int) -> str:
        till = tills[i % len(tills)]
        with HubClient(pg_hub.base_url, till.client.token) as client:
            return client.bill_pay(till.request("cmcc", number, 50000)).status

    outcomes = _together(6, top_up)
    assert sorted(outcomes) == ["limit_exceeded"] * 4 + ["pending"] * 2, outcomes
    assert _count(pg_hub, account=number) == 2


def test_each_store_pulls_only_its_own_results(pg_hub: RunningHub, tills: list[Till]) -> None:
    card = with_luhn("622575123456789")
    made = {
        t.store_id: t.client.bill_pay(t.request("cc-repay", card, 100 + i)).payment_id
        for i, t in enumerate(tills)
    }
    for till in tills:
        assert list(till.results()) == [made[till.store_id]]
