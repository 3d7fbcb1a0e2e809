"""ZVT application messages: the ECR→PT commands we send and the PT→ECR messages we parse.

Data after the fixed fields is a list of BMP fields: a one-byte tag and a value of a fixed length,
an LLVAR (`F0 Fn`, n digits of length) or an LLLVAR (`F0 Fn Fn`); BMP 06 is a BER-TLV container.
A tag we cannot skip makes the message refused (`ApduError`), never half-read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.terminal.zvt.frame import Apdu, FrameError

CNY = 156
#: The factory default terminal password (a ZVT convention, not a secret).
DEFAULT_PASSWORD = "000000"  # noqa: S105
LLVAR = -2
LLLVAR = -3
TLV = -1

#: BMP tag -> value length in bytes (or LLVAR / LLLVAR / TLV).
BMP_LENGTHS: dict[int, int] = {
    0x01: 1, 0x02: 1, 0x03: 1, 0x04: 6, 0x05: 1, 0x06: TLV, 0x0B: 3, 0x0C: 3, 0x0D: 2,
    0x0E: 2, 0x17: 2, 0x19: 1, 0x22: LLVAR, 0x23: LLVAR, 0x24: LLLVAR, 0x27: 1, 0x29: 4,
    0x2A: 15, 0x2D: LLVAR, 0x2E: LLLVAR, 0x37: 3, 0x3A: 2, 0x3B: 8, 0x3C: LLLVAR, 0x3D: 3,
    0x49: 2, 0x60: LLLVAR, 0x87: 2, 0x88: 3, 0x8A: 1, 0x8B: LLVAR, 0x8C: 1, 0x92: LLLVAR,
    0x9A: LLLVAR, 0xA0: 1, 0xA7: LLVAR, 0xAF: LLLVAR, 0xBA: 5, 0xD0: 1, 0xD1: LLVAR,
    0xD2: 1, 0xE0: 1, 0xE1: LLVAR, 0xE2: LLVAR, 0xE3: LLVAR, 0xE4: LLVAR, 0xE5: LLVAR,
    0xE6: LLVAR, 0xE7: LLVAR, 0xE8: LLVAR, 0xE9: LLVAR, 0xF0: 1, 0xF1: LLVAR, 0xF2: LLVAR,
    0xF3: LLVAR, 0xF4: LLVAR, 0xF5: LLVAR, 0xF6: LLVAR, 0xF7: LLVAR, 0xF8: LLVAR,
}  # fmt: skip


class ApduError(FrameError):
    """A message whose content cannot be read (unknown command, unskippable field)."""


class UnknownCommand(ApduError):
    """A well-formed message whose command we do not know: answered 84 83 00 (not supported)."""


# --- BCD ---------------------------------------------------------------------------------------


def bcd(value: int, size: int) -> bytes:
    digits = f"{value:0{size * 2}d}"
    if value < 0 or len(digits) > size * 2:
        raise ValueError(f"{value} does not fit in {size} BCD bytes")
    return bytes.fromhex(digits)


def from_bcd(raw: bytes) -> int:
    text = raw.hex()
    if not text.isdigit():
        raise ApduError(f"not BCD: {text.upper()}")
    return int(text)


def _password(password: str) -> bytes:
    if len(password) != 6 or not password.isdigit():
        raise ValueError("the terminal password is 6 digits")
    return bytes.fromhex(password)


# --- ECR -> PT commands ------------------------------------------------------------------------

#: Registration config byte: the ECR prints the receipts (02 payment, 04 admin), the ECR wants
#: intermediate status messages (bit 08 off = PT sends them), ECR controls payment (80).
DEFAULT_CONFIG = 0x86


def registration(
    password: str = DEFAULT_PASSWORD, config: int = DEFAULT_CONFIG, currency: int = CNY
) -> Apdu:
    """06 00: password (3 bytes BCD), config byte, currency code (2 bytes BCD, CNY = 01 56)."""
    if isinstance(config, bool) or not isinstance(config, int) or not 0 <= config <= 0xFF:
        raise ValueError(f"the config byte is 0..255, not {config!r}")
    return Apdu(0x06, 0x00, _password(password) + bytes([config]) + bcd(currency, 2))


def _amount_bmps(amount_fen: int) -> bytes:
    if amount_fen <= 0:
        raise ValueError("the amount must be positive")
    return b"\x04" + bcd(amount_fen, 6) + b"\x49" + bcd(CNY, 2)


def authorisation(amount_fen: int) -> Apdu:
    return Apdu(0x06, 0x01, _amount_bmps(amount_fen))


def refund(amount_fen: int, password: str = DEFAULT_PASSWORD) -> Apdu:
    return Apdu(0x06, 0x31, _password(password) + _amount_bmps(amount_fen))


def reversal(receipt_no: int, password: str = DEFAULT_PASSWORD) -> Apdu:
    return Apdu(0x06, 0x30, _password(password) + b"\x87" + bcd(receipt_no, 2))


def end_of_day(password: str = DEFAULT_PASSWORD) -> Apdu:
    return Apdu(0x06, 0x50, _password(password))


def status_enquiry(password: str = DEFAULT_PASSWORD) -> Apdu:
    return Apdu(0x05, 0x01, _password(password))


def repeat_receipt(password: str = DEFAULT_PASSWORD) -> Apdu:
    return Apdu(0x06, 0x20, _password(password))


def abort() -> Apdu:
    return Apdu(0x06, 0xB0)


ACK_APDU = Apdu(0x80, 0x00)
#: 84 83 00: the answer to a command the receiver does not support.
NOT_SUPPORTED_APDU = Apdu(0x84, 0x83)


# --- texts ------------------------------------------------------------------------------------

#: 04 FF intermediate status codes -> (Chinese, English) for the cashier and customer display.
INTERMEDIATE_TEXTS: dict[int, tuple[str, str]] = {
    0x00: ("请确认金额", "Confirm the amount"),
    0x01: ("请看密码键盘", "Please watch the PIN pad"),
    0x02: ("请看密码键盘", "Please watch the PIN pad"),
    0x03: ("不受理", "Not accepted"),
    0x04: ("等待银行应答", "Waiting for the host"),
    0x05: ("正在自动冲正", "Sending auto-reversal"),
    0x07: ("卡不受理", "Card not admitted"),
    0x08: ("未知卡", "Card unknown"),
    0x09: ("卡已过期", "Card expired"),
    0x0A: ("请插卡", "Insert card"),
    0x0B: ("请取卡", "Please remove card"),
    0x0C: ("卡无法读取", "Card not readable"),
    0x0D: ("处理错误", "Processing error"),
    0x0E: ("请稍候", "Please wait"),
    0x10: ("无效卡", "Invalid card"),
    0x12: ("系统故障", "System malfunction"),
    0x13: ("无法付款", "Payment not possible"),
    0x14: ("余额不足", "Credit not sufficient"),
    0x15: ("密码错误", "Incorrect PIN"),
    0x16: ("超出限额", "Limit not sufficient"),
    0x17: ("请稍候", "Please wait"),
    0x18: ("密码错误次数超限", "PIN try limit exceeded"),
    0x1C: ("交易批准", "Approved"),
    0x1D: ("交易拒绝", "Declined"),
    0x41: ("请输入密码", "Enter PIN"),
}

#: Result codes (BMP 27, 06 1E) -> (Chinese, English). 01–63 are the host's codes.
RESULT_TEXTS: dict[int, tuple[str, str]] = {
    0x00: ("交易成功", "Approved"),
    0x05: ("交易拒绝", "Declined"),
    0x33: ("余额不足", "Insufficient funds"),
    0x36: ("卡已过期", "Card expired"),
    0x37: ("密码错误", "Incorrect PIN"),
    0x64: ("卡无法读取", "Card not readable"),
    0x65: ("无卡数据", "Card data not present"),
    0x66: ("处理错误", "Processing error"),
    0x6B: ("功能未启用", "Function deactivated"),
    0x6C: ("超时或已取消", "Aborted (timeout or abort key)"),
    0x6E: ("卡在黑名单", "Card blocked"),
    0x6F: ("币种错误", "Wrong currency"),
    0x71: ("余额不足", "Credit not sufficient"),
    0x72: ("芯片错误", "Chip error"),
    0x73: ("卡数据错误", "Card data incorrect"),
    0x77: ("无法结算", "End-of-day not possible"),
    0x78: ("卡已过期", "Card expired"),
    0x7A: ("未知卡", "Card unknown"),
    0x83: ("功能不可用", "Function not possible"),
    0x9A: ("协议错误", "ZVT protocol error"),
    0xA0: ("终端忙", "Terminal busy"),
    0xB4: ("已冲正", "Already reversed"),
    0xB5: ("无法冲正", "Reversal not possible"),
    0xC3: ("超出最大金额", "Maximum amount exceeded"),
    0xFF: ("系统错误", "System error"),
}


def _text(table: dict[int, tuple[str, str]], code: int, lang: str, what: str) -> str:
    if code in table:
        return table[code][0 if lang == "zh" else 1]
    if table is RESULT_TEXTS and 0x01 <= code <= 0x63:
        return f"银行拒绝 ({code:02X})" if lang == "zh" else f"Declined by the host ({code:02X})"
    return f"{what} {code:02X}"


def status_text(code: int, lang: str = "zh") -> str:
    return _text(INTERMEDIATE_TEXTS, code, lang, "状态" if lang == "zh" else "Status")


def result_text(code: int, lang: str = "zh") -> str:
    return _text(RESULT_TEXTS, code, lang, "错误" if lang == "zh" else "Error")


# --- PT -> ECR parsing ------------------------------------------------------------------------


def _varlen(data: bytes, pos: int, digits: int) -> tuple[int, int]:
    if pos + digits > len(data):
        raise ApduError("variable-length field truncated")
    length = 0
    for byte in data[pos : pos + digits]:
        if byte & 0xF0 != 0xF0 or (byte & 0x0F) > 9:
            raise ApduError(f"bad length digit {byte:02X}")
        length = length * 10 + (byte & 0x0F)
    return length, pos + digits


def _tlv_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise ApduError("TLV container truncated")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count not in (1, 2) or pos + 1 + count > len(data):
        raise ApduError("bad TLV length")
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


def parse_bmps(data: bytes) -> dict[int, bytes]:
    """BMP fields by tag; raises `ApduError` on a tag it cannot skip or a truncated field."""
    fields: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        tag = data[pos]
        pos += 1
        kind = BMP_LENGTHS.get(tag)
        if kind is None:
            raise ApduError(f"unknown BMP {tag:02X}: its length is not known, cannot skip it")
        if kind == LLVAR:
            length, pos = _varlen(data, pos, 2)
        elif kind == LLLVAR:
            length, pos = _varlen(data, pos, 3)
        elif kind == TLV:
            length, pos = _tlv_length(data, pos)
        else:
            length = kind
        if pos + length > len(data):
            raise ApduError(f"BMP {tag:02X} truncated")
        fields[tag] = data[pos : pos + length]
        pos += length
    return fields


def masked_pan(raw: bytes) -> str:
    """The PAN digits of BMP 22 with hidden digits (nibble E) as '*'; padding F dropped.

    Any digit beyond first 6 / last 4 is masked too, whatever the terminal sent.
    """
    nibbles = raw.hex().upper().rstrip("F")
    text = "".join("*" if ch == "E" else ch for ch in nibbles)
    if not all(ch.isdigit() or ch == "*" for ch in text):
        raise ApduError("bad PAN field")
    if len(text) > 10:
        text = text[:6] + "*" * (len(text) - 10) + text[-4:]
    return text


@dataclass(frozen=True)
class StatusInfo:
    """The 04 0F status information, with only masked card data."""

    result_code: int | None = None
    amount_fen: int | None = None
    trace: str = ""
    time: str = ""  # HHMMSS
    date: str = ""  # MMDD
    masked_pan: str = ""
    terminal_id: str = ""
    receipt_no: str = ""
    card_type: int | None = None
    card_name: str = ""
    auth_code: str = ""  # BMP 3B, the authorisation attribute (AID)
    #: BMP 60 as sent (the end-of-day's individual totals), read by `parse_individual_totals`
    #: on its own, so that a bad totals block never makes the rest of the message unreadable
    totals_raw: bytes | None = None
    extra: dict[str, str] = field(default_factory=dict)


def parse_status_info(data: bytes) -> StatusInfo:
    f = parse_bmps(data)

    def digits(tag: int) -> str:
        return f[tag].hex() if tag in f else ""

    return StatusInfo(
        result_code=f[0x27][0] if 0x27 in f else None,
        amount_fen=from_bcd(f[0x04]) if 0x04 in f else None,
        trace=digits(0x0B),
        time=digits(0x0C),
        date=digits(0x0D),
        masked_pan=masked_pan(f[0x22]) if 0x22 in f else "",
        terminal_id=digits(0x29).upper(),
        receipt_no=digits(0x87),
        card_type=f[0x8A][0] if 0x8A in f else None,
        card_name=f[0x8B].decode("latin-1").strip() if 0x8B in f else "",
        auth_code=(f[0x3B].rstrip(b"\x00 ").decode("ascii", "replace") if 0x3B in f else ""),
        totals_raw=f.get(0x60),
    )


# --- end-of-day totals (BMP 60) -----------------------------------------------------------

#: The card-type slots of BMP 60, in wire order (PA00P015, End-of-Day 06 50): EC-card (girocard),
#: JCB, Eurocard (Mastercard), American Express, VISA, Diners and "remaining" — every other card
#: type, UnionPay (CUP, card type 198) among them.
TOTALS_SLOTS: tuple[str, ...] = (
    "girocard",
    "JCB",
    "Mastercard",
    "American Express",
    "Visa",
    "Diners",
    "other",
)
#: The slot a card lands in when its type (BMP 8A) is not one of the named slots.
OTHER_SLOT = "other"
#: BMP 8A card type ids (the ZVT card-type list) of the named slots; every other id is "other".
SLOT_OF_CARD_TYPE: dict[int, str] = {
    5: "girocard",
    46: "girocard",  # Maestro, counted with the EC-card as the spec's EC slot did
    14: "JCB",
    6: "Mastercard",
    8: "American Express",
    10: "Visa",
    11: "Visa",  # VISA electron
    12: "Diners",
}
#: Card names (BMP 8B, as a till stores them; compared case-insensitively without spaces or
#: punctuation) that a terminal files under a named slot. Any other name is filed under "other".
SLOT_OF_CARD_NAME: dict[str, str] = {
    "girocard": "girocard",
    "eccard": "girocard",
    "maestro": "girocard",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "eurocard": "Mastercard",
    "americanexpress": "American Express",
    "amex": "American Express",
    "visa": "Visa",
    "visaelectron": "Visa",
    "diners": "Diners",
    "dinersclub": "Diners",
}
#: 2 + 2 bytes of receipt numbers, then per slot 1 byte count and 6 bytes BCD turnover.
TOTALS_LENGTH = 4 + len(TOTALS_SLOTS) * 7
MAX_SLOT_COUNT = 0xFF
MAX_AMOUNT_FEN = 999_999_999_999


def card_name_key(name: str) -> str:
    """A card name as `SLOT_OF_CARD_NAME` keys it: case-folded, letters and digits only."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@dataclass(frozen=True)
