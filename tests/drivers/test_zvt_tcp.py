"""The ZVT TCP variant (raw APDUs) against the simulator on a local TCP port."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from drivers.terminal.simulator import ZvtSimulator, serve_tcp
from drivers.terminal.zvt.client import ZvtTerminal, _port_url
from storebox.ports import PaymentStatus


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _ = serve_tcp(0, status_delay=0.01, drop_seconds=0.6)
    yield simulator
    simulator.stop()


def terminal(sim: ZvtSimulator) -> ZvtTerminal:
    return ZvtTerminal(
        f"tcp://127.0.0.1:{sim.tcp_port}",
        ack_timeout=0.5,
        inter_byte_timeout=0.1,
        answer_timeout=0.5,
        completion_timeout=0.5,
        lang="en",
    )


def test_port_url() -> None:
    assert _port_url("tcp://10.0.0.5") == ("socket://10.0.0.5:20007", True)
    assert _port_url("tcp://10.0.0.5:4000") == ("socket://10.0.0.5:4000", True)
    assert _port_url("/dev/ttyUSB0") == ("/dev/ttyUSB0", False)


def test_tcp_approve_slow_and_decline(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("slow", "decline")
    texts: list[str] = []
    result = t.authorize(1250, "T-1", texts.append)
    assert result.status is PaymentStatus.APPROVED
    assert result.masked_pan == "621234******7890"
    assert texts == ["Insert card", "Enter PIN", "Please wait", "Waiting for the host"]
    assert t.authorize(300, "T-2").status is PaymentStatus.DECLINED
    t.close()


def test_tcp_drop_unknown_then_enquiry(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("drop")
    result = t.authorize(990, "T-3")
    assert result.status is PaymentStatus.UNKNOWN
    assert "truncated" in result.message
    time.sleep(0.8)  # the line is back
    resolved = t.enquire("T-3")
    assert resolved.status is PaymentStatus.APPROVED
    assert resolved.amount_fen == 990
    t.close()


def test_tcp_hangup_unknown_then_reconnect(sim: ZvtSimulator) -> None:
    t = terminal(sim)
    sim.push("hangup")
    assert t.authorize(400, "T-4").status is PaymentStatus.UNKNOWN
    resolved = t.enquire("T-4")  # a new connection
    assert resolved.status is PaymentStatus.DECLINED
    t.close()


def test_tcp_repeat_receipt_resolves_a_dropped_payment() -> None:
    simulator, _ = serve_tcp(0, status_delay=0.01, drop_seconds=0.6, enquiry_reports_last=False)
    t = terminal(simulator)
    try:
        assert t.authorize(100, "T-5").status is PaymentStatus.APPROVED
        simulator.push("drop")
        assert t.authorize(990, "T-6").status is PaymentStatus.UNKNOWN
        time.sleep(0.8)
        resolved = t.enquire("T-6")
        assert resolved.status is PaymentStatus.APPROVED
        assert resolved.extra["resolved_by"] == "repeat_receipt"
        assert [c.encode().hex(" ").upper() for c in simulator.received][-2:] == [
            "05 01 03 00 00 00",
            "06 20 03 00 00 00",
        ]
        simulator.push("mute")  # no ACK byte on TCP: the command goes unanswered
        assert t.authorize(200, "T-7").status is PaymentStatus.UNKNOWN
        assert t.enquire("T-7").status is PaymentStatus.DECLINED
    finally:
        t.close()
        simulator.stop()
