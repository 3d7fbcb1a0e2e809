"""A receipt printer chosen by URL: render a job's document, send it, ask its status.

    printer = open_printer("tcp://192.168.1.50:9100", PrinterProfile.mm80(), zone)
    printer.print_job("sale", receipt.as_dict())
    printer.status()   # PrinterStatus.OK / NEAR_END / PAPER_OUT / COVER_OPEN / OFFLINE / UNKNOWN

Status comes from `DLE EOT 1` (online; bit 3 = offline), `DLE EOT 2` (bit 2 = cover open) and
`DLE EOT 4` (bits 2-3 = paper near end, bits 5-6 = paper out). Every reply byte is checked
against the fixed bits the standard defines (bits 1 and 4 set, 0 and 7 clear); a printer or
transport that does not answer, or answers something else, is UNKNOWN — never OK. A printer
that cannot be reached at all (connection refused, port missing) is OFFLINE.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from drivers.printer import layout
from drivers.printer.escpos_bytes import PrinterProfile, document_bytes, drawer_bytes
from drivers.printer.png import save_png
from drivers.printer.transports import Transport, TransportError, open_transport, parse_url

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
DLE_EOT_PAPER = b"\x10\x04\x04"


class PrinterStatus(enum.StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        """Worth sending a job: OK, near end, or unknown (a one-way printer never says)."""
        return self in (PrinterStatus.OK, PrinterStatus.NEAR_END, PrinterStatus.UNKNOWN)


def _valid(reply: bytes | None) -> int | None:
    if reply is None or len(reply) != 1:
        return None
    byte = reply[0]
    return byte if byte & 0x93 == 0x12 else None


def parse_status(
    printer: bytes | None, offline_cause: bytes | None, paper: bytes | None
) -> PrinterStatus:
    """The three real-time replies as one status (any of them None: not asked / no answer)."""
    p = _valid(printer)
    if p is None:
        return PrinterStatus.UNKNOWN
    if p & 0x08:
        cause = _valid(offline_cause)
        if cause is not None and cause & 0x04:
            return PrinterStatus.COVER_OPEN
        if cause is not None and cause & 0x20:
            return PrinterStatus.PAPER_OUT  # stopped for lack of paper
        paper_byte = _valid(paper)
        if paper_byte is not None and paper_byte & 0x60:
            return PrinterStatus.PAPER_OUT
        return PrinterStatus.OFFLINE
    paper_byte = _valid(paper)
    if paper_byte is None:
        return PrinterStatus.UNKNOWN
    if paper_byte & 0x60:
        return PrinterStatus.PAPER_OUT
    if paper_byte & 0x0C:
        return PrinterStatus.NEAR_END
    return PrinterStatus.OK


class PrintFailed(Exception):
    """Sending failed. `sent_nothing` True: safe to send again; False: part may be on paper."""

    def __init__(self, message: str, *, sent_nothing: bool) -> None:
        super().__init__(message)
        self.sent_nothing = sent_nothing


class PrinterDriver:
    def __init__(
        self,
        url: str,
        profile: PrinterProfile | None = None,
        zone: ZoneInfo | None = None,
        transport: Transport | None = None,
    ) -> None:
        layout.templates()  # a missing or broken receipt template stops the printer now
        self.url = url
        self.profile = profile or PrinterProfile.mm80()
        self.zone = zone or ZoneInfo("Asia/Shanghai")
        kind, details = parse_url(url) if transport is None else ("custom", None)
        self.png_dir: Path | None = details if kind == "png" else None
        self.transport: Transport | None = (
            transport if transport is not None else None if kind == "png" else open_transport(url)
        )
        self.last_png: Path | None = None
        self._png_seq = itertools.count(1)
        self._lock = threading.RLock()  # the worker's jobs, a drawer kick, a status query

    def render(
        self, kind: str, payload: Mapping[str, Any], reprint: bool = False
    ) -> layout.Document:
        return layout.render(kind, payload, self.profile.columns, self.zone, reprint)

    def print_document(self, doc: layout.Document, name: str = "") -> None:
        """Send one document; raises PrintFailed."""
        if self.png_dir is not None:
            stem = name or f"{next(self._png_seq):06d}"
            try:
                self.last_png = save_png(doc, self.png_dir, f"{stem}-{doc.kind}")
            except OSError as exc:
                raise PrintFailed(str(exc), sent_nothing=True) from exc
            return
        self._write(document_bytes(doc, self.profile))

    def print_job(
        self,
        kind: str,
        payload: Mapping[str, Any],
        reprint: bool = False,
        name: str = "",
        *,
        allow_drawer: bool = True,
    ) -> layout.Document:
        """Render and send. `allow_drawer=False` drops a cash sale's drawer kick (a receipt
        printed long after the sale must not open the drawer)."""
        doc = self.render(kind, payload, reprint)
        if not allow_drawer and doc.open_drawer:
            doc = dataclasses.replace(doc, open_drawer=False)
        self.print_document(doc, name)
        return doc

    def open_drawer(self) -> None:
        if self.transport is not None:
            self._write(drawer_bytes())

    def _write(self, data: bytes) -> None:
        assert self.transport is not None
        try:
            with self._lock:
                self.transport.write(data)
        except TransportError as exc:
            raise PrintFailed(str(exc), sent_nothing=exc.sent_nothing) from exc

    def status(self) -> PrinterStatus:
        if self.transport is None:  # png: always ready
            return PrinterStatus.OK
        with self._lock:
            return self._status(self.transport)

    def _status(self, transport: Transport) -> PrinterStatus:
        try:
            printer = transport.query(DLE_EOT_PRINTER)
            if _valid(printer) is None:
                return PrinterStatus.UNKNOWN
            cause = None
            if printer and printer[0] & 0x08:
                cause = transport.query(DLE_EOT_OFFLINE_CAUSE)
            paper = transport.query(DLE_EOT_PAPER)
        except TransportError:
            return PrinterStatus.OFFLINE
        return parse_status(printer, cause, paper)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def open_printer(
    url: str, profile: PrinterProfile | None = None, zone: ZoneInfo | None = None
) -> PrinterDriver:
    return PrinterDriver(url, profile, zone)