class SlotTotal:
    name: str
    count: int
    amount_fen: int


@dataclass(frozen=True)
class IndividualTotals:
    """BMP 60 of the end-of-day status information: the batch's first and last receipt number
    and, per card-type slot, the number of bookings and their turnover in fen."""

    receipt_first: int
    receipt_last: int
    slots: tuple[SlotTotal, ...]

    @property
    def count(self) -> int:
        return sum(s.count for s in self.slots)

    @property
    def amount_fen(self) -> int:
        return sum(s.amount_fen for s in self.slots)


def individual_totals(
    receipt_first: int, receipt_last: int, per_slot: dict[str, tuple[int, int]]
) -> bytes:
    """BMP 60's value (without tag and LLL length): `per_slot` maps a slot name to
    (count, amount_fen); slots not given are zero. Raises ValueError for what the layout cannot
    carry: an unknown slot, a count above 255 (one binary byte) or an amount outside 12 BCD
    digits (negative included: BCD has no sign)."""
    unknown = set(per_slot) - set(TOTALS_SLOTS)
    if unknown:
        raise ValueError(f"unknown totals slot(s) {sorted(unknown)}; one of {TOTALS_SLOTS}")
    out = bcd(receipt_first, 2) + bcd(receipt_last, 2)
    for name in TOTALS_SLOTS:
        count, amount = per_slot.get(name, (0, 0))
        if not 0 <= count <= MAX_SLOT_COUNT:
            raise ValueError(f"{name}: a count of {count} does not fit one byte (0..255)")
        if not 0 <= amount <= MAX_AMOUNT_FEN:
            raise ValueError(f"{name}: an amount of {amount} fen does not fit 6 BCD bytes")
        out += bytes([count]) + bcd(amount, 6)
    return out


