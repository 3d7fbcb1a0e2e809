"""What the core hands the printer for a bill payment, rendered by the real templates
(drivers.printer.layout): the receipt says 受理中 then, reprinted after the result, 成功; the
account is masked; a failed payment's refund slip names the payment and where the money went."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from drivers.printer import layout
from drivers.printer.receipts import BillPaymentReceipt
from storebox import billpay
from storebox.sales import Cash
from storebox.shop import Shop
from tests.core.billpay_fixtures import install_billers
from tests.core.factories import open_till
from tests.fakes import FakeBillPay

ZONE = ZoneInfo("Asia/Shanghai")


class Printer:
    """The ReceiptPrinter port, rendering each job with the real layout at once."""

    def __init__(self) -> None:
        self.printed: list[tuple[str, list[str]]] = []

    def print_document(
        self, kind: str, payload: dict[str, object], *, reprint: bool = False
    ) -> str:
        document = layout.render(kind, payload, 32, ZONE, reprint)
        self.printed.append((kind, document.text_lines()))
        return str(len(self.printed))

    def open_drawer(self) -> None:
        pass


def _text(lines: list[str]) -> str:
    return "\n".join(lines)


def test_pending_then_success_reprinted(shop: Shop) -> None:
    install_billers(shop)
    till = open_till(shop)
    port, printer = FakeBillPay(), Printer()
    view = billpay.pay(shop, till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=port)
    billpay.print_receipt(shop, printer, view.number)
    first = _text(printer.printed[0][1])
    assert "受理中" in first and "138****5678" in first and "13812345678" not in first
    assert "BR000001" in first and "￥50.00" in first
    billpay.record_answer(shop, port.finish(view.payment_id, "success"))
    billpay.print_receipt(shop, printer, view.number, reprint=True)
    second = _text(printer.printed[1][1])
    assert "成功" in second and "受理中" not in second and "重打印" in second
    # the payload is the printer's own data class, whole
    BillPaymentReceipt.from_dict(billpay.receipt_payload(shop, view.number))


def test_the_refund_slip(shop: Shop) -> None:
    install_billers(shop)
    till = open_till(shop)
    port, printer = FakeBillPay(submit_script=["failed"]), Printer()
    view = billpay.pay(shop, till.cashier, "cmcc", "13812345678", 5_000, Cash(5_000), port=port)
    billpay.refund(shop, till.cashier, view.number, printer=printer)
    [(kind, lines)] = printer.printed
    slip = _text(lines)
    assert kind == "refund" and view.number in slip and "￥50.00" in slip
    assert "138****5678" in slip and "13812345678" not in slip
