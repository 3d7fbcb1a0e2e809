"""Receipt documents as lines of text for a fixed-pitch printer, CJK-aware.

A document is a list of items — text lines (optionally big or bold, optionally centred), QR
codes and nothing else; the byte encoder (`escpos_bytes`) and the PNG renderer (`png`) both draw
the same document, so what the demo shows is what the printer prints. Widths count a CJK or
full-width character as two columns (`print_width`), so names, quantities and prices line up on
58 mm (32 columns) and 80 mm (48 columns) paper.

What a receipt says lives in templates, `resources/receipts/<name>.receipt` (the language:
`drivers.printer.template`): sale, refund, report (X and Z), test_page, bill_payment,
pickup_slip. Each document kind has a typed view (the `…View` dataclasses below) that a small
builder fills from the job's payload — amounts formatted, times in the shop's zone, personal
data masked — and the template decides what goes where. This module keeps the widths: a row
of two columns is `pair`, of three `item_lines`, a text too long for the paper wraps.
`render(kind, payload, width, zone, reprint)` picks the template by the job's kind. All
templates are read and checked once (`templates()`); the printer driver asks for them when it
opens, so a broken template stops it at start rather than at the first sale.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drivers.printer import template as tpl
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
from storebox.money import format_fen

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
    bold: bool = False


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
    cut: bool = True  # the template ends with @cut

    def text_lines(self) -> list[str]:
        return [i.text for i in self.items if isinstance(i, Text)]


# --- column helpers ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Columns one character takes on a Chinese receipt printer. In Chinese mode every
    character sent as more than one GB18030 byte prints in the Chinese font, two columns wide:
    CJK and full-width forms, and also the 'ambiguous' ones a terminal draws narrow — the × of
    "250ml×24", °, π, ·, “ ”, … (the demo's catalogue has them)."""
    if ch < "\x80":
        return 1
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    try:
        return 2 if len(ch.encode("gb18030")) > 1 else 1
    except UnicodeEncodeError:
        return 1


def print_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def clip(text: str, width: int) -> str:
    """The longest prefix of `text` that fits in `width` columns."""
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def pad_right(text: str, width: int) -> str:
    text = clip(text, width)
    return text + " " * (width - print_width(text))


def pad_left(text: str, width: int) -> str:
    text = clip(text, width)
    return " " * (width - print_width(text)) + text


def pair(label: str, value: str, width: int) -> list[str]:
    """'label      value' on one line; a label too long wraps and the value goes right-aligned
    at the end of its last line, or on a line of its own below."""
    gap = width - print_width(label) - print_width(value)
    if gap >= 1:
        return [label + " " * gap + value]
    lines = wrap_text(label, width)
    last = lines[-1]
    gap = width - print_width(last) - print_width(value)
    if len(lines) > 1 and gap >= 1:
        return [*lines[:-1], last + " " * gap + value]
    return [*lines, pad_left(value, width)]


def wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if print_width(cur + ch) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    return [*lines, cur] if cur or not lines else lines


def wrap_text(text: str, width: int) -> list[str]:
    """A text as lines of at most `width` columns, broken at spaces where it can be (a Latin
    word is kept whole unless it is longer than a line), anywhere between CJK characters."""
    lines: list[str] = []
    rest = text
    while print_width(rest) > width:
        head = clip(rest, width) or rest[0]  # a character wider than the paper: alone
        cut = len(head)
        nxt = rest[cut] if cut < len(rest) else " "
        if nxt == " " or head[-1] == " ":
            lines.append(head.rstrip())
            rest = rest[cut:].lstrip(" ")
            continue
        space = head.rfind(" ")
        if space > 0 and head[-1].isascii() and head[-1].isalnum() and nxt.isascii():
            lines.append(head[:space].rstrip())
            rest = rest[space:].lstrip(" ")
            continue
        lines.append(head)
        rest = rest[cut:]
    return [*lines, rest] if rest or not lines else lines


def item_lines(name: str, qty: int, unit_fen: int, total_fen: int, width: int) -> list[str]:
    """A sale line: the name on its own line(s), then 'qty × price   total' right-aligned."""
    return row3(name, f"{qty} x {format_fen(unit_fen, '')}", format_fen(total_fen, ""), width)


def row3(name: str, price: str, total: str, width: int) -> list[str]:
    """Three columns: a name, then two right-aligned columns (12 and 9 wide on 58 mm, 14 and 11
    on 80 mm); a name too long for its column wraps onto lines of its own above them."""
    amount_w = 11 if width >= WIDTH_80MM else 9
    qty_w = 14 if width >= WIDTH_80MM else 12
    name_w = width - qty_w - amount_w
    if print_width(name) <= name_w:  # fits: name, qty × price, total on one line
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


