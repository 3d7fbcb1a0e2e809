"""A biller's own input rules, checked in the shop before any money is taken (pure: no store,
no clock of its own, no network).

The rules are data the hub publishes with each biller (the `billers` stream keeps the dumped
`sync.protocol.BillerRules` dict): account format and tip, lookup, amount min/max/step or fixed
denominations, partial and over-payment of a looked-up bill, a per-day limit per account, Luhn
and the BIN table for credit cards, the number segments of a mobile carrier, opening hours in
China time, the commission, and a regex that reads a paper bill's barcode. Keeping them as data
(REFERENCE.md) lets a biller change without a shop release; the hub checks them again.

Every refusal is a `BillRuleError` naming the rule that refused (`rule`: the BillerRules field),
with a message for the counter in Chinese and English. Nothing here changes anything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from storebox.billers import BillerData
from storebox.errors import InvalidInput, NotFound, RuleViolation
from storebox.money import format_fen
from storebox.ports import BillInfo

CHINA = ZoneInfo("Asia/Shanghai")
"""Billers keep China time whatever the shop's own zone setting says."""

KIND_NAMES = {
    "electricity": ("电费", "electricity"),
    "water": ("水费", "water"),
    "gas": ("燃气费", "gas"),
    "mobile": ("话费充值", "mobile top-up"),
    "credit_card": ("信用卡还款", "credit-card repayment"),
}

MAX_ACCOUNT = 32
"""The wire's account length (sync.protocol.Account)."""
_ACCOUNT_CHARS = re.compile(r"^[0-9A-Za-z-]{4,32}$")


class BillRuleError(InvalidInput):
    """Input a biller's rules refuse; `rule` names the rule (a BillerRules field). Nothing was
    changed and no money was taken."""

    code = "bill_rule"

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class BillerClosed(RuleViolation):
    """Outside the biller's opening hours (rule `hours`)."""

    code = "biller_closed"
    rule = "hours"


# --- the rules as a typed value -------------------------------------------------------------


@dataclass(frozen=True)
class CardBin:
    prefix: str
    bank: str
    type: str  # credit / debit
    posting: str = "same_day"


@dataclass(frozen=True)
class Rules:
    """`BillerRules` as the core reads it (the same fields and defaults as the wire schema)."""

    account_label: str = "账号"
    account_pattern: str = r"^.+$"
    account_tip: str = ""
    lookup: bool = False
    amount_min_fen: int = 1
    amount_max_fen: int = 10_000_000
    amount_step_fen: int = 1
    denominations_fen: tuple[int, ...] = ()
    partial: bool = True
    overpay: bool = True
    per_day_max_fen: int | None = None
    luhn: bool = False
    bins: tuple[CardBin, ...] = ()
    prefixes: tuple[str, ...] = ()
    hours: tuple[str, ...] = ()
    commission_kind: str = "fixed"
    commission_fixed_fen: int = 0
    commission_basis_points: int = 0
    posting: str = ""
    bill_barcode: str = ""

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Rules:
        """From the stored dict. The agent validated it against the wire schema when it was
        pulled; a value of the wrong type here is a damaged copy, refused as such."""

        def pick(key: str, kind: type, default: Any) -> Any:
            value = data.get(key, default)
            if value is None:
                return default
            if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidInput(f"biller rules: {key} is not a whole number")
            if kind is bool and not isinstance(value, bool):
                raise InvalidInput(f"biller rules: {key} is not true/false")
            if kind is str and not isinstance(value, str):
                raise InvalidInput(f"biller rules: {key} is not text")
            return value

        commission = data.get("commission") or {}
        bins = tuple(
            CardBin(
                prefix=str(b.get("prefix", "")),
                bank=str(b.get("bank", "")),
                type=str(b.get("type", "")),
                posting=str(b.get("posting", "same_day")),
            )
            for b in data.get("bins") or ()
            if isinstance(b, Mapping)
        )
        per_day = data.get("per_day_max_fen")
        return cls(
            account_label=pick("account_label", str, "账号"),
            account_pattern=pick("account_pattern", str, r"^.+$"),
            account_tip=pick("account_tip", str, ""),
            lookup=pick("lookup", bool, False),
            amount_min_fen=pick("amount_min_fen", int, 1),
            amount_max_fen=pick("amount_max_fen", int, 10_000_000),
            amount_step_fen=max(1, pick("amount_step_fen", int, 1)),
            denominations_fen=tuple(int(d) for d in data.get("denominations_fen") or ()),
            partial=pick("partial", bool, True),
            overpay=pick("overpay", bool, True),
            per_day_max_fen=int(per_day) if isinstance(per_day, int) else None,
            luhn=pick("luhn", bool, False),
            bins=bins,
            prefixes=tuple(str(p) for p in data.get("prefixes") or ()),
            hours=tuple(str(h) for h in data.get("hours") or ()),
            commission_kind=str(commission.get("kind", "fixed")),
            commission_fixed_fen=int(commission.get("fixed_fen", 0) or 0),
            commission_basis_points=int(commission.get("basis_points", 0) or 0),
            posting=pick("posting", str, ""),
            bill_barcode=pick("bill_barcode", str, ""),
        )


