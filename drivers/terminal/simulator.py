"""A ZVT payment terminal (the PT side) on a pty, with scripted outcomes, for the demo and tests.

    sim = ZvtSimulator(["approve", "decline"])
    path = sim.start()            # e.g. /dev/pts/7: give `serial:///dev/pts/7` ... or the path
    ...                           # ZvtTerminal(path) talks to it
    sim.stop()

or `serve_pty(script) -> (simulator, path)`. Each transaction command (authorisation, refund)
consumes the next outcome of the script; when the script is used up, `default` applies.
Outcomes:

- ``approve``: 80 00 00, 04 FF (insert card), 04 0F (result 00 …), 06 0F
- ``decline``: 80 00 00, 04 FF, 06 1E 05 (declined by the host)
- ``slow``: like approve with several 04 FF (insert card, enter PIN, please wait)
- ``timeout``: 80 00 00, then nothing; the transaction is not carried out
- ``drop``: 80 00 00, 04 FF, half a frame, then the line goes deaf for `drop_seconds`; the
  payment *is* carried out on the terminal (an enquiry afterwards finds it approved)
- ``hangup``: 80 00 00, then the pty is closed (the device went away); nothing carried out
- ``garbled``: approve, with the 04 0F first sent once with a wrong CRC
- ``nak``: the next frame (whatever it is) is NAKed once; the outcome after it still applies
- ``refuse``: the next frame is NAKed three times (the ECR gives up: nothing was done)
- ``unreadable``: approve, but the 04 0F carries a BMP whose length nobody knows (7E)
- ``busy``: 84 A0 (receiver not ready); nothing carried out

The simulator keeps its last transaction: a status enquiry (05 01) reports it in a 04 0F.
Card data is a test card, sent masked as a real terminal does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
import tty
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from drivers.terminal.zvt import apdu as z
from drivers.terminal.zvt.frame import ACK, NAK, Apdu, encode_frame, parse_apdu
from drivers.terminal.zvt.link import Link, LinkError, TcpLink

log = logging.getLogger(__name__)

OUTCOMES = (
    "approve",
    "decline",
    "slow",
    "timeout",
    "drop",
    "hangup",
    "garbled",
    "nak",
    "refuse",
    "unreadable",
    "busy",
)
TEST_PAN = bytes.fromhex("621234EEEEEE7890")  # 621234******7890
TERMINAL_ID = "52012345"


class SocketPort:
    """A minimal pyserial-like port over a connected socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.timeout: float | None = None

    def read(self, size: int = 1) -> bytes:
        ready, _, _ = select.select([self.sock], [], [], self.timeout)
        if not ready:
            return b""
        data = self.sock.recv(size)
        if not data:
            raise OSError("connection closed")
        return data

    def write(self, data: bytes, /) -> int:
        self.sock.sendall(data)
        return len(data)


