"""The persistent print queue through the worker: offline, paper out, crash, reprint."""

from __future__ import annotations

from drivers.printer.driver import PrinterDriver, PrinterStatus
from drivers.printer.escpos_bytes import PrinterProfile
from drivers.printer.layout import REPRINT_MARK
from drivers.printer.transports import TransportError
from drivers.printer.worker import Outcome, PrintWorker, QueuedReceiptPrinter
from storebox import printing
from storebox.clock import FixedClock
from storebox.config import Settings
from storebox.ports import ReceiptPrinter
from storebox.shop import Shop, open_shop
from tests.drivers.escpos_decode import decode
from tests.drivers.test_printer_layout import sale_payload

OK, NEAR_END, OUT = b"\x12", b"\x1e", b"\x72"


class FakeTransport:
    """A two-way printer that can be unplugged, run out of paper, or break mid-job."""

    url = "fake:"

    def __init__(self) -> None:
        self.printed: list[bytes] = []
        self.online = True
        self.paper = OK
        self.break_mid_write = False

    def write(self, data: bytes) -> None:
        if not self.online:
            raise TransportError("connection refused", sent_nothing=True)
        if self.break_mid_write:
            self.printed.append(data[: len(data) // 2])
            raise TransportError("connection reset", sent_nothing=False)
        self.printed.append(data)

    def query(self, request: bytes, timeout: float = 1.0) -> bytes | None:
        if not self.online:
            raise TransportError("connection refused", sent_nothing=True)
        return {b"\x10\x04\x01": b"\x12", b"\x10\x04\x04": self.paper}.get(request)

    def close(self) -> None:
        pass

    def receipts(self) -> list[list[str]]:
        return [decode(d).texts for d in self.printed]


def make(shop: Shop) -> tuple[FakeTransport, PrinterDriver, QueuedReceiptPrinter]:
    fake = FakeTransport()
    driver = PrinterDriver("fake:", PrinterProfile.mm58(), shop.settings.zone, transport=fake)
    return fake, driver, QueuedReceiptPrinter(shop, driver)


def test_queued_printer_is_the_core_port(shop: Shop) -> None:
    _, _, port = make(shop)
    assert isinstance(port, ReceiptPrinter)


def test_a_job_prints_once_and_is_done(shop: Shop) -> None:
    fake, driver, port = make(shop)
    job_id = port.print_document("sale", sale_payload())
    worker = PrintWorker(shop, driver)
    assert worker.drain() == [Outcome.PRINTED, Outcome.IDLE]
    assert len(fake.printed) == 1 and "好邻居便利店" in fake.receipts()[0]
    job = printing.get(shop, job_id)
    assert job is not None and job.status == "done" and job.attempts == 1
    assert job.printed_at == shop.now()
    assert worker.run_once() is Outcome.IDLE and len(fake.printed) == 1


def test_jobs_print_oldest_first(shop: Shop, clock: FixedClock) -> None:
    fake, driver, port = make(shop)
    for n in ("S-1", "S-2", "S-3"):
        port.print_document("sale", sale_payload(number=n))
    PrintWorker(shop, driver).drain()
    assert [decode(d).qrs() for d in fake.printed] == [["S-1"], ["S-2"], ["S-3"]]


def test_offline_printer_keeps_the_job_until_it_returns(shop: Shop) -> None:
    fake, driver, port = make(shop)
    fake.online = False
    job_id = port.print_document("sale", sale_payload())
    worker = PrintWorker(shop, driver)
    assert worker.run_once() is Outcome.WAITING
    assert worker.last_status is PrinterStatus.OFFLINE
    assert fake.printed == []
    assert printing.get(shop, job_id).status == "queued"  # type: ignore[union-attr]
    fake.online = True
    assert worker.drain() == [Outcome.PRINTED, Outcome.IDLE]
    assert len(fake.printed) == 1


def test_printer_gone_between_status_and_send_requeues_without_losing_it(shop: Shop) -> None:
    fake, driver, port = make(shop)
    job_id = port.print_document("test", {})
    worker = PrintWorker(shop, driver)
    real_status = driver.status
    driver.status = lambda: PrinterStatus.OK  # type: ignore[method-assign]
    fake.online = False
    assert worker.run_once() is Outcome.REQUEUED
    job = printing.get(shop, job_id)
    assert job is not None and job.status == "queued" and job.last_error == "connection refused"
    driver.status = real_status  # type: ignore[method-assign]
    fake.online = True
    assert worker.drain()[0] is Outcome.PRINTED
    assert len(fake.printed) == 1


def test_paper_out_waits_and_prints_once_when_paper_is_back(shop: Shop) -> None:
    fake, driver, port = make(shop)
    fake.paper = OUT
    port.print_document("sale", sale_payload())
    port.print_document("test", {})
    worker = PrintWorker(shop, driver)
    for _ in range(3):
        assert worker.run_once() is Outcome.WAITING
    assert worker.last_status is PrinterStatus.PAPER_OUT and fake.printed == []
    assert printing.queued_count(shop) == 2
    fake.paper = NEAR_END  # a new roll, or nearly empty: printing goes on
    assert worker.drain() == [Outcome.PRINTED, Outcome.PRINTED, Outcome.IDLE]
    assert len(fake.printed) == 2


def test_a_job_survives_a_restart(settings: Settings, clock: FixedClock) -> None:
    with open_shop(settings, clock) as shop:
        fake, _, port = make(shop)
        fake.online = False
        job_id = port.print_document("sale", sale_payload())
    with open_shop(settings, clock) as shop:
        fake, driver, _ = make(shop)
        assert PrintWorker(shop, driver).drain()[0] is Outcome.PRINTED
        assert printing.get(shop, job_id).status == "done"  # type: ignore[union-attr]
        assert len(fake.printed) == 1


def test_a_crash_while_printing_never_prints_twice(settings: Settings, clock: FixedClock) -> None:
    with open_shop(settings, clock) as shop:
        _, _, port = make(shop)
        job_id = port.print_document("sale", sale_payload())
        claimed = printing.claim_next(shop)  # the worker marked it, sent it... and the power went
        assert claimed is not None and claimed.id == job_id and claimed.status == "printing"
    with open_shop(settings, clock) as shop:
        fake, driver, port = make(shop)
        worker = PrintWorker(shop, driver)
        assert worker.interrupted == [job_id]
        assert worker.drain() == [Outcome.IDLE]
        assert fake.printed == []  # not resent on its own
        job = printing.get(shop, job_id)
        assert job is not None and job.status == "failed" and "reprint" in (job.last_error or "")
        # the person decides: an explicit reprint, marked as such
        again = port.reprint(job_id)
        assert worker.drain()[0] is Outcome.PRINTED
        assert len(fake.printed) == 1
        texts = fake.receipts()[0]
        assert texts[0] == REPRINT_MARK and "重打印" in texts[0]
        assert "drawer" not in decode(fake.printed[0]).kinds()  # a reprint opens no drawer
        reprinted = printing.get(shop, again)
        assert reprinted is not None and reprinted.reprint and reprinted.status == "done"


def test_a_send_broken_half_way_is_failed_not_retried(shop: Shop) -> None:
    fake, driver, port = make(shop)
    fake.break_mid_write = True
    job_id = port.print_document("sale", sale_payload())
    worker = PrintWorker(shop, driver)
    assert worker.run_once() is Outcome.FAILED
    fake.break_mid_write = False
    assert worker.drain() == [Outcome.IDLE]
    assert len(fake.printed) == 1  # only the half that went out before the break
    assert printing.get(shop, job_id).status == "failed"  # type: ignore[union-attr]


def test_enqueue_in_the_callers_transaction_rolls_back_with_it(shop: Shop) -> None:
    try:
        with shop.store.write_sql() as conn:
            printing.enqueue(shop, "test", {}, within=conn)
            raise RuntimeError("the sale failed")
    except RuntimeError:
        pass
    assert printing.queued_count(shop) == 0
    with shop.store.write() as session:
        printing.enqueue(shop, "test", {}, within=session)
    assert printing.queued_count(shop) == 1


def test_a_document_that_cannot_be_drawn_fails_instead_of_blocking_the_queue(shop: Shop) -> None:
    _fake, driver, port = make(shop)
    bad = printing.enqueue(shop, "sale", {"lines": [{"qty": 1}]})  # no name: cannot be drawn
    port.print_document("test", {})
    worker = PrintWorker(shop, driver)
    assert worker.drain() == [Outcome.FAILED, Outcome.PRINTED, Outcome.IDLE]
    assert printing.get(shop, bad).status == "failed"  # type: ignore[union-attr]


def test_open_drawer_goes_straight_to_the_printer(shop: Shop) -> None:
    fake, _, port = make(shop)
    port.open_drawer()
    assert decode(fake.printed[0]).events == [("drawer", 0, 100, 100)]


def test_a_cash_receipt_that_waited_for_the_printer_does_not_open_the_drawer(
    shop: Shop, clock: FixedClock
) -> None:
    fake, driver, port = make(shop)
    port.print_document("sale", sale_payload())
    assert PrintWorker(shop, driver).drain()[0] is Outcome.PRINTED
    assert "drawer" in decode(fake.printed[-1]).kinds()  # at once: the drawer opens
    fake.online = False
    port.print_document("sale", sale_payload())
    worker = PrintWorker(shop, driver)
    assert worker.run_once() is Outcome.WAITING
    clock.advance(minutes=30)
    fake.online = True
    assert worker.drain()[0] is Outcome.PRINTED
    late = decode(fake.printed[-1])
    assert "drawer" not in late.kinds() and late.qrs() == ["S1-20261125-0007"]


def test_a_real_sale_from_the_core_prints_through_the_queue(shop: Shop) -> None:
    from storebox import sales
    from storebox.sales import Cart, Cash
    from tests.core.factories import make_product, open_till

    till = open_till(shop)
    noodles = make_product(shop, "康师傅红烧牛肉面（桶装）", 550, barcode="6900000000052", stock=5)
    water = make_product(shop, "农夫山泉 550ml", 200, barcode="6900000000069", stock=5)
    cart = Cart()
    sales.add_product(cart, noodles, 2)
    sales.add_product(cart, water, 1)
    receipt = sales.checkout(shop, till.cashier, cart, [Cash(2000)])
    fake, driver, port = make(shop)
    job_id = port.print_document("sale", receipt.as_dict())
    assert PrintWorker(shop, driver).drain()[0] is Outcome.PRINTED
    out = decode(fake.printed[0])
    assert out.qrs() == [receipt.number]
    assert any(s.startswith("收银员") and s.endswith("小李") for s in out.texts)
    assert any(s.startswith("找零 Change") and s.endswith("￥7.00") for s in out.texts)
    assert any("2 x 5.50" in s and s.endswith("11.00") for s in out.texts)
    assert any("10:00:00" in s for s in out.texts)  # 02:00 UTC in Shanghai
    assert out.kinds()[-1] == "drawer"
    assert printing.get(shop, job_id).status == "done"  # type: ignore[union-attr]
