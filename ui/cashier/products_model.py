"""The catalogue as a table the products screen pages through.

Never the whole catalogue at once: the plain list arrives `PAGE` rows at a time as the view
scrolls (Qt's `canFetchMore`/`fetchMore`, each page one `catalog.list_products` call off the UI
thread); a search is one `catalog.search` (at most `SEARCH_LIMIT` hits); the low-stock view is
`catalog.low_stock`. While one query is running, newer ones wait and only the newest runs
next, so typing fast never queues a search per keystroke; the rows on screen stay until the
newest results replace them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QWidget

from storebox import catalog
from storebox.catalog import ProductInfo
from storebox.money import format_fen
from storebox.shop import Shop
from ui.ops import CoreOp, report_error

#: Rows fetched per step of the plain list.
PAGE = 100
#: Hits of one search (the core's limit is 200).
SEARCH_LIMIT = 100

NAME, BARCODES, CATEGORY, PRICE, STOCK, REORDER = range(6)
COLUMNS = 6

LOW_BACKGROUND = QColor("#fef3c7")
LOW_INK = QColor("#b45309")
INACTIVE_INK = QColor("#7b8794")

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Query:
    """What the screen is showing: the list (of one category), a search, or low stock."""

    text: str = ""
    category: str | None = None
    low: bool = False
    #: a scanned code whose product is shown on its own (rows supplied, nothing is run)
    scanned: str = ""

    @property
    def paged(self) -> bool:
        return not self.low and not self.text.strip() and not self.scanned


def is_low(info: ProductInfo) -> bool:
    """The core's rule (`catalog.low_stock`): active and at or below the reorder level."""
    return info.active and info.stock_qty <= info.reorder_level


def _matches(info: ProductInfo, query: Query) -> bool:
    if query.category is not None and info.category != query.category:
        return False
    text = catalog.normalize_name(query.text).lower()
    if not text:
        return True
    key = "".join(ch for ch in text if ch.isalnum())
    return (
        text in info.name.lower()
        or (bool(key) and (key in info.initials or key in info.pinyin))
        or any(code.startswith(text.upper()) for code in info.barcodes)
    )


def load(shop: Shop, query: Query, offset: int = 0) -> tuple[list[ProductInfo], bool]:
    """The rows for `query`, and whether more exist than these (runs on the worker thread)."""
    if query.low:
        return [p for p in catalog.low_stock(shop) if _matches(p, query)], False
    if query.text.strip():
        hits = catalog.search(shop, query.text, limit=SEARCH_LIMIT)
        rows = [
            h.product
            for h in hits
            if query.category is None or h.product.category == query.category
        ]
        return rows, len(hits) == SEARCH_LIMIT
    rows = catalog.list_products(shop, query.category, offset, PAGE)
    return rows, len(rows) == PAGE


