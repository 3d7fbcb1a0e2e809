"""The billers' input rules (storebox.billpay_rules): each refusal names the rule that refused."""

from __future__ import annotations

import datetime as dt

import pytest

from storebox import billpay_rules as rules
from storebox.billpay_rules import BillerClosed, BillRuleError
from storebox.errors import NotFound
from storebox.ports import BillInfo
from tests.core.billpay_fixtures import CMB_CREDIT, CMB_DEBIT, biller, luhn_complete


def _rule(excinfo: pytest.ExceptionInfo[BillRuleError]) -> str:
    return excinfo.value.rule


def _bill(due: int, penalty: int = 0) -> BillInfo:
    return BillInfo(
        biller_id="sgcc-bj",
        account_masked="110****1234",
        holder_masked="张*明",
        amount_due_fen=due,
        penalty_fen=penalty,
        query_no="Q1",
        expires_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
    )


def test_state_grid_ten_digits_become_thirteen_with_the_province_prefix() -> None:
    sgcc = biller("sgcc-bj")
    assert rules.check_account(sgcc, "0123456789") == "1100123456789"
    assert rules.check_account(sgcc, "110 0123 456789") == "1100123456789"
    assert rules.province_prefix(rules.rules_of(sgcc)) == "110"


@pytest.mark.parametrize("account", ["12345", "3300123456789", "01234567890", "abc1234567"])
def test_an_account_outside_the_pattern_is_refused_naming_the_rule(account: str) -> None:
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_account(biller("sgcc-bj"), account)
    assert _rule(excinfo) == "account_pattern"
    assert "户号格式不对" in excinfo.value.message and "account_pattern" in excinfo.value.message


def test_luhn_and_the_bin_table_for_credit_cards() -> None:
    cc = biller("cc-repay")
    assert rules.check_account(cc, CMB_CREDIT) == CMB_CREDIT
    wrong_digit = CMB_CREDIT[:-1] + str((int(CMB_CREDIT[-1]) + 1) % 10)
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_account(cc, wrong_digit)
    assert _rule(excinfo) == "luhn"
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_account(cc, CMB_DEBIT)
    assert _rule(excinfo) == "bins" and "借记卡" in excinfo.value.message
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_account(cc, luhn_complete("411111111111111"))
    assert _rule(excinfo) == "bins"
    # the longest BIN wins, and a prefix entry (62223) counts
    issuer = rules.card_bin(rules.rules_of(cc), luhn_complete("622230000000000"))
    assert issuer is not None and issuer.bank == "工商银行" and issuer.type == "credit"


def test_luhn_itself() -> None:
    assert rules.luhn_ok("79927398713")
    assert not rules.luhn_ok("79927398710")
    assert not rules.luhn_ok("7992739871x")


def test_the_carrier_is_picked_from_the_number_segment() -> None:
    billers = [biller(b) for b in ("cmcc", "cucc", "ctcc")]
    assert rules.pick_mobile_biller(billers, "13812345678").biller_id == "cmcc"
    assert rules.pick_mobile_biller(billers, "+86 186 1234 5678").biller_id == "cucc"
    # 1349 is Telecom's though 134x is otherwise Mobile's: the longer segment wins
    assert rules.pick_mobile_biller(billers, "13491234567").biller_id == "ctcc"
    assert rules.pick_mobile_biller(billers, "13401234567").biller_id == "cmcc"
    with pytest.raises(BillRuleError) as excinfo:
        rules.pick_mobile_biller(billers, "17012345678")
    assert _rule(excinfo) == "prefixes"
    with pytest.raises(BillRuleError) as excinfo:
        rules.pick_mobile_biller(billers, "1381234567")
    assert _rule(excinfo) == "account_pattern"


def test_a_number_of_another_carrier_is_refused_by_the_prefixes_rule() -> None:
    assert rules.check_account(biller("cmcc"), "8613812345678") == "13812345678"
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_account(biller("cmcc"), "18612345678")
    assert _rule(excinfo) == "prefixes" and "中国移动" in excinfo.value.message


def test_denominations() -> None:
    cmcc = biller("cmcc")
    assert rules.check_amount(cmcc, 5000) == 5000
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_amount(cmcc, 4000)
    assert _rule(excinfo) == "denominations_fen" and "¥50.00" in excinfo.value.message


