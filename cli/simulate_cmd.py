"""`storebox simulate`: a realistic stream of shop activity through the real use cases.

    storebox simulate --sales N [--seed S] [--shift-every N] [--refund-rate F]
                      [--tenders cash,card,wallet,qr] [--terminal URL] [--hub] [--hub-db URL]
                      [--bills RATE] [--bills-wait SECONDS] [--json]

This module is the composition root of the simulation's payments: it builds the ports the core
(`storebox.simulate`) pays through — the ZVT driver for a card terminal, the hub's acquirer
through the shop's own client (`sync.wallet.HubWallet`) for wallet codes and the shop's QR — and
the customer who pays a shop-presented QR, which is the hub acquirer's test helper behind
`storebox hub qr-pay` (it writes the hub's database directly, as a wallet's callback would: so
it needs that database, `--hub-db`, on this machine — the demo's and the tests' hub).

Plain `storebox simulate --sales N` stays cash only, so an old script never charges a terminal.
A terminal (`--terminal`) adds card, `--hub` adds wallet and QR; `--tenders` chooses exactly
(card then uses the terminal_url setting when no --terminal is given, wallet and QR imply
--hub). `--bills RATE` adds bill payments (便民缴费) through the hub's biller platform
(`sync.billpay.HubBillPay`, so it implies the hub): after that share of sales a customer pays a
bill, in cash or, with a terminal, by card; `--bills-wait` is how long the end of the run waits
for results still 受理中. The billers are the ones the shop last pulled (`storebox sync`). Heavy
imports stay inside the handler.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from cli.main import emit, open_from_args
from storebox import demo, demo_catalog, simulate, syncstate
from storebox.errors import InvalidInput, ShopError

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler
    from storebox.shop import Shop

log = logging.getLogger(__name__)

HUB_DB_ENV = "STOREBOX_HUB_DB"
WALLET_POLL_S = 0.25
"""How often the till asks the hub while a customer confirms a wallet payment on the phone. The
window asks every 2 s (a person watches it); a simulation asks more often so that a slow
customer costs the stream no more than the customer's own time."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sales", type=int, required=True, help="how many sales to make")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same stream)")
    parser.add_argument(
        "--shift-every", type=int, default=80, help="hand over the till every N sales"
    )
    parser.add_argument(
        "--refund-rate",
        type=float,
        default=1 / 25,
        help="share of sales followed by a refund of a recent sale (0.04)",
    )
    parser.add_argument(
        "--tenders",
        metavar="LIST",
        help="comma-separated, from cash,card,wallet,qr (default: cash, plus card with "
        "--terminal, plus wallet and qr with --hub)",
    )
    parser.add_argument(
        "--terminal",
        metavar="URL",
        help="the card terminal (a serial path, pyserial URL or tcp://; default for --tenders "
        "card: the terminal_url setting)",
    )
    parser.add_argument(
        "--hub",
        action="store_true",
        help="wallet codes and the shop's QR through the hub this shop is enrolled with",
    )
    parser.add_argument(
        "--hub-db",
        metavar="URL",
        help=f"the hub's database, where the simulated customer pays the shop's QR "
        f"(default {HUB_DB_ENV}, else <data dir>/hub.db)",
    )
    parser.add_argument(
        "--bills",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of sales after which a customer also pays a bill (top-up, utility, card "
        "repayment) through the hub's billers, e.g. 0.2 (default 0: none; implies --hub)",
    )
    parser.add_argument(
        "--bills-wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="at the end, how long to wait for bill results still pending (10)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def _tenders(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    chosen = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    wrong = [t for t in chosen if t not in simulate.TENDERS]
    if not chosen or wrong:
        raise InvalidInput(f"--tenders takes {','.join(simulate.TENDERS)}, not {text!r}")
    return chosen


def _hub_db_url(args: argparse.Namespace, shop: Shop) -> str:
    if args.hub_db:
        return str(args.hub_db)
    return os.environ.get(HUB_DB_ENV) or str(shop.settings.data_dir / "hub.db")


def _qr_payer(
    url: str, store_id: str, stack: contextlib.ExitStack, *, required: bool
) -> simulate.QrPayer | None:
    """The customer who pays a shop-presented code: the hub acquirer's `customer_pays` on the
    hub's own database (`storebox hub qr-pay`). None, when the database is not here and the
    QR was not asked for by name."""
    from sqlalchemy.engine import make_url

    from sync.hub import acquirer
    from sync.hub.db import BadDatabaseUrl, Database, normalise_url
    from sync.hub.errors import AdminError, HubError

    try:
        full = normalise_url(url)
    except BadDatabaseUrl as exc:
        raise InvalidInput(f"--hub-db: {exc}") from None
    if full.startswith("sqlite"):
        path = make_url(full).database
        if not path or not os.path.exists(path):
            if required:
                raise InvalidInput(
                    f"扫码付需要云端数据库 / --tenders qr plays the customer paying the shop's "
                    f"code on the hub's database, and there is none at {path}: give --hub-db"
                )
            return None
    db = Database(url)
    stack.callback(db.dispose)

    def pay(reference: str, wallet: str) -> object:
        try:
            return acquirer.customer_pays(db, store_id, reference, wallet)  # type: ignore[arg-type]
        except (AdminError, HubError) as exc:  # the code closed first: the customer did not pay
            log.warning("the customer could not pay the code %s: %s", reference[-8:], exc)
            return None

    return pay


def build_ports(
    shop: Shop,
    args: argparse.Namespace,
    tenders: tuple[str, ...] | None,
    stack: contextlib.ExitStack,
    notes: list[str],
) -> simulate.PaymentPorts:
    """The ports `tenders` (or, by default, the options given) call for; each closed by
    `stack`. Refuses, before any sale, a tender that cannot be taken."""
    want = set(tenders or ())
    terminal_url = args.terminal or (shop.settings.terminal_url if simulate.CARD in want else "")
    if simulate.CARD in want and not terminal_url:
        raise InvalidInput(
            "刷卡需要终端 / --tenders card needs a card terminal: give --terminal URL or set "
            "terminal_url"
        )
    use_hub = args.hub or bool(want & {simulate.WALLET, simulate.QR})
    if tenders is not None and terminal_url and simulate.CARD not in want:
        terminal_url = ""  # --terminal given but card not chosen: leave the terminal alone
    if tenders is not None and use_hub and not want & {simulate.WALLET, simulate.QR}:
        use_hub = False
    terminal: Any = None
    if terminal_url:
        from drivers.terminal.zvt.client import ZvtTerminal

        terminal = ZvtTerminal(terminal_url)
        stack.callback(terminal.close)
        state = terminal.status()  # a typo'd URL would otherwise turn every card into cash
        if not state.ready:
            raise ShopError(
                f"刷卡终端不可用 / the card terminal at {terminal_url} is not ready: "
                f"{state.message}; nothing was sold"
            )
    wallet: Any = None
    bills: Any = None
    pay_qr: simulate.QrPayer | None = None
    want_bills = args.bills > 0
    if use_hub or want_bills:
        from sync.client import HubClient, HubError

        enrolled = syncstate.require_enrolment(shop)  # not enrolled: a clear refusal
        hub_url = shop.settings.hub_url.strip() or enrolled.hub_url
        client = HubClient(hub_url, enrolled.token)
        stack.callback(client.close)
        try:  # the hub down would otherwise turn every wallet payment into cash
            client.me()
        except HubError as exc:
            raise ShopError(
                f"云端不可用 / the hub at {hub_url} does not answer: {exc}; nothing was sold"
            ) from None
    if want_bills:
        from storebox import billpay
        from sync.billpay import HubBillPay

        if not billpay.billers(shop):
            raise InvalidInput(
                "没有缴费单位 / --bills needs the hub's billers, which this shop has not pulled "
                "yet: run storebox sync --once first; nothing was sold"
            )
        bills = HubBillPay(client)
    if use_hub:
        from sync.wallet import HubWallet

        wallet = HubWallet(client, poll_interval=WALLET_POLL_S, description="storebox simulate")
        if tenders is None or simulate.QR in want:
            pay_qr = _qr_payer(
                _hub_db_url(args, shop),
                enrolled.store_id,
                stack,
                required=simulate.QR in want,
            )
            if pay_qr is None:
                notes.append(
                    "qr: no hub database here to play the customer paying the shop's code "
                    "(--hub-db): the shop's QR is not used"
                )
    return simulate.PaymentPorts(
        terminal=terminal,
        wallet=wallet,
        qr=wallet if pay_qr is not None else None,
        pay_qr=pay_qr,
        bills=bills,
    )


def handle(args: argparse.Namespace) -> int:
    if args.sales < 0 or args.shift_every < 1 or not 0 <= args.refund_rate <= 1:
        raise InvalidInput("--sales >= 0, --shift-every >= 1 and --refund-rate from 0 to 1")
    if not 0 <= args.bills <= 1 or args.bills_wait < 0:
        raise InvalidInput("--bills takes a share from 0 to 1, --bills-wait seconds >= 0")
    tenders = _tenders(args.tenders)
    notes: list[str] = []
    with open_from_args(args) as shop, contextlib.ExitStack() as stack:
        ports = build_ports(shop, args, tenders, stack, notes)  # refused before anything is sold
        people = demo.ensure_people(shop)
        demo_catalog.seed_catalog(shop, people.owner)
        try:  # a tender the ports cannot take: refused before anything is sold
            simulate.choose_tenders(ports, tenders)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        started = time.perf_counter()
        result = simulate.run(
            shop,
            people.cashiers,
            people.owner,
            sales_count=args.sales,
            seed=args.seed,
            shift_every=args.shift_every,
            ports=ports,
            tenders=tenders,
            refund_rate=args.refund_rate,
            bill_rate=args.bills,
            bill_wait_s=args.bills_wait,
        )
        elapsed = time.perf_counter() - started
    summary = result.as_dict()
    summary["seconds"] = round(elapsed, 3)
    summary["sales_per_s"] = round(result.sales / elapsed, 2) if elapsed > 0 else None
    summary["notes"] = notes
    for note in notes:
        if not args.json:
            print(note, file=sys.stderr)
    emit(args, summary, render_text(summary))
    return 0


def render_text(summary: dict[str, Any]) -> str:
    lines = [
        f"{k}: {v}"
        for k, v in summary.items()
        if k not in ("tenders", "notes", "ms_per_sale", "bill_payments") and not isinstance(v, dict)
    ]
    for key in ("chosen", "paid_with", "declined", "unknown", "unavailable", "refused"):
        if summary.get(key):
            lines.append(f"{key}: " + ", ".join(f"{k} {v}" for k, v in summary[key].items()))
    for kind, t in summary["tenders"].items():
        lines.append(
            f"  {kind:<7} sales {t['sales_count']:>5} {t['sales_fen']:>10} fen   "
            f"refunds {t['refunds_count']:>4} {t['refunds_fen']:>9} fen"
        )
    if summary["ms_per_sale"]:
        lines.append(
            "ms per sale: " + ", ".join(f"{k} {v}" for k, v in summary["ms_per_sale"].items())
        )
    bills = summary.get("bill_payments")
    if bills is not None:
        lines.append(
            f"bill payments: {bills['count']} = {bills['total_fen']} fen (held "
            f"{bills['bill_payments_count']} = {bills['bill_payments_total_fen']} fen), "
            f"commission {bills['commission_fen']} fen, refunded {bills['refunded_count']} = "
            f"{bills['refunded_fen']} fen, refunds open {bills['refunds_open']}"
        )
        for kind, k in bills["by_kind"].items():
            statuses = ", ".join(
                f"{s} {v['count']} {v['amount_fen']} fen" for s, v in k["by_status"].items()
            )
            lines.append(f"  {kind:<12} {k['count']:>4}  {statuses}")
        if bills["refused"]:
            lines.append("  refused: " + ", ".join(f"{k} {v}" for k, v in bills["refused"].items()))
    return "\n".join(lines)


COMMANDS: dict[str, tuple[str, Configure, Handler]] = {
    "simulate": (
        "a realistic stream of sales (cash, card, wallet, QR), bill payments, refunds, voids and "
        "shift changes through the real use cases",
        configure,
        handle,
    ),
}