def rules_of(biller: BillerData) -> Rules:
    return Rules.of(biller.rules)


def _name(biller: BillerData) -> str:
    return biller.name


# --- accounts -------------------------------------------------------------------------------

_PROVINCE_13 = re.compile(r"(\d{3})\\d\{10\}")


def province_prefix(rules: Rules) -> str | None:
    """The province prefix of State Grid's 13-digit account numbers, when the biller's pattern
    spells the 13-digit form as that prefix and ten digits (e.g. `^(\\d{10}|110\\d{10})$`: 110,
    Beijing). Its rules then say a 10-digit legacy number is the same account with the prefix
    (REFERENCE.md: State Grid moves from 10 to 13 digits, province first)."""
    found = _PROVINCE_13.search(rules.account_pattern)
    return found.group(1) if found else None


def clean_account(text: object) -> str:
    """What the cashier typed or scanned, without spaces and dashes between digit groups."""
    if not isinstance(text, str):
        raise BillRuleError("请输入号码 / an account number is required", "account_pattern")
    return re.sub(r"[\s-]", "", text.strip())


def luhn_ok(number: str) -> bool:
    """ISO/IEC 7812 check digit: from the right, double every second digit."""
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_bin(rules: Rules, number: str) -> CardBin | None:
    """The issuer of a card number: the longest BIN of the table its number starts with."""
    found = [b for b in rules.bins if number.startswith(b.prefix)]
    return max(found, key=lambda b: len(b.prefix)) if found else None


def mobile_segment(rules: Rules, phone: str) -> str | None:
    """The number segment of `phone` the carrier's rules list (4 digits before 3), if any."""
    for n in (4, 3):
        if phone[:n] in rules.prefixes:
            return phone[:n]
    return None


def _strip_country(phone: str) -> str:
    for prefix in ("+86", "0086", "86"):
        if phone.startswith(prefix) and len(phone) == len(prefix) + 11:
            return phone[len(prefix) :]
    return phone


def check_account(biller: BillerData, text: object) -> str:
    """The account in the form the biller takes it, or `BillRuleError` naming the rule broken.

    Mobile numbers lose a +86/86 prefix; an electricity account of 10 digits becomes 13 with
    the province prefix when the biller's rules give one (`province_prefix`); a card number
    must pass Luhn (`luhn`) and resolve to a credit card in the BIN table (`bins`); a phone
    number must be in the carrier's segments (`prefixes`).
    """
    rules = rules_of(biller)
    account = clean_account(text)
    label = rules.account_label
    if biller.kind == "mobile":
        account = _strip_country(account)
    if not account:
        raise BillRuleError(f"请输入{label} / the {label} is required", "account_pattern")
    try:
        pattern = re.compile(rules.account_pattern)
    except re.error:
        raise InvalidInput(
            f"{_name(biller)}: 缴费规则有误，暂不能缴费 / the biller's account rule is damaged; "
            "sync again"
        ) from None
    tip = f"（{rules.account_tip}）" if rules.account_tip else ""
    if not _ACCOUNT_CHARS.fullmatch(account) or not pattern.fullmatch(account):
        raise BillRuleError(
            f"{label}格式不对{tip} / the {label} {account!r} does not match {_name(biller)}'s "
            f"format (rule account_pattern: {rules.account_pattern})",
            "account_pattern",
        )
    if biller.kind == "electricity" and len(account) == 10 and account.isdigit():
        prefix = province_prefix(rules)
        if prefix is not None and pattern.fullmatch(prefix + account):
            account = prefix + account
    if rules.luhn and not luhn_ok(account):
        raise BillRuleError(
            f"卡号有误，请核对（校验位不符） / the card number {_mask(account)} fails the Luhn "
            "check digit (rule luhn): a digit is wrong",
            "luhn",
        )
    if rules.bins:
        issuer = card_bin(rules, account)
        if issuer is None:
            raise BillRuleError(
                f"无法识别发卡行，不支持此卡 / the card {_mask(account)} is from no bank this "
                "biller knows (rule bins)",
                "bins",
            )
        if issuer.type != "credit":
            raise BillRuleError(
                f"{issuer.bank}借记卡不能还款，请用信用卡 / {_mask(account)} is a {issuer.bank} "
                "debit card: only credit cards can be repaid (rule bins: not_a_credit_card)",
                "bins",
            )
    if biller.kind == "mobile" and rules.prefixes and mobile_segment(rules, account) is None:
        raise BillRuleError(
            f"{account[:3]} 号段不属于{_name(biller)} / {account[:3]} is not a number segment of "
            f"{_name(biller)} (rule prefixes); choose the customer's carrier",
            "prefixes",
        )
    return account


