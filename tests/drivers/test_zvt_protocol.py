"""ZVT over a real pty against the simulator: the wire bytes, registration, the repeat-receipt
resolution of unknown outcomes, the protocol's timeouts, abort, and bad frames in both
directions rejected without a crash."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import serial

from drivers.terminal.simulator import NOT_SUPPORTED, ZvtSimulator
from drivers.terminal.zvt import apdu as z
from drivers.terminal.zvt.client import TerminalUnavailable, ZvtTerminal, _Answer
from drivers.terminal.zvt.frame import ACK, NAK, FrameDecoder
from storebox.ports import PaymentStatus

# --- frames built by hand from the standard -------------------------------------------------


def kermit(data: bytes) -> int:
    """CRC-16/KERMIT bit by bit (poly 0x1021 reflected = 0x8408, init 0), independent of the
    driver's table."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def frame(apdu_hex: str) -> bytes:
    """DLE STX, the APDU with each DLE doubled, DLE ETX, CRC over APDU + ETX, low byte first."""
    apdu = bytes.fromhex(apdu_hex)
    crc = kermit(apdu + b"\x03")
    stuffed = b"".join(b"\x10\x10" if b == 0x10 else bytes([b]) for b in apdu)
    return b"\x10\x02" + stuffed + b"\x10\x03" + bytes([crc & 0xFF, crc >> 8])


def test_the_hand_built_frames() -> None:
    assert kermit(b"123456789") == 0x2189
    # the positive acknowledgement as every ZVT trace shows it
    assert frame("80 00 00") == bytes.fromhex("10 02 80 00 00 10 03 F5 1F")


REGISTRATION = frame("06 00 06 000000 86 0156")  # password 000000, config 86, CNY
ENQUIRY = frame("05 01 03 000000")
REPEAT_RECEIPT = frame("06 20 03 000000")
ABORT = frame("06 B0 00")
ECR_ACK = frame("80 00 00")


# --- the simulator and the ECR over a pty ----------------------------------------------------

_open: list[ZvtTerminal | ZvtSimulator] = []


@pytest.fixture(autouse=True)
def _close_all() -> Iterator[None]:
    yield
    while _open:
        item = _open.pop()
        if isinstance(item, ZvtTerminal):
            item.close()
        else:
            item.stop()


def simulator(**options: Any) -> ZvtSimulator:
    options.setdefault("status_delay", 0.01)
    options.setdefault("drop_seconds", 0.6)
    sim = ZvtSimulator(**options)
    sim.start()
    _open.append(sim)
    return sim


