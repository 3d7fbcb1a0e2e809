"""People at the till: owner and cashiers, their PINs, roles and lock-out.

A PIN is short, so its hash must be slow: scrypt with a per-user salt, parameters stored with
the hash so the cost can rise later without invalidating old PINs. Comparison is constant-time.
After `pin_max_attempts` wrong PINs in a row the user is locked for `pin_lockout_minutes`; the
counter and the lock are written even when the attempt fails (their own transaction), so
restarting the window does not reset them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import os
from dataclasses import dataclass

from sqlalchemy import select

from storebox.db.models import User
from storebox.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from storebox.ids import new_id
from storebox.shop import Shop

OWNER = "owner"
CASHIER = "cashier"
ROLES = (OWNER, CASHIER)


@dataclass(frozen=True)
class Actor:
    """Who is doing something. Only `authenticate` (or a test) makes one."""

    user_id: str
    name: str
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER


def require_owner(actor: Actor | None, what: str) -> Actor:
    if actor is None or not actor.is_owner:
        raise PermissionDenied(f"需要店主授权 / the owner's PIN is needed to {what}")
    return actor


def _check_pin_format(pin: str) -> None:
    if not (isinstance(pin, str) and pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise InvalidInput("PIN 应为 4-8 位数字 / a PIN is 4 to 8 digits")


def hash_pin(pin: str, n: int) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=8, p=1, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}$8$1${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            pin.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def create_user(shop: Shop, *, name: str, role: str, pin: str, by: Actor | None) -> Actor:
    """Add a person. The first user of a new shop must be the owner and needs no approval."""
    if not isinstance(name, str):
        raise InvalidInput("姓名应为文字 / a name is text")
    name = name.strip()
    if not 1 <= len(name) <= 40:
        raise InvalidInput("姓名应为 1-40 个字 / a name is 1 to 40 characters")
    if role not in ROLES:
        raise InvalidInput(f"角色无效 / role must be one of {', '.join(ROLES)}")
    _check_pin_format(pin)
    pin_hash = hash_pin(pin, shop.settings.pin_scrypt_n)  # slow: outside the write lock
    with shop.store.write() as session:
        has_users = session.scalars(select(User.id).limit(1)).first() is not None
        if has_users:
            require_owner(by, "add a user")
        elif role != OWNER:
            raise InvalidInput("第一位用户必须是店主 / the first user must be the owner")
        if session.scalars(select(User.id).where(User.name == name)).first() is not None:
            raise InvalidInput(f"用户已存在 / a user named {name!r} already exists")
        user = User(
            id=new_id(),
            name=name,
            role=role,
            pin_hash=pin_hash,
            failed_attempts=0,
            active=True,
            created_at=shop.now(),
        )
        session.add(user)
        return Actor(user.id, user.name, user.role)


def _locked_message(name: str, locked_until: dt.datetime, now: dt.datetime) -> str:
    seconds = (locked_until - now).total_seconds()
    minutes = max(1, math.ceil(seconds / 60))
    return f"{name} 已被锁定，请 {minutes} 分钟后再试 / locked; try again in {minutes} min"


def authenticate(shop: Shop, name: str, pin: str) -> Actor:
    """Check a PIN. Wrong PINs count towards a lock-out that survives restarts."""
    if not isinstance(name, str) or not isinstance(pin, str):
        raise AuthenticationFailed("用户名或 PIN 错误 / wrong name or PIN")
    name = name.strip()
    now = shop.now()
    with shop.store.read() as session:
        user = session.scalars(select(User).where(User.name == name, User.active)).first()
        if user is None:
            raise AuthenticationFailed("用户名或 PIN 错误 / wrong name or PIN")
        user_id, stored, locked_until = user.id, user.pin_hash, user.locked_until
    if locked_until is not None and locked_until > now:
        raise AccountLocked(_locked_message(name, locked_until, now))
    ok = verify_pin(pin, stored)  # slow, so outside any transaction
    with shop.store.write() as session:
        user = session.get_one(User, user_id)
        if user.locked_until is not None and user.locked_until > now:
            # Another attempt (another window, another process) locked the user while this PIN
            # was being hashed: an attempt already in flight must not get round the lock.
            # Nothing was changed here, so raising inside the transaction loses nothing.
            raise AccountLocked(_locked_message(name, user.locked_until, now))
        if ok:
            user.failed_attempts = 0
            user.locked_until = None
            return Actor(user.id, user.name, user.role)
        user.failed_attempts += 1
        left = shop.settings.pin_max_attempts - user.failed_attempts
        if left <= 0:
            user.failed_attempts = 0
            user.locked_until = now + dt.timedelta(minutes=shop.settings.pin_lockout_minutes)
            locked = True
        else:
            locked = False
    if locked:
        raise AccountLocked(
            f"PIN 错误次数过多，{name} 已锁定 {shop.settings.pin_lockout_minutes} 分钟 / "
            f"too many wrong PINs; locked for {shop.settings.pin_lockout_minutes} min"
        )
    raise AuthenticationFailed(f"PIN 错误，还可尝试 {left} 次 / wrong PIN; {left} tries left")


def change_pin(shop: Shop, actor: Actor, user_name: str, new_pin: str) -> None:
    """A user changes their own PIN; the owner may reset anyone's."""
    _check_pin_format(new_pin)
    pin_hash = hash_pin(new_pin, shop.settings.pin_scrypt_n)
    with shop.store.write() as session:
        user = session.scalars(select(User).where(User.name == user_name)).first()
        if user is None:
            raise NotFound(f"没有此用户 / no user named {user_name!r}")
        if user.id != actor.user_id:
            require_owner(actor, "reset another user's PIN")
        user.pin_hash = pin_hash
        user.failed_attempts = 0
        user.locked_until = None


def list_users(shop: Shop) -> list[Actor]:
    with shop.store.read() as session:
        rows = session.scalars(select(User).where(User.active).order_by(User.created_at)).all()
        return [Actor(u.id, u.name, u.role) for u in rows]
