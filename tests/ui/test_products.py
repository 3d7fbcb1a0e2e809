"""The products screen, driven through the real window: add and edit goods, the owner's PIN,
stock moves, the low-stock view, scans, and a catalogue that is paged rather than loaded."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from storebox import catalog, demo
from storebox.barcodes import with_check_digit
from storebox.shop import Shop
from tests.ui.conftest import owner_actor, settle, sign_in
from ui.cashier.products_model import LOW_BACKGROUND, PAGE
from ui.cashier.products_page import ProductsPage
from ui.cashier.signin import OwnerPinDialog
from ui.cashier.window import CashierWindow

#: A valid GS1 China code that no demo product carries.
NEW_CODE = with_check_digit("690999000123")


def open_products(qtbot: QtBot, win: CashierWindow, who: tuple[str, str]) -> ProductsPage:
    sign_in(qtbot, win, *who)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    settle(qtbot)
    page = win.pages["products"]
    assert isinstance(page, ProductsPage)
    assert win.stack.currentWidget() is page
    return page


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    settle(qtbot)


def choose_row(qtbot: QtBot, page: ProductsPage, row: int) -> catalog.ProductInfo:
    page.table.selectRow(row)
    settle(qtbot)
    assert page.editing is not None
    return page.editing


def owner_dialog(qtbot: QtBot, win: CashierWindow) -> OwnerPinDialog:
    found: list[OwnerPinDialog] = []

    def shown() -> bool:
        found[:] = [d for d in win.findChildren(OwnerPinDialog) if d.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown)
    return found[0]


def type_pin(qtbot: QtBot, dialog: OwnerPinDialog, pin: str) -> None:
    """The owner types the PIN and presses the keypad's OK."""
    qtbot.keyClicks(dialog.pin.field, pin, delay=80)  # a person, not a scanner
    ok = dialog.pin.keypad.findChild(QPushButton, "primary")
    assert ok is not None
    click(qtbot, ok)


def test_owner_adds_a_product_findable_by_its_pinyin_initials(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.OWNER)
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.editing is None and page.name.hasFocus()
    page.name.setText("蓝莓酸奶冰棒")
    page.barcodes.setText(NEW_CODE)
    page.category_edit.setEditText("冷饮")
    page.unit.setText("支")
    page.price.setText("3.5")
    page.cost.setText("¥2")
    page.reorder.setValue(4)
    page.opening.setValue(30)
    click(qtbot, page.save_button)

    hits = catalog.search(shop, "lmsnbb")
    assert [h.product.name for h in hits] == ["蓝莓酸奶冰棒"]
    added = hits[0].product
    assert added.barcodes == (NEW_CODE,)
    assert (added.price_fen, added.cost_fen, added.stock_qty, added.reorder_level) == (
        350,
        200,
        30,
        4,
    )
    assert (added.category, added.unit) == ("冷饮", "支")
    # the form now edits what was stored, and says so
    assert page.editing is not None and page.editing.id == added.id
    assert page.price.text() == "3.50" and not page.is_dirty()
    assert page.form_error.isHidden()
    assert "蓝莓酸奶冰棒" in window.message.text()


