"""Globally unique, time-ordered ids made on the device (UUID version 7, RFC 9562).

Rows created offline on two devices can never collide, and ids sort by creation time, which
keeps B-tree inserts local and makes the outbox readable. Python 3.11 has no uuid7, so we
build it from the RFC's layout: 48-bit Unix milliseconds, version, 12 bits of a per-process
counter for monotonicity within one millisecond, variant, 62 random bits.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted inside one millisecond: borrow the next
                ms += 1
                _counter = 0
        else:
            _counter = 0
        _last_ms = ms
        counter = _counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand
    return uuid.UUID(int=value)


def new_id() -> str:
    """A new row id as the canonical 36-character string stored in the database."""
    return str(uuid7())
