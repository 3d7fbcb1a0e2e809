"""`storebox bench`: the performance figures issue #2 holds the core to.

Each figure is printed with its goal and, where one exists, the ratio to a bare baseline
measured in the same run on the same machine, so a slow machine does not look like a slow
program. Nothing here is a test: goals are reported, never asserted.

The data set: a generated catalogue of `products` goods (real demo names combined with
sizes and flavours, through the catalogue's own field generation, so pinyin and the FTS index
are real) and `sale_lines` past sale lines written in bulk as history (sales, lines, payments,
stock moves) — the hot paths are then measured through the real use cases.

`--sections sync` (`run_sync`, issue #5): the sync agent's initial sync and incremental round
against a real hub on loopback, each beside its floor from the same run, and the hub's push
throughput with 50 shops at once as `storebox hub bench` measures it (sync.hub.bench, reused).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    goal: str
    baseline: float | None = None
    ratio: float | None = None
    note: str = ""

    def line(self) -> str:
        text = f"{self.name:<34} {self.value:>10.3f} {self.unit:<4} goal {self.goal}"
        if self.baseline is not None and self.ratio is not None:
            text += f"   (bare baseline {self.baseline:.3f} {self.unit}, ratio {self.ratio:.2f}x)"
        if self.note:
            text += f"   {self.note}"
        return text


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds per call, garbage collector paused so it does not land on one sample."""
    out: list[float] = []
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t0) * 1000)
    finally:
        gc.enable()
    return out


def bare_connection(path: Path) -> sqlite3.Connection:
    """Plain sqlite3 with the store's settings (WAL, synchronous=FULL, BEGIN IMMEDIATE)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


def interleaved(calls: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Milliseconds per call of each function, taking turns, so that every one of them meets
    the same disk weather (writeback of earlier work, the WAL checkpoint) in the same run."""
    out: dict[str, list[float]] = {name: [] for name in calls}
    gc.disable()
    try:
        for _ in range(repeat):
            for name, fn in calls.items():
                t0 = time.perf_counter()
                fn()
                out[name].append((time.perf_counter() - t0) * 1000)
    finally:
        gc.enable()
    return out


def bare_insert_transaction(con: sqlite3.Connection, rows: int) -> Callable[[], None]:
    """The baseline for a sale: one durable transaction of `rows` single-row INSERTs."""
    con.execute("CREATE TABLE IF NOT EXISTS bare (id TEXT PRIMARY KEY, a INTEGER, b TEXT)")
    counter = iter(range(10**9))

    def one() -> None:
        con.execute("BEGIN IMMEDIATE")
        for _ in range(rows):
            con.execute(
                "INSERT INTO bare VALUES (?, ?, ?)", (f"{next(counter):032d}", 1234, "payload")
            )
        con.execute("COMMIT")

    return one


