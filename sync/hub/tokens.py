"""Secrets the hub hands out (device tokens, enrol codes) and the hashes it keeps of them.

A token is 32 random bytes (urlsafe base64); the hub stores only its SHA-256, so a copy of the
database lets nobody act as a device. A plain hash (no salt, no stretching) is right for
high-entropy random secrets: there is nothing to guess. Enrol codes are shorter (typed by a
person) but one-time and expiring, and hashed all the same.
"""

from __future__ import annotations

import hashlib
import secrets

#: No 0/O, 1/I/L: a code is read aloud over the phone and typed on a till.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(code: str) -> str:
    """What a person types: any case, with or without the dash or spaces."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def code_digest(code: str) -> str:
    return digest("enrol:" + normalise_code(code))
