"""Hand-written fakes of the payment ports, with scripted outcomes and a record of every call.

Each fake keeps a small ledger of what really happened at the acquirer (approved, declined,
reversed, refunded), so an enquiry answers from that ledger the way a real terminal does, and a
test can ask how much money actually left the customer: `charged_fen`.

Scripted outcomes, consumed one per `authorize` / `micropay` / `refund` call (default "approve"):

- "approve": approved at once.
- "decline": declined at once.
- "unknown-then-approved": the money moved but the answer was lost; an enquiry says approved.
- "unknown-then-declined": the answer was lost; an enquiry says it never went through.
- "unknown": lost, and an enquiry cannot tell either.
- "offline": the device cannot be reached; nothing is sent (raises ShopError, as the port says).
- "crash": the driver raises a bug-type exception after the request left.

Reversals follow `reverse_script` the same way ("approve", "decline", "unknown").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storebox.errors import ShopError
from storebox.ports import (
    BillAnswer,
    BillInfo,
    BillOrder,
    BillPayOffline,
    BillPayRefused,
    BillStatementData,
    BillStatementLine,
    PaymentResult,
    PaymentStatus,
    StatusCallback,
)

APPROVED = PaymentStatus.APPROVED
DECLINED = PaymentStatus.DECLINED
UNKNOWN = PaymentStatus.UNKNOWN


@dataclass
class _Entry:
    operation: str  # "pay" / "refund"
    amount_fen: int
    state: str  # "approved", "declined", "unknown" (the acquirer itself does not know), "reversed"
    answer_lost: bool


class _Acquirer:
    """The ledger and the scripts shared by both fakes."""

    masked_pan = ""
    card_name = ""

    def __init__(self, script: Iterable[str] = (), *, reverse_script: Iterable[str] = ()) -> None:
        self.script = list(script)
        self.reverse_script = list(reverse_script)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.ledger: dict[str, _Entry] = {}
        self._trace = 0

    # --- what tests look at ---------------------------------------------------------------
    def called(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    @property
    def charged_fen(self) -> int:
        """Money the customers are out of right now, per this acquirer's own ledger."""
        total = 0
        for entry in self.ledger.values():
            if entry.state != "approved":
                continue
            total += entry.amount_fen if entry.operation == "pay" else -entry.amount_fen
        return total

    # --- the machinery ----------------------------------------------------------------------
    def _next(self, script: list[str]) -> str:
        return script.pop(0) if script else "approve"

    def _result(
        self, status: PaymentStatus, amount_fen: int, reference: str, message: str
    ) -> PaymentResult:
        self._trace += 1
        return PaymentResult(
            status=status,
            amount_fen=amount_fen,
            reference=reference,
            message=message,
            auth_code=f"A{self._trace:05d}" if status is APPROVED else "",
            terminal_id="T0000001",
            trace=f"{self._trace:06d}",
            receipt_no=f"{self._trace:04d}",
            masked_pan=self.masked_pan,
            card_name=self.card_name,
        )

    def _transact(self, operation: str, amount_fen: int, reference: str) -> PaymentResult:
        outcome = self._next(self.script)
        if outcome == "offline":
            raise ShopError("设备未连接 / the payment device cannot be reached; nothing was sent")
        if outcome == "approve":
            self.ledger[reference] = _Entry(operation, amount_fen, "approved", False)
            return self._result(APPROVED, amount_fen, reference, "交易成功 / approved")
        if outcome == "decline":
            self.ledger[reference] = _Entry(operation, amount_fen, "declined", False)
            return self._result(DECLINED, amount_fen, reference, "余额不足 / insufficient funds")
        if outcome == "unknown-then-approved":
            self.ledger[reference] = _Entry(operation, amount_fen, "approved", True)
        elif outcome == "unknown-then-declined":
            self.ledger[reference] = _Entry(operation, amount_fen, "declined", True)
        elif outcome in ("unknown", "crash"):
            # The acquirer took the money but neither it nor its enquiry will say so.
            self.ledger[reference] = _Entry(operation, amount_fen, "unknown", True)
        else:  # pragma: no cover - a typo in a test's script
            raise AssertionError(f"unknown scripted outcome {outcome!r}")
        if outcome == "crash":
            raise ConnectionResetError("line dropped while reading the answer")
        return self._result(UNKNOWN, amount_fen, reference, "超时 / no answer (timeout)")

    def _enquire(self, reference: str) -> PaymentResult:
        entry = self.ledger.get(reference)
        if entry is None:
            return self._result(DECLINED, 0, reference, "无此交易 / no such transaction")
        if entry.state == "approved":
            return self._result(APPROVED, entry.amount_fen, reference, "交易成功 / approved")
        if entry.state == "unknown":
            return self._result(UNKNOWN, entry.amount_fen, reference, "状态未知 / status unknown")
        if entry.state == "reversed":
            return self._result(DECLINED, entry.amount_fen, reference, "已撤销 / reversed")
        return self._result(DECLINED, entry.amount_fen, reference, "交易失败 / declined")

    def _reverse(self, reference: str) -> PaymentResult:
        outcome = self._next(self.reverse_script)
        entry = self.ledger.get(reference)
        amount = entry.amount_fen if entry else 0
        if outcome == "approve":
            if entry is not None:
                entry.state = "reversed"
            return self._result(APPROVED, amount, reference, "撤销成功 / reversed")
        if outcome == "decline":
            return self._result(DECLINED, amount, reference, "撤销失败 / reversal refused")
        return self._result(UNKNOWN, amount, reference, "超时 / no answer (timeout)")


