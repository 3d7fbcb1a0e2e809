"""What the sell screen shows of a cart and of a search, and the receipt preview's text.

The `Cart` is a plain object the core mutates. It is only ever touched on the core's worker
thread (inside a `CoreOp`); each operation returns a `CartView` — an immutable snapshot — and the
screen draws from that. So the UI thread never reads a cart the worker may be changing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from storebox.catalog import ProductInfo, SearchHit
from storebox.errors import NotFound
from storebox.money import format_fen
from storebox.reports import center, display_width, row
from storebox.sales import Cart, SaleReceipt

RECEIPT_WIDTH = 32

_Index = QModelIndex | QPersistentModelIndex
_AMBER = QColor("#b45309")
_RED = QColor("#b91c1c")
_GREY = QColor("#7b8794")


@dataclass(frozen=True)
class LineView:
    #: identifies the cart line across operations (the line object's identity)
    key: int
    name: str
    qty: int
    list_price_fen: int
    unit_price_fen: int
    line_total_fen: int
    override_reason: str | None

    @property
    def overridden(self) -> bool:
        return self.override_reason is not None


@dataclass(frozen=True)
class CartView:
    cart_id: str
    lines: tuple[LineView, ...]
    total_fen: int
    list_total_fen: int
    item_count: int

    @property
    def discount_fen(self) -> int:
        return self.list_total_fen - self.total_fen


def snapshot(cart: Cart) -> CartView:
    """Call on the worker thread only (inside the CoreOp that changed the cart)."""
    lines = tuple(
        LineView(
            key=id(line),
            name=line.name,
            qty=line.qty,
            list_price_fen=line.list_price_fen,
            unit_price_fen=line.unit_price_fen,
            line_total_fen=line.line_total_fen,
            override_reason=line.override_reason if line.overridden else None,
        )
        for line in cart.lines
    )
    return CartView(cart.id, lines, cart.total_fen, cart.list_total_fen, cart.item_count)


def line_index(cart: Cart, key: int) -> int:
    """Where the line the screen showed as `key` is now (worker thread only)."""
    for index, line in enumerate(cart.lines):
        if id(line) == key:
            return index
    raise NotFound("这一行已不在购物车里 / that line is no longer in the cart")


def empty_view(cart: Cart) -> CartView:
    """The view of a cart nobody has touched yet (safe on the UI thread: it is new)."""
    return CartView(cart.id, (), 0, 0, 0)


class CartModel(QAbstractTableModel):
    NUMBER, NAME, QTY, PRICE, TOTAL = range(5)

    def __init__(self) -> None:
        super().__init__()
        self.view = CartView("", (), 0, 0, 0)

    def set_view(self, view: CartView) -> None:
        self.beginResetModel()
        self.view = view
        self.endResetModel()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.view.lines:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.view.lines) - 1, self.columnCount() - 1)
            )

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.view.lines)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                self.tr("#"),
                self.tr("Goods"),
                self.tr("Qty"),
                self.tr("Unit price"),
                self.tr("Line total"),
            ][section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section >= self.QTY)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.view.lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NUMBER:
                return str(index.row() + 1)
            if column == self.NAME:
                return line.name
            if column == self.QTY:
                return str(line.qty)
            if column == self.PRICE:
                if line.overridden:
                    return (
                        self.tr("%1 (was %2)")
                        .replace("%1", format_fen(line.unit_price_fen))
                        .replace("%2", format_fen(line.list_price_fen))
                    )
                return format_fen(line.unit_price_fen)
            return format_fen(line.line_total_fen)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column >= self.QTY)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.NUMBER:
                return QBrush(_GREY)
            if column == self.PRICE and line.overridden:
                return QBrush(_AMBER)
        if role == Qt.ItemDataRole.ToolTipRole and line.overridden:
            return self.tr("Price changed by the owner: %1").replace(
                "%1", line.override_reason or ""
            )
        return None


class SearchModel(QAbstractTableModel):
    NAME, PRICE, STOCK = range(3)

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def product(self, row_no: int) -> ProductInfo | None:
        return self.hits[row_no].product if 0 <= row_no < len(self.hits) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 2)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [self.tr("Goods"), self.tr("Price"), self.tr("In stock")][section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section != self.NAME)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        product = self.hits[index.row()].product
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return product.name
            if column == self.PRICE:
                return format_fen(product.price_fen)
            return f"{product.stock_qty} {product.unit}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column != self.NAME)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STOCK:
            if product.stock_qty <= 0:
                return QBrush(_RED)
            if product.stock_qty <= product.reorder_level:
                return QBrush(_AMBER)
        if role == Qt.ItemDataRole.ToolTipRole:
            return " · ".join(product.barcodes)
        return None


def _alignment(right: bool) -> int:
    horizontal = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
    return int(horizontal | Qt.AlignmentFlag.AlignVCenter)


# The receipt preview ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptLabels:
    """The receipt's words, in the language shown (the screen fills them through tr())."""

    sale: str
    cashier: str
    total: str
    discount: str
    cash: str
    change: str
    paid: str
    price_changed: str
    thanks: str
    card: str = "Card"
    wallet: str = "Wallet"
    auth: str = "Auth"
    terminal: str = "Terminal"
    voucher: str = "Receipt"


