"""`ZvtTerminal`: the `CardTerminal` port over ZVT on a serial line (any pyserial URL or path).

Every call runs under one lock, so one device sees one conversation at a time. A payment whose
command left the shop but whose final answer did not come back (timeout, lost line, unreadable
answer) is UNKNOWN, never declined or approved by guess; `enquire` resolves it from the
terminal's report of its last transaction — the status enquiry (05 01) where the terminal
reports it there, else a repeat of the last receipt (06 20), whose status information carries
the trace number, amount and result — and `reverse` cancels it. Only masked card data reaches
results and logs.

Registration (06 00) is sent when the line opens: password, config byte, currency CNY 156; the
terminal's completion may name its terminal id and currency, and a terminal set to another
currency is refused before any payment.

Timeouts (PA00P015's serial transport; seconds, each configurable):
- `ack_timeout` (T3, 5): the ACK/NAK byte after each frame; none: the command's fate is unknown;
- `inter_byte_timeout` (T1, 0.2): a frame that stops midway is NAKed and dropped;
- `answer_timeout` (15): the 80 00 00 (or 84 xx) after a command;
- `completion_timeout` (T4, 180): the terminal's next message while it holds master rights.
  Each message restarts it — an intermediate status (04 FF) keeps a slow customer's payment
  alive, and one that names a longer timeout of its own is waited for that long.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import serial

from drivers.terminal.zvt import apdu as z
from drivers.terminal.zvt.frame import MAX_APDU, Apdu, FrameError, parse_apdu
from drivers.terminal.zvt.link import Link, LinkDown, LinkRefused, LinkTimeout, TcpLink
from storebox.errors import ShopError
from storebox.ports import PaymentResult, PaymentStatus, StatusCallback

log = logging.getLogger(__name__)


class TerminalUnavailable(ShopError):
    """The terminal could not be reached or refused the command: nothing was done."""

    code = "terminal_unavailable"


class _Unknown(Exception):
    """The command was sent; its outcome is not known."""


@dataclass(frozen=True)
class Registration:
    """What the terminal said to the registration (its completion's optional fields)."""

    terminal_id: str = ""
    currency: int | None = None
    status_byte: int | None = None


@dataclass(frozen=True)
class TerminalStatus:
    """The terminal's answer to a status enquiry: ready or not, with the reason in the
    person's language, and its id when it says it."""

    ready: bool
    message: str
    terminal_id: str = ""


@dataclass(frozen=True)
class _Answer:
    info: z.StatusInfo | None = None  # the status information, if one came
    aborted: int | None = None  # 06 1E's code, if the terminal aborted
    completion: z.Completion | None = None
    unreadable: bool = False  # a message of the terminal could not be read (non-strict only)


@dataclass
class _Pending:
    kind: str
    reference: str
    amount_fen: int
    trace_before: str


ZVT_TCP_PORT = 20007


def _port_url(url: str) -> tuple[str, bool]:
    """The pyserial URL for `url` and whether it is the TCP variant (`tcp://host[:port]`)."""
    if url.startswith("tcp://"):
        hostport = url.removeprefix("tcp://").rstrip("/")
        if ":" not in hostport.rsplit("]", 1)[-1]:
            hostport += f":{ZVT_TCP_PORT}"
        return f"socket://{hostport}", True
    return url, False


class ZvtTerminal:
    """ZVT over serial (a device path or any pyserial URL) or TCP (`tcp://host[:20007]`)."""

    def __init__(
        self,
        url: str,
        password: str = z.DEFAULT_PASSWORD,
        *,
        baudrate: int = 9600,
        ack_timeout: float = 5.0,
        inter_byte_timeout: float = 0.2,
        answer_timeout: float = 15.0,
        completion_timeout: float = 180.0,
        lang: str = "zh",
        register: bool = True,
        config: int = z.DEFAULT_CONFIG,
        max_apdu: int = MAX_APDU,
    ) -> None:
        z.registration(password, config)  # validates the password and the config byte
        self.url = url
        self.config = config
        self.max_apdu = max_apdu
        self.registration: Registration | None = None
        self.password = password
        self.baudrate = baudrate
        self.ack_timeout = ack_timeout
        self.inter_byte_timeout = inter_byte_timeout
        self.answer_timeout = answer_timeout
        self.completion_timeout = completion_timeout
        self.lang = lang
        self._register = register
        self._registered = False
        self._lock = threading.Lock()
        self._port: Any = None
        self._link: Link | None = None
        self._last_trace: str | None = None
        self._pending: _Pending | None = None
        self._cancel = threading.Event()
        self._final: PaymentResult | None = None  # the last final answer, for enquire

    # --- the port -----------------------------------------------------------------------------

    def authorize(
        self, amount_fen: int, reference: str, on_status: StatusCallback | None = None
    ) -> PaymentResult:
        return self._payment("sale", z.authorisation(amount_fen), amount_fen, reference, on_status)

    def refund(
        self, amount_fen: int, reference: str, on_status: StatusCallback | None = None
    ) -> PaymentResult:
        cmd = z.refund(amount_fen, self.password)
        return self._payment("refund", cmd, amount_fen, reference, on_status)

    def reverse(self, original: PaymentResult) -> PaymentResult:
        if not original.receipt_no:
            found = self.enquire(original.reference)
            if found.status is PaymentStatus.DECLINED:
                return PaymentResult(
                    PaymentStatus.APPROVED,
                    original.amount_fen,
                    original.reference,
                    message=self._t(
                        "原交易未完成，无需冲正", "Not carried out: nothing to reverse"
                    ),
                    extra={"reversal": "not_needed"},
                )
            if found.status is PaymentStatus.UNKNOWN or not found.receipt_no:
                return found
            original = found
        cmd = z.reversal(int(original.receipt_no), self.password)
        # its own reference, so that enquire(original reference) never mistakes the reversal
        # for the original payment
        reference = f"{original.reference}#reversal"
        result = self._payment("reversal", cmd, original.amount_fen, reference, None)
        return replace(result, reference=original.reference)

    def enquire(self, reference: str) -> PaymentResult:
        result = self._enquire(reference)
        if result.status is not PaymentStatus.UNKNOWN:
            self._final = result
        return result

    def match_context(self, amount_fen: int, reference: str) -> dict[str, str]:
        """Before a payment: what a later enquiry (this process or a fresh one after a crash)
        needs to match the terminal's last transaction — its trace number as it stands now
        (asked by status enquiry / repeat receipt when not known) and the amount. Raises
        TerminalUnavailable when the terminal cannot be reached: nothing was sent."""
        with self._lock:
            self._connect()
            if self._last_trace is None:
                try:
                    last, _ = self._last_transaction()
                    self._last_trace = last.trace if last is not None else ""
                except _Unknown:
                    self._last_trace = ""
            context = {
                "protocol": "zvt",
                "trace_before": self._last_trace,
                "amount_fen": str(amount_fen),
            }
            if self.registration is not None and self.registration.terminal_id:
                context["terminal_id"] = self.registration.terminal_id
            return context

    def enquire_matching(self, reference: str, match: Mapping[str, str]) -> PaymentResult:
        """`enquire` with the context `match_context` gave before the payment was sent: works
        in a process that never sent it (the till restarted after a crash)."""
        try:
            amount = int(match.get("amount_fen", "0"))
        except ValueError:
            amount = 0
        trace_before = str(match.get("trace_before", ""))
        with self._lock:
            if self._final is not None and self._final.reference == reference:
                return self._final
            if self._pending is not None and self._pending.reference == reference:
                trace_before = self._pending.trace_before or trace_before
        recorded_id = str(match.get("terminal_id", ""))
        with self._lock:
            try:
                self._connect()
            except TerminalUnavailable as exc:
                return self._result(PaymentStatus.UNKNOWN, amount, reference, str(exc))
            now_id = self.registration.terminal_id if self.registration is not None else ""
        if recorded_id and now_id and recorded_id != now_id:  # its records are not ours
            return self._result(
                PaymentStatus.UNKNOWN,
                amount,
                reference,
                self._t(
                    f"付款时的终端 {recorded_id} 已换成 {now_id}，无法查询",
                    f"Paid on terminal {recorded_id}, now {now_id}: cannot enquire",
                ),
            )
        result = self._enquire(reference, (trace_before, amount))
        if result.status is not PaymentStatus.UNKNOWN:
            self._final = result
        return result

    def _enquire(self, reference: str, recorded: tuple[str, int] | None = None) -> PaymentResult:
        with self._lock:
            pending = self._pending
            if pending is None and self._final is not None and self._final.reference == reference:
                return self._final  # already final: the answer we had
            if recorded is not None:
                trace_before, amount = recorded
            elif pending is not None and pending.reference == reference:
                trace_before, amount = pending.trace_before, pending.amount_fen
            else:
                trace_before, amount = "", 0
            try:
                self._connect()
                info, source = self._last_transaction()
            except (_Unknown, TerminalUnavailable) as exc:
                return self._result(PaymentStatus.UNKNOWN, amount, reference, str(exc))
            if info is None or info.trace == "":
                return self._result(
                    PaymentStatus.UNKNOWN,
                    amount,
                    reference,
                    self._t(
                        "终端未报告上一笔交易", "The terminal did not report its last transaction"
                    ),
                )
            if recorded is None and (pending is None or pending.reference != reference):
                return self._result(
                    PaymentStatus.UNKNOWN,
                    amount,
                    reference,
                    self._t(
                        "不是最后一笔交易，无法查询", "Not the last transaction: cannot enquire"
                    ),
                )
            self._last_trace = info.trace
            if not trace_before:  # we never knew where the terminal stood
                return self._result(
                    PaymentStatus.UNKNOWN,
                    amount,
                    reference,
                    self._t("无法与终端记录比对", "Cannot match the terminal's records"),
                )
            if info.trace == trace_before:
                if pending is not None and pending.reference == reference:
                    self._pending = None
                return self._result(
                    PaymentStatus.DECLINED,
                    amount,
                    reference,
                    self._t("终端未执行该交易", "The terminal did not carry it out"),
                    extra={"resolved_by": source},
                )
            if info.amount_fen != amount:
                return self._result(
                    PaymentStatus.UNKNOWN,
                    amount,
                    reference,
                    self._t("终端最后一笔交易金额不符", "The terminal's last transaction differs"),
                )
            if pending is not None and pending.reference == reference:
                self._pending = None
            status = PaymentStatus.APPROVED if info.result_code == 0 else PaymentStatus.DECLINED
            code = info.result_code if info.result_code is not None else 0xFF
            result = self._from_info(
                status, info, reference, amount, z.result_text(code, self.lang)
            )
            return replace(result, extra={**result.extra, "resolved_by": source})

    def end_of_day(self) -> PaymentResult:
        """Close the terminal's batch (06 50) and report its totals.

        APPROVED when the terminal settled; its status information's BMP 60 (individual totals)
        then goes into `extra` as `cli.reconcile_cmd.terminal_totals` reads it (see
        `_totals_extra`), with the terminal id (BMP 29, else the registration's). A missing,
        malformed or inconsistent totals block gives no totals and says why in `message`: the
        terminal did settle (its batch is closed and its own receipt printed), so the day's card
        totals are then not checked rather than taken as zero. DECLINED when the terminal
        refused (06 1E), UNKNOWN when its answer was lost.
        """
        with self._lock:
            self._connect()
            try:
                answer = self._conversation(z.end_of_day(self.password), None, strict=False)
            except _Unknown as exc:
                return self._result(PaymentStatus.UNKNOWN, 0, "end-of-day", str(exc))
            if answer.aborted is not None:
                return self._result(
                    PaymentStatus.DECLINED,
                    0,
                    "end-of-day",
                    z.result_text(answer.aborted, self.lang),
                )
            registered = self.registration.terminal_id if self.registration else ""
            info = answer.info
            terminal_id = (info.terminal_id if info is not None else "") or registered
            if info is None:
                why = (
                    self._t(
                        "终端结算信息无法读取", "the terminal's status information was unreadable"
                    )
                    if answer.unreadable
                    else self._t("终端未发送结算信息", "the terminal sent no status information")
                )
                extra: dict[str, str] = {}
            else:
                extra, why = self._totals_extra(info)
            amount = int(extra.get("payments_fen", "0"))
            message = why or self._t("终端结算完成", "End-of-day done")
            log.info("terminal end-of-day: %s", message)
            return PaymentResult(
                PaymentStatus.APPROVED,
                amount,
                "end-of-day",
                message=message,
                terminal_id=terminal_id,
                extra=extra,
            )

    def _totals_extra(self, info: z.StatusInfo) -> tuple[dict[str, str], str]:
        """The end-of-day totals as `PaymentResult.extra`, or ({}, why there are none).

        ZVT's individual totals hold, per card-type slot, the bookings of the batch and their
        turnover. A refund (06 31) is a booking that takes its amount off the turnover, and a
        reversal (06 30) takes its payment out of the batch, so the totals are the *net* of the
        day: `payments_count` is every booking (payments and refunds), `payments_fen` the
        payments less the refunds, `refunds_*` are 0 and `totals_basis` is "net" — the matcher
        then compares the shop's payments plus refunds and its payments less refunds. Per slot:
        `scheme:<slot>` = "count/amount_fen"; `scheme_of:<card name>` = slot says under which
        slot the terminal files a card name the till stored, `scheme_other` where all others go.
        The block must add up to the status information's total amount (BMP 04) when it
        carries one."""
        if info.result_code not in (None, 0):
            code = info.result_code or 0
            return {}, self._t(
                f"终端结算结果：{z.result_text(code, 'zh')}",
                f"end-of-day result: {z.result_text(code, 'en')}",
            )
        if info.totals_raw is None:
            return {}, self._t(
                "终端未报告分类合计 (BMP 60)", "the terminal reported no individual totals (BMP 60)"
            )
        try:
            totals = z.parse_individual_totals(info.totals_raw)
        except z.ApduError as exc:
            return {}, self._t(
                f"终端合计无法读取：{exc}", f"the terminal's totals are unreadable: {exc}"
            )
        if info.amount_fen is not None and info.amount_fen != totals.amount_fen:
            return {}, self._t(
                f"终端合计不一致：总额 {info.amount_fen} 分，分类合计 {totals.amount_fen} 分",
                f"the terminal's totals disagree: total amount {info.amount_fen} fen, "
                f"individual totals {totals.amount_fen} fen",
            )
        extra = {
            "payments_count": str(totals.count),
            "payments_fen": str(totals.amount_fen),
            "refunds_count": "0",
            "refunds_fen": "0",
            "totals_basis": "net",
            "receipt_first": str(totals.receipt_first),
            "receipt_last": str(totals.receipt_last),
            "scheme_other": z.OTHER_SLOT,
        }
        for slot in totals.slots:
            extra[f"scheme:{slot.name}"] = f"{slot.count}/{slot.amount_fen}"
        for name, slot_name in z.SLOT_OF_CARD_NAME.items():
            extra[f"scheme_of:{name}"] = slot_name
        return extra, ""

    def status(self) -> TerminalStatus:
        """Is the terminal there? Open the line and register if not yet done (06 00), then a
        status enquiry (05 01), which changes nothing on the terminal; the terminal id is the one
        the enquiry names ("" when it names none: the till shows only what the terminal said).
        Never raises: a terminal
        that cannot be reached or refuses is not ready, with the reason. Blocks up to the ACK
        and answer time-outs: call it on the terminal's own thread."""
        with self._lock:
            try:
                self._connect()
                answer = self._conversation(z.status_enquiry(self.password), None)
            except TerminalUnavailable as exc:
                return TerminalStatus(False, exc.message)
            except _Unknown as exc:
                return TerminalStatus(False, str(exc))
        if answer.aborted is not None:
            return TerminalStatus(False, z.result_text(answer.aborted, self.lang))
        terminal_id = answer.info.terminal_id if answer.info is not None else ""
        return TerminalStatus(True, self._t("刷卡终端就绪", "Card terminal ready"), terminal_id)

    def cancel(self) -> None:
        """Ask the terminal to abort the running payment (from any thread).

        Sent at the terminal's next prompt (06 B0 instead of 80 00 00); the payment then ends
        DECLINED with "Aborted", unless it had already gone through.
        """
        self._cancel.set()

    def close(self) -> None:
        with self._lock:
            self._disconnect()

    def register(self) -> Registration:
        """Register (06 00) now, even if already registered; raises TerminalUnavailable when
        the terminal refuses, does not answer or is set to another currency than CNY."""
        with self._lock:
            self._registered = False
            self._connect()
            return self.registration or Registration()

    def _last_transaction(self) -> tuple[z.StatusInfo | None, str]:
        """The terminal's report of its last transaction and how it was asked: the status
        enquiry first; when that names no trace number (a terminal's status enquiry reports its
        own state only), a repeat of the last receipt. (None, …) when neither says."""
        info = self._conversation(z.status_enquiry(self.password), None).info
        if info is not None and info.trace:
            return info, "enquiry"
        try:
            repeated = self._conversation(z.repeat_receipt(self.password), None)
        except TerminalUnavailable as exc:  # 84 xx: no receipt to repeat
            log.info("terminal has no receipt to repeat: %s", exc)
            return None, "repeat_receipt"
        if repeated.aborted is not None:
            return None, "repeat_receipt"
        return repeated.info, "repeat_receipt"

    # --- internals ----------------------------------------------------------------------------

    def _t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def _result(
        self,
        status: PaymentStatus,
        amount: int,
        reference: str,
        message: str,
        extra: dict[str, str] | None = None,
    ) -> PaymentResult:
        return PaymentResult(status, amount, reference, message=message, extra=extra or {})

    def _from_info(
        self,
        status: PaymentStatus,
        info: z.StatusInfo,
        reference: str,
        amount: int,
        message: str,
    ) -> PaymentResult:
        return PaymentResult(
            status,
            info.amount_fen if info.amount_fen is not None else amount,
            reference,
            message=message,
            terminal_id=info.terminal_id,
            trace=info.trace,
            receipt_no=info.receipt_no,
            masked_pan=info.masked_pan,
            card_name=info.card_name,
            auth_code=info.auth_code,
            extra={k: v for k, v in {"time": info.time, "date": info.date}.items() if v},
        )

    def _connect(self) -> Link:
        """Open the port (and register) if needed; raises TerminalUnavailable: nothing sent."""
        if self._link is None:
            port_url, tcp = _port_url(self.url)
            try:
                self._port = serial.serial_for_url(
                    port_url, baudrate=self.baudrate, bytesize=8, parity="N", stopbits=2
                )
            except Exception as exc:
                raise TerminalUnavailable(
                    self._t(f"无法连接刷卡终端：{exc}", f"Cannot reach the card terminal: {exc}")
                ) from exc
            if not tcp:  # bytes a crashed predecessor left unread on the line
                flush = getattr(self._port, "reset_input_buffer", None)
                if callable(flush):
                    try:
                        flush()
                    except Exception as exc:  # a port that cannot flush still works
                        log.info("could not flush the terminal's line: %s", exc)
            self._link = (TcpLink if tcp else Link)(
                self._port,
                ack_timeout=self.ack_timeout,
                inter_byte_timeout=self.inter_byte_timeout,
                max_apdu=self.max_apdu,
            )
            self._registered = False
        if self._register and not self._registered:
            try:
                answer = self._conversation(z.registration(self.password, self.config), None)
                self.registration = self._registered_as(answer)
            except (_Unknown, TerminalUnavailable) as exc:
                self._disconnect()
                raise TerminalUnavailable(
                    self._t(f"刷卡终端登记失败：{exc}", f"Terminal registration failed: {exc}")
                ) from exc
            self._registered = True
        return self._link

    def _registered_as(self, answer: _Answer) -> Registration:
        if answer.aborted is not None:
            raise TerminalUnavailable(z.result_text(answer.aborted, self.lang))
        done = answer.completion or z.Completion()
        if done.currency is not None and done.currency != z.CNY:
            raise TerminalUnavailable(
                self._t(
                    f"终端币种为 {done.currency:03d}，不是人民币 (156)",
                    f"the terminal's currency is {done.currency:03d}, not CNY (156)",
                )
            )
        registration = Registration(done.terminal_id, done.currency, done.status_byte)
        log.info("terminal registered: id %s", registration.terminal_id or "-")
        return registration

    def _disconnect(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except Exception:
                log.debug("closing the terminal port failed", exc_info=True)
        self._port = None
        self._link = None
        self._registered = False

    def _payment(
        self,
        kind: str,
        cmd: Apdu,
        amount: int,
        reference: str,
        on_status: StatusCallback | None,
    ) -> PaymentResult:
        result = self._payment_once(kind, cmd, amount, reference, on_status)
        if result.status is not PaymentStatus.UNKNOWN:
            self._final = result
        return result

    def _payment_once(
        self,
        kind: str,
        cmd: Apdu,
        amount: int,
        reference: str,
        on_status: StatusCallback | None,
    ) -> PaymentResult:
        with self._lock:
            self._cancel.clear()
            self._connect()
            if self._last_trace is None:  # learn where the terminal is, to resolve unknowns
                try:
                    last, _ = self._last_transaction()
                    self._last_trace = last.trace if last is not None else ""
                except _Unknown:
                    self._last_trace = ""
            self._pending = _Pending(kind, reference, amount, self._last_trace or "")
            log.info("terminal %s %d fen ref %s", kind, amount, reference)
            try:
                answer = self._conversation(cmd, on_status)
                info, aborted = answer.info, answer.aborted
            except _Unknown as exc:
                log.warning("terminal %s ref %s: outcome unknown (%s)", kind, reference, exc)
                return self._result(PaymentStatus.UNKNOWN, amount, reference, str(exc))
            except TerminalUnavailable:
                self._pending = None
                raise
            self._pending = None
            if info is not None and info.trace:
                self._last_trace = info.trace
            if aborted is not None:
                self._last_trace = None  # a declined transaction may have used a trace number
                text = z.result_text(aborted, self.lang)
                log.info("terminal %s ref %s declined: %02X", kind, reference, aborted)
                return self._result(
                    PaymentStatus.DECLINED,
                    amount,
                    reference,
                    text,
                    {"result_code": f"{aborted:02X}"},
                )
            if info is not None and info.result_code not in (None, 0):
                code = info.result_code or 0
                return self._from_info(
                    PaymentStatus.DECLINED, info, reference, amount, z.result_text(code, self.lang)
                )
            if info is None:
                info = z.StatusInfo()
            result = self._from_info(
                PaymentStatus.APPROVED, info, reference, amount, z.result_text(0, self.lang)
            )
            log.info(
                "terminal %s ref %s approved: receipt %s trace %s card %s",
                kind,
                reference,
                result.receipt_no,
                result.trace,
                result.masked_pan,
            )
            return result

    def _conversation(
        self, cmd: Apdu, on_status: StatusCallback | None, *, strict: bool = True
    ) -> _Answer:
        """Send `cmd` and follow the PT until completion.

        Raises TerminalUnavailable when nothing was taken by the terminal, _Unknown otherwise.
        `strict=False`: a completion after an unreadable message is an answer (marked
        `unreadable`) rather than an unknown outcome — for commands whose completion alone says
        what happened (the end-of-day settled, whatever its totals said).
        """
        link = self._link
        assert link is not None
        try:  # whatever a terminal sent after an earlier timeout is stale now
            self._port.reset_input_buffer()
        except Exception:
            log.debug("could not flush the terminal port", exc_info=True)
        try:
            link.send(cmd.encode())
        except LinkRefused as exc:
            raise TerminalUnavailable(
                self._t("刷卡终端拒收指令", "The card terminal refused the command")
            ) from exc
        except LinkDown as exc:
            self._disconnect()
            raise _Unknown(self._t(f"线路中断：{exc}", f"Line lost: {exc}")) from exc
        except LinkTimeout as exc:
            raise _Unknown(self._t("终端无应答", "No answer from the terminal")) from exc
        try:
            answer = parse_apdu(link.receive(self.answer_timeout))
            msg = z.parse_message(answer)
            if isinstance(msg, z.Nak):
                raise TerminalUnavailable(
                    self._t("刷卡终端：", "Card terminal: ") + z.result_text(msg.code, self.lang)
                )
            if not isinstance(msg, z.Ack):
                raise _Unknown(self._t("终端应答异常", "Unexpected answer from the terminal"))
            if cmd.command == (0x06, 0xB0):
                return _Answer()
            return self._follow(link, on_status, strict=strict)
        except LinkDown as exc:
            self._disconnect()
            raise _Unknown(self._t(f"线路中断：{exc}", f"Line lost: {exc}")) from exc
        except LinkTimeout as exc:
            raise _Unknown(self._t("终端应答超时", "The terminal's answer timed out")) from exc

    def _follow(
        self, link: Link, on_status: StatusCallback | None, *, strict: bool = True
    ) -> _Answer:
        """The PT's messages until it hands master rights back (06 0F or 06 1E). Each message
        restarts the wait for the next (`completion_timeout`, or the longer time an intermediate
        status asks for)."""
        info: z.StatusInfo | None = None
        unreadable = False
        wait = self.completion_timeout
        while True:
            raw = link.receive(wait)
            wait = self.completion_timeout
            try:
                msg = z.parse_message(parse_apdu(raw))
            except z.UnknownCommand as exc:  # not a result: refuse it and keep listening
                log.warning("terminal sent a command we do not support: %s", exc)
                link.send(z.NOT_SUPPORTED_APDU.encode())
                continue
            except FrameError as exc:
                log.warning("terminal message not understood: %s", exc)
                unreadable = True
                link.send(z.ACK_APDU.encode())
                continue
            if isinstance(msg, z.Intermediate) and self._cancel.is_set():
                log.info("asking the terminal to abort")
                link.send(z.abort().encode())  # instead of 80 00 00: the PT ends with 06 1E
                self._cancel.clear()
                continue
            link.send(z.ACK_APDU.encode())
            if isinstance(msg, z.Intermediate):
                if msg.timeout_s:  # never shorter than ours: a late answer is not a lost one
                    wait = max(float(msg.timeout_s), self.completion_timeout)
                if on_status is not None:
                    try:
                        on_status(z.status_text(msg.code, self.lang))
                    except Exception:
                        log.exception("on_status callback failed")
            elif isinstance(msg, z.StatusInfo):
                info = msg
            elif isinstance(msg, z.Completion):
                if unreadable and info is None and strict:
                    raise _Unknown(
                        self._t("终端结果无法读取", "The terminal's result was unreadable")
                    )
                return _Answer(info, None, msg, unreadable)
            elif isinstance(msg, z.Aborted):
                return _Answer(info, msg.code)