class FakeTerminal(_Acquirer):
    """A card terminal (`storebox.ports.CardTerminal`)."""

    masked_pan = "622588******1234"
    card_name = "UnionPay"

    def authorize(
        self, amount_fen: int, reference: str, on_status: StatusCallback | None = None
    ) -> PaymentResult:
        self.calls.append(("authorize", {"amount_fen": amount_fen, "reference": reference}))
        if on_status is not None:
            on_status("请插卡 / insert card")
        return self._transact("pay", amount_fen, reference)

    def refund(
        self, amount_fen: int, reference: str, on_status: StatusCallback | None = None
    ) -> PaymentResult:
        self.calls.append(("refund", {"amount_fen": amount_fen, "reference": reference}))
        return self._transact("refund", amount_fen, reference)

    def reverse(self, original: PaymentResult) -> PaymentResult:
        self.calls.append(("reverse", {"reference": original.reference, "original": original}))
        return self._reverse(original.reference)

    def enquire(self, reference: str) -> PaymentResult:
        self.calls.append(("enquire", {"reference": reference}))
        return self._enquire(reference)


class FakeWallet(_Acquirer):
    """Wallet payments through the hub (`storebox.ports.WalletPayments`)."""

    card_name = "WeChat Pay"

    def micropay(self, auth_code: str, amount_fen: int, reference: str) -> PaymentResult:
        self.calls.append(
            ("micropay", {"auth_code": auth_code, "amount_fen": amount_fen, "reference": reference})
        )
        return self._transact("pay", amount_fen, reference)

    def refund(self, original: PaymentResult, amount_fen: int, reference: str) -> PaymentResult:
        self.calls.append(
            ("refund", {"original": original, "amount_fen": amount_fen, "reference": reference})
        )
        return self._transact("refund", amount_fen, reference)

    def query(self, reference: str) -> PaymentResult:
        self.calls.append(("query", {"reference": reference}))
        return self._enquire(reference)

    def reverse(self, reference: str) -> PaymentResult:
        self.calls.append(("reverse", {"reference": reference}))
        return self._reverse(reference)


# --- convenience payments ----------------------------------------------------------------------