class ProductsModel(QAbstractTableModel):
    #: the Query whose rows are now in the model (after a reset)
    results_shown = Signal(object)
    #: more rows were appended to the plain list
    page_added = Signal(int)

    def __init__(self, shop: Shop, owner: QWidget) -> None:
        super().__init__(owner)
        self._shop = shop
        self._owner = owner
        self._rows: list[ProductInfo] = []
        self.query = Query()
        self.shown: Query | None = None
        #: more rows exist than are shown: the list has pages to fetch, or a search was cut off
        self._more = False
        self._busy = False
        self._waiting: Query | None = None
        self._fetching = False
        #: counts resets, so a page that arrives after the query changed is dropped
        self._generation = 0

    # Qt's table interface -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                self.tr("Name"),
                self.tr("Barcode"),
                self.tr("Category"),
                self.tr("Price"),
                self.tr("Stock"),
                self.tr("Reorder"),
            ][section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section >= PRICE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        info = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(info, column)
        if role == Qt.ItemDataRole.UserRole:
            return info
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= PRICE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        low = is_low(info)
        if role == Qt.ItemDataRole.BackgroundRole and low:
            return LOW_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole:
            if not info.active:
                return INACTIVE_INK
            if low and column == STOCK:
                return LOW_INK
        if role == Qt.ItemDataRole.FontRole and low and column == STOCK:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if not info.active:
                return self.tr("Not on sale (inactive)")
            if low:
                return self.tr("At or below its reorder level")
            if column == BARCODES and len(info.barcodes) > 1:
                return "\n".join(info.barcodes)
        return None

    def _text(self, info: ProductInfo, column: int) -> str:
        if column == NAME:
            return info.name if info.active else self.tr("%1 (inactive)").replace("%1", info.name)
        if column == BARCODES:
            if not info.barcodes:
                return ""
            more = len(info.barcodes) - 1
            return info.barcodes[0] + (f" +{more}" if more else "")
        if column == CATEGORY:
            return info.category
        if column == PRICE:
            return format_fen(info.price_fen)
        if column == STOCK:
            return f"{info.stock_qty} {info.unit}"
        return str(info.reorder_level)

    def canFetchMore(self, parent: Index) -> bool:
        paged = self.shown is not None and self.shown.paged
        return (
            paged and not parent.isValid() and self._more and not self._fetching and not self._busy
        )

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent) or self.shown is None:
            return
        self._fetching = True
        generation, query, offset, shop = self._generation, self.shown, len(self._rows), self._shop
        CoreOp(self._owner, lambda: load(shop, query, offset)).success(
            lambda loaded: self._page_arrived(generation, *loaded)
        ).failure(self._page_failed).run()

    # What the screen asks for -------------------------------------------------------------

    def product(self, row: int) -> ProductInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, product_id: str) -> int:
        return next((i for i, p in enumerate(self._rows) if p.id == product_id), -1)

    def has_more(self) -> bool:
        """More products match than are shown (pages still to fetch, or a search cut off)."""
        return self._more

    def set_query(self, query: Query) -> None:
        """Show `query`'s rows once they arrive (the newest query wins)."""
        self.query = query
        if self._busy:
            self._waiting = query
            return
        self._start(query)

    def reload(self) -> None:
        self.set_query(self.query)

    def show_rows(self, query: Query, rows: list[ProductInfo]) -> None:
        """Rows found elsewhere (a scan): shown at once."""
        self.query = query
        self._waiting = None if not self._busy else query
        self._reset(query, rows, more=False)

    def update_product(self, info: ProductInfo) -> None:
        """A product changed: redraw its row where it is shown."""
        row = self.row_of(info.id)
        if row < 0:
            return
        self._rows[row] = info
        self.dataChanged.emit(self.index(row, 0), self.index(row, COLUMNS - 1))

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMNS - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMNS - 1))

    # Background work ----------------------------------------------------------------------

    def _start(self, query: Query) -> None:
        self._busy = True
        shop = self._shop
        CoreOp(self._owner, lambda: load(shop, query)).success(
            lambda loaded: self._arrived(query, *loaded)
        ).failure(self._failed).run()

    def _next(self) -> bool:
        """Run the query that waited, if any; True if one was started."""
        self._busy = False
        waiting, self._waiting = self._waiting, None
        if waiting is None:
            return False
        if waiting.scanned:  # a scan's rows were put in place while this query ran
            return True
        self._start(waiting)
        return True

    def _arrived(self, query: Query, rows: list[ProductInfo], more: bool) -> None:
        if self._next():
            return  # someone typed on: these results are already out of date
        self._reset(query, rows, more=more)

    def _failed(self, exc: BaseException) -> None:
        if not self._next():
            report_error(self._owner, exc)

    def _reset(self, query: Query, rows: list[ProductInfo], *, more: bool) -> None:
        self.beginResetModel()
        self._generation += 1
        self._rows = rows
        self.shown = query
        self._more = more
        self._fetching = False
        self.endResetModel()
        self.results_shown.emit(query)

    def _page_arrived(self, generation: int, rows: list[ProductInfo], more: bool) -> None:
        self._fetching = False
        if generation != self._generation:
            return
        self._more = more
        known = {p.id for p in self._rows}
        rows = [p for p in rows if p.id not in known]  # a product added meanwhile shifts pages
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
            self.page_added.emit(len(rows))

    def _page_failed(self, exc: BaseException) -> None:
        self._fetching = False
        self._more = False
        report_error(self._owner, exc)
