"""A realistic stream of shop activity through the real use cases.

Used by `storebox simulate` and `storebox demo`, by the load benchmark and by the crash tests
(which kill this loop with SIGKILL at random moments). Every step goes through the same use
cases a cashier's window calls — scanning barcodes into a cart, paying, refunds, voids, cash
out, shift changes — so what the simulation proves, the shop does.

Shoppers buy a few popular goods more than the long tail (a Zipf-like weight), mostly one of
each; about one cart in thirty is abandoned (a void), about one sale in twenty-five comes back
for a refund (to the tender it was paid with), the till hands over to the next cashier every
`shift_every` sales, and a small variance is counted now and then.

How they pay depends on the ports the caller passes in (`PaymentPorts`; the command line is the
composition root that builds them — the core never imports a driver or the hub's client).
Without ports every customer pays cash with a round note, and the random stream is exactly
what it always was (the crash and exactly-once harnesses replay seeds). With them, the mix is
that of a Chinese convenience store (`MIX`): mostly the customer's wallet code (付款码), then
card, the shop's dynamic QR (扫码付), cash, and a few splits of cash with card or wallet. Each
goes through the use cases the cashier's window uses: `sales.checkout` with a `Card` or `Wallet`
tender (the core writes the attempt, asks, reverses an unknown); for the shop's QR the attempt
first (`begin_attempt`), the code made at the acquirer, the customer pays it, the status asked
until paid, then `checkout` with `QrPaid` — closed unpaid, the attempt is declined, as the
window does. A declined payment, or one whose outcome stayed unknown, is asked about again
(`resolve_open_attempts`, the window's "ask the terminal again") and the customer then pays cash,
as a cashier would have them; each such fall-back is counted.

Bill payments (便民缴费) come with a `BillPay` port (`PaymentPorts.bills`, the hub's biller
platform) and a `bill_rate`: after a sale, that share of customers also pays a bill, chosen like
a convenience store's counter sees them (`BILL_MIX`: mostly phone top-ups, then electricity,
credit-card repayments, water and gas). The account number comes from the biller's own rules
as the shop pulled them (`account_for`: a number that fits `account_pattern`, in a carrier's
`prefixes` for a top-up, on a credit `bins` prefix with its Luhn digit for a card), so the
hub's own checks pass it. Each goes through the window's use cases: `billpay.lookup` for
billers that look the bill up, `billpay.pay` in cash or (with a terminal) by card, and — as the
cashier's 刷新 and the red refund banner do — `billpay.refresh` of payments still 受理中 and
`billpay.refund` of every refund task a failed result raised. At the end the run asks about
what is still pending for up to `bill_wait_s` seconds and refunds what failed, then counts the
payments by kind and status, their fen and commission (`BillSummary`). Bill customers draw from
a random stream of their own, so a seed sells the same goods with or without bills.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select

from storebox import billpay, billpay_rules, refunds, sales, shifts
from storebox.billers import BillerData
from storebox.db.models import Barcode, Product
from storebox.errors import (
    AccountLocked,
    AuthenticationFailed,
    ConfigError,
    InvalidInput,
    NotFound,
    PaymentDeclined,
    PaymentUnknown,
    PermissionDenied,
    RuleViolation,
    ShopError,
    StoreUnavailable,
)
from storebox.ports import (
    BillInfo,
    BillPay,
    BillPayRefused,
    CardTerminal,
    DynamicQr,
    QrOrder,
    QrState,
    StatusCallback,
    WalletPayments,
)
from storebox.shop import Shop
from storebox.users import Actor

NOTES_FEN = (1_000, 2_000, 5_000, 10_000)

CASH: Final = sales.CASH
CARD: Final = sales.CARD
WALLET: Final = sales.WALLET  # the customer's code (付款码) scanned by the till
QR: Final = "qr"  # the shop's dynamic code (扫码付) scanned by the customer
TENDERS: Final = (CASH, CARD, WALLET, QR)
"""The tenders `run` can be asked to use (`storebox simulate --tenders`)."""
SPLIT: Final = "split"

MIX: Final = ((WALLET, 45), (QR, 15), (CARD, 20), (CASH, 15), (SPLIT, 5))
"""How customers pay, in percent, when every tender is available: a tender that is not offered
drops out and the others keep their proportions. A split is cash plus card or wallet."""

WALLET_SHARE: Final = (("wechat", 55), ("alipay", 40), ("unionpay", 5))
"""Which wallet's code a customer shows (routing by `sync.protocol.wallet_of`'s prefixes)."""

QR_POLLS: Final = 20
"""How many times the till asks about a paid code before it closes it (the window polls every
second until the code expires; here the customer has already paid, so one answer suffices)."""

PAYMENT_FAILURES: Final = (PaymentDeclined, PaymentUnknown)
"""Errors after which a customer pays cash instead (with any other `ShopError` that is not one
of `NOT_PAYMENT_FAILURES`: a port that could not send, e.g. the hub offline)."""
NOT_PAYMENT_FAILURES: Final = (
    InvalidInput,
    NotFound,
    RuleViolation,
    PermissionDenied,
    AuthenticationFailed,
    AccountLocked,
    StoreUnavailable,
    ConfigError,
)


QrPayer = Callable[[str, str], object]
"""Plays the customer paying the shop's code: (the attempt's reference, the wallet's name)."""


