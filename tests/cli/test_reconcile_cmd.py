"""`storebox reconcile`: prints the day's differences, stores the result for the Z report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from cli.reconcile_cmd import fetch_and_reconcile, terminal_totals
from storebox.errors import InvalidInput
from storebox.ports import PaymentResult, PaymentStatus
from storebox.shop import Shop


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STOREBOX_PIN_SCRYPT_N", "16")
    monkeypatch.setenv("STOREBOX_CONFIG", "")
    return tmp_path / "shop"


def test_reconcile_without_hub_or_terminal_says_what_was_not_checked(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    code, out, _ = run(capsys, "reconcile", "--data-dir", str(data), "--no-terminal", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["clean"] is True and doc["differences"] == []
    assert doc["settlement_checked"] is False and doc["terminal_checked"] is False
    assert any("not enrolled" in n for n in doc["notes"])
    code, out, _ = run(capsys, "report", "z", "--data-dir", str(data), "--json")
    assert code == 0 and json.loads(out)["reconciliation"]["business_day"] == doc["business_day"]
    code, out, _ = run(capsys, "reconcile", "--data-dir", str(data), "--no-terminal")
    assert code == 0 and "clean" in out and "not checked" in out


def test_a_bad_date_is_refused(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, _, err = run(capsys, "reconcile", "--data-dir", str(data), "--date", "2026-13-40")
    assert code == 2 and "YYYY-MM-DD" in err


def test_terminal_totals_are_read_only_when_the_driver_gives_them() -> None:
    done = PaymentResult(PaymentStatus.APPROVED, 0, "end-of-day")
    assert terminal_totals(done) is None  # the ZVT driver reports no totals today
    extra = {
        "payments_count": "2",
        "payments_fen": "1500",
        "refunds_count": "0",
        "refunds_fen": "0",
        "scheme:UnionPay": "2/1500",
    }
    totals = terminal_totals(PaymentResult(PaymentStatus.APPROVED, 0, "eod", extra=extra))
    assert totals is not None and totals.payments_fen == 1500
    assert [(s.scheme, s.count, s.amount_fen) for s in totals.schemes] == [("UnionPay", 2, 1500)]
    with pytest.raises(InvalidInput, match="not numbers"):
        terminal_totals(
            PaymentResult(PaymentStatus.APPROVED, 0, "eod", extra={**extra, "payments_fen": "x"})
        )


def test_reconcile_reads_the_terminals_end_of_day_totals(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    from drivers.terminal.simulator import TERMINAL_ID, serve_pty

    sim, path = serve_pty()
    try:
        code, out, _ = run(
            capsys, "reconcile", "--data-dir", str(data), "--terminal", path, "--json"
        )
    finally:
        sim.stop()
    doc = json.loads(out)
    assert b"\x06\x50" in sim.wire  # the end-of-day was really sent
    # a day without card payments: the terminal's zero totals are checked, not skipped
    assert code == 0 and doc["terminal_checked"] is True and doc["clean"] is True
    assert doc["terminal"]["terminal_id"] == TERMINAL_ID and doc["terminal"]["basis"] == "net"
    assert doc["terminal"]["payments_count"] == 0 and len(doc["terminal"]["schemes"]) == 7


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        ("truncated", "53 bytes expected, got 48"),
        ("not_bcd", "girocard turnover not BCD"),
        ("inconsistent", "终端合计不一致：总额 1 分，分类合计 0 分"),
        ("missing", "未报告分类合计 (BMP 60)"),
    ],
)
def test_a_bad_totals_block_means_not_checked_and_says_why(
    capsys: pytest.CaptureFixture[str], data: Path, fault: str, why: str
) -> None:
    from drivers.terminal.simulator import serve_pty

    sim, path = serve_pty(totals_fault=fault)
    try:
        code, out, _ = run(
            capsys, "reconcile", "--data-dir", str(data), "--terminal", path, "--json"
        )
    finally:
        sim.stop()
    doc = json.loads(out)
    assert code == 0 and doc["terminal_checked"] is False and doc["terminal"] is None
    (note,) = [n for n in doc["notes"] if n.startswith("terminal")]
    assert "no totals reported" in note and why in note, note
    assert "card totals not checked" in note


def test_net_totals_and_the_card_names_a_terminal_files_are_read() -> None:
    extra = {
        "payments_count": "3",
        "payments_fen": "1200",
        "refunds_count": "0",
        "refunds_fen": "0",
        "totals_basis": "net",
        "scheme:other": "2/700",
        "scheme:Visa": "1/500",
        "scheme_of:visa": "Visa",
        "scheme_other": "other",
    }
    totals = terminal_totals(
        PaymentResult(PaymentStatus.APPROVED, 0, "eod", terminal_id="52012345", extra=extra)
    )
    assert totals is not None and totals.basis == "net" and totals.terminal_id == "52012345"
    assert totals.card_schemes == (("visa", "Visa"),) and totals.other_scheme == "other"


class _EndOfDay:
    """A terminal whose end-of-day answers what a test says (the driver's contract only)."""

    def __init__(self, terminal_id: str, **extra: str) -> None:
        self.answer = PaymentResult(
            PaymentStatus.APPROVED, 0, "end-of-day", terminal_id=terminal_id, extra=extra
        )

    def end_of_day(self) -> PaymentResult:
        return self.answer


ZERO = {"payments_count": "0", "payments_fen": "0", "refunds_count": "0", "refunds_fen": "0"}


def _shop(data: Path) -> Iterator[Shop]:
    from storebox import config
    from storebox.shop import open_shop

    settings = config.load(environ={}, overrides={"data_dir": str(data), "pin_scrypt_n": 16})
    with open_shop(settings) as shop:
        yield shop


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({**ZERO, "totals_basis": "weird"}, "basis 'weird'"),
        ({**ZERO, "totals_basis": "net", "refunds_count": "1"}, "net terminal totals"),
        ({**ZERO, "scheme:Visa": "1/x"}, "not numbers"),
        ({**ZERO, "scheme_other": "x" * 65}, "1 to 64 characters"),
    ],
)
def test_bad_terminal_totals_are_refused_and_change_nothing(
    data: Path, extra: dict[str, str], why: str
) -> None:
    from storebox import reconcile

    for shop in _shop(data):
        notes: list[str] = []
        with pytest.raises(InvalidInput, match=why):
            fetch_and_reconcile(
                shop,
                shop.business_day(),
                client=None,
                terminal=_EndOfDay("52012345", **extra),  # type: ignore[arg-type]
                notes=notes,
            )
        with shop.store.read() as session:
            assert reconcile.stored(session, shop.business_day()) is None


def test_several_terminals_must_each_name_their_id(data: Path) -> None:
    for shop in _shop(data):
        notes: list[str] = []
        twins = [_EndOfDay("52012345", **ZERO), _EndOfDay("52012345", **ZERO)]
        result = fetch_and_reconcile(
            shop,
            shop.business_day(),
            client=None,
            terminal=twins,  # type: ignore[arg-type]
            notes=notes,
        )
        assert result.terminal is None and result.terminals == ()
        assert any("must each report their own id" in n for n in notes)
        notes.clear()
        pair = [_EndOfDay("52012345", **ZERO), _EndOfDay("52099999")]  # the second: no totals
        result = fetch_and_reconcile(
            shop,
            shop.business_day(),
            client=None,
            terminal=pair,  # type: ignore[arg-type]
            notes=notes,
        )
        assert [t.terminal_id for t in result.terminals] == ["52012345"]
        assert notes == [
            "terminal 52099999: end-of-day approved but no totals reported (no message): "
            "card totals not checked"
        ]
