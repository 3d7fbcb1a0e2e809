"""What the shop's database can say about its devices, for the health report the sync agent
sends the hub (visible per store there).

The agent runs apart from the devices (the window drives them on their own threads), so it
reports only what the database proves: the printer's queue (jobs waiting, jobs that failed and
wait for a reprint) and the card terminal's unresolved payments (a card outcome not yet known).
A device the database has nothing bad to say about is 'unknown', never 'ok': the database
cannot see a printer's paper or a terminal's link.

The cashier window, which does see them, writes their live states into the database
(`storebox.till_devices`); while that snapshot is fresh its states are reported, made worse (never
better) by what the database proves. A stale snapshot (the window closed or hangs) reports its
devices as 'unknown', with when the till last saw them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from storebox import till_devices
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


#: worse states win when the till's word and the database's evidence are combined
_RANK = {"off": 0, "ok": 1, "unknown": 2, "warning": 3, "error": 4}


def devices(shop: Shop) -> list[DeviceState]:
    """Each device: the till's live state (if its snapshot is fresh) combined with the
    database's evidence; the worse of the two wins, and 'unknown' is never made 'ok'."""
    evidence = {d.name: d for d in _from_database(shop)}
    snapshot = till_devices.read(shop)
    if snapshot is None:
        return list(evidence.values())
    now = shop.now()
    fresh = snapshot.fresh(now)
    out: list[DeviceState] = []
    for seen in snapshot.devices:
        state, detail = seen.state, seen.detail
        if not fresh and state != "off":
            at = snapshot.at.isoformat(timespec="seconds")
            state, detail = "unknown", f"the till last saw it at {at}: {seen.state}"
        proof = evidence.pop(seen.name, None)
        # the database only ever proves something bad ('unknown' there means "no evidence")
        if (
            proof is not None
            and proof.state in ("warning", "error")
            and _RANK[proof.state] > _RANK.get(state, 2)
        ):
            state = proof.state
        if proof is not None and proof.detail:
            detail = f"{detail}; {proof.detail}" if detail else proof.detail
        out.append(DeviceState(seen.name, seen.url, state, detail[:200]))
    out.extend(evidence.values())
    return out


def _from_database(shop: Shop) -> list[DeviceState]:
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