@dataclass(frozen=True)
class PaymentPorts:
    """The outside world the simulated till pays through, built by the composition root.

    `pay_qr(reference, wallet)` plays the customer who scans the shop's code and pays it with
    that wallet ("wechat", "alipay", "unionpay"); in the command line it is the hub acquirer's
    test helper behind `storebox hub qr-pay`. `qr` without `pay_qr` cannot be used: nobody
    would pay the code."""

    terminal: CardTerminal | None = None
    wallet: WalletPayments | None = None
    qr: DynamicQr | None = None
    pay_qr: QrPayer | None = None
    on_status: StatusCallback | None = None
    #: the hub's biller platform: bill payments (see `run`'s bill_rate); None, no bills
    bills: BillPay | None = None

    def offered(self) -> tuple[str, ...]:
        """The tenders these ports make possible, cash always."""
        out = [CASH]
        if self.terminal is not None:
            out.append(CARD)
        if self.wallet is not None:
            out.append(WALLET)
            if self.qr is not None and self.pay_qr is not None:
                out.append(QR)
        return tuple(out)


@dataclass
class TenderTally:
    """Money per payment kind, as the Z report counts it (cash is what was applied, not the
    note handed over; a shop QR is a wallet payment)."""

    sales_count: int = 0
    sales_fen: int = 0
    refunds_count: int = 0
    refunds_fen: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "sales_count": self.sales_count,
            "sales_fen": self.sales_fen,
            "refunds_count": self.refunds_count,
            "refunds_fen": self.refunds_fen,
            "net_fen": self.sales_fen - self.refunds_fen,
        }


@dataclass
class SimulationResult:
    sales: int = 0
    sales_total_fen: int = 0
    refunds: int = 0
    refunds_total_fen: int = 0
    voids: int = 0
    shifts_closed: int = 0
    cash_outs: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    last_sale_number: str | None = None
    #: per payment kind (cash, card, wallet): what the journal should hold, to the fen
    tenders: dict[str, TenderTally] = field(default_factory=dict)
    #: how each sale was finally paid: cash, card, wallet, qr, split_card, split_wallet
    paid_with: dict[str, int] = field(default_factory=dict)
    #: how each customer first tried to pay (before any fall-back to cash)
    chosen: dict[str, int] = field(default_factory=dict)
    #: payments that failed, by the tender tried: declined, unknown (asked and reversed or
    #: still open), unavailable (the port could not send) — each then paid cash
    declined: dict[str, int] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    unavailable: dict[str, int] = field(default_factory=dict)
    fell_back_to_cash: int = 0
    #: wall-clock seconds spent on the sales of each way of paying (payment included)
    seconds: dict[str, float] = field(default_factory=dict)
    #: the bill payments of the run (None: the run took none — no port or a zero bill_rate)
    bills: BillSummary | None = None

    def tally(self, kind: str) -> TenderTally:
        return self.tenders.setdefault(kind, TenderTally())

    def as_dict(self) -> dict[str, Any]:
        return {
            "sales_count": self.sales,
            "sales_total_fen": self.sales_total_fen,
            "refunds_count": self.refunds,
            "refunds_total_fen": self.refunds_total_fen,
            "voids_count": self.voids,
            "shifts_closed": self.shifts_closed,
            "cash_outs": self.cash_outs,
            "refused": self.refused,
            "last_sale_number": self.last_sale_number,
            "tenders": {k: self.tenders[k].as_dict() for k in sorted(self.tenders)},
            "paid_with": dict(sorted(self.paid_with.items())),
            "chosen": dict(sorted(self.chosen.items())),
            "declined": dict(sorted(self.declined.items())),
            "unknown": dict(sorted(self.unknown.items())),
            "unavailable": dict(sorted(self.unavailable.items())),
            "fell_back_to_cash": self.fell_back_to_cash,
            "ms_per_sale": {
                k: round(1000 * self.seconds[k] / n, 1)
                for k, n in sorted(self.chosen.items())
                if n and k in self.seconds
            },
            # only when bills were taken: a run without them prints what it always printed
            **({"bill_payments": self.bills.as_dict()} if self.bills is not None else {}),
        }


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def shelf(shop: Shop) -> list[str]:
    """Barcodes of the active goods, best sellers first (they are picked most)."""
    with shop.store.read() as session:
        rows = session.execute(
            select(Barcode.code)
            .join(Product, Product.id == Barcode.product_id)
            .where(Product.active)
            .order_by(Product.sold_qty.desc(), Barcode.code)
        ).all()
    return [r[0] for r in rows]


