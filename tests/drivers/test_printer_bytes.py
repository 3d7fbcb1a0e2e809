"""ESC/POS bytes, checked by decoding them back (tests/drivers/escpos_decode.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from drivers.printer.escpos_bytes import PrinterProfile, document_bytes
from drivers.printer.layout import render
from storebox.reports import display_width
from tests.drivers.escpos_decode import decode
from tests.drivers.test_printer_layout import sale_payload

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("profile", [PrinterProfile.mm58(), PrinterProfile.mm80()])
def test_sale_bytes_decode_to_the_receipt(profile: PrinterProfile) -> None:
    doc = render("sale", sale_payload(), profile.columns, ZONE)
    data = document_bytes(doc, profile)
    assert data.startswith(b"\x1b@\x1c&")  # init, then Chinese mode explicitly
    out = decode(data)
    assert out.events[:2] == [("init",), ("chinese", True)]
    assert out.texts[: len(doc.text_lines())] == doc.text_lines()  # Chinese prints as Chinese
    assert "好邻居便利店" in out.texts
    items = [s for s in out.texts if " x " in s]
    assert {display_width(s) for s in items} == {profile.columns}
    total = [line for line in out.lines if line.big and "合计" in line.text]
    assert total and total[0].bold
    assert out.qrs() == ["S1-20261125-0007"]
    assert out.kinds()[-2:] == ["cut", "drawer"]  # cash sale: cut, then the drawer kick
    assert out.events[-1] == ("drawer", 0, 100, 100)


def test_card_sale_has_no_drawer_kick() -> None:
    profile = PrinterProfile.mm58()
    out = decode(document_bytes(render("sale", sale_payload("card"), 32, ZONE), profile))
    assert "drawer" not in out.kinds() and "cut" in out.kinds()


def test_full_width_punctuation_is_sent_as_gb18030() -> None:
    data = document_bytes(render("test", {}, 32, ZONE), PrinterProfile.mm58())
    assert "中文：你好，欢迎光临！￥".encode("gb18030") in data
    assert "中文：你好，欢迎光临！￥" in decode(data).texts


def test_qr_falls_back_to_an_image_when_the_profile_says_so() -> None:
    profile = PrinterProfile.mm58(native_qr=False)
    out = decode(document_bytes(render("sale", sale_payload(), 32, ZONE), profile))
    assert out.qrs() == []
    images = [e for e in out.events if e[0] == "image"]
    assert len(images) == 1 and int(str(images[0][1])) > 0
    assert b"\x1d(k" not in document_bytes(render("test", {}, 32, ZONE), profile)
    # text after the image is still Chinese
    assert "谢谢惠顾 Thank you!" in out.texts
