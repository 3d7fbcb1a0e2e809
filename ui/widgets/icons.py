"""The till's line icons: SVGs drawn on a 24×24 grid in one ink colour (#1f2933), recoloured here.

`icon("sell")` is the ink icon; `icon("sell", WHITE)` the one for the teal bar and coloured
buttons. `on=` gives a checkable button (the navigation) its checked colour, which Qt shows by
itself when the button's state changes. Disabled buttons draw the icon in the muted text colour.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

INK = "#1f2933"
WHITE = "#ffffff"
MUTED = "#9aa5b1"

#: every icon the till has (resources/icons/<name>.svg)
NAMES = (
    "sell",
    "billpay",
    "refund",
    "shift",
    "reports",
    "reconcile",
    "history",
    "products",
    "settings",
    "devices",
    "sync",
    "lock",
    "cash",
    "card",
    "wallet",
    "void",
    "search",
)

#: sizes drawn ahead, in device pixels: the usual icon sizes and their double for high-DPI screens
_SIZES = (16, 20, 22, 24, 28, 32, 44, 48)


@cache
def svg(name: str) -> str:
    """The icon's SVG text, in ink. Unknown names raise FileNotFoundError."""
    path = resources.files("resources").joinpath("icons", f"{name}.svg")
    return path.read_text(encoding="utf-8")


@cache
def _renderer(name: str, color: str) -> QSvgRenderer:
    data = svg(name).replace(INK, color).encode("utf-8")
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise ValueError(f"icon {name!r} is not a valid SVG")
    return renderer


@lru_cache(maxsize=1024)
def _pixmap(name: str, color: str, size: int) -> QPixmap:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _renderer(name, color).render(painter)
    painter.end()
    return QPixmap.fromImage(image)


@lru_cache(maxsize=128)
def icon(name: str, color: str = INK, *, on: str | None = None, disabled: str = MUTED) -> QIcon:
    """The named icon in `color`; in `on` when its (checkable) button is checked."""
    result = QIcon()
    for size in _SIZES:
        for mode, state, colour in (
            (QIcon.Mode.Normal, QIcon.State.Off, color),
            (QIcon.Mode.Normal, QIcon.State.On, on or color),
            (QIcon.Mode.Disabled, QIcon.State.Off, disabled),
            (QIcon.Mode.Disabled, QIcon.State.On, disabled),
        ):
            result.addPixmap(_pixmap(name, colour, size), mode, state)
    return result


def icon_size(pixels: int) -> QSize:
    return QSize(pixels, pixels)
