"""`storebox hub`: the cloud hub and its admin subcommands.

    storebox hub [--db URL] [--host H] [--port P] [--workers N] [--catalog-items N]
    storebox hub create-store --name N [--json]
    storebox hub enrol-code --store ID [--ttl-hours H] [--json]
    storebox hub devices --store ID [--json]
    storebox hub revoke --device ID [--json]
    storebox hub report --store ID [--date D] [--json]
    storebox hub seed-catalog --items N [--json]
    storebox hub bench [--pg URL] [--json]
    storebox hub acquirer-script --store ID [--append] STEPS [--json]
    storebox hub settlement --store ID --date D [--json]
    storebox hub qr-pay --store ID --reference R [--wallet W] [--json]
    storebox hub biller-script --store ID [--biller ID] [--append] STEPS [--json]
    storebox hub bill-statement --store ID --date D [--json]

`--db` takes a SQLite path or URL or a postgresql:// URL; by default the hub lives in
<data dir>/hub.db (STOREBOX_HUB_DB overrides it). Heavy imports (FastAPI, SQLAlchemy, uvicorn)
stay inside the handlers so that other subcommands do not pay for them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.main import emit, load_settings
from storebox.errors import InvalidInput, ShopError

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler
    from sync.hub.db import Database

DB_ENV = "STOREBOX_HUB_DB"


class HubUnavailable(ShopError):
    code = "hub_unavailable"


def _db_arg(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        # on an action, SUPPRESS keeps argparse from overwriting a --db given before it
        default=argparse.SUPPRESS if nested else None,
        help=f"the hub's database: a SQLite path/URL or postgresql://… (default <data dir>/hub.db, {DB_ENV})",
    )


def _json_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document"
    )


def _common_nested(parser: argparse.ArgumentParser) -> None:
    """The options every subcommand takes, accepted after the action too (SUPPRESS: a value
    given before the action is not overwritten by the action's default)."""
    parser.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="the data folder")
    parser.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="config file")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", default=argparse.SUPPRESS)


