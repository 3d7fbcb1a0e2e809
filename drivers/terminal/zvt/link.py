"""The ZVT serial link layer over any byte port (a pyserial port, or the simulator's pty end).

`send` writes a frame and waits for the receiver's ACK (0x06) byte, repeating on NAK (0x15) up
to three times; `receive` reads one frame, answering ACK for a good one and NAK for a bad one
(wrong CRC, truncated by the inter-byte timeout, oversized). Failures are exceptions that say
what is known: `LinkRefused` (the peer refused the frame: it was not taken), `LinkTimeout`
(no answer), `LinkDown` (the line itself failed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from drivers.terminal.zvt.frame import ACK, MAX_APDU, NAK, FrameDecoder, encode_frame

log = logging.getLogger(__name__)

MAX_REPEATS = 3


class BytePort(Protocol):
    timeout: float | None

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes, /) -> int | None: ...


class LinkError(Exception):
    pass


class LinkRefused(LinkError):
    """The peer answered NAK every time: it did not take the frame."""


class LinkTimeout(LinkError):
    """No answer in time."""


class LinkDown(LinkError):
    """The port failed (the cable, the device, the pty went away)."""


class Link:
    def __init__(
        self,
        port: BytePort,
        *,
        ack_timeout: float = 5.0,
        inter_byte_timeout: float = 0.2,
        max_apdu: int = MAX_APDU,
    ) -> None:
        self.port = port
        self.ack_timeout = ack_timeout  # T3: the receiver's ACK/NAK byte
        self.inter_byte_timeout = inter_byte_timeout  # T1: a frame that stops midway is dropped
        self._decoder = FrameDecoder(max_apdu)
        #: Asked for each good frame: True answers it NAK anyway (the simulator's scripted NAK).
        self.nak_hook: Callable[[], bool] | None = None
        #: Asked for each good frame: True loses it, unanswered (the simulator's deaf moment).
        self.mute_hook: Callable[[], bool] | None = None

    def _read(self, timeout: float) -> bytes:
        try:
            self.port.timeout = max(timeout, 0.001)
            return self.port.read(1)
        except Exception as exc:  # pyserial raises SerialException / OSError on a lost line
            raise LinkDown(f"line lost while reading: {exc}") from exc

    def write_raw(self, data: bytes) -> None:
        try:
            self.port.write(data)
        except Exception as exc:
            raise LinkDown(f"line lost while writing: {exc}") from exc

    def send(self, apdu: bytes) -> None:
        frame = encode_frame(apdu)
        for attempt in range(1, MAX_REPEATS + 1):
            self.write_raw(frame)
            deadline = time.monotonic() + self.ack_timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LinkTimeout(f"no ACK within {self.ack_timeout} s")
                byte = self._read(remaining)
                if byte == bytes([ACK]):
                    return
                if byte == bytes([NAK]):
                    log.info("frame %02X %02X refused (NAK), attempt %d", apdu[0], apdu[1], attempt)
                    break
                # anything else before the ACK byte is line noise: ignore it
        raise LinkRefused(f"frame refused {MAX_REPEATS} times (NAK)")

    def receive(self, timeout: float) -> bytes:
        """The next good frame's APDU (ACKed); bad frames are NAKed and waited past."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if self._decoder.in_frame:
                wait = min(self.inter_byte_timeout, max(remaining, 0.0) + self.inter_byte_timeout)
            elif remaining <= 0:
                raise LinkTimeout(f"no frame within {timeout} s")
            else:
                wait = remaining
            byte = self._read(wait)
            if not byte:
                if self._decoder.in_frame:
                    error = self._decoder.reset()
                    log.warning("frame rejected: %s", error)
                    self.write_raw(bytes([NAK]))
                continue
            for result in self._decoder.feed(byte):
                if isinstance(result, bytes) and self.mute_hook is not None and self.mute_hook():
                    continue
                if isinstance(result, bytes) and self.nak_hook is not None and self.nak_hook():
                    self.write_raw(bytes([NAK]))
                    continue
                if isinstance(result, bytes):
                    self.write_raw(bytes([ACK]))
                    return result
                log.warning("frame rejected: %s", result)
                self.write_raw(bytes([NAK]))


class TcpLink(Link):
    """The ZVT TCP variant (port 20007): raw APDUs, no DLE/CRC framing and no ACK bytes."""

    def send(self, apdu: bytes) -> None:
        self.write_raw(apdu)

    def _read_exact(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            byte = self._read(self.inter_byte_timeout)
            if not byte:  # a TCP stream cannot resynchronise: the connection is done for
                raise LinkDown(f"APDU truncated: {len(data)} of {size} bytes came")
            data += byte
        return data

    def receive(self, timeout: float) -> bytes:
        first = self._read(timeout)
        if not first:
            raise LinkTimeout(f"no APDU within {timeout} s")
        header = first + self._read_exact(2)
        if header[2] == 0xFF:
            ext = self._read_exact(2)
            header += ext
            length = ext[0] | (ext[1] << 8)
        else:
            length = header[2]
        return header + self._read_exact(length)
