"""The wire schemas of the shop <-> hub protocol, shared by both ends so they cannot drift.

Every body that crosses the wire is one of these pydantic models; both sides validate what they
receive (the hub with FastAPI, the shop's client explicitly), because a body that merely parsed
as JSON proves nothing: `requests` can hand back a 200 with an empty or truncated body when the
connection is cut while the answer is read. Only a validated acknowledgement that names every
event sent counts as "received" (`check_acknowledgement`).

Money is integer fen here as everywhere. Times are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

PROTOCOL_VERSION: Final = 1

# Paths (prefix /v1 so a later protocol can live beside this one).
ENROL_PATH: Final = "/v1/devices/enrol"
ME_PATH: Final = "/v1/me"
PUSH_PATH: Final = "/v1/events"
EVENT_PATH: Final = "/v1/events/{event_id}"
"""GET: what the hub answered for one of this store's events (404 if it holds no such event)."""
PULL_PATH: Final = "/v1/streams/{stream}"
HEALTH_PATH: Final = "/v1/health"

MAX_BATCH: Final = 200
"""Events per push request: big enough to drain a day's backlog quickly, small enough that a
request finishes well inside the client's read timeout on a slow shop line."""

MAX_PAGE: Final = 2000
"""Changes per pull page; the client asks for less with `limit`."""
MAX_BILL_FEN: Final = 10_000_000
"""¥100,000: above any biller's per-payment limit; a sanity bound on the wire."""

STREAMS: Final = ("catalog", "billers", "config", "bill_results")
"""Pull streams the hub serves and the shop's agent pulls, in this order (the billers before
the results of their payments); later features add theirs (orders, ...)."""

StreamName = Literal["catalog", "billers", "config", "bill_results"]
"""Streams the hub accepts a pull for. `bill_results` is per store (each store pulls only its
own payments' results; the shop applies them: storebox.billpay_results)."""

EVENT_ID_PATTERN: Final = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
EVENT_KIND_PATTERN: Final = r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$"


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a time on the wire must carry its offset (UTC)")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise ValueError("the time is out of range") from None


def _json_integer(value: Any) -> Any:
    """A JSON integer: 12 or 12.0 (JSON Schema counts both), never "12", true or 12.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


JSON_INTEGER = BeforeValidator(_json_integer)
"""After any constraint in an Annotated (`Annotated[int, Field(ge=0), JSON_INTEGER]`): placed
before it, pydantic leaves the constraint out of the JSON Schema ("ge" instead of "minimum")."""
JsonInt = Annotated[int, JSON_INTEGER]


def _iso_text(value: Any) -> Any:
    """A time on the wire is ISO 8601 text; pydantic would also read a number as Unix seconds."""
    if isinstance(value, bool | int | float):
        raise ValueError("a time on the wire must be ISO 8601 text with its offset")
    return value


AwareDatetime = Annotated[dt.datetime, BeforeValidator(_iso_text), AfterValidator(_aware)]
EventId = Annotated[str, StringConstraints(pattern=EVENT_ID_PATTERN)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class WireModel(BaseModel):
    """Unknown fields are refused: a misspelt field is a bug on the other side, not data.

    Booleans and integers are strict (StrictBool, JsonInt): pydantic's lax mode would read 0 as
    false and "12" as 12, so a sender that gets its types wrong would be silently reinterpreted
    instead of told (found by fuzzing the hub against its own OpenAPI)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorBody(WireModel):
    """Every 4xx/5xx answer: a stable machine code and a sentence for a person."""

    error: str
    detail: str


# --- enrolment -----------------------------------------------------------------------------


class EnrolRequest(WireModel):
    code: Annotated[str, StringConstraints(min_length=6, max_length=64)]
    device_name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    app_version: Annotated[str, StringConstraints(max_length=40)] = ""


class EnrolResponse(WireModel):
    store_id: str
    store_name: str
    device_id: str
    token: str
    """Shown once; the hub keeps only its hash."""


class WhoAmI(WireModel):
    store_id: str
    store_name: str
    device_id: str
    device_name: str
    server_time: AwareDatetime


# --- push: the outbox ----------------------------------------------------------------------


class Event(WireModel):
    event_id: EventId
    """The idempotency key: the hub applies an id at most once (a UNIQUE constraint)."""
    kind: Annotated[str, StringConstraints(pattern=EVENT_KIND_PATTERN, max_length=40)]
    created_at: AwareDatetime
    payload: dict[str, Any]


