"""Fixtures for the sync tests: the real hub over HTTP on loopback.

`hub` runs `sync.hub.app.create_app` under uvicorn on an ephemeral loopback port, in a thread,
on a SQLite file in tmp_path, and waits until it answers. The object it returns has the base URL
and the operator's helpers (create_store, enrol_code, enrol, publish, report, revoke) plus
stop/start for restart tests. `hub_factory` makes more (another file, PostgreSQL, a bigger
catalogue). `pg_url` is a fresh PostgreSQL schema per test (skipped without
STOREBOX_TEST_PG_URL).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import uvicorn

from sync import protocol
from sync.hub import admin, report, streams
from sync.hub.app import create_app
from sync.hub.db import Database

PG_ENV = "STOREBOX_TEST_PG_URL"


class RunningHub:
    """A hub serving over HTTP on 127.0.0.1, and the operator's hand on its database."""

    def __init__(self, db_url: str, *, catalog_items: int = 0) -> None:
        self.db_url = db_url
        self.catalog_items = catalog_items
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.db = Database(db_url)  # the operator's own connection, like `storebox hub …`

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- life -----------------------------------------------------------------------------

    def start(self) -> RunningHub:
        """Serve (again, on the same port after `stop`); returns when the hub answers."""
        app = create_app(self.db_url, catalog_items=self.catalog_items)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), name="hub", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hub did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        requests.get(f"{self.base_url}/healthz", timeout=5).raise_for_status()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=20)
        self._server = self._thread = None

    def close(self) -> None:
        self.stop()
        self.db.dispose()

    # --- the operator's helpers -------------------------------------------------------------

    def create_store(self, name: str = "测试便利店") -> str:
        return admin.create_store(self.db, name)

    def enrol_code(self, store_id: str, **kwargs: Any) -> str:
        return admin.enrol_code(self.db, store_id, **kwargs)

    def enrol(
        self, store_id: str | None = None, device_name: str = "till-1"
    ) -> protocol.EnrolResponse:
        """A device enrolled over HTTP (a new store if none given)."""
        store = store_id or self.create_store()
        answer = requests.post(
            self.base_url + protocol.ENROL_PATH,
            json={
                "code": self.enrol_code(store),
                "device_name": device_name,
                "app_version": "test",
            },
            timeout=10,
        )
        answer.raise_for_status()
        return protocol.EnrolResponse.model_validate_json(answer.content)

    def session(self, token: str) -> requests.Session:
        """A requests session that carries the device's token."""
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        return http

    def revoke(self, device_id: str) -> bool:
        return admin.revoke(self.db, device_id)

    def publish(
        self,
        stream: str,
        upserts: list[tuple[str, dict[str, Any]]] = (),
        deletes: list[str] = (),  # type: ignore[assignment]
    ) -> int:
        """Change a pull stream as the operator would (one transaction)."""
        with self.db.transaction() as session:
            return streams.publish(session, stream, upserts, deletes)

    def report(self, store_id: str, day: str | None = None) -> dict[str, Any]:
        return report.store_report(self.db, store_id, day)


@pytest.fixture
def hub_factory() -> Iterator[Callable[..., RunningHub]]:
    made: list[RunningHub] = []

    def make(db_url: str, *, catalog_items: int = 0) -> RunningHub:
        running = RunningHub(db_url, catalog_items=catalog_items)
        made.append(running)
        return running.start()

    yield make
    for running in made:
        running.close()


@pytest.fixture
def hub(tmp_path: Path, hub_factory: Callable[..., RunningHub]) -> RunningHub:
    """The hub on a SQLite file, with the default billers and config and a 200-item catalogue."""
    return hub_factory(str(tmp_path / "hub.db"), catalog_items=200)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for one test (dropped afterwards)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    import psycopg

    schema = f"hub_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
