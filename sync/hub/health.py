"""Device health and the agent's state, reported by each shop device (`POST /v1/health`).

The hub keeps each device's latest report (an upsert: one row per device), which `hub report`
shows per store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync import protocol
from sync.hub.models import Device, DeviceHealthRow


def record(
    session: Session, store_id: str, device_id: str, report: protocol.HealthReport, now: dt.datetime
) -> None:
    """Keep the device's latest report: update its row, or insert the first one (two first
    reports racing: the loser's insert clashes in its savepoint and it updates instead)."""
    body = report.model_dump_json()
    values = {"received_at": now, "report_json": body}
    if session.execute(
        update(DeviceHealthRow).where(DeviceHealthRow.device_id == device_id).values(**values)
    ).rowcount:  # type: ignore[attr-defined]
        return
    try:
        with session.begin_nested():
            session.add(DeviceHealthRow(device_id=device_id, store_id=store_id, **values))
    except IntegrityError:
        session.execute(
            update(DeviceHealthRow).where(DeviceHealthRow.device_id == device_id).values(**values)
        )


def for_store(session: Session, store_id: str) -> list[dict[str, Any]]:
    """Every device of the store, with its last report (None if it never reported)."""
    rows = session.execute(
        select(Device, DeviceHealthRow)
        .outerjoin(DeviceHealthRow, DeviceHealthRow.device_id == Device.id)
        .where(Device.store_id == store_id)
        .order_by(Device.created_at)
    ).all()
    out: list[dict[str, Any]] = []
    for device, health in rows:
        entry: dict[str, Any] = {
            "device_id": device.id,
            "name": device.name,
            "app_version": device.app_version,
            "enrolled_at": device.created_at.isoformat(),
            "revoked": device.revoked_at is not None,
            "reported_at": None,
            "health": None,
        }
        if health is not None:
            report = protocol.HealthReport.model_validate_json(health.report_json)
            entry["reported_at"] = health.received_at.isoformat()
            entry["health"] = report.model_dump(mode="json")
        out.append(entry)
    return out