def _tender(kind: str) -> str:
    return PAYMENT_LABELS.get(kind, kind)


# --- the views: what each document's template may show ----------------------------------------


@dataclass(frozen=True, kw_only=True)
class View:
    """Fields every template has."""

    reprint: bool = False
    reprint_mark: str = REPRINT_MARK
    width: str = ""  # the paper's columns, as text


@dataclass(frozen=True)
class ItemRow:
    name: str
    qty: str
    unit_price: str  # 2.00 (no currency sign: the columns are narrow)
    total: str


@dataclass(frozen=True)
class TenderRow:
    label: str  # 现金 Cash
    amount: str  # ￥10.00 (what was tendered)
    masked_pan: str
    card: str  # 银联 622848******1234
    auth_code: str
    refs: str  # 终端 T0001 凭证 000123


@dataclass(frozen=True, kw_only=True)
class SaleView(View):
    store_name: str
    number: str
    time: str
    cashier: str
    lines: tuple[ItemRow, ...]
    list_total: str
    discount: str  # empty when there is none
    total: str
    payments: tuple[TenderRow, ...]
    change: str  # empty when there is none
    cash: bool  # a cash tender: the drawer opens


@dataclass(frozen=True, kw_only=True)
class RefundView(View):
    store_name: str
    number: str
    sale_number: str
    time: str
    cashier: str
    approved_by: str
    reason: str
    lines: tuple[ItemRow, ...]
    total: str
    payments: tuple[TenderRow, ...]
    cash: bool


@dataclass(frozen=True, kw_only=True)
class ReportView(View):
    text: str  # the core's own text at this width (`Report.render_text`)


@dataclass(frozen=True, kw_only=True)
class TestPageView(View):
    lines: tuple[ItemRow, ...]
    total: str
    ruler: str
    qr: str
    at: str


@dataclass(frozen=True, kw_only=True)
class BillPaymentView(View):
    store_name: str
    number: str
    biller: str
    bill_type: str
    account: str  # masked
    holder: str  # masked; empty when not known
    amount: str
    fee: str  # empty when there is none
    total: str
    tender: str
    success: bool  # 成功
    accepted: bool  # 受理中
    status: str  # 成功 / 受理中
    status_en: str  # Success / Processing
    reference: str  # the hub's reference; empty until submitted
    time: str
    cashier: str


@dataclass(frozen=True)
class PickupRow:
    name: str
    qty: str


@dataclass(frozen=True, kw_only=True)
class PickupSlipView(View):
    store_name: str
    order_number: str
    pickup_code: str
    items: tuple[PickupRow, ...]
    count: str  # how many pieces in all
    phone: str  # masked: 138****1234
    time: str
    cashier: str


# --- the builders: payload -> view --------------------------------------------------------------


def _item_rows(lines: Iterable[Mapping[str, Any]], amount_key: str) -> tuple[ItemRow, ...]:
    return tuple(
        ItemRow(
            name=str(line["name"]),
            qty=str(_int(line["qty"])),
            unit_price=format_fen(_int(line["unit_price_fen"]), ""),
            total=format_fen(_int(line.get(amount_key, line.get("line_total_fen"))), ""),
        )
        for line in lines
    )


def _tender_rows(payments: Iterable[Mapping[str, Any]]) -> tuple[TenderRow, ...]:
    rows = []
    for pay in payments:
        tendered = _int(pay.get("tendered_fen")) or _int(pay.get("amount_fen"))
        pan = str(pay.get("masked_pan") or "")
        refs = [
            f"终端 {pay['terminal_id']}" if pay.get("terminal_id") else "",
            f"凭证 {pay['receipt_no']}" if pay.get("receipt_no") else "",
        ]
        rows.append(
            TenderRow(
                label=_tender(str(pay.get("kind", ""))),
                amount=money(tendered),
                masked_pan=pan,
                card=f"{pay.get('card_name') or ''} {pan}".strip() if pan else "",
                auth_code=str(pay.get("auth_code") or ""),
                refs=" ".join(r for r in refs if r) if pan else "",
            )
        )
    return tuple(rows)


def _sale(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool) -> SaleView:
    payments = list(p.get("payments", []))
    discount = _int(p.get("discount_fen"))
    change = _int(p.get("change_fen"))
    return SaleView(
        reprint=reprint,
        width=str(width),
        store_name=str(p.get("store_name", "")),
        number=str(p.get("number", "")),
        time=_local(p.get("completed_at"), zone),
        cashier=str(p.get("cashier_name", "")),
        lines=_item_rows(p.get("lines", []), "line_total_fen"),
        list_total=money(_int(p.get("list_total_fen"))),
        discount=money(discount) if discount else "",
        total=money(_int(p.get("total_fen"))),
        payments=_tender_rows(payments),
        change=money(change) if change else "",
        cash=any(pay.get("kind") == "cash" for pay in payments),
    )


