"""HubWallet (sync/wallet.py): the core's wallet port through the real hub over HTTP on loopback,
with the fault proxy in between where the network has to fail. The core's own checkout and
refund run through it end to end, and the acquirer's settlement agrees with the shop's sales to
the fen."""

from __future__ import annotations

import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator

import pytest

from storebox import refunds, sales
from storebox.errors import PaymentDeclined, PaymentUnknown, ShopError
from storebox.ports import DynamicQr, PaymentStatus, QrState, WalletPayments
from storebox.sales import Cart, Cash, Wallet
from storebox.shop import Shop
from sync import emvco
from sync.client import HubClient
from sync.hub import acquirer
from sync.wallet import HubWallet
from tests.sync.acquirer_fixtures import ALIPAY, WECHAT, HubClock, Till, make_till
from tests.sync.conftest import RunningHub
from tests.sync.faultproxy import Fault, FaultProxy
from tests.sync.shopfixtures import Counter, open_counter


@pytest.fixture
def hub_clock(monkeypatch: pytest.MonkeyPatch) -> HubClock:
    return HubClock(monkeypatch)


@pytest.fixture
def till(hub: RunningHub, hub_clock: HubClock) -> Iterator[Till]:
    made = make_till(hub)
    yield made
    made.client.close()


@pytest.fixture
def proxy(hub: RunningHub) -> Iterator[FaultProxy]:
    with FaultProxy(("127.0.0.1", hub.port)) as running:
        yield running
        assert running.errors == []


@pytest.fixture
def counter(shop: Shop) -> Counter:
    return open_counter(shop)


class Sleeps:
    """The wallet's sleep: moves the hub's clock instead of waiting (and keeps the total)."""

    def __init__(self, hub_clock: HubClock) -> None:
        self.hub_clock = hub_clock
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.hub_clock.advance(seconds)


def wallet_for(
    till: Till,
    hub_clock: HubClock,
    *,
    url: str | None = None,
    read_timeout: float = 5.0,
    **kwargs: object,
) -> tuple[HubWallet, Sleeps]:
    sleeps = Sleeps(hub_clock)
    client = HubClient(url or till.hub.base_url, till.client.token, read_timeout=read_timeout)
    options: dict[str, object] = {"poll_interval": 0.5, "pay_deadline": 30.0, "sleep": sleeps}
    options.update(kwargs)
    return HubWallet(client, **options), sleeps  # type: ignore[arg-type]


def ref() -> str:
    return str(uuid.uuid4())


def shop_wallet_fen(shop: Shop) -> tuple[int, int]:
    """(wallet payments, wallet refunds) as the shop recorded them."""
    con = sqlite3.connect(shop.settings.db_path)
    try:
        paid = con.execute(
            "SELECT COALESCE(SUM(tendered_fen), 0) FROM payments WHERE kind = 'wallet'"
        ).fetchone()[0]
        back = con.execute(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM refund_payments WHERE kind = 'wallet'"
        ).fetchone()[0]
        return int(paid), int(back)
    finally:
        con.close()


def cart_of(counter: Counter, colas: int = 1, breads: int = 0) -> Cart:
    cart = Cart()
    for _ in range(colas):
        sales.add_product(cart, counter.cola)
    for _ in range(breads):
        sales.add_product(cart, counter.bread)
    return cart


# --- the port on its own -------------------------------------------------------------------


def test_hub_wallet_is_the_cores_port(till: Till, hub_clock: HubClock) -> None:
    wallet, _ = wallet_for(till, hub_clock)
    assert isinstance(wallet, WalletPayments) and isinstance(wallet, DynamicQr)


def test_approved_and_declined(till: Till, hub_clock: HubClock) -> None:
    wallet, _ = wallet_for(till, hub_clock)
    till.script("approve,decline")
    reference = ref()
    paid = wallet.micropay(WECHAT, 1250, reference)
    assert (paid.status, paid.amount_fen, paid.reference) == (
        PaymentStatus.APPROVED,
        1250,
        reference,
    )
    assert paid.card_name == "微信支付 WeChat Pay" and len(paid.trace) == 16
    assert paid.extra["acquirer_reference"] == paid.trace
    declined = wallet.micropay(ALIPAY, 300, ref())
    assert declined.status is PaymentStatus.DECLINED and "insufficient funds" in declined.message
    assert wallet.query(reference).status is PaymentStatus.APPROVED


