"""What a new hub serves before anyone edits it: simulated billers and the shop settings
(`config` stream). Published once, when a stream is still empty; the operator changes them
later through `streams.publish`, and the shops pull the change like any other.

The billers are the exception: when a hub release changes the default billers (new rules,
segments, BINs), an existing hub must serve them too, or its shops would validate against
stale rules the hub itself no longer applies. So the digest of the defaults last published is
kept in `hub_meta`; when it differs, the default billers whose stored item differs are
published again (once per change of the defaults, so an operator's own edit of a biller stands
until the next release changes the defaults)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.hub import billers_data, catalog_seed, streams
from sync.hub.models import HubMeta, StreamChange
from sync.protocol import Biller, ConfigEntry, canonical_json

BILLERS = billers_data.BILLERS
"""The registry's data lives in `billers_data` (one module of data, not scattered in code)."""

BILLERS_DIGEST_KEY = "billers_defaults_digest"
"""hub_meta: the digest of the default billers last published."""

CONFIG: dict[str, Any] = {
    "offline_bill_payment_max_fen": 20000,
    "offline_bill_payments_per_day_max_fen": 100000,
    "offline_card_payment_max_fen": 50000,
    "catalog_stale_after_hours": 48,
    "sync_push_interval_seconds": 5,
    "sync_pull_interval_seconds": 60,
    "health_report_interval_seconds": 300,
}


def publish_defaults(session: Session, catalog_items: int = 0) -> dict[str, int]:
    """Fill each empty stream; a stream that has data is left alone. Returns what was added."""
    added: dict[str, int] = {}
    changed = _refresh_billers(session)
    if changed:
        added["billers"] = changed
    if streams.is_empty(session, "config"):
        entries = [ConfigEntry(key=k, value=v) for k, v in CONFIG.items()]
        added["config"] = streams.publish(
            session, "config", ((e.key, e.model_dump(mode="json")) for e in entries)
        )
    if catalog_items > 0 and streams.is_empty(session, "catalog"):
        added["catalog"] = streams.publish(
            session,
            "catalog",
            ((item["sku"], item) for item in catalog_seed.generate(catalog_items)),
        )
    return added


def _refresh_billers(session: Session) -> int:
    """Publish the default billers into an empty stream, or those that changed since the
    defaults were last published (see the module's docstring). Returns how many."""
    items = {
        b.biller_id: b.model_dump(mode="json") for b in (Biller.model_validate(x) for x in BILLERS)
    }
    digest = hashlib.sha256(canonical_json(items).encode()).hexdigest()
    mark = session.get(HubMeta, BILLERS_DIGEST_KEY)
    empty = streams.is_empty(session, "billers")
    if not empty and mark is not None and mark.value == digest:
        return 0
    stored: dict[str, str | None] = {
        key: data
        for key, data in session.execute(
            select(StreamChange.key, StreamChange.data_json).where(
                StreamChange.stream == "billers",
                StreamChange.store_id == "",
                StreamChange.key.in_(list(items)),
            )
        )
    }
    upserts = [(k, v) for k, v in items.items() if stored.get(k) != canonical_json(v)]
    published = streams.publish(session, "billers", upserts) if upserts else 0
    if mark is None:
        session.add(HubMeta(key=BILLERS_DIGEST_KEY, value=digest))
    else:
        mark.value = digest
    return published