class FdPort:
    """A minimal pyserial-like port over a file descriptor (the pty master)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.timeout: float | None = None

    def read(self, size: int = 1) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], self.timeout)
        if not ready:
            return b""
        return os.read(self.fd, size)

    def write(self, data: bytes, /) -> int:
        return os.write(self.fd, data)


@dataclass
class Transaction:
    kind: str
    amount_fen: int
    trace: int
    result_code: int
    receipt_no: int | None = None
    reversed: bool = False


@dataclass
class ZvtSimulator:
    script: Iterable[str] = ()
    default: str = "approve"
    status_delay: float = 0.05  # between the slow customer's prompts
    drop_seconds: float = 1.0
    transactions: list[Transaction] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._script: deque[str] = deque(self.script)
        for outcome in self._script:
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
        self._trace = 100
        self._receipt = 0
        self._naks_left = 0
        self.naks_sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master = -1
        self._slave = -1
        self._server: socket.socket | None = None
        self._conn: socket.socket | None = None
        self.tcp_port = 0
        self.path = ""
        self.received: list[Apdu] = []

    # --- life cycle ---------------------------------------------------------------------------

    def start_tcp(self, port: int = 0, host: str = "127.0.0.1") -> int:
        """Listen for the ECR on a TCP port (0: any free one); returns the port."""
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.1)
        self.tcp_port = int(self._server.getsockname()[1])
        self._thread = threading.Thread(target=self._serve_tcp, name="zvt-sim-tcp", daemon=True)
        self._thread.start()
        return self.tcp_port

    def _serve_tcp(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conn = conn
            with conn:
                self._session(TcpLink(SocketPort(conn), ack_timeout=1.0))
            self._conn = None

    def start(self) -> str:
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._run, name="zvt-sim", daemon=True)
        self._thread.start()
        return self.path

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close()

    def _close(self) -> None:
        for sock in (self._conn, self._server):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        for fd in (self._master, self._slave):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = -1

    def push(self, *outcomes: str) -> None:
        for outcome in outcomes:
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {outcome!r}")
        self._script.extend(outcomes)

    @property
    def last(self) -> Transaction | None:
        return self.transactions[-1] if self.transactions else None

    # --- the terminal -------------------------------------------------------------------------

    def _run(self) -> None:
        link = Link(FdPort(self._master), ack_timeout=1.0)
        link.nak_hook = self._nak_hook
        self._session(link)

    def _session(self, link: Link) -> None:
        while not self._stop.is_set():
            try:
                raw = link.receive(0.1)
            except LinkError as exc:
                if str(exc).startswith(("no frame", "no APDU")):
                    continue
                log.info("simulator line: %s", exc)
                return
            except OSError:
                return
            try:
                self._handle(link, parse_apdu(raw))
            except (LinkError, OSError) as exc:
                log.info("simulator: %s", exc)
                if self._master < 0 and self._conn is None:
                    return

    def _nak_hook(self) -> bool:
        if self._naks_left == 0 and self._script and self._script[0] in ("nak", "refuse"):
            self._naks_left = 1 if self._script.popleft() == "nak" else 3
        if self._naks_left > 0:
            self._naks_left -= 1
            self.naks_sent += 1
            return True
        return False

    def _send(self, link: Link, msg: Apdu) -> Apdu:
        link.send(msg.encode())
        answer = parse_apdu(link.receive(2.0))
        if answer.command not in ((0x80, 0x00), (0x06, 0xB0)):
            log.warning("simulator: ECR answered %r instead of 80 00 00", answer)
        return answer

    def _prompt(self, link: Link, code: int) -> bool:
        """Send a 04 FF; True when the ECR answered it with abort (06 B0): 06 1E 6C sent."""
        if self._send(link, Apdu(0x04, 0xFF, bytes([code]))).command == (0x06, 0xB0):
            self._send(link, Apdu(0x06, 0x1E, b"\x6c"))
            return True
        return False

    def _status_info(self, tx: Transaction) -> Apdu:
        data = (
            b"\x27"
            + bytes([tx.result_code])
            + b"\x04"
            + z.bcd(tx.amount_fen, 6)
            + b"\x0b"
            + z.bcd(tx.trace, 3)
            + b"\x0c"
            + bytes.fromhex(time.strftime("%H%M%S", time.gmtime()))
            + b"\x0d"
            + bytes.fromhex(time.strftime("%m%d", time.gmtime()))
            + b"\x29"
            + bytes.fromhex(TERMINAL_ID)
        )
        if tx.receipt_no is not None:
            data += b"\x87" + z.bcd(tx.receipt_no, 2)
        if tx.result_code == 0 and tx.kind != "enquiry":
            data += b"\x3b" + f"A{tx.trace:05d}".encode().ljust(8, b"\x00")
            data += b"\x22\xf0\xf8" + TEST_PAN + b"\x8a\x05\x8b\xf0\xf8UnionPay"
        return Apdu(0x04, 0x0F, data)

    def _handle(self, link: Link, cmd: Apdu) -> None:
        self.received.append(cmd)
        ack = z.ACK_APDU.encode()
        if cmd.command in ((0x06, 0x01), (0x06, 0x31)):
            self._transaction(link, cmd)
        elif cmd.command == (0x06, 0x00):
            link.send(ack)
            self._send(link, Apdu(0x06, 0x0F))
        elif cmd.command == (0x05, 0x01):
            link.send(ack)
            last = self.last
            if last is not None:
                self._send(link, self._status_info(last))
            else:
                self._send(link, Apdu(0x04, 0x0F, b"\x27\x00\x0b" + z.bcd(self._trace, 3)))
            self._send(link, Apdu(0x06, 0x0F))
        elif cmd.command == (0x06, 0x30):
            link.send(ack)
            self._reversal(link, cmd)
        elif cmd.command == (0x06, 0x50):
            link.send(ack)
            self._send(link, Apdu(0x04, 0x0F, b"\x27\x00"))
            self._send(link, Apdu(0x06, 0x0F))
        elif cmd.command == (0x06, 0xB0):
            link.send(ack)
        else:
            link.send(bytes.fromhex("84 83 00"))

    def _reversal(self, link: Link, cmd: Apdu) -> None:
        fields = z.parse_bmps(cmd.data[3:])
        receipt = z.from_bcd(fields[0x87]) if 0x87 in fields else -1
        original = next((t for t in self.transactions if t.receipt_no == receipt), None)
        if original is None or original.result_code != 0 or original.kind != "sale":
            self._send(link, Apdu(0x06, 0x1E, b"\xb5"))
            return
        if original.reversed:
            self._send(link, Apdu(0x06, 0x1E, b"\xb4"))
            return
        original.reversed = True
        tx = self._new("reversal", original.amount_fen, 0)
        self._send(link, self._status_info(tx))
        self._send(link, Apdu(0x06, 0x0F))

    def _new(self, kind: str, amount: int, result: int) -> Transaction:
        self._trace += 1
        receipt = None
        if result == 0:
            self._receipt += 1
            receipt = self._receipt
        tx = Transaction(kind, amount, self._trace, result, receipt)
        self.transactions.append(tx)
        return tx

    def _transaction(self, link: Link, cmd: Apdu) -> None:
        outcome = self._script.popleft() if self._script else self.default
        data = cmd.data[3:] if cmd.instr == 0x31 else cmd.data
        amount = z.from_bcd(z.parse_bmps(data)[0x04])
        kind = "sale" if cmd.instr == 0x01 else "refund"
        if outcome == "busy":
            link.send(bytes.fromhex("84 A0 00"))
            return
        link.send(z.ACK_APDU.encode())
        if outcome == "timeout":
            return
        if outcome == "hangup":
            if isinstance(link, TcpLink):
                assert self._conn is not None
                self._conn.shutdown(socket.SHUT_RDWR)
                raise OSError("hung up")
            self._stop.set()
            self._close()
            return
        if self._prompt(link, 0x0A):
            return
        if outcome == "slow":
            for code in (0x41, 0x0E, 0x04):
                time.sleep(self.status_delay)
                if self._prompt(link, code):
                    return
        if outcome == "decline":
            self._new(kind, amount, 0x05)
            self._send(link, Apdu(0x06, 0x1E, b"\x05"))
            return
        tx = self._new(kind, amount, 0)
        if outcome == "drop":
            # half a frame (half an APDU on TCP), then silence
            apdu_bytes = self._status_info(tx).encode()
            if isinstance(link, TcpLink):
                link.write_raw(apdu_bytes[:6])
            else:
                frame = encode_frame(apdu_bytes)
                link.write_raw(frame[: len(frame) // 2])
            self._deaf(link, self.drop_seconds)
            return
        info = self._status_info(tx)
        if outcome == "unreadable":
            info = Apdu(0x04, 0x0F, info.data + b"\x7e\x01")
        if outcome == "garbled" and not isinstance(link, TcpLink):
            garbled = bytearray(encode_frame(info.encode()))
            garbled[-1] ^= 0x5A
            link.write_raw(bytes(garbled))
            link.port.timeout = 1.0
            byte = link.port.read(1)  # the ECR's NAK; then the ordinary send repeats it
            if byte != bytes([NAK]):
                log.warning("simulator: garbled frame answered %r", byte)
        self._send(link, info)
        self._send(link, Apdu(0x06, 0x0F))

    def _deaf(self, link: Link, seconds: float) -> None:
        """The cable is out: whatever the ECR sends is lost."""
        end = time.monotonic() + seconds
        port = link.port
        while (left := end - time.monotonic()) > 0 and not self._stop.is_set():
            port.timeout = min(left, 0.05)
            port.read(4096)


def serve_tcp(
    port: int = 0, script: Iterable[str] = (), **options: object
) -> tuple[ZvtSimulator, int]:
    """Start a simulator speaking the ZVT TCP variant; returns it and its port (20007 is usual)."""
    sim = ZvtSimulator(script, **options)  # type: ignore[arg-type]
    return sim, sim.start_tcp(port)


def serve_pty(script: Iterable[str] = (), **options: object) -> tuple[ZvtSimulator, str]:
    """Start a simulator on a new pty; returns it and the slave path for the ECR to open."""
    sim = ZvtSimulator(script, **options)  # type: ignore[arg-type]
    return sim, sim.start()


__all__ = ["ACK", "OUTCOMES", "Transaction", "ZvtSimulator", "serve_pty", "serve_tcp"]