def test_a_wrong_check_digit_shows_the_cores_message_and_adds_nothing(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.OWNER)
    before = len(catalog.list_products(shop, limit=1000))
    bad = NEW_CODE[:-1] + str((int(NEW_CODE[-1]) + 1) % 10)
    page.new_product()
    page.name.setText("校验位测试饼干")
    page.barcodes.setText(bad)
    page.price.setText("4.00")
    qtbot.keyClick(page.name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # Ctrl+S
    settle(qtbot)

    assert page.form_error.isVisible()
    assert "校验位错误" in page.form_error.text() and "check digit" in page.form_error.text()
    assert page.barcodes.property("bad") is True  # the field at fault is marked
    # what was typed is still there, to be corrected
    assert (page.name.text(), page.barcodes.text(), page.price.text()) == (
        "校验位测试饼干",
        bad,
        "4.00",
    )
    assert catalog.search(shop, "校验位测试饼干") == []
    assert len(catalog.list_products(shop, limit=1000)) == before

    page.barcodes.setText(NEW_CODE)  # corrected: now it goes in
    click(qtbot, page.save_button)
    assert page.form_error.isHidden()
    assert [h.product.name for h in catalog.search(shop, NEW_CODE)] == ["校验位测试饼干"]


def test_a_bad_price_is_shown_next_to_the_form(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.OWNER)
    page.new_product()
    page.name.setText("价格测试")
    page.price.setText("3.555")
    click(qtbot, page.save_button)
    assert "two decimals" in page.form_error.text()
    assert page.price.property("bad") is True
    assert catalog.search(shop, "价格测试") == []


def test_a_cashier_changing_a_price_is_asked_for_the_owners_pin(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.CASHIERS[0])
    info = choose_row(qtbot, page, 0)
    page.price.setText("99.90")
    click(qtbot, page.save_button)

    dialog = owner_dialog(qtbot, window)
    assert catalog.get_product(shop, info.id).price_fen == info.price_fen  # not yet
    type_pin(qtbot, dialog, "0000")  # a wrong PIN changes nothing
    assert dialog.isVisible() and dialog.message.text()
    assert catalog.get_product(shop, info.id).price_fen == info.price_fen
    type_pin(qtbot, dialog, demo.OWNER[1])

    assert not dialog.isVisible()
    assert catalog.get_product(shop, info.id).price_fen == 9990
    assert page.model.product(page.model.row_of(info.id)).price_fen == 9990  # type: ignore[union-attr]
    assert window.actor is not None and not window.actor.is_owner  # still the cashier's till


def test_a_cashier_who_cancels_the_pin_keeps_the_form_and_changes_nothing(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.CASHIERS[0])
    info = choose_row(qtbot, page, 1)
    page.price.setText("55.00")
    click(qtbot, page.save_button)
    dialog = owner_dialog(qtbot, window)
    dialog.reject()
    settle(qtbot)
    assert catalog.get_product(shop, info.id).price_fen == info.price_fen
    assert page.price.text() == "55.00" and page.is_dirty()


def test_receive_and_correct_stock_with_a_reason(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.OWNER)
    info = choose_row(qtbot, page, 2)
    start = info.stock_qty

    page.set_stock_mode("receive")
    page.stock_qty.setValue(12)
    page.stock_note.setText("周一到货")
    click(qtbot, page.stock_button)
    assert catalog.get_product(shop, info.id).stock_qty == start + 12

    page.set_stock_mode("adjust")
    page.stock_qty.setValue(-2)
    click(qtbot, page.stock_button)  # no reason: refused by the core, shown by the form
    assert "reason" in page.form_error.text()
    assert catalog.get_product(shop, info.id).stock_qty == start + 12

    page.stock_note.setText("破损")
    click(qtbot, page.stock_button)
    assert page.form_error.isHidden()
    assert catalog.get_product(shop, info.id).stock_qty == start + 10
    assert str(start + 10) in page.stock_label.text()
    assert page.model.product(page.model.row_of(info.id)).stock_qty == start + 10  # type: ignore[union-attr]

    page.set_stock_mode("count")
    assert page.stock_qty.value() == start + 10  # a count starts from what the till believes
    page.stock_qty.setValue(7)
    page.stock_note.setText("盘点")
    click(qtbot, page.stock_button)
    assert catalog.get_product(shop, info.id).stock_qty == 7


def test_a_cashier_receives_goods_but_needs_the_owner_to_correct_stock(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.CASHIERS[0])
    info = choose_row(qtbot, page, 3)
    page.set_stock_mode("receive")
    page.stock_qty.setValue(5)
    click(qtbot, page.stock_button)
    assert not [d for d in window.findChildren(OwnerPinDialog) if d.isVisible()]
    assert catalog.get_product(shop, info.id).stock_qty == info.stock_qty + 5

    page.set_stock_mode("adjust")
    page.stock_qty.setValue(-1)
    page.stock_note.setText("过期")
    click(qtbot, page.stock_button)
    dialog = owner_dialog(qtbot, window)
    assert catalog.get_product(shop, info.id).stock_qty == info.stock_qty + 5
    type_pin(qtbot, dialog, demo.OWNER[1])
    assert catalog.get_product(shop, info.id).stock_qty == info.stock_qty + 4


def test_low_stock_view_lists_goods_at_or_below_their_reorder_level(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    owner = owner_actor(shop)
    at_level = catalog.add_product(
        shop, owner, name="低库存测试糖", price_fen=100, initial_stock=5, reorder_level=5
    )
    plenty = catalog.add_product(
        shop, owner, name="库存充足测试糖", price_fen=100, initial_stock=50, reorder_level=5
    )
    page = open_products(qtbot, window, demo.OWNER)
    click(qtbot, page.view_low)

    rows = [page.model.product(r) for r in range(page.model.rowCount())]
    ids = [p.id for p in rows if p is not None]
    assert at_level.id in ids and plenty.id not in ids
    assert all(p is not None and p.stock_qty <= p.reorder_level for p in rows)
    assert "reorder level" in page.summary.text()
    index = page.model.index(ids.index(at_level.id), 0)
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) == LOW_BACKGROUND

    click(qtbot, page.view_all)  # and back to the whole catalogue
    assert page.model.rowCount() == PAGE


def test_the_list_is_paged_and_searched_as_you_type(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.OWNER)
    total = len(catalog.list_products(shop, limit=1000))
    assert total > 2 * PAGE
    assert page.model.rowCount() == PAGE and page.model.has_more()
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 * PAGE)
    settle(qtbot)

    page.search.setFocus()
    qtbot.keyClicks(page.search, "kkl", delay=120)  # typed by a person
    qtbot.waitUntil(lambda: page.model.shown is not None and page.model.shown.text == "kkl")
    settle(qtbot)
    names = [page.model.product(r).name for r in range(page.model.rowCount())]  # type: ignore[union-attr]
    assert names and all("可口可乐" in n for n in names)


