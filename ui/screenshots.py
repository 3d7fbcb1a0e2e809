"""`storebox screenshot --out DIR`: every screen, rendered offscreen with demo data, as PNG.

Used to look at each screen before calling it done, and by the tests (every screen renders
without a Qt warning)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QWidget

from storebox import demo, demo_catalog, users
from storebox.shop import Shop
from ui.cashier.run import build
from ui.cashier.window import CashierWindow
from ui.devices import Devices, Kind, State
from ui.ops import reset_tasks, tasks

SIZE = (1366, 768)


def settle(app: QApplication, timeout_s: float = 10.0) -> None:
    """Run the event loop until every background operation has come back."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        app.processEvents()
        if tasks().pending == 0:
            app.processEvents()
            return
        time.sleep(0.005)
    raise TimeoutError("background operations did not finish")


def render_all(shop: Shop, out: Path, language: str) -> list[Path]:
    """Every screen as the demo shows it: receipts as images, the terminal simulator live."""
    from drivers.terminal.simulator import serve_pty

    out.mkdir(parents=True, exist_ok=True)
    sim, terminal = serve_pty()
    printer = f"png:{shop.settings.data_dir / 'receipts'}"
    try:
        return _render(shop, out, language, printer, terminal)
    finally:
        sim.stop()


def _render(shop: Shop, out: Path, language: str, printer: str, terminal: str) -> list[Path]:
    window, _language, _scanner = build(shop, language, printer, terminal, config_path=None)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.resize(*SIZE)
    window.show()
    written: list[Path] = []
    try:
        settle(app)
        written.append(_grab(window, out / "00-signin.png", app))
        owner = users.authenticate(shop, *demo.OWNER)
        window.sign_in(owner)
        settle(app)
        for n, key in enumerate(window.pages, start=1):
            window.show_page(key)
            settle(app)
            devices = window.devices
            if key == "devices" and devices is not None:  # the terminal's first answer
                _wait(app, _terminal_ready(devices))
            written.append(_grab(window, out / f"{n:02d}-{key}.png", app))
            if key == "sell":  # the busiest moment too: a customer's goods scanned in
                for product in demo_catalog.read_demo_products()[:4]:
                    window.pages[key].on_scan(product.barcode)
                    settle(app)
                written.append(_grab(window, out / f"{n:02d}-{key}-cart.png", app))
                written += _payment_states(window, out, f"{n:02d}-{key}", app)
            if key == "reconcile":  # a day with differences, and the unknown payments
                written += _reconcile_states(window, out, f"{n:02d}-{key}", app)
            if key == "billpay":  # a bill looked up, the customer's check, 受理中, the list
                written += _billpay_states(window, out, f"{n:02d}-{key}", app)
    finally:
        window.close()
        reset_tasks()
    return written