def terminal(sim: ZvtSimulator, **options: Any) -> ZvtTerminal:
    settings: dict[str, Any] = {
        "ack_timeout": 0.5,
        "inter_byte_timeout": 0.1,
        "answer_timeout": 0.5,
        "completion_timeout": 0.5,
        "lang": "en",
    }
    settings.update(options)
    t = ZvtTerminal(sim.path, **settings)
    _open.insert(0, t)  # closed before its simulator
    return t


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def eventually(check: Callable[[], bool], timeout: float = 2.0) -> bool:
    """The simulator's thread records an answer just after the ECR's call has returned."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def hexes(sim: ZvtSimulator) -> list[str]:
    return [c.encode().hex(" ").upper() for c in sim.received]


# --- wire bytes ------------------------------------------------------------------------------


def test_the_ecr_sends_the_standard_frames_byte_for_byte() -> None:
    sim = simulator()
    result = terminal(sim).authorize(1250, "S-1")
    assert result.status is PaymentStatus.APPROVED
    wire = sim.wire
    assert wire.startswith(REGISTRATION)  # the first bytes on the line
    at_enquiry = wire.index(ENQUIRY)
    at_auth = wire.index(frame("06 01 0A 04 000000001250 49 0156"))
    assert 0 < at_enquiry < at_auth
    # every PT message is acknowledged: the ACK byte for the frame, then 80 00 00
    assert eventually(lambda: sim.wire.count(ECR_ACK) == len(sim.replies) >= 5)
    assert sim.wire.count(bytes([ACK])) >= len(sim.replies)


def test_dle_in_an_amount_is_doubled_on_the_wire() -> None:
    sim = simulator()
    assert terminal(sim).authorize(1010, "S-dle").status is PaymentStatus.APPROVED
    expected = frame("06 01 0A 04 000000001010 49 0156")
    assert b"\x10\x10\x10\x10" in expected  # 10 10 in BCD, each DLE doubled
    assert expected in sim.wire


# --- registration ----------------------------------------------------------------------------


def test_registration_and_the_terminals_answer() -> None:
    sim = simulator()
    t = terminal(sim)
    registration = t.register()
    assert registration.terminal_id == "52012345"
    assert registration.currency == 156 and registration.status_byte == 0
    assert sim.registrations == [0x86]
    assert hexes(sim) == ["06 00 06 00 00 00 86 01 56"]
    assert sim.wire.startswith(REGISTRATION)
    # registering again is a new 06 00 on the same line
    t.register()
    assert sim.registrations == [0x86, 0x86]


def test_registration_with_another_config_byte_and_password() -> None:
    sim = simulator(password="123456")
    t = terminal(sim, config=0x8E, password="123456")
    assert t.authorize(100, "S-cfg").status is PaymentStatus.APPROVED
    assert sim.registrations == [0x8E]
    assert sim.wire.startswith(frame("06 00 06 123456 8E 0156"))


def test_registration_refused_for_a_wrong_password_nothing_sold() -> None:
    sim = simulator(password="123456")
    with pytest.raises(TerminalUnavailable, match="registration failed"):
        terminal(sim).authorize(100, "S-pw")
    assert sim.transactions == [] and sim.registrations == []
    assert hexes(sim) == ["06 00 06 00 00 00 86 01 56"]


def test_a_terminal_set_to_another_currency_is_refused() -> None:
    sim = simulator(currency=978)  # EUR
    with pytest.raises(TerminalUnavailable, match="registration failed"):
        terminal(sim).authorize(100, "S-eur")
    assert sim.transactions == []


def test_a_completion_naming_another_currency_is_refused() -> None:
    t = ZvtTerminal("/dev/null-never-opened", lang="en")
    eur = z.parse_message(z.Apdu(0x06, 0x0F, bytes.fromhex("19 00 29 52012345 49 0978")))
    assert isinstance(eur, z.Completion) and eur.currency == 978
    with pytest.raises(TerminalUnavailable, match="currency is 978, not CNY"):
        t._registered_as(_Answer(completion=eur))
    cny = z.parse_message(z.Apdu(0x06, 0x0F, bytes.fromhex("19 00 29 52012345 49 0156")))
    assert isinstance(cny, z.Completion)
    assert t._registered_as(_Answer(completion=cny)).terminal_id == "52012345"


def test_registration_arguments_checked() -> None:
    assert z.registration("000000", 0x86).encode() == bytes.fromhex("06 00 06 000000 86 0156")
    with pytest.raises(ValueError, match="config byte"):
        ZvtTerminal("/dev/null", config=0x100)
    with pytest.raises(ValueError, match="6 digits"):
        ZvtTerminal("/dev/null", password="12ab56")


# --- unknown outcomes resolved by repeating the last receipt ---------------------------------


def test_standard_enquiry_then_repeat_receipt_finds_a_payment_not_done() -> None:
    sim = simulator(enquiry_reports_last=False)  # 05 01 reports the terminal's state only
    t = terminal(sim)
    assert t.authorize(100, "S-1").status is PaymentStatus.APPROVED
    sim.push("timeout")
    assert t.authorize(700, "S-2").status is PaymentStatus.UNKNOWN
    resolved = t.enquire("S-2")
    assert resolved.status is PaymentStatus.DECLINED
    assert resolved.extra["resolved_by"] == "repeat_receipt"
    assert hexes(sim)[-2:] == ["05 01 03 00 00 00", "06 20 03 00 00 00"]
    assert REPEAT_RECEIPT in sim.wire
    assert t.authorize(800, "S-3").status is PaymentStatus.APPROVED


def test_repeat_receipt_finds_a_payment_done_after_a_line_drop_and_it_is_reversed() -> None:
    sim = simulator(enquiry_reports_last=False)
    t = terminal(sim)
    assert t.authorize(100, "S-1").status is PaymentStatus.APPROVED
    sim.push("drop")
    assert t.authorize(990, "S-2").status is PaymentStatus.UNKNOWN
    time.sleep(0.3)  # the cable is back
    resolved = t.enquire("S-2")
    assert resolved.status is PaymentStatus.APPROVED
    assert resolved.extra["resolved_by"] == "repeat_receipt"
    assert (resolved.amount_fen, resolved.receipt_no) == (990, "0002")
    assert resolved.masked_pan == "621234******7890"
    # the receipt's print line (06 D1) was acknowledged like every PT message
    assert eventually(lambda: len(sim.replies) == sim.wire.count(ECR_ACK))
    assert all(r.command == (0x80, 0x00) for r in sim.replies)
    reversal = t.reverse(resolved)
    assert reversal.status is PaymentStatus.APPROVED and sim.transactions[1].reversed


def test_no_receipt_to_repeat_leaves_the_outcome_unknown() -> None:
    sim = simulator(enquiry_reports_last=False)
    t = terminal(sim)
    sim.push("timeout")  # the very first payment: the terminal has no receipt yet
    assert t.authorize(500, "S-1").status is PaymentStatus.UNKNOWN
    again = t.enquire("S-1")
    assert again.status is PaymentStatus.UNKNOWN  # never guessed
    assert "06 20 03 00 00 00" in hexes(sim)


def test_repeat_receipt_is_not_needed_when_the_enquiry_says() -> None:
    sim = simulator()  # this simulator's 05 01 reports the last transaction
    t = terminal(sim)
    sim.push("timeout")
    assert t.authorize(300, "S-1").status is PaymentStatus.UNKNOWN
    assert t.enquire("S-1").extra["resolved_by"] == "enquiry"
    assert "06 20 03 00 00 00" not in hexes(sim)


# --- timeouts --------------------------------------------------------------------------------


def test_no_ack_byte_within_t3_is_unknown_then_resolved() -> None:
    sim = simulator()
    t = terminal(sim, ack_timeout=0.4, answer_timeout=3.0, completion_timeout=3.0)
    assert t.authorize(100, "S-1").status is PaymentStatus.APPROVED
    sim.push("mute")  # the authorisation is lost on the line
    result, elapsed = timed(lambda: t.authorize(200, "S-2"))
    assert result.status is PaymentStatus.UNKNOWN
    assert 0.4 <= elapsed < 1.5  # T3, not the answer or completion timeout
    assert result.message == "No answer from the terminal"
    assert t.enquire("S-2").status is PaymentStatus.DECLINED
    assert len(sim.transactions) == 1


def test_no_answer_to_the_command_is_unknown_after_the_answer_timeout() -> None:
    sim = simulator()
    t = terminal(sim, answer_timeout=0.4, completion_timeout=3.0)
    assert t.authorize(100, "S-1").status is PaymentStatus.APPROVED
    sim.push("no_answer")
    result, elapsed = timed(lambda: t.authorize(200, "S-2"))
    assert result.status is PaymentStatus.UNKNOWN
    assert 0.4 <= elapsed < 1.5
    assert result.message == "The terminal's answer timed out"
    assert t.enquire("S-2").status is PaymentStatus.DECLINED


def test_silence_after_the_acknowledgement_is_unknown_after_the_completion_timeout() -> None:
    sim = simulator()
    t = terminal(sim, answer_timeout=3.0, completion_timeout=0.4)
    sim.push("timeout")
    result, elapsed = timed(lambda: t.authorize(200, "S-1"))
    assert result.status is PaymentStatus.UNKNOWN
    assert 0.4 <= elapsed < 1.5


def test_intermediate_status_keeps_a_slow_payment_alive() -> None:
    sim = simulator(status_delay=0.3)  # four prompts, 0.3 s apart: 0.9 s in all
    t = terminal(sim, completion_timeout=0.5)
    sim.push("slow")
    texts: list[str] = []
    result, elapsed = timed(lambda: t.authorize(100, "S-1", texts.append))
    assert result.status is PaymentStatus.APPROVED
    assert elapsed > 0.8  # longer than one completion timeout, alive thanks to each 04 FF
    assert texts == ["Insert card", "Enter PIN", "Please wait", "Waiting for the host"]


def test_an_intermediate_status_with_its_own_timeout_is_waited_for() -> None:
    sim = simulator(patience=1.0)
    t = terminal(sim, completion_timeout=0.5)
    sim.push("patient")  # 04 FF 0A 02: insert card, wait up to 2 s
    result, elapsed = timed(lambda: t.authorize(100, "S-1"))
    assert result.status is PaymentStatus.APPROVED
    assert elapsed >= 1.0


# --- abort -----------------------------------------------------------------------------------


def test_abort_is_the_standard_frame_and_the_payment_ends_declined() -> None:
    sim = simulator()
    t = terminal(sim)
    sim.push("slow")
    # asked for at the first prompt, sent at the next: 06 B0 in place of its 80 00 00 (the
    # ECR may only speak when the terminal hands it the line)
    result = t.authorize(100, "S-1", lambda text: t.cancel())
    assert result.status is PaymentStatus.DECLINED
    assert result.message.startswith("Aborted")
    assert ABORT in sim.wire  # in place of 80 00 00 to the intermediate status
    assert z.Apdu(0x06, 0xB0) in sim.replies
    assert sim.transactions == []
    assert t.authorize(100, "S-2").status is PaymentStatus.APPROVED


# --- bad frames ------------------------------------------------------------------------------


def read_frame(port: serial.Serial, timeout: float = 2.0) -> bytes:
    decoder = FrameDecoder()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        byte = port.read(1)
        for item in decoder.feed(byte):
            assert isinstance(item, bytes), item
            return item
    raise AssertionError("no frame")


def test_bad_frames_to_the_simulator_are_refused_and_it_carries_on() -> None:
    sim = simulator(max_apdu=64)
    raw = serial.serial_for_url(sim.path, timeout=1.0)
    try:
        good = frame("05 01 03 000000")
        wrong_crc = good[:-1] + bytes([good[-1] ^ 0xFF])
        raw.write(wrong_crc)
        assert raw.read(1) == bytes([NAK])
        raw.write(good[:5])  # truncated: the rest never comes
        assert raw.read(1) == bytes([NAK])  # after the simulator's inter-byte timeout
        raw.write(frame("05 01 40 000000"))  # the length field promises 64 bytes, 3 came
        assert raw.read(1) == bytes([NAK])
        raw.write(frame("06 D1 FF 5802 " + "00" * 600))  # longer than the terminal takes
        assert raw.read(1) == bytes([NAK])
        for unknown in ("0F 0F 00", "06 01 02 27 00"):  # no such command; no amount
            raw.write(frame(unknown))
            assert raw.read(1) == bytes([ACK])
            assert read_frame(raw) == NOT_SUPPORTED
            raw.write(bytes([ACK]))
        assert sim.transactions == [] and sim.naks_sent == 0
    finally:
        raw.close()
    assert sim._thread is not None and sim._thread.is_alive()
    assert terminal(sim).authorize(500, "S-after").status is PaymentStatus.APPROVED


@pytest.mark.parametrize(
    ("outcome", "logged"),
    [
        ("garbled", "CRC mismatch"),
        ("truncated", "truncated"),
        ("badlength", "length field says"),
        ("oversized", "longer than 1024"),
        ("unknown", "unknown PT command 0F 0F"),
    ],
)
def test_bad_frames_from_the_terminal_are_refused_and_the_payment_completes(
    outcome: str, logged: str, caplog: pytest.LogCaptureFixture
) -> None:
    sim = simulator()
    t = terminal(sim, max_apdu=1024, inter_byte_timeout=0.1, completion_timeout=2.0)
    sim.push(outcome)
    with caplog.at_level(logging.INFO):
        result = t.authorize(1500, "S-1")
    assert logged in caplog.text
    assert result.status is PaymentStatus.APPROVED
    assert result.masked_pan == "621234******7890" and result.amount_fen == 1500
    if outcome == "unknown":
        assert z.Apdu(0x84, 0x83) in sim.replies  # not supported, said the ECR (then the result)
    assert t.authorize(200, "S-2").status is PaymentStatus.APPROVED


def test_a_full_card_number_from_the_terminal_is_masked_and_never_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = simulator(full_pan=True)
    t = terminal(sim)
    with caplog.at_level(logging.DEBUG):
        result = t.authorize(100, "S-1")
        resolved = t.enquire("S-1")
    assert result.masked_pan == "621234******7890" == resolved.masked_pan
    for text in (caplog.text, repr(result), repr(resolved)):
        assert "6212345678907890" not in text and "5678907890" not in text