def _hub_args(parser: argparse.ArgumentParser) -> None:
    _db_arg(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8700, help="port to listen on (8700)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (1)")
    parser.add_argument(
        "--catalog-items",
        type=int,
        default=0,
        help="publish a generated mall catalogue of N goods if the catalogue is empty",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    create = actions.add_parser("create-store", help="a new store; prints its id")
    create.add_argument("--name", required=True)
    code = actions.add_parser("enrol-code", help="a one-time, expiring code that enrols one device")
    code.add_argument("--store", required=True, metavar="ID")
    code.add_argument(
        "--ttl-hours", type=float, default=24.0, help="how long the code is valid (24)"
    )
    devices = actions.add_parser("devices", help="the store's devices")
    devices.add_argument("--store", required=True, metavar="ID")
    revoke = actions.add_parser("revoke", help="revoke a device's token at once")
    revoke.add_argument("--device", required=True, metavar="ID")
    report = actions.add_parser("report", help="what the hub holds for a store")
    report.add_argument("--store", required=True, metavar="ID")
    report.add_argument("--date", metavar="YYYY-MM-DD", help="one business day (default: all time)")
    seed = actions.add_parser(
        "seed-catalog", help="publish a generated mall catalogue (replaces items by sku)"
    )
    seed.add_argument("--items", type=int, default=100_000)
    seed.add_argument("--seed", type=int, default=5)
    bench = actions.add_parser(
        "bench", help="push throughput and pull latency, with bare baselines"
    )
    bench.add_argument(
        "--pg", metavar="URL", help="also measure on this PostgreSQL (a scratch schema is made)"
    )
    bench.add_argument("--items", type=int, default=100_000, help="catalogue size (100,000)")
    bench.add_argument("--shops", type=int, default=50, help="concurrent shops pushing (50)")
    bench.add_argument("--events", type=int, default=20_000, help="events pushed in all (20,000)")
    script = actions.add_parser(
        "acquirer-script",
        help="the simulated acquirer's next micropay behaviours for a store",
        description="Comma-separated steps, one per new micropay (then approve): approve, "
        "decline[:insufficient_funds|code_expired|limit_exceeded], user_paying:N[:approve|decline], "
        "timeout[:N][:approve|decline], duplicate. An empty STEPS clears the script.",
    )
    script.add_argument("--store", required=True, metavar="ID")
    script.add_argument("--append", action="store_true", help="add after the steps waiting")
    script.add_argument("steps", metavar="STEPS", nargs="?", default="")
    settle = actions.add_parser(
        "settlement", help="the acquirer's settlement file of a store for one day (China time)"
    )
    settle.add_argument("--store", required=True, metavar="ID")
    settle.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    qr_pay = actions.add_parser(
        "qr-pay", help="a customer pays a store's dynamic QR code (the wallet's callback)"
    )
    qr_pay.add_argument("--store", required=True, metavar="ID")
    qr_pay.add_argument("--reference", required=True, metavar="R", help="the shop's reference")
    qr_pay.add_argument("--wallet", choices=("wechat", "alipay", "unionpay"), default="alipay")
    bill_script = actions.add_parser(
        "biller-script",
        help="the simulated billers' next results for a store's new bill payments",
        description="Comma-separated steps, one per new bill payment (then the default: "
        "utilities pending 3 s then success, top-up pending 5 s then success, card repayment "
        "success at once): success, pending:N (pending N seconds of the hub's clock, then "
        "success), pending:N:failed[:REASON], failed[:REASON], unavailable (the biller cannot "
        "be reached: a POST is answered 503 and recorded nowhere). REASON is one of "
        "number_suspended, number_not_found, real_name_invalid, carrier_maintenance, "
        "time_restricted, rate_limited, card_closed, card_not_found, account_closed, "
        "biller_rejected. An empty STEPS clears the script.",
    )
    bill_script.add_argument("--store", required=True, metavar="ID")
    bill_script.add_argument(
        "--biller", default="", metavar="ID", help="only this biller's payments (default: any)"
    )
    bill_script.add_argument("--append", action="store_true", help="add after the steps waiting")
    bill_script.add_argument("steps", metavar="STEPS", nargs="?", default="")
    bill_statement = actions.add_parser(
        "bill-statement", help="a store's bill payments accepted on one day (China time)"
    )
    bill_statement.add_argument("--store", required=True, metavar="ID")
    bill_statement.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    for sub in (
        create,
        code,
        devices,
        revoke,
        report,
        seed,
        bench,
        script,
        settle,
        qr_pay,
        bill_script,
        bill_statement,
    ):
        _db_arg(sub, nested=True)
        _json_arg(sub)
        _common_nested(sub)


def _url(args: argparse.Namespace) -> str:
    if args.db:
        return str(args.db)
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    return str(load_settings(args).data_dir / "hub.db")


def _open(args: argparse.Namespace, *, create: bool = False) -> Database:
    """The hub's database, migrated. An admin command other than create-store does not make a
    new SQLite file: a mistyped path is an error, not a new empty hub."""
    from sqlalchemy.exc import OperationalError

    from sync.hub import migrate
    from sync.hub.db import BadDatabaseUrl, Database, normalise_url

    url = _url(args)
    try:
        full = normalise_url(url)
    except BadDatabaseUrl as exc:
        raise InvalidInput(str(exc)) from None
    if not create and full.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        path = make_url(full).database
        if path and not os.path.exists(path):
            raise InvalidInput(f"no hub database at {path}; create a store first or give --db")
    db = Database(url)
    try:
        migrate.upgrade(db.engine)
    except OperationalError as exc:
        db.dispose()
        first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "no answer"
        raise HubUnavailable(f"cannot open the hub's database: {first_line}") from None
    return db


def _admin_errors() -> tuple[type[Exception], ...]:
    from sync.hub.errors import AdminError, HubError

    return (AdminError, HubError)


def _run(args: argparse.Namespace, work: Any, *, create: bool = False) -> Any:
    db = _open(args, create=create)
    try:
        return work(db)
    except _admin_errors() as exc:
        raise InvalidInput(str(exc)) from None
    finally:
        db.dispose()


def _hub(args: argparse.Namespace) -> int:
    handler = _ACTIONS.get(args.action or "serve")
    assert handler is not None
    return handler(args)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.hub import defaults, serve

    if args.workers < 1 or not (0 < args.port < 65536) or args.catalog_items < 0:
        raise InvalidInput("--workers >= 1, --port 1..65535, --catalog-items >= 0")
    url = _url(args)
    db = _open(args, create=True)
    try:
        with db.transaction() as session:
            defaults.publish_defaults(session, args.catalog_items)
    finally:
        db.dispose()
    os.environ[serve.DB_ENV] = url
    print(f"storebox hub on http://{args.host}:{args.port} (database {url})", file=sys.stderr)
    uvicorn.run(
        "sync.hub.serve:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=False,
    )
    return 0


def _create_store(args: argparse.Namespace) -> int:
    from sync.hub import admin

    store_id = _run(args, lambda db: admin.create_store(db, args.name), create=True)
    emit(args, {"store_id": store_id, "name": args.name.strip()}, store_id)
    return 0


def _enrol_code(args: argparse.Namespace) -> int:
    import datetime as dt

    from sync.hub import admin

    if args.ttl_hours <= 0:
        raise InvalidInput("--ttl-hours must be positive")
    ttl = dt.timedelta(hours=args.ttl_hours)
    code = _run(args, lambda db: admin.enrol_code(db, args.store, ttl=ttl))
    expires = (dt.datetime.now(dt.UTC) + ttl).isoformat(timespec="seconds")
    emit(args, {"code": code, "store_id": args.store, "expires_at": expires}, code)
    return 0


def _devices(args: argparse.Namespace) -> int:
    from sync.hub import admin

    devices = _run(args, lambda db: admin.list_devices(db, args.store))
    rows = [
        {
            "device_id": d.id,
            "name": d.name,
            "app_version": d.app_version,
            "enrolled_at": d.created_at.isoformat(),
            "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
        }
        for d in devices
    ]
    text = "\n".join(
        f"{r['device_id']}\t{r['name']}\t{'revoked' if r['revoked_at'] else 'active'}" for r in rows
    )
    emit(args, {"store_id": args.store, "devices": rows}, text or "(no devices)")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from sync.hub import admin

    changed = _run(args, lambda db: admin.revoke(db, args.device))
    emit(
        args,
        {"device_id": args.device, "revoked": True, "was_already_revoked": not changed},
        f"device {args.device} revoked" + ("" if changed else " (it already was)"),
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from sync.hub import report

    doc = _run(args, lambda db: report.store_report(db, args.store, args.date))
    emit(args, doc, report.render_text(doc))
    return 0


def _seed_catalog(args: argparse.Namespace) -> int:
    import time

    from sync.hub import catalog_seed, streams

    if args.items < 1:
        raise InvalidInput("--items must be at least 1")

    def work(db: Database) -> dict[str, Any]:
        t0 = time.perf_counter()
        items = list(catalog_seed.generate(args.items, args.seed))
        t1 = time.perf_counter()
        with db.transaction() as session:
            streams.publish(session, "catalog", ((i["sku"], i) for i in items))
        t2 = time.perf_counter()
        return {
            "items": len(items),
            "generate_s": round(t1 - t0, 3),
            "publish_s": round(t2 - t1, 3),
        }

    doc = _run(args, work)
    emit(
        args,
        doc,
        f"{doc['items']} goods: generated in {doc['generate_s']} s, published in {doc['publish_s']} s",
    )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from sync.hub import bench

    if args.items < 100 or args.shops < 1 or args.events < args.shops:
        raise InvalidInput("--items >= 100, --shops >= 1, --events >= --shops")
    say = (
        (lambda _m: None) if getattr(args, "json", False) else (lambda m: print(m, file=sys.stderr))
    )
    doc = bench.run(pg_url=args.pg, items=args.items, shops=args.shops, events=args.events, log=say)
    emit(args, doc, bench.render_text(doc))
    return 0


def _acquirer_script(args: argparse.Namespace) -> int:
    from sync.hub import acquirer

    steps = _run(
        args, lambda db: acquirer.set_script(db, args.store, args.steps, append=args.append)
    )
    emit(
        args,
        {"store_id": args.store, "steps": steps},
        ", ".join(steps) if steps else "(no script: every micropay is approved)",
    )
    return 0


def _settlement(args: argparse.Namespace) -> int:
    import datetime as dt

    from sync.hub import acquirer

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise InvalidInput(f"--date must be YYYY-MM-DD, not {args.date!r}") from None
    doc = _run(args, lambda db: acquirer.settlement(db, args.store, day))
    lines = [
        f"{r.at.isoformat(timespec='seconds')}\t{r.type}\t{r.wallet or '-'}\t{r.status}\t"
        f"{r.amount_fen}\t{r.fee_fen}\t{r.net_fen}\t{r.reference}\t{r.acquirer_reference}"
        for r in doc.rows
    ]
    lines.append(
        f"payments {doc.payments_count} = {doc.payments_fen} fen, refunds {doc.refunds_fen} fen, "
        f"fees {doc.fees_fen} fen, net {doc.net_fen} fen"
    )
    emit(args, doc.model_dump(mode="json"), "\n".join(lines))
    return 0


def _qr_pay(args: argparse.Namespace) -> int:
    from sync.hub import acquirer

    answer = _run(
        args, lambda db: acquirer.customer_pays(db, args.store, args.reference, args.wallet)
    )
    emit(args, answer.model_dump(mode="json"), f"{answer.reference}: {answer.status}")
    return 0


def _biller_script(args: argparse.Namespace) -> int:
    from sync.hub import billers

    steps = _run(
        args,
        lambda db: billers.set_script(
            db, args.store, args.steps, biller_id=args.biller, append=args.append
        ),
    )
    default = "(no script: each payment gets its biller's default)"
    emit(
        args,
        {"store_id": args.store, "biller_id": args.biller or None, "steps": steps},
        ", ".join(steps) if steps else default,
    )
    return 0


def _bill_statement(args: argparse.Namespace) -> int:
    import datetime as dt

    from sync.hub import billers

    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        raise InvalidInput(f"--date must be YYYY-MM-DD, not {args.date!r}") from None
    doc = _run(args, lambda db: billers.statement(db, args.store, day))
    lines = [
        f"{r.accepted_at.isoformat(timespec='seconds')}\t{r.number}\t{r.biller_id}\t"
        f"{r.account_masked}\t{r.status}{' refunded' if r.refunded else ''}\t{r.amount_fen}\t"
        f"{r.commission_fen}\t{r.biller_reference}"
        for r in doc.rows
    ]
    lines.append(
        f"{doc.count} payments = {doc.amount_fen} fen: success {doc.success_fen}, pending "
        f"{doc.pending_fen}, failed {doc.failed_fen}; commission {doc.commission_fen}; "
        f"owed to the platform {doc.owed_fen} fen"
    )
    emit(args, doc.model_dump(mode="json"), "\n".join(lines))
    return 0


_ACTIONS: dict[str, Handler] = {
    "serve": _serve,
    "create-store": _create_store,
    "enrol-code": _enrol_code,
    "devices": _devices,
    "revoke": _revoke,
    "report": _report,
    "seed-catalog": _seed_catalog,
    "bench": _bench,
    "acquirer-script": _acquirer_script,
    "settlement": _settlement,
    "qr-pay": _qr_pay,
    "biller-script": _biller_script,
    "bill-statement": _bill_statement,
}

COMMANDS: dict[str, tuple[str, Configure, Handler]] = {
    "hub": (
        "the cloud hub (serve, or: create-store, enrol-code, devices, revoke, report, seed-catalog, bench, acquirer-script, settlement, qr-pay, biller-script, bill-statement)",
        _hub_args,
        _hub,
    ),
}
