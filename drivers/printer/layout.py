"""Receipt documents as lines of text for a fixed-pitch printer, CJK-aware.

A document is a list of items — text lines (optionally big/bold, optionally centred), QR codes
and nothing else; the byte encoder (`escpos_bytes`) and the PNG renderer (`png`) both draw the
same document, so what the demo shows is what the printer prints. Widths count a CJK or
full-width character as two columns (`storebox.reports.display_width`), so names, quantities and
prices line up on 58 mm (32 columns) and 80 mm (48 columns) paper.

The templates are the small functions `sale`, `refund`, `report` and `test_page` below: plain
Python, because every receipt needs loops (lines, tenders) and conditions (card data, change,
reprint) that a text template language would only hide; they are short enough to read as
templates. `render(kind, payload, ...)` picks one by the job's kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from storebox.money import format_fen
from storebox.reports import display_width

WIDTH_58MM = 32
WIDTH_80MM = 48
REPRINT_MARK = "*** 重打印 / REPRINT ***"

PAYMENT_LABELS = {
    "cash": "现金 Cash",
    "card": "银行卡 Card",
    "wallet": "扫码 Wallet",
    "wechat": "微信 WeChat",
    "alipay": "支付宝 Alipay",
}


@dataclass(frozen=True)
class Text:
    text: str
    big: bool = False  # bold, double width and height (the total)
    center: bool = False


@dataclass(frozen=True)
class Qr:
    data: str


Item = Text | Qr


@dataclass(frozen=True)
class Document:
    kind: str
    width: int
    items: tuple[Item, ...]
    open_drawer: bool = False  # a cash sale kicks the drawer
    meta: dict[str, str] = field(default_factory=dict)

    def text_lines(self) -> list[str]:
        return [i.text for i in self.items if isinstance(i, Text)]


# --- column helpers ----------------------------------------------------------------------------


def clip(text: str, width: int) -> str:
    """The longest prefix of `text` that fits in `width` columns."""
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def pad_right(text: str, width: int) -> str:
    text = clip(text, width)
    return text + " " * (width - display_width(text))


def pad_left(text: str, width: int) -> str:
    text = clip(text, width)
    return " " * (width - display_width(text)) + text


def pair(label: str, value: str, width: int) -> list[str]:
    """'label      value' on one line, or the value right-aligned on the next."""
    gap = width - display_width(label) - display_width(value)
    if gap >= 1:
        return [label + " " * gap + value]
    return [clip(label, width), pad_left(value, width)]


def wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if display_width(cur + ch) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    return [*lines, cur] if cur or not lines else lines


def item_lines(name: str, qty: int, unit_fen: int, total_fen: int, width: int) -> list[str]:
    """A sale line: the name on its own line(s), then 'qty × price   total' right-aligned."""
    price = f"{qty} x {format_fen(unit_fen, '')}"
    total = format_fen(total_fen, "")
    amount_w = 11 if width >= WIDTH_80MM else 9
    qty_w = 14 if width >= WIDTH_80MM else 12
    name_w = width - qty_w - amount_w
    if display_width(name) <= name_w:  # fits: name, qty × price, total on one line
        return [pad_right(name, name_w) + pad_left(price, qty_w) + pad_left(total, amount_w)]
    return [*wrap(name, width), pad_left(price, width - amount_w) + pad_left(total, amount_w)]


def money(fen: int) -> str:
    """Full-width ￥: it is in GB2312, prints in Chinese mode and counts two columns; the
    half-width ¥ (U+00A5) is not in a Chinese printer's font."""
    return format_fen(fen, "￥")


def _local(value: Any, zone: ZoneInfo) -> str:
    if not value:
        return ""
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _int(value: object) -> int:
    return int(value) if isinstance(value, (int, str)) else 0


def _head(p: Mapping[str, Any], title: str, width: int, reprint: bool) -> list[Item]:
    items: list[Item] = []
    if reprint:
        items.append(Text(REPRINT_MARK, center=True))
    items.append(Text(str(p.get("store_name", "")), big=True, center=True))
    items.append(Text(title, center=True))
    items.append(Text("-" * width))
    return items


def _tender_lines(payments: list[Mapping[str, Any]], width: int) -> list[str]:
    out: list[str] = []
    for pay in payments:
        kind = str(pay.get("kind", ""))
        label = PAYMENT_LABELS.get(kind, kind)
        tendered = _int(pay.get("tendered_fen")) or _int(pay.get("amount_fen"))
        out += pair(label, money(tendered), width)
        if pay.get("masked_pan"):
            card = f"  {pay.get('card_name', '')} {pay['masked_pan']}".rstrip()
            out += pair(card, str(pay.get("auth_code", "")), width)
            refs = [
                f"终端 {pay['terminal_id']}" if pay.get("terminal_id") else "",
                f"凭证 {pay['receipt_no']}" if pay.get("receipt_no") else "",
            ]
            ref = "  " + " ".join(r for r in refs if r)
            if ref.strip():
                out.append(clip(ref, width))
    return out


# --- templates ---------------------------------------------------------------------------------