class PushRequest(WireModel):
    events: Annotated[list[Event], Field(min_length=1, max_length=MAX_BATCH)]


EventStatus = Literal["applied", "duplicate", "rejected"]


class EventResult(WireModel):
    """applied: new and kept. duplicate: seen before and kept then (the same answer again).
    rejected: permanent, with a reason; the shop parks it as a dead letter, never retries it."""

    event_id: EventId
    status: EventStatus
    reason: str | None = None


class PushResponse(WireModel):
    results: list[EventResult]


class AcknowledgementError(ValueError):
    """The hub's answer does not account for exactly the events sent: treat as not received."""


def check_acknowledgement(sent: PushRequest, answer: PushResponse) -> dict[str, EventResult]:
    """One result per event sent, no more, no other: otherwise nothing counts as received."""
    ids = [e.event_id for e in sent.events]
    got = [r.event_id for r in answer.results]
    if sorted(ids) != sorted(got):
        raise AcknowledgementError(
            f"the hub answered for {len(got)} events, {len(ids)} were sent, or for other ids"
        )
    return {r.event_id: r for r in answer.results}


def canonical_json(payload: Any) -> str:
    """One spelling of a JSON value, so that equal payloads have equal digests on both sides."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload_digest(kind: str, payload: Any) -> str:
    """What the hub compares when an event id comes again: same id, other digest = refused."""
    return digest_of_canonical(kind, canonical_json(payload))


def digest_of_canonical(kind: str, canonical: str) -> str:
    """`payload_digest` for a payload already spelt by `canonical_json` (spelt once, used twice)."""
    return hashlib.sha256(f"{kind}\n{canonical}".encode()).hexdigest()


# --- pull: streams with cursors ------------------------------------------------------------


class Change(WireModel):
    key: str
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None = None
    """The whole item for an upsert (its schema is the stream's: CatalogItem, Biller, ...)."""


CURSOR_PATTERN: Final = r"^([a-z_]{1,40})\.([0-9a-f]{1,32})\.(\d{1,9})\.(\d{1,19})\.(\d{1,19})$"
"""A pull cursor: `<stream>.<epoch>.<generation>.<txid>.<seq>`."""
_CURSOR = re.compile(CURSOR_PATTERN)


@dataclass(frozen=True)
class CursorOrder:
    """Where a cursor stands, so that the shop can tell a cursor that goes backwards.

    Why the cursor's own spelling and not a new `position` field beside it: the hub has
    handed out cursors of this shape since its first migration with generations, so every
    page already carries its order (no hub change, and a shop's stored cursor carries it too:
    no migration, no second column that could disagree with the cursor it is stored with). A
    single integer could not hold it anyway: the order is (txid, seq), two 63-bit numbers.

    Within one `epoch` (one hub database) `position` never goes down and `generation` (prunes
    counted) never goes down. Another epoch means the hub's database was replaced: the cursors
    of the old one mean nothing there, and the stream is pulled again from the start."""

    stream: str
    epoch: str
    generation: int
    txid: int
    seq: int

    @property
    def position(self) -> tuple[int, int]:
        return (self.txid, self.seq)


def cursor_order(cursor: str) -> CursorOrder | None:
    """The order of a cursor of CURSOR_PATTERN's shape; None for anything else."""
    match = _CURSOR.match(cursor)
    if match is None:
        return None
    name, epoch, generation, txid, seq = match.groups()
    return CursorOrder(name, epoch, int(generation), int(txid), int(seq))


class PullPage(WireModel):
    """Changes after `cursor` in commit order.

    `more` means ask again at once. A 410 answer (error "cursor_expired") means the hub no longer
    serves changes after the cursor: drop the stream's local copy and pull from the start.

    The cursor's shape (CURSOR_PATTERN) is part of the protocol so that its order is
    (`CursorOrder`): the shop refuses a page whose cursor goes below the one it holds in the
    same epoch, or does not move while `more` is true (which would loop for ever).
    """

    stream: str
    changes: Annotated[list[Change], Field(max_length=MAX_PAGE)]
    cursor: str
    """Of CURSOR_PATTERN's shape; checked by the shop's agent, which refuses a page whose cursor
    has no order, rather than by the schema, so that the client stays usable with any cursor."""
    more: StrictBool


class CatalogItem(WireModel):
    """One of the community mall's goods and its wholesale price list entry."""

    sku: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    barcode: str | None = None
    name: ShortText
    spec: str = ""
    """规格, e.g. 500ml×12."""
    unit: str = "件"
    category: str = ""
    case_qty: Annotated[int, Field(ge=1), JSON_INTEGER] = 1
    wholesale_price_fen: Annotated[int, Field(ge=0), JSON_INTEGER]
    retail_price_fen: Annotated[int, Field(ge=0), JSON_INTEGER]
    """The mall's suggested shelf price."""
    active: StrictBool = True


BillerKind = Literal["electricity", "water", "gas", "mobile", "credit_card"]
BillerId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Fen = Annotated[int, Field(ge=0, le=MAX_BILL_FEN), JSON_INTEGER]


class Commission(WireModel):
    """What the shop earns on a successful payment: a fixed sum, or basis points of the amount
    (rounded half up to the fen), whichever `kind` says. Earned on success only, clawed back on
    refund (REFERENCE.md)."""

    kind: Literal["fixed", "percent"]
    fixed_fen: Fen = 0
    basis_points: Annotated[int, Field(ge=0, le=10_000), JSON_INTEGER] = 0


class CardBin(WireModel):
    """One issuer's card-number prefix (BIN) for credit-card repayment. Only `credit` BINs may be
    repaid; a `debit` BIN is refused (NOT_A_CREDIT_CARD)."""

    prefix: Annotated[str, StringConstraints(pattern=r"^\d{4,10}$")]
    bank: ShortText
    type: Literal["credit", "debit"]
    posting: Literal["realtime", "same_day", "next_day"] = "same_day"


class BillerRules(WireModel):
    """A biller's own input rules, kept as data so that a biller changes without a shop release
    (REFERENCE.md: each biller publishes its regex, tips and amount step). The shop checks
    them before any money is taken; the hub checks them again (it never trusts the shop).

    `hours` are opening windows in China time, "HH:MM-HH:MM" (empty: always open).
    `prefixes` (mobile): the number segments the carrier was given; since number portability
    (2019) a prefix only suggests the carrier, so the hub may still answer operator_mismatch.
    `bill_barcode`: a regex with a named group `account` (and optionally `amount_fen`) that reads
    the barcode printed on a paper bill."""

    account_label: ShortText
    account_pattern: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    account_tip: Annotated[str, StringConstraints(max_length=200)] = ""
    lookup: StrictBool = False
    """The amount due is looked up first (utilities); such billers refuse offline payment."""
    amount_min_fen: Fen = 1
    amount_max_fen: Fen = MAX_BILL_FEN
    amount_step_fen: Annotated[int, Field(ge=1), JSON_INTEGER] = 1
    denominations_fen: list[Fen] = Field(default_factory=list)
    """Non-empty: only these amounts (top-up face values)."""
    partial: StrictBool = True
    """A looked-up bill may be paid in part."""
    overpay: StrictBool = True
    """A looked-up bill may be paid above the amount due (the rest stays as a balance)."""
    per_day_max_fen: Fen | None = None
    """Per account per China day, across all shops."""
    luhn: StrictBool = False
    bins: list[CardBin] = Field(default_factory=list)
    prefixes: list[Annotated[str, StringConstraints(pattern=r"^1\d{2,3}$")]] = Field(
        default_factory=list
    )
    hours: list[Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")]] = Field(
        default_factory=list
    )
    commission: Commission = Commission(kind="fixed", fixed_fen=0)
    posting: Annotated[str, StringConstraints(max_length=80)] = ""
    bill_barcode: Annotated[str, StringConstraints(max_length=200)] = ""


class Biller(WireModel):
    """A convenience-payment biller (the `billers` stream, keyed by biller_id)."""

    biller_id: BillerId
    kind: BillerKind
    name: ShortText
    active: StrictBool = True
    rules: BillerRules


class ConfigEntry(WireModel):
    key: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    value: Any


# --- health --------------------------------------------------------------------------------


DeviceState = Literal["ok", "warning", "error", "unknown", "off"]


class DeviceHealth(WireModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    """printer, terminal, scanner, display."""
    url: Annotated[str, StringConstraints(max_length=200)] = ""
    state: DeviceState
    detail: Annotated[str, StringConstraints(max_length=200)] = ""


class AgentState(WireModel):
    online: StrictBool
    pending_events: Annotated[int, Field(ge=0), JSON_INTEGER]
    dead_letters: Annotated[int, Field(ge=0), JSON_INTEGER]
    last_success_at: AwareDatetime | None = None
    last_error: Annotated[str, StringConstraints(max_length=500)] | None = None
    cursors: dict[str, str] = Field(default_factory=dict)


class HealthAck(WireModel):
    """The hub's answer to a health report."""

    received_at: AwareDatetime


class HealthReport(WireModel):
    at: AwareDatetime
    app_version: Annotated[str, StringConstraints(max_length=40)] = ""
    devices: Annotated[list[DeviceHealth], Field(max_length=20)] = Field(default_factory=list)
    agent: AgentState


# --- the hub's acquirer: wallet payments (issue 6) -----------------------------------------
#
# Every request that creates something (a micropay, a refund, a dynamic QR order) carries the
# shop's idempotency key as `reference`: the same key again gets the first answer again, the same
# key with other parameters is refused (422 "idempotency_conflict"). Query, reverse and close act
# on an existing order by its reference and are idempotent by nature.

MICROPAY_PATH: Final = "/v1/acquirer/micropay"
ORDER_PATH: Final = "/v1/acquirer/orders/{reference}"
"""GET: query any order of this store (a micropay, a refund or a dynamic QR order)."""
REVERSE_PATH: Final = "/v1/acquirer/orders/{reference}/reverse"
REFUND_PATH: Final = "/v1/acquirer/refunds"
QR_PATH: Final = "/v1/acquirer/qr"
QR_CLOSE_PATH: Final = "/v1/acquirer/orders/{reference}/close"
SETTLEMENT_PATH: Final = "/v1/acquirer/settlement/{day}"

REFERENCE_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
PAYMENT_CODE_PATTERN: Final = r"^(1[0-5][0-9]{16}|(2[5-9]|30)[0-9]{14,22}|62[0-9]{17})$"
"""A code `wallet_of` recognises: WeChat, Alipay or UnionPay (the schema says it exactly)."""
MAX_PAYMENT_FEN: Final = 10_000_000
"""100,000 yuan: far above any convenience-store sale, below any overflow."""

Reference = Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)]
PaymentCode = Annotated[str, StringConstraints(pattern=PAYMENT_CODE_PATTERN)]
AmountFen = Annotated[int, Field(ge=1, le=MAX_PAYMENT_FEN), JSON_INTEGER]