def _mask(account: str) -> str:
    if len(account) >= 15:
        return account[:6] + "*" * (len(account) - 10) + account[-4:]
    if len(account) >= 8:
        return account[:3] + "*" * (len(account) - 7) + account[-4:]
    return "*" * max(0, len(account) - 2) + account[-2:]


def mask_account(account: str) -> str:
    """An account as receipts, lists and logs show it: a card number 622588******1234, a
    phone or utility number 138****1234 (the printer's receipts mask it the same way)."""
    return _mask(account)


def pick_mobile_biller(billers: Iterable[BillerData], phone: object) -> BillerData:
    """The carrier's top-up biller for a phone number, from the number segments in the rules
    (the longest segment that matches wins). A prefix only suggests the carrier since number
    portability (2019): the cashier confirms with the customer, and the hub may still answer
    operator_mismatch."""
    number = _strip_country(clean_account(phone))
    if not re.fullmatch(r"1\d{10}", number):
        raise BillRuleError(
            f"手机号应为 11 位数字 / a mobile number has 11 digits, got {number!r}",
            "account_pattern",
        )
    best: tuple[int, BillerData] | None = None
    for biller in billers:
        if biller.kind != "mobile" or not biller.active:
            continue
        segment = mobile_segment(rules_of(biller), number)
        if segment is not None and (best is None or len(segment) > best[0]):
            best = (len(segment), biller)
    if best is None:
        raise BillRuleError(
            f"无法识别 {number[:3]} 号段的运营商 / no carrier's top-up takes numbers starting "
            f"{number[:3]} (rule prefixes)",
            "prefixes",
        )
    return best[1]


# --- amounts --------------------------------------------------------------------------------


def due_fen(bill: BillInfo) -> int:
    """What a looked-up bill asks for: the amount due and any late fee."""
    return bill.amount_due_fen + bill.penalty_fen


def check_amount(biller: BillerData, amount_fen: object, bill: BillInfo | None = None) -> int:
    """The amount, or `BillRuleError` naming the rule: denominations (top-ups take only
    those), amount_min_fen / amount_max_fen / amount_step_fen, and against a looked-up bill
    `partial` (less than due) and `overpay` (more than due)."""
    rules = rules_of(biller)
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise BillRuleError(
            f"金额必须是整数分 / the amount must be whole fen, got {amount_fen!r}", "amount_min_fen"
        )
    amount = amount_fen
    if amount <= 0:
        raise BillRuleError(
            f"缴费金额无效 / the amount {format_fen(amount)} is not a payment", "amount_min_fen"
        )
    if rules.denominations_fen:
        if amount not in rules.denominations_fen:
            faces = "、".join(format_fen(d) for d in sorted(rules.denominations_fen))
            raise BillRuleError(
                f"只能充值 {faces} / {_name(biller)} takes only {faces}, not {format_fen(amount)} "
                "(rule denominations_fen)",
                "denominations_fen",
            )
        return amount
    if amount < rules.amount_min_fen:
        raise BillRuleError(
            f"最低缴费 {format_fen(rules.amount_min_fen)} / {format_fen(amount)} is below "
            f"{_name(biller)}'s minimum of {format_fen(rules.amount_min_fen)} (rule amount_min_fen)",
            "amount_min_fen",
        )
    if amount > rules.amount_max_fen:
        raise BillRuleError(
            f"单笔最多 {format_fen(rules.amount_max_fen)} / {format_fen(amount)} is above "
            f"{_name(biller)}'s maximum of {format_fen(rules.amount_max_fen)} (rule amount_max_fen)",
            "amount_max_fen",
        )
    if amount % rules.amount_step_fen:
        raise BillRuleError(
            f"金额须为 {format_fen(rules.amount_step_fen)} 的整数倍 / the amount must be a "
            f"multiple of {format_fen(rules.amount_step_fen)} (rule amount_step_fen)",
            "amount_step_fen",
        )
    if bill is not None:
        due = due_fen(bill)
        if amount < due and not rules.partial:
            raise BillRuleError(
                f"须全额缴纳 {format_fen(due)} / {_name(biller)} takes this bill only in full: "
                f"{format_fen(due)} is due, {format_fen(amount)} given (rule partial)",
                "partial",
            )
        if amount > due and not rules.overpay and due > 0:
            raise BillRuleError(
                f"不能超过应缴 {format_fen(due)} / {_name(biller)} takes no more than the "
                f"{format_fen(due)} due, {format_fen(amount)} given (rule overpay)",
                "overpay",
            )
        if amount > due and not rules.overpay and due == 0:
            raise BillRuleError(
                f"此户无欠费，不能预存 / nothing is due on this account and {_name(biller)} "
                "takes no prepayment (rule overpay)",
                "overpay",
            )
    return amount