def _payment_states(window: CashierWindow, out: Path, stem: str, app: QApplication) -> list[Path]:
    """The payment dialog in each state and the customer's screen beside it (the states are
    set through the dialog's and the display's own methods, with the words the till uses)."""
    from storebox.money import format_fen
    from storebox.sales import CARD
    from sync.emvco import merchant_presented
    from ui.cashier.sell_page import SellPage
    from ui.customer_display import CustomerDisplay, qr_image

    sell = window.pages["sell"]
    assert isinstance(sell, SellPage)
    dialog = sell.ask_pay()
    if dialog is None:
        return []
    written: list[Path] = []
    total = dialog.total_fen
    zh = window.language.current == "zh_CN"
    display = CustomerDisplay(shop_name=window.shop.settings.store_name)
    display.resize(1024, 768)
    try:
        dialog.field.set_fen(1_000 if total > 1_000 else 0)
        written.append(_grab_widget(dialog, out / f"{stem}-pay-1-tender.png", app))
        words = sell.tender_words(CARD, total)
        prompt = "请输入密码" if zh else "Enter PIN"
        dialog.show_working(_tr("Pay by card"), total, prompt, can_abort=True)
        written.append(_grab_widget(dialog, out / f"{stem}-pay-2-card.png", app))
        display.show_payment(total, _tr("Pay by card"), prompt)
        written.append(_grab_widget(display, out / f"{stem}-pay-2-customer.png", app))
        dialog.show_unknown(
            f"刷卡 / card {format_fen(total)} 结果未知且撤销未成功，请勿交付商品 / the outcome of "
            f"the card payment of {format_fen(total)} is unknown and reversing it failed: do not "
            "hand over the goods; it will be reversed before the next payment (ref 7f3a9c01)."
        )
        written.append(_grab_widget(dialog, out / f"{stem}-pay-3-unknown.png", app))
        dialog.show_resolution(
            _tr("Not charged: the customer paid nothing"),
            _tr("%1 (ref %2): reversed — the customer is not charged.")
            .replace("%1", words)
            .replace("%2", "7f3a9c01"),
            still_unknown=False,
        )
        written.append(_grab_widget(dialog, out / f"{stem}-pay-4-resolved.png", app))
        payload = merchant_presented(
            guid="com.storebox.demo",
            merchant_id="898310154990001",
            amount_fen=total,
            merchant_name="XINGFULI STORE",
            merchant_city="BEIJING",
            reference="0426-01-0042",
            name_zh="幸福里便利店",
            city_zh="北京",
        )
        dialog.show_working(_tr("Pay by the shop's QR code"), total, "", can_abort=False)
        dialog.show_qr(qr_image(payload, 240), _tr("The customer scans the code with the phone"))
        written.append(_grab_widget(dialog, out / f"{stem}-pay-5-qr.png", app))
        display.show_qr(payload, total, _tr("Scan to pay"))
        written.append(_grab_widget(display, out / f"{stem}-pay-5-customer-qr.png", app))
    finally:
        dialog.done(0)
        display.close()
        display.deleteLater()
        settle(app)
    return written


