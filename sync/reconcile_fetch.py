"""The acquirer's settlement file, fetched from the hub and turned into the plain data the core's
reconciliation takes (`storebox.reconcile.Settlement`).

The hub's rows are signed from the store's side (a refund negative); the core's lines are
positive with a type. The hub's file is the store's (every till of it); the core matches it
against this till's payments, so on a store with several tills another till's transactions show
as "at the acquirer, not in the shop" with "never sent by this shop" beside them.
"""

from __future__ import annotations

import datetime as dt

from storebox.reconcile import Settlement, SettlementLine
from sync import protocol
from sync.client import HubClient


def settlement_of(file: protocol.SettlementFile) -> Settlement:
    return Settlement(
        day=file.day,
        lines=tuple(
            SettlementLine(
                type=row.type,
                reference=row.reference,
                acquirer_reference=row.acquirer_reference,
                status=row.status,
                amount_fen=abs(row.amount_fen),
                fee_fen=row.fee_fen,
                refunded_fen=row.refunded_fen,
                original_reference=row.original_reference,
                at=row.at,
            )
            for row in file.rows
        ),
    )


def fetch_settlement(client: HubClient, day: dt.date) -> Settlement:
    """The hub's settlement file of `day` for this shop's store (raises the client's errors)."""
    return settlement_of(client.settlement(day.isoformat()))