class FakeBillPay:
    """The biller platform (`storebox.ports.BillPay`) in memory, idempotent by payment_id like
    the hub: the same order again gets the first answer and is applied once; the same id with
    other fields is refused (idempotency_conflict).

    `submit_script` is consumed one per *new* payment (default "pending"):

    - "pending": accepted, the biller has not answered (受理中);
    - "success" / "failed": the biller answered at once;
    - "offline": the hub cannot be reached; nothing arrives (raises BillPayOffline);
    - "lost": the payment arrives and is kept, but the answer is lost (raises BillPayOffline);
    - "refuse:<code>": refused for good (BillPayRefused with that code).

    `finish` makes the biller answer later; `results()` is what the `bill_results` stream
    would carry.
    """

    def __init__(self, *, online: bool = True, submit_script: Iterable[str] = ()) -> None:

        self.is_online = online
        self.submit_script = list(submit_script)
        self.lookup_script: list[str] = []
        self.calls: list[tuple[str, Any]] = []
        self.orders: dict[str, BillOrder] = {}
        self.answers: dict[str, BillAnswer] = {}
        self.bills: dict[tuple[str, str], tuple[int, int]] = {}
        """(biller_id, account) -> (amount_due_fen, penalty_fen); unknown accounts: ¥123.45."""
        self.commission_fen = 50
        self._queries = 0
        self._refs = 0

    def called(self, method: str) -> list[Any]:
        return [args for name, args in self.calls if name == method]

    # --- the port ---------------------------------------------------------------------------
    def online(self) -> bool:
        return self.is_online

    def lookup(self, biller_id: str, account: str) -> BillInfo:

        self.calls.append(("lookup", (biller_id, account)))
        outcome = self.lookup_script.pop(0) if self.lookup_script else "ok"
        if not self.is_online or outcome == "offline":
            raise BillPayOffline("hub unreachable (fake)")
        if outcome.startswith("refuse:"):
            raise BillPayRefused(f"refused: {outcome[7:]}", outcome[7:])
        due, penalty = self.bills.get((biller_id, account), (12_345, 0))
        self._queries += 1
        return BillInfo(
            biller_id=biller_id,
            account_masked=account[:3] + "****" + account[-4:],
            holder_masked="张*明",
            amount_due_fen=due,
            penalty_fen=penalty,
            query_no=f"Q{self._queries:06d}",
            expires_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
            period="2026-10",
        )

    def submit(self, order: BillOrder) -> BillAnswer:

        self.calls.append(("submit", order))
        if not self.is_online:
            raise BillPayOffline("hub unreachable (fake)")
        known = self.orders.get(order.payment_id)
        if known is not None:
            if known != order:
                raise BillPayRefused("another payment under this id", "idempotency_conflict")
            return self.answers[order.payment_id]
        outcome = self.submit_script.pop(0) if self.submit_script else "pending"
        if outcome == "offline":
            raise BillPayOffline("hub unreachable (fake)")
        if outcome.startswith("refuse:"):
            raise BillPayRefused(f"refused: {outcome[7:]}", outcome[7:])
        self.orders[order.payment_id] = order
        self._refs += 1
        self.answers[order.payment_id] = BillAnswer(
            payment_id=order.payment_id, status="pending", biller_reference=f"BR{self._refs:06d}"
        )
        if outcome in ("success", "failed"):
            self.finish(order.payment_id, outcome)
        elif outcome == "lost":
            raise BillPayOffline("read timeout (fake): the answer was lost")
        elif outcome != "pending":  # pragma: no cover - a typo in a test's script
            raise AssertionError(f"unknown scripted outcome {outcome!r}")
        return self.answers[order.payment_id]

    def query(self, payment_id: str) -> BillAnswer | None:

        self.calls.append(("query", payment_id))
        if not self.is_online:
            raise BillPayOffline("hub unreachable (fake)")
        return self.answers.get(payment_id)

    def statement(self, day: dt.date) -> BillStatementData:

        lines = tuple(
            BillStatementLine(
                payment_id=o.payment_id,
                number=o.number,
                biller_id=o.biller_id,
                amount_fen=o.amount_fen,
                status=self.answers[o.payment_id].status,
                refunded=self.answers[o.payment_id].refunded,
                commission_fen=self.answers[o.payment_id].commission_fen,
                accepted_at=o.accepted_at,
            )
            for o in self.orders.values()
        )
        return BillStatementData(
            day=day,
            lines=lines,
            count=len(lines),
            amount_fen=sum(line.amount_fen for line in lines),
            commission_fen=sum(line.commission_fen for line in lines),
            owed_fen=0,
        )

    # --- what tests drive -------------------------------------------------------------------
    def finish(self, payment_id: str, status: str, reason_code: str = "") -> BillAnswer:
        """The biller answers now (a late result)."""
        answer = self.answers[payment_id]
        final = dataclasses.replace(
            answer,
            status=status,
            commission_fen=self.commission_fen if status == "success" else 0,
            reason_code=reason_code or ("biller_refused" if status == "failed" else ""),
            message="缴费失败 / the biller refused it" if status == "failed" else "成功 / done",
            final_at=dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC),
        )
        self.answers[payment_id] = final
        return final

    def results(self) -> list[BillAnswer]:
        return list(self.answers.values())