def _reconcile_states(window: CashierWindow, out: Path, stem: str, app: QApplication) -> list[Path]:
    """The 对账 screen with a result that has differences, and the owner's dialog for payments
    of unknown outcome. Both are drawn from data made here in memory, through the screen's and
    the dialog's own drawing methods: nothing is written to the shop (a screenshot may run on a
    real shop's --data-dir)."""
    import dataclasses
    import datetime as dt

    from sqlalchemy import select

    from storebox.billpay_reconcile import BillDifference, BillReconciliation
    from storebox.db.models import Sale
    from storebox.reconcile import Difference, Reconciliation, TenderTotals
    from storebox.sales import AttemptInfo
    from ui.cashier.reconcile_page import BillPart, ReconcilePage
    from ui.cashier.unknown_payments import UnknownPaymentsDialog, outcome_words

    page = window.pages["reconcile"]
    assert isinstance(page, ReconcilePage)
    shop = window.shop
    day = shop.business_day()
    with shop.store.read() as session:
        numbers = list(session.scalars(select(Sale.number).order_by(Sale.seq).limit(2)))
    numbers += [f"{day:%m%d}-01-{n:04d}" for n in (7, 9)][len(numbers) :]
    now = shop.now()
    document = Reconciliation(
        business_day=day,
        device_id=shop.device_id,
        run_at=now,
        run_by=window.actor.user_id if window.actor else None,
        card=TenderTotals(5, 12_350, 1, 800),
        wallet=TenderTotals(3, 4_560, 0, 0),
        terminal=None,
        settlement_checked=True,
        acquirer=TenderTotals(3, 4_920, 0, 0),
        acquirer_fees_fen=27,
        differences=(
            Difference(
                "reversed_at_acquirer",
                "wallet",
                f"sale {numbers[0]}: paid ¥15.50 in the shop, reversed at the acquirer (the "
                "customer has the money back)",
                reference="0196f3a2c1d47e8b9a0c7f3a9c01",
                acquirer_reference="4200002611260042",
                sale_number=numbers[0],
                shop_fen=1_550,
                other_fen=0,
            ),
            Difference(
                "missing_in_shop",
                "wallet",
                "payment 0196f3a2e5b8 of ¥19.10 (approved at the acquirer): sale attempt of "
                "¥19.10: the shop's attempt is still unknown: resolve it",
                reference="0196f3a2e5b87c2d1e4f5a6b2d8e",
                acquirer_reference="2026112622001457",
                other_fen=1_910,
            ),
            Difference(
                "amount_mismatch",
                "wallet",
                f"sale {numbers[1]}: the shop has ¥8.00, the acquirer ¥8.50",
                reference="0196f3a30a1b2c3d4e5f60718293",
                acquirer_reference="4200002611260057",
                sale_number=numbers[1],
                shop_fen=800,
                other_fen=850,
            ),
        ),
    ).as_dict()
    page.notes[day] = [
        QCoreApplication.translate(
            "ReconcilePage",
            "Card: the terminal settled its batch but does not report its totals: card totals "
            "not checked.",
        )
    ]
    # the bill-payment part (便民缴费) of the same run: one payment the hub does not have yet
    bills = BillReconciliation(
        day=day,
        run_at=now,
        shop_count=4,
        shop_amount_fen=28_000,
        hub_count=3,
        hub_amount_fen=18_000,
        other_tills_count=0,
        differences=(
            BillDifference(
                "missing_at_hub",
                "0196f3a31c2d3e4f5a6b7c8d9e0f",
                f"B{day:%m%d}-01-0004",
                shop_fen=10_000,
                shop_status="success",
                detail="事件未上传 / its event is still in the outbox",
            ),
        ),
    ).as_dict()
    page.bills[day] = BillPart({**bills, "shop_commission_fen": 200, "hub_commission_fen": 150})
    page._show(document)
    status = window.last_status
    if status is not None:  # the red badge, as the status bar shows it with two open
        window.last_status = dataclasses.replace(status, undecided=2)
        window.retranslate_status()
    written = [_grab(window, out / f"{stem}-differences.png", app)]

    owner = window.actor
    assert owner is not None
    dialog = UnknownPaymentsDialog(window, shop, window.devices, owner)
    settle(app)  # its own read (nothing open in the demo) comes back first
    at = now - dt.timedelta(minutes=47)
    attempts = [
        AttemptInfo(
            reference="0196f3a2d9e07f3a9c01",
            kind="card",
            operation="sale",
            amount_fen=3_650,
            status="unknown",
            created_at=at,
            message="reversal not confirmed",
            context={"terminal_match": {"terminal_id": "52500038", "trace_before": "000122"}},
            last={
                "masked_pan": "621234*********4567",
                "card_name": "UnionPay",
                "terminal_id": "52500038",
                "trace": "000123",
            },
        ),
        AttemptInfo(
            reference="0196f3a2e5b87c2d1e4f5a6b2d8e",
            kind="wallet",
            operation="sale",
            amount_fen=1_910,
            status="unknown",
            created_at=at + dt.timedelta(minutes=12),
            message="no final answer; enquiring",
            context={},
        ),
    ]
    try:
        dialog._show(attempts)
        dialog.asked.add(attempts[0].reference)  # asked again: still unknown
        dialog.table.selectRow(0)
        dialog.say(outcome_words(attempts[0]))
        dialog.reason.setText("终端小票显示已扣款 / the terminal's slip shows it charged")
        written.append(_grab_widget(dialog, out / f"{stem}-unknown-payments.png", app))
    finally:
        dialog.done(0)
        dialog.deleteLater()
        settle(app)
    return written


