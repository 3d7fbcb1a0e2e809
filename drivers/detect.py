"""What is plugged in: serial ports and USB printers, offered on the devices screen and listed
by `storebox devices list`.

Serial ports come from pyserial's `list_ports.comports()` (ttyUSB, ttyACM, ttyS with a device
behind them, /dev/serial/by-id links resolved). USB printers are read from Linux sysfs rather
than pyusb: python-escpos does not bring pyusb unless installed with its ``usb`` extra, and
sysfs needs no permission on the device. A USB interface of class 7 (printer) is offered as
``usb://VID:PID``; a kernel printer node (``/dev/usb/lp0``, made by the usblp driver, which
then holds the interface) as ``file:///dev/usb/lp0``. Nothing here opens a device.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

USB_CLASS_PRINTER = 0x07
SYSFS_USB = Path("/sys/bus/usb/devices")
USBLP_DIR = Path("/dev/usb")


@dataclass(frozen=True)
class Found:
    """A device that may be chosen: its URL and what to show beside it."""

    url: str
    description: str
    #: the hardware id (serial ports: USB VID:PID and serial number), for support
    hwid: str = ""


def serial_ports() -> list[Found]:
    from serial.tools import list_ports

    try:
        ports = list_ports.comports()
    except OSError:  # pragma: no cover - a sysfs that cannot be read
        log.warning("cannot list the serial ports", exc_info=True)
        return []
    return [
        Found(
            str(p.device),
            str(p.description) if p.description != "n/a" else "",
            str(p.hwid) if p.hwid != "n/a" else "",
        )
        for p in sorted(ports, key=lambda p: str(p.device))
    ]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def usb_printers(sysfs: Path = SYSFS_USB, usblp: Path = USBLP_DIR) -> list[Found]:
    """USB printers (interface class 7) as `usb://VID:PID`, then kernel nodes `/dev/usb/lp*`."""
    found: dict[str, Found] = {}
    interfaces = sorted(sysfs.glob("*:*")) if sysfs.is_dir() else []
    for interface in interfaces:
        try:
            klass = int(_read(interface / "bInterfaceClass") or "-1", 16)
        except ValueError:
            continue
        if klass != USB_CLASS_PRINTER:
            continue
        device = sysfs / interface.name.partition(":")[0]
        vid, pid = _read(device / "idVendor"), _read(device / "idProduct")
        if not vid or not pid:
            continue
        url = f"usb://{vid.lower()}:{pid.lower()}"
        name = " ".join(x for x in (_read(device / "manufacturer"), _read(device / "product")) if x)
        found.setdefault(url, Found(url, name or "USB printer"))
    nodes = sorted(usblp.glob("lp*")) if usblp.is_dir() else []
    for node in nodes:
        url = f"file://{node}"
        found.setdefault(url, Found(url, "USB printer (usblp)"))
    return list(found.values())
