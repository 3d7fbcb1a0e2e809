"""`storebox bills` on a shop that is not enrolled (offline): pay within the hub's limits, list,
refund tasks; a refusal exits non-zero with its reason and records nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cli.main import main
from storebox.clock import FixedClock
from storebox.config import Settings
from storebox.shop import open_shop
from tests.core.billpay_fixtures import install_billers
from tests.core.factories import open_till


def _run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--data-dir", str(data), "--set", "pin_scrypt_n=16"])
    out, err = capsys.readouterr()
    return code, out, err


def test_pay_list_and_refund_tasks_offline(
    settings: Settings,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STOREBOX_CONFIG", raising=False)
    with open_shop(settings, clock) as shop:
        install_billers(shop)
        open_till(shop)
    data = settings.data_dir
    monkeypatch.setattr("sys.stdin", io.StringIO("5678\n"))
    code, out, err = _run(
        capsys, data, "bills", "pay", "cmcc", "138 1234 5678", "50", "--cash", "100",
        "--by", "小李", "--pin-stdin", "--json",
    )  # fmt: skip
    assert code == 0, err
    paid = json.loads(out)
    assert paid["status"] == "pending" and paid["accepted_offline"] is True
    assert paid["change_fen"] == 5_000 and paid["account_masked"] == "138****5678"
    code, out, _ = _run(capsys, data, "bills", "list", "--json")
    assert [p["number"] for p in json.loads(out)["payments"]] == [paid["number"]]
    monkeypatch.setattr("sys.stdin", io.StringIO("5678\n"))
    code, out, err = _run(
        capsys, data, "bills", "pay", "cmcc", "13812345678", "40", "--cash", "40",
        "--by", "小李", "--pin-stdin",
    )  # fmt: skip
    assert code != 0 and "denominations_fen" in out + err
    code, out, _ = _run(capsys, data, "bills", "list", "--json")
    assert len(json.loads(out)["payments"]) == 1
    code, out, _ = _run(capsys, data, "bills", "refund-tasks", "--json")
    assert code == 0 and json.loads(out) == {"refund_tasks": []}
    code, out, err = _run(capsys, data, "bills", "reconcile")
    assert code != 0 and "not enrolled" in out + err


def test_refund_above_the_limit_needs_the_owner(
    settings: Settings,
    clock: FixedClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storebox import billpay
    from storebox.sales import Cash
    from tests.core.billpay_fixtures import CMB_CREDIT
    from tests.fakes import FakeBillPay

    monkeypatch.delenv("STOREBOX_CONFIG", raising=False)
    with open_shop(settings, clock) as shop:
        install_billers(shop)
        till = open_till(shop)
        amount = shop.settings.refund_limit_fen + 5_000
        port = FakeBillPay(submit_script=["failed"])
        failed = billpay.pay(
            shop, till.cashier, "cc-repay", CMB_CREDIT, amount, Cash(amount), port=port
        )
    data = settings.data_dir
    monkeypatch.setattr("sys.stdin", io.StringIO("5678\n"))
    code, out, err = _run(
        capsys, data, "bills", "refund", failed.number, "--by", "小李", "--pin-stdin"
    )
    assert code != 0 and "owner" in out + err
    monkeypatch.setattr("sys.stdin", io.StringIO("5678\n5678\n"))  # a cashier is no approver
    code, out, err = _run(
        capsys, data, "bills", "refund", failed.number, "--by", "小李",
        "--approver", "小李", "--pin-stdin",
    )  # fmt: skip
    assert code != 0 and "approver must be the owner" in out + err
    code, out, _ = _run(capsys, data, "bills", "refund-tasks", "--json")
    assert [t["status"] for t in json.loads(out)["refund_tasks"]] == ["open"]
    monkeypatch.setattr("sys.stdin", io.StringIO("5678\n1234\n"))
    code, out, err = _run(
        capsys, data, "bills", "refund", failed.number, "--by", "小李",
        "--approver", "王老板", "--pin-stdin", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["status"] == "done"