WalletName = Literal["wechat", "alipay", "unionpay"]
OrderKind = Literal["micropay", "refund", "qr"]
OrderStatus = Literal[
    "approved", "declined", "user_paying", "closed", "reversed", "refunded", "unknown"
]
"""approved: the money moved. declined: it did not and will not. user_paying: not final yet
(the customer confirms on the phone; an unpaid dynamic QR). closed: an unpaid order ended
(expired, closed). reversed: cancelled, any money given back. refunded: a payment refunded in
full. unknown: the acquirer has no final answer yet (query again later)."""
FINAL_STATUSES: Final = frozenset({"approved", "declined", "closed", "reversed", "refunded"})


def wallet_of(code: str) -> WalletName | None:
    """Which wallet issued a customer-presented code, from its length and prefix (a routing
    hint only): WeChat 18 digits 10-15, Alipay 16-24 digits 25-30, UnionPay 19 digits 62."""
    if not code.isdigit() or not code.isascii():
        return None
    prefix = int(code[:2]) if len(code) >= 2 else -1
    if len(code) == 18 and 10 <= prefix <= 15:
        return "wechat"
    if 16 <= len(code) <= 24 and 25 <= prefix <= 30:
        return "alipay"
    if len(code) == 19 and prefix == 62:
        return "unionpay"
    return None


