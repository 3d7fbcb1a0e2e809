"""Who is calling: every request but enrolment carries `Authorization: Bearer <device token>`.

The token is looked up by its SHA-256 (the hub never holds the token itself); a revoked
device's token stops working at once. The answer names the device and its store, and every query
a request makes is filtered by that store id: a device reads and writes only its own store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from sync.hub import tokens
from sync.hub.db import Database
from sync.hub.errors import Unauthorised
from sync.hub.models import Device, Store


@dataclass(frozen=True)
class Caller:
    store_id: str
    store_name: str
    device_id: str
    device_name: str


def authenticate(db: Database, authorization: str | None) -> Caller:
    if not authorization:
        raise Unauthorised("this request needs the device's token: Authorization: Bearer <token>")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorised("the Authorization header must be 'Bearer <token>'")
    if len(token) > 200:
        raise Unauthorised("this token is not valid")
    with db.reading() as session:
        row = session.execute(
            select(
                Device.id,
                Device.name,
                Device.revoked_at,
                Store.id.label("store_id"),
                Store.name.label("store_name"),
            )
            .join(Store, Store.id == Device.store_id)
            .where(Device.token_hash == tokens.digest(token))
        ).first()
    if row is None:
        raise Unauthorised("this token is not valid; enrol the device again")
    if row.revoked_at is not None:
        raise Unauthorised("this device was revoked; enrol it again with a new code")
    return Caller(
        store_id=row.store_id, store_name=row.store_name, device_id=row.id, device_name=row.name
    )