def parse_individual_totals(raw: bytes) -> IndividualTotals:
    """Read BMP 60's value; raises `ApduError` naming what is wrong (its length, a field that
    is not BCD) — never a half-read block."""
    if len(raw) != TOTALS_LENGTH:
        raise ApduError(
            f"individual totals (BMP 60): {TOTALS_LENGTH} bytes expected, got {len(raw)}"
        )
    try:
        first, last = from_bcd(raw[0:2]), from_bcd(raw[2:4])
    except ApduError as exc:
        raise ApduError(f"individual totals (BMP 60): receipt number {exc}") from exc
    slots: list[SlotTotal] = []
    pos = 4
    for name in TOTALS_SLOTS:
        count = raw[pos]
        try:
            amount = from_bcd(raw[pos + 1 : pos + 7])
        except ApduError as exc:
            raise ApduError(f"individual totals (BMP 60): {name} turnover {exc}") from exc
        slots.append(SlotTotal(name, count, amount))
        pos += 7
    return IndividualTotals(first, last, tuple(slots))


def lllvar(tag: int, value: bytes) -> bytes:
    """A BMP with an LLLVAR length (`F0 Fn Fn`, three decimal digits)."""
    if len(value) > 999:
        raise ValueError(f"BMP {tag:02X}: {len(value)} bytes do not fit an LLLVAR")
    digits = f"{len(value):03d}"
    return bytes([tag]) + bytes(0xF0 | int(d) for d in digits) + value


