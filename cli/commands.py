"""The subcommand table: one explicit, greppable registry (name → help, arguments, handler)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import getpass
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cli import bills_cmd, hub_cmd, payments_cmd, reconcile_cmd, simulate_cmd, sync_cmd
from cli.main import emit, load_settings, open_from_args
from storebox import config, demo, integrity, reports, users
from storebox.errors import InvalidInput
from storebox.shop import Shop, open_shop

Configure = Callable[[argparse.ArgumentParser], None]
Handler = Callable[[argparse.Namespace], int]


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


# --- db -------------------------------------------------------------------------------------


def _db_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=["check"], help="check: integrity and the journal's hash chain"
    )
    _json_flag(parser)


def _db(args: argparse.Namespace) -> int:
    with open_from_args(args) as shop:
        report = integrity.check(shop)
    emit(args, report.as_dict(), report.render_text())
    return 0 if report.ok else 1


# --- users ----------------------------------------------------------------------------------


def _users_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["add", "list"])
    parser.add_argument("--name", help="the new user's name")
    parser.add_argument("--role", choices=users.ROLES, default=users.CASHIER)
    parser.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the new PIN (and the owner's) from standard input",
    )
    parser.add_argument(
        "--owner", help="the owner approving the new user (not needed for the first)"
    )
    _json_flag(parser)


def _read_secret(args: argparse.Namespace, prompt: str) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    return getpass.getpass(prompt)


def _users(args: argparse.Namespace) -> int:
    with open_from_args(args) as shop:
        if args.action == "list":
            people = users.list_users(shop)
            emit(
                args,
                {"users": [{"id": p.user_id, "name": p.name, "role": p.role} for p in people]},
                "\n".join(f"{p.name}\t{p.role}" for p in people) or "(no users yet)",
            )
            return 0
        if not args.name:
            raise InvalidInput("需要 --name / --name is required")
        approver = None
        if args.owner:
            approver = users.authenticate(
                shop, args.owner, _read_secret(args, f"PIN of {args.owner}: ")
            )
        pin = _read_secret(args, f"new PIN for {args.name}: ")
        actor = users.create_user(shop, name=args.name, role=args.role, pin=pin, by=approver)
        emit(
            args,
            {"id": actor.user_id, "name": actor.name, "role": actor.role},
            f"added {actor.name} ({actor.role})",
        )
    return 0


# --- demo and simulate ------------------------------------------------------------------------


def _demo_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sales", type=int, default=12, help="how many sales the demo morning has")
    parser.add_argument(
        "--no-window", action="store_true", help="seed and sell, print, do not open the till"
    )
    _json_flag(parser)


def demo_config_file(args: argparse.Namespace, data_dir: Path) -> Path:
    """The demo's config file: the one named by --config or STOREBOX_CONFIG, else its own in
    its data folder, so device settings saved in the demo never touch a real shop."""
    if args.config is not None or os.environ.get("STOREBOX_CONFIG"):
        return config.config_file(args.config)
    return data_dir / "config.toml"


def open_demo(args: argparse.Namespace) -> Shop:
    """The demo keeps to its own folder unless told otherwise, so it never touches a real shop."""
    settings = load_settings(args)
    explicit = (
        args.data_dir is not None
        or "STOREBOX_DATA_DIR" in os.environ
        or any(item.partition("=")[0].strip() == "data_dir" for item in args.set or [])
    )
    if not explicit:
        settings = dataclasses.replace(settings, data_dir=settings.data_dir / "demo")
    own = demo_config_file(args, settings.data_dir)
    if own == settings.data_dir / "config.toml" and own.is_file():
        overrides = dict(config.parse_assignment(item) for item in args.set or [])
        overrides["data_dir"] = str(settings.data_dir)
        settings = config.load(config_path=own, overrides=overrides)
    return open_shop(settings)


def _demo(args: argparse.Namespace) -> int:
    if args.sales < 0:
        raise InvalidInput("--sales 不能为负 / --sales cannot be negative")
    with open_demo(args) as shop:
        summary = demo.build(shop, sales_count=args.sales)
    people = summary["people"]
    text = "\n".join(
        [
            f"演示店 / demo shop: {summary['data_dir']}",
            f"新增商品 / products added: {summary['products_added']}",
            f"店主 / owner: {people['owner']['name']} PIN {people['owner']['pin']}",
            *(f"收银员 / cashier: {c['name']} PIN {c['pin']}" for c in people["cashiers"]),
            "",
            summary["z_report_text"],
        ]
    )
    summary.pop("z_report_text")
    emit(args, summary, text)
    if args.no_window or args.json:
        return 0
    from cli.demo_hub import demo_sync

    with open_demo(args) as shop:
        config_path = demo_config_file(args, shop.settings.data_dir)
        print("启动演示云端与同步程序 / starting the demo hub and the sync agent …", flush=True)
        with demo_terminal(shop) as terminal_url, demo_sync(shop, config_path=config_path) as cloud:
            print(f"云端 / hub: {cloud.hub_url} (store {cloud.store_id})", flush=True)
            # The demo's receipts print as images into its own folder unless a printer is set.
            printer = shop.settings.printer_url or f"png:{shop.settings.data_dir / 'receipts'}"
            return _open_cashier(
                shop, printer_url=printer, terminal_url=terminal_url, config_path=config_path
            )


@contextlib.contextmanager
def demo_terminal(shop: Shop) -> Iterator[str | None]:
    """Unless the shop names a card terminal, the ZVT simulator on a pty, in this process on
    its own thread, for as long as the demo runs; yields its path (None: the setting stands)."""
    if shop.settings.terminal_url.strip():
        yield None
        return
    from drivers.terminal import simulator

    sim, path = simulator.serve_pty()
    try:
        yield path
    finally:
        sim.stop()


def _open_cashier(
    shop: Shop,
    printer_url: str | None = None,
    terminal_url: str | None = None,
    config_path: Path | None = None,
    start_agent: bool = False,
) -> int:
    from ui.cashier import run

    return run.run(
        shop,
        shop.settings.language,
        printer_url=printer_url,
        terminal_url=terminal_url,
        config_path=config_path,
        start_agent=start_agent,
    )


def _cashier_args(parser: argparse.ArgumentParser) -> None:
    del parser  # everything comes from the common flags and the config


def _cashier(args: argparse.Namespace) -> int:
    with open_from_args(args) as shop:
        return _open_cashier(shop, config_path=config.config_file(args.config), start_agent=True)


def _screenshot_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--language", choices=["zh_CN", "en"], default=None)


def _screenshot(args: argparse.Namespace) -> int:
    from ui import screenshots

    settings = load_settings(args)
    with tempfile.TemporaryDirectory(prefix="storebox-shots-") as tmp:
        data = args.data_dir or Path(tmp)
        settings = dataclasses.replace(settings, data_dir=data)
        with open_shop(settings) as shop:
            demo.build(shop, sales_count=8)
            if args.data_dir is None:  # a throw-away shop: show the sync screen with content
                from cli.demo_hub import screenshot_sync_state

                screenshot_sync_state(shop)
            written = screenshots.render_all(shop, args.out, args.language or settings.language)
    for path in written:
        print(path)
    return 0


# --- reports --------------------------------------------------------------------------------


def _report_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=["x", "z"], help="x: a shift so far; z: a business day")
    parser.add_argument("--shift", help="the shift id (x; default: this till's open shift)")
    parser.add_argument("--date", help="the business day YYYY-MM-DD (z; default: today's)")
    _json_flag(parser)


def _report(args: argparse.Namespace) -> int:
    # At the shell the person is the shop's administrator: every shift and day is theirs to see.
    with open_from_args(args) as shop:
        if args.kind == "x":
            x = reports.x_report(shop, None, args.shift, as_admin=True)
            emit(args, x.as_dict(), x.render_text())
        else:
            z = reports.z_report(shop, args.date, as_admin=True)
            emit(args, z.as_dict(), z.render_text())
    return 0


# --- bench ----------------------------------------------------------------------------------


def _bench_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--products", type=int, default=100_000, help="catalogue size (100,000)")
    parser.add_argument(
        "--sale-lines", type=int, default=1_000_000, help="past sale lines (1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--work-dir", type=Path, help="keep the generated shop here (default: a temp folder)"
    )
    parser.add_argument(
        "--sections",
        default="core,sync",
        help="which figures: core (the till), sync (agent and hub), or both (core,sync)",
    )
    parser.add_argument(
        "--sync-items", type=int, default=100_000, help="goods in the initial sync (100,000)"
    )
    parser.add_argument(
        "--sync-changed", type=int, default=1_000, help="goods changed for one round (1,000)"
    )
    parser.add_argument("--push-shops", type=int, default=50, help="shops pushing at once (50)")
    parser.add_argument(
        "--push-events", type=int, default=20_000, help="events pushed in all (20,000)"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("STOREBOX_TEST_PG_URL"),
        help="PostgreSQL for the hub's push figure (default: $STOREBOX_TEST_PG_URL; else SQLite)",
    )
    _json_flag(parser)


def _bench(args: argparse.Namespace) -> int:
    from cli import bench

    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if not sections or sections - {"core", "sync"}:
        raise InvalidInput("--sections: core, sync or core,sync")
    if args.products < 100 or args.sale_lines < 0:
        raise InvalidInput("--products >= 100, --sale-lines >= 0")
    if args.sync_items < 1 or not 1 <= args.sync_changed <= args.sync_items:
        raise InvalidInput("--sync-items >= 1, 1 <= --sync-changed <= --sync-items")
    if args.push_shops < 1 or args.push_events < args.push_shops:
        raise InvalidInput("--push-shops >= 1, --push-events >= --push-shops")
    say = (lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr))

    def measure(work: Path) -> dict[str, Any]:
        doc: dict[str, Any] = {"meta": {}, "figures": []}
        if "core" in sections:
            doc = bench.run(
                work,
                products=args.products,
                sale_lines=args.sale_lines,
                seed=args.seed,
                log=say,
            )
        if "sync" in sections:
            synced = bench.run_sync(
                work / "sync",
                items=args.sync_items,
                changed=args.sync_changed,
                shops=args.push_shops,
                events=args.push_events,
                pg_url=args.pg_url or None,
                log=say,
            )
            doc["figures"] += synced["figures"]
            doc["meta"]["sync"] = synced["meta"]
        return doc

    if args.work_dir is not None:
        args.work_dir.mkdir(parents=True, exist_ok=True)
        doc = measure(args.work_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="storebox-bench-") as tmp:
            doc = measure(Path(tmp))
    text = "\n".join(bench.Figure(**f).line() for f in doc["figures"])
    emit(args, doc, text + "\n" + json.dumps(doc["meta"], ensure_ascii=False))
    return 0


# --- devices: the card terminal ------------------------------------------------------------


def _terminal_sim_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tcp", type=int, metavar="PORT", help="speak the TCP variant on PORT (else a pty)"
    )
    parser.add_argument(
        "--script",
        default="",
        help="outcomes for the next transactions, comma-separated "
        "(approve, decline, slow, timeout, drop, hangup, garbled, nak, refuse, unreadable, busy)",
    )
    parser.add_argument(
        "--default", default="approve", help="the outcome once the script is used up"
    )


def _terminal_sim(args: argparse.Namespace) -> int:
    from drivers.terminal import simulator

    script = [s.strip() for s in args.script.split(",") if s.strip()]
    unknown = [s for s in [*script, args.default] if s not in simulator.OUTCOMES]
    if unknown:
        raise InvalidInput(f"未知结果 / unknown outcome(s): {', '.join(unknown)}")
    if args.tcp is not None:
        sim, port = simulator.serve_tcp(args.tcp, script, default=args.default)
        print(f"ZVT terminal simulator on tcp://127.0.0.1:{port}", flush=True)
    else:
        sim, path = simulator.serve_pty(script, default=args.default)
        print(f"ZVT terminal simulator on {path}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        sim.stop()


def _devices_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=["list", "print-test", "status", "charge", "refund", "settle"],
        help="list: serial ports and USB printers found; print-test / status: a printer; charge / refund / settle: a terminal",
    )
    parser.add_argument(
        "--printer", help="the printer's URL (usb://, serial://, tcp://, file://, png:DIR, dummy:)"
    )
    parser.add_argument("--width", type=int, choices=[58, 80], default=58, help="paper width in mm")
    parser.add_argument(
        "--terminal", help="the terminal's URL (a serial path, pyserial URL or tcp://)"
    )
    parser.add_argument("--amount", help="yuan, e.g. 12.50 (charge, refund)")
    _json_flag(parser)


def _devices(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _devices_list(args)
    if args.action in ("print-test", "status"):
        return _printer(args)
    return _terminal(args)


def _devices_list(args: argparse.Namespace) -> int:
    from drivers import detect

    ports = [dataclasses.asdict(p) for p in detect.serial_ports()]
    printers = [dataclasses.asdict(p) for p in detect.usb_printers()]
    text = "\n".join(
        [
            *(f"{p['url']}\t{p['description']}" for p in ports),
            *(f"{p['url']}\t{p['description']}" for p in printers),
        ]
    )
    emit(
        args,
        {"serial_ports": ports, "usb_printers": printers},
        text or "(no serial ports or USB printers found)",
    )
    return 0


def _printer(args: argparse.Namespace) -> int:
    from drivers.printer.driver import PrinterStatus, open_printer
    from drivers.printer.escpos_bytes import PrinterProfile

    if not args.printer:
        raise InvalidInput("需要 --printer / --printer URL is required")
    profile = PrinterProfile.mm58() if args.width == 58 else PrinterProfile.mm80()
    settings = load_settings(args)
    driver = open_printer(args.printer, profile, settings.zone)
    try:
        if args.action == "status":
            status = driver.status()
            emit(
                args, {"printer": args.printer, "status": str(status)}, f"{args.printer}: {status}"
            )
            return 0 if status == PrinterStatus.OK else 1
        at = dt.datetime.now(dt.UTC).isoformat()
        driver.print_job("test", {"at": at}, name="test-page")
    finally:
        driver.close()
    emit(args, {"printer": args.printer, "printed": "test"}, f"test page sent to {args.printer}")
    return 0


def _terminal(args: argparse.Namespace) -> int:
    from drivers.terminal.zvt.client import ZvtTerminal
    from storebox.ids import new_id
    from storebox.money import parse_yuan

    if not args.terminal:
        raise InvalidInput("需要 --terminal / --terminal URL is required")
    amount = 0
    if args.action in ("charge", "refund"):
        if not args.amount:
            raise InvalidInput("需要 --amount / --amount is required")
        amount = parse_yuan(args.amount)
    terminal = ZvtTerminal(args.terminal)
    try:
        say = (lambda _m: None) if args.json else (lambda m: print(m, file=sys.stderr))
        if args.action == "charge":
            result = terminal.authorize(amount, new_id(), on_status=say)
        elif args.action == "refund":
            result = terminal.refund(amount, new_id(), on_status=say)
        else:
            result = terminal.end_of_day()
    finally:
        terminal.close()
    document = {
        "status": str(result.status),
        "amount_fen": result.amount_fen,
        "message": result.message,
        "masked_pan": result.masked_pan,
        "auth_code": result.auth_code,
        "terminal_id": result.terminal_id,
        "trace": result.trace,
        "receipt_no": result.receipt_no,
        "card_name": result.card_name,
    }
    emit(args, document, "\n".join(f"{k}: {v}" for k, v in document.items()))
    return 0 if str(result.status) == "approved" else 1


REGISTRY: dict[str, tuple[str, Configure, Handler]] = {
    "demo": ("the demo shop: people, ~300 real goods and a morning's sales", _demo_args, _demo),
    "cashier": ("the cashier's window (the till)", _cashier_args, _cashier),
    "screenshot": (
        "every screen rendered offscreen to PNG with demo data",
        _screenshot_args,
        _screenshot,
    ),
    "report": ("the shift (x) and business-day (z) reports", _report_args, _report),
    "bench": (
        "the performance figures, each with its goal and its ratio to a bare baseline",
        _bench_args,
        _bench,
    ),
    "terminal-sim": (
        "a ZVT card terminal simulator on a pty or TCP port, with scripted outcomes",
        _terminal_sim_args,
        _terminal_sim,
    ),
    "devices": (
        "ask a card terminal to charge, refund or settle (installers, support)",
        _devices_args,
        _devices,
    ),
    "db": ("check the local store: integrity and the journal's hash chain", _db_args, _db),
    "users": ("add or list the people who work the till", _users_args, _users),
}

# Subcommands that live in their own modules (each keeps its heavy imports inside its handlers,
# so `storebox report` does not pay for FastAPI).
REGISTRY.update(hub_cmd.COMMANDS)
REGISTRY.update(sync_cmd.COMMANDS)
REGISTRY.update(payments_cmd.COMMANDS)
REGISTRY.update(reconcile_cmd.COMMANDS)
REGISTRY.update(simulate_cmd.COMMANDS)
REGISTRY.update(bills_cmd.COMMANDS)
