"""Where the bytes go: one transport per printer URL.

`dummy:` keeps the bytes (tests, dry runs); `file:///path` appends them (a `/dev/usb/lp0` device
or a capture file); `tcp://host:9100` sends them over a socket with a timeout; `serial:///dev/
ttyUSB0?baudrate=19200` opens the port through pyserial's `serial_for_url` (any pyserial URL
works after `serial:`, e.g. `serial:loop://`); `usb://VID:PID` goes through python-escpos's
`Usb` (needs the device and its permissions — not exercised by the tests here). `png:DIR` is not
a byte transport: the driver renders documents to images for it (see `png.py`).

`query` sends a real-time status request (`DLE EOT n`) and returns the printer's one-byte answer,
or None where the transport is one-way or the printer does not answer in time.

A `TransportError` says whether anything may have reached the printer (`sent_nothing`): a
connection that was refused is safe to retry; a write that broke half-way is not.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class TransportError(Exception):
    def __init__(self, message: str, *, sent_nothing: bool) -> None:
        super().__init__(message)
        self.sent_nothing = sent_nothing


class Transport(Protocol):
    url: str

    def write(self, data: bytes) -> None: ...

    def query(self, request: bytes, timeout: float = 1.0) -> bytes | None: ...

    def close(self) -> None: ...


class DummyTransport:
    """Keeps every byte written; answers status requests from `replies` if given (for tests),
    otherwise not at all."""

    def __init__(self, url: str = "dummy:") -> None:
        self.url = url
        self.output = bytearray()
        self.replies: dict[bytes, bytes] | None = None

    def write(self, data: bytes) -> None:
        self.output += data

    def query(self, request: bytes, timeout: float = 1.0) -> bytes | None:
        if self.replies is None:
            return None
        return self.replies.get(request)

    def close(self) -> None:
        pass


class FileTransport:
    """Appends to a file or a device node. One-way: status is never known."""

    def __init__(self, path: Path, url: str = "") -> None:
        self.url = url or f"file://{path}"
        self.path = path

    def write(self, data: bytes) -> None:
        try:
            with self.path.open("ab") as f:
                f.write(data)
        except OSError as exc:
            raise TransportError(f"{self.path}: {exc.strerror or exc}", sent_nothing=True) from exc

    def query(self, request: bytes, timeout: float = 1.0) -> bytes | None:
        return None

    def close(self) -> None:
        pass


class TcpTransport:
    """A network printer (raw port 9100). A connection per job and per status query, so a
    printer that was switched off and on is found again without any reconnect logic."""

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0, url: str = "") -> None:
        self.url = url or f"tcp://{host}:{port}"
        self.host, self.port, self.timeout = host, port, timeout
        self._lock = threading.Lock()

    def _connect(self, timeout: float) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=timeout)
        except OSError as exc:
            raise TransportError(
                f"{self.host}:{self.port}: {exc.strerror or exc}", sent_nothing=True
            ) from exc

    def write(self, data: bytes) -> None:
        with self._lock, self._connect(self.timeout) as sock:
            try:
                sock.sendall(data)
            except OSError as exc:
                raise TransportError(
                    f"{self.host}:{self.port}: {exc.strerror or exc}", sent_nothing=False
                ) from exc

    def query(self, request: bytes, timeout: float = 1.0) -> bytes | None:
        with self._lock, self._connect(timeout) as sock:
            try:
                sock.sendall(request)
                reply = sock.recv(1)
            except OSError:  # timeout or reset: no answer
                return None
            return reply or None

    def close(self) -> None:
        pass


class SerialTransport:
    def __init__(self, port_url: str, baudrate: int = 19200, timeout: float = 2.0, url: str = ""):
        self.url = url or f"serial:{port_url}"
        self.port_url, self.baudrate, self.timeout = port_url, baudrate, timeout
        self._port: Any = None

    def _open(self) -> Any:
        if self._port is None:
            import serial

            try:
                self._port = serial.serial_for_url(
                    self.port_url,
                    baudrate=self.baudrate,
                    timeout=self.timeout,
                    write_timeout=self.timeout,
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                raise TransportError(f"{self.port_url}: {exc}", sent_nothing=True) from exc
        return self._port

    def write(self, data: bytes) -> None:
        port = self._open()
        try:
            port.write(data)
            port.flush()
        except Exception as exc:  # SerialTimeoutException, OSError: part may be out
            self.close()
            raise TransportError(f"{self.port_url}: {exc}", sent_nothing=False) from exc

    def query(self, request: bytes, timeout: float = 1.0) -> bytes | None:
        port = self._open()
        try:
            port.reset_input_buffer()
            port.write(request)
            port.timeout = timeout
            reply: bytes = port.read(1)
        except Exception:
            return None
        finally:
            port.timeout = self.timeout
        return reply or None

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            finally:
                self._port = None


class UsbTransport:
    """python-escpos's `Usb` (pyusb). Untested here: it needs the device, a udev rule, and no
    kernel `usblp`/CUPS holding it ("resource busy")."""

    def __init__(self, vid: int, pid: int, timeout: int = 5000, url: str = "") -> None:
        self.url = url or f"usb://{vid:04x}:{pid:04x}"
        self.vid, self.pid, self.timeout = vid, pid, timeout
        self._printer: Any = None

    def _open(self) -> Any:
        if self._printer is None:
            from escpos.printer import Usb

            try:
                self._printer = Usb(self.vid, self.pid, timeout=self.timeout)
                self._printer.open()
            except Exception as exc:
                self._printer = None
                raise TransportError(f"{self.url}: {exc}", sent_nothing=True) from exc
        return self._printer

    def write(self, data: bytes) -> None:
        printer = self._open()
        try:
            printer._raw(data)
        except Exception as exc:
            self.close()
            raise TransportError(f"{self.url}: {exc}", sent_nothing=False) from exc

    def query(self, request: bytes, timeout: float = 1.0) -> bytes | None:
        printer = self._open()
        try:
            printer._raw(request)
            reply = bytes(printer._read())
        except Exception:
            return None
        # 3.1 reads up to 16 bytes; a clone that sends an ASB block first is not trusted
        return reply if len(reply) == 1 else None

    def close(self) -> None:
        if self._printer is not None:
            with contextlib.suppress(Exception):  # closing a device that went away
                self._printer.close()
            self._printer = None


def parse_url(url: str) -> tuple[str, Any]:
    """('dummy'|'file'|'tcp'|'serial'|'usb'|'png', details) for a printer URL, or ValueError."""
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    if scheme == "dummy":
        return "dummy", None
    if scheme == "png":
        directory = rest[2:] if rest.startswith("//") else rest
        if not directory:
            raise ValueError("png: needs a directory, e.g. png:/var/lib/storebox/receipts")
        return "png", Path(unquote(directory))
    if scheme == "file":
        parts = urlsplit(url)
        if not parts.path:
            raise ValueError(f"{url}: no path")
        return "file", Path(unquote(parts.path))
    if scheme == "tcp":
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError(f"{url}: no host")
        query = parse_qs(parts.query)
        timeout = float(query.get("timeout", ["5"])[0])
        return "tcp", (parts.hostname, parts.port or 9100, timeout)
    if scheme == "serial":
        target, _, qs = rest.partition("?")
        query = parse_qs(qs)
        baudrate = int(query.get("baudrate", ["19200"])[0])
        if target.startswith("///"):
            target = target[2:]  # serial:///dev/ttyUSB0 -> /dev/ttyUSB0
        if not target:
            raise ValueError(f"{url}: no port")
        return "serial", (target, baudrate)
    if scheme == "usb":
        ids = rest.lstrip("/")
        try:
            vid, pid = (int(x, 16) for x in ids.split(":", 1))
        except ValueError:
            raise ValueError(
                f"{url}: expected usb://VID:PID in hex, e.g. usb://0416:5011"
            ) from None
        return "usb", (vid, pid)
    raise ValueError(
        f"unknown printer URL {url!r} (dummy:, file://, tcp://, serial://, usb://, png:)"
    )


def open_transport(url: str) -> Transport:
    kind, details = parse_url(url)
    if kind == "dummy":
        return DummyTransport(url)
    if kind == "file":
        return FileTransport(details, url)
    if kind == "tcp":
        host, port, timeout = details
        return TcpTransport(host, port, timeout, url)
    if kind == "serial":
        port_url, baudrate = details
        return SerialTransport(port_url, baudrate, url=url)
    if kind == "usb":
        vid, pid = details
        return UsbTransport(vid, pid, url=url)
    raise ValueError(f"{url}: not a byte transport")
