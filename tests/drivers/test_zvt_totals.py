"""The ZVT end-of-day totals (BMP 60 in the 06 50's status information): the codec byte for byte,
bad blocks refused with the reason, and the driver against the simulator's journal over a pty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.terminal.simulator import TERMINAL_ID, ZvtSimulator
from drivers.terminal.zvt import apdu as z
from drivers.terminal.zvt.client import TerminalStatus, ZvtTerminal
from drivers.terminal.zvt.frame import Apdu, encode_frame
from storebox.end_of_day import terminal_totals
from storebox.ports import PaymentStatus

# The individual totals as PA00P015 lays them out, written by hand: receipts 0001..0005, then
# per slot a binary count and a 6-byte BCD turnover — girocard 1 x 12.00, JCB 0, Mastercard 0,
# Amex 0, VISA 2 x 35.50, Diners 0, remaining (UnionPay …) 3 x 1,234.56.
HAND_BLOCK = bytes.fromhex(
    "0001 0005"
    "01 000000001200"
    "00 000000000000"
    "00 000000000000"
    "00 000000000000"
    "02 000000003550"
    "00 000000000000"
    "03 000000123456"
)
# the whole end-of-day status information: result 00, total 1,282.06, time, date, terminal id,
# then BMP 60 with its LLLVAR length F0 F5 F3 (53 bytes)
HAND_INFO = (
    bytes.fromhex("27 00 04 000000128206 0C 235959 0D 1126 29 52012345 60 F0F5F3") + HAND_BLOCK
)


def test_a_hand_written_totals_block_is_read_exactly() -> None:
    totals = z.parse_individual_totals(HAND_BLOCK)
    assert (totals.receipt_first, totals.receipt_last) == (1, 5)
    assert [(s.name, s.count, s.amount_fen) for s in totals.slots] == [
        ("girocard", 1, 1200),
        ("JCB", 0, 0),
        ("Mastercard", 0, 0),
        ("American Express", 0, 0),
        ("Visa", 2, 3550),
        ("Diners", 0, 0),
        ("other", 3, 123456),
    ]
    assert (totals.count, totals.amount_fen) == (6, 128206)


def test_the_builder_writes_the_same_bytes_and_the_lllvar_header() -> None:
    built = z.individual_totals(
        1, 5, {"girocard": (1, 1200), "Visa": (2, 3550), "other": (3, 123456)}
    )
    assert built == HAND_BLOCK and len(built) == z.TOTALS_LENGTH == 53
    assert z.lllvar(0x60, built)[:4] == bytes.fromhex("60 F0 F5 F3")
    assert z.parse_individual_totals(z.individual_totals(0, 0, {})).count == 0


def test_the_end_of_day_status_information_carries_the_block_whole() -> None:
    msg = z.parse_message(Apdu(0x04, 0x0F, HAND_INFO))
    assert isinstance(msg, z.StatusInfo)
    assert msg.amount_fen == 128206 and msg.terminal_id == "52012345"
    assert msg.totals_raw == HAND_BLOCK
    # and through the serial framing: the same APDU in a DLE frame decodes to the same block
    assert encode_frame(Apdu(0x04, 0x0F, HAND_INFO).encode())[:4] == bytes.fromhex("10 02 04 0F")


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (HAND_BLOCK[:-1], "53 bytes expected, got 52"),
        (HAND_BLOCK + b"\x00", "53 bytes expected, got 54"),
        (b"", "53 bytes expected, got 0"),
        (b"\x00\x0a" + HAND_BLOCK[2:], "receipt number not BCD: 000A"),
        (HAND_BLOCK[:33] + b"\xff" + HAND_BLOCK[34:], "Visa turnover not BCD"),
        (HAND_BLOCK[:47] + b"\x1f" + HAND_BLOCK[48:], "other turnover not BCD"),
    ],
)
def test_a_bad_block_is_refused_with_the_reason(raw: bytes, why: str) -> None:
    with pytest.raises(z.ApduError, match=why):
        z.parse_individual_totals(raw)


def test_a_truncated_lllvar_makes_the_message_unreadable_not_half_read() -> None:
    with pytest.raises(z.ApduError, match="BMP 60 truncated"):
        z.parse_status_info(HAND_INFO[:-10])
    with pytest.raises(z.ApduError, match="bad length digit"):
        z.parse_status_info(
            HAND_INFO.replace(bytes.fromhex("60 F0F5F3"), bytes.fromhex("60 F0F5A3"))
        )


@pytest.mark.parametrize(
    ("per_slot", "why"),
    [
        ({"UnionPay": (1, 1)}, "unknown totals slot"),
        ({"other": (256, 1)}, "does not fit one byte"),
        ({"other": (1, -1)}, "does not fit 6 BCD bytes"),
        ({"Visa": (1, 10**12)}, "does not fit 6 BCD bytes"),
    ],
)
def test_the_builder_refuses_what_the_layout_cannot_carry(
    per_slot: dict[str, tuple[int, int]], why: str
) -> None:
    with pytest.raises(ValueError, match=why):
        z.individual_totals(1, 1, per_slot)


# --- the driver against the simulator's journal ------------------------------------------------

_open: list[ZvtTerminal] = []


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator = ZvtSimulator(status_delay=0.01)
    simulator.start()
    yield simulator
    while _open:
        _open.pop().close()
    simulator.stop()


def terminal(sim: ZvtSimulator) -> ZvtTerminal:
    t = ZvtTerminal(
        sim.path,
        ack_timeout=0.5,
        inter_byte_timeout=0.1,
        answer_timeout=0.5,
        completion_timeout=0.5,
        lang="en",
    )
    _open.append(t)
    return t


def test_a_day_of_payments_refunds_and_reversals_gives_its_net_totals(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    assert t.authorize(1000, "S-1").status is PaymentStatus.APPROVED
    sim.card = (10, "VISA")
    visa = t.authorize(2550, "S-2")
    sim.card = (0xC6, "UnionPay")
    gone = t.authorize(700, "S-3")
    assert t.reverse(gone).status is PaymentStatus.APPROVED  # leaves the batch
    assert t.refund(300, "R-1").status is PaymentStatus.APPROVED  # a booking, off the turnover
    assert visa.card_name == "VISA"

    done = t.end_of_day()
    assert done.status is PaymentStatus.APPROVED and done.terminal_id == TERMINAL_ID
    assert done.message == "End-of-day done"
    extra = done.extra
    assert (extra["payments_count"], extra["payments_fen"]) == ("3", "3250")
    assert (extra["refunds_count"], extra["refunds_fen"], extra["totals_basis"]) == (
        "0",
        "0",
        "net",
    )
    assert extra["scheme:Visa"] == "1/2550" and extra["scheme:other"] == "2/700"
    assert extra["scheme:girocard"] == "0/0" and extra["scheme_other"] == "other"
    assert (extra["receipt_first"], extra["receipt_last"]) == ("1", "5")
    totals = terminal_totals(done)
    assert totals is not None and totals.basis == "net" and ("visa", "Visa") in totals.card_schemes
    # what went over the wire: BMP 04 equals the block's sum, the block is the journal's
    info = z.parse_status_info(sim.end_of_days[-1])
    assert info.amount_fen == 3250 and info.totals_raw is not None
    assert z.parse_individual_totals(info.totals_raw).amount_fen == 3250

    # the batch starts again: the next end-of-day is all zeros, and the day's payments are
    # settled: a reversal of one is refused, as by a real terminal
    assert sim.batch == []
    again = t.end_of_day()
    assert (again.extra["payments_count"], again.extra["payments_fen"]) == ("0", "0")
    refused = t.reverse(visa)
    assert refused.status is PaymentStatus.DECLINED and "Reversal not possible" in refused.message


def test_what_the_cashier_keys_on_the_terminal_is_in_its_totals(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    first = t.authorize(1000, "S-1")
    t.authorize(400, "S-2")
    sim.reverse_at_terminal(int(first.receipt_no))
    sim.refund_at_terminal(150)
    extra = t.end_of_day().extra
    assert (extra["payments_count"], extra["payments_fen"]) == ("2", "250")
    with pytest.raises(ValueError, match="no payment with receipt"):
        sim.reverse_at_terminal(int(first.receipt_no))


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        ("truncated", "53 bytes expected, got 48"),
        ("not_bcd", "girocard turnover not BCD"),
        ("inconsistent", "total amount 1 fen, individual totals 0 fen"),
        ("missing", "no individual totals (BMP 60)"),
    ],
)
def test_a_bad_totals_block_gives_no_totals_and_says_why(
    sim: ZvtSimulator, fault: str, why: str
) -> None:
    sim.totals_fault = fault
    done = terminal(sim).end_of_day()
    assert done.status is PaymentStatus.APPROVED  # the terminal did settle
    assert done.extra == {} and why in done.message
    assert terminal_totals(done) is None
    assert sim.totals_fault is None  # one end-of-day only


def test_an_unreadable_end_of_day_message_is_settled_without_totals(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    t.authorize(500, "S-1")
    # a BMP 60 whose length promises more than the message holds: the whole 04 0F is unreadable
    bad = Apdu(0x04, 0x0F, b"\x27\x00\x29" + bytes.fromhex(TERMINAL_ID) + b"\x60\xf0\xf5\xf3\x00")
    sim._end_of_day_info = lambda: bad  # type: ignore[method-assign]
    done = t.end_of_day()
    assert done.status is PaymentStatus.APPROVED and done.extra == {}
    assert "status information was unreadable" in done.message
    assert done.terminal_id == TERMINAL_ID  # from the registration


def test_a_day_the_layout_cannot_carry_is_answered_without_totals(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    t.refund(300, "R-1")  # refunds beyond the payments: a negative turnover BCD cannot carry
    done = t.end_of_day()
    assert done.status is PaymentStatus.APPROVED and done.extra == {}
    assert "no individual totals" in done.message


def test_the_end_of_day_with_a_wrong_password_is_refused(sim: ZvtSimulator) -> None:
    sim.password = "123456"
    t = ZvtTerminal(sim.path, "000000", register=False, ack_timeout=0.5, answer_timeout=0.5)
    _open.append(t)
    with pytest.raises(Exception, match="Function not possible|功能不可用"):
        t.end_of_day()


def test_status_is_public_and_says_ready_with_the_terminal_id(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    assert t.status() == TerminalStatus(True, "Card terminal ready", "")  # names no id yet
    t.authorize(100, "S-1")
    assert t.status() == TerminalStatus(True, "Card terminal ready", TERMINAL_ID)
    gone = ZvtTerminal("/dev/nonexistent-zvt", lang="en")
    status = gone.status()
    assert status.ready is False and "Cannot reach the card terminal" in status.message
