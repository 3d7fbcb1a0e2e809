"""Settings the hub decides for the shop (limits for offline bill payments, ...), as last
pulled from the `config` stream. Values are JSON; the features that use a key interpret it.
Writes run inside a pulled page's transaction (`storebox.syncstate`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storebox import journal
from storebox.db import raw
from storebox.db.models import HubConfigEntry
from storebox.errors import InvalidInput
from storebox.shop import Shop

STREAM = "config"


@dataclass(frozen=True)
class ConfigValue:
    key: str
    value: Any

    def check(self) -> None:
        if not self.key or len(self.key) > 80:
            raise InvalidInput(f"config key {self.key!r}: 1 to 80 characters")


def upsert(session: Session, items: Sequence[object]) -> None:
    rows = []
    for item in items:
        if not isinstance(item, ConfigValue):
            raise InvalidInput(f"the config stream carries entries, got {type(item).__name__}")
        item.check()
        rows.append((item.key, journal.canonical(item.value)))
    raw.connection(session).executemany(
        "INSERT INTO hub_config (key, value_json) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json",
        rows,
    )


def remove(session: Session, keys: Sequence[str]) -> None:
    raw.connection(session).executemany(
        "DELETE FROM hub_config WHERE key = ?", [(k,) for k in keys]
    )


def clear(session: Session) -> int:
    return raw.connection(session).execute("DELETE FROM hub_config").rowcount


def entries(shop: Shop) -> dict[str, Any]:
    with shop.store.read() as session:
        return {
            r.key: json.loads(r.value_json)
            for r in session.scalars(select(HubConfigEntry).order_by(HubConfigEntry.key))
        }


def value(shop: Shop, key: str, default: Any = None) -> Any:
    with shop.store.read() as session:
        row = session.get(HubConfigEntry, key)
        return default if row is None else json.loads(row.value_json)


# --- what the features read -----------------------------------------------------------------

OFFLINE_BILL_PAYMENT_MAX = "offline_bill_payment_max_fen"
OFFLINE_BILL_PAYMENTS_PER_DAY_MAX = "offline_bill_payments_per_day_max_fen"


@dataclass(frozen=True)
class OfflineBillLimits:
    """How much bill-payment money the shop may accept while the hub cannot be reached: per
    payment, and per business day across this till's offline payments (not failed)."""

    per_payment_fen: int
    per_day_fen: int


def _fen(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def offline_bill_limits(shop: Shop) -> OfflineBillLimits | None:
    """The hub's offline limits for bill payments, or None if the shop has none (never
    pulled, or a value that is not whole fen): then no bill payment is accepted offline."""
    values = entries(shop)
    per_payment = _fen(values.get(OFFLINE_BILL_PAYMENT_MAX))
    per_day = _fen(values.get(OFFLINE_BILL_PAYMENTS_PER_DAY_MAX))
    if per_payment is None or per_day is None:
        return None
    return OfflineBillLimits(per_payment, per_day)
