"""What the hub's operator does (`storebox hub create-store / enrol-code / revoke`) and what a
device does to join (`enrol`). Plain functions over a `Database`: the CLI, the app and the test
fixture share them.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from sync.hub import tokens
from sync.hub.clock import utcnow
from sync.hub.db import Database
from sync.hub.errors import AdminError, EnrolRefused
from sync.hub.models import Device, EnrolCode, Store

log = logging.getLogger(__name__)

DEFAULT_CODE_TTL = dt.timedelta(hours=24)


def create_store(db: Database, name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise AdminError("a store needs a name of 1 to 200 characters")
    store_id = str(uuid.uuid4())
    with db.transaction() as session:
        session.add(Store(id=store_id, name=clean, created_at=utcnow()))
    log.info("store %s created (%s)", store_id, clean)
    return store_id


def _require_store(db: Database, store_id: str) -> Store:
    with db.reading() as session:
        store = session.get(Store, store_id)
    if store is None:
        raise AdminError(f"no store {store_id!r} on this hub")
    return store


def enrol_code(
    db: Database,
    store_id: str,
    *,
    ttl: dt.timedelta = DEFAULT_CODE_TTL,
    now: dt.datetime | None = None,
) -> str:
    """A new one-time code for the store; valid for `ttl`. Only its hash is kept."""
    _require_store(db, store_id)
    if ttl <= dt.timedelta(0):
        raise AdminError("an enrol code must live a positive time")
    at = now or utcnow()
    code = tokens.new_code()
    with db.transaction() as session:
        session.add(
            EnrolCode(
                code_hash=tokens.code_digest(code),
                store_id=store_id,
                created_at=at,
                expires_at=at + ttl,
            )
        )
    return code


@dataclass(frozen=True)
class Enrolled:
    store_id: str
    store_name: str
    device_id: str
    token: str


def enrol(
    db: Database, code: str, device_name: str, app_version: str, *, now: dt.datetime | None = None
) -> Enrolled:
    """Exchange a code for a device token. The code is spent by one conditional UPDATE (unused and
    unexpired → used), so two devices racing with the same code cannot both win."""
    at = now or utcnow()
    device_id = str(uuid.uuid4())
    token = tokens.new_token()
    code_hash = tokens.code_digest(code)
    with db.transaction() as session:
        spent = session.execute(
            update(EnrolCode)
            .where(
                EnrolCode.code_hash == code_hash,
                EnrolCode.used_at.is_(None),
                EnrolCode.expires_at > at,
            )
            .values(used_at=at, device_id=device_id)
            .returning(EnrolCode.store_id)
        ).first()
        if spent is None:
            raise EnrolRefused(
                "this enrol code is unknown, used or expired; ask the hub's operator for a new one"
            )
        store = session.get(Store, spent.store_id)
        assert store is not None  # a foreign key
        session.add(
            Device(
                id=device_id,
                store_id=store.id,
                name=device_name,
                app_version=app_version,
                token_hash=tokens.digest(token),
                created_at=at,
            )
        )
        store_name = store.name
    log.info("device %s (%s) enrolled in store %s", device_id, device_name, spent.store_id)
    return Enrolled(
        store_id=spent.store_id, store_name=store_name, device_id=device_id, token=token
    )


def revoke(db: Database, device_id: str, *, now: dt.datetime | None = None) -> bool:
    """Revoke a device's token at once. False if it was already revoked."""
    with db.transaction() as session:
        device = session.get(Device, device_id)
        if device is None:
            raise AdminError(f"no device {device_id!r} on this hub")
        if device.revoked_at is not None:
            return False
        device.revoked_at = now or utcnow()
    log.warning("device %s revoked", device_id)
    return True


def list_devices(db: Database, store_id: str) -> list[Device]:
    _require_store(db, store_id)
    with db.reading() as session:
        return list(
            session.scalars(
                select(Device).where(Device.store_id == store_id).order_by(Device.created_at)
            )
        )