class MicropayRequest(WireModel):
    reference: Reference
    """The shop's idempotency key for this payment (its payment attempt's reference)."""
    auth_code: PaymentCode
    """The customer's one-time payment code (付款码); the hub never stores it."""
    amount_fen: AmountFen
    description: Annotated[str, StringConstraints(max_length=128)] = ""
    sale_reference: Annotated[str, StringConstraints(max_length=64)] = ""


class RefundRequest(WireModel):
    reference: Reference
    """The refund's own idempotency key."""
    original_reference: Reference
    amount_fen: AmountFen
    reason: Annotated[str, StringConstraints(max_length=128)] = ""


class QrCreateRequest(WireModel):
    reference: Reference
    amount_fen: AmountFen
    description: Annotated[str, StringConstraints(max_length=128)] = ""
    sale_reference: Annotated[str, StringConstraints(max_length=25)] = ""
    """Goes into the code's additional data (62, bill number), at most 25 characters."""
    expires_in_s: Annotated[int, Field(ge=30, le=3600), JSON_INTEGER] = 300


class OrderAnswer(WireModel):
    """The acquirer's answer about one order, to every acquirer call."""

    reference: str
    kind: OrderKind
    status: OrderStatus
    amount_fen: JsonInt
    refunded_fen: JsonInt = 0
    wallet: WalletName | None = None
    acquirer_reference: str
    message: str = ""
    """For the cashier, Chinese / English."""
    created_at: AwareDatetime
    final_at: AwareDatetime | None = None
    original_reference: str | None = None
    sale_reference: str = ""
    qr_payload: str | None = None
    expires_at: AwareDatetime | None = None


