"""The till's live device states, as the cashier window last saw them, kept in the shop's
database so that the sync agent (another process) can report them to the hub.

The window drives the printer, terminal, scanner and pole display on their own threads and is
the only one that knows whether they answer; the agent only has the database. So the window
writes one snapshot here (`record`) when a state changes and at least every `HEARTBEAT`, and
`storebox.device_health` reads it back (`read`). A snapshot older than `FRESH` says nothing
about now (the window closed or hangs): its devices are then 'unknown', never 'ok'.

The snapshot is one row of the `settings` key/value table (key `till_devices`), so no schema
change is needed; it is rewritten whole, in one small transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from storebox.db.models import Setting
from storebox.errors import InvalidInput
from storebox.shop import Shop

KEY: Final = "till_devices"
STATES: Final = ("ok", "warning", "error", "unknown", "off")
#: the window rewrites an unchanged snapshot this often, to show it is still looking
HEARTBEAT: Final = dt.timedelta(seconds=60)
#: a snapshot older than this says nothing about now
FRESH: Final = dt.timedelta(minutes=3)


@dataclass(frozen=True)
class TillDevice:
    """One device as the till sees it. `state` is the wire's word (protocol.DeviceState):
    ok / warning / error / unknown / off. A device that does not report its state (a one-way
    printer) or is still opening is 'unknown', never 'ok'."""

    name: str
    url: str
    state: str
    detail: str = ""


@dataclass(frozen=True)
class Snapshot:
    at: dt.datetime
    devices: tuple[TillDevice, ...]

    def fresh(self, now: dt.datetime) -> bool:
        return now - self.at <= FRESH


def record(shop: Shop, devices: Sequence[TillDevice]) -> Snapshot:
    """Replace the snapshot with `devices`, stamped now (one transaction)."""
    for d in devices:
        if d.state not in STATES:
            raise InvalidInput(f"device {d.name!r}: state {d.state!r} is not one of {STATES}")
        if not d.name or len(d.name) > 40:
            raise InvalidInput("a device's name must be 1 to 40 characters")
    now = shop.now()
    doc = {
        "at": now.isoformat(),
        "devices": [
            {"name": d.name, "url": d.url[:200], "state": d.state, "detail": d.detail[:200]}
            for d in devices
        ],
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    with shop.store.write() as session:
        row = session.get(Setting, KEY)
        if row is None:
            session.add(Setting(key=KEY, value_json=text))
        else:
            row.value_json = text
    return Snapshot(now, tuple(TillDevice(**d) for d in doc["devices"]))  # type: ignore[arg-type]


def read(shop: Shop) -> Snapshot | None:
    """The last snapshot, or None if the window never wrote one (or it cannot be read)."""
    with shop.store.read() as session:
        row = session.get(Setting, KEY)
        text = None if row is None else row.value_json
    if text is None:
        return None
    try:
        doc = json.loads(text)
        at = dt.datetime.fromisoformat(doc["at"])
        devices = tuple(
            TillDevice(str(d["name"]), str(d["url"]), str(d["state"]), str(d.get("detail", "")))
            for d in doc["devices"]
        )
    except (ValueError, KeyError, TypeError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    if any(d.state not in STATES for d in devices):
        return None
    return Snapshot(at, devices)