def wrap(text: str, width: int) -> list[str]:
    """Cut `text` into lines of at most `width` display columns (CJK counts two).

    Chinese breaks between any two characters; a Latin word moves whole to the next line
    when there is a space to break at."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and display_width(current + ch) > width:
            cut = current.rfind(" ")
            if ch != " " and cut > 0 and current[-1].isascii() and current[-1] != " ":
                lines.append(current[:cut])
                current = current[cut + 1 :]
            else:
                lines.append(current.rstrip())
                current = ""
            if ch == " " and not current:
                continue
        current += ch
    if current or not lines:
        lines.append(current)
    return lines


def receipt_text(
    receipt: SaleReceipt,
    labels: ReceiptLabels,
    zone: dt.tzinfo,
    width: int = RECEIPT_WIDTH,
) -> str:
    """The receipt as a fixed-pitch printer would print it, CJK characters two columns wide."""
    rule = "-" * width
    at = receipt.completed_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    out = [center(receipt.store_name, width), ""]
    out.append(row(labels.sale, receipt.number, width))
    out.append(row(at, f"{labels.cashier} {receipt.cashier_name}", width))
    out.append(rule)
    for line in receipt.lines:
        out += wrap(line.name, width)
        out.append(
            row(
                f"  {line.qty} x {format_fen(line.unit_price_fen)}",
                format_fen(line.line_total_fen),
                width,
            )
        )
        if line.unit_price_fen != line.list_price_fen:
            note = labels.price_changed.replace("%1", format_fen(line.list_price_fen))
            if line.override_reason:
                note += f": {line.override_reason}"
            out += ["  " + piece for piece in wrap(note, width - 2)]
    out.append(rule)
    if receipt.discount_fen:
        out.append(row(labels.discount, format_fen(-receipt.discount_fen), width))
    out.append(row(labels.total, format_fen(receipt.total_fen), width))
    for payment in receipt.payments:
        if payment.kind == "cash":
            out.append(row(labels.cash, format_fen(payment.tendered_fen), width))
            out.append(row(labels.change, format_fen(payment.change_fen), width))
        else:
            name = {"card": labels.card, "wallet": labels.wallet}.get(payment.kind, payment.kind)
            out.append(row(name, format_fen(payment.amount_fen), width))
            if payment.masked_pan:  # masked by the core: first 6 / last 4 at most
                card = f"{payment.card_name} {payment.masked_pan}".strip()
                out += ["  " + piece for piece in wrap(card, width - 2)]
            if payment.auth_code:
                out.append(row(f"  {labels.auth}", payment.auth_code, width))
            refs = [
                f"{labels.terminal} {payment.terminal_id}" if payment.terminal_id else "",
                f"{labels.voucher} {payment.receipt_no}" if payment.receipt_no else "",
            ]
            if any(refs):
                out += ["  " + piece for piece in wrap(" ".join(r for r in refs if r), width - 2)]
    out += ["", center(labels.thanks, width)]
    return "\n".join(out)