@pytest.mark.parametrize(
    ("step", "status"),
    [("user_paying:3", PaymentStatus.APPROVED), ("user_paying:3:decline", PaymentStatus.DECLINED)],
)
def test_user_paying_is_polled_until_final(
    till: Till, hub_clock: HubClock, step: str, status: PaymentStatus
) -> None:
    wallet, sleeps = wallet_for(till, hub_clock, poll_interval=0.5)
    till.script(step)
    result = wallet.micropay(WECHAT, 800, ref())
    assert result.status is status
    assert 3 <= sum(sleeps.calls) <= 4  # asked every 0.5 s of the hub's time until final


def test_user_paying_past_the_deadline_is_unknown_never_a_guess(
    till: Till, hub_clock: HubClock
) -> None:
    wallet, _ = wallet_for(till, hub_clock, poll_interval=0.05, pay_deadline=0.4, sleep=time.sleep)
    till.script("user_paying:600")
    started = time.monotonic()
    result = wallet.micropay(WECHAT, 800, ref())
    assert result.status is PaymentStatus.UNKNOWN
    assert time.monotonic() - started < 3  # bounded
    # the acquirer refuses to reverse it while the customer confirms: still unknown, not declined
    wallet.reverse_wait = wallet.pay_deadline = 0.2
    assert wallet.reverse(result.reference).status is PaymentStatus.UNKNOWN


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def test_offline_is_refused_at_once_before_any_money_moves(till: Till, hub_clock: HubClock) -> None:
    wallet, _ = wallet_for(till, hub_clock, url=f"http://127.0.0.1:{_closed_port()}")
    reference = ref()
    started = time.monotonic()
    with pytest.raises(ShopError, match="take cash or card"):
        wallet.micropay(WECHAT, 500, reference)
    assert time.monotonic() - started < 2
    told_offline, _ = wallet_for(till, hub_clock, online=lambda: False)
    with pytest.raises(ShopError, match="take cash or card"):
        told_offline.micropay(WECHAT, 500, reference)
    with pytest.raises(Exception, match="404"):
        till.client.query_order(reference)  # nothing reached the acquirer


def test_a_lost_or_failed_answer_is_unknown_not_declined(
    till: Till, hub_clock: HubClock, proxy: FaultProxy
) -> None:
    wallet, _ = wallet_for(till, hub_clock, url=proxy.url, read_timeout=0.5)
    for fault in (Fault.BLACKHOLE, Fault.HTTP_502, Fault.CUT_UNFRAMED, Fault.CUT_MID_BODY):
        proxy.set(fault, times=1)
        result = wallet.micropay(WECHAT, 500, ref())
        assert result.status is PaymentStatus.UNKNOWN, fault
    proxy.set(Fault.HTTP_500, times=1)
    assert wallet.query(ref()).status is PaymentStatus.UNKNOWN


def test_bad_input_is_refused_before_sending(
    till: Till, hub_clock: HubClock, proxy: FaultProxy
) -> None:
    wallet, _ = wallet_for(till, hub_clock, url=proxy.url)
    for code, amount in (("991234567890123456", 100), (WECHAT, 0), (WECHAT, -1)):
        with pytest.raises(ShopError):
            wallet.micropay(code, amount, ref())
    with pytest.raises(ShopError):
        wallet.create(0, ref())
    assert proxy.stats().requests == 0


def test_dynamic_qr_through_the_port(till: Till, hub_clock: HubClock) -> None:
    wallet, _ = wallet_for(till, hub_clock)
    reference = ref()
    order = wallet.create(1880, reference, sale_reference="S1126-01-0001")
    assert order.state is QrState.WAITING and order.amount_fen == 1880
    fields = emvco.parse(order.payload)
    assert fields["54"] == "18.80" and emvco.parse_template(fields["62"])["01"] == "S1126-01-0001"
    acquirer.customer_pays(till.hub.db, till.store_id, reference, "alipay")
    paid = wallet.status(reference)
    assert (paid.state, paid.wallet) == (QrState.PAID, "alipay")
    assert wallet.close(reference).state is QrState.PAID  # paid meanwhile: close says so
    other = ref()
    wallet.create(500, other)
    assert wallet.close(other).state is QrState.CLOSED


# --- the core's checkout through the hub ---------------------------------------------------


