"""`storebox bills`: convenience payments (便民缴费) from the command line, for support and tests.

    storebox bills list [--date D] [--status pending|success|failed]
    storebox bills pay BILLER ACCOUNT AMOUNT (--cash TENDERED | --card) --by USER [--pin-stdin]
    storebox bills refresh [REF]             # ask the hub about pending payments (or one)
    storebox bills refund-tasks [--all]      # the refunds owed after a biller failed a payment
    storebox bills refund REF --by USER [--approver OWNER] [--pin-stdin] [--terminal URL]
    storebox bills statement [--date D]      # the hub's statement of the business day
    storebox bills reconcile [--date D]      # statement against the shop; exit 1 on differences

Every action takes `--json`. The hub is the enrolment's (or the `hub_url` setting); a shop that
is not enrolled is offline: `pay` then takes only what the hub's offline limits allow. AMOUNT
and TENDERED are yuan (12.50). A biller that looks bills up is looked up first. A refund above
the shop's refund limit needs the owner: `--by` the owner, or `--approver OWNER` (the owner's
PIN asked after the user's; with `--pin-stdin`, on the next line).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from cli.main import emit, open_from_args
from storebox.errors import InvalidInput

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler
    from storebox.billpay import BillView, RefundTask
    from storebox.ports import BillPay, CardTerminal
    from storebox.shop import Shop
    from storebox.users import Actor

ACTIONS = ["list", "pay", "refresh", "refund-tasks", "refund", "statement", "reconcile"]


def _args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS)
    parser.add_argument("ref", nargs="?", help="pay: the biller id; refresh/refund: the payment")
    parser.add_argument("account", nargs="?", help="pay: the account, phone or card number")
    parser.add_argument("amount", nargs="?", help="pay: the amount in yuan (50, 123.45)")
    parser.add_argument("--cash", help="pay: cash handed over, in yuan (change = cash - amount)")
    parser.add_argument("--card", action="store_true", help="pay: by card through the terminal")
    parser.add_argument("--terminal", help="the terminal's URL (default: terminal_url)")
    parser.add_argument("--by", help="pay/refund: the user at the till (asked for the PIN)")
    parser.add_argument(
        "--approver", help="refund: the owner approving a refund above the refund limit"
    )
    parser.add_argument("--pin-stdin", action="store_true", help="read the PIN(s) from stdin")
    parser.add_argument("--date", help="the business day, YYYY-MM-DD (default: today's)")
    parser.add_argument("--status", choices=["pending", "success", "failed"])
    parser.add_argument("--all", action="store_true", help="refund-tasks: done ones too")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _port(shop: Shop) -> BillPay | None:
    from storebox import syncstate
    from sync.billpay import HubBillPay
    from sync.client import HubClient

    enrolled = syncstate.enrolment(shop)
    if enrolled is None:
        return None
    hub_url = shop.settings.hub_url.strip() or enrolled.hub_url
    return HubBillPay(HubClient(hub_url, enrolled.token))


def _close(port: BillPay | None) -> None:
    client = getattr(port, "client", None)
    if client is not None:
        client.close()


def _actor(shop: Shop, args: argparse.Namespace) -> Actor:
    from storebox import users

    if not args.by:
        raise InvalidInput("需要 --by USER / --by USER is required (the person at the till)")
    pin = sys.stdin.readline().strip() if args.pin_stdin else getpass.getpass(f"PIN of {args.by}: ")
    return users.authenticate(shop, args.by, pin)


def _approver(shop: Shop, args: argparse.Namespace) -> Actor | None:
    from storebox import users

    if not args.approver:
        return None
    pin = (
        sys.stdin.readline().strip()
        if args.pin_stdin
        else getpass.getpass(f"PIN of {args.approver}: ")
    )
    return users.authenticate(shop, args.approver, pin)


def _terminal(shop: Shop, args: argparse.Namespace, stack: ExitStack) -> CardTerminal:
    from drivers.terminal.zvt.client import ZvtTerminal

    url = args.terminal or shop.settings.terminal_url
    if not url:
        raise InvalidInput("需要 --terminal / --terminal URL (or terminal_url) is required")
    terminal = ZvtTerminal(url)
    stack.callback(terminal.close)
    return terminal


def _line(v: BillView) -> str:
    from storebox.money import format_fen

    refund = f"\trefund {v.refund.status}" if v.refund else ""
    return (
        f"{v.number}\t{v.biller_id}\t{v.account_masked}\t{format_fen(v.amount_fen)}\t{v.tender}"
        f"\t{v.status}{' offline' if v.accepted_offline else ''}\t{v.biller_reference}{refund}"
    )


def _task_line(t: RefundTask) -> str:
    from storebox.money import format_fen

    return (
        f"{t.id}\t{t.number}\t{t.biller_name}\t{t.account_masked}\t{format_fen(t.amount_fen)}"
        f"\t{t.tender}\t{t.status}\t{t.reason}"
    )


def _pay(shop: Shop, args: argparse.Namespace, port: BillPay | None, stack: ExitStack) -> int:
    from storebox import billpay
    from storebox.money import parse_yuan
    from storebox.sales import Card, Cash

    if not args.ref or not args.account or not args.amount:
        raise InvalidInput("pay 需要 BILLER ACCOUNT AMOUNT / pay needs BILLER ACCOUNT AMOUNT")
    if bool(args.cash) == bool(args.card):
        raise InvalidInput("--cash 或 --card 二选一 / give --cash TENDERED or --card")
    amount = parse_yuan(args.amount)
    actor = _actor(shop, args)
    biller = billpay.find_biller(shop, args.ref)
    bill = None
    if biller.rules.get("lookup"):
        bill = billpay.lookup(shop, port, biller.biller_id, args.account)
    terminal = _terminal(shop, args, stack) if args.card else None
    tender = Card(amount) if args.card else Cash(parse_yuan(args.cash))
    view = billpay.pay(
        shop, actor, biller.biller_id, args.account, amount, tender,
        bill=bill, port=port, terminal=terminal,
    )  # fmt: skip
    emit(args, view.as_dict(), f"{_line(view)}\n{view.status_text}")
    return 0


def _bills(args: argparse.Namespace) -> int:
    from storebox import billpay, billpay_reconcile, reports

    with open_from_args(args) as shop, ExitStack() as stack:
        port = _port(shop)
        stack.callback(_close, port)
        day = reports.parse_day(args.date, shop) if args.date else None
        if args.action == "list":
            rows = billpay.payments(shop, day, status=args.status)
            emit(
                args,
                {"payments": [v.as_dict() for v in rows]},
                "\n".join(_line(v) for v in rows) or "(none)",
            )
            return 0
        if args.action == "pay":
            return _pay(shop, args, port, stack)
        if args.action == "refund-tasks":
            tasks = billpay.refund_tasks(shop, open_only=not args.all)
            emit(
                args,
                {"refund_tasks": [t.as_dict() for t in tasks]},
                "\n".join(_task_line(t) for t in tasks) or "(none open)",
            )
            return 0
        if args.action == "refund":
            if not args.ref:
                raise InvalidInput("refund 需要 REF / refund needs the payment's number or task id")
            actor = _actor(shop, args)
            approver = _approver(shop, args)
            view = billpay.find(shop, args.ref)
            terminal = _terminal(shop, args, stack) if view.tender == "card" else None
            task = billpay.refund(shop, actor, args.ref, approver=approver, terminal=terminal)
            emit(args, task.as_dict(), _task_line(task))
            return 0
        if port is None:
            raise InvalidInput("本店未登记到云端 / this shop is not enrolled with a hub")
        if args.action == "refresh":
            views = (
                [billpay.refresh(shop, port, args.ref)]
                if args.ref
                else billpay.refresh_all(shop, port)
            )
            emit(
                args,
                {"payments": [v.as_dict() for v in views]},
                "\n".join(_line(v) for v in views) or "(nothing pending)",
            )
            return 0
        business_day = day if day is not None else shop.business_day()
        if args.action == "statement":
            lines = billpay_reconcile.fetch_lines(shop, port, business_day)
            doc: dict[str, Any] = {
                "business_day": business_day.isoformat(),
                "lines": [
                    {
                        "payment_id": x.payment_id,
                        "number": x.number,
                        "biller_id": x.biller_id,
                        "amount_fen": x.amount_fen,
                        "status": x.status,
                        "refunded": x.refunded,
                        "commission_fen": x.commission_fen,
                        "accepted_at": x.accepted_at.isoformat(),
                    }
                    for x in lines
                ],
            }
            text = "\n".join(
                f"{x.number}\t{x.biller_id}\t{x.amount_fen}\t{x.status}"
                f"{' refunded' if x.refunded else ''}\t{x.commission_fen}"
                for x in lines
            )
            emit(args, doc, text or "(no bill payments at the hub)")
            return 0
        result = billpay_reconcile.reconcile(shop, port, business_day)
        emit(args, result.as_dict(), result.render_text())
        return 0 if result.clean else 1


COMMANDS: dict[str, tuple[str, Configure, Handler]] = {
    "bills": (
        "convenience payments (便民缴费): list, pay, refresh, refund tasks and refunds, the hub's "
        "statement and its reconciliation",
        _args,
        _bills,
    ),
}
