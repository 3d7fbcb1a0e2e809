"""`storebox hub biller-script` and `storebox hub bill-statement` as an operator types them,
against the database of a hub that serves a till over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sync.bill_fixtures import HubClock, Till, make_till, with_luhn
from tests.sync.conftest import RunningHub
from tests.sync.test_hub_cli import storebox

CARD = with_luhn("622575123456789")


@pytest.fixture
def till(hub: RunningHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[Till]:
    made = make_till(hub, HubClock(monkeypatch))
    yield made
    made.client.close()


def hub_json(hub: RunningHub, *args: str) -> Any:
    return json.loads(storebox("hub", *args, "--db", hub.db_url, "--json").stdout)


def test_a_script_set_from_the_command_line_decides_the_next_payments(
    hub: RunningHub, till: Till
) -> None:
    doc = hub_json(
        hub, "biller-script", "--store", till.store_id, "--biller", "cc-repay", "failed:card_closed"
    )
    assert doc == {
        "store_id": till.store_id,
        "biller_id": "cc-repay",
        "steps": ["failed:card_closed"],
    }
    appended = hub_json(
        hub,
        "biller-script",
        "--store",
        till.store_id,
        "--biller",
        "cc-repay",
        "--append",
        "success",
    )
    assert appended["steps"] == ["failed:card_closed", "success"]
    first = till.client.bill_pay(till.request("cc-repay", CARD, 30000))
    second = till.client.bill_pay(till.request("cc-repay", CARD, 12345))
    assert (first.status, first.reason_code, second.status) == ("failed", "card_closed", "success")
    statement = hub_json(hub, "bill-statement", "--store", till.store_id, "--date", "2026-11-26")
    assert (statement["count"], statement["amount_fen"], statement["failed_fen"]) == (
        2,
        42345,
        30000,
    )
    assert (statement["success_fen"], statement["commission_fen"], statement["owed_fen"]) == (
        12345,
        100,
        12245,
    )
    text = storebox(
        "hub",
        "bill-statement",
        "--store",
        till.store_id,
        "--date",
        "2026-11-26",
        "--db",
        hub.db_url,
    ).stdout
    assert "2 payments = 42345 fen" in text and CARD not in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("biller-script", "--store", "{store}", "success,maybe"), "unknown step"),
        (("biller-script", "--store", "{store}", "failed:because"), "the reason is one of"),
        (("biller-script", "--store", "no-such-store", "success"), "no store"),
        (("biller-script", "--store", "{store}", "--biller", "nope", "success"), "no biller"),
        (("bill-statement", "--store", "{store}", "--date", "26.11.2026"), "YYYY-MM-DD"),
    ],
)
def test_mistakes_print_one_line_and_exit_2(
    hub: RunningHub, till: Till, args: tuple[str, ...], words: str
) -> None:
    done = storebox(
        "hub", *(a.format(store=till.store_id) for a in args), "--db", hub.db_url, check=False
    )
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
