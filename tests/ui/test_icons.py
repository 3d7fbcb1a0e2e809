"""The till's line icons load, and the navigation, lock and sell buttons carry them."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from tests.ui.conftest import sign_in
from ui.cashier.sell_page import SellPage
from ui.cashier.window import CashierWindow
from ui.widgets.icons import NAMES, WHITE, icon


def test_icons_load_and_buttons_carry_them(qtbot: QtBot, window: CashierWindow) -> None:
    for name in NAMES:
        for colour in ("#1f2933", WHITE):
            loaded = icon(name, colour, on=WHITE)
            assert not loaded.isNull(), name
            assert not loaded.pixmap(22, 22).isNull(), name
            drawn = loaded.pixmap(22, 22).toImage()
            assert any(  # something is drawn, not an empty square
                drawn.pixelColor(x, y).alpha() > 0 for x in range(22) for y in range(22)
            ), name

    sign_in(qtbot, window, "店主", "8888")
    assert window.actor is not None
    for key, button in window.nav_buttons.items():
        assert key in NAMES
        assert not button.icon().isNull(), key
        assert button.iconSize().width() <= 24, key
    assert not window.lock_button.icon().isNull()

    sell = window.pages["sell"]
    assert isinstance(sell, SellPage)
    for button in (sell.pay_button, sell.card_button, sell.wallet_button, sell.void_button):
        assert not button.icon().isNull()
    assert any(not action.icon().isNull() for action in sell.search.actions())
    assert isinstance(sell.search, QLineEdit)

    # the checked navigation button shows the white variant
    window.show_page("reports")
    checked = window.nav_buttons["reports"]
    assert checked.isChecked()
    image = checked.icon().pixmap(22, 22, QIcon.Mode.Normal, QIcon.State.On).toImage()
    colours = {
        image.pixelColor(x, y).name()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    }
    assert colours == {WHITE}