def test_checkout_when_the_hubs_answer_is_lost_after_the_acquirer_approved(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock, proxy: FaultProxy
) -> None:
    wallet, _ = wallet_for(till, hub_clock, url=proxy.url)
    cart = cart_of(counter, colas=2)
    total = cart.total_fen
    proxy.set(Fault.CUT_BEFORE_RESPONSE, times=1)  # the micropay's answer is lost
    receipt = sales.checkout(
        shop, counter.till.cashier, cart, [Wallet(WECHAT, total)], wallet=wallet
    )
    stats = proxy.stats()
    assert stats.lost_answers["POST /v1/acquirer/micropay"] == 1
    assert stats.forwarded_by["POST /v1/acquirer/micropay"] == 1  # never sent twice
    assert any(p.startswith("GET /v1/acquirer/orders/") for p in stats.paths)  # resolved by query
    assert receipt.total_fen == total
    day = till.settlement()
    assert (day.payments_count, day.payments_fen) == (1, total)  # exactly one charge
    assert shop_wallet_fen(shop) == (total, 0)


def test_checkout_when_the_answer_and_the_query_are_lost_reverses_after_15_s(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock, proxy: FaultProxy
) -> None:
    wallet, sleeps = wallet_for(till, hub_clock, url=proxy.url)
    cart = cart_of(counter)
    total = cart.total_fen
    proxy.set(Fault.CUT_BEFORE_RESPONSE, times=2)  # the micropay's answer, then the query's
    with pytest.raises(PaymentUnknown, match="reversed"):
        sales.checkout(shop, counter.till.cashier, cart, [Wallet(WECHAT, total)], wallet=wallet)
    assert 14 <= sum(sleeps.calls) <= 16  # waited out WeChat's 15 s before the reversal
    reverses = [p for p in proxy.stats().paths if p.endswith("/reverse")]
    assert len(reverses) == 2  # refused too early once, then done
    day = till.settlement()
    assert (day.payments_fen, day.net_fen) == (0, 0)
    assert [r.status for r in day.rows] == ["reversed"]
    assert shop_wallet_fen(shop) == (0, 0)
    assert sales.unsettled_attempts(shop) == []