def _refund(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool) -> RefundView:
    """From `storebox.refunds.RefundReceipt.as_dict()`."""
    payments = list(p.get("payments", []))
    return RefundView(
        reprint=reprint,
        width=str(width),
        store_name=str(p.get("store_name", "")),
        number=str(p.get("number", "")),
        sale_number=str(p.get("sale_number", "")),
        time=_local(p.get("created_at") or p.get("at"), zone),
        cashier=str(p.get("user_name") or p.get("cashier_name", "")),
        approved_by=str(p.get("approved_by") or ""),
        reason=str(p.get("reason") or ""),
        lines=_item_rows(p.get("lines", []), "amount_fen"),
        total=money(_int(p.get("total_fen"))),
        payments=_tender_rows(payments),
        cash=any(pay.get("kind") == "cash" for pay in payments),
    )


def _report(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool) -> ReportView:
    """An X or Z report: the core's own text (`render_text(width)`), stored per width."""
    texts = p.get("text", {})
    text = (
        texts.get(str(width)) or next(iter(texts.values()), "")
        if isinstance(texts, dict)
        else str(texts)
    )
    return ReportView(reprint=reprint, width=str(width), text=str(text))


def report_payload(report_obj: Any) -> dict[str, object]:
    """The payload for an X/Z report: its text at both paper widths (the job does not know
    which printer will take it)."""
    return {
        "text": {str(w): report_obj.render_text(w) for w in (WIDTH_58MM, WIDTH_80MM)},
    }


TEST_ITEMS = (("矿泉水", 2, 200), ("Cola 可乐 330ml", 1, 350), ("康师傅红烧牛肉面（桶装）", 3, 550))


def _test_page(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool) -> TestPageView:
    """Chinese and English text, aligned columns, a QR code: what an installer checks."""
    lines = [
        {"name": n, "qty": q, "unit_price_fen": u, "line_total_fen": q * u}
        for n, q, u in TEST_ITEMS
    ]
    return TestPageView(
        reprint=reprint,
        width=str(width),
        lines=_item_rows(lines, "line_total_fen"),
        total=money(sum(q * u for _, q, u in TEST_ITEMS)),
        ruler=("0123456789" * 5)[:width],
        qr=str(p.get("qr", "storebox printer test 测试")),
        at=_local(p.get("at"), zone) if p.get("at") else "",
    )


BILL_STATUS_TEXT = {
    BillStatus.SUCCESS: ("成功", "Success"),
    BillStatus.ACCEPTED: ("受理中", "Processing"),
}


def _bill_payment(
    p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool
) -> BillPaymentView:
    """From `BillPaymentReceipt.as_dict()`; checked again (a queued payload is JSON)."""
    bill = BillPaymentReceipt.from_dict(p)
    return BillPaymentView(
        reprint=reprint,
        width=str(width),
        store_name=bill.store_name,
        number=bill.number,
        biller=bill.biller_name,
        bill_type=bill.bill_type,
        account=mask_account(bill.account),
        holder=mask_name(bill.holder_name),
        amount=money(bill.amount_fen),
        fee=money(bill.fee_fen) if bill.fee_fen else "",
        total=money(bill.total_fen),
        tender=_tender(bill.tender),
        success=bill.status is BillStatus.SUCCESS,
        accepted=bill.status is BillStatus.ACCEPTED,
        status=BILL_STATUS_TEXT[bill.status][0],
        status_en=BILL_STATUS_TEXT[bill.status][1],
        reference=bill.hub_reference,
        time=_local(bill.paid_at, zone),
        cashier=bill.cashier_name,
    )


def _pickup_slip(p: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool) -> PickupSlipView:
    """From `PickupSlip.as_dict()`."""
    slip = PickupSlip.from_dict(p)
    return PickupSlipView(
        reprint=reprint,
        width=str(width),
        store_name=slip.store_name,
        order_number=slip.order_number,
        pickup_code=slip.pickup_code,
        items=tuple(PickupRow(i.name, str(i.qty)) for i in slip.items),
        count=str(sum(i.qty for i in slip.items)),
        phone=mask_phone(slip.customer_phone),
        time=_local(slip.collected_at, zone),
        cashier=slip.cashier_name,
    )