class SettlementRow(WireModel):
    """One transaction whose money moved on the day (China time): a payment or a refund.
    Amounts are signed from the store's side: refunds negative. A reversed payment shows its
    amount and a net of 0."""

    type: Literal["payment", "refund"]
    reference: str
    acquirer_reference: str
    original_reference: str | None = None
    kind: OrderKind
    wallet: WalletName | None = None
    status: OrderStatus
    amount_fen: JsonInt
    refunded_fen: JsonInt
    fee_fen: JsonInt
    net_fen: JsonInt
    at: AwareDatetime
    device_id: str = ""
    """The device (till) that sent the order, so that each till of a store reconciles its own
    transactions; empty from a hub that did not say."""


class SettlementFile(WireModel):
    store_id: str
    day: dt.date
    rows: list[SettlementRow]
    payments_count: JsonInt
    payments_fen: JsonInt
    """Payments that stand (approved, or later refunded: the refund is its own row); a reversed
    payment counts 0."""
    refunds_fen: JsonInt
    """Refunds on the day, as a positive sum."""
    fees_fen: JsonInt
    net_fen: JsonInt


# --- convenience payments (便民支付) -----------------------------------------------------------
#
# Flow: (lookup, online only) -> the shop takes the money and records the payment with its
# outbox event `bill_payment.accepted` (payload: BillPaymentRequest) in one transaction -> when
# online the window also submits the same request at once (BILL_PAY_PATH) to show the biller's
# answer; the hub treats both as one payment, idempotent by `payment_id` (UNIQUE per store:
# same id and same fields -> the first answer; other fields -> 422 idempotency_conflict) ->
# results (pending -> success | failed) flow back on the per-store `bill_results` stream, keyed
# by payment_id (item: BillResult) -> a failed payment is refunded to the customer by the shop,
# which pushes `bill_payment.refunded` (payload: BillRefundRecord).
#
# Errors are ErrorBody with these codes (4xx): unknown_biller, biller_inactive, biller_closed
# (outside opening hours), invalid_account, not_a_credit_card, operator_mismatch,
# account_not_found, no_bill, query_expired, amount_invalid (min/max/step/denomination/partial/
# overpay), limit_exceeded (per payment or per day), duplicate_bill (the same bill is being paid
# concurrently), idempotency_conflict; 503 biller_unavailable (try again later; never a failure).

BILL_LOOKUP_PATH: Final = "/v1/bills/lookup"
BILL_PAY_PATH: Final = "/v1/bills/payments"
BILL_PAYMENT_PATH: Final = "/v1/bills/payments/{payment_id}"
BILL_STATEMENT_PATH: Final = "/v1/bills/statement/{day}"

BILL_RESULTS_STREAM: Final = "bill_results"
"""Per store (a shop sees only its own payments' results); in STREAMS, after the billers."""

BILL_ACCEPTED_EVENT: Final = "bill_payment.accepted"
BILL_REFUNDED_EVENT: Final = "bill_payment.refunded"

