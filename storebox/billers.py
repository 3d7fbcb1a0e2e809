"""Convenience-payment billers (electricity, water, gas, mobile top-up, credit-card repayment)
as the shop last pulled them from the hub, which owns them. Each biller's input rules are data
(REFERENCE.md); the bill-payment feature reads them. Writes run inside a pulled page's
transaction (`storebox.syncstate`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox import journal
from storebox.db import raw
from storebox.db.models import BillerEntry
from storebox.errors import InvalidInput
from storebox.shop import Shop

STREAM = "billers"
KINDS = ("electricity", "water", "gas", "mobile", "credit_card")


@dataclass(frozen=True)
class BillerData:
    biller_id: str
    kind: str
    name: str
    active: bool = True
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.biller_id

    def check(self) -> None:
        if not self.biller_id or not self.name:
            raise InvalidInput(f"biller {self.biller_id!r}: id and name are required")
        if self.kind not in KINDS:
            raise InvalidInput(f"biller {self.biller_id!r}: unknown kind {self.kind!r}")


_UPSERT = (
    "INSERT INTO billers (biller_id, kind, name, active, rules_json) "
    "VALUES (:biller_id, :kind, :name, :active, :rules_json) "
    "ON CONFLICT (biller_id) DO UPDATE SET kind = excluded.kind, name = excluded.name, "
    "active = excluded.active, rules_json = excluded.rules_json"
)


def upsert(session: Session, items: Sequence[object]) -> None:
    rows = []
    for item in items:
        if not isinstance(item, BillerData):
            raise InvalidInput(f"the billers stream carries billers, got {type(item).__name__}")
        item.check()
        rows.append(
            {
                "biller_id": item.biller_id,
                "kind": item.kind,
                "name": item.name,
                "active": 1 if item.active else 0,
                "rules_json": journal.canonical(item.rules),
            }
        )
    raw.connection(session).executemany(_UPSERT, rows)


def remove(session: Session, keys: Sequence[str]) -> None:
    raw.connection(session).executemany(
        "DELETE FROM billers WHERE biller_id = ?", [(k,) for k in keys]
    )


def clear(session: Session) -> int:
    return raw.connection(session).execute("DELETE FROM billers").rowcount


def list_billers(shop: Shop, *, active_only: bool = True) -> list[BillerData]:
    query = select(BillerEntry).order_by(BillerEntry.kind, BillerEntry.name)
    if active_only:
        query = query.where(BillerEntry.active.is_(True))
    with shop.store.read() as session:
        return [
            BillerData(
                biller_id=r.biller_id,
                kind=r.kind,
                name=r.name,
                active=r.active,
                rules=json.loads(r.rules_json),
            )
            for r in session.scalars(query)
        ]
