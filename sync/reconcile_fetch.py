"""The acquirer's settlement file, fetched from the hub and turned into the plain data the core's
reconciliation takes (`storebox.reconcile.Settlement`).

The hub's rows are signed from the store's side (a refund negative); the core's lines are
positive with a type. The hub's file is the store's (every till of it) while the core matches it
against this till's own payments (each till has its own database), so only the rows this device
sent are kept: without that, on a store with two tills each till's transactions showed in the
other's reconciliation as "at the acquirer, never sent by this shop".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from storebox.reconcile import Settlement, SettlementLine
from sync import protocol
from sync.client import HubClient


def settlement_of(file: protocol.SettlementFile, device_id: str | None = None) -> Settlement:
    """The core's view of `file`; with `device_id`, only the rows that device sent (a row from a
    hub that names no device is kept: it cannot be told apart)."""
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
            if device_id is None or not row.device_id or row.device_id == device_id
        ),
    )


def fetch_settlement(
    client: HubClient,
    day: dt.date,
    business_day_of: Callable[[dt.datetime], dt.date] | None = None,
) -> Settlement:
    """The acquirer's lines of business `day` sent by this device (raises the client's errors).

    The acquirer's file is a China calendar day; the shop's business day runs to its cut-off
    hour (a sale at 02:00 belongs to the day before). With `business_day_of` (the shop's
    `Shop.business_day`), the files of `day` and the day after are fetched and only the lines
    whose time falls in business day `day` are kept, so a late-night sale is matched on its own
    business day rather than reported twice. Without it, the calendar day's file as it is."""
    device_id = client.me().device_id
    if business_day_of is None:
        return settlement_of(client.settlement(day.isoformat()), device_id)
    lines = [
        line
        for when in (day, day + dt.timedelta(days=1))
        for line in settlement_of(client.settlement(when.isoformat()), device_id).lines
        if line.at is None or business_day_of(line.at) == day
    ]
    return Settlement(day=day, lines=tuple(lines))
