"""drivers.display.pole: the bytes of a 2×20 ESC/POS pole display, written over a real pty."""

from __future__ import annotations

import os
import select
import tty
from pathlib import Path

from drivers.display.pole import INIT, PoleDisplay, fit, frame, move_to, two_columns


def read_all(fd: int, want: int, timeout: float = 5.0) -> bytes:
    out = b""
    while len(out) < want:
        ready, _, _ = select.select([fd], [], [], timeout)
        assert ready, f"only {out!r}"
        out += os.read(fd, 4096)
    return out


def test_frame_bytes() -> None:
    data = frame("COLA 330ML", "TOTAL 3.50")
    assert data == (
        b"\x0c\x0b" + b"COLA 330ML          " + b"\x1f$\x01\x02" + b"TOTAL 3.50          "
    )
    assert len(fit("X" * 30, 20, "ascii")) == 20
    assert fit("可乐", 20, "ascii") == b"??".ljust(20)  # an ASCII display shows what it can
    # GB18030: two columns a character, never split in the middle
    assert fit("农夫山泉饮用天然水550ml", 20, "gb18030") == "农夫山泉饮用天然水55".encode("gb18030")
    assert (
        fit("一二三四五六七八九十x", 19, "gb18030") == "一二三四五六七八九".encode("gb18030") + b" "
    )
    assert two_columns("TOTAL", "21.00") == "TOTAL          21.00"
    assert two_columns("A VERY LONG NAME INDEED", "x2 4.00") == "A VERY LONG  x2 4.00"
    assert len(two_columns("A VERY LONG NAME INDEED", "x2 4.00")) == 20
    assert move_to(3, 1) == b"\x1f$\x03\x01"


def test_writes_reach_the_device_over_a_pty() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    tty.setraw(master)
    try:
        pole = PoleDisplay(path)
        pole.item("COLA 330ML", 2, 700, 2_100)
        assert pole.flush()
        expected = INIT + frame("COLA 330ML   x2 7.00", "TOTAL          21.00")
        assert read_all(master, len(expected)) == expected
        pole.total(2_100, paid_fen=5_000)
        assert pole.flush()
        change = frame("TOTAL          21.00", "CHANGE         29.00")
        assert read_all(master, len(change)) == change
        pole.clear()
        pole.thank_you()  # queued behind a slow device, the newest frame wins
        assert pole.flush()
        thanks = frame("     THANK YOU", "    WELCOME BACK")
        data = b""
        while not data.endswith(thanks):
            data += read_all(master, 1)
        assert data in (thanks, frame("", "") + thanks)
        pole.close()
    finally:
        os.close(master)
        os.close(slave)


def test_a_missing_device_is_reported_not_raised(tmp_path: Path) -> None:
    errors: list[str] = []
    pole = PoleDisplay(str(tmp_path / "none"), on_error=errors.append)
    pole.show("HELLO")
    assert pole.flush()
    assert errors and "pole display unavailable" in errors[0]
    assert pole.last_error
    pole.close()
