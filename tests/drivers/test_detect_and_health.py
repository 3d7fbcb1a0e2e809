"""Detected devices (USB printers read from a sysfs tree) and the terminal's health check
through the ZVT client against the simulator over a real pty."""

from __future__ import annotations

import os
from pathlib import Path

from drivers import detect
from drivers.terminal.health import CheckedTerminal
from drivers.terminal.simulator import serve_pty


def _usb(sysfs: Path, name: str, vid: str, pid: str, klass: str, product: str) -> None:
    device = sysfs / name
    device.mkdir(parents=True)
    (device / "idVendor").write_text(vid + "\n")
    (device / "idProduct").write_text(pid + "\n")
    (device / "manufacturer").write_text("Xprinter\n")
    (device / "product").write_text(product + "\n")
    interface = sysfs / f"{name}:1.0"
    interface.mkdir()
    (interface / "bInterfaceClass").write_text(klass + "\n")


def test_usb_printers_are_the_class_7_interfaces_and_the_usblp_nodes(tmp_path: Path) -> None:
    sysfs, usblp = tmp_path / "sys", tmp_path / "dev-usb"
    _usb(sysfs, "1-1", "0416", "5011", "07", "XP-58")
    _usb(sysfs, "1-2", "046D", "C52B", "03", "Receiver")  # a keyboard (HID): not a printer
    usblp.mkdir()
    (usblp / "lp0").touch()
    found = detect.usb_printers(sysfs, usblp)
    assert found == [
        detect.Found("usb://0416:5011", "Xprinter XP-58"),
        detect.Found(f"file://{usblp}/lp0", "USB printer (usblp)"),
    ]


def test_no_sysfs_no_printers(tmp_path: Path) -> None:
    assert detect.usb_printers(tmp_path / "none", tmp_path / "none") == []


def test_serial_ports_are_listed_as_urls() -> None:
    for port in detect.serial_ports():
        assert port.url.startswith("/") or port.url.upper().startswith("COM")


def test_the_health_check_registers_and_enquires_through_the_simulator() -> None:
    sim, path = serve_pty()
    terminal = CheckedTerminal(path, ack_timeout=1.0, answer_timeout=2.0, lang="en")
    try:
        health = terminal.check()
        assert health.ready and health.message == "Card terminal ready"
        assert [a.command for a in sim.received] == [(0x06, 0x00), (0x05, 0x01)]
        assert terminal.check().ready  # registered once; the next check only enquires
        assert [a.command for a in sim.received][-1] == (0x05, 0x01)
        assert len(sim.received) == 3 and sim.transactions == []
    finally:
        terminal.close()
        sim.stop()


def test_a_silent_line_is_not_ready_and_says_why() -> None:
    master, slave = os.openpty()  # a port nobody answers on
    terminal = CheckedTerminal(os.ttyname(slave), ack_timeout=0.3, answer_timeout=0.5, lang="en")
    try:
        health = terminal.check()
        assert not health.ready and "registration failed" in health.message
    finally:
        terminal.close()
        os.close(master)
        os.close(slave)


def test_a_missing_port_is_not_ready() -> None:
    terminal = CheckedTerminal("/dev/storebox-no-such-tty", lang="en")
    health = terminal.check()
    assert not health.ready and "Cannot reach the card terminal" in health.message
