"""CRC-16/KERMIT as the ZVT serial link uses it (poly 0x1021 reflected = 0x8408, init 0)."""

from __future__ import annotations


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def crc16_kermit(data: bytes, crc: int = 0) -> int:
    """CRC-16/KERMIT of `data`; `crc` continues an earlier computation."""
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc
