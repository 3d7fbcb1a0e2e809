"""People at the till: PIN hashing, lock-out that survives restarts, who may add whom."""

from __future__ import annotations

import base64
import hashlib
import sqlite3

import pytest
from sqlalchemy import select

from storebox import users
from storebox.clock import FixedClock
from storebox.config import Settings
from storebox.db.models import User
from storebox.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from storebox.shop import Shop, open_shop
from tests.core.test_shifts import snapshot

OWNER_PIN = "73915428"
CASHIER_PIN = "1357"


@pytest.fixture
def owner(shop: Shop) -> users.Actor:
    return users.create_user(shop, name="老板", role="owner", pin=OWNER_PIN, by=None)


@pytest.fixture
def cashier(shop: Shop, owner: users.Actor) -> users.Actor:
    return users.create_user(shop, name="小王", role="cashier", pin=CASHIER_PIN, by=owner)


def stored_hash(shop: Shop, name: str) -> str:
    with shop.store.read() as session:
        return session.scalars(select(User.pin_hash).where(User.name == name)).one()


def failed_attempts(shop: Shop, name: str) -> int:
    with shop.store.read() as session:
        return session.scalars(select(User.failed_attempts).where(User.name == name)).one()


# --- hashing -----------------------------------------------------------------------------------


def test_the_pin_is_stored_as_a_salted_scrypt_hash_never_in_clear(
    shop: Shop, owner: users.Actor
) -> None:
    stored = stored_hash(shop, "老板")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", shop.settings.pin_scrypt_n, 8, 1)
    recomputed = hashlib.scrypt(
        OWNER_PIN.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    assert recomputed == base64.b64decode(digest)
    assert OWNER_PIN not in stored
    shop.close()
    for path in shop.settings.data_dir.iterdir():  # database, WAL, anything else on disk
        if path.is_file():
            assert OWNER_PIN.encode() not in path.read_bytes(), path.name


def test_two_users_with_the_same_pin_get_different_hashes(shop: Shop, owner: users.Actor) -> None:
    users.create_user(shop, name="小王", role="cashier", pin="5555", by=owner)
    users.create_user(shop, name="小李", role="cashier", pin="5555", by=owner)
    assert stored_hash(shop, "小王") != stored_hash(shop, "小李")
    assert users.authenticate(shop, "小王", "5555").name == "小王"
    assert users.authenticate(shop, "小李", "5555").name == "小李"


def test_verify_pin_refuses_a_damaged_or_foreign_hash() -> None:
    good = users.hash_pin("1234", 16)
    assert users.verify_pin("1234", good)
    assert not users.verify_pin("1235", good)
    assert not users.verify_pin("1234", "1234")
    assert not users.verify_pin("1234", good.replace("scrypt", "md5"))
    assert not users.verify_pin("1234", good[:-6] + "!!!!!!")


# --- signing in and locking out ----------------------------------------------------------------


def test_the_right_pin_signs_in_as_the_user(shop: Shop, cashier: users.Actor) -> None:
    actor = users.authenticate(shop, " 小王 ", CASHIER_PIN)
    assert actor == cashier
    assert not actor.is_owner


def test_an_unknown_user_is_refused_like_a_wrong_pin(shop: Shop, owner: users.Actor) -> None:
    with pytest.raises(AuthenticationFailed, match="wrong name or PIN"):
        users.authenticate(shop, "nobody", "1234")


def test_each_wrong_pin_counts_down(shop: Shop, cashier: users.Actor) -> None:
    assert shop.settings.pin_max_attempts == 5
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthenticationFailed, match=f"{left} tries left"):
            users.authenticate(shop, "小王", "0000")
    assert failed_attempts(shop, "小王") == 4


def test_a_right_pin_resets_the_count(shop: Shop, cashier: users.Actor) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            users.authenticate(shop, "小王", "0000")
    users.authenticate(shop, "小王", CASHIER_PIN)
    assert failed_attempts(shop, "小王") == 0
    with pytest.raises(AuthenticationFailed, match="4 tries left"):
        users.authenticate(shop, "小王", "0000")


def test_too_many_wrong_pins_lock_even_the_right_one_out(shop: Shop, cashier: users.Actor) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            users.authenticate(shop, "小王", "0000")
    with pytest.raises(AccountLocked, match="locked for 5 min"):
        users.authenticate(shop, "小王", "0000")
    with pytest.raises(AccountLocked, match="try again in 5 min"):
        users.authenticate(shop, "小王", CASHIER_PIN)


def test_the_lock_out_survives_reopening_the_shop(settings: Settings, clock: FixedClock) -> None:
    with open_shop(settings, clock) as shop:
        owner = users.create_user(shop, name="老板", role="owner", pin=OWNER_PIN, by=None)
        users.create_user(shop, name="小王", role="cashier", pin=CASHIER_PIN, by=owner)
        for _ in range(3):
            with pytest.raises(AuthenticationFailed):
                users.authenticate(shop, "小王", "0000")
    with open_shop(settings, clock) as shop:  # the window restarted: the count is still there
        with pytest.raises(AuthenticationFailed, match="1 tries left"):
            users.authenticate(shop, "小王", "0000")
        with pytest.raises(AccountLocked):
            users.authenticate(shop, "小王", "0000")
    # And so is the lock.
    with open_shop(settings, clock) as shop, pytest.raises(AccountLocked):
        users.authenticate(shop, "小王", CASHIER_PIN)