def check_daily(biller: BillerData, already_fen: int, amount_fen: int) -> None:
    """Rule per_day_max_fen: the account's payments of the China day (not failed), with this
    one, must stay within the biller's limit."""
    limit = rules_of(biller).per_day_max_fen
    if limit is None or already_fen + amount_fen <= limit:
        return
    left = max(0, limit - already_fen)
    raise BillRuleError(
        f"此账户今日缴费已达上限 {format_fen(limit)}，还可缴 {format_fen(left)} / this account's "
        f"payments to {_name(biller)} today would pass its daily limit of {format_fen(limit)}; "
        f"{format_fen(left)} is left (rule per_day_max_fen)",
        "per_day_max_fen",
    )


# --- opening hours --------------------------------------------------------------------------


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def is_open(rules: Rules, at: dt.datetime) -> bool:
    """Within one of the windows ("HH:MM-HH:MM", China time; one that ends before it starts
    runs past midnight). No windows: always open."""
    if not rules.hours:
        return True
    local = at.astimezone(CHINA)
    now = local.hour * 60 + local.minute
    for window in rules.hours:
        start_text, end_text = window.split("-")
        start, end = _minutes(start_text), _minutes(end_text)
        if start <= end and start <= now < end:
            return True
        if start > end and (now >= start or now < end):
            return True
    return False


def check_open(biller: BillerData, at: dt.datetime) -> None:
    rules = rules_of(biller)
    if not is_open(rules, at):
        windows = "、".join(rules.hours)
        local = at.astimezone(CHINA)
        raise BillerClosed(
            f"{_name(biller)}营业时间 {windows}，现在 {local:%H:%M} 不能缴费 / {_name(biller)} "
            f"takes payments only {windows} China time; it is {local:%H:%M} (rule hours)"
        )


# --- the barcode on a paper bill ------------------------------------------------------------


@dataclass(frozen=True)
class ScannedBill:
    biller: BillerData
    account: str
    amount_fen: int | None


def read_barcode(billers: Sequence[BillerData], code: object) -> ScannedBill:
    """Which biller's paper bill a scanned barcode is, by each biller's `bill_barcode` regex
    (named group `account`, optionally `amount_fen`); the account is then checked like a typed
    one. A code no biller reads is refused, naming the code's start."""
    text = code.strip() if isinstance(code, str) else ""
    if not text:
        raise BillRuleError("请扫描缴费单上的条码 / scan the barcode on the bill", "bill_barcode")
    for biller in billers:
        pattern = rules_of(biller).bill_barcode
        if not biller.active or not pattern:
            continue
        try:
            found = re.fullmatch(pattern, text)
        except re.error:
            continue
        if found is None or "account" not in found.groupdict():
            continue
        account = check_account(biller, found.group("account"))
        amount: int | None = None
        if found.groupdict().get("amount_fen"):
            amount = int(found.group("amount_fen"))
        return ScannedBill(biller, account, amount)
    raise NotFound(
        f"无法识别的缴费单条码 / no biller reads the barcode {text[:12]}… (rule bill_barcode); "
        "choose the biller and type the account"
    )


# --- commission -----------------------------------------------------------------------------


def commission_fen(biller: BillerData, amount_fen: int) -> int:
    """What the shop earns if the payment succeeds: a fixed sum, or basis points of the amount
    rounded half up to the fen (integer arithmetic: no float touches money)."""
    rules = rules_of(biller)
    if rules.commission_kind == "percent":
        return (amount_fen * rules.commission_basis_points + 5_000) // 10_000
    return rules.commission_fixed_fen
