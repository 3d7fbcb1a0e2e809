"""The composition root of the core: one open shop = settings + store + clock + this device.

Every use case takes a `Shop`. Nothing here creates an engine at import time; `open_shop`
does the start-up work once (check the file, back up and migrate, make sure this device has
its row) and the caller closes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from storebox.clock import SystemClock, business_day
from storebox.config import Settings
from storebox.db import migrate
from storebox.db.engine import make_engine
from storebox.db.models import Device
from storebox.ids import new_id
from storebox.ports import Clock
from storebox.store import Store


@dataclass
class Shop:
    settings: Settings
    store: Store
    clock: Clock
    device_id: str
    device_no: int

    def now(self) -> dt.datetime:
        return self.clock.now()

    def business_day(self, at: dt.datetime | None = None) -> dt.date:
        return business_day(
            at or self.clock.now(), self.settings.zone, self.settings.day_cutoff_hour
        )

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Shop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_shop(settings: Settings, clock: Clock | None = None) -> Shop:
    clock = clock or SystemClock()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.db_path
    migrate.check_file(path)
    engine = make_engine(path, busy_timeout_ms=settings.busy_timeout_ms)
    try:
        migrate.upgrade(engine, path, settings.backups_dir)
        store = Store(path, engine)
        with store.write() as session:
            device = session.scalars(select(Device)).first()
            if device is None:
                device = Device(
                    id=new_id(), device_no=1, store_name=settings.store_name, created_at=clock.now()
                )
                session.add(device)
            device_id, device_no = device.id, device.device_no
    except BaseException:
        engine.dispose()
        raise
    return Shop(
        settings=settings, store=store, clock=clock, device_id=device_id, device_no=device_no
    )