@pytest.mark.parametrize(
    ("amount", "rule"),
    [
        (999, "amount_min_fen"),
        (300_100, "amount_max_fen"),
        (1050, "amount_step_fen"),
        (0, "amount_min_fen"),
        (True, "amount_min_fen"),
        ("1000", "amount_min_fen"),
    ],
)
def test_min_max_step(amount: object, rule: str) -> None:
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_amount(biller("bjgas"), amount)
    assert _rule(excinfo) == rule


def test_partial_and_overpay_against_the_looked_up_bill() -> None:
    sgcc, water, gas = biller("sgcc-bj"), biller("bjwater"), biller("bjgas")
    due = _bill(10_000, penalty=50)
    assert rules.check_amount(sgcc, 10_050, due) == 10_050
    assert rules.check_amount(sgcc, 20_000, due) == 20_000  # overpay: a prepaid balance
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_amount(sgcc, 10_000, due)  # the late fee is due too
    assert _rule(excinfo) == "partial"
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_amount(water, 10_051, due)
    assert _rule(excinfo) == "overpay"
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_amount(water, 100, _bill(0))
    assert _rule(excinfo) == "overpay"
    assert rules.check_amount(gas, 5_000, due) == 5_000  # gas takes part of a bill


def test_opening_hours_are_china_time_and_may_cross_midnight() -> None:
    sgcc = biller("sgcc-bj")
    # 23:45 in Shanghai is 15:45 UTC: the utility's nightly settlement
    late = dt.datetime(2026, 11, 25, 15, 45, tzinfo=dt.UTC)
    with pytest.raises(BillerClosed) as excinfo:
        rules.check_open(sgcc, late)
    assert "23:45" in excinfo.value.message and "hours" in excinfo.value.message
    rules.check_open(sgcc, dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC))  # 10:00
    night = rules.Rules(hours=("22:00-02:00",))
    assert rules.is_open(night, dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC))  # 01:00
    assert not rules.is_open(night, dt.datetime(2026, 11, 25, 19, 0, tzinfo=dt.UTC))  # 03:00
    assert rules.is_open(rules.Rules(), late)


def test_per_day_limit_says_what_is_left() -> None:
    cmcc = biller("cmcc")
    rules.check_daily(cmcc, 50_000, 50_000)
    with pytest.raises(BillRuleError) as excinfo:
        rules.check_daily(cmcc, 70_000, 50_000)
    assert _rule(excinfo) == "per_day_max_fen" and "¥300.00" in excinfo.value.message
    rules.check_daily(biller("cucc"), 10**9, 10_000)  # no limit


def test_a_paper_bill_barcode() -> None:
    billers = [biller(b) for b in ("sgcc-bj", "cmcc")]
    scanned = rules.read_barcode(billers, "1100123456789" + "202610" + "00012345")
    assert scanned.biller.biller_id == "sgcc-bj"
    assert scanned.account == "1100123456789" and scanned.amount_fen == 12_345
    with pytest.raises(NotFound):
        rules.read_barcode(billers, "6901234567892")
    with pytest.raises(BillRuleError):
        rules.read_barcode(billers, "  ")


def test_commission_fixed_and_basis_points_rounded_half_up() -> None:
    assert rules.commission_fen(biller("sgcc-bj"), 12_345) == 50
    cmcc = biller("cmcc")  # 150 bp
    assert rules.commission_fen(cmcc, 10_000) == 150
    # 1.5% of ¥0.30 = 0.45 fen -> 0; of ¥0.70 = 1.05 -> 1; 250 bp of ¥0.30 = 0.75 -> 1
    assert rules.commission_fen(cmcc, 30) == 0
    assert rules.commission_fen(cmcc, 70) == 1
    half = biller("cucc")  # 100 bp: 1% of ¥0.50 = 0.5 fen -> rounds up to 1
    assert rules.commission_fen(half, 50) == 1
    assert rules.commission_fen(half, 49) == 0


def test_masking() -> None:
    assert rules.mask_account("13812345678") == "138****5678"
    assert rules.mask_account(CMB_CREDIT) == "622575******0006"
    assert rules.mask_account("1100123456789") == "110******6789"
