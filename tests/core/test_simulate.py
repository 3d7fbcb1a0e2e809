"""The simulation's own rules: the wallet codes it makes are the ones each wallet issues, the
tenders it may use are the ones its ports can take, and without ports it stays the cash-only
stream a seed has always sold (the crash and exactly-once harnesses replay seeds)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from storebox import barcodes, simulate
from storebox.clock import FixedClock
from storebox.config import load
from storebox.shop import open_shop
from sync import protocol
from tests.conftest import START
from tests.core.factories import make_people, make_product


@pytest.mark.parametrize("wallet", ["wechat", "alipay", "unionpay"])
def test_wallet_codes_are_those_each_wallet_issues(wallet: str) -> None:
    rnd = random.Random(7)
    for _ in range(2_000):
        code = simulate.wallet_code(rnd, wallet)
        assert re.fullmatch(protocol.PAYMENT_CODE_PATTERN, code), code
        assert protocol.wallet_of(code) == wallet, code


def test_the_customers_wallets_follow_the_share() -> None:
    rnd = random.Random(3)
    seen: list[str | None] = [protocol.wallet_of(simulate.wallet_code(rnd)) for _ in range(4_000)]
    shares = {w: seen.count(w) / len(seen) for w, _ in simulate.WALLET_SHARE}
    for wallet, percent in simulate.WALLET_SHARE:
        assert abs(shares[wallet] - percent / 100) < 0.03, shares
    with pytest.raises(ValueError, match="unknown wallet"):
        simulate.wallet_code(rnd, "paypal")


def test_the_tenders_are_the_ones_the_ports_can_take() -> None:
    none = simulate.PaymentPorts()
    assert simulate.choose_tenders(none, None) == ("cash",)
    for asked, words in (
        (("card",), "no port"),
        (("wallet",), "no port"),
        (("cash", "cheque"), "unknown tender"),
        ((), "at least one"),
    ):
        with pytest.raises(ValueError, match=words):
            simulate.choose_tenders(none, asked)
    # a shop QR nobody can pay is not offered, even with the port
    wallet_only = simulate.PaymentPorts(wallet=object(), qr=object())  # type: ignore[arg-type]
    assert simulate.choose_tenders(wallet_only, None) == ("cash", "wallet")
    with pytest.raises(ValueError, match="no port"):
        simulate.choose_tenders(wallet_only, ("qr",))


def _sell(
    data: Path,
    ports: simulate.PaymentPorts | None = None,
    tenders: tuple[str, ...] | None = None,
) -> simulate.SimulationResult:
    settings = load(
        config_path=None, environ={}, overrides={"data_dir": str(data), "pin_scrypt_n": 16}
    )
    with open_shop(settings, FixedClock(START)) as shop:
        for i in range(12):
            code = barcodes.with_check_digit(f"690000000{i:03d}")
            make_product(shop, f"商品{i}", 150 + 95 * i, barcode=code, stock=500)
        till = make_people(shop)
        return simulate.run(
            shop,
            [till.cashier],
            till.owner,
            sales_count=40,
            seed=9,
            refund_rate=0.2,
            ports=ports,
            tenders=tenders,
        )


def test_without_ports_a_seed_sells_the_same_cash_stream(tmp_path: Path) -> None:
    plain = _sell(tmp_path / "a")
    cash = _sell(tmp_path / "b", ports=simulate.PaymentPorts(), tenders=("cash",))
    assert plain.as_dict() | {"ms_per_sale": {}} == cash.as_dict() | {"ms_per_sale": {}}
    assert plain.chosen == plain.paid_with == {"cash": 40}
    assert plain.refunds > 0
    (kind,) = plain.tenders
    assert kind == "cash"
    assert plain.tenders["cash"].sales_fen == plain.sales_total_fen
    assert plain.tenders["cash"].refunds_fen == plain.refunds_total_fen