@dataclass(frozen=True)
class Ack:
    pass


@dataclass(frozen=True)
class Nak:
    code: int


@dataclass(frozen=True)
class Intermediate:
    code: int
    timeout_s: int | None = None


@dataclass(frozen=True)
class Completion:
    """06 0F. After a registration it may carry the terminal's status byte (BMP 19), its id
    (BMP 29) and its currency (BMP 49); `unreadable` when those fields could not be read (the
    completion itself still counts: the PT has handed master rights back)."""

    status_byte: int | None = None
    terminal_id: str = ""
    currency: int | None = None
    unreadable: bool = False


def parse_completion(data: bytes) -> Completion:
    if not data:
        return Completion()
    try:
        f = parse_bmps(data)
        return Completion(
            status_byte=f[0x19][0] if 0x19 in f else None,
            terminal_id=f[0x29].hex().upper() if 0x29 in f else "",
            currency=from_bcd(f[0x49]) if 0x49 in f else None,
        )
    except ApduError:
        return Completion(unreadable=True)


@dataclass(frozen=True)
class Aborted:
    code: int


@dataclass(frozen=True)
class PrintLine:
    pass


Message = Ack | Nak | Intermediate | StatusInfo | Completion | Aborted | PrintLine


def parse_message(apdu: Apdu) -> Message:
    """A PT→ECR message; raises `ApduError` for anything we do not understand."""
    cmd = apdu.command
    if cmd == (0x80, 0x00):
        return Ack()
    if apdu.cls == 0x84:
        return Nak(apdu.instr)
    if cmd == (0x04, 0xFF):
        if not apdu.data:
            raise ApduError("04 FF without a status code")
        timeout = apdu.data[1] if len(apdu.data) > 1 else None
        return Intermediate(apdu.data[0], timeout)
    if cmd == (0x04, 0x0F):
        return parse_status_info(apdu.data)
    if cmd == (0x06, 0x0F):
        return parse_completion(apdu.data)
    if cmd == (0x06, 0x1E):
        return Aborted(apdu.data[0] if apdu.data else 0xFF)
    if cmd in ((0x06, 0xD1), (0x06, 0xD3)):
        return PrintLine()
    raise UnknownCommand(f"unknown PT command {apdu.cls:02X} {apdu.instr:02X}")
