"""A document as ESC/POS bytes, built with python-escpos's `Dummy` printer.

python-escpos 3.1 never switches a printer into Chinese mode and sends text without ideographs
through single-byte code pages (so `：￥` would print as `??`). Here every text line goes through
the raw write as GB18030 after `ESC @` and an explicit `FS &` (select Chinese character mode);
ASCII is the same in GB18030. The QR code is native (`GS ( k`) when the profile says the printer
supports it, otherwise a raster image (`GS v 0`) python-escpos draws with the `qrcode` package.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.printer import Dummy

from drivers.printer.layout import WIDTH_58MM, WIDTH_80MM, Document, Qr, Text

ESC_INIT = b"\x1b@"
FS_CHINESE_ON = b"\x1c&"
FS_CHINESE_OFF = b"\x1c."
#: ESC p m t1 t2: pulse pin 2 (m = 0) on for 50×2 ms, off for 50×2 ms.
DRAWER_KICK = b"\x1bp\x00\x32\x32"
ALIGN = {"left": b"\x1ba\x00", "center": b"\x1ba\x01"}
BIG_ON = b"\x1bE\x01\x1d!\x11"  # bold, double width and height
BIG_OFF = b"\x1d!\x00\x1bE\x00"
BOLD_ON = b"\x1bE\x01"
BOLD_OFF = b"\x1bE\x00"


@dataclass(frozen=True)
class PrinterProfile:
    """What the printer can do. `native_qr` False for printers that print `GS ( k` data as text
    (Epson TM-T88III, many cheap 58 mm ones); `dots` is the raster width for images."""

    name: str = "default"
    columns: int = WIDTH_80MM
    native_qr: bool = True
    qr_size: int = 6
    dots: int = 576

    @classmethod
    def mm58(cls, native_qr: bool = True) -> PrinterProfile:
        return cls("58mm", WIDTH_58MM, native_qr, 5, 384)

    @classmethod
    def mm80(cls, native_qr: bool = True) -> PrinterProfile:
        return cls("80mm", WIDTH_80MM, native_qr, 6, 576)


def encode_text(text: str) -> bytes:
    return text.encode("gb18030")


def document_bytes(doc: Document, profile: PrinterProfile, *, cut: bool = True) -> bytes:
    """The whole document: init, Chinese mode, lines, QR, feed, cut (when the template ends
    with one), and the drawer kick for a cash sale (after the cut, so the drawer opens as the
    receipt is torn off)."""
    p = Dummy()
    p._raw(ESC_INIT)
    p._raw(FS_CHINESE_ON)
    for item in doc.items:
        if isinstance(item, Text):
            p._raw(ALIGN["center" if item.center else "left"])
            on, off = (BIG_ON, BIG_OFF) if item.big else (BOLD_ON, BOLD_OFF)
            styled = item.big or item.bold
            if styled:
                p._raw(on)
            p._raw(encode_text(item.text) + b"\n")
            if styled:
                p._raw(off)
        elif isinstance(item, Qr):
            p._raw(ALIGN["center"])  # p.qr(native=True, center=True) raises in 3.1
            if profile.native_qr:
                p.qr(item.data, native=True, size=profile.qr_size)
            else:
                p.qr(item.data, native=False, size=profile.qr_size)
            p._raw(ALIGN["left"])
            p._raw(FS_CHINESE_ON)  # the image path may have touched the code page
    p._raw(ALIGN["left"])
    if cut and doc.cut:
        p._raw(b"\n\n\n")
        p.cut()
    if doc.open_drawer:
        p._raw(DRAWER_KICK)
    return bytes(p.output)


def drawer_bytes() -> bytes:
    return DRAWER_KICK
