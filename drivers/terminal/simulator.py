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
- ``mute``: the next frame is lost on the line: no ACK byte, no answer (the ECR's T3 runs out);
  nothing carried out
- ``no_answer``: the frame is ACKed but the command never answered (no 80 00 00); nothing done
- ``patient``: approve, but the first 04 FF names a timeout (2 s) and the terminal then takes
  `patience` seconds before its next message
- ``stall``: approve, carried out on the terminal (in `transactions` at once), but its result
  (04 0F) is sent only `patience` seconds later — time for a test to kill the till after the
  terminal approved and before the till heard of it
- ``truncated``: approve, with the 04 0F first cut off halfway (the ECR NAKs it after its
  inter-byte timeout), then sent whole
- ``badlength``: approve, with the 04 0F first sent with a length field that promises more
  bytes than the frame holds
- ``oversized``: approve, with a print line (06 D1) longer than the ECR accepts sent first and
  dropped after the ECR's NAK
- ``unknown``: approve, with a command the ECR does not know (0F 0F) sent first; the ECR
  answers it 84 83 00

(``truncated``, ``badlength``, ``oversized`` and ``garbled`` are serial faults: over TCP they
approve plainly; ``mute`` over TCP leaves the command unanswered.)

Registration (06 00) checks the password and the currency (the simulator's `currency`, CNY 156
by default): a wrong one is answered 84 83 00; otherwise 80 00 00 and a completion with the
status byte, the terminal id and the currency.

The simulator keeps its last transaction. A status enquiry (05 01) reports it in a 04 0F when
`enquiry_reports_last` (the default); otherwise it answers as terminals do, with the terminal's
own state only (result 00 and its id), and the last transaction is found by repeating its
receipt (06 20): 80 00 00, its status information, a print line, 06 0F — or 84 83 00 when
there is no receipt yet. Card data is a test card, sent masked as a real terminal does (with
`full_pan` the whole test number, as a misconfigured terminal might: the ECR must mask it).
`terminal_id` (8 digits) is the id it reports; a new one plays a terminal that was replaced.
Bad frames from the ECR (wrong CRC, cut off, longer than `max_apdu`, a length field that lies)
are NAKed; an unknown command is answered 84 83 00; none of them stops the simulator.

**The day's journal and the end-of-day.** Besides `transactions` (everything since it started),
the simulator keeps the batch of the day: `batch` is every transaction since the last
end-of-day, each with the terminal id it ran on and its card (`card`, BMP 8A type and 8B name:
UnionPay, ZVT card type 198, unless a test sets another before a payment). End-of-day (06 50)
answers 80 00 00, a status information with result 00, the batch's net total (BMP 04), the
time, the date, the terminal id (29) and the individual totals (BMP 60: the batch's first and
last receipt number, then per card-type slot the number of bookings and their turnover), a
print line and 06 0F; then the batch starts again (a reversal of an earlier day's payment is
refused, 06 1E B5, as on a real terminal). A refund is a booking that takes its amount off its
slot's turnover; a reversed payment leaves the batch. A batch BMP 60 cannot carry (a slot whose
refunds exceed its payments: BCD has no sign; more than 255 bookings in a slot) is answered
without BMP 60 and BMP 04. `reverse_at_terminal` and `refund_at_terminal` play the cashier keying
a reversal or a refund on the terminal itself, which the till never hears of; `totals_fault`
("truncated", "not_bcd", "inconsistent", "missing") makes the next end-of-day's totals block bad
on purpose.
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
from drivers.terminal.zvt.frame import (
    ACK,
    MAX_APDU,
    NAK,
    Apdu,
    FrameError,
    encode_frame,
    parse_apdu,
)
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
    "mute",
    "no_answer",
    "patient",
    "stall",
    "truncated",
    "badlength",
    "oversized",
    "unknown",
)
TEST_PAN = bytes.fromhex("621234EEEEEE7890")  # 621234******7890
FULL_TEST_PAN = bytes.fromhex("6212345678907890")  # what a terminal should never send
TERMINAL_ID = "52012345"
UNIONPAY = (0xC6, "UnionPay")  # ZVT card type 198, CUP-card: filed under "other" in BMP 60
TOTALS_FAULTS = ("truncated", "not_bcd", "inconsistent", "missing")
PATIENT_TIMEOUT_S = 2  # the 04 FF timeout of the ``patient`` outcome
NOT_SUPPORTED = bytes.fromhex("84 83 00")


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
    """A minimal pyserial-like port over a file descriptor (the pty master); `wire` keeps every
    byte the ECR sent, for tests that check frames byte for byte."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.timeout: float | None = None
        self.wire = bytearray()

    def read(self, size: int = 1) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], self.timeout)
        if not ready:
            return b""
        data = os.read(self.fd, size)
        self.wire += data
        return data

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
    terminal_id: str = TERMINAL_ID
    card_type: int = UNIONPAY[0]
    card_name: str = UNIONPAY[1]
    at_terminal: bool = False  # keyed on the terminal itself: the ECR never heard of it


@dataclass
class ZvtSimulator:
    script: Iterable[str] = ()
    default: str = "approve"
    status_delay: float = 0.05  # between the slow customer's prompts
    drop_seconds: float = 1.0
    transactions: list[Transaction] = field(default_factory=list)
    password: str = z.DEFAULT_PASSWORD
    currency: int = z.CNY
    enquiry_reports_last: bool = True
    patience: float = 1.0  # the ``patient`` outcome's pause after its 04 FF, ``stall``'s wait
    max_apdu: int = MAX_APDU  # longer frames from the ECR are NAKed
    full_pan: bool = False
    terminal_id: str = TERMINAL_ID  # 8 digits; another one plays a replaced terminal
    card: tuple[int, str] = UNIONPAY  # (BMP 8A card type, BMP 8B name) of the next payments
    totals_fault: str | None = None  # the next end-of-day's totals block made bad on purpose

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
        self.received: list[Apdu] = []  # the ECR's commands
        self.replies: list[Apdu] = []  # the ECR's answers to the terminal's messages
        self.registrations: list[int] = []  # config bytes of accepted registrations
        self.port: FdPort | None = None
        self.busy = False  # handling a command of the ECR (tests wait for it to end)
        self.batch: list[Transaction] = []  # the day's journal, reset by each end-of-day
        self.end_of_days: list[bytes] = []  # the status information data of each end-of-day
        if self.totals_fault is not None and self.totals_fault not in TOTALS_FAULTS:
            raise ValueError(f"unknown totals fault {self.totals_fault!r}; one of {TOTALS_FAULTS}")

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

    @property
    def wire(self) -> bytes:
        """Every byte the ECR has sent on the pty so far."""
        return bytes(self.port.wire) if self.port is not None else b""

    def _run(self) -> None:
        self.port = FdPort(self._master)
        link = Link(self.port, ack_timeout=1.0, max_apdu=self.max_apdu)
        link.nak_hook = self._nak_hook
        link.mute_hook = self._mute_hook
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
            self.busy = True
            try:
                self._handle(link, parse_apdu(raw))
            except FrameError as exc:  # a good frame whose content is not what it should be
                log.info("simulator: refused %s", exc)
                with contextlib.suppress(LinkError, OSError):
                    link.send(NOT_SUPPORTED)
            except (LinkError, OSError) as exc:
                log.info("simulator: %s", exc)
                if self._master < 0 and self._conn is None:
                    return
            finally:
                self.busy = False

    def _nak_hook(self) -> bool:
        if self._naks_left == 0 and self._script and self._script[0] in ("nak", "refuse"):
            self._naks_left = 1 if self._script.popleft() == "nak" else 3
        if self._naks_left > 0:
            self._naks_left -= 1
            self.naks_sent += 1
            return True
        return False

    def _mute_hook(self) -> bool:
        if self._script and self._script[0] == "mute":
            self._script.popleft()
            return True
        return False

    def _send(self, link: Link, msg: Apdu) -> Apdu:
        link.send(msg.encode())
        answer = parse_apdu(link.receive(2.0))
        self.replies.append(answer)
        if answer.command not in ((0x80, 0x00), (0x06, 0xB0)):
            log.warning("simulator: ECR answered %r instead of 80 00 00", answer)
        return answer

    def _bad_frame_first(self, link: Link, frame: bytes) -> None:
        """Send a frame the ECR must refuse, and take its NAK (the good one follows)."""
        link.write_raw(frame)
        link.port.timeout = 2.0
        byte = link.port.read(1)
        if byte != bytes([NAK]):
            log.warning("simulator: bad frame answered %r", byte)

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
            + bytes.fromhex(self.terminal_id)
        )
        if tx.receipt_no is not None:
            data += b"\x87" + z.bcd(tx.receipt_no, 2)
        if tx.result_code == 0 and tx.kind != "enquiry":
            data += b"\x3b" + f"A{tx.trace:05d}".encode().ljust(8, b"\x00")
            pan = FULL_TEST_PAN if self.full_pan else TEST_PAN
            name = tx.card_name.encode("latin-1")
            data += b"\x22\xf0\xf8" + pan + b"\x8a" + bytes([tx.card_type])
            data += b"\x8b" + bytes([0xF0 | len(name) // 10, 0xF0 | len(name) % 10]) + name
        return Apdu(0x04, 0x0F, data)

    # --- the day's journal and the end-of-day -------------------------------------------------

    def slot_totals(self) -> dict[str, tuple[int, int]]:
        """The batch per BMP 60 slot: (bookings, net turnover in fen). A payment counts once
        with its amount unless reversed; a refund counts once and takes its amount off; the
        reversal itself is no booking (its payment left the batch)."""
        totals: dict[str, list[int]] = {}
        for tx in self.batch:
            if tx.result_code != 0 or tx.kind not in ("sale", "refund") or tx.reversed:
                continue
            slot = totals.setdefault(z.SLOT_OF_CARD_TYPE.get(tx.card_type, z.OTHER_SLOT), [0, 0])
            slot[0] += 1
            slot[1] += tx.amount_fen if tx.kind == "sale" else -tx.amount_fen
        return {name: (count, amount) for name, (count, amount) in totals.items()}

    def _end_of_day_info(self) -> Apdu:
        data = (
            b"\x27\x00"
            + b"\x0c"
            + bytes.fromhex(time.strftime("%H%M%S", time.gmtime()))
            + b"\x0d"
            + bytes.fromhex(time.strftime("%m%d", time.gmtime()))
            + b"\x29"
            + bytes.fromhex(self.terminal_id)
        )
        receipts = [t.receipt_no for t in self.batch if t.receipt_no is not None]
        first, last = (min(receipts), max(receipts)) if receipts else (0, 0)
        per_slot = self.slot_totals()
        total = sum(amount for _, amount in per_slot.values())
        fault, self.totals_fault = self.totals_fault, None
        try:
            block = z.individual_totals(first, last, per_slot)
        except ValueError as exc:  # what BMP 60 cannot carry: no totals at all
            log.info("simulator: end-of-day without totals: %s", exc)
            return Apdu(0x04, 0x0F, data)
        if fault == "truncated":
            block = block[:-5]
        elif fault == "not_bcd":
            block = block[:5] + b"\xaa" + block[6:]  # the girocard turnover's first byte
        elif fault == "inconsistent":
            total += 1
        if fault != "missing":
            data += b"\x04" + z.bcd(total, 6) + z.lllvar(0x60, block)
        return Apdu(0x04, 0x0F, data)

    def _end_of_day(self, link: Link) -> None:
        info = self._end_of_day_info()
        self.end_of_days.append(info.data)
        self._send(link, info)
        self._send(link, Apdu(0x06, 0xD1, b"\x00" + b"** KASSENSCHNITT / END OF DAY **"))
        self.batch = []
        self._send(link, Apdu(0x06, 0x0F))

    def reverse_at_terminal(self, receipt_no: int) -> Transaction:
        """The cashier reverses a payment of the batch on the terminal's own keypad; the till
        never hears of it. Call while the ECR is not talking to the simulator."""
        original = next(
            (t for t in self.batch if t.receipt_no == receipt_no and t.kind == "sale"), None
        )
        if original is None or original.result_code != 0 or original.reversed:
            raise ValueError(f"no payment with receipt {receipt_no} to reverse in this batch")
        original.reversed = True
        tx = self._new("reversal", original.amount_fen, 0)
        tx.at_terminal = True
        return tx

    def refund_at_terminal(self, amount_fen: int) -> Transaction:
        """A refund keyed on the terminal itself (the till never hears of it)."""
        if amount_fen <= 0:
            raise ValueError("a refund is of a positive amount")
        tx = self._new("refund", amount_fen, 0)
        tx.at_terminal = True
        return tx

    def _handle(self, link: Link, cmd: Apdu) -> None:
        self.received.append(cmd)
        ack = z.ACK_APDU.encode()
        if cmd.command in ((0x06, 0x01), (0x06, 0x31)):
            self._transaction(link, cmd)
        elif cmd.command == (0x06, 0x00):
            self._registration(link, cmd)
        elif cmd.command == (0x05, 0x01):
            link.send(ack)
            last = self.last
            if not self.enquiry_reports_last:  # the terminal's own state only
                self._send(
                    link, Apdu(0x04, 0x0F, b"\x27\x00\x29" + bytes.fromhex(self.terminal_id))
                )
            elif last is not None:
                self._send(link, self._status_info(last))
            else:
                self._send(link, Apdu(0x04, 0x0F, b"\x27\x00\x0b" + z.bcd(self._trace, 3)))
            self._send(link, Apdu(0x06, 0x0F))
        elif cmd.command == (0x06, 0x20):
            last = self.last
            if last is None or cmd.data[:3] != bytes.fromhex(self.password):
                link.send(NOT_SUPPORTED)
                return
            link.send(ack)
            self._send(link, self._status_info(last))
            self._send(link, Apdu(0x06, 0xD1, b"\x00" + b"** KOPIE / COPY **"))
            self._send(link, Apdu(0x06, 0x0F))
        elif cmd.command == (0x06, 0x30):
            link.send(ack)
            self._reversal(link, cmd)
        elif cmd.command == (0x06, 0x50):
            if cmd.data[:3] != bytes.fromhex(self.password):
                link.send(NOT_SUPPORTED)
                return
            link.send(ack)
            self._end_of_day(link)
        elif cmd.command == (0x06, 0xB0):
            link.send(ack)
        else:
            link.send(bytes.fromhex("84 83 00"))

    def _registration(self, link: Link, cmd: Apdu) -> None:
        data = cmd.data
        if len(data) < 6 or data[:3] != bytes.fromhex(self.password):
            link.send(NOT_SUPPORTED)  # wrong password
            return
        if z.from_bcd(data[4:6]) != self.currency:
            link.send(NOT_SUPPORTED)  # the terminal is set up for another currency
            return
        self.registrations.append(data[3])
        link.send(z.ACK_APDU.encode())
        completion = (
            b"\x19\x00"
            + b"\x29"
            + bytes.fromhex(self.terminal_id)
            + b"\x49"
            + z.bcd(self.currency, 2)
        )
        self._send(link, Apdu(0x06, 0x0F, completion))

    def _reversal(self, link: Link, cmd: Apdu) -> None:
        fields = z.parse_bmps(cmd.data[3:])
        receipt = z.from_bcd(fields[0x87]) if 0x87 in fields else -1
        # only this batch's: after the end-of-day its payments are settled, not reversible
        original = next((t for t in self.batch if t.receipt_no == receipt), None)
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
        card_type, card_name = self.card
        tx = Transaction(
            kind,
            amount,
            self._trace,
            result,
            receipt,
            False,
            self.terminal_id,
            card_type,
            card_name,
        )
        self.transactions.append(tx)
        self.batch.append(tx)
        return tx

    def _transaction(self, link: Link, cmd: Apdu) -> None:
        data = cmd.data[3:] if cmd.instr == 0x31 else cmd.data
        fields = z.parse_bmps(data)
        if 0x04 not in fields:
            raise z.ApduError("no amount (BMP 04) in the command")
        amount = z.from_bcd(fields[0x04])
        outcome = self._script.popleft() if self._script else self.default
        kind = "sale" if cmd.instr == 0x01 else "refund"
        if outcome == "busy":
            link.send(bytes.fromhex("84 A0 00"))
            return
        if outcome in ("no_answer", "mute"):  # mute on TCP: no ACK byte to withhold
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
        if outcome == "patient":
            answer = self._send(link, Apdu(0x04, 0xFF, bytes([0x0A, PATIENT_TIMEOUT_S])))
            if answer.command == (0x06, 0xB0):
                self._send(link, Apdu(0x06, 0x1E, b"\x6c"))
                return
            time.sleep(self.patience)
        elif self._prompt(link, 0x0A):
            return
        if outcome == "unknown":
            self._send(link, Apdu(0x0F, 0x0F))
        if outcome == "oversized" and not isinstance(link, TcpLink):
            line = Apdu(0x06, 0xD1, b"\x00" + b"=" * 2000)
            self._bad_frame_first(link, encode_frame(line.encode()))
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
        if outcome == "stall":
            self._stop.wait(self.patience)
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
        if outcome == "truncated" and not isinstance(link, TcpLink):
            frame = encode_frame(info.encode())
            self._bad_frame_first(link, frame[: len(frame) // 2])
        if outcome == "badlength" and not isinstance(link, TcpLink):
            lying = bytes([0x04, 0x0F, len(info.data) + 40]) + info.data
            self._bad_frame_first(link, encode_frame(lying))
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


__all__ = [
    "ACK",
    "OUTCOMES",
    "TOTALS_FAULTS",
    "Transaction",
    "ZvtSimulator",
    "serve_pty",
    "serve_tcp",
]
