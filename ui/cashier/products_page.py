"""The products screen (F5): find goods, add and edit them, receive and correct stock.

Left, the catalogue (`ProductsModel`: paged, searched as you type, or the low-stock list);
right, the chosen product's form and its stock. Adding or changing a product and correcting
stock are the owner's (a cashier is asked for the owner's PIN in place); receiving goods is
anyone's. A scan while this screen is shown finds that product, or starts a new one with that
barcode. An error from the core is shown under the form, and the form keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from storebox import barcodes as codes
from storebox import catalog
from storebox.catalog import QTY_MAX, ProductInfo
from storebox.errors import InvalidInput, ShopError
from storebox.money import parse_yuan
from storebox.shop import Shop
from storebox.users import Actor
from ui.cashier.page import Page
from ui.cashier.products_model import (
    BARCODES,
    CATEGORY,
    NAME,
    PRICE,
    REORDER,
    STOCK,
    ProductsModel,
    Query,
    is_low,
)
from ui.cashier.signin import ask_owner
from ui.ops import CoreOp, report_error

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow

PANEL_WIDTH = 470
#: what the stock controls do: goods arrived (anyone), a correction ± (owner), a count (owner)
STOCK_MODES = ("receive", "adjust", "count")


# ---------------------------------------------------------------------------------------------
# What the form holds, and saving it (the save runs on the worker thread)


@dataclass(frozen=True)
class ProductForm:
    """The form's contents as typed: text stays text until the worker parses it."""

    name: str = ""
    barcodes: str = ""
    shop_codes: str = ""
    category: str = ""
    unit: str = "个"
    price: str = ""
    cost: str = ""
    reorder_level: int = 0
    opening_stock: int = 0
    mall_sku: str = ""
    active: bool = True


