"""`storebox simulate` as a person runs it: cash only by default, a tender chosen with
`--tenders` goes through the real port (the hub over HTTP on loopback), and a tender that cannot
be taken is refused with the reason before anything is sold."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from sync.hub import acquirer
from tests.sync.conftest import RunningHub


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--data-dir", str(data)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STOREBOX_PIN_SCRYPT_N", "16")
    monkeypatch.setenv("STOREBOX_CONFIG", "")
    monkeypatch.delenv("STOREBOX_HUB_DB", raising=False)
    return tmp_path / "shop"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = RunningHub(str(tmp_path / "hub.db"))
    running.start()
    yield running
    running.close()


def z_report(capsys: pytest.CaptureFixture[str], data: Path) -> dict[str, object]:
    code, out, _ = run(capsys, data, "report", "z", "--json")
    assert code == 0
    doc = json.loads(out)
    assert isinstance(doc, dict)
    return doc


def test_plain_simulate_is_cash_only_and_counts_the_fen(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    code, out, _ = run(
        capsys, data, "simulate", "--sales", "25", "--seed", "2", "--refund-rate", "0.3", "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["chosen"] == doc["paid_with"] == {"cash": 25}
    assert set(doc["tenders"]) == {"cash"}
    assert doc["tenders"]["cash"]["sales_fen"] == doc["sales_total_fen"]
    assert doc["tenders"]["cash"]["refunds_fen"] == doc["refunds_total_fen"] > 0
    assert doc["sales_per_s"] > 0 and doc["notes"] == []
    z = z_report(capsys, data)
    tenders = z["tenders"]
    assert isinstance(tenders, dict)
    assert tenders["cash"]["sales_fen"] == doc["tenders"]["cash"]["sales_fen"]
    assert tenders["cash"]["refunds_fen"] == doc["tenders"]["cash"]["refunds_fen"]
    assert tenders["card"]["sales_fen"] == tenders["wallet"]["sales_fen"] == 0


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (("--tenders", "cash,bitcoin"), "--tenders takes"),
        (("--tenders", "card"), "needs a card terminal"),
        (("--hub",), "not enrolled"),
        (("--tenders", "wallet"), "not enrolled"),
        (("--terminal", "/dev/no-such-terminal"), "is not ready"),
        (("--bills", "0.3"), "not enrolled"),
        (("--bills", "1.5"), "--bills takes a share"),
        (("--bills", "0.3", "--bills-wait", "-1"), "--bills-wait seconds"),
    ],
)
def test_a_tender_that_cannot_be_taken_is_refused_before_anything_is_sold(
    capsys: pytest.CaptureFixture[str], data: Path, options: tuple[str, ...], words: str
) -> None:
    code, _, err = run(capsys, data, "simulate", "--sales", "5", *options)
    assert code == 2
    assert words in err and err.count("\n") == 1, err
    assert z_report(capsys, data)["sales_count"] == 0


def test_wallet_and_qr_through_the_real_hub(
    capsys: pytest.CaptureFixture[str], data: Path, hub: RunningHub, tmp_path: Path
) -> None:
    store_id = hub.create_store("只收扫码的店")
    code, _, err = run(
        capsys, data, "enrol", "--hub", hub.base_url, "--code", hub.enrol_code(store_id)
    )
    assert code == 0, err

    # customer-presented codes only: every sale and every refund through the acquirer
    code, out, err = run(
        capsys,
        data,
        "simulate",
        "--sales",
        "12",
        "--tenders",
        "wallet",
        "--refund-rate",
        "0.5",
        "--json",
    )
    assert code == 0, err
    wallet = json.loads(out)
    assert wallet["chosen"] == wallet["paid_with"] == {"wallet": 12}
    assert set(wallet["tenders"]) == {"wallet"}
    assert wallet["tenders"]["wallet"]["refunds_count"] > 0

    # the shop's own code needs the hub's database to play the customer who pays it
    missing = tmp_path / "elsewhere" / "hub.db"
    code, _, err = run(
        capsys, data, "simulate", "--sales", "3", "--tenders", "qr", "--hub-db", str(missing)
    )
    assert code == 2 and "--hub-db" in err
    code, out, err = run(
        capsys,
        data,
        "simulate",
        "--sales",
        "6",
        "--tenders",
        "qr",
        "--hub-db",
        str(tmp_path / "hub.db"),
        "--json",
    )
    assert code == 0, err
    qr = json.loads(out)
    assert qr["chosen"] == qr["paid_with"] == {"qr": 6}

    # the acquirer holds exactly that money, each kind of order where it belongs
    z = z_report(capsys, data)
    day = dt.date.fromisoformat(str(z["business_day"]))
    rows = [
        r
        for d in (day, day + dt.timedelta(days=1))
        for r in acquirer.settlement(hub.db, store_id, d).rows
    ]
    payments = [r for r in rows if r.type == "payment"]
    assert sorted(r.kind for r in payments) == ["micropay"] * 12 + ["qr"] * 6
    assert sum(r.amount_fen for r in payments) == (
        wallet["tenders"]["wallet"]["sales_fen"] + qr["tenders"]["wallet"]["sales_fen"]
    )
    refunded = -sum(r.amount_fen for r in rows if r.type == "refund")
    assert refunded == (
        wallet["tenders"]["wallet"]["refunds_fen"]
        + qr["tenders"].get("wallet", {}).get("refunds_fen", 0)
    )
    tenders = z["tenders"]
    assert isinstance(tenders, dict)
    assert tenders["wallet"]["sales_fen"] == sum(r.amount_fen for r in payments)
    assert tenders["wallet"]["refunds_fen"] == refunded
    assert tenders["cash"]["sales_fen"] == 0