def schema_floor(con: sqlite3.Connection, product_ids: list[str]) -> Callable[[], None]:
    """A second baseline for a sale: the same rows a 3-line cash sale writes, into the shop's
    real tables with all their indexes, as bare SQL with constant values — the floor that
    this schema's page writes set, with none of storebox's Python in it."""
    device, shift, user = con.execute(
        "SELECT s.device_id, s.id, s.user_id FROM shifts s WHERE s.status = 'open'"
    ).fetchone()
    seq = iter(range(1, 10**9))
    jseq = iter(range(-1, -(10**9), -1))  # below the real journal, which counts up from its max
    at = "2099-01-01 00:00:00.000000"

    def one() -> None:
        n = next(seq)
        sid = f"floor-{n:012d}"
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "INSERT INTO counters VALUES (?, '2099-01-01', 'floor', 1) ON CONFLICT DO UPDATE "
            "SET last = last + 1 RETURNING last",
            (device,),
        ).fetchone()
        con.execute(
            "INSERT INTO sales (id, number, device_id, business_day, seq, shift_id, cashier_id, "
            "list_total_fen, total_fen, completed_at) VALUES (?,?,?,'2099-01-01',?,?,?,900,900,?)",
            (sid, f"F{n}", device, n, shift, user, at),
        )
        for k in range(3):
            pid = product_ids[(n * 3 + k) % len(product_ids)]
            con.execute(
                "INSERT INTO sale_lines (id, sale_id, line_no, product_id, name, barcode, qty, "
                "list_price_fen, unit_price_fen, line_total_fen, refunded_qty) "
                "VALUES (?,?,?,?,'x','6900000000000',1,300,300,300,0)",
                (f"{sid}-{k}", sid, k + 1, pid),
            )
            con.execute(
                "INSERT INTO stock_moves (id, product_id, qty_delta, reason, ref_id, note, user_id, at) "
                "VALUES (?,?,-1,'sale',?,'',?,?)",
                (f"{sid}-m{k}", pid, sid, user, at),
            )
            con.execute(
                "UPDATE products SET stock_qty = stock_qty - 1, sold_qty = sold_qty + 1 WHERE id = ?",
                (pid,),
            )
        con.execute(
            "INSERT INTO payments (id, sale_id, kind, amount_fen, tendered_fen, change_fen, "
            "refunded_fen, auth_code, terminal_id, trace, receipt_no, masked_pan, card_name) "
            "VALUES (?,?,'cash',900,900,0,0,'','','','','','')",
            (f"{sid}-p", sid),
        )
        j = next(jseq)
        con.execute(
            "INSERT INTO journal (seq, id, at, kind, ref_id, payload_json, prev_hash, hash) "
            "VALUES (?,?,?,'floor',?,'{}','0',?)",
            (j, f"{sid}-j", at, sid, f"h{j}"),
        )
        con.execute(
            "INSERT INTO outbox (event_id, kind, payload_json, created_at, status, attempts) "
            "VALUES (?,'floor','{}',?,'pending',0)",
            (f"{sid}-o", at),
        )
        con.execute("COMMIT")

    return one


