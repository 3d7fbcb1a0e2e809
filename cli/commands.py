"""The subcommand table: one explicit, greppable registry (name → help, arguments, handler)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from cli.main import emit, open_from_args
from storebox import integrity, users
from storebox.errors import InvalidInput

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


REGISTRY: dict[str, tuple[str, Configure, Handler]] = {
    "db": ("check the local store: integrity and the journal's hash chain", _db_args, _db),
    "users": ("add or list the people who work the till", _users_args, _users),
}
