"""Printer URLs, transports (a real local TCP socket, a file, a pyserial loop) and status."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from drivers.printer.driver import PrinterDriver, PrinterStatus, open_printer, parse_status
from drivers.printer.escpos_bytes import PrinterProfile
from drivers.printer.png import cjk_font_path
from drivers.printer.transports import DummyTransport, parse_url
from tests.drivers.escpos_decode import decode
from tests.drivers.test_printer_layout import sale_payload


class FakeNetworkPrinter:
    """A raw-port-9100 printer on localhost: keeps what it is sent, answers DLE EOT n."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.replies: dict[int, bytes] = {1: b"\x12", 2: b"\x12", 4: b"\x12"}
        self.silent = False
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    if len(chunk) == 3 and chunk[:2] == b"\x10\x04":
                        if not self.silent:
                            conn.sendall(self.replies[chunk[2]])
                        continue
                    self.received += chunk
            if self.received:
                self.done.set()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def net_printer() -> Iterator[FakeNetworkPrinter]:
    fake = FakeNetworkPrinter()
    yield fake
    fake.close()


def test_urls_are_parsed() -> None:
    assert parse_url("dummy:") == ("dummy", None)
    assert parse_url("file:///dev/usb/lp0") == ("file", Path("/dev/usb/lp0"))
    assert parse_url("tcp://10.0.0.5:9100") == ("tcp", ("10.0.0.5", 9100, 5.0))
    assert parse_url("tcp://printer") == ("tcp", ("printer", 9100, 5.0))
    assert parse_url("serial:///dev/ttyUSB0?baudrate=9600") == ("serial", ("/dev/ttyUSB0", 9600))
    assert parse_url("usb://0416:5011") == ("usb", (0x0416, 0x5011))
    assert parse_url("png:/tmp/r") == ("png", Path("/tmp/r"))
    for bad in ("lpt1:", "usb://zz", "tcp://", "png:"):
        with pytest.raises(ValueError):
            parse_url(bad)


def test_tcp_printer_receives_the_receipt_and_reports_status(
    net_printer: FakeNetworkPrinter,
) -> None:
    printer = open_printer(f"tcp://127.0.0.1:{net_printer.port}", PrinterProfile.mm58())
    assert printer.status() is PrinterStatus.OK
    printer.print_job("sale", sale_payload())
    assert net_printer.done.wait(3)
    out = decode(bytes(net_printer.received))
    assert "好邻居便利店" in out.texts and out.qrs() == ["S1-20261125-0007"]
    assert "cut" in out.kinds() and "drawer" in out.kinds()
    net_printer.replies[4] = b"\x1e"
    assert printer.status() is PrinterStatus.NEAR_END
    net_printer.replies[4] = b"\x72"
    assert printer.status() is PrinterStatus.PAPER_OUT
    net_printer.replies.update({1: b"\x1a", 2: b"\x16"})
    assert printer.status() is PrinterStatus.COVER_OPEN
    net_printer.replies.update({1: b"\x1a", 2: b"\x12", 4: b"\x12"})
    assert printer.status() is PrinterStatus.OFFLINE
    net_printer.replies[1] = b"\xff"  # malformed
    assert printer.status() is PrinterStatus.UNKNOWN


def test_tcp_printer_that_does_not_answer_is_unknown_not_ok(
    net_printer: FakeNetworkPrinter,
) -> None:
    net_printer.silent = True
    printer = open_printer(f"tcp://127.0.0.1:{net_printer.port}?timeout=0.3")
    assert printer.status() is PrinterStatus.UNKNOWN


def test_tcp_printer_that_is_not_there_is_offline_and_nothing_was_sent() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    printer = open_printer(f"tcp://127.0.0.1:{port}?timeout=0.5")
    assert printer.status() is PrinterStatus.OFFLINE
    from drivers.printer.driver import PrintFailed

    with pytest.raises(PrintFailed) as failed:
        printer.print_job("test", {})
    assert failed.value.sent_nothing


@pytest.mark.parametrize(
    ("p1", "p2", "p4", "expected"),
    [
        (b"\x12", None, b"\x12", PrinterStatus.OK),
        (b"\x16", None, b"\x12", PrinterStatus.OK),  # drawer bit only
        (b"\x12", None, b"\x1e", PrinterStatus.NEAR_END),
        (b"\x12", None, b"\x72", PrinterStatus.PAPER_OUT),
        (b"\x12", None, b"\x7e", PrinterStatus.PAPER_OUT),
        (b"\x1a", b"\x16", b"\x12", PrinterStatus.COVER_OPEN),
        (b"\x1a", b"\x32", b"\x12", PrinterStatus.PAPER_OUT),
        (b"\x1a", None, None, PrinterStatus.OFFLINE),
        (None, None, None, PrinterStatus.UNKNOWN),
        (b"", None, None, PrinterStatus.UNKNOWN),
        (b"\x12\x12", None, b"\x12", PrinterStatus.UNKNOWN),
        (b"\x00", None, b"\x12", PrinterStatus.UNKNOWN),
        (b"\x12", None, None, PrinterStatus.UNKNOWN),  # paper never answered
        (b"\x12", None, b"\x80", PrinterStatus.UNKNOWN),
    ],
)
def test_status_bytes(
    p1: bytes | None, p2: bytes | None, p4: bytes | None, expected: PrinterStatus
) -> None:
    assert parse_status(p1, p2, p4) is expected


def test_dummy_and_file_printers_keep_bytes_and_do_not_claim_ok(tmp_path: Path) -> None:
    dummy = open_printer("dummy:")
    dummy.print_job("test", {})
    assert isinstance(dummy.transport, DummyTransport)
    assert "English: The quick brown fox." in decode(bytes(dummy.transport.output)).texts
    assert dummy.status() is PrinterStatus.UNKNOWN
    target = tmp_path / "lp0"
    printer = open_printer(f"file://{target}")
    printer.print_job("test", {})
    printer.print_job("test", {})
    assert decode(target.read_bytes()).kinds().count("cut") == 2  # appended
    assert printer.status() is PrinterStatus.UNKNOWN


def test_serial_through_a_pyserial_url() -> None:
    printer = open_printer("serial:loop://?baudrate=9600")
    # a loop echoes the request back: 0x10 is not a status byte, so unknown
    assert printer.status() is PrinterStatus.UNKNOWN
    printer.print_job("test", {})
    printer.close()


def test_drawer_kick_on_its_own() -> None:
    printer = PrinterDriver("dummy:")
    printer.open_drawer()
    assert isinstance(printer.transport, DummyTransport)
    assert decode(bytes(printer.transport.output)).events == [("drawer", 0, 100, 100)]


def test_png_printer_draws_the_receipt(tmp_path: Path) -> None:
    printer = open_printer(f"png:{tmp_path / 'receipts'}", PrinterProfile.mm58())
    assert printer.status() is PrinterStatus.OK
    printer.print_job("sale", sale_payload(), name="job1")
    assert printer.last_png is not None and printer.last_png.name == "job1-sale.png"
    image = Image.open(printer.last_png)
    assert image.width == 32 * 12 + 32 and image.height > 600
    assert image.convert("L").getextrema()[0] == 0  # something black was drawn
    assert cjk_font_path() is not None