def tender_for(total_fen: int, rnd: random.Random) -> int:
    """What a customer hands over: exact money sometimes, else the next round note(s)."""
    if rnd.random() < 0.25:
        return total_fen
    for note in NOTES_FEN:
        if note >= total_fen:
            return note
    return -(-total_fen // 10_000) * 10_000


def wallet_code(rnd: random.Random, wallet: str | None = None) -> str:
    """A customer-presented payment code (付款码) of the kind each wallet issues, as
    `sync.protocol.PAYMENT_CODE_PATTERN` knows them: WeChat 18 digits starting 10-15, Alipay
    16-24 digits starting 25-30, UnionPay 19 digits starting 62. One-time in real life; the
    simulated acquirer only routes by the prefix."""
    if wallet is None:
        wallet = rnd.choices([w for w, _ in WALLET_SHARE], [n for _, n in WALLET_SHARE])[0]

    def digits(n: int) -> str:
        return "".join(rnd.choice("0123456789") for _ in range(n))

    if wallet == "wechat":
        return f"1{rnd.randint(0, 5)}{digits(16)}"
    if wallet == "alipay":
        return f"{rnd.randint(25, 30)}{digits(rnd.randint(14, 22))}"
    if wallet == "unionpay":
        return f"62{digits(17)}"
    raise ValueError(f"unknown wallet {wallet!r}")


def _mix(tenders: Collection[str]) -> tuple[list[str], list[int]]:
    """The ways of paying among `tenders` and their weights (`MIX`)."""
    splittable = CARD in tenders or WALLET in tenders
    ways = [
        (way, weight)
        for way, weight in MIX
        if way in tenders or (way == SPLIT and CASH in tenders and splittable)
    ]
    return [w for w, _ in ways], [n for _, n in ways]


class _Till:
    """One customer's payment at the till, as the cashier's window takes it."""

    def __init__(
        self, shop: Shop, ports: PaymentPorts, rnd: random.Random, result: SimulationResult
    ) -> None:
        self.shop, self.ports, self.rnd, self.result = shop, ports, rnd, result

    def pay(self, cashier: Actor, cart: sales.Cart, way: str) -> tuple[sales.SaleReceipt, str]:
        """Pay `cart` the chosen way; a failed card or wallet payment falls back to cash.
        Returns the receipt and how it was finally paid."""
        total = cart.total_fen
        try:
            if way == CARD:
                return self._checkout(cashier, cart, [sales.Card(total)]), CARD
            if way == WALLET:
                return self._checkout(
                    cashier, cart, [sales.Wallet(wallet_code(self.rnd), total)]
                ), WALLET
            if way == QR:
                return self._pay_qr(cashier, cart), QR
            if way == SPLIT:
                return self._split(cashier, cart)
        except ShopError as exc:
            if isinstance(exc, NOT_PAYMENT_FAILURES) and not isinstance(exc, PAYMENT_FAILURES):
                raise
            self._failed(way, exc)
            return self.cash(cashier, cart), CASH
        if way != CASH:
            raise ValueError(f"unknown way of paying {way!r}")
        return self.cash(cashier, cart), CASH

    def cash(self, cashier: Actor, cart: sales.Cart) -> sales.SaleReceipt:
        """Cash with a round note (or the exact money): the only tender without ports."""
        return sales.checkout(
            self.shop, cashier, cart, [sales.Cash(tender_for(cart.total_fen, self.rnd))]
        )

    def _checkout(
        self, cashier: Actor, cart: sales.Cart, tenders: list[sales.Tender]
    ) -> sales.SaleReceipt:
        has_card = any(isinstance(t, sales.Card) for t in tenders)
        return sales.checkout(
            self.shop,
            cashier,
            cart,
            tenders,
            terminal=self.ports.terminal if has_card else None,
            wallet=None if has_card else self.ports.wallet,
            on_status=self.ports.on_status,
        )

    def _split(self, cashier: Actor, cart: sales.Cart) -> tuple[sales.SaleReceipt, str]:
        """Some cash (a round part of the total), the rest by card or wallet code."""
        total = cart.total_fen
        kinds = [k for k in (CARD, WALLET) if k in self._offered()]
        kind = self.rnd.choice(kinds)
        if total < 2:  # nothing to split: the whole by that tender
            way = kind
            if kind == CARD:
                return self._checkout(cashier, cart, [sales.Card(total)]), way
            return self._checkout(cashier, cart, [sales.Wallet(wallet_code(self.rnd), total)]), way
        cash_part = min(total - 1, max(1, (self.rnd.randint(1, total - 1) // 100) * 100))
        rest = total - cash_part
        noncash: sales.Tender = (
            sales.Card(rest) if kind == CARD else sales.Wallet(wallet_code(self.rnd), rest)
        )
        cash = sales.Cash(tender_for(cash_part, self.rnd))
        return self._checkout(cashier, cart, [noncash, cash]), f"{SPLIT}_{kind}"

    def _offered(self) -> tuple[str, ...]:
        return self.ports.offered()

    def _pay_qr(self, cashier: Actor, cart: sales.Cart) -> sales.SaleReceipt:
        """The shop's dynamic code, the way the sell screen takes it: the attempt first (kept in
        flight until the sale is recorded or the code closed), the code made at the acquirer,
        the customer scans and pays it, the till asks until it is paid, then checkout with
        `QrPaid` (which confirms it with the acquirer before recording the sale)."""
        ports, shop = self.ports, self.shop
        port, wallet, pay_qr = ports.qr, ports.wallet, ports.pay_qr
        assert port is not None and wallet is not None and pay_qr is not None
        total = cart.total_fen
        reference = sales.begin_attempt(
            shop, WALLET, "sale", total, {"cart_id": cart.id, "total_fen": total, "qr": 1}
        )
        try:
            try:
                order = port.create(total, reference, sale_reference=cart.id.replace("-", "")[-20:])
            except ShopError as exc:
                sales.mark_attempt(shop, reference, "declined", None, f"not sent: {exc.message}")
                raise
            if order.state is QrState.WAITING and order.payload:
                who = self.rnd.choices([w for w, _ in WALLET_SHARE], [n for _, n in WALLET_SHARE])
                pay_qr(reference, who[0])  # the customer scans the code and pays
                order = self._until_final(port, reference, order)
            if order.state is not QrState.PAID:  # not paid, or no answer: close it first
                order = port.close(reference)
            if order.state is QrState.PAID:
                return sales.checkout(
                    shop,
                    cashier,
                    cart,
                    [sales.QrPaid(reference, total)],
                    wallet=wallet,
                    on_status=ports.on_status,
                )
            if order.state is QrState.CLOSED:
                sales.mark_attempt(shop, reference, "declined", None, "qr closed unpaid")
                raise PaymentDeclined(
                    "扫码付未付款，已关闭 / the shop's code was not paid and is closed"
                )
            # unclear: the core settles it (query, then reverse) before the customer pays cash
            raise PaymentUnknown("扫码付结果未知 / the hub did not say whether the code was paid")
        finally:
            sales.release_attempts([reference])

    @staticmethod
    def _until_final(port: DynamicQr, reference: str, order: QrOrder) -> QrOrder:
        for _ in range(QR_POLLS):
            order = port.status(reference)
            if order.state in (QrState.PAID, QrState.CLOSED):
                break
        return order

    def _failed(self, way: str, exc: ShopError) -> None:
        """Count the failure, settle what it left open (the window's "ask again"), and let the
        customer pay cash."""
        result = self.result
        if isinstance(exc, PaymentDeclined):
            _bump(result.declined, way)
        elif isinstance(exc, PaymentUnknown):
            _bump(result.unknown, way)
        else:
            _bump(result.unavailable, way)
        result.fell_back_to_cash += 1
        if isinstance(exc, PaymentUnknown):
            terminal, wallet = self.ports.terminal, self.ports.wallet
            sales.resolve_open_attempts(self.shop, terminal, wallet)


# --- bill payments (便民缴费) ------------------------------------------------------------------

BILL_MIX: Final = (
    ("mobile", 45),
    ("electricity", 20),
    ("credit_card", 15),
    ("water", 10),
    ("gas", 10),
)
"""Which bill a customer pays at the counter, in percent, among the kinds the hub offers."""

BILL_CARD_SHARE: Final = 0.35
"""The share of bill customers who pay by card when the till has a terminal (the rest cash)."""

BILL_POLL_S: Final = 0.25
"""How often the end of a run asks the hub about payments still 受理中 while it waits."""

_Node = tuple[str, Any]


class _PatternSampler:
    """Random strings that a biller's `account_pattern` matches, for the regex subset account
    rules are written in: anchors, literals, `\\d`, character classes with ranges, groups (also
    `(?:…)` and named), alternation and the quantifiers ? * + {n} {n,m}. Anything else is a
    ValueError: the caller then knows it cannot make an account for that biller, instead of
    making one the biller would refuse."""

    def __init__(self, pattern: str) -> None:
        self.pattern, self.i = pattern, 0
        self.tree = self._alternation()
        if self.i != len(pattern):
            raise ValueError(f"unsupported account pattern {pattern!r} at {self.i}")

    def _peek(self) -> str:
        return self.pattern[self.i] if self.i < len(self.pattern) else ""

    def _alternation(self) -> _Node:
        branches = [self._sequence()]
        while self._peek() == "|":
            self.i += 1
            branches.append(self._sequence())
        return ("alt", branches)

    def _sequence(self) -> _Node:
        items: list[tuple[_Node, int, int]] = []
        while self._peek() not in ("", "|", ")"):
            node = self._atom()
            low, high = self._quantifier()
            items.append((node, low, high))
        return ("seq", items)

    def _escape(self) -> str:
        ch = self._peek()
        self.i += 1
        if ch == "d":
            return "0123456789"
        if ch and ch in "\\.-+*?()[]{}|^$/":
            return ch
        raise ValueError(f"unsupported escape \\{ch} in {self.pattern!r}")

    def _atom(self) -> _Node:
        ch = self._peek()
        self.i += 1
        if ch in ("^", "$"):
            return ("seq", [])
        if ch == "(":
            if self.pattern.startswith("?:", self.i):
                self.i += 2
            elif self.pattern.startswith("?P<", self.i):
                self.i = self.pattern.index(">", self.i) + 1
            elif self._peek() == "?":
                raise ValueError(f"unsupported group in {self.pattern!r}")
            node = self._alternation()
            if self._peek() != ")":
                raise ValueError(f"unbalanced group in {self.pattern!r}")
            self.i += 1
            return node
        if ch == "[":
            return ("chars", self._char_class())
        if ch == "\\":
            return ("chars", self._escape())
        if ch in ".*+?{":
            raise ValueError(f"unsupported {ch!r} in {self.pattern!r}")
        return ("chars", ch)

    def _char_class(self) -> str:
        if self._peek() == "^":
            raise ValueError(f"unsupported negated class in {self.pattern!r}")
        chars: list[str] = []
        while self._peek() not in ("", "]"):
            if self._peek() == "\\":
                self.i += 1
                chars.extend(self._escape())
                continue
            first = self._peek()
            self.i += 1
            if self._peek() == "-" and self.pattern[self.i + 1 : self.i + 2] not in ("", "]"):
                last = self.pattern[self.i + 1]
                self.i += 2
                chars.extend(chr(c) for c in range(ord(first), ord(last) + 1))
            else:
                chars.append(first)
        if self._peek() != "]" or not chars:
            raise ValueError(f"bad character class in {self.pattern!r}")
        self.i += 1
        return "".join(chars)

    def _quantifier(self) -> tuple[int, int]:
        ch = self._peek()
        if ch in ("?", "*", "+"):
            self.i += 1
            return {"?": (0, 1), "*": (0, 3), "+": (1, 4)}[ch]
        if ch != "{":
            return 1, 1
        end = self.pattern.find("}", self.i)
        if end < 0:
            raise ValueError(f"unbalanced {{ in {self.pattern!r}")
        body = self.pattern[self.i + 1 : end]
        self.i = end + 1
        try:
            if "," in body:
                low_text, high_text = body.split(",", 1)
                low = int(low_text)
                return low, int(high_text) if high_text else low + 3
            return int(body), int(body)
        except ValueError:
            raise ValueError(f"bad quantifier {{{body}}} in {self.pattern!r}") from None

    def sample(self, rnd: random.Random) -> str:
        return self._sample(self.tree, rnd)

    def _sample(self, node: _Node, rnd: random.Random) -> str:
        kind, value = node
        if kind == "chars":
            return str(rnd.choice(value))
        if kind == "alt":
            return self._sample(rnd.choice(value), rnd)
        return "".join(
            self._sample(child, rnd)
            for child, low, high in value
            for _ in range(rnd.randint(low, high))
        )


def sample_pattern(pattern: str, rnd: random.Random) -> str:
    """A random string `pattern` matches (see `_PatternSampler` for the subset it reads)."""
    return _PatternSampler(pattern).sample(rnd)


def luhn_digit(body: str) -> str:
    """The ISO/IEC 7812 check digit that makes `body` + digit pass `billpay_rules.luhn_ok`."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def account_for(biller: BillerData, rnd: random.Random, *, tries: int = 200) -> str:
    """An account number the biller's own rules take, normalised as `billpay.check_account`
    gives it: drawn from its `account_pattern`, then — when its rules say so — starting with
    one of the carrier's `prefixes`, or with a credit-card BIN of its `bins` and ending with the
    Luhn check digit. Every candidate is checked by the rules themselves
    (`billpay_rules.check_account`); ValueError when none fits in `tries`."""
    rules = billpay_rules.rules_of(biller)
    sampler = _PatternSampler(rules.account_pattern)
    credit = [b.prefix for b in rules.bins if b.type == "credit"]
    if rules.bins and not credit:
        raise ValueError(f"{biller.biller_id}: no credit-card BIN to repay")
    for _ in range(tries):
        account = sampler.sample(rnd)
        starts = ""
        if biller.kind == "mobile" and rules.prefixes:
            starts = rnd.choice(rules.prefixes)
        elif credit:
            starts = rnd.choice(credit)
        if len(starts) >= len(account):
            continue
        account = starts + account[len(starts) :]
        if rules.luhn:
            account = account[:-1] + luhn_digit(account[:-1])
        try:
            return billpay_rules.check_account(biller, account)
        except billpay_rules.BillRuleError:
            continue
    raise ValueError(f"cannot make an account {biller.biller_id}'s rules take")


def bill_amount(biller: BillerData, bill: BillInfo | None, rnd: random.Random) -> int:
    """What the customer pays: a top-up's denomination; a looked-up bill's amount due (its
    step, minimum and partial/over-payment rules respected, now and then part of it where the
    biller takes part); a repayment a round sum within the biller's limits."""
    rules = billpay_rules.rules_of(biller)
    step = rules.amount_step_fen
    if rules.denominations_fen:
        small = [d for d in rules.denominations_fen if d <= 10_000] or list(rules.denominations_fen)
        return int(rnd.choice(small))
    if bill is not None:
        due = billpay_rules.due_fen(bill)
        amount = due
        if rules.partial and due >= 2 * rules.amount_min_fen and rnd.random() < 0.3:
            amount = due // 2
        if amount % step:
            up = amount + step - amount % step
            amount = up if rules.overpay or not rules.partial else amount - amount % step
        if amount < rules.amount_min_fen and rules.overpay:
            amount = -(-rules.amount_min_fen // step) * step
        return max(amount, step)
    low = -(-max(rules.amount_min_fen, 10_000) // step) * step
    high = min(rules.amount_max_fen, 300_000)
    if high <= low:
        return low
    return low + (rnd.randint(0, (high - low) // 10_000) * 10_000 // step) * step


@dataclass
class BillSummary:
    """The run's bill payments as they stand at its end: per kind and status, the fen, the
    commission earned (success only), the refunds given back, and what the hub would not take
    (refused before any money: `refused` by rule or reason)."""

    #: kind -> status -> [count, fen]
    by_kind: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    #: tender -> [count, fen]
    by_tender: dict[str, list[int]] = field(default_factory=dict)
    commission_fen: int = 0
    refunded_count: int = 0
    refunded_fen: int = 0
    refunds_open: int = 0
    #: why the failed ones failed (the biller's or the hub's reason code)
    failed_reasons: dict[str, int] = field(default_factory=dict)
    #: billers left out: their account rule is outside what `account_for` can draw from
    skipped_billers: list[str] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    #: card bill payments declined or unknown at the terminal, then paid in cash
    fell_back_to_cash: int = 0
    seconds: float = 0.0
    customers: int = 0

    def _status_totals(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for statuses in self.by_kind.values():
            for status, (n, fen) in statuses.items():
                total = out.setdefault(status, [0, 0])
                total[0] += n
                total[1] += fen
        return out

    @property
    def count(self) -> int:
        return sum(n for n, _ in self._status_totals().values())

    @property
    def held(self) -> tuple[int, int]:
        """Payments not failed (pending or success), as the Z report's and the hub's
        `bill_payments_count` / `bill_payments_total_fen` count them."""
        totals = self._status_totals()
        pairs = [totals.get(s, [0, 0]) for s in ("pending", "success")]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    def as_dict(self) -> dict[str, Any]:
        totals = self._status_totals()
        held_count, held_fen = self.held
        return {
            "count": self.count,
            "total_fen": sum(fen for _, fen in totals.values()),
            "bill_payments_count": held_count,
            "bill_payments_total_fen": held_fen,
            "by_status": {
                s: {"count": n, "amount_fen": fen} for s, (n, fen) in sorted(totals.items())
            },
            "by_kind": {
                kind: {
                    "count": sum(n for n, _ in statuses.values()),
                    "amount_fen": sum(fen for _, fen in statuses.values()),
                    "by_status": {
                        s: {"count": n, "amount_fen": fen}
                        for s, (n, fen) in sorted(statuses.items())
                    },
                }
                for kind, statuses in sorted(self.by_kind.items())
            },
            "by_tender": {
                t: {"count": n, "amount_fen": fen} for t, (n, fen) in sorted(self.by_tender.items())
            },
            "commission_fen": self.commission_fen,
            "refunded_count": self.refunded_count,
            "refunded_fen": self.refunded_fen,
            "refunds_open": self.refunds_open,
            "failed_reasons": dict(sorted(self.failed_reasons.items())),
            "skipped_billers": sorted(self.skipped_billers),
            "refused": dict(sorted(self.refused.items())),
            "fell_back_to_cash": self.fell_back_to_cash,
            "ms_per_bill": round(1000 * self.seconds / self.customers, 1)
            if self.customers
            else None,
        }


def _refusal_code(exc: ShopError) -> str:
    if isinstance(exc, billpay_rules.BillRuleError):
        return f"rule:{exc.rule}"
    if isinstance(exc, BillPayRefused):
        return exc.reason
    return exc.code


class _BillDesk:
    """Bill customers at the counter, as the 缴费 page takes them (see the module docstring)."""

    def __init__(
        self, shop: Shop, ports: PaymentPorts, seed: int, owner: Actor | None = None
    ) -> None:
        self.owner = owner  # approves a bill refund above refund_limit_fen, as for a sale's
        assert ports.bills is not None
        self.shop, self.ports, self.port = shop, ports, ports.bills
        self.rnd = random.Random(f"bills-{seed}")
        self.summary = BillSummary()
        self.made: list[str] = []  # payment ids, in order
        self.mine: set[str] = set()  # the same: only this run's payments are followed up
        self.kinds: dict[str, list[BillerData]] = {}
        for biller in billpay.billers(shop):
            try:  # an account rule outside the subset this run can draw from: not offered
                _PatternSampler(billpay_rules.rules_of(biller).account_pattern)
            except (ValueError, ShopError):
                self.summary.skipped_billers.append(biller.biller_id)
                continue
            self.kinds.setdefault(biller.kind, []).append(biller)
        if not self.kinds:
            raise ShopError(
                "没有可模拟的缴费单位，请先同步 / no billers this run can pay: sync with the hub "
                "first (storebox sync --once)"
            )

    def _refused(self, exc: ShopError) -> None:
        _bump(self.summary.refused, _refusal_code(exc))

    def customer(self, cashier: Actor) -> None:
        """One customer pays one bill (or is refused before any money is taken)."""
        started = time.perf_counter()
        self.summary.customers += 1
        try:
            self._pay(cashier)
        finally:
            self.summary.seconds += time.perf_counter() - started
        self.follow_up(cashier)

    def _pay(self, cashier: Actor) -> None:
        mix = [(k, w) for k, w in BILL_MIX if k in self.kinds]
        kind = self.rnd.choices([k for k, _ in mix], [w for _, w in mix])[0]
        biller = self.rnd.choice(self.kinds[kind])
        try:
            account = account_for(biller, self.rnd)
        except ValueError:  # its rules admit no number this run can draw: drop the biller
            self.summary.skipped_billers.append(biller.biller_id)
            self.kinds[kind].remove(biller)
            if not self.kinds[kind]:
                del self.kinds[kind]
            if not self.kinds:
                raise ShopError("没有可模拟的缴费单位 / no biller left this run can pay") from None
            return
        if kind == "mobile":  # the window suggests the carrier from the number's segment
            biller = billpay.biller_for_phone(self.shop, account)
        bill: BillInfo | None = None
        try:
            if billpay_rules.rules_of(biller).lookup:
                bill = billpay.lookup(self.shop, self.port, biller.biller_id, account)
            amount = bill_amount(biller, bill, self.rnd)
            by_card = self.ports.terminal is not None and self.rnd.random() < BILL_CARD_SHARE
            view = self._take(cashier, biller, account, amount, bill, by_card)
        except ShopError as exc:  # refused before any money was taken: the customer leaves
            self._refused(exc)
            return
        self.made.append(view.payment_id)
        self.mine.add(view.payment_id)

    def _take(
        self,
        cashier: Actor,
        biller: BillerData,
        account: str,
        amount: int,
        bill: BillInfo | None,
        by_card: bool,
    ) -> billpay.BillView:
        """By card through the terminal, or cash with a round note; a card declined or of
        unknown outcome is settled with the terminal and the customer pays cash."""
        if by_card:
            try:
                return billpay.pay(
                    self.shop, cashier, biller.biller_id, account, amount, sales.Card(amount),
                    bill=bill, port=self.port, terminal=self.ports.terminal,
                    on_status=self.ports.on_status,
                )  # fmt: skip
            except (PaymentDeclined, PaymentUnknown) as exc:
                self.summary.fell_back_to_cash += 1
                if isinstance(exc, PaymentUnknown):
                    sales.resolve_open_attempts(self.shop, self.ports.terminal, None)
        return billpay.pay(
            self.shop, cashier, biller.biller_id, account, amount,
            sales.Cash(tender_for(amount, self.rnd)), bill=bill, port=self.port,
        )  # fmt: skip

    def follow_up(self, cashier: Actor) -> int:
        """The cashier's 刷新 of this run's payments still 受理中, then every open refund task
        refunded to its tender. Returns how many stay pending."""
        waiting = 0
        for view in billpay.pending(self.shop):
            if view.payment_id not in self.mine:
                continue
            try:
                if billpay.refresh(self.shop, self.port, view.payment_id).status == "pending":
                    waiting += 1
            except ShopError as exc:
                self._refused(exc)
                waiting += 1
        for task in billpay.refund_tasks(self.shop):
            if task.payment_id not in self.mine:  # another session's: the cashier's to see
                continue
            try:
                over = billpay.owner_needed(self.shop, cashier, task.amount_fen)
                billpay.refund(
                    self.shop, cashier, task.id, terminal=self.ports.terminal,
                    approver=self.owner if over else None,
                    on_status=self.ports.on_status,
                    reason="缴费失败，退款 / the biller failed it",
                )  # fmt: skip
            except ShopError as exc:  # the drawer short of cash now, the terminal declined
                _bump(self.summary.refused, f"refund:{exc.code}")
        return waiting

    def finish(self, cashier: Actor, wait_s: float) -> BillSummary:
        """Ask about what is still pending for up to `wait_s` seconds, refund what failed, and
        count every payment of the run as it now stands."""
        deadline = time.monotonic() + wait_s
        while self.follow_up(cashier) and time.monotonic() < deadline:
            time.sleep(BILL_POLL_S)
        summary = self.summary
        for payment_id in self.made:
            view = billpay.find(self.shop, payment_id)
            cell = summary.by_kind.setdefault(view.biller_kind, {}).setdefault(view.status, [0, 0])
            cell[0] += 1
            cell[1] += view.amount_fen
            tender = summary.by_tender.setdefault(view.tender, [0, 0])
            tender[0] += 1
            tender[1] += view.amount_fen
            if view.status == "success":
                summary.commission_fen += view.commission_fen
            if view.status == "failed":
                _bump(summary.failed_reasons, view.reason_code or "unknown")
            if view.refund is not None and view.refund.status == "done":
                summary.refunded_count += 1
                summary.refunded_fen += view.refund.amount_fen
            elif view.refund is not None:
                summary.refunds_open += 1
        return summary


def choose_tenders(ports: PaymentPorts, tenders: Collection[str] | None) -> tuple[str, ...]:
    """The tenders a run uses: `tenders`, or every tender the ports offer. ValueError for an
    unknown tender or one the ports cannot take (card without a terminal …)."""
    offered = ports.offered()
    chosen = tuple(offered if tenders is None else tenders)
    unknown = [t for t in chosen if t not in TENDERS]
    if unknown:
        raise ValueError(f"unknown tender(s) {unknown}; choose from {', '.join(TENDERS)}")
    missing = [t for t in chosen if t not in offered]
    if missing:
        raise ValueError(f"no port for tender(s) {missing}: give the terminal or the hub")
    if not chosen:
        raise ValueError("at least one tender is needed")
    return chosen


def run(
    shop: Shop,
    cashiers: list[Actor],
    owner: Actor,
    *,
    sales_count: int,
    seed: int = 1,
    shift_every: int = 80,
    float_fen: int = 50_000,
    on_sale: Callable[[sales.SaleReceipt], None] | None = None,
    ports: PaymentPorts | None = None,
    tenders: Collection[str] | None = None,
    refund_rate: float = 1 / 25,
    bill_rate: float = 0.0,
    bill_wait_s: float = 0.0,
) -> SimulationResult:
    """Sell `sales_count` sales. `ports` and `tenders` choose how customers pay (see the
    module's docstring): `tenders` (a subset of `TENDERS`) defaults to every tender the ports
    offer; asking for one the ports cannot take is an error. `refund_rate` is the share of
    sales followed by a refund of a recent sale. `bill_rate` is the share of sales after which
    a customer pays a bill through `ports.bills` (a rate without that port is an error);
    `bill_wait_s` is how long the end of the run waits for results still pending."""
    if not cashiers:
        raise ValueError("at least one cashier is needed")
    if not 0 <= refund_rate <= 1:
        raise ValueError("refund_rate is a share from 0 to 1")
    if not 0 <= bill_rate <= 1 or bill_wait_s < 0:
        raise ValueError("bill_rate is a share from 0 to 1, bill_wait_s not negative")
    ports = ports or PaymentPorts()
    if bill_rate and ports.bills is None:
        raise ValueError("no port for bill payments: give the hub")
    chosen_tenders = choose_tenders(ports, tenders)
    ways, way_weights = _mix(chosen_tenders)
    cash_only = ways == [CASH]

    rnd = random.Random(seed)
    codes = shelf(shop)
    if not codes:
        raise ShopError("没有商品，无法模拟 / the catalogue is empty; nothing to sell")
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(codes))]
    result = SimulationResult()
    till = _Till(shop, ports, rnd, result)
    recent: list[str] = []
    cashier = rnd.choice(cashiers)

    def refused(exc: ShopError) -> None:
        result.refused[exc.code] = result.refused.get(exc.code, 0) + 1

    with shop.store.read() as session:
        open_now = shifts.current_shift(session, shop)
    if open_now is None:
        shifts.open_shift(shop, cashier, float_fen)
    desk = _BillDesk(shop, ports, seed, owner) if bill_rate else None

    while result.sales < sales_count:
        cart = sales.Cart()
        for code in rnd.choices(codes, weights=weights, k=rnd.choice((1, 1, 2, 2, 3, 3, 4, 5))):
            qty = 1 if rnd.random() < 0.85 else rnd.randint(2, 6)
            sales.add_barcode(shop, cart, code, qty)
        if rnd.random() < 1 / 30:
            sales.void_cart(shop, cashier, cart, "顾客不要了 / customer changed their mind")
            result.voids += 1
            continue
        # Cash only draws nothing more from the stream: a seed sells what it always sold.
        way = CASH if cash_only else rnd.choices(ways, way_weights)[0]
        started = time.perf_counter()
        if way == CASH:
            receipt, paid = till.cash(cashier, cart), CASH
        else:
            receipt, paid = till.pay(cashier, cart, way)
        result.seconds[way] = result.seconds.get(way, 0.0) + time.perf_counter() - started
        _bump(result.chosen, way)
        _bump(result.paid_with, paid)
        for payment in receipt.payments:
            tally = result.tally(payment.kind)
            tally.sales_count += 1
            tally.sales_fen += payment.amount_fen
        result.sales += 1
        result.sales_total_fen += receipt.total_fen
        result.last_sale_number = receipt.number
        recent.append(receipt.number)
        del recent[:-50]
        if on_sale is not None:
            on_sale(receipt)
        if desk is not None and desk.rnd.random() < bill_rate:
            desk.customer(cashier)

        if recent and rnd.random() < refund_rate:
            number = rnd.choice(recent)
            try:
                back = refunds.refund(
                    shop,
                    cashier,
                    number,
                    None,
                    "顾客退货 / customer returned it",
                    approver=owner,
                    terminal=ports.terminal,
                    wallet=ports.wallet,
                    on_status=ports.on_status,
                )
            except ShopError as exc:  # already refunded in full, or declined: a real answer
                refused(exc)
            else:
                result.refunds += 1
                result.refunds_total_fen += back.total_fen
                for part in back.payments:
                    tally = result.tally(part.kind)
                    tally.refunds_count += 1
                    tally.refunds_fen += part.amount_fen

        if rnd.random() < 1 / 200:
            try:
                shifts.cash_out(shop, cashier, 10_000, "存入银行 / banked")
                result.cash_outs += 1
            except ShopError as exc:
                refused(exc)

        if result.sales % shift_every == 0:
            with shop.store.read() as session:
                shift = shifts.require_open_shift(session, shop)
                expected = shifts.expected_cash(session, shift)
            variance = rnd.choice((0, 0, 0, 0, -100, 50))
            closer = cashier if shift.user_id == cashier.user_id else owner
            shifts.close_shift(shop, closer, max(0, expected + variance), shift_id=shift.id)
            result.shifts_closed += 1
            cashier = rnd.choice(cashiers)
            shifts.open_shift(shop, cashier, float_fen)
    if desk is not None:
        result.bills = desk.finish(cashier, bill_wait_s)
    return result
