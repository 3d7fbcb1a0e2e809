"""ui.customer_display: each state shows the right texts; the QR code is the code asked for."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qrcode
import qrcode.constants
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from ui.customer_display import (
    CART,
    IDLE,
    QR,
    THANKS,
    CustomerDisplay,
    CustomerLine,
    qr_image,
)

LINES = [
    CustomerLine("农夫山泉饮用天然水550ml", 2, 400),
    CustomerLine("可口可乐 330ml", 1, 350),
    CustomerLine("康师傅红烧牛肉面", 3, 1_350),
]
MERCHANT_QR = "https://qr.alipay.com/bax00000000000000000"


@pytest.fixture
def display(qtbot: QtBot) -> CustomerDisplay:
    d = CustomerDisplay(frameless=True, shop_name="幸福社区便利店")
    qtbot.addWidget(d)
    d.resize(1024, 600)
    d.show()
    return d


def texts(d: CustomerDisplay) -> str:
    from PySide6.QtWidgets import QLabel

    page = d.stack.currentWidget()
    assert page is not None
    return " | ".join(label.text() for label in page.findChildren(QLabel) if label.isVisible())


def table_rows(d: CustomerDisplay) -> list[list[str]]:
    return [
        [item.text() if (item := d.table.item(r, c)) else "" for c in range(d.table.columnCount())]
        for r in range(d.table.rowCount())
    ]


def test_idle_welcomes(display: CustomerDisplay) -> None:
    display.idle()
    assert display.state == IDLE
    assert "Welcome" in texts(display)
    assert display.shop_title.text() == "幸福社区便利店"
    assert display.windowFlags() & Qt.WindowType.FramelessWindowHint


def test_cart_shows_lines_and_a_large_total(display: CustomerDisplay) -> None:
    display.show_cart(LINES, 2_100)
    assert display.state == CART
    assert table_rows(display) == [
        ["农夫山泉饮用天然水550ml", "×2", "¥4.00"],
        ["可口可乐 330ml", "×1", "¥3.50"],
        ["康师傅红烧牛肉面", "×3", "¥13.50"],
    ]
    assert display.total.text() == "¥21.00"
    assert "Total" in texts(display) and "6 item(s)" in texts(display)
    assert display.total.font().pointSize() >= 72  # legible across the counter
    display.show_cart([], 0)  # a voided cart empties
    assert table_rows(display) == [] and display.total.text() == "¥0.00"


def test_qr_state_shows_a_square_code_the_amount_and_the_caption(display: CustomerDisplay) -> None:
    display.show_qr(MERCHANT_QR, 2_100, "请用支付宝扫码")
    assert display.state == QR
    pixmap = display.qr.pixmap()
    assert not pixmap.isNull() and pixmap.width() == pixmap.height() >= 200
    shown = texts(display)
    assert "请用支付宝扫码" in shown and "¥21.00" in shown and "Scan the code" in shown


def test_the_qr_image_holds_exactly_the_modules_of_the_text() -> None:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(MERCHANT_QR)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    image = qr_image(MERCHANT_QR, size=360)
    assert image.width() == image.height()
    scale = image.width() // len(matrix)
    assert scale * len(matrix) == image.width()
    read = [
        [
            QImage.pixelColor(image, x * scale + scale // 2, y * scale + scale // 2).value() < 128
            for x in range(len(matrix))
        ]
        for y in range(len(matrix))
    ]
    assert read == matrix


def test_thank_you_with_and_without_change(display: CustomerDisplay) -> None:
    display.thank_you(change_fen=350)
    assert display.state == THANKS
    assert "Thank you" in texts(display) and "¥3.50" in texts(display)
    display.thank_you()
    assert "Thank you" in texts(display) and "¥" not in texts(display)


WORDS = {
    "Welcome": "欢迎光临",
    "Thank you": "谢谢惠顾",
    "Total": "合计",
    "Your change: %1": "找零：%1",
}


class _Chinese(QTranslator):
    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return WORDS.get(source, "") if context == "CustomerDisplay" else ""

    def isEmpty(self) -> bool:
        return False


def test_texts_follow_the_language(display: CustomerDisplay) -> None:
    display.thank_you(change_fen=150)
    chinese = _Chinese()
    QCoreApplication.installTranslator(chinese)
    try:
        QCoreApplication.processEvents()
        assert "谢谢惠顾" in texts(display) and "找零：¥1.50" in texts(display)
        display.idle()
        assert "欢迎光临" in texts(display)
    finally:
        QCoreApplication.removeTranslator(chinese)
    QCoreApplication.processEvents()
    assert "Welcome" in texts(display)


def test_the_display_never_takes_the_focus(display: CustomerDisplay) -> None:
    assert display.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert display.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert display.place_on_screen() is False  # offscreen: one screen, left as it is


def test_each_state_renders_to_a_png(display: CustomerDisplay, tmp_path: Path) -> None:
    out = Path(os.environ.get("STOREBOX_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for name, show in (
        ("idle", display.idle),
        ("cart", lambda: display.show_cart(LINES, 2_100)),
        ("qr", lambda: display.show_qr(MERCHANT_QR, 2_100, "请用支付宝扫码 / Scan with Alipay")),
        ("thanks", lambda: display.thank_you(350)),
    ):
        show()
        path = out / f"customer_display_{name}.png"
        assert display.grab().save(str(path))
        assert path.stat().st_size > 1_000
