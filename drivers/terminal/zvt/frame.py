"""The ZVT serial frame and the APDU envelope.

Frame = DLE STX, the APDU with every DLE doubled, DLE ETX, CRC low byte, CRC high byte; the CRC
(CRC-16/KERMIT) covers the unstuffed APDU plus ETX. APDU = CLASS INSTR LEN data, where LEN is one
byte below 0xFF, else `FF lo hi`.

`FrameDecoder` takes bytes as they arrive and returns the APDUs it completed, and a `FrameError`
(never an exception) for each frame it had to reject, so the link layer can answer NAK.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.terminal.zvt.crc import crc16_kermit

DLE = 0x10
STX = 0x02
ETX = 0x03
ACK = 0x06
NAK = 0x15

#: The largest APDU a frame may carry (CLASS INSTR FF lo hi + 65535 data bytes).
MAX_APDU = 5 + 0xFFFF


class FrameError(Exception):
    """A frame or APDU that cannot be accepted (bad CRC, truncated, oversized, malformed)."""


@dataclass(frozen=True)
class Apdu:
    cls: int
    instr: int
    data: bytes = b""

    @property
    def command(self) -> tuple[int, int]:
        return (self.cls, self.instr)

    def encode(self) -> bytes:
        return encode_apdu(self.cls, self.instr, self.data)

    def __repr__(self) -> str:  # the data may hold card data: show only its size
        return f"Apdu({self.cls:02X} {self.instr:02X}, {len(self.data)} bytes)"


def encode_apdu(cls: int, instr: int, data: bytes = b"") -> bytes:
    if len(data) > 0xFFFF:
        raise ValueError(f"APDU data too long: {len(data)} bytes")
    if len(data) < 0xFF:
        header = bytes([cls, instr, len(data)])
    else:
        header = bytes([cls, instr, 0xFF, len(data) & 0xFF, len(data) >> 8])
    return header + data


def parse_apdu(raw: bytes) -> Apdu:
    """The APDU in `raw`, whose length field must match exactly."""
    if len(raw) < 3:
        raise FrameError(f"APDU truncated: {len(raw)} bytes, the header alone needs 3")
    if raw[2] == 0xFF:
        if len(raw) < 5:
            raise FrameError("APDU truncated: extended length field incomplete")
        length, start = raw[3] | (raw[4] << 8), 5
    else:
        length, start = raw[2], 3
    if len(raw) - start != length:
        raise FrameError(
            f"APDU {raw[0]:02X} {raw[1]:02X} length field says {length} bytes, "
            f"{len(raw) - start} present"
        )
    return Apdu(raw[0], raw[1], bytes(raw[start:]))


def encode_frame(apdu: bytes) -> bytes:
    """The serial frame carrying `apdu`."""
    crc = crc16_kermit(apdu + bytes([ETX]))
    body = apdu.replace(bytes([DLE]), bytes([DLE, DLE]))
    return bytes([DLE, STX]) + body + bytes([DLE, ETX, crc & 0xFF, crc >> 8])


def decode_frame(frame: bytes) -> bytes:
    """The APDU in one complete frame; raises `FrameError` for anything else."""
    decoder = FrameDecoder()
    results = decoder.feed(frame)
    if decoder.in_frame:
        results.append(decoder.reset() or FrameError("frame truncated"))
    if len(results) != 1:
        raise FrameError(f"expected one frame, found {len(results)}")
    result = results[0]
    if isinstance(result, FrameError):
        raise result
    return result


class FrameDecoder:
    """Incremental frame decoder: `feed` returns completed APDUs (`bytes`) and `FrameError`s.

    Bytes between frames (stray ACK/NAK, line noise) are ignored. A partial frame is kept until
    more bytes come; `reset()` (for an inter-byte timeout) drops it and returns the error.
    """

    _IDLE, _START, _DATA, _DATA_DLE, _CRC_LO, _CRC_HI = range(6)

    def __init__(self, max_apdu: int = MAX_APDU) -> None:
        self.max_apdu = max_apdu
        self._state = self._IDLE
        self._buf = bytearray()
        self._crc_lo = 0
        self._oversized = False

    @property
    def in_frame(self) -> bool:
        return self._state != self._IDLE

    def reset(self) -> FrameError | None:
        """Drop a partial frame; returns the error describing it, or None if there was none."""
        error = None
        if self._state != self._IDLE:
            error = FrameError(f"frame truncated after {len(self._buf)} APDU bytes")
        self._state = self._IDLE
        self._buf.clear()
        self._oversized = False
        return error

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        out: list[bytes | FrameError] = []
        for byte in data:
            self._byte(byte, out)
        return out

    def _byte(self, byte: int, out: list[bytes | FrameError]) -> None:
        state = self._state
        if state == self._IDLE:
            if byte == DLE:
                self._state = self._START
        elif state == self._START:
            if byte == STX:
                self._buf.clear()
                self._oversized = False
                self._state = self._DATA
            else:
                self._state = self._START if byte == DLE else self._IDLE
        elif state == self._DATA:
            if byte == DLE:
                self._state = self._DATA_DLE
            else:
                self._append(byte)
        elif state == self._DATA_DLE:
            if byte == DLE:
                self._append(DLE)
                self._state = self._DATA
            elif byte == ETX:
                self._state = self._CRC_LO
            elif byte == STX:  # a new frame began: the previous one was cut off
                out.append(FrameError(f"frame truncated after {len(self._buf)} APDU bytes"))
                self._buf.clear()
                self._oversized = False
                self._state = self._DATA
            else:
                out.append(FrameError(f"invalid byte {byte:02X} after DLE inside a frame"))
                self.reset()
        elif state == self._CRC_LO:
            self._crc_lo = byte
            self._state = self._CRC_HI
        else:
            self._state = self._IDLE
            received = self._crc_lo | (byte << 8)
            apdu = bytes(self._buf)
            self._buf.clear()
            if self._oversized:
                out.append(FrameError(f"frame longer than {self.max_apdu} APDU bytes"))
                return
            expected = crc16_kermit(apdu + bytes([ETX]))
            if received != expected:
                out.append(FrameError(f"CRC mismatch: got {received:04X}, computed {expected:04X}"))
                return
            try:
                parse_apdu(apdu)
            except FrameError as exc:
                out.append(exc)
                return
            out.append(apdu)

    def _append(self, byte: int) -> None:
        if len(self._buf) >= self.max_apdu:
            self._oversized = True  # keep scanning for the frame's end, but drop its bytes
        else:
            self._buf.append(byte)