def sale(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool = False) -> Document:
    """A sale receipt from `storebox.sales.SaleReceipt.as_dict()`."""
    items = _head(p, "销售小票 Sales receipt", width, reprint)
    head = [
        *pair("单号 No.", str(p.get("number", "")), width),
        *pair("时间 Time", _local(p.get("completed_at"), zone), width),
        *pair("收银员 Cashier", str(p.get("cashier_name", "")), width),
        "-" * width,
    ]
    for line in p.get("lines", []):
        head += item_lines(
            str(line["name"]),
            _int(line["qty"]),
            _int(line["unit_price_fen"]),
            _int(line["line_total_fen"]),
            width,
        )
    head.append("-" * width)
    discount = _int(p.get("discount_fen"))
    if discount:
        head += pair("原价 List", money(_int(p.get("list_total_fen"))), width)
        head += pair("优惠 Discount", "-" + money(discount), width)
    items += [Text(s) for s in head]
    items += [Text(s, big=True) for s in pair("合计", money(_int(p.get("total_fen"))), width // 2)]
    payments = list(p.get("payments", []))
    tail = _tender_lines(payments, width)
    change = _int(p.get("change_fen"))
    if change:
        tail += pair("找零 Change", money(change), width)
    tail += ["-" * width]
    items += [Text(s) for s in tail]
    items.append(Qr(str(p.get("number", ""))))
    items.append(Text("退货请出示此码 Scan for refunds", center=True))
    items.append(Text("谢谢惠顾 Thank you!", center=True))
    if reprint:
        items.append(Text(REPRINT_MARK, center=True))
    cash = any(pay.get("kind") == "cash" for pay in payments)
    return Document("sale", width, tuple(items), open_drawer=cash and not reprint)


def refund(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool = False) -> Document:
    """A refund slip: number, original sale, lines, total refunded, how it was paid back.

    The payload is `storebox.refunds.RefundReceipt.as_dict()`.
    """
    items = _head(p, "退货单 Refund", width, reprint)
    body = [
        *pair("退货单号 No.", str(p.get("number", "")), width),
        *pair("原单号 Sale", str(p.get("sale_number", "")), width),
        *pair("时间 Time", _local(p.get("created_at") or p.get("at"), zone), width),
        *pair("收银员 Cashier", str(p.get("user_name") or p.get("cashier_name", "")), width),
    ]
    if p.get("approved_by"):
        body += pair("批准 Approved", str(p["approved_by"]), width)
    if p.get("reason"):
        body += pair("原因 Reason", str(p["reason"]), width)
    body.append("-" * width)
    for line in p.get("lines", []):
        body += item_lines(
            str(line["name"]),
            _int(line["qty"]),
            _int(line["unit_price_fen"]),
            _int(line.get("amount_fen", line.get("line_total_fen"))),
            width,
        )
    body.append("-" * width)
    items += [Text(s) for s in body]
    items += [Text(s, big=True) for s in pair("退款", money(_int(p.get("total_fen"))), width // 2)]
    payments = list(p.get("payments", []))
    items += [Text(s) for s in [*_tender_lines(payments, width), "-" * width]]
    items.append(Text("顾客签名 Signature:", center=False))
    items.append(Text(""))
    if reprint:
        items.append(Text(REPRINT_MARK, center=True))
    cash = any(pay.get("kind") == "cash" for pay in payments)
    return Document("refund", width, tuple(items), open_drawer=cash and not reprint)


def report(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool = False) -> Document:
    """An X or Z report: the core's own text (`render_text(width)`), stored per width."""
    texts = p.get("text", {})
    text = (
        texts.get(str(width)) or next(iter(texts.values()), "")
        if isinstance(texts, dict)
        else str(texts)
    )
    items: list[Item] = []
    if reprint:
        items.append(Text(REPRINT_MARK, center=True))
    items += [Text(line) for line in str(text).splitlines()]
    return Document(str(p.get("kind", "report")), width, tuple(items))


def report_payload(report_obj: Any) -> dict[str, object]:
    """The payload for an X/Z report: its text at both paper widths (the job does not know
    which printer will take it)."""
    return {
        "text": {str(w): report_obj.render_text(w) for w in (WIDTH_58MM, WIDTH_80MM)},
    }


def test_page(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool = False) -> Document:
    """Chinese and English text, aligned columns, a QR code: what an installer checks."""
    items: list[Item] = [
        Text("打印测试 Printer test", big=True, center=True),
        Text("-" * width),
        Text(f"纸宽 Width: {width} 列 columns"),
        Text("中文：你好，欢迎光临！￥"),
        Text("English: The quick brown fox."),
        Text("-" * width),
    ]
    for name, qty, price in (
        ("矿泉水", 2, 200),
        ("Cola 可乐 330ml", 1, 350),
        ("康师傅红烧牛肉面（桶装）", 3, 550),
    ):
        items += [Text(s) for s in item_lines(name, qty, price, qty * price, width)]
    items.append(Text("-" * width))
    items += [Text(s) for s in pair("合计 Total", money(200 * 2 + 350 + 550 * 3), width)]
    items.append(Text(("0123456789" * 5)[:width]))  # a ruler: every column
    items.append(Qr(str(p.get("qr", "storebox printer test 测试"))))
    items.append(Text(_local(p.get("at"), zone) if p.get("at") else "", center=True))
    return Document("test", width, tuple(items))


TEMPLATES: dict[str, Callable[[Mapping[str, Any], int, ZoneInfo, bool], Document]] = {
    "sale": sale,
    "refund": refund,
    "report": report,
    "x_report": report,
    "z_report": report,
    "test": test_page,
}


def render(
    kind: str, payload: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool = False
) -> Document:
    try:
        template = TEMPLATES[kind]
    except KeyError:
        raise ValueError(f"no receipt template for {kind!r}") from None
    doc = template(payload, width, zone, reprint)
    if kind != doc.kind:
        doc = Document(kind, doc.width, doc.items, doc.open_drawer, doc.meta)
    return doc