def test_the_lock_expires_after_the_lockout_time(
    shop: Shop, cashier: users.Actor, clock: FixedClock
) -> None:
    for _ in range(5):
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            users.authenticate(shop, "小王", "0000")
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(AccountLocked, match="try again in 1 min"):
        users.authenticate(shop, "小王", CASHIER_PIN)
    clock.advance(seconds=1)
    assert users.authenticate(shop, "小王", CASHIER_PIN) == cashier
    # A fresh start: the full number of tries again.
    with pytest.raises(AuthenticationFailed, match="4 tries left"):
        users.authenticate(shop, "小王", "0000")


def test_attempts_while_locked_do_not_extend_the_lock(
    shop: Shop, cashier: users.Actor, clock: FixedClock
) -> None:
    for _ in range(5):
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            users.authenticate(shop, "小王", "0000")
    before = snapshot(shop)
    clock.advance(minutes=3)
    with pytest.raises(AccountLocked, match="try again in 2 min"):
        users.authenticate(shop, "小王", "0000")
    assert snapshot(shop) == before


def test_an_attempt_in_flight_cannot_get_round_a_lock_set_meanwhile(
    shop: Shop, cashier: users.Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While this attempt hashes the (right) PIN, another window locks the user out."""
    real_verify = users.verify_pin

    def verify_while_another_window_locks(pin: str, stored: str) -> bool:
        other = sqlite3.connect(shop.settings.db_path)
        try:
            other.execute(
                "UPDATE users SET locked_until = '2026-11-25 03:00:00.000000', failed_attempts = 0"
                " WHERE name = '小王'"
            )
            other.commit()
        finally:
            other.close()
        return real_verify(pin, stored)

    monkeypatch.setattr(users, "verify_pin", verify_while_another_window_locks)
    with pytest.raises(AccountLocked):
        users.authenticate(shop, "小王", CASHIER_PIN)
    with shop.store.read() as session:
        row = session.scalars(select(User).where(User.name == "小王")).one()
        assert row.locked_until is not None  # still locked: the lock was not cleared


# --- who may add whom --------------------------------------------------------------------------


def test_the_first_user_must_be_the_owner(shop: Shop) -> None:
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="first user must be the owner"):
        users.create_user(shop, name="小王", role="cashier", pin="1234", by=None)
    assert snapshot(shop) == before
    owner = users.create_user(shop, name="老板", role="owner", pin="1234", by=None)
    assert owner.is_owner


def test_only_the_owner_adds_users(shop: Shop, owner: users.Actor, cashier: users.Actor) -> None:
    before = snapshot(shop)
    with pytest.raises(PermissionDenied, match="owner"):
        users.create_user(shop, name="小李", role="cashier", pin="2222", by=cashier)
    with pytest.raises(PermissionDenied, match="owner"):
        users.create_user(shop, name="小李", role="cashier", pin="2222", by=None)
    assert snapshot(shop) == before
    added = users.create_user(shop, name="小李", role="cashier", pin="2222", by=owner)
    assert [a.name for a in users.list_users(shop)] == ["老板", "小王", "小李"]
    assert added.role == "cashier"


def test_names_are_unique_and_sensible(shop: Shop, owner: users.Actor) -> None:
    before = snapshot(shop)
    for name in ("老板", " 老板 ", "", "   ", "x" * 41):
        with pytest.raises(InvalidInput):
            users.create_user(shop, name=name, role="cashier", pin="2222", by=owner)
    with pytest.raises(InvalidInput, match="role"):
        users.create_user(shop, name="小李", role="manager", pin="2222", by=owner)
    with pytest.raises(InvalidInput):
        users.create_user(shop, name=None, role="cashier", pin="2222", by=owner)  # type: ignore[arg-type]
    assert snapshot(shop) == before


@pytest.mark.parametrize(
    "pin",
    ["", "123", "123456789", "12a4", "１２３４", " 1234", "1234 ", "-123", "12.4", 1234, None],
)
def test_pin_format_is_4_to_8_ascii_digits(shop: Shop, owner: users.Actor, pin: object) -> None:
    before = snapshot(shop)
    with pytest.raises(InvalidInput, match="4 to 8 digits"):
        users.create_user(shop, name="小李", role="cashier", pin=pin, by=owner)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="4 to 8 digits"):
        users.change_pin(shop, owner, "老板", pin)  # type: ignore[arg-type]
    assert snapshot(shop) == before


@pytest.mark.parametrize("pin", ["0000", "12345678"])
def test_pins_of_4_and_8_digits_are_accepted(shop: Shop, owner: users.Actor, pin: str) -> None:
    users.create_user(shop, name="小李", role="cashier", pin=pin, by=owner)
    assert users.authenticate(shop, "小李", pin).name == "小李"


# --- changing a PIN ----------------------------------------------------------------------------


def test_a_user_changes_their_own_pin(shop: Shop, cashier: users.Actor) -> None:
    users.change_pin(shop, cashier, "小王", "8642")
    with pytest.raises(AuthenticationFailed):
        users.authenticate(shop, "小王", CASHIER_PIN)
    assert users.authenticate(shop, "小王", "8642") == cashier


def test_only_the_owner_resets_someone_elses_pin_and_that_unlocks(
    shop: Shop, owner: users.Actor, cashier: users.Actor
) -> None:
    other = users.create_user(shop, name="小李", role="cashier", pin="2222", by=owner)
    before = snapshot(shop)
    with pytest.raises(PermissionDenied):
        users.change_pin(shop, other, "小王", "9999")
    with pytest.raises(NotFound):
        users.change_pin(shop, owner, "nobody", "9999")
    assert snapshot(shop) == before
    for _ in range(5):
        with pytest.raises((AuthenticationFailed, AccountLocked)):
            users.authenticate(shop, "小王", "0000")
    users.change_pin(shop, owner, "小王", "9999")
    assert users.authenticate(shop, "小王", "9999") == cashier