# --- kinds, templates, render ------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    template: str  # resources/receipts/<template>.receipt
    view: type[View]
    build: Callable[[Mapping[str, Any], int, ZoneInfo, bool], View]
    #: what the template must show (a receipt without them would mislead)
    required: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {
    "sale": Kind("sale", SaleView, _sale, frozenset({"number", "lines", "total", "payments"})),
    "refund": Kind(
        "refund", RefundView, _refund, frozenset({"number", "sale_number", "lines", "total"})
    ),
    "report": Kind("report", ReportView, _report, frozenset({"text"})),
    "test": Kind("test_page", TestPageView, _test_page),
    "bill_payment": Kind(
        "bill_payment",
        BillPaymentView,
        _bill_payment,
        frozenset({"biller", "account", "amount", "total", "status", "reference", "fee"}),
    ),
    "pickup_slip": Kind(
        "pickup_slip",
        PickupSlipView,
        _pickup_slip,
        frozenset({"order_number", "pickup_code", "items", "phone", "time"}),
    ),
}
KINDS["x_report"] = KINDS["z_report"] = KINDS["report"]
TEMPLATE_SUFFIX = ".receipt"

_templates: dict[str, tpl.Template] | None = None
_templates_lock = threading.Lock()


def load_templates(directory: Path | None = None) -> dict[str, tpl.Template]:
    """Every kind's template from `directory` (default: the package's `resources/receipts`),
    read and checked; raises `TemplateError` for the first one that is missing or wrong."""
    folder: Any = directory if directory is not None else resources.files("resources") / "receipts"
    loaded: dict[str, tpl.Template] = {}
    for kind in KINDS.values():
        if kind.template in loaded:
            continue
        path = folder / f"{kind.template}{TEMPLATE_SUFFIX}"
        source = f"resources/receipts/{kind.template}{TEMPLATE_SUFFIX}"
        if directory is not None:
            source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise tpl.TemplateError(f"{source}: cannot be read ({exc})") from exc
        loaded[kind.template] = tpl.parse(text, tpl.Schema.of(kind.view), source, kind.required)
    return loaded


def templates() -> dict[str, tpl.Template]:
    """The package's templates, loaded and checked once."""
    global _templates
    with _templates_lock:
        if _templates is None:
            _templates = load_templates()
        return _templates


def lay_out(outputs: Iterable[tpl.Output], width: int) -> tuple[tuple[Item, ...], bool]:
    """A template's output fitted to the paper: (items, open the drawer)."""
    items: list[Item] = []
    drawer = False
    for out in outputs:
        if isinstance(out, tpl.Line):
            w = width // 2 if out.big else width  # double width: half the columns
            cols = out.columns
            if len(cols) == 1:
                texts = [s for part in (cols[0].splitlines() or [""]) for s in wrap_text(part, w)]
            elif len(cols) == 2:
                texts = pair(cols[0], cols[1], w)
            else:
                texts = row3(cols[0], cols[1], cols[2], w)
            items += [Text(t, big=out.big, center=out.center, bold=out.bold) for t in texts]
        elif isinstance(out, tpl.QrOut):
            items.append(Qr(out.data))
        elif isinstance(out, tpl.RuleOut):
            items.append(Text(out.char * width))
        else:
            drawer = True
    return tuple(items), drawer


def build_view(
    kind: str, payload: Mapping[str, Any], width: int, zone: ZoneInfo, reprint: bool = False
) -> View:
    """What the template of `kind` is given for this payload."""
    try:
        spec = KINDS[kind]
    except KeyError:
        raise ValueError(f"no receipt template for {kind!r}") from None
    return spec.build(payload, width, zone, reprint)


def render(
    kind: str,
    payload: Mapping[str, Any],
    width: int,
    zone: ZoneInfo,
    reprint: bool = False,
    *,
    using: Mapping[str, tpl.Template] | None = None,
) -> Document:
    """The document for a job; ValueError for an unknown kind, `ReceiptDataError` for a payload
    the document cannot be made from."""
    try:
        spec = KINDS[kind]
    except KeyError:
        raise ValueError(f"no receipt template for {kind!r}") from None
    template = (using if using is not None else templates())[spec.template]
    view = build_view(kind, payload, width, zone, reprint)
    items, drawer = lay_out(tpl.render(template, view), width)
    return Document(kind, width, items, open_drawer=drawer, cut=template.cut)


__all__ = [
    "KINDS",
    "REPRINT_MARK",
    "WIDTH_58MM",
    "WIDTH_80MM",
    "BillPaymentReceipt",
    "BillStatus",
    "Document",
    "PickupItem",
    "PickupSlip",
    "Qr",
    "ReceiptDataError",
    "Text",
    "load_templates",
    "render",
    "report_payload",
    "templates",
]
