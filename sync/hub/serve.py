"""Serving the hub: `storebox hub` runs uvicorn on `app_from_env`, a factory that reads the
database URL from STOREBOX_HUB_DB, so `--workers N` can start N processes that each build their
own app (an app holds a connection pool, which must never cross a fork)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from sync.hub.app import create_app

DB_ENV = "STOREBOX_HUB_DB"


def app_from_env() -> FastAPI:
    url = os.environ.get(DB_ENV)
    if not url:
        raise RuntimeError(f"{DB_ENV} is not set")
    # The parent process has migrated already; workers only open their pools.
    return create_app(url, migrate_db=False)
