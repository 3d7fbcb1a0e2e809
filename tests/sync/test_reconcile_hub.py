"""End-of-day reconciliation (对账) against the real hub over HTTP: the acquirer's settlement file
fetched through the shop's client (the adapter in cli.reconcile_cmd / sync.reconcile_fetch)
and matched by the core. Dirty days made on purpose with the acquirer scripted and the network
cut: a lost answer, a reversal, a late approval; a clean day gives zero differences."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.reconcile_cmd import fetch_and_reconcile
from storebox import refunds, reports, sales
from storebox.clock import FixedClock
from storebox.config import load
from storebox.errors import PaymentUnknown
from storebox.ports import PaymentStatus
from storebox.sales import Wallet
from storebox.shop import Shop, open_shop
from sync.client import HubClient
from sync.hub import acquirer
from sync.wallet import HubWallet
from tests.conftest import START
from tests.sync.acquirer_fixtures import ALIPAY, WECHAT, HubClock, Till, make_till
from tests.sync.conftest import RunningHub
from tests.sync.shopfixtures import Counter, open_counter
from tests.sync.test_wallet import cart_of


@pytest.fixture
def hub_clock(monkeypatch: pytest.MonkeyPatch) -> HubClock:
    made = HubClock(monkeypatch)
    # the hub's clock on the shop's: its China day is the shop's business day
    made.advance((START - dt.datetime.now(dt.UTC)).total_seconds())
    return made


@pytest.fixture
def till(hub: RunningHub, hub_clock: HubClock) -> Iterator[Till]:
    made = make_till(hub)
    yield made
    made.client.close()


@pytest.fixture
def counter(shop: Shop) -> Counter:
    return open_counter(shop)


def _wallet(till: Till, **options: float) -> HubWallet:
    client = HubClient(till.hub.base_url, till.client.token, read_timeout=5.0)
    settings: dict[str, float] = {"poll_interval": 0.05, "pay_deadline": 5.0}
    settings.update(options)
    return HubWallet(client, sleep=time.sleep, **settings)  # type: ignore[arg-type]


def _sell(
    shop: Shop, counter: Counter, wallet: HubWallet, code: str, colas: int
) -> sales.SaleReceipt:
    cart = cart_of(counter, colas=colas)
    return sales.checkout(
        shop, counter.till.cashier, cart, [Wallet(code, cart.total_fen)], wallet=wallet
    )


def _ref(receipt: sales.SaleReceipt) -> str:
    (p,) = [p for p in receipt.payments if p.kind == "wallet"]
    assert p.reference
    return p.reference


def test_a_clean_day_at_the_real_hub_has_zero_differences(
    shop: Shop, counter: Counter, till: Till
) -> None:
    wallet = _wallet(till)
    _sell(shop, counter, wallet, ALIPAY, 2)
    sold = _sell(shop, counter, wallet, ALIPAY, 3)
    refunds.refund(shop, counter.till.cashier, sold.number, None, "退货", wallet=wallet)
    notes: list[str] = []
    result = fetch_and_reconcile(
        shop, shop.business_day(), client=till.client, terminal=None, notes=notes
    )
    assert result.settlement_checked and notes == []
    assert result.differences == ()
    assert result.acquirer.payments_count == 2 and result.acquirer.refunds_count == 1
    assert result.acquirer.payments_fen == result.wallet.payments_fen > 0
    z = reports.z_report(shop, as_admin=True).as_dict()
    assert z["reconciliation"]["clean"] is True


def test_a_lost_answer_a_reversal_and_a_late_approval_are_each_found(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet = _wallet(till)
    day = shop.business_day()
    good = _sell(shop, counter, wallet, ALIPAY, 1)

    # 1. a reversal: the sale stands in the shop, the acquirer reversed it afterwards
    reversed_sale = _sell(shop, counter, wallet, ALIPAY, 2)
    assert till.client.reverse_order(_ref(reversed_sale)).status == "reversed"

    # 2. a late approval: the customer confirms long after the till gave up (unknown; the
    # acquirer refuses the reversal while the customer is confirming), then pays
    till.script("user_paying:300")
    slow = _wallet(till, pay_deadline=0.3, reverse_wait=0.2)
    cart = cart_of(counter, colas=4)
    with pytest.raises(PaymentUnknown):
        sales.checkout(
            shop, counter.till.cashier, cart, [Wallet(WECHAT, cart.total_fen)], wallet=slow
        )
    (late,) = sales.unsettled_attempts(shop)
    hub_clock.advance(301)

    # 3. a lost answer: the acquirer approved, the till died before it heard (or recorded) it.
    # Last, because the next checkout would find it and reverse it (then no money moved)
    lost = sales.begin_attempt(shop, sales.WALLET, "sale", 700, {"cart_id": "x", "total_fen": 700})
    assert wallet.micropay(ALIPAY, 700, lost).status is PaymentStatus.APPROVED
    sales.release_attempts([lost])

    result = fetch_and_reconcile(shop, day, client=till.client, terminal=None, notes=[])
    found = {(d.kind, d.sale_number or d.reference) for d in result.differences}
    assert found == {
        ("missing_in_shop", lost),
        ("reversed_at_acquirer", reversed_sale.number),
        ("missing_in_shop", late.reference),
    }
    by_ref = {d.reference: d for d in result.differences}
    assert "pending" in by_ref[lost].detail and by_ref[lost].other_fen == 700
    assert "unknown" in by_ref[late.reference].detail
    assert by_ref[late.reference].other_fen == cart.total_fen
    assert by_ref[_ref(reversed_sale)].shop_fen == reversed_sale.total_fen
    assert _ref(good) not in by_ref  # the good sale matched
    z = reports.z_report(shop, as_admin=True)
    assert z.as_dict()["reconciliation"]["differences_count"] == 3
    assert reversed_sale.number in z.render_text()


def test_a_sale_after_midnight_is_matched_on_its_business_day(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock, clock: FixedClock
) -> None:
    wallet = _wallet(till)
    day = shop.business_day()
    evening = _sell(shop, counter, wallet, ALIPAY, 1)
    # 01:30 in Shanghai the next calendar day: still business day `day` before the cut-off
    clock.advance(hours=15, minutes=30)
    hub_clock.advance((15 * 60 + 30) * 60)
    assert shop.business_day() == day
    night = _sell(shop, counter, wallet, ALIPAY, 2)
    assert till.settlement(day + dt.timedelta(days=1)).payments_count == 1  # the acquirer's day

    result = fetch_and_reconcile(shop, day, client=till.client, terminal=None, notes=[])
    assert result.differences == ()
    assert result.acquirer.payments_count == 2
    assert result.wallet.payments_fen == evening.total_fen + night.total_fen


def test_a_paid_shop_code_and_an_unpaid_one_reconcile_clean(
    shop: Shop, counter: Counter, till: Till, hub_clock: HubClock
) -> None:
    wallet = _wallet(till)
    cart = cart_of(counter, colas=2)
    total = cart.total_fen
    paid = sales.begin_attempt(shop, sales.WALLET, "sale", total, {"cart_id": cart.id})
    wallet.create(total, paid)
    acquirer.customer_pays(till.hub.db, till.store_id, paid, "wechat")
    receipt = sales.checkout(
        shop, counter.till.cashier, cart, [sales.QrPaid(paid, total)], wallet=wallet
    )
    unpaid = sales.begin_attempt(shop, sales.WALLET, "sale", 300, {"cart_id": "y"})
    wallet.create(300, unpaid)
    wallet.close(unpaid)
    sales.mark_attempt(shop, unpaid, "declined", None, "qr: closed unpaid")

    result = fetch_and_reconcile(
        shop, shop.business_day(), client=till.client, terminal=None, notes=[]
    )
    assert result.differences == ()
    assert result.acquirer.payments_fen == receipt.total_fen == result.wallet.payments_fen
    # the same code reversed at the acquirer afterwards is found with its sale
    hub_clock.advance(16)  # WeChat: no reversal within 15 s
    assert till.client.reverse_order(paid).status == "reversed"
    result = fetch_and_reconcile(
        shop, shop.business_day(), client=till.client, terminal=None, notes=[]
    )
    assert [(d.kind, d.sale_number) for d in result.differences] == [
        ("reversed_at_acquirer", receipt.number)
    ]


def test_two_tills_of_one_store_each_reconcile_only_their_own_payments(
    shop: Shop, counter: Counter, till: Till, tmp_path: Path, clock: FixedClock
) -> None:
    """The acquirer's file is the store's; each till has its own database. Before the file was
    filtered by device, till 1's payments showed on till 2's reconciliation as 'at the acquirer,
    never sent by this shop' (and the other way round)."""
    second = till.hub.enrol(till.store_id, device_name="till-2")
    assert second.store_id == till.store_id and second.device_id != till.device_id
    client_2 = HubClient(till.hub.base_url, second.token, read_timeout=10.0)
    settings_2 = load(
        config_path=None,
        environ={},
        overrides={"data_dir": str(tmp_path / "shop-2"), "pin_scrypt_n": 16},
    )
    with open_shop(settings_2, clock) as shop_2:
        counter_2 = open_counter(shop_2)
        _sell(shop, counter, _wallet(till), ALIPAY, 2)
        wallet_2 = HubWallet(client_2, sleep=time.sleep, poll_interval=0.05, pay_deadline=5.0)
        _sell(shop_2, counter_2, wallet_2, WECHAT, 3)
        for each, client in ((shop, till.client), (shop_2, client_2)):
            notes: list[str] = []
            result = fetch_and_reconcile(
                each, each.business_day(), client=client, terminal=None, notes=notes
            )
            assert result.differences == (), result.differences
            assert result.acquirer.payments_count == 1
            assert result.acquirer.payments_fen == result.wallet.payments_fen > 0
    client_2.close()