def test_a_scan_finds_the_product_or_offers_to_add_it(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.OWNER)
    known = catalog.list_products(shop, offset=150, limit=1)[0]
    page.search.setFocus()
    qtbot.keyClicks(page.search, known.barcodes[0])  # no delay: a scanner
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert page.editing is not None and page.editing.id == known.id
    assert page.model.rowCount() == 1
    assert page.table.selectionModel().isRowSelected(0)

    qtbot.keyClicks(page.search, NEW_CODE)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    settle(qtbot)
    assert page.editing is None
    assert page.barcodes.text() == NEW_CODE and page.name.hasFocus()
    assert NEW_CODE in page.form_hint.text()


def test_choosing_another_product_asks_before_dropping_typed_changes(
    qtbot: QtBot, window: CashierWindow
) -> None:
    page = open_products(qtbot, window, demo.OWNER)
    first = choose_row(qtbot, page, 0)
    page.name.setText("改了一半")
    page.table.selectRow(1)
    settle(qtbot)
    assert page.editing is not None and page.editing.id == first.id  # not yet
    assert page.name.text() == "改了一半"
    box = next(b for b in page.findChildren(QMessageBox, "dropChanges") if b.isVisible())
    box.button(QMessageBox.StandardButton.Cancel).click()
    settle(qtbot)
    assert page.editing.id == first.id and page.name.text() == "改了一半"
    assert page.table.selectionModel().isRowSelected(0)

    page.table.selectRow(1)
    settle(qtbot)
    box = next(b for b in page.findChildren(QMessageBox, "dropChanges") if b.isVisible())
    box.button(QMessageBox.StandardButton.Discard).click()
    settle(qtbot)
    second = page.model.product(1)
    assert second is not None and page.editing.id == second.id
    assert page.name.text() == second.name


def test_a_double_tap_on_receive_receives_once(
    qtbot: QtBot, window: CashierWindow, shop: Shop
) -> None:
    page = open_products(qtbot, window, demo.CASHIERS[0])
    info = choose_row(qtbot, page, 4)
    page.stock_qty.setValue(6)
    qtbot.mouseClick(page.stock_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.stock_button, Qt.MouseButton.LeftButton)  # before the first is back
    settle(qtbot)
    assert catalog.get_product(shop, info.id).stock_qty == info.stock_qty + 6
    assert page.stock_button.isEnabled()