class FieldError(InvalidInput):
    """Input the screen parsed itself (an amount) was wrong; `field` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def split_codes(text: str) -> list[str]:
    """'6901234567892, 6920152400012' → the codes; commas, 、 and spaces separate them."""
    for sep in ",，、;；":
        text = text.replace(sep, " ")
    return [c for c in text.split() if c]


def is_gs1_shaped(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) in codes.GS1_LENGTHS


def _yuan(text: str, field: str, *, empty_is_zero: bool = False) -> int:
    if empty_is_zero and not text.strip():
        return 0
    try:
        return parse_yuan(text)
    except InvalidInput as exc:
        raise FieldError(field, exc.message) from None


def _checked_codes(form: ProductForm) -> tuple[list[codes.Code], list[codes.Code]]:
    """Every code checked before anything is written: (barcodes, shop codes)."""
    try:
        plain = [codes.classify(c) for c in split_codes(form.barcodes)]
    except InvalidInput as exc:
        raise FieldError("barcodes", exc.message) from None
    try:
        own = [codes.classify(c, shop_code=True) for c in split_codes(form.shop_codes)]
    except InvalidInput as exc:
        raise FieldError("shop_codes", exc.message) from None
    return plain, own


def save_product(
    shop: Shop, actor: Actor, product_id: str | None, form: ProductForm
) -> ProductInfo:
    """Add (`product_id` None) or change a product from the form. Worker thread only.

    Amounts and codes are checked before anything is written. A change is `update_product`
    and then one `add_barcode`/`remove_barcode` per changed code, each its own transaction
    (the core has no single 'change everything' call): the barcodes are compared with the
    stored ones read here, so saving again after a refused code finishes the job.
    """
    price = _yuan(form.price, "price")
    cost = _yuan(form.cost, "cost", empty_is_zero=True)
    plain, own = _checked_codes(form)
    if product_id is None:
        return catalog.add_product(
            shop,
            actor,
            name=form.name,
            price_fen=price,
            barcodes=[c.code for c in plain],
            shop_codes=[c.code for c in own],
            category=form.category,
            unit=form.unit,
            cost_fen=cost,
            initial_stock=form.opening_stock,
            reorder_level=form.reorder_level,
            mall_sku=form.mall_sku.strip() or None,
        )
    info = catalog.update_product(
        shop,
        actor,
        product_id,
        name=form.name,
        category=form.category,
        unit=form.unit,
        price_fen=price,
        cost_fen=cost,
        reorder_level=form.reorder_level,
        mall_sku=form.mall_sku.strip(),
        active=form.active,
    )
    have = set(info.barcodes)
    wanted = {c.code: False for c in plain} | {c.code: True for c in own}
    for code, is_shop_code in wanted.items():
        if code not in have:
            info = catalog.add_barcode(shop, actor, product_id, code, shop_code=is_shop_code)
    for code in sorted(have - set(wanted)):
        info = catalog.remove_barcode(shop, actor, product_id, code)
    return info


def yuan_text(fen: int) -> str:
    """1234 → '12.34': what `parse_yuan` reads back (integer arithmetic, no float)."""
    return f"{fen // 100}.{fen % 100:02d}"


def form_of(info: ProductInfo) -> ProductForm:
    return ProductForm(
        name=info.name,
        barcodes=" ".join(c for c in info.barcodes if is_gs1_shaped(c)),
        shop_codes=" ".join(c for c in info.barcodes if not is_gs1_shaped(c)),
        category=info.category,
        unit=info.unit,
        price=yuan_text(info.price_fen),
        cost=yuan_text(info.cost_fen),
        reorder_level=info.reorder_level,
        mall_sku=info.mall_sku or "",
        active=info.active,
    )


# ---------------------------------------------------------------------------------------------
# The screen


def number_box(parent: QWidget, low: int) -> QSpinBox:
    """A whole-number field for quantities: typed or from the keypad, no tiny arrows."""
    box = QSpinBox(parent)
    box.setRange(low, QTY_MAX)
    box.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    return box


class ProductsPage(Page):
    key = "products"
    shortcut = "F5"

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.model = ProductsModel(self.shop, self)
        #: the product in the form; None while a new one is being written
        self.editing: ProductInfo | None = None
        self._snapshot = ProductForm()
        self._categories: list[str] = []
        #: the screen is moving the selection itself: not a product being chosen
        self._selecting = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 8, 16, 8)
        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        outer.addWidget(self.heading)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(self._build_list(), 1)
        body.addWidget(self._build_panel())
        outer.addLayout(body, 1)

        self._shortcut("Ctrl+F", self.focus_search)
        self._shortcut("Ctrl+N", self.new_product)
        self._shortcut("Ctrl+S", self.save)
        self.show_new(ProductForm())
        self.retranslate()

    # Building -----------------------------------------------------------------------------

    def _build_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        filters = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("productSearch")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filters_changed)
        filters.addWidget(self.search, 1)
        self.category = QComboBox(self)
        self.category.setObjectName("categoryFilter")
        self.category.setMinimumWidth(130)
        self.category.currentIndexChanged.connect(self._filters_changed)
        filters.addWidget(self.category)
        column.addLayout(filters)

        views = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setObjectName("listSummary")
        views.addWidget(self.summary, 1)
        self.view_all = QPushButton(self)
        self.view_low = QPushButton(self)
        self.views = QButtonGroup(self)
        for button in (self.view_all, self.view_low):
            button.setObjectName("viewToggle")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.views.addButton(button)
            views.addWidget(button)
        self.view_all.setChecked(True)
        self.views.buttonClicked.connect(lambda _b: self._filters_changed())
        column.addLayout(views)

        self.table = QTableView(self)
        self.table.setObjectName("productTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(36)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for col, width in (
            (BARCODES, 132),
            (CATEGORY, 84),
            (PRICE, 78),
            (STOCK, 70),
            (REORDER, 80),
        ):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, width)
        self.table.selectionModel().selectionChanged.connect(self._row_chosen)
        self.model.results_shown.connect(self._results_shown)
        self.model.page_added.connect(lambda _n: self._update_summary())
        column.addWidget(self.table, 1)
        return column

    def _build_panel(self) -> QScrollArea:
        # In a scroll area: with the message bar shown on a small screen the form scrolls
        # rather than being squeezed.
        scroll = QScrollArea(self)
        scroll.setObjectName("productPanelScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(PANEL_WIDTH)
        panel = QFrame(scroll)
        panel.setObjectName("productPanel")
        scroll.setWidget(panel)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        self.form_title = QLabel(panel)
        self.form_title.setObjectName("formTitle")
        self.form_title.setWordWrap(True)
        layout.addWidget(self.form_title)
        self.form_hint = QLabel(panel)
        self.form_hint.setObjectName("formHint")
        self.form_hint.setWordWrap(True)
        self.form_hint.hide()
        layout.addWidget(self.form_hint)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        self.labels: dict[str, QLabel] = {}
        self.name = QLineEdit(panel)
        self.barcodes = QLineEdit(panel)
        self.shop_codes = QLineEdit(panel)
        self.category_edit = QComboBox(panel)
        self.category_edit.setEditable(True)
        self.category_edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit = QLineEdit(panel)
        self.unit.setMaxLength(catalog.UNIT_MAX)
        self.price = QLineEdit(panel)
        self.cost = QLineEdit(panel)
        self.reorder = number_box(panel, 0)
        self.opening = number_box(panel, 0)
        for box in (self.reorder, self.opening):
            box.setMinimumWidth(72)  # not as wide as '100000' needs: the panel is narrow
        self.category_edit.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.category_edit.setMinimumContentsLength(4)
        self.mall_sku = QLineEdit(panel)
        self.active = QCheckBox(panel)
        self.name.setMaxLength(catalog.NAME_MAX)
        for edit in (self.barcodes, self.shop_codes, self.price, self.cost):
            # codes and amounts are never Chinese: keep the input method out of them
            edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.fields: dict[str, QWidget] = {
            "name": self.name,
            "barcodes": self.barcodes,
            "shop_codes": self.shop_codes,
            "category": self.category_edit,
            "unit": self.unit,
            "price": self.price,
            "cost": self.cost,
            "reorder_level": self.reorder,
            "opening_stock": self.opening,
            "mall_sku": self.mall_sku,
            "active": self.active,
        }
        for key, widget in self.fields.items():
            widget.setObjectName(f"field_{key}")
            self.labels[key] = QLabel(panel)
            self.labels[key].setBuddy(widget)
        wide = ("name", "barcodes", "shop_codes")
        for row, key in enumerate(wide):
            grid.addWidget(self.labels[key], row, 0)
            grid.addWidget(self.fields[key], row, 1, 1, 3)
        pairs = (
            ("category", "unit"),
            ("price", "cost"),
            ("reorder_level", "opening_stock"),
            ("mall_sku", "active"),
        )
        for row, (left, right) in enumerate(pairs, start=len(wide)):
            grid.addWidget(self.labels[left], row, 0)
            grid.addWidget(self.fields[left], row, 1)
            grid.addWidget(self.labels[right], row, 2)
            grid.addWidget(self.fields[right], row, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)

        self.form_error = QLabel(panel)
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        layout.addWidget(self.form_error)

        buttons = QHBoxLayout()
        self.new_button = QPushButton(panel)
        self.new_button.clicked.connect(self.new_product)
        self.save_button = QPushButton(panel)
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

        self.stock_box = QFrame(panel)
        self.stock_box.setObjectName("stockBox")
        stock = QGridLayout(self.stock_box)
        stock.setContentsMargins(0, 8, 0, 0)
        stock.setHorizontalSpacing(8)
        self.stock_label = QLabel(self.stock_box)
        self.stock_label.setObjectName("stockLevel")
        stock.addWidget(self.stock_label, 0, 0, 1, 3)
        modes = QHBoxLayout()
        modes.setSpacing(6)
        self.stock_modes = QButtonGroup(self)
        self.mode_buttons: dict[str, QPushButton] = {}
        for mode in STOCK_MODES:
            button = QPushButton(self.stock_box)
            button.setObjectName("stockMode")
            button.setCheckable(True)
            button.setProperty("mode", mode)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.stock_modes.addButton(button)
            self.mode_buttons[mode] = button
            modes.addWidget(button)
        modes.addStretch(1)
        self.mode_buttons["receive"].setChecked(True)
        self.stock_modes.buttonClicked.connect(lambda _b: self._stock_mode_changed())
        stock.addLayout(modes, 1, 0, 1, 3)
        self.stock_qty = number_box(self.stock_box, 1)
        self.stock_qty.setObjectName("stockQty")
        self.stock_qty.setFixedWidth(90)
        self.stock_note = QLineEdit(self.stock_box)
        self.stock_note.setObjectName("stockNote")
        self.stock_note.setMaxLength(catalog.NOTE_MAX)
        self.stock_button = QPushButton(self.stock_box)
        self.stock_button.setObjectName("stockButton")
        self.stock_button.setMinimumWidth(130)
        self.stock_button.clicked.connect(self.move_stock)
        self.stock_note.returnPressed.connect(self.move_stock)
        stock.addWidget(self.stock_qty, 2, 0)
        stock.addWidget(self.stock_note, 2, 1)
        stock.addWidget(self.stock_button, 2, 2)
        stock.setColumnStretch(1, 1)
        layout.addWidget(self.stock_box)
        layout.addStretch(1)
        return scroll

    def _shortcut(self, key: str, slot: Callable[[], object]) -> None:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # Texts --------------------------------------------------------------------------------

    def title(self) -> str:
        return self.tr("Products")

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Products"))
        self.search.setPlaceholderText(self.tr("Search: barcode, name or pinyin initials (Ctrl+F)"))
        self.view_all.setText(self.tr("All goods"))
        self.view_low.setText(self.tr("Low stock"))
        self._fill_category_filter(self._categories)
        texts = {
            "name": self.tr("Name"),
            "barcodes": self.tr("Barcodes"),
            "shop_codes": self.tr("Shop codes"),
            "category": self.tr("Category"),
            "unit": self.tr("Unit"),
            "price": self.tr("Price ¥"),
            "cost": self.tr("Cost ¥"),
            "reorder_level": self.tr("Reorder at"),
            "opening_stock": self.tr("Opening stock"),
            "mall_sku": self.tr("Mall SKU"),
            "active": self.tr("On sale"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.barcodes.setPlaceholderText(self.tr("EAN-13 / EAN-8 / UPC-A; scan or type"))
        self.shop_codes.setPlaceholderText(self.tr("the shop's own codes; empty: one is made"))
        self.price.setPlaceholderText("0.00")
        self.cost.setPlaceholderText("0.00")
        self.active.setText(self.tr("yes"))
        self.new_button.setText(self.tr("New product (Ctrl+N)"))
        self.save_button.setText(self.tr("Save (Ctrl+S)"))
        self.mode_buttons["receive"].setText(self.tr("Receive goods"))
        self.mode_buttons["adjust"].setText(self.tr("Correct"))
        self.mode_buttons["count"].setText(self.tr("Count"))
        self._stock_mode_texts()
        self._show_form_title()
        self._update_summary()
        self.model.retranslate()

    def _show_form_title(self) -> None:
        if self.editing is None:
            self.form_title.setText(self.tr("New product"))
            self.stock_label.clear()
            return
        info = self.editing
        self.form_title.setText(info.name)
        level = self.tr("In stock: %1 %2 · reorder at %3")
        text = (
            level.replace("%1", str(info.stock_qty))
            .replace("%2", info.unit)
            .replace("%3", str(info.reorder_level))
        )
        self.stock_label.setText(text)
        self.stock_label.setProperty("low", is_low(info))
        self.stock_label.style().unpolish(self.stock_label)
        self.stock_label.style().polish(self.stock_label)

    def _update_summary(self) -> None:
        shown, rows = self.model.shown, self.model.rowCount()
        if shown is None:
            text = self.tr("Loading …")
        elif shown.scanned:
            text = self.tr("Scanned %1").replace("%1", shown.scanned)
        elif shown.low:
            text = (
                self.tr("%1 products at or below their reorder level").replace("%1", str(rows))
                if rows
                else self.tr("Nothing is low on stock.")
            )
        elif shown.text.strip():
            if not rows:
                text = self.tr("Nothing found for “%1”.").replace("%1", shown.text)
            elif self.model.has_more():
                text = self.tr("The best %1 matches for “%2”; type more to narrow them")
            else:
                text = self.tr("%1 found for “%2”")
            text = text.replace("%1", str(rows)).replace("%2", shown.text)
        elif not rows:
            text = self.tr("No products yet: add one with New product (Ctrl+N).")
        elif self.model.has_more():
            text = self.tr("The first %1 products by pinyin; scroll for more").replace(
                "%1", str(rows)
            )
        else:
            text = self.tr("%1 products").replace("%1", str(rows))
        self.summary.setText(text)

    # Showing ------------------------------------------------------------------------------

    def activate(self) -> None:
        CoreOp(self, lambda: catalog.categories(self.shop)).success(self._categories_loaded).run()
        self.model.reload()
        self.search.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _categories_loaded(self, names: list[str]) -> None:
        self._categories = names
        self._fill_category_filter(names)
        typed = self.category_edit.currentText()
        self.category_edit.blockSignals(True)
        self.category_edit.clear()
        self.category_edit.addItems(names)
        self.category_edit.setEditText(typed)
        self.category_edit.blockSignals(False)

    def _fill_category_filter(self, names: list[str]) -> None:
        chosen = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(self.tr("All categories"), None)
        for name in names:
            self.category.addItem(name, name)
        index = self.category.findData(chosen) if chosen is not None else 0
        self.category.setCurrentIndex(max(0, index))
        self.category.blockSignals(False)

    def current_query(self) -> Query:
        category = self.category.currentData()
        return Query(
            text=self.search.text(),
            category=str(category) if category is not None else None,
            low=self.view_low.isChecked(),
        )

    def _filters_changed(self) -> None:
        self.model.set_query(self.current_query())

    def _results_shown(self, _query: Query) -> None:
        self._update_summary()
        if self.editing is not None:
            row = self.model.row_of(self.editing.id)
            if row >= 0:
                self._select_row(row)

    def _select_row(self, row: int) -> None:
        """Select a row for the screen's own reasons (not the person choosing a product)."""
        self._selecting = True
        try:
            if row >= 0:
                self.table.selectRow(row)
            else:
                self.table.clearSelection()
        finally:
            self._selecting = False

    def _row_chosen(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if self._selecting or not indexes:
            return
        info = self.model.product(indexes[0].row())
        if info is None or (self.editing is not None and info.id == self.editing.id):
            return

        def back() -> None:
            self._select_row(self.model.row_of(self.editing.id) if self.editing else -1)

        self.when_form_may_change(lambda: self.show_product(info), back)

    # The form -----------------------------------------------------------------------------

    def form(self) -> ProductForm:
        return ProductForm(
            name=self.name.text(),
            barcodes=self.barcodes.text(),
            shop_codes=self.shop_codes.text(),
            category=self.category_edit.currentText(),
            unit=self.unit.text(),
            price=self.price.text(),
            cost=self.cost.text(),
            reorder_level=self.reorder.value(),
            opening_stock=self.opening.value(),
            mall_sku=self.mall_sku.text(),
            active=self.active.isChecked(),
        )

    def _fill(self, form: ProductForm) -> None:
        self.name.setText(form.name)
        self.barcodes.setText(form.barcodes)
        self.shop_codes.setText(form.shop_codes)
        self.category_edit.setEditText(form.category)
        self.unit.setText(form.unit)
        self.price.setText(form.price)
        self.cost.setText(form.cost)
        self.reorder.setValue(form.reorder_level)
        self.opening.setValue(form.opening_stock)
        self.mall_sku.setText(form.mall_sku)
        self.active.setChecked(form.active)

    def is_dirty(self) -> bool:
        return self.form() != self._snapshot

    def when_form_may_change(
        self, then: Callable[[], None], otherwise: Callable[[], None] | None = None
    ) -> None:
        """Run `then` now, or once the person agreed to drop what they typed."""
        if not self.is_dirty():
            then()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Unsaved changes"),
            self.tr("Drop what you typed into the form?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("dropChanges")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(result: int) -> None:
            if result == QMessageBox.StandardButton.Discard:
                then()
            elif otherwise is not None:
                otherwise()

        box.finished.connect(answered)
        box.open()

    def show_product(self, info: ProductInfo) -> None:
        self.editing = info
        self._snapshot = form_of(info)
        self._fill(self._snapshot)
        self._clear_error()
        self.form_hint.hide()
        self._show_opening(False)
        self.active.setEnabled(True)
        self.stock_box.show()
        self._stock_mode_changed()
        self._show_form_title()
        row = self.model.row_of(info.id)
        if row >= 0:
            self._select_row(row)

    def show_new(self, form: ProductForm, hint: str = "") -> None:
        self.editing = None
        self._snapshot = ProductForm()
        self._fill(form)
        self._clear_error()
        self.form_hint.setText(hint)
        self.form_hint.setVisible(bool(hint))
        self._show_opening(True)
        self.active.setEnabled(False)  # a new product is on sale; switch it off afterwards
        self.stock_box.hide()
        self._show_form_title()
        self._select_row(-1)

    def _show_opening(self, shown: bool) -> None:
        """Opening stock exists only while adding; afterwards stock moves through receive/count."""
        self.opening.setVisible(shown)
        self.labels["opening_stock"].setVisible(shown)

    def new_product(self) -> None:
        def fresh() -> None:
            self.show_new(ProductForm())
            self.name.setFocus()

        self.when_form_may_change(fresh)

    def _clear_error(self) -> None:
        self.form_error.clear()
        self.form_error.hide()
        for widget in self.fields.values():
            self._mark(widget, False)

    def _mark(self, widget: QWidget, bad: bool) -> None:
        if bool(widget.property("bad")) != bad:
            widget.setProperty("bad", bad)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def show_form_error(self, exc: BaseException) -> None:
        """A failure from the core, under the form; what was typed stays."""
        if not isinstance(exc, ShopError):
            report_error(self, exc)
            return
        for widget in self.fields.values():
            self._mark(widget, False)
        field = exc.field if isinstance(exc, FieldError) else None
        if field in self.fields:
            self._mark(self.fields[field], True)
            self.fields[field].setFocus()
        self.form_error.setText(exc.message)
        self.form_error.show()

    # Saving -------------------------------------------------------------------------------

    def _run_once(
        self,
        button: QPushButton,
        op: Callable[[], ProductInfo],
        success: Callable[[ProductInfo], None],
        failure: Callable[[BaseException], None],
    ) -> None:
        """One change per button at a time: a double tap must not receive goods twice."""
        button.setEnabled(False)

        def ok(info: ProductInfo) -> None:
            button.setEnabled(True)
            success(info)

        def failed(exc: BaseException) -> None:
            button.setEnabled(True)
            failure(exc)

        CoreOp(self, op).success(ok).failure(failed).run()

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return  # the last save is still on its way
        form = self.form()
        product_id = self.editing.id if self.editing else None
        reason = (
            self.tr("The owner's PIN is needed to add a product.")
            if product_id is None
            else self.tr("The owner's PIN is needed to change a product.")
        )
        self._clear_error()
        ask_owner(self, self.shop, reason, lambda owner: self._save_as(owner, product_id, form))

    def _save_as(self, owner: Actor, product_id: str | None, form: ProductForm) -> None:
        shop = self.shop
        self._run_once(
            self.save_button,
            lambda: save_product(shop, owner, product_id, form),
            lambda info: self._saved(info, added=product_id is None),
            self._save_failed(product_id),
        )

    def _save_failed(self, product_id: str | None) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self.show_form_error(exc)
            if product_id is not None:  # part of a change may be saved: show what is stored
                CoreOp(self, lambda: catalog.get_product(self.shop, product_id)).success(
                    self._refreshed
                ).run()

        return failed

    def _refreshed(self, info: ProductInfo) -> None:
        self.model.update_product(info)
        if self.editing is not None and self.editing.id == info.id:
            self.editing = info
            self._show_form_title()

    def _saved(self, info: ProductInfo, *, added: bool) -> None:
        self.show_product(info)
        self.model.update_product(info)
        if added:
            self.model.reload()
            CoreOp(self, lambda: catalog.categories(self.shop)).success(
                self._categories_loaded
            ).run()
            message = self.tr("Added %1 (barcode %2)")
            self.win.show_info(
                message.replace("%1", info.name).replace("%2", ", ".join(info.barcodes))
            )
        else:
            self.win.show_info(self.tr("Saved %1").replace("%1", info.name))

    # Stock --------------------------------------------------------------------------------

    def stock_mode(self) -> str:
        button = self.stock_modes.checkedButton()
        return str(button.property("mode")) if button is not None else "receive"

    def set_stock_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)
        self._stock_mode_changed()

    def _stock_mode_changed(self) -> None:
        mode = self.stock_mode()
        low = {"receive": 1, "adjust": -QTY_MAX, "count": 0}[mode]
        self.stock_qty.setRange(low, QTY_MAX)
        if mode == "count" and self.editing is not None:
            self.stock_qty.setValue(self.editing.stock_qty)
        elif mode == "adjust":
            self.stock_qty.setValue(0)
        else:
            self.stock_qty.setValue(1)
        self._stock_mode_texts()

    def _stock_mode_texts(self) -> None:
        mode = self.stock_mode()
        if mode == "receive":
            self.stock_qty.setPrefix("+")
            self.stock_qty.setToolTip(self.tr("How many arrived"))
            self.stock_note.setPlaceholderText(self.tr("note: supplier, delivery (optional)"))
            self.stock_button.setText(self.tr("Receive"))
        elif mode == "adjust":
            self.stock_qty.setPrefix("±")
            self.stock_qty.setToolTip(self.tr("How many more (+) or fewer (−) there really are"))
            self.stock_note.setPlaceholderText(self.tr("reason (required): broken, expired …"))
            self.stock_button.setText(self.tr("Correct (owner)"))
        else:
            self.stock_qty.setPrefix("=")
            self.stock_qty.setToolTip(self.tr("How many are on the shelf"))
            self.stock_note.setPlaceholderText(self.tr("reason (required): stock-take …"))
            self.stock_button.setText(self.tr("Set count (owner)"))

    def move_stock(self) -> None:
        """Receive goods (anyone), or correct or count stock (the owner), for the product shown."""
        info, mode = self.editing, self.stock_mode()
        if info is None or not self.stock_button.isEnabled():
            return
        qty, note, shop = self.stock_qty.value(), self.stock_note.text(), self.shop
        self._clear_error()
        if mode == "receive":
            actor = self.win.actor
            if actor is None:
                return
            done = self.tr("Received %1 of %2").replace("%1", str(qty))
            self._run_once(
                self.stock_button,
                lambda: catalog.receive_stock(shop, actor, info.id, qty, note),
                lambda new: self._stock_moved(new, done),
                self.show_form_error,
            )
            return

        def run(owner: Actor) -> None:
            def move() -> ProductInfo:
                if mode == "count":
                    return catalog.count_stock(shop, owner, info.id, qty, note)
                return catalog.adjust_stock(shop, owner, info.id, qty, note)

            if mode == "count":
                done = self.tr("Stock of %2 set to the count: %1").replace("%1", str(qty))
            else:
                done = self.tr("Stock of %2 corrected by %1").replace("%1", f"{qty:+d}")
            self._run_once(
                self.stock_button,
                move,
                lambda new: self._stock_moved(new, done),
                self.show_form_error,
            )

        ask_owner(self, self.shop, self.tr("The owner's PIN is needed to correct stock."), run)

    def _stock_moved(self, info: ProductInfo, message: str) -> None:
        self.model.update_product(info)
        if self.editing is not None and self.editing.id == info.id:
            self.editing = info
            self._show_form_title()
        self.stock_note.clear()
        self._stock_mode_changed()
        self.win.show_info(message.replace("%2", info.name))
        if self.model.shown is not None and self.model.shown.low:
            self.model.reload()

    # Scanning -----------------------------------------------------------------------------

    def on_scan(self, code: str) -> bool:
        self.when_form_may_change(lambda: self._find_scanned(code))
        return True

    def _find_scanned(self, code: str) -> None:
        shop = self.shop
        CoreOp(self, lambda: catalog.find_by_barcode(shop, code)).success(
            lambda info: self._scanned(code, info)
        ).run()

    def _scanned(self, code: str, info: ProductInfo | None) -> None:
        normal = codes.normalize(code)
        if info is not None:
            self.search.blockSignals(True)
            self.search.setText(normal)
            self.search.blockSignals(False)
            self.model.show_rows(Query(scanned=normal), [info])
            self.show_product(info)
            return
        if is_gs1_shaped(normal):
            form = ProductForm(barcodes=normal)
        else:
            form = ProductForm(shop_codes=normal)
        hint = self.tr("No product has the code %1. Fill in the rest to add it.")
        self.show_new(form, hint.replace("%1", normal))
        self.name.setFocus()
