"""Receipt templates (resources/receipts): the language's checks at load time, the templates
driving what prints, and the two new documents — bill payment and pickup slip — as ESC/POS bytes
decoded back at 58 mm and 80 mm."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from drivers.printer import layout
from drivers.printer import template as tpl
from drivers.printer.driver import PrinterDriver
from drivers.printer.escpos_bytes import PrinterProfile, document_bytes
from drivers.printer.layout import print_width, render
from drivers.printer.receipts import (
    BillPaymentReceipt,
    BillStatus,
    PickupItem,
    PickupSlip,
    ReceiptDataError,
    mask_account,
    mask_name,
    mask_phone,
)
from drivers.printer.worker import QueuedReceiptPrinter
from storebox import printing
from storebox.shop import Shop
from tests.drivers.escpos_decode import Decoded, decode
from tests.drivers.test_printer_layout import sale_payload

ZONE = ZoneInfo("Asia/Shanghai")
PROFILES = [PrinterProfile.mm58(), PrinterProfile.mm80()]
PAID_AT = dt.datetime(2026, 11, 25, 2, 30, tzinfo=dt.UTC)  # 10:30 in Shanghai


def bill(**changes: Any) -> BillPaymentReceipt:
    values: dict[str, Any] = {
        "store_name": "好邻居便利店",
        "number": "B1-20261125-0003",
        "biller_name": "国网北京市电力公司",
        "bill_type": "电费",
        "account": "1100123456789",
        "holder_name": "王小明",
        "amount_fen": 12345,
        "fee_fen": 100,
        "status": BillStatus.SUCCESS,
        "hub_reference": "HUB-7F3A-0091",
        "paid_at": PAID_AT,
        "cashier_name": "王芳",
        "tender": "wechat",
    }
    values.update(changes)
    return BillPaymentReceipt(**values)


def slip(**changes: Any) -> PickupSlip:
    values: dict[str, Any] = {
        "store_name": "好邻居便利店",
        "order_number": "APP-20261125-0042",
        "pickup_code": "735194",
        "items": (
            PickupItem("蒙牛纯牛奶 250ml×16", 2),
            PickupItem("Lay's 乐事薯片 原味 104g", 1),
            PickupItem("康师傅红烧牛肉面（桶装）超大份量版五连包", 3),
        ),
        "customer_phone": "13812341234",
        "collected_at": PAID_AT,
        "cashier_name": "小李",
    }
    values.update(changes)
    return PickupSlip(**values)


def printed(
    kind: str, payload: dict[str, object], profile: PrinterProfile
) -> tuple[bytes, Decoded]:
    data = document_bytes(render(kind, payload, profile.columns, ZONE), profile)
    return data, decode(data)


def value_of(out: Decoded, label: str) -> str:
    """The right-hand column of the row that starts with `label`."""
    for text in out.texts:
        if text.startswith(label):
            return text[len(label) :].strip()
    raise AssertionError(f"no row {label!r} in {out.texts}")


# --- the two new documents, as bytes ---------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES, ids=["58mm", "80mm"])
def test_bill_payment_receipt_bytes(profile: PrinterProfile) -> None:
    data, out = printed("bill_payment", bill().as_dict(), profile)
    width = profile.columns
    assert data.startswith(b"\x1b@\x1c&")  # Chinese mode switched on before any text
    for chinese in ("便民缴费凭证", "国网北京市电力公司", "请保留此凭证", "成功", "手续费"):
        assert chinese.encode("gb18030") in data
    assert out.kinds()[-1] == "cut" and "drawer" not in out.kinds()
    # rows of two columns fill the paper exactly: the values' right edges line up
    rows = [s for s in out.texts if s.startswith(("单位", "户号", "户名", "缴费金额", "手续费"))]
    assert len(rows) == 5
    assert {print_width(s) for s in rows} == {width}
    assert value_of(out, "单位 Biller") == "国网北京市电力公司"
    assert value_of(out, "户号 Account") == "110******6789"
    assert value_of(out, "户名 Name") == "王*明"
    assert value_of(out, "缴费金额 Amount") == "￥123.45"
    assert value_of(out, "手续费 Fee") == "￥1.00"
    assert value_of(out, "参考号 Ref.") == "HUB-7F3A-0091"
    assert value_of(out, "时间 Time") == "2026-11-25 10:30:00"  # the shop's zone
    assert value_of(out, "付款方式 Paid by") == "微信 WeChat"
    big = [line.text for line in out.lines if line.big]
    assert any(t.startswith("合计") and t.endswith("￥124.45") for t in big)
    assert {print_width(t) for t in big if t.startswith("合计")} == {width // 2}
    status = [line for line in out.lines if line.big and line.center and "缴费" in line.text]
    assert [line.text for line in status] == ["缴费成功"]
    assert out.texts[out.texts.index("缴费成功") + 1] == "Success"
    footer = [line for line in out.lines if line.text == "请保留此凭证"]
    assert footer and footer[0].center
    # the whole account number and name never reach the paper (nor the queue's payload)
    assert b"1100123456789" not in data and "王小明".encode("gb18030") not in data
    assert "1100123456789" not in str(bill().as_dict())


@pytest.mark.parametrize("profile", PROFILES, ids=["58mm", "80mm"])
def test_bill_payment_accepted_without_fee(profile: PrinterProfile) -> None:
    accepted = bill(status=BillStatus.ACCEPTED, fee_fen=0, holder_name="", account="13800138000")
    _, out = printed("bill_payment", accepted.as_dict(), profile)
    assert not any(s.startswith("手续费") for s in out.texts)
    assert not any(s.startswith("户名") for s in out.texts)
    assert value_of(out, "户号 Account") == "138****8000"
    assert any(line.text == "缴费受理中" and line.big for line in out.lines)
    assert "Processing" in out.texts
    assert not any("成功" in s for s in out.texts)
    assert any("到账以缴费单位为准" in s for s in out.texts)
    assert value_of(out, "参考号 Ref.") == "HUB-7F3A-0091"
    big = [line.text for line in out.lines if line.big and line.text.startswith("合计")]
    assert big and big[0].endswith("￥123.45")
    # accepted offline: no hub reference yet, and the receipt says so
    _, offline = printed("bill_payment", bill(hub_reference="").as_dict(), profile)
    assert "待联网提交" in value_of(offline, "参考号 Ref.")


@pytest.mark.parametrize("profile", PROFILES, ids=["58mm", "80mm"])
def test_pickup_slip_bytes(profile: PrinterProfile) -> None:
    data, out = printed("pickup_slip", slip().as_dict(), profile)
    width = profile.columns
    assert data.startswith(b"\x1b@\x1c&")
    for chinese in ("自提单", "蒙牛纯牛奶", "乐事薯片", "康师傅红烧牛肉面", "顾客签名"):
        assert chinese.encode("gb18030") in data
    assert out.kinds()[-1] == "cut" and "drawer" not in out.kinds()
    assert value_of(out, "订单号 Order") == "APP-20261125-0042"
    assert value_of(out, "顾客电话 Phone") == "138****1234"
    assert value_of(out, "时间 Time") == "2026-11-25 10:30:00"
    assert value_of(out, "件数 Pieces") == "6"
    code = [line for line in out.lines if line.big and line.text.startswith("取货码")]
    assert code and code[0].text.endswith("735194") and print_width(code[0].text) == width // 2
    # item quantities line up at the right edge; a name too long wraps above its quantity
    qty_rows = [s for s in out.texts if s.rstrip().endswith(("x2", "x1", "x3"))]
    assert len(qty_rows) == 3 and {print_width(s) for s in qty_rows} == {width}
    assert all(print_width(s) <= width for s in out.texts)
    assert out.qrs() == ["APP-20261125-0042"] or any(e[0] == "image" for e in out.events)
    assert b"13812341234" not in data


def test_pickup_slip_long_name_wraps_on_58mm() -> None:
    _, out = printed("pickup_slip", slip().as_dict(), PROFILES[0])
    at = next(i for i, s in enumerate(out.texts) if s.startswith("康师傅"))
    assert print_width(out.texts[at]) <= 32
    block = "".join(s.strip() for s in out.texts[at : at + 2])
    assert "康师傅红烧牛肉面（桶装）超大份量版五连包" in block and block.endswith("x3")


def test_new_documents_reprint_is_marked() -> None:
    for kind, payload in (("bill_payment", bill().as_dict()), ("pickup_slip", slip().as_dict())):
        doc = render(kind, payload, 32, ZONE, reprint=True)
        assert doc.text_lines()[0] == layout.REPRINT_MARK
        assert doc.text_lines()[-1] == layout.REPRINT_MARK
        assert layout.REPRINT_MARK not in render(kind, payload, 32, ZONE).text_lines()


# --- the data: typed, validated, masked ------------------------------------------------------


def test_masks() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone(mask_phone("13812341234")) == "138****1234"
    assert mask_account("6225880112345678") == "622588******5678"
    assert mask_account("1100123456") == "110***3456"
    assert mask_account("12345") == "***45"
    assert mask_name("张三") == "张*"
    assert mask_name("王小明") == "王*明"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name(mask_name("王小明")) == "王*明"
    assert mask_name("") == ""


def test_round_trip_through_the_queue_payload() -> None:
    again = BillPaymentReceipt.from_dict(bill().as_dict())
    assert again.account == "110******6789" and again.amount_fen == 12345
    assert again.status is BillStatus.SUCCESS and again.paid_at == PAID_AT
    back = PickupSlip.from_dict(slip().as_dict())
    assert back.items == slip().items and back.customer_phone == "138****1234"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_fen": 0}, "amount_fen"),
        ({"amount_fen": 12.5}, "whole fen"),
        ({"amount_fen": True}, "whole fen"),
        ({"fee_fen": -1}, "fee_fen"),
        ({"status": "done"}, "status"),
        ({"paid_at": "2026-11-25T10:30:00"}, "time zone"),
        ({"paid_at": "yesterday"}, "paid_at"),
        ({"account": ""}, "account: missing"),
        ({"biller_name": 7}, "biller_name"),
    ],
)
def test_bad_bill_payment_data_is_refused(changes: dict[str, Any], message: str) -> None:
    payload = {**bill().as_dict(), **changes}
    with pytest.raises(ReceiptDataError, match=message):
        BillPaymentReceipt.from_dict(payload)
    with pytest.raises(ReceiptDataError, match=message):
        render("bill_payment", payload, 32, ZONE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"items": []}, "items"),
        ({"items": [{"name": "牛奶", "qty": 0}]}, "quantity"),
        ({"items": [{"name": "牛奶", "qty": "2"}]}, "quantity"),
        ({"items": "牛奶"}, "items"),
        ({"pickup_code": ""}, "pickup_code"),
        ({"collected_at": ""}, "collected_at"),
    ],
)
def test_bad_pickup_data_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ReceiptDataError, match=message):
        PickupSlip.from_dict({**slip().as_dict(), **changes})


def test_a_bad_payload_is_refused_before_it_is_queued(shop: Shop) -> None:
    driver = PrinterDriver("dummy:", PrinterProfile.mm58(), shop.settings.zone)
    port = QueuedReceiptPrinter(shop, driver)
    with pytest.raises(ReceiptDataError, match="amount_fen"):
        port.print_document("bill_payment", {**bill().as_dict(), "amount_fen": -5})
    assert printing.queued_count(shop) == 0
    port.print_document("pickup_slip", slip().as_dict())
    assert printing.queued_count(shop) == 1


# --- the templates drive the paper -----------------------------------------------------------


def package_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "receipts"
    folder.mkdir()
    for entry in (resources.files("resources") / "receipts").iterdir():
        if entry.name.endswith(".receipt"):
            (folder / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_every_kind_has_a_checked_template() -> None:
    loaded = layout.load_templates()
    assert set(loaded) == {k.template for k in layout.KINDS.values()}
    assert all(t.cut for t in loaded.values())


def test_an_edited_template_changes_the_receipt(tmp_path: Path) -> None:
    folder = package_templates(tmp_path)
    sale = folder / "sale.receipt"
    text = sale.read_text(encoding="utf-8").replace(
        "@center 谢谢惠顾 Thank you!", "@bold @center 欢迎再来 See you soon"
    )
    sale.write_text(text, encoding="utf-8")
    using = layout.load_templates(folder)
    doc = render("sale", sale_payload(), 48, ZONE, using=using)
    out = decode(document_bytes(doc, PrinterProfile.mm80()))
    line = next(line for line in out.lines if "欢迎再来" in line.text)
    assert line.bold and line.center and not line.big
    assert "谢谢惠顾 Thank you!" not in out.texts
    assert out.kinds()[-2:] == ["cut", "drawer"]


def test_a_template_without_cut_does_not_cut(tmp_path: Path) -> None:
    folder = package_templates(tmp_path)
    path = folder / "test_page.receipt"
    path.write_text(path.read_text(encoding="utf-8").replace("@cut\n", ""), encoding="utf-8")
    doc = render("test", {}, 32, ZONE, using=layout.load_templates(folder))
    assert "cut" not in decode(document_bytes(doc, PrinterProfile.mm58())).kinds()


def test_a_missing_template_file_is_named(tmp_path: Path) -> None:
    folder = package_templates(tmp_path)
    (folder / "pickup_slip.receipt").unlink()
    with pytest.raises(tpl.TemplateError, match=r"pickup_slip\.receipt: cannot be read"):
        layout.load_templates(folder)


def test_a_broken_template_is_refused_at_load_with_file_and_line(tmp_path: Path) -> None:
    folder = package_templates(tmp_path)
    path = folder / "bill_payment.receipt"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, s in enumerate(lines) if s.startswith("缴费金额"))
    lines[at] = "缴费金额 Amount|{amount_yuan}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(tpl.TemplateError) as err:
        layout.load_templates(folder)
    message = str(err.value)
    assert f"bill_payment.receipt, line {at + 1}" in message
    assert "no field 'amount_yuan'" in message and "amount" in message


def test_the_driver_refuses_to_open_with_a_broken_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = package_templates(tmp_path)
    (folder / "sale.receipt").write_text("@if reprint\n{number}\n", encoding="utf-8")
    monkeypatch.setattr(layout, "templates", lambda: layout.load_templates(folder))
    with pytest.raises(tpl.TemplateError, match="sale.receipt: @if at line 1 is never closed"):
        PrinterDriver("dummy:", PrinterProfile.mm58(), ZONE)


# --- the language's checks -------------------------------------------------------------------

SCHEMA = tpl.Schema.of(layout.SaleView)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{totl}", "line 1: the SaleView has no field 'totl'; it has: "),
        (
            "@for line in lines\n{line.nam}\n@end",
            "line 2: the items of 'lines' have no field 'nam'",
        ),
        ("{lines}", "'lines' is a list: print it with @for"),
        ("{line.name}", "'line' is not a loop variable here"),
        ("@for line in lines\n{line}\n@end", "'line' is an item"),
        ("@for line in total\n@end", "'total' is not a list"),
        ("@for line lines\n@end", "write @for item in list"),
        ("@for number in lines\n@end", "hides a field"),
        ("@if reprint\n{number}", "@if at line 1 is never closed"),
        ("{number}\n@end", "line 2: @end without @if or @for"),
        ("@else", "@else without its @if"),
        ("@if\n@end", "@if needs a condition"),
        ("@if reprint or cash\n@end", "cannot read the condition"),
        ("@if nothing\n@end", "no field 'nothing'"),
        ("@bogus", "unknown directive '@bogus'"),
        ("@rule ab", "@rule takes one character"),
        ("@qr", "@qr needs the text"),
        ("总计 {total", "unclosed '{'"),
        ("总计 total}", "'}' without '{'"),
        ("{number}|{time}|{cashier}|{total}", "4 columns"),
        ("@center {number}|{total}", "@center is for a single text"),
        ("@big a|b|c", "@big rows have at most two columns"),
        ("@cut\n{number}", "line 2: nothing may follow @cut"),
        ("@if cash\n@cut\n@end", "@cut inside @if"),
        ("{not a name}", "is not a field name"),
    ],
)
def test_malformed_templates_are_refused(source: str, message: str) -> None:
    with pytest.raises(tpl.TemplateError, match="^demo.receipt") as err:
        tpl.parse(source, SCHEMA, "demo.receipt")
    assert message in str(err.value)


def test_required_fields_must_be_shown() -> None:
    required = layout.KINDS["sale"].required
    with pytest.raises(tpl.TemplateError, match="must show lines, payments, total"):
        tpl.parse("{number}\n@cut", SCHEMA, "sale.receipt", required)


def test_literal_braces_bars_comments_and_indented_directives() -> None:
    source = (
        "# a comment\n"
        "\n"
        "{{ {number} }} a\\|b\n"
        "  @if reprint\n"
        "  reprinted\n"
        "  @else\n"
        "  original\n"
        "  @end\n"
    )
    template = tpl.parse(source, SCHEMA, "demo.receipt")
    view = layout.build_view("sale", sale_payload(), 32, ZONE, False)
    lines = [o for o in tpl.render(template, view) if isinstance(o, tpl.Line)]
    assert [line.columns for line in lines] == [("{ S1-20261125-0007 } a|b",), ("  original",)]
    assert not template.cut


def test_the_view_schemas_are_what_templates_see() -> None:
    schema = tpl.Schema.of(layout.BillPaymentView)
    assert {"biller", "account", "holder", "fee", "status", "reference"} <= schema.scalars
    assert {"reprint", "reprint_mark", "width"} <= schema.scalars
    assert tpl.Schema.of(layout.PickupSlipView).lists == {"items": frozenset({"name", "qty"})}


@pytest.mark.parametrize("profile", PROFILES, ids=["58mm", "80mm"])
def test_ambiguous_width_characters_count_two_columns_on_the_printer(
    profile: PrinterProfile,
) -> None:
    """× ° π are narrow in a terminal but two GB18030 bytes, printed in the Chinese font: two
    columns on paper. Measured as one, the rows with them would stick out by one column."""
    assert print_width("250ml×16") == 9 and print_width("36.5°") == 6
    lines = [
        {"name": "可口可乐 330ml×24", "qty": 1, "unit_price_fen": 6800, "line_total_fen": 6800},
        {"name": "Coke", "qty": 2, "unit_price_fen": 350, "line_total_fen": 700},
    ]
    data, out = printed("sale", sale_payload(lines=lines), profile)
    assert "可口可乐 330ml×24".encode("gb18030") in data
    assert "×".encode("gb18030") == b"\xa1\xc1"
    rows = [s for s in out.texts if " x " in s]
    assert len(rows) == 2 and {print_width(s) for s in rows} == {profile.columns}
    # the unit prices end in one column, the totals at the paper's edge
    prices = ("68.00", "3.50")
    ends = {print_width(s[: s.index(p) + len(p)]) for s, p in zip(rows, prices, strict=True)}
    assert len(ends) == 1
