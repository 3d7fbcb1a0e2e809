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

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storebox.errors import ShopError
from storebox.ports import PaymentResult, PaymentStatus, StatusCallback

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
