"""Receipt layouts: CJK-aware columns on 58 mm and 80 mm paper."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from drivers.printer import layout
from drivers.printer.layout import Qr, Text, render
from storebox.reports import display_width

ZONE = ZoneInfo("Asia/Shanghai")


def sale_payload(kind: str = "cash", **extra: Any) -> dict[str, Any]:
    pay: dict[str, Any] = {"kind": kind, "amount_fen": 950, "tendered_fen": 950, "change_fen": 0}
    if kind == "cash":
        pay.update(tendered_fen=1000, change_fen=50)
    if kind == "card":
        pay.update(
            masked_pan="622848******1234",
            card_name="银联",
            auth_code="A1B2C3",
            terminal_id="T0001",
            receipt_no="000123",
        )
    return {
        "store_name": "好邻居便利店",
        "number": "S1-20261125-0007",
        "completed_at": "2026-11-25T02:00:00+00:00",
        "cashier_name": "王芳",
        "lines": [
            {"name": "农夫山泉 550ml", "qty": 2, "unit_price_fen": 200, "line_total_fen": 400},
            {"name": "Coke", "qty": 1, "unit_price_fen": 550, "line_total_fen": 550},
            {
                "name": "康师傅红烧牛肉面（桶装）超大份量版",
                "qty": 1,
                "unit_price_fen": 0,
                "line_total_fen": 0,
            },
        ],
        "list_total_fen": 950,
        "total_fen": 950,
        "discount_fen": 0,
        "change_fen": pay["change_fen"],
        "payments": [pay],
        **extra,
    }


@pytest.mark.parametrize("width", [32, 48])
def test_sale_lines_fit_and_amounts_line_up(width: int) -> None:
    doc = render("sale", sale_payload(), width, ZONE)
    lines = doc.text_lines()
    assert all(display_width(s) <= width for s in lines)
    amounts = [s for s in lines if s.endswith(("4.00", "5.50", "0.00")) and " x " in s]
    assert len(amounts) == 3
    assert {display_width(s) for s in amounts} == {width}  # right edges line up
    # the 'x' of every quantity sits in the same column
    assert len({display_width(s[: s.index(" x ")]) for s in amounts}) == 1
    assert "时间 Time" in lines[3] or any("2026-11-25 10:00:00" in s for s in lines)  # shop's zone
    assert any(s.startswith("收银员") and s.endswith("王芳") for s in lines)
    assert any(s.startswith("找零 Change") and s.endswith("￥0.50") for s in lines)
    assert [i.data for i in doc.items if isinstance(i, Qr)] == ["S1-20261125-0007"]
    big = [i.text for i in doc.items if isinstance(i, Text) and i.big]
    assert any("合计" in t and "￥9.50" in t for t in big)
    assert doc.open_drawer


def test_card_sale_shows_masked_card_and_does_not_open_the_drawer() -> None:
    doc = render("sale", sale_payload("card"), 32, ZONE)
    text = "\n".join(doc.text_lines())
    assert "622848******1234" in text and "A1B2C3" in text
    assert not doc.open_drawer


def test_reprint_is_marked_and_does_not_kick_the_drawer() -> None:
    doc = render("sale", sale_payload(), 32, ZONE, reprint=True)
    assert doc.text_lines()[0] == layout.REPRINT_MARK and "重打印" in layout.REPRINT_MARK
    assert not doc.open_drawer
    assert layout.REPRINT_MARK not in render("sale", sale_payload(), 32, ZONE).text_lines()


def test_refund_slip() -> None:
    payload = {
        "store_name": "好邻居便利店",
        "number": "R1-0001",
        "sale_number": "S1-20261125-0007",
        "created_at": "2026-11-25T03:00:00+00:00",
        "user_name": "王芳",
        "approved_by": "店主",
        "reason": "过期",
        "lines": [{"name": "农夫山泉", "qty": 1, "unit_price_fen": 200, "amount_fen": 200}],
        "total_fen": 200,
        "payments": [{"kind": "cash", "amount_fen": 200}],
    }
    doc = render("refund", payload, 48, ZONE)
    lines = doc.text_lines()
    assert any("S1-20261125-0007" in s for s in lines) and any("11:00:00" in s for s in lines)
    assert all(display_width(s) <= 48 for s in lines)
    assert doc.open_drawer
    assert any(s.startswith("收银员") and s.endswith("王芳") for s in lines)
    assert any(s.startswith("批准") and s.endswith("店主") for s in lines)
    assert any(" x " in s and s.endswith("2.00") for s in lines)


def test_report_reuses_the_core_text_at_the_printer_width() -> None:
    class Fake:
        def render_text(self, width: int) -> str:
            return f"X 报表（交班）\n{'-' * width}"

    payload = layout.report_payload(Fake())
    assert render("x_report", payload, 32, ZONE).text_lines()[1] == "-" * 32
    assert render("x_report", payload, 48, ZONE, reprint=True).text_lines() == [
        layout.REPRINT_MARK,
        "X 报表（交班）",
        "-" * 48,
    ]


@pytest.mark.parametrize("width", [32, 48])
def test_test_page(width: int) -> None:
    doc = render("test", {}, width, ZONE)
    lines = doc.text_lines()
    assert any("你好" in s for s in lines) and any("English" in s for s in lines)
    assert all(display_width(s) <= width for s in lines)
    assert any(isinstance(i, Qr) for i in doc.items)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="no receipt template"):
        render("nonsense", {}, 32, ZONE)
