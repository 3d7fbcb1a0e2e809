"""Time in one place: UTC for storage, the shop's zone for business days and display."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


class SystemClock:
    """The real clock. Tests pass a `FixedClock` through the same `Clock` port."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that moves only when told, for tests and deterministic simulations."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)


def business_day(at: dt.datetime, zone: ZoneInfo, cutoff_hour: int) -> dt.date:
    """The business day an instant belongs to: the local date, shifted back before `cutoff_hour`.

    A shop that closes at 2 a.m. still books its late sales on the evening's day.
    """
    local = at.astimezone(zone)
    return (local - dt.timedelta(hours=cutoff_hour)).date()
