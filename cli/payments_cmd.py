"""`storebox payments`: card and wallet payments whose outcome a crash or a lost line left open.

    storebox payments list                      # open ones, and refunds approved but unrecorded
    storebox payments resolve [--terminal URL]  # ask the terminal (ZVT) and settle what it can
    storebox payments settle REF --as not-charged|charged --by OWNER --reason TEXT

`resolve` does what the till does before its next card payment: enquire, reverse a payment
approved with no sale, close one the terminal never carried out. `settle` is the owner's last
word on one no enquiry can decide (the terminal was replaced, its records lost): journaled,
with who and why, so that the till is never blocked for ever. REF is the attempt's reference
or its last 8+ characters, as the till's banner shows them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from cli.main import emit, open_from_args
from storebox.errors import InvalidInput

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler
    from storebox.sales import AttemptInfo


def _args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["list", "resolve", "settle"])
    parser.add_argument("reference", nargs="?", help="the attempt (settle): its reference or tail")
    parser.add_argument(
        "--as",
        dest="outcome",
        choices=["not-charged", "charged"],
        help="settle: what the owner found (the customer was not charged / was charged)",
    )
    parser.add_argument("--by", help="settle: the owner's user name (asked for the PIN)")
    parser.add_argument("--reason", help="settle: why (journaled)")
    parser.add_argument(
        "--pin-stdin", action="store_true", help="settle: read the owner's PIN from stdin"
    )
    parser.add_argument(
        "--terminal", help="resolve: the terminal's URL (default: the terminal_url setting)"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _row(a: AttemptInfo) -> dict[str, Any]:
    return {
        "reference": a.reference,
        "kind": a.kind,
        "operation": a.operation,
        "amount_fen": a.amount_fen,
        "status": a.status,
        "created_at": a.created_at.isoformat(),
        "message": a.message,
    }


def _text(rows: list[AttemptInfo]) -> str:
    from storebox.money import format_fen

    return "\n".join(
        f"{a.reference}\t{a.kind}\t{a.operation}\t{format_fen(a.amount_fen)}\t{a.status}\t"
        f"{a.message}"
        for a in rows
    )


def _payments(args: argparse.Namespace) -> int:
    from storebox import sales, users

    with open_from_args(args) as shop:
        if args.action == "list":
            rows = sales.unsettled_attempts(shop)
            emit(args, {"attempts": [_row(a) for a in rows]}, _text(rows) or "(none open)")
            return 0
        if args.action == "resolve":
            from drivers.terminal.zvt.client import ZvtTerminal

            url = args.terminal or shop.settings.terminal_url
            if not url:
                raise InvalidInput("需要 --terminal / --terminal URL (or terminal_url) is required")
            terminal = ZvtTerminal(url)
            try:
                rows = sales.resolve_open_attempts(shop, terminal=terminal)
            finally:
                terminal.close()
            emit(args, {"attempts": [_row(a) for a in rows]}, _text(rows) or "(nothing to do)")
            return 0 if all(a.status not in sales.OPEN_STATUSES for a in rows) else 1
        if not args.reference or not args.outcome or not args.by or not args.reason:
            raise InvalidInput(
                "settle 需要 REF --as --by --reason / settle needs REF, --as, --by and --reason"
            )
        pin = (
            sys.stdin.readline().strip()
            if args.pin_stdin
            else getpass.getpass(f"PIN of {args.by}: ")
        )
        actor = users.authenticate(shop, args.by, pin)
        settled = sales.settle_attempt(shop, args.reference, args.outcome, actor, args.reason)
        emit(args, _row(settled), _text([settled]))
    return 0


COMMANDS: dict[str, tuple[str, Configure, Handler]] = {
    "payments": (
        "card and wallet payments left open by a crash: list, resolve at the terminal, or settle "
        "by the owner",
        _args,
        _payments,
    ),
}