#: billers shaped like the hub's simulated ones, for the screenshots only (the shop's own come
#: from the hub's `billers` stream; nothing is written to the shop here)
_SHOT_BILLERS: tuple[tuple[str, str, str, dict[str, object]], ...] = (
    (
        "sgcc-bj",
        "electricity",
        "国家电网 北京电力（电费）",
        {
            "account_label": "户号",
            "account_pattern": r"^(\d{10}|110\d{10})$",
            "account_tip": "13 位户号（110 开头），旧 10 位户号自动补全",
            "lookup": True,
            "amount_min_fen": 100,
            "partial": False,
            "commission": {"kind": "fixed", "fixed_fen": 50},
        },
    ),
    ("bjwater", "water", "北京自来水集团（水费）", {"account_label": "户号", "lookup": True}),
    ("bjgas", "gas", "北京燃气（燃气费）", {"account_label": "燃气用户号", "lookup": True}),
    (
        "cmcc",
        "mobile",
        "中国移动 话费充值",
        {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "denominations_fen": [1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000],
            "prefixes": ["138"],
            "commission": {"kind": "percent", "basis_points": 150},
        },
    ),
    ("cc-repay", "credit_card", "信用卡还款", {"account_label": "信用卡号"}),
)


def _billpay_states(window: CashierWindow, out: Path, stem: str, app: QApplication) -> list[Path]:
    """The 缴费 screen with an electricity bill looked up, what the customer checks (请核对),
    a 受理中 result taken offline, today's list with a failed payment, and the sell screen's red
    banner for the refund owed. Drawn through the screen's own methods from data made here in
    memory: nothing is written to the shop."""
    import dataclasses
    import datetime as dt

    from storebox.billers import BillerData
    from storebox.billpay import BillView, RefundTask
    from storebox.ports import BillInfo
    from ui.cashier.billpay_page import TODAY, BillPayPage
    from ui.cashier.billpay_refund import BillRefundDialog
    from ui.customer_display import CustomerDisplay

    page = window.pages["billpay"]
    assert isinstance(page, BillPayPage)
    shop = window.shop
    billers = [
        BillerData(i, kind, name, True, dict(rules)) for i, kind, name, rules in _SHOT_BILLERS
    ]
    page.set_billers(billers)
    page.choose_biller(billers[3], "13812345678")  # a top-up: the carrier by its segment
    page.choose_denomination(5_000)
    written = [_grab(window, out / f"{stem}-0-topup.png", app)]
    page.choose_biller(billers[0], "1100123456789")
    now = shop.now()
    page.show_bill(
        BillInfo(
            biller_id="sgcc-bj",
            account_masked="110******6789",
            holder_masked="张*明",
            amount_due_fen=18_650,
            query_no="Q20261126001",
            expires_at=now + dt.timedelta(minutes=30),
            due_date=dt.date(2026, 12, 10),
            period="2026-10",
        )
    )
    written.append(_grab(window, out / f"{stem}-1-electricity.png", app))
    # confirm() asks billpay.check on the core's worker, which reads the shop's own billers;
    # these are in memory only, so the check's "nothing refused" answer is given directly
    assert page.account is not None and page.amount is not None
    page._checked(("sgcc-bj", page.account, page.amount, page.bill), None)
    written.append(_grab(window, out / f"{stem}-2-confirm.png", app))
    display = CustomerDisplay(shop_name=shop.settings.store_name)
    display.resize(1024, 768)
    try:
        display.show_bill(*page._customer_fields())
        written.append(_grab_widget(display, out / f"{stem}-2-customer.png", app))
    finally:
        display.close()
        display.deleteLater()
    dialog = page.take_money()  # the sell screen's payment dialog, for a bill: cash or card
    if dialog is not None:
        try:
            written.append(_grab_widget(dialog, out / f"{stem}-2-pay.png", app))
        finally:
            dialog.done(0)
            settle(app)
    cashier = window.actor
    base = BillView(
        payment_id="0196f3a2-c1d4-7e8b-9a0c-7f3a9c01aa01",
        number=f"B{shop.business_day():%m%d}-01-0007",
        business_day=shop.business_day(),
        biller_id="cmcc",
        biller_kind="mobile",
        biller_name="中国移动 话费充值",
        account_masked="138****5678",
        holder_masked="",
        period="",
        query_no="",
        amount_fen=10_000,
        commission_fen=0,
        tender="cash",
        tendered_fen=10_000,
        change_fen=0,
        masked_pan="",
        status="pending",
        accepted_offline=True,
        biller_reference="",
        reason_code="",
        message="",
        accepted_at=now,
        answered_at=None,
        final_at=None,
        cashier_id=cashier.user_id if cashier else "",
        cashier_name=cashier.name if cashier else "",
    )
    page.show_result(base)
    written.append(_grab(window, out / f"{stem}-3-processing.png", app))
    failed = dataclasses.replace(
        base,
        payment_id="0196f3a2-c1d4-7e8b-9a0c-7f3a9c01aa02",
        number=f"B{shop.business_day():%m%d}-01-0005",
        biller_id="bjgas",
        biller_kind="gas",
        biller_name="北京燃气（燃气费）",
        account_masked="123****7890",
        amount_fen=8_000,
        status="failed",
        accepted_offline=False,
        reason_code="account_closed",
        message="户号已销户 / the account is closed",
        accepted_at=now - dt.timedelta(minutes=40),
        answered_at=now - dt.timedelta(minutes=12),
        final_at=now - dt.timedelta(minutes=12),
    )
    failed = dataclasses.replace(
        failed,
        refund=RefundTask(
            id="0196f3a2-c1d4-7e8b-9a0c-7f3a9c01aa03",
            payment_id=failed.payment_id,
            number=failed.number,
            biller_name=failed.biller_name,
            account_masked=failed.account_masked,
            amount_fen=failed.amount_fen,
            tender="cash",
            status="open",
            reason="account_closed",
            raised_at=now - dt.timedelta(minutes=12),
            done_at=None,
        ),
    )
    success = dataclasses.replace(
        base,
        payment_id="0196f3a2-c1d4-7e8b-9a0c-7f3a9c01aa04",
        number=f"B{shop.business_day():%m%d}-01-0006",
        biller_id="sgcc-bj",
        biller_kind="electricity",
        biller_name="国家电网 北京电力（电费）",
        account_masked="110******6789",
        holder_masked="张*明",
        amount_fen=18_650,
        tender="card",
        masked_pan="622588******1234",
        status="success",
        accepted_offline=False,
        biller_reference="SG20261126000123",
        accepted_at=now - dt.timedelta(minutes=25),
    )
    page._go(TODAY)
    page._show_today([failed, success, base])
    written.append(_grab(window, out / f"{stem}-4-today.png", app))
    refund = BillRefundDialog(page, failed)
    try:
        written.append(_grab_widget(refund, out / f"{stem}-4-refund.png", app))
    finally:
        refund.done(0)
        refund.deleteLater()
        settle(app)
    page.new_customer()

    status = window.last_status
    if status is not None:  # the red banner and badge, as they show with one refund owed
        window.last_status = dataclasses.replace(status, bill_refunds=1)
        window.retranslate_status()
        window.show_page("sell")
        settle(app)
        written.append(_grab(window, out / f"{stem}-5-refund-banner.png", app))
        window.last_status = status
        window.retranslate_status()
        window.show_page("billpay")
        settle(app)
    return written


def _tr(text: str) -> str:
    return QCoreApplication.translate("SellPage", text)


def _grab_widget(widget: QWidget, path: Path, app: QApplication) -> Path:
    widget.show()
    app.processEvents()
    widget.grab().save(str(path))
    return path


def _terminal_ready(devices: Devices) -> Callable[[], bool]:
    return lambda: devices.health(Kind.TERMINAL).state is State.READY


def _wait(app: QApplication, done: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def _grab(window: CashierWindow, path: Path, app: QApplication) -> Path:
    app.processEvents()
    window.grab().save(str(path))
    return path
