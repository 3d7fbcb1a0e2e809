"""`storebox hub bench`: what the hub does per second, each figure beside a bare baseline
measured in the same run on the same database (DESIGN.md, "Quality bars").

* catalogue: generating N goods, and publishing them into the change log, against inserting
  the same rows with the bare driver into a plain table;
* pull: a first sync of the whole catalogue over HTTP in pages of 2,000 (per-page latency and
  the total), against reading the same pages with the bare driver;
* push: `shops` devices of as many stores pushing `sale.completed` events in batches of 200 at
  once, events/s, against bare inserts of the same rows (UNIQUE event id, 200 per transaction).

The hub runs as its own process (`storebox hub`, uvicorn; 2 workers on PostgreSQL), the
clients are threads here with their bodies encoded beforehand, so the figures are the server's.
Nothing here fails on time: it prints figures.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from sync import protocol
from sync.hub import admin, catalog_seed, streams
from sync.hub.db import Database

Log = Callable[[str], None]


def _figure(
    name: str,
    value: float,
    unit: str,
    goal: str = "",
    baseline: float | None = None,
    note: str = "",
) -> dict[str, Any]:
    ratio = None
    if baseline:
        # for rates, how many times slower than the floor; for times, how many times longer
        ratio = baseline / value if unit.endswith("/s") else value / baseline
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "goal": goal,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if ratio is None else round(ratio, 2),
        "note": note,
    }


def render_text(doc: dict[str, Any]) -> str:
    lines = []
    for f in doc["figures"]:
        text = f"{f['name']:<44} {f['value']:>11.3f} {f['unit']:<9}"
        if f["goal"]:
            text += f" goal {f['goal']}"
        if f["baseline"] is not None:
            text += f"   (bare baseline {f['baseline']:.3f} {f['unit']}, ratio {f['ratio']:.2f}x)"
        if f["note"]:
            text += f"   {f['note']}"
        lines.append(text)
    lines.append(json.dumps(doc["meta"], ensure_ascii=False))
    return "\n".join(lines)


# --- bare baselines ------------------------------------------------------------------------------


def _bare_sqlite(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    return con


def _bare_insert_catalog(backend: str, target: str, rows: list[tuple[str, str]]) -> float:
    t0 = time.perf_counter()
    if backend == "sqlite":
        con = _bare_sqlite(Path(target))
        con.execute(
            "CREATE TABLE bare_catalog (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, data TEXT)"
        )
        con.execute("BEGIN IMMEDIATE")
        con.executemany("INSERT INTO bare_catalog (key, data) VALUES (?, ?)", rows)
        con.execute("COMMIT")
        con.close()
    else:
        import psycopg

        with psycopg.connect(target) as pg:
            pg.execute(
                "CREATE TABLE bare_catalog (seq BIGSERIAL PRIMARY KEY, key TEXT UNIQUE, data TEXT)"
            )
            with pg.cursor() as cur:
                cur.executemany("INSERT INTO bare_catalog (key, data) VALUES (%s, %s)", rows)
    return time.perf_counter() - t0


def _bare_pages(backend: str, target: str, page: int) -> list[float]:
    """Milliseconds per page reading the bare table in seq order and joining the JSON."""
    out: list[float] = []
    if backend == "sqlite":
        lite = _bare_sqlite(Path(target))

        def run(after: int) -> list[Any]:
            sql = "SELECT seq, key, data FROM bare_catalog WHERE seq > ? ORDER BY seq LIMIT ?"
            return lite.execute(sql, (after, page)).fetchall()

        close: Callable[[], None] = lite.close
    else:
        import psycopg

        pg = psycopg.connect(target, autocommit=True)

        def run(after: int) -> list[Any]:
            sql = "SELECT seq, key, data FROM bare_catalog WHERE seq > %s ORDER BY seq LIMIT %s"
            return pg.execute(sql, (after, page)).fetchall()

        close = pg.close
    last = 0
    try:
        while True:
            t0 = time.perf_counter()
            rows = run(last)
            body = "[" + ",".join(f'{{"key":"{k}","data":{d}}}' for _s, k, d in rows) + "]"
            out.append((time.perf_counter() - t0) * 1000)
            if not rows:
                break
            last = rows[-1][0]
            assert body
    finally:
        close()
    return out[:-1] or out


def _bare_push(backend: str, target: str, batches: list[list[tuple[str, str]]]) -> float:
    """Events/s inserting the same rows (UNIQUE id + payload) 200 per transaction."""
    t0 = time.perf_counter()
    n = 0
    if backend == "sqlite":
        con = _bare_sqlite(Path(target))
        con.execute("CREATE TABLE bare_events (event_id TEXT PRIMARY KEY, payload TEXT)")
        for batch in batches:
            con.execute("BEGIN IMMEDIATE")
            con.executemany("INSERT INTO bare_events VALUES (?, ?)", batch)
            con.execute("COMMIT")
            n += len(batch)
        con.close()
    else:
        import psycopg

        with psycopg.connect(target) as pg:
            pg.execute("CREATE TABLE bare_events (event_id TEXT PRIMARY KEY, payload TEXT)")
            pg.commit()
            for batch in batches:
                with pg.cursor() as cur:
                    cur.executemany("INSERT INTO bare_events VALUES (%s, %s)", batch)
                pg.commit()
                n += len(batch)
    return n / (time.perf_counter() - t0)


# --- the hub as a process --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(url: str, workers: int) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "STOREBOX_HUB_DB": url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "hub",
            "--db",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the hub did not start for the benchmark")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


# --- the workload ----------------------------------------------------------------------------------


def _sale(i: int) -> dict[str, Any]:
    sale_id = str(uuid.uuid4())
    total = 350 + (i * 37) % 5000
    now = dt.datetime.now(dt.UTC).isoformat()
    return {
        "event_id": str(uuid.uuid4()),
        "kind": "sale.completed",
        "created_at": now,
        "payload": {
            "ref_id": sale_id,
            "sale_id": sale_id,
            "number": f"B-{i:07d}",
            "business_day": dt.datetime.now(dt.UTC).date().isoformat(),
            "completed_at": now,
            "lines": [
                {
                    "id": str(uuid.uuid4()),
                    "line_no": 1,
                    "name": "农夫山泉 550ml",
                    "qty": 1,
                    "list_price_fen": total,
                    "unit_price_fen": total,
                    "line_total_fen": total,
                }
            ],
            "payments": [
                {
                    "id": str(uuid.uuid4()),
                    "kind": "cash" if i % 3 else "card",
                    "amount_fen": total,
                    "tendered_fen": total,
                    "change_fen": 0,
                }
            ],
            "list_total_fen": total,
            "total_fen": total,
        },
    }


def _push_all(base: str, bodies: list[tuple[str, list[bytes]]]) -> tuple[float, int, list[str]]:
    """Each (token, batches) on its own thread, all at once; returns (seconds, events, errors)."""
    errors: list[str] = []
    start = threading.Barrier(len(bodies) + 1)
    counts = [0] * len(bodies)

    def shop(index: int, token: str, batches: list[bytes]) -> None:
        http = requests.Session()
        http.headers.update(
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        )
        start.wait()
        for body in batches:
            answer = http.post(base + protocol.PUSH_PATH, data=body, timeout=120)
            if answer.status_code != 200:
                errors.append(f"{answer.status_code} {answer.text[:200]}")
                return
            results = protocol.PushResponse.model_validate_json(answer.content).results
            counts[index] += sum(r.status == "applied" for r in results)

    threads = [threading.Thread(target=shop, args=(i, t, b)) for i, (t, b) in enumerate(bodies)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, sum(counts), errors


def _measure(
    backend: str,
    url: str,
    bare: str,
    items: list[dict[str, Any]],
    shops: int,
    events: int,
    log: Log,
) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    db = Database(url)
    from sync.hub import migrate

    migrate.upgrade(db.engine)
    rows = [(i["sku"], protocol.canonical_json(i)) for i in items]

    log(f"[{backend}] publishing {len(items)} goods …")
    t0 = time.perf_counter()
    with db.transaction() as session:
        streams.publish(session, "catalog", ((i["sku"], i) for i in items))
    publish_s = time.perf_counter() - t0
    floor = _bare_insert_catalog(backend, bare, rows)
    figures.append(
        _figure(
            f"[{backend}] publish {len(items):,} goods",
            publish_s,
            "s",
            "",
            floor,
            "change log, one transaction",
        )
    )

    stores = [admin.create_store(db, f"bench {n}") for n in range(shops)]
    tokens = [admin.enrol(db, admin.enrol_code(db, s), "bench", "bench").token for s in stores]
    db.dispose()

    workers = 1 if backend == "sqlite" else 2
    with _server(url, workers) as base:
        log(f"[{backend}] first sync of the catalogue over HTTP …")
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {tokens[0]}"
        page_ms: list[float] = []
        http_ms: list[float] = []
        cursor, got = "", 0
        t0 = time.perf_counter()
        while True:
            t1 = time.perf_counter()
            query: dict[str, str | int] = {"cursor": cursor, "limit": protocol.MAX_PAGE}
            answer = http.get(base + "/v1/streams/catalog", params=query, timeout=60)
            t2 = time.perf_counter()
            page = protocol.PullPage.model_validate_json(answer.content)
            page_ms.append((time.perf_counter() - t1) * 1000)
            http_ms.append((t2 - t1) * 1000)
            got += len(page.changes)
            cursor = page.cursor
            if not page.more:
                break
        total_s = time.perf_counter() - t0
        bare_ms = _bare_pages(backend, bare, protocol.MAX_PAGE)
        figures.append(
            _figure(
                f"[{backend}] pull page of 2,000 (median)",
                statistics.median(page_ms),
                "ms",
                "",
                statistics.median(bare_ms),
                "HTTP + validation in the client; baseline = bare SELECT + JSON join",
            )
        )
        figures.append(
            _figure(
                f"[{backend}] pull page of 2,000, HTTP only (median)",
                statistics.median(http_ms),
                "ms",
                "",
                statistics.median(bare_ms),
                "request to last byte, before the client's validation",
            )
        )
        figures.append(
            _figure(
                f"[{backend}] pull page of 2,000 (p95)",
                sorted(page_ms)[int(len(page_ms) * 0.95) - 1],
                "ms",
            )
        )
        figures.append(
            _figure(f"[{backend}] first sync {got:,} goods", total_s, "s", "", sum(bare_ms) / 1000)
        )

        log(f"[{backend}] {shops} shops pushing {events} events …")
        per_shop = events // shops
        bodies: list[tuple[str, list[bytes]]] = []
        bare_batches: list[list[tuple[str, str]]] = []
        n = 0
        for token in tokens:
            batches = []
            for start in range(0, per_shop, protocol.MAX_BATCH):
                evs = [_sale(n + k) for k in range(min(protocol.MAX_BATCH, per_shop - start))]
                n += len(evs)
                batches.append(json.dumps({"events": evs}, ensure_ascii=False).encode())
                bare_batches.append(
                    [(str(uuid.uuid4()), protocol.canonical_json(e["payload"])) for e in evs]
                )
            bodies.append((token, batches))
        seconds, applied, errors = _push_all(base, bodies)
    floor_eps = _bare_push(backend, bare, bare_batches)
    figures.append(
        _figure(
            f"[{backend}] push, {shops} shops at once",
            applied / seconds,
            "events/s",
            "2,000 events/s on PostgreSQL" if backend == "pg" else "",
            floor_eps,
            f"{applied} applied in {seconds:.2f} s"
            + (f"; {len(errors)} errors: {errors[0]}" if errors else ""),
        )
    )
    return figures


def run(*, pg_url: str | None, items: int, shops: int, events: int, log: Log) -> dict[str, Any]:
    figures: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    goods = list(catalog_seed.generate(items))
    gen_s = time.perf_counter() - t0
    figures.append(
        _figure(
            f"generate {items:,} goods",
            gen_s,
            "s",
            "",
            None,
            "names, specs, EAN-13 690–699, prices in fen",
        )
    )
    with tempfile.TemporaryDirectory(prefix="storebox-hub-bench-") as tmp:
        work = Path(tmp)
        figures += _measure(
            "sqlite", str(work / "hub.db"), str(work / "bare.db"), goods, shops, events, log
        )
        if pg_url:
            import psycopg

            schema = f"hub_bench_{uuid.uuid4().hex[:10]}"
            bare_schema = schema + "_bare"
            with psycopg.connect(pg_url, autocommit=True) as con:
                con.execute(f'CREATE SCHEMA "{schema}"')
                con.execute(f'CREATE SCHEMA "{bare_schema}"')
            sep = "&" if "?" in pg_url else "?"
            try:
                figures += _measure(
                    "pg",
                    f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}",
                    f"{pg_url}{sep}options={quote(f'-csearch_path={bare_schema}')}",
                    goods,
                    shops,
                    events,
                    log,
                )
            finally:
                with psycopg.connect(pg_url, autocommit=True) as con:
                    con.execute(f'DROP SCHEMA "{schema}" CASCADE')
                    con.execute(f'DROP SCHEMA "{bare_schema}" CASCADE')
    meta = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "items": items,
        "shops": shops,
        "events": events,
    }
    return {"figures": figures, "meta": meta}
