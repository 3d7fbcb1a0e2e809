"""The acquirer on a PostgreSQL hub (marker pg): concurrent requests with one key make one order,
and concurrent micropays each take their own step of the store's script."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest

from sync import protocol
from sync.client import HubClient
from tests.sync.acquirer_fixtures import WECHAT, make_till
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
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_concurrent_micropays_on_postgresql(
    hub_factory: Callable[..., RunningHub], pg_url: str
) -> None:
    hub = hub_factory(pg_url)
    till = make_till(hub)
    reference = str(uuid.uuid4())

    def same_key(_: int) -> str:
        with HubClient(hub.base_url, till.client.token) as client:
            return client.micropay(
                protocol.MicropayRequest(reference=reference, auth_code=WECHAT, amount_fen=600)
            ).acquirer_reference

    assert len(set(_together(8, same_key))) == 1

    till.script("decline,decline,decline,approve,approve,approve")

    def own_key(_: int) -> str:
        with HubClient(hub.base_url, till.client.token) as client:
            return client.micropay(
                protocol.MicropayRequest(
                    reference=str(uuid.uuid4()), auth_code=WECHAT, amount_fen=100
                )
            ).status

    statuses = _together(6, own_key)
    assert sorted(statuses) == ["approved"] * 3 + ["declined"] * 3  # each step taken once
    day = till.settlement()
    assert (day.payments_count, day.payments_fen) == (4, 600 + 300)
    till.client.close()
