"""The ZVT client against the simulator over a real pty, through pyserial."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from drivers.terminal.zvt.client import TerminalUnavailable, ZvtTerminal
from storebox.ports import CardTerminal, PaymentStatus

_open: list[ZvtTerminal] = []


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator = ZvtSimulator(status_delay=0.01, drop_seconds=0.6)
    simulator.start()
    yield simulator
    while _open:
        _open.pop().close()
    simulator.stop()


def terminal(sim: ZvtSimulator, **kw: float) -> ZvtTerminal:
    options = {
        "ack_timeout": 0.5,
        "inter_byte_timeout": 0.1,
        "answer_timeout": 0.5,
        "completion_timeout": 0.5,
        "lang": "en",
    }
    options.update(kw)
    t = ZvtTerminal(sim.path, **options)  # type: ignore[arg-type]
    _open.append(t)
    return t


def test_is_a_card_terminal(sim: ZvtSimulator) -> None:
    assert isinstance(terminal(sim), CardTerminal)


def test_approve(sim: ZvtSimulator) -> None:
    sim.push("approve")
    texts: list[str] = []
    result = terminal(sim).authorize(1250, "S-1", texts.append)
    assert result.status is PaymentStatus.APPROVED
    assert result.amount_fen == 1250
    assert result.reference == "S-1"
    assert result.masked_pan == "621234******7890"
    assert result.card_name == "UnionPay"
    assert result.terminal_id == "52012345"
    assert result.receipt_no == "0001"
    assert result.trace == "000101"
    assert result.auth_code == "A00101"
    assert texts == ["Insert card"]
    # registration, status enquiry (learn the trace), then the authorisation, byte for byte
    commands = [c.encode().hex(" ").upper() for c in sim.received]
    assert commands[0] == "06 00 06 00 00 00 86 01 56"
    assert commands[1] == "05 01 03 00 00 00"
    assert commands[2] == "06 01 0A 04 00 00 00 00 12 50 49 01 56"


def test_decline(sim: ZvtSimulator) -> None:
    sim.push("decline")
    result = terminal(sim).authorize(500, "S-2")
    assert result.status is PaymentStatus.DECLINED
    assert result.message == "Declined"
    assert result.extra["result_code"] == "05"
    assert result.masked_pan == ""


def test_slow_customer_status_texts(sim: ZvtSimulator) -> None:
    sim.push("slow")
    texts: list[str] = []
    result = terminal(sim).authorize(100, "S-3", texts.append)
    assert result.status is PaymentStatus.APPROVED
    assert texts == ["Insert card", "Enter PIN", "Please wait", "Waiting for the host"]


def test_chinese_status_texts(sim: ZvtSimulator) -> None:
    sim.push("approve")
    texts: list[str] = []
    t = ZvtTerminal(sim.path, ack_timeout=0.5, answer_timeout=0.5, completion_timeout=0.5)
    assert t.authorize(100, "S-zh", texts.append).status is PaymentStatus.APPROVED
    assert texts == ["请插卡"]


def test_timeout_is_unknown_then_enquiry_says_not_done(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("timeout")
    result = t.authorize(700, "S-4")
    assert result.status is PaymentStatus.UNKNOWN
    assert result.amount_fen == 700
    resolved = t.enquire("S-4")
    assert resolved.status is PaymentStatus.DECLINED
    assert resolved.extra["resolved_by"] == "enquiry"
    # the next sale goes through as usual
    assert t.authorize(800, "S-5").status is PaymentStatus.APPROVED


def test_line_drop_is_unknown_then_enquiry_finds_it_approved(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    assert t.authorize(100, "S-6").status is PaymentStatus.APPROVED
    sim.push("drop")
    result = t.authorize(990, "S-7")
    assert result.status is PaymentStatus.UNKNOWN
    time.sleep(0.3)  # the cable is back
    resolved = t.enquire("S-7")
    assert resolved.status is PaymentStatus.APPROVED
    assert resolved.amount_fen == 990
    assert resolved.receipt_no == "0002"
    # an approved-but-unknown payment can be reversed by its receipt number
    reversal = t.reverse(resolved)
    assert reversal.status is PaymentStatus.APPROVED
    assert sim.transactions[1].reversed
    assert sim.received[-1].encode().hex(" ").upper() == "06 30 06 00 00 00 87 00 02"
    # a second reversal is refused by the terminal
    again = t.reverse(resolved)
    assert again.status is PaymentStatus.DECLINED
    assert again.message == "Already reversed"


def test_reverse_unknown_without_receipt_enquires_first(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("timeout")
    result = t.authorize(300, "S-8")
    assert result.status is PaymentStatus.UNKNOWN
    reversal = t.reverse(result)
    assert reversal.status is PaymentStatus.APPROVED
    assert reversal.extra["reversal"] == "not_needed"


def test_hangup_is_unknown(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("hangup")
    result = t.authorize(400, "S-9")
    assert result.status is PaymentStatus.UNKNOWN
    assert "Line lost" in result.message


def test_nak_once_then_success(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    assert t.authorize(100, "S-10").status is PaymentStatus.APPROVED
    sim.push("nak", "approve")
    assert t.authorize(200, "S-11").status is PaymentStatus.APPROVED
    assert sim.last is not None and sim.last.amount_fen == 200
    assert sim.naks_sent == 1


def test_refused_three_times_nothing_done(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    assert t.authorize(100, "S-12").status is PaymentStatus.APPROVED
    sim.push("refuse")
    with pytest.raises(TerminalUnavailable):
        t.authorize(200, "S-13")
    assert len(sim.transactions) == 1
    assert sim.naks_sent == 3


def test_garbled_frame_is_nakked_and_repeated(
    sim: ZvtSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.push("garbled")
    with caplog.at_level(logging.DEBUG):
        result = terminal(sim).authorize(1500, "S-14")
    assert "CRC mismatch" in caplog.text
    assert "621234******7890" in caplog.text  # only the masked number is ever logged
    assert result.status is PaymentStatus.APPROVED
    assert result.masked_pan == "621234******7890"


def test_busy_terminal_raises_nothing_done(sim: ZvtSimulator) -> None:
    sim.push("busy")
    with pytest.raises(TerminalUnavailable, match="busy"):
        terminal(sim).authorize(100, "S-15")
    assert sim.transactions == []


def test_refund(sim: ZvtSimulator) -> None:
    result = terminal(sim).refund(250, "R-1")
    assert result.status is PaymentStatus.APPROVED
    assert sim.last is not None and sim.last.kind == "refund"
    assert sim.received[-1].encode().hex(" ").upper() == (
        "06 31 0D 00 00 00 04 00 00 00 00 02 50 49 01 56"
    )


def test_unreachable_terminal_raises() -> None:
    with pytest.raises(TerminalUnavailable):
        ZvtTerminal("/dev/does-not-exist").authorize(100, "S-16")


def test_silent_terminal_registration_fails_nothing_sent() -> None:
    sim, path = serve_pty()
    sim.stop()  # the pty is gone
    with pytest.raises(TerminalUnavailable):
        ZvtTerminal(path, ack_timeout=0.2).authorize(100, "S-17")


def test_end_of_day(sim: ZvtSimulator) -> None:
    assert terminal(sim).end_of_day().status is PaymentStatus.APPROVED
    assert sim.received[-1].encode().hex(" ").upper() == "06 50 03 00 00 00"


def test_unknown_script_outcome_refused() -> None:
    with pytest.raises(ValueError):
        ZvtSimulator(["explode"])


def test_cancel_during_slow_customer(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("slow")
    texts: list[str] = []

    def on_status(text: str) -> None:
        texts.append(text)
        t.cancel()

    result = t.authorize(100, "S-18", on_status)
    assert result.status is PaymentStatus.DECLINED
    assert result.message.startswith("Aborted")
    assert texts == ["Insert card"]
    assert sim.transactions == []
    assert t.authorize(100, "S-19").status is PaymentStatus.APPROVED  # the cancel was used up


def test_unreadable_status_information_is_unknown_then_resolved(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("unreadable")
    result = t.authorize(660, "S-20")
    assert result.status is PaymentStatus.UNKNOWN
    resolved = t.enquire("S-20")
    assert resolved.status is PaymentStatus.APPROVED
    assert resolved.amount_fen == 660


def test_enquire_for_another_reference_stays_unknown(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("timeout")
    assert t.authorize(100, "S-21").status is PaymentStatus.UNKNOWN
    assert t.enquire("S-older").status is PaymentStatus.UNKNOWN
    assert t.enquire("S-21").status is PaymentStatus.DECLINED


def test_enquire_after_a_final_answer_repeats_it(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    approved = t.authorize(100, "S-22")
    assert t.enquire("S-22") == approved
