"""What the shop's database can say about its devices, for the health report the sync agent
sends the hub (visible per store there).

The agent runs apart from the devices (the window drives them on their own threads), so it
reports only what the database proves: the printer's queue (jobs waiting, jobs that failed and
wait for a reprint) and the card terminal's unresolved payments (a card outcome not yet known).
A device the database has nothing bad to say about is 'unknown', never 'ok': the database
cannot see a printer's paper or a terminal's link.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from storebox.db.models import PaymentAttempt, PrintJob
from storebox.shop import Shop

#: A queued receipt older than this means the printer is not taking jobs.
STALE_QUEUE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class DeviceState:
    name: str
    url: str
    state: str  # ok / warning / error / unknown / off (protocol.DeviceState)
    detail: str


def devices(shop: Shop) -> list[DeviceState]:
    now = shop.now()
    settings = shop.settings
    out: list[DeviceState] = []
    with shop.store.read() as session:
        queued, oldest = session.execute(
            select(func.count(), func.min(PrintJob.created_at)).where(PrintJob.status == "queued")
        ).one()
        failed = (
            session.scalar(
                select(func.count()).select_from(PrintJob).where(PrintJob.status == "failed")
            )
            or 0
        )
        unresolved = (
            session.scalar(
                select(func.count())
                .select_from(PaymentAttempt)
                .where(
                    PaymentAttempt.kind == "card", PaymentAttempt.status.in_(("pending", "unknown"))
                )
            )
            or 0
        )
    if settings.printer_url or queued or failed:
        stale = oldest is not None and now - oldest.replace(tzinfo=dt.UTC) > STALE_QUEUE
        problems = []
        if failed:
            problems.append(f"{failed} failed, waiting for a reprint")
        if stale:
            problems.append("the oldest queued receipt waits for more than 5 minutes")
        out.append(
            DeviceState(
                name="printer",
                url=settings.printer_url,
                state="off" if not settings.printer_url else ("warning" if problems else "unknown"),
                detail="; ".join([f"{queued} queued", *problems])[:200],
            )
        )
    if settings.terminal_url or unresolved:
        out.append(
            DeviceState(
                name="terminal",
                url=settings.terminal_url,
                state="warning" if unresolved else ("unknown" if settings.terminal_url else "off"),
                detail=(
                    f"{unresolved} card payment(s) with an outcome not yet known"
                    if unresolved
                    else "no unresolved card payment"
                ),
            )
        )
    return out