PaymentId = Annotated[str, StringConstraints(pattern=EVENT_ID_PATTERN)]
Account = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{4,32}$")]
BillFen = Annotated[int, Field(ge=1, le=MAX_BILL_FEN), JSON_INTEGER]
BillStatus = Literal["pending", "success", "failed"]
"""pending: accepted, the biller has not answered yet (受理中; a timeout is never a failure).
success: credited (成功). failed: the biller refused it for good; the shop refunds the customer."""


class BillLookupRequest(WireModel):
    biller_id: BillerId
    account: Account


class BillLookup(WireModel):
    """A bill as the biller reports it. The holder's name is masked by the hub (张*明): the
    shop never receives, stores or prints it in full."""

    biller_id: str
    account_masked: str
    holder_masked: str
    amount_due_fen: JsonInt
    """0 for a prepaid balance account with nothing due."""
    penalty_fen: JsonInt = 0
    balance_fen: JsonInt = 0
    due_date: dt.date | None = None
    period: Annotated[str, StringConstraints(max_length=40)] = ""
    """The billing period, e.g. "2026-10"."""
    query_no: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    """Pay with it before `expires_at`; an expired one is answered query_expired."""
    expires_at: AwareDatetime


class BillPaymentRequest(WireModel):
    """One bill payment, as the shop accepted it. Also the payload of the
    `bill_payment.accepted` event (the same payment_id both ways)."""

    payment_id: PaymentId
    biller_id: BillerId
    account: Account
    """In full: the biller needs it. Masked everywhere else (receipts, logs, statements)."""
    amount_fen: BillFen
    query_no: Annotated[str, StringConstraints(max_length=64)] = ""
    tender: Literal["cash", "card", "wallet"]
    accepted_offline: StrictBool = False
    """Taken while the hub was unreachable, within the offline limits of the config stream."""
    accepted_at: AwareDatetime
    number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    """The shop's own receipt number for it, for people and statements."""
    business_day: dt.date | None = None
    """The shop's business day (it runs to the shop's cut-off, e.g. 04:00), which the hub's
    statement and report use, as they do for sales: a payment at 01:30 belongs to the day before,
    in the shop's Z report and in the hub's figures alike. None (an older shop): the China day
    of `accepted_at`."""


class BillResult(WireModel):
    """The hub's answer about one payment: to BILL_PAY_PATH, BILL_PAYMENT_PATH, and as the item
    of the `bill_results` stream."""

    payment_id: str
    biller_id: str
    number: str
    account_masked: str
    amount_fen: JsonInt
    status: BillStatus
    biller_reference: str = ""
    reason_code: str = ""
    """For failed: the biller's reason (e.g. number_suspended, account_closed)."""
    message: str = ""
    """For the cashier and the receipt, Chinese / English."""
    commission_fen: JsonInt = 0
    """Earned on success only."""
    accepted_at: AwareDatetime
    final_at: AwareDatetime | None = None
    refunded: StrictBool = False
    """The shop reported it refunded the customer (after failed)."""


class BillRefundRecord(WireModel):
    """Payload of `bill_payment.refunded`: the shop gave the customer the money back after the
    biller failed the payment."""

    payment_id: PaymentId
    amount_fen: BillFen
    tender: Literal["cash", "card", "wallet"]
    refunded_at: AwareDatetime
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class BillStatementRow(WireModel):
    payment_id: str
    number: str
    biller_id: str
    kind: BillerKind | Literal["unknown"]
    """"unknown" for a payment whose biller the hub does not know (its event named a biller
    the hub has removed): it is listed, failed with unknown_biller, so the shop refunds it."""
    account_masked: str
    amount_fen: JsonInt
    status: BillStatus
    refunded: StrictBool
    commission_fen: JsonInt
    accepted_at: AwareDatetime
    final_at: AwareDatetime | None = None
    biller_reference: str = ""
    device_id: str = ""
    """The device (till) that took the payment: each till of a store reconciles its own."""


class BillStatement(WireModel):
    """The hub's daily statement of a store's bill payments (对账单), for the business day each
    payment carries (the China day of accepted_at when a shop sent none). `owed_fen` is what the shop owes the
    platform: successful and pending payments minus commission earned."""

    store_id: str
    day: dt.date
    rows: list[BillStatementRow]
    count: JsonInt
    amount_fen: JsonInt
    success_fen: JsonInt
    pending_fen: JsonInt
    failed_fen: JsonInt
    commission_fen: JsonInt
    owed_fen: JsonInt
