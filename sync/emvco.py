"""EMVCo merchant-presented QR (MPM) payloads: build and parse, with the CRC of field 63.

A payload is a run of TLV fields: a 2-digit id, a 2-digit length, the value. Lengths count
characters, not bytes (a merchant name in Chinese goes into the language template 64). Field 63
comes last: "6304" and four upper-case hex digits of CRC-16/CCITT-FALSE (poly 0x1021, init
0xFFFF, no reflection, no final xor) over the whole payload up to and including "6304", taken over
its UTF-8 bytes. Shared by the hub (which issues the codes) and the shop (which may show and check
them); it imports nothing of ours.
"""

from __future__ import annotations

from typing import Final

PAYLOAD_FORMAT: Final = "00"
POINT_OF_INITIATION: Final = "01"
MERCHANT_ACCOUNT: Final = "26"
MCC: Final = "52"
CURRENCY: Final = "53"
AMOUNT: Final = "54"
COUNTRY: Final = "58"
MERCHANT_NAME: Final = "59"
MERCHANT_CITY: Final = "60"
ADDITIONAL_DATA: Final = "62"
CRC: Final = "63"
LANGUAGE_TEMPLATE: Final = "64"

STATIC: Final = "11"
DYNAMIC: Final = "12"
CNY: Final = "156"
CONVENIENCE_STORE_MCC: Final = "5499"

# Sub-fields of 62 (additional data).
BILL_NUMBER: Final = "01"
REFERENCE_LABEL: Final = "05"
TERMINAL_LABEL: Final = "07"


class EmvcoError(ValueError):
    """A payload that is not well-formed EMVCo MPM (or a value that cannot be put in one)."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: check value of b"123456789" is 0x29B1."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise EmvcoError(f"an EMVCo id is two digits, not {tag!r}")
    if not 1 <= len(value) <= 99:
        raise EmvcoError(f"field {tag}: a value holds 1 to 99 characters, not {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    """Append field 63 to `body` (everything before it)."""
    head = body + CRC + "04"
    return head + f"{crc16_ccitt_false(head.encode('utf-8')):04X}"


def parse_fields(text: str) -> list[tuple[str, str]]:
    """The (id, value) pairs of one TLV level, in order."""
    fields: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        head = text[i : i + 4]
        if len(head) < 4 or not head.isdigit():
            raise EmvcoError(f"bad TLV head {head!r} at character {i}")
        length = int(head[2:])
        value = text[i + 4 : i + 4 + length]
        if length == 0 or len(value) != length:
            raise EmvcoError(f"field {head[:2]} at character {i} is cut short")
        fields.append((head[:2], value))
        i += 4 + length
    return fields


def parse(payload: str) -> dict[str, str]:
    """Check the CRC and the field order and return the top-level fields by id (templates
    stay as their raw text; parse them with `parse_template`)."""
    fields = parse_fields(payload)
    if not fields or fields[0] != (PAYLOAD_FORMAT, "01"):
        raise EmvcoError("the payload must begin with 000201 (payload format indicator 01)")
    if fields[-1][0] != CRC or len(fields[-1][1]) != 4:
        raise EmvcoError("the payload must end with the CRC, field 63 of length 4")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}"
    if fields[-1][1].upper() != expected:
        raise EmvcoError(f"CRC mismatch: the payload says {fields[-1][1]}, it is {expected}")
    found: dict[str, str] = {}
    for tag, value in fields:
        if tag in found:
            raise EmvcoError(f"field {tag} appears twice")
        found[tag] = value
    return found


def parse_template(value: str) -> dict[str, str]:
    return dict(parse_fields(value))


def format_amount(amount_fen: int) -> str:
    """Field 54: yuan with two decimals, from integer fen ("12.50")."""
    if amount_fen <= 0:
        raise EmvcoError("a dynamic code's amount must be positive")
    return f"{amount_fen // 100}.{amount_fen % 100:02d}"


def amount_fen(value: str) -> int:
    """Field 54 back to integer fen (no float on the way)."""
    whole, _, fraction = value.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        raise EmvcoError(f"not an amount: {value!r}")
    return int(whole) * 100 + int(fraction.ljust(2, "0") or "0")


def merchant_presented(
    *,
    guid: str,
    merchant_id: str,
    amount_fen: int,
    merchant_name: str,
    merchant_city: str,
    reference: str,
    bill_number: str = "",
    terminal: str = "",
    name_zh: str = "",
    city_zh: str = "",
    mcc: str = CONVENIENCE_STORE_MCC,
) -> str:
    """A dynamic (12) CNY payload for one sale."""
    account = tlv("00", guid) + tlv("01", merchant_id)
    extra = ""
    if bill_number:
        extra += tlv(BILL_NUMBER, bill_number[:25])
    extra += tlv(REFERENCE_LABEL, reference[:25])
    if terminal:
        extra += tlv(TERMINAL_LABEL, terminal[:25])
    body = (
        tlv(PAYLOAD_FORMAT, "01")
        + tlv(POINT_OF_INITIATION, DYNAMIC)
        + tlv(MERCHANT_ACCOUNT, account)
        + tlv(MCC, mcc)
        + tlv(CURRENCY, CNY)
        + tlv(AMOUNT, format_amount(amount_fen))
        + tlv(COUNTRY, "CN")
        + tlv(MERCHANT_NAME, merchant_name[:25])
        + tlv(MERCHANT_CITY, merchant_city[:15])
        + tlv(ADDITIONAL_DATA, extra)
    )
    if name_zh:
        language = tlv("00", "ZH") + tlv("01", name_zh[:25])
        if city_zh:
            language += tlv("02", city_zh[:15])
        body += tlv(LANGUAGE_TEMPLATE, language)
    return with_crc(body)
