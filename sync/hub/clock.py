"""The hub's notion of now (UTC); one place, so tests and the report agree."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