def test_checkout_through_a_scripted_timeout(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet, _ = wallet_for(till, hub_clock, read_timeout=0.5)
    till.script("timeout:2")
    cart = cart_of(counter)
    receipt = sales.checkout(
        shop, counter.till.cashier, cart, [Wallet(ALIPAY, cart.total_fen)], wallet=wallet
    )
    assert receipt.total_fen == cart.total_fen
    assert till.settlement().payments_fen == cart.total_fen
    time.sleep(1.6)  # the hub still holds its late answer


def test_checkout_offline_offers_cash_or_card_and_sells_nothing(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet, _ = wallet_for(till, hub_clock, url=f"http://127.0.0.1:{_closed_port()}")
    cart = cart_of(counter)
    with pytest.raises(ShopError, match="take cash or card"):
        sales.checkout(
            shop, counter.till.cashier, cart, [Wallet(WECHAT, cart.total_fen)], wallet=wallet
        )
    assert sales.unsettled_attempts(shop) == []
    receipt = sales.checkout(shop, counter.till.cashier, cart, [Cash(cart.total_fen)])
    assert receipt.total_fen == cart.total_fen
    assert shop_wallet_fen(shop) == (0, 0)


def test_settlement_agrees_with_the_shops_sales_to_the_fen(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock, proxy: FaultProxy
) -> None:
    wallet, _ = wallet_for(till, hub_clock, url=proxy.url, read_timeout=0.5)
    till.script("approve,decline,user_paying:2,approve,duplicate,approve")
    made: list[sales.SaleReceipt] = []
    # 1 approved
    cart = cart_of(counter, colas=3)
    made.append(
        sales.checkout(
            shop, counter.till.cashier, cart, [Wallet(WECHAT, cart.total_fen)], wallet=wallet
        )
    )
    # 2 declined: nothing sold, nothing charged
    cart = cart_of(counter, breads=1)
    with pytest.raises(PaymentDeclined):
        sales.checkout(
            shop, counter.till.cashier, cart, [Wallet(ALIPAY, cart.total_fen)], wallet=wallet
        )
    # 3 the customer types the password
    made.append(
        sales.checkout(
            shop, counter.till.cashier, cart, [Wallet(ALIPAY, cart.total_fen)], wallet=wallet
        )
    )
    # 4 split: part cash, part wallet, and the wallet's answer lost
    cart = cart_of(counter, colas=1, breads=2)
    proxy.set(Fault.CUT_MID_BODY, times=1)
    made.append(
        sales.checkout(
            shop,
            counter.till.cashier,
            cart,
            [Wallet(WECHAT, 1000), Cash(cart.total_fen - 1000)],
            wallet=wallet,
        )
    )
    # 5 ORDERPAID: charged, answered unclearly
    cart = cart_of(counter, colas=4)
    made.append(
        sales.checkout(
            shop, counter.till.cashier, cart, [Wallet(WECHAT, cart.total_fen)], wallet=wallet
        )
    )
    # 6 approved, then refunded back to the wallet through the core
    cart = cart_of(counter, colas=2, breads=1)
    refunded_sale = sales.checkout(
        shop, counter.till.cashier, cart, [Wallet(ALIPAY, cart.total_fen)], wallet=wallet
    )
    made.append(refunded_sale)
    back = refunds.refund(
        shop, counter.till.cashier, refunded_sale.number, None, "顾客退货", wallet=wallet
    )
    paid_fen, refunded_fen = shop_wallet_fen(shop)
    day = till.settlement()
    assert day.payments_fen == paid_fen
    assert day.refunds_fen == refunded_fen == back.total_fen
    assert day.payments_count == len(made)
    assert day.net_fen == paid_fen - refunded_fen - day.fees_fen
    assert sales.unsettled_attempts(shop) == []


# --- what a crash left behind --------------------------------------------------------------


def test_a_payment_approved_when_the_till_died_is_reversed_before_the_next_sale(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet, sleeps = wallet_for(till, hub_clock)
    orphan = sales.begin_attempt(
        shop, sales.WALLET, "sale", 700, {"cart_id": "x", "total_fen": 700}
    )
    # the money moves at the acquirer, then the till dies before the sale is recorded
    assert wallet.micropay(WECHAT, 700, orphan).status is PaymentStatus.APPROVED
    sales.release_attempts([orphan])  # as if its process were gone
    cart = cart_of(counter)
    receipt = sales.checkout(
        shop, counter.till.cashier, cart, [Wallet(ALIPAY, cart.total_fen)], wallet=wallet
    )
    assert till.client.query_order(orphan).status == "reversed"  # the customer got it back
    assert 14 <= sum(sleeps.calls) <= 16  # not before WeChat's 15 s
    day = till.settlement()
    assert (day.payments_count, day.payments_fen) == (1, receipt.total_fen)
    assert shop_wallet_fen(shop) == (receipt.total_fen, 0)
    assert sales.unsettled_attempts(shop) == []


def test_a_payment_the_till_died_before_sending_cannot_charge_later(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet, _ = wallet_for(till, hub_clock)
    orphan = sales.begin_attempt(
        shop, sales.WALLET, "sale", 700, {"cart_id": "x", "total_fen": 700}
    )
    sales.release_attempts([orphan])
    resolved = sales.resolve_open_attempts(shop, wallet=wallet)
    assert [(a.reference, a.status) for a in resolved] == [(orphan, "reversed")]
    # the request turns up late at the acquirer: it cannot charge any more
    late = wallet.micropay(WECHAT, 700, orphan)
    assert late.status is PaymentStatus.DECLINED
    assert till.settlement().payments_fen == 0


def test_a_qr_tender_not_paid_is_cancelled_so_it_cannot_be_paid_later(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet, _ = wallet_for(till, hub_clock, pay_deadline=1.0, reverse_wait=1.0)
    cart = cart_of(counter)
    total = cart.total_fen
    reference = sales.begin_attempt(shop, sales.WALLET, "sale", total, {"cart_id": cart.id})
    assert wallet.create(total, reference).state is QrState.WAITING
    with pytest.raises(PaymentUnknown):  # shown but not paid when the cashier pressed "paid"
        sales.checkout(
            shop, counter.till.cashier, cart, [sales.QrPaid(reference, total)], wallet=wallet
        )
    resolved = sales.resolve_open_attempts(shop, wallet=wallet)
    assert [(a.reference, a.status) for a in resolved] == [(reference, "reversed")]
    assert wallet.status(reference).state is QrState.CLOSED
    with pytest.raises(acquirer.AdminError):  # the customer scans it too late
        acquirer.customer_pays(till.hub.db, till.store_id, reference)
    assert till.settlement().payments_fen == 0


def test_a_paid_qr_tender_is_confirmed_and_sold_once(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet, _ = wallet_for(till, hub_clock)
    cart = cart_of(counter, colas=2)
    total = cart.total_fen
    reference = sales.begin_attempt(shop, sales.WALLET, "sale", total, {"cart_id": cart.id})
    order = wallet.create(total, reference)
    assert emvco.amount_fen(emvco.parse(order.payload)["54"]) == total
    acquirer.customer_pays(till.hub.db, till.store_id, reference, "wechat")
    receipt = sales.checkout(
        shop, counter.till.cashier, cart, [sales.QrPaid(reference, total)], wallet=wallet
    )
    assert receipt.total_fen == total
    assert till.settlement().payments_fen == total == shop_wallet_fen(shop)[0]
