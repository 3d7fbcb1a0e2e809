"""What the device-facing routers (acquirer, billers) take from a request: the calling device,
and a day in a path. Shared so that each router authenticates and reads a day the same way."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.hub import auth
from sync.hub.auth import Caller
from sync.hub.db import Database
from sync.hub.errors import HubError

_bearer = HTTPBearer(auto_error=False, description="the device token from enrolment")


def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The calling device, as the app's other routes know it (401 without a valid token).
    `credentials` is declared so that OpenAPI documents the bearer scheme."""
    db: Database = request.app.state.db
    return auth.authenticate(db, request.headers.get("authorization"))


Device = Annotated[Caller, Depends(_caller)]

DayParam = Annotated[
    str,
    Path(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="a day in China time, YYYY-MM-DD"),
]


def parse_day(day: str) -> dt.date:
    """The date of a DayParam. Strict: pydantic's lax date would take "0" as 1970-01-01, and the
    pattern alone lets 2026-02-30 through."""
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        raise HubError(f"not a date: {day!r}", code="invalid_request", status=422) from None