def bare_lookup_ms(path: Path, codes: list[str], repeat: int) -> list[float]:
    """The baseline for a barcode look-up: one SELECT by primary key on plain sqlite3."""
    con = sqlite3.connect(path)
    it = iter(codes * (repeat // max(1, len(codes)) + 1))
    try:
        return timed(
            lambda: con.execute(
                "SELECT product_id FROM barcodes WHERE code = ?", (next(it),)
            ).fetchone(),
            repeat,
        )
    finally:
        con.close()


def memory_of_open_store(data_dir: Path, queries: list[str]) -> float:
    """RSS (MB) of a fresh process that opened the store and served look-ups and searches."""
    script = (
        "import json, sys, psutil\n"
        "from storebox import catalog, config\n"
        "from storebox.shop import open_shop\n"
        "s = config.load(environ={}, overrides={'data_dir': sys.argv[1]})\n"
        "shop = open_shop(s)\n"
        "for q in json.loads(sys.argv[2]):\n"
        "    catalog.search(shop, q)\n"
        "print(psutil.Process().memory_info().rss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), json.dumps(queries)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "STOREBOX_CONFIG": ""},
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1e6


def as_document(figures: list[Figure], meta: dict[str, Any]) -> dict[str, Any]:
    return {"meta": meta, "figures": [asdict(f) for f in figures]}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def rng(seed: int) -> random.Random:
    return random.Random(seed)


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- the data set ---------------------------------------------------------------------------

SIZES = (
    "",
    "250ml",
    "330ml",
    "500ml",
    "1L",
    "小包",
    "大包",
    "家庭装",
    "礼盒装",
    "6连包",
    "12入",
    "便携装",
    "袋装",
    "罐装",
    "瓶装",
    "特惠装",
    "迷你装",
    "量贩装",
    "经典装",
    "新包装",
)
FLAVOURS = (
    "",
    "原味",
    "香辣",
    "草莓味",
    "柠檬味",
    "无糖",
    "低脂",
    "黑糖",
    "海盐",
    "麻辣",
    "番茄味",
    "青柠",
    "蜂蜜",
    "抹茶",
    "巧克力",
    "椰子味",
)


def catalogue_rows(count: int, seed: int) -> list[Any]:
    """`count` distinct goods: real demo names × sizes × flavours, valid GS1 China barcodes,
    best sellers on a Zipf-like curve."""
    from storebox import barcodes, demo_catalog
    from storebox.catalog import ProductRow

    bases = demo_catalog.read_demo_products()
    r = rng(seed)
    rows: list[ProductRow] = []
    n = 0
    for flavour in FLAVOURS:
        for size in SIZES:
            for base in bases:
                if n >= count:
                    return rows
                name = " ".join(part for part in (base.name, flavour, size) if part)[:120]
                body = f"69{n:010d}"
                rows.append(
                    ProductRow(
                        name=name,
                        price_fen=base.price_fen + r.randint(0, 300),
                        barcodes=(barcodes.with_check_digit(body),),
                        category=base.category,
                        unit=base.unit,
                        cost_fen=base.cost_fen,
                        stock_qty=r.randint(0, 200),
                        reorder_level=base.reorder_level,
                        sold_qty=int(10_000 / (1 + r.paretovariate(1.2))),
                    )
                )
                n += 1
    raise ValueError(f"at most {n} distinct generated names; asked for {count}")


def write_history(
    con: sqlite3.Connection,
    *,
    sale_lines: int,
    product_ids: list[str],
    device_id: str,
    user_id: str,
    seed: int,
) -> int:
    """A year of past trade written in bulk: sales of three lines, their cash payments and
    stock moves, one closed shift a day. Returns the number of sale lines written."""
    r = rng(seed)
    sales_per_day = 900
    n_sales = sale_lines // 3
    start = dt.date(2025, 11, 1)
    con.execute("BEGIN IMMEDIATE")
    shifts = []
    sale_rows, line_rows, pay_rows, move_rows = [], [], [], []
    for i in range(n_sales):
        day_index, seq = divmod(i, sales_per_day)
        day = start + dt.timedelta(days=day_index)
        if seq == 0:
            shift_id = f"bench-shift-{day_index:05d}"
            at = f"{day} 01:00:00.000000"
            shifts.append((shift_id, device_id, user_id, day.isoformat(), "closed", at, 50_000, at))
        sale_id = f"bench-sale-{i:09d}"
        at = f"{day} {2 + seq * 12 // sales_per_day:02d}:00:00.000000"
        total = 0
        for line_no in range(3):
            price = r.randint(150, 3_000)
            product = product_ids[min(len(product_ids) - 1, int(r.paretovariate(1.1)) - 1)]
            line_rows.append(
                (
                    f"{sale_id}-{line_no}",
                    sale_id,
                    line_no + 1,
                    product,
                    "bench",
                    None,
                    1,
                    price,
                    price,
                    price,
                    0,
                )
            )
            move_rows.append((f"{sale_id}-m{line_no}", product, -1, "sale", sale_id, "", at))
            total += price
        sale_rows.append(
            (
                sale_id,
                f"{day:%m%d}-99-{seq + 1:04d}",
                device_id,
                day.isoformat(),
                seq + 1,
                shift_id,
                user_id,
                total,
                total,
                at,
            )
        )
        pay_rows.append(
            (f"{sale_id}-p", sale_id, "cash", total, total, 0, 0, "", "", "", "", "", "")
        )
        if len(line_rows) >= 60_000 or i == n_sales - 1:
            con.executemany(
                "INSERT INTO shifts (id, device_id, user_id, business_day, status, opened_at, float_fen, "
                "closed_at) VALUES (?,?,?,?,?,?,?,?)",
                shifts,
            )
            con.executemany(
                "INSERT INTO sales (id, number, device_id, business_day, seq, shift_id, cashier_id, "
                "list_total_fen, total_fen, completed_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                sale_rows,
            )
            con.executemany(
                "INSERT INTO sale_lines (id, sale_id, line_no, product_id, name, barcode, qty, "
                "list_price_fen, unit_price_fen, line_total_fen, refunded_qty) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                line_rows,
            )
            con.executemany(
                "INSERT INTO payments (id, sale_id, kind, amount_fen, tendered_fen, change_fen, "
                "refunded_fen, auth_code, terminal_id, trace, receipt_no, masked_pan, card_name) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                pay_rows,
            )
            con.executemany(
                "INSERT INTO stock_moves (id, product_id, qty_delta, reason, ref_id, note, at) "
                "VALUES (?,?,?,?,?,?,?)",
                move_rows,
            )
            shifts, sale_rows, line_rows, pay_rows, move_rows = [], [], [], [], []
    con.execute("COMMIT")
    return n_sales * 3


def search_queries(names: list[str], seed: int, count: int) -> list[str]:
    """What cashiers type: Chinese fragments, 助记码 prefixes and infixes, pinyin prefixes."""
    from storebox.catalog import search_fields

    r = rng(seed)
    out: list[str] = []
    while len(out) < count:
        name = r.choice(names)
        pinyin, initials, _ = search_fields(name)
        cjk = [c for c in name if "\u4e00" <= c <= "\u9fff"]
        kind = len(out) % 4
        if kind == 0 and len(cjk) >= 2:
            i = r.randrange(0, len(cjk) - 1)
            out.append("".join(cjk[i : i + r.choice((1, 2, 2, 3))]))
        elif kind == 1 and len(initials) >= 2:
            out.append(initials[: r.choice((2, 3, 4))])
        elif kind == 2 and len(pinyin) >= 4:
            out.append(pinyin[: r.choice((3, 5, 7))])
        elif kind == 3 and len(initials) >= 4:
            i = r.randrange(1, len(initials) - 2)
            out.append(initials[i : i + 3])
    return out


# --- the run --------------------------------------------------------------------------------


def run(
    work_dir: Path,
    *,
    products: int = 100_000,
    sale_lines: int = 1_000_000,
    seed: int = 7,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    from sqlalchemy import select

    from storebox import catalog, config, sales, shifts, users
    from storebox.db.models import Product
    from storebox.shop import open_shop

    data_dir = work_dir / "bench-shop"
    if data_dir.exists():
        raise FileExistsError(f"{data_dir} exists; give the benchmark an empty folder")
    settings = config.load(environ={}, overrides={"data_dir": str(data_dir), "pin_scrypt_n": 16})
    figures: list[Figure] = []
    with open_shop(settings) as shop:
        owner = users.create_user(shop, name="店主", role="owner", pin="8888", by=None)

        log(f"generating {products:,} products ...")
        rows = catalogue_rows(products, seed)
        t0 = time.perf_counter()
        with shop.store.write() as session:
            catalog.bulk_insert_products(session, rows, at=shop.now(), user_id=owner.user_id)
        load_s = time.perf_counter() - t0
        figures.append(
            Figure(
                "catalogue_load_rate",
                products / load_s,
                "/s",
                "report",
                note=f"{products:,} products with pinyin and FTS index in {load_s:.1f} s",
            )
        )
        with shop.store.read() as session:
            ids = list(session.scalars(select(Product.id).order_by(Product.sold_qty.desc())))

        log(f"writing {sale_lines:,} past sale lines ...")
        t0 = time.perf_counter()
        con = bare_connection(settings.db_path)
        written = write_history(
            con,
            sale_lines=sale_lines,
            product_ids=ids,
            device_id=shop.device_id,
            user_id=owner.user_id,
            seed=seed,
        )
        con.execute("ANALYZE")
        con.close()
        log(f"  {written:,} lines in {time.perf_counter() - t0:.1f} s")

        r = rng(seed)
        codes = [row.barcodes[0] for row in rows]
        lookup_codes = [r.choice(codes) for _ in range(3000)]
        it = iter(lookup_codes)
        samples = timed(lambda: catalog.find_by_barcode(shop, next(it)), 3000)
        bare = bare_lookup_ms(settings.db_path, lookup_codes, 3000)
        figures.append(
            Figure(
                "barcode_lookup_p95",
                percentile(samples, 95),
                "ms",
                "< 1 ms",
                percentile(bare, 95),
                percentile(samples, 95) / percentile(bare, 95),
            )
        )

        queries = search_queries([row.name for row in rows], seed, 400)
        q_it = iter(queries)
        samples = timed(lambda: catalog.search(shop, next(q_it)), len(queries))
        bare_con = sqlite3.connect(settings.db_path)
        phrases = [catalog.fts_phrase(q) for q in queries]
        p_it = iter(phrases)
        bare = timed(
            lambda: bare_con.execute(
                "SELECT rowid FROM products_fts WHERE products_fts MATCH ? LIMIT 20",
                (next(p_it) or '""',),
            ).fetchall(),
            len(phrases),
        )
        bare_con.close()
        figures.append(
            Figure(
                "search_p95",
                percentile(samples, 95),
                "ms",
                "< 15 ms",
                percentile(bare, 95),
                percentile(samples, 95) / percentile(bare, 95),
                note=f"p50 {percentile(samples, 50):.2f} ms over {len(queries)} typed queries",
            )
        )

        shifts.open_shift(shop, owner, 50_000)
        carts = []
        scan_samples: list[float] = []
        for _ in range(300):
            cart = sales.Cart()
            for code in r.sample(codes[:5000], 3):
                t0 = time.perf_counter()
                sales.add_barcode(shop, cart, code)
                scan_samples.append((time.perf_counter() - t0) * 1000)
            carts.append(cart)
        figures.append(
            Figure("scan_to_cart_line_p95", percentile(scan_samples, 95), "ms", "report")
        )

        before = table_counts(settings.db_path)
        first = carts.pop()
        sales.checkout(shop, owner, first, [sales.Cash(first.total_fen)])
        rows_written = sum(table_counts(settings.db_path).values()) - sum(before.values())
        c_it = iter(carts)

        def sell() -> None:
            cart = next(c_it)
            sales.checkout(shop, owner, cart, [sales.Cash(cart.total_fen)])

        bare_con = bare_connection(work_dir / "bare.db")
        floor_con = bare_connection(settings.db_path)
        runs = interleaved(
            {"sale": sell, "bare": bare_insert_transaction(bare_con, rows_written)}, len(carts)
        )
        # The floor writes into the shop's own file, so it runs on its own: taking turns with
        # the sale would double the WAL's growth and land extra checkpoints on the sale.
        runs |= interleaved({"floor": schema_floor(floor_con, ids[:5000])}, len(carts))
        bare_con.close()
        floor_con.close()
        samples, bare, floor = runs["sale"], runs["bare"], runs["floor"]
        figures.append(
            Figure(
                "sale_commit_median",
                median(samples),
                "ms",
                "<= 3x bare",
                median(bare),
                median(samples) / median(bare),
                note=f"3 lines, cash, the whole checkout(); bare = {rows_written} single-row "
                "INSERTs in one BEGIN IMMEDIATE transaction, WAL, synchronous=FULL; taken in turns",
            )
        )
        figures.append(
            Figure(
                "sale_commit_vs_schema_floor",
                median(samples),
                "ms",
                "report",
                median(floor),
                median(samples) / median(floor),
                note="floor = the same rows into the real tables and indexes as bare SQL",
            )
        )
        figures.append(
            Figure(
                "sale_commit_p95",
                percentile(samples, 95),
                "ms",
                "report",
                percentile(bare, 95),
                percentile(samples, 95) / percentile(bare, 95),
            )
        )

    rss = memory_of_open_store(data_dir, queries[:50])
    figures.append(
        Figure(
            "open_store_rss",
            rss,
            "MB",
            "< 150 MB",
            note="a fresh process that opened the store and ran 50 searches",
        )
    )
    # The cashier window over the same shop (issue #3): start-up, scan and search-as-you-type.
    from ui import bench_ui

    ui_rng = rng(seed + 1)
    for figure in bench_ui.figures(
        data_dir,
        codes=ui_rng.sample(codes, 100),
        latin=[q for q in queries if q.isascii()][:30],
        chinese=[q for q in queries if not q.isascii()][:20],
        log=log,
    ):
        figures.append(Figure(**figure))
    meta = {
        "when": now_iso(),
        "products": products,
        "sale_lines": sale_lines,
        "sqlite": sqlite3.sqlite_version,
        "python": sys.version.split()[0],
        "db_size_mb": round(settings.db_path.stat().st_size / 1e6, 1),
    }
    return as_document(figures, meta)


def table_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE '%fts%'"
            )
        ]
        return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


# --- the sync agent and the hub (issue 5, "Speed") -------------------------------------------

_BARE_MALL = (
    "CREATE TABLE IF NOT EXISTS bare_mall (sku TEXT PRIMARY KEY, barcode TEXT, name TEXT, "
    "spec TEXT, unit TEXT, category TEXT, case_qty INTEGER, wholesale_price_fen INTEGER, "
    "retail_price_fen INTEGER, active INTEGER)"
)


def _shop_like_sqlite(path: Path) -> sqlite3.Connection:
    """A bare connection with the shop's own settings (storebox.db.engine)."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA busy_timeout=5000")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute(_BARE_MALL)
    con.execute("CREATE TABLE IF NOT EXISTS bare_cursor (stream TEXT PRIMARY KEY, cursor TEXT)")
    return con


def pull_floor(base: str, token: str, db: Path, cursor: str, page: int) -> tuple[float, int]:
    """The floor of a pull: the same pages read over the same loopback from the same hub, one
    after the other, parsed with json and written with one executemany per page and its
    cursor, each page its own transaction, into a plain table with the shop's SQLite settings.
    Returns (seconds, changes)."""
    import requests

    from sync import protocol

    con = _shop_like_sqlite(db)
    fields = ("sku", "barcode", "name", "spec", "unit", "category", "case_qty")
    got = 0
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        url = base + protocol.PULL_PATH.format(stream="catalog")
        t0 = time.perf_counter()
        while True:
            params: dict[str, str | int] = {"limit": page}
            if cursor:
                params["cursor"] = cursor
            answer = http.get(url, params=params, timeout=60)
            answer.raise_for_status()
            body = json.loads(answer.content)
            rows = [
                (*(d.get(f) for f in fields), d["wholesale_price_fen"], d["retail_price_fen"], 1)
                for d in (c["data"] for c in body["changes"] if c["op"] == "upsert")
            ]
            con.execute("BEGIN IMMEDIATE")
            con.executemany("INSERT OR REPLACE INTO bare_mall VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            con.execute(
                "INSERT OR REPLACE INTO bare_cursor VALUES ('catalog', ?)", (body["cursor"],)
            )
            con.execute("COMMIT")
            got += len(body["changes"])
            if not body["more"]:
                break
            cursor = body["cursor"]
        seconds = time.perf_counter() - t0
    con.close()
    return seconds, got


def run_sync(
    work_dir: Path,
    *,
    items: int = 100_000,
    changed: int = 1_000,
    shops: int = 50,
    events: int = 20_000,
    pg_url: str | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The shop's agent against a real hub (`storebox hub` on SQLite in `work_dir`, its own
    process, loopback), each figure beside its floor measured in the same run:

    * initial sync: `items` goods into an empty shop in one agent round, against `pull_floor`
      (the best of one read before and one after the agent's, so a warm hub does not flatter
      the agent);
    * incremental: `changed` goods changed at the hub reach the shop in one round, against
      `pull_floor` from the cursor the shop held;
    * push: `storebox hub bench`'s push figure (sync.hub.bench, `shops` shops at once, on
      PostgreSQL when `pg_url` is given; the SQLite hub's is reported either way)."""
    from storebox import config, mall_catalog, syncstate
    from storebox.shop import open_shop
    from sync import protocol
    from sync.agent import SyncAgent
    from sync.client import HubClient
    from sync.hub import admin, catalog_seed, migrate, streams
    from sync.hub import bench as hub_bench
    from sync.hub.db import Database

    work_dir.mkdir(parents=True, exist_ok=True)
    hub_url = f"sqlite:///{work_dir / 'hub.db'}"
    db = Database(hub_url)
    migrate.upgrade(db.engine)
    store_id = admin.create_store(db, "基准测试小店")
    log(f"publishing {items:,} goods at the hub ...")
    goods = list(catalog_seed.generate(items))
    with db.transaction() as session:
        streams.publish(session, "catalog", ((g["sku"], g) for g in goods))
    figures: list[Figure] = []
    settings = config.load(
        environ={}, overrides={"data_dir": str(work_dir / "sync-shop"), "pin_scrypt_n": 16}
    )
    with hub_bench._server(hub_url, 1) as base, open_shop(settings) as shop:
        with HubClient(base) as client:
            answer = client.enrol(admin.enrol_code(db, store_id), "bench", "bench")
        syncstate.save_enrolment(
            shop,
            hub_url=base,
            store_id=answer.store_id,
            store_name=answer.store_name,
            device_id=answer.device_id,
            device_name="bench",
            token=answer.token,
        )
        token = answer.token
        log(f"initial sync of {items:,} goods: floor, agent, floor ...")
        floor_a, _ = pull_floor(base, token, work_dir / "floor-a.db", "", protocol.MAX_PAGE)
        agent = SyncAgent(shop, HubClient(base, token, read_timeout=60), health_every=3600)
        t0 = time.perf_counter()
        report = agent.run_round()
        initial_s = time.perf_counter() - t0
        floor_b, floor_n = pull_floor(base, token, work_dir / "floor-b.db", "", protocol.MAX_PAGE)
        floor = min(floor_a, floor_b)
        arrived = mall_catalog.count(shop)
        figures.append(
            Figure(
                "sync_initial_catalogue",
                initial_s,
                "s",
                "<= 2x floor",
                floor,
                initial_s / floor,
                note=f"{arrived:,} of {items:,} goods in one round ({report.error or 'no error'}); "
                f"floor read {floor_n:,}",
            )
        )

        held = syncstate.stream_position(shop, "catalog").cursor or ""
        log(f"incremental: {changed:,} goods change at the hub ...")
        with db.transaction() as session:
            streams.publish(
                session,
                "catalog",
                (
                    (g["sku"], {**g, "retail_price_fen": g["retail_price_fen"] + 10})
                    for g in goods[:changed]
                ),
            )
        t0 = time.perf_counter()
        report = agent.run_round()
        round_s = time.perf_counter() - t0
        inc_floor, _ = pull_floor(base, token, work_dir / "floor-b.db", held, protocol.MAX_PAGE)
        figures.append(
            Figure(
                "sync_incremental_round",
                round_s * 1000,
                "ms",
                f"{changed:,} in one round",
                inc_floor * 1000,
                round_s / inc_floor,
                note=f"{report.pulled.get('catalog', 0):,} of {changed:,} arrived in this round "
                f"({report.error or 'no error'})",
            )
        )
        agent.client.close()
    db.dispose()

    log(f"hub push, {shops} shops at once ({'PostgreSQL' if pg_url else 'SQLite'}) ...")
    pushed = hub_bench.run(
        pg_url=pg_url, items=min(items, 1000), shops=shops, events=events, log=log
    )
    for f in pushed["figures"]:
        if " push" not in f["name"]:
            continue
        figures.append(
            Figure(
                "hub_push_" + ("pg" if f["name"].startswith("[pg]") else "sqlite"),
                f["value"],
                "ev/s",
                "2,000 ev/s on PostgreSQL",
                f["baseline"],
                f["ratio"],
                note=f"{shops} shops at once; {f['note']}; ratio = times slower than bare inserts",
            )
        )
    meta = {
        "when": now_iso(),
        "items": items,
        "changed": changed,
        "shops": shops,
        "events": events,
        "push_on": "postgresql" if pg_url else "sqlite",
        "cpus": os.cpu_count(),
    }
    return as_document(figures, meta)
