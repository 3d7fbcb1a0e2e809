"""drivers.scanner.serial_scanner over a real pty: the test writes on the master side, the
scanner reads the slave through pyserial, as it would a USB-CDC scanner."""

from __future__ import annotations

import contextlib
import os
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.scanner.serial_scanner import (
    LineSplitter,
    ScannerState,
    SerialScanner,
    Status,
    decode_line,
)


class Pty:
    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        os.close(slave)  # pyserial opens it again by name

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        os.close(self.master)


class Seen:
    def __init__(self) -> None:
        self.codes: list[str] = []
        self.rejects: list[tuple[bytes, str]] = []
        self.states: list[Status] = []
        self._cond = threading.Condition()

    def code(self, code: str) -> None:
        with self._cond:
            self.codes.append(code)
            self._cond.notify_all()

    def reject(self, raw: bytes, reason: str) -> None:
        with self._cond:
            self.rejects.append((raw, reason))
            self._cond.notify_all()

    def state(self, status: Status) -> None:
        with self._cond:
            self.states.append(status)
            self._cond.notify_all()

    def wait(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        with self._cond:
            assert self._cond.wait_for(check, timeout), (self.codes, self.rejects, self.states)

    def connected(self, times: int = 1) -> bool:
        return [s.state for s in self.states].count(ScannerState.CONNECTED) >= times


@pytest.fixture
def pty() -> Iterator[Pty]:
    p = Pty()
    yield p
    with contextlib.suppress(OSError):
        p.close()


def scanner(
    url: str, seen: Seen, *, max_length: int = 64, backoff_min: float = 0.5, backoff_max: float = 10
) -> SerialScanner:
    return SerialScanner(
        url,
        seen.code,
        on_state=seen.state,
        on_reject=seen.reject,
        read_timeout=0.05,
        max_length=max_length,
        backoff_min=backoff_min,
        backoff_max=backoff_max,
    )


def test_codes_with_cr_lf_and_crlf_are_read_and_normalised(pty: Pty) -> None:
    seen = Seen()
    with scanner(pty.path, seen) as s:
        seen.wait(seen.connected)
        assert s.state is ScannerState.CONNECTED
        pty.write(b"6901234567892\r")
        pty.write(b"96385074\n")
        pty.write(b"shelfa1\r\n\r\n")  # blank lines are not codes
        seen.wait(lambda: len(seen.codes) == 3)
    assert seen.codes == ["6901234567892", "96385074", "SHELFA1"]
    assert seen.rejects == []
    assert seen.states[0].state is ScannerState.CONNECTING
    assert seen.states[-1].state is ScannerState.STOPPED


def test_a_code_split_across_reads_is_joined(pty: Pty) -> None:
    seen = Seen()
    with scanner(pty.path, seen):
        seen.wait(seen.connected)
        pty.write(b"690123")
        time.sleep(0.2)  # the scanner has read the first half by now
        pty.write(b"4567892")
        time.sleep(0.2)
        assert seen.codes == []
        pty.write(b"\r\n134567890123456789\r")
        seen.wait(lambda: len(seen.codes) == 2)
    assert seen.codes == ["6901234567892", "134567890123456789"]


def test_garbage_is_rejected_with_a_reason_and_reading_goes_on(pty: Pty) -> None:
    seen = Seen()
    with scanner(pty.path, seen, max_length=20) as s:
        seen.wait(seen.connected)
        pty.write("可乐\r".encode("gb18030"))
        pty.write(b"\xff\xfe\x00\x01\n")
        pty.write(b"1" * 50 + b"\r")
        pty.write(b"6901234567892\r")
        seen.wait(lambda: len(seen.codes) == 1 and len(seen.rejects) == 3)
        assert s.state is ScannerState.CONNECTED
    assert seen.codes == ["6901234567892"]
    reasons = [reason for _raw, reason in seen.rejects]
    assert "not printable ASCII" in reasons[0] and "not printable ASCII" in reasons[1]
    assert "too long" in reasons[2]


def test_reconnects_after_the_device_disappears(tmp_path: Path) -> None:
    first = Pty()
    link = tmp_path / "ttyScanner"
    link.symlink_to(first.path)
    seen = Seen()
    with scanner(str(link), seen, backoff_min=0.05, backoff_max=0.2) as s:
        seen.wait(seen.connected)
        first.write(b"96385074\r")
        seen.wait(lambda: seen.codes == ["96385074"])
        first.close()  # unplugged
        seen.wait(lambda: any(st.state is ScannerState.DISCONNECTED for st in seen.states))
        second = Pty()  # plugged in again (a new pty behind the same name)
        link.unlink()
        link.symlink_to(second.path)
        seen.wait(lambda: seen.connected(2))
        second.write(b"6901234567892\r")
        seen.wait(lambda: seen.codes == ["96385074", "6901234567892"])
        assert s.reconnects >= 1
        lost = next(st for st in seen.states if st.state is ScannerState.DISCONNECTED)
        assert "scanner lost" in lost.detail
        second.close()


def test_a_missing_device_is_an_error_and_is_retried(tmp_path: Path) -> None:
    seen = Seen()
    path = tmp_path / "nothing"
    with scanner(str(path), seen, backoff_min=0.05, backoff_max=0.1) as s:
        seen.wait(lambda: any(st.state is ScannerState.ERROR for st in seen.states))
        assert "cannot open" in s.status.detail
        p = Pty()
        path.symlink_to(p.path)
        seen.wait(seen.connected)
        p.write(b"96385074\n")
        seen.wait(lambda: seen.codes == ["96385074"])
        p.close()


def test_a_failing_callback_does_not_stop_the_reader(pty: Pty) -> None:
    got: list[str] = []

    def on_code(code: str) -> None:
        got.append(code)
        if len(got) == 1:
            raise RuntimeError("a bug in the caller")

    seen = Seen()
    with SerialScanner(pty.path, on_code, on_state=seen.state, read_timeout=0.05):
        seen.wait(seen.connected)
        pty.write(b"96385074\r6901234567892\r")
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert got == ["96385074", "6901234567892"]


def test_loop_url_works_without_hardware() -> None:
    seen = Seen()
    with scanner("loop://", seen) as s:
        seen.wait(seen.connected)
        assert s._port is not None
        s._port.write(b"96385074\r")
        seen.wait(lambda: seen.codes == ["96385074"])


# --- the pure parts ------------------------------------------------------------------------


def test_splitter_and_decoder() -> None:
    split = LineSplitter(max_length=8)
    assert split.feed(b"123") == []
    assert split.feed(b"45\r\n67") == [b"12345"]
    assert split.feed(b"\n\n") == [b"67"]
    assert split.feed(b"123456789012\r") == [b"123456789"]
    assert decode_line(b"123456789", 8)[1].endswith("9 bytes > 8")
    assert decode_line(b"  ab1 ") == ("AB1", "")
    assert decode_line(b"\x1b[A") == (None, decode_line(b"\x1b[A")[1])
    assert "0x1b" in decode_line(b"\x1b[A")[1]
    assert decode_line(b"   ")[0] is None
