"""`storebox reconcile`: end-of-day reconciliation (对账) of one business day.

    storebox reconcile [--date D] [--json] [--terminal URL ... | --no-terminal] [--no-acquirer]

Fetches the acquirer's settlement file through the hub (when the shop is enrolled) and, with
--terminal (or the terminal_url setting), runs the card terminal's end-of-day (which closes the
terminal's batch), then matches both against the shop's own card and wallet payments and refunds
(`storebox.reconcile`), stores the result (the Z report shows it) and prints every difference.
--terminal may be given once per terminal this device pays through (a till and a kiosk): each
terminal's totals are matched against the card transactions made on its terminal id.
Exit status 0 for a clean day, 1 when there are differences, 2 for bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cli.main import emit, open_from_args

# the end-of-day answer's totals are read by the core (the till's 对账 screen reads them too)
from storebox.end_of_day import TOTAL_KEYS, terminal_totals
from storebox.errors import ShopError

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler
    from storebox.ports import CardTerminal
    from storebox.reconcile import Reconciliation, Settlement, TerminalTotals
    from storebox.shop import Shop
    from sync.client import HubClient

__all__ = ["TOTAL_KEYS", "fetch_and_reconcile", "terminal_totals"]


def fetch_and_reconcile(
    shop: Shop,
    day: dt.date,
    *,
    client: HubClient | None,
    terminal: CardTerminal | Sequence[CardTerminal] | None,
    notes: list[str],
) -> Reconciliation:
    """Fetch what the outside world says (acquirer through `client`, each terminal's end-of-day,
    all optional) and run the core's reconciliation for `day`. What could not be fetched is said
    in `notes` and left unchecked, never taken as zero: a terminal whose totals could not be
    read is left out."""
    from storebox import reconcile
    from sync.reconcile_fetch import fetch_settlement

    settlement: Settlement | None = None
    if client is not None:
        settlement = fetch_settlement(client, day, shop.business_day)
    terminals: list[CardTerminal] = []
    if isinstance(terminal, Sequence):
        terminals = list(terminal)
    elif terminal is not None:
        terminals = [terminal]
    totals: list[TerminalTotals] = []
    for one in terminals:
        end_of_day = getattr(one, "end_of_day", None)
        if end_of_day is None:
            notes.append("terminal: this terminal has no end-of-day call")
            continue
        answer = end_of_day()
        read = terminal_totals(answer)
        name = f"terminal {answer.terminal_id}" if answer.terminal_id else "terminal"
        if read is None:
            notes.append(
                f"{name}: end-of-day {answer.status} but no totals reported "
                f"({answer.message or 'no message'}): card totals not checked"
            )
        else:
            totals.append(read)
    ids = [t.terminal_id for t in totals]
    if len(totals) > 1 and ("" in ids or len(set(ids)) != len(ids)):
        notes.append(
            f"terminal: several terminals must each report their own id (got {ids}): "
            "card totals not checked"
        )
        totals = []
    return reconcile.reconcile(
        shop, day, terminal=totals or None, settlement=settlement, as_admin=True
    )


def _args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help="the business day, YYYY-MM-DD (default: today's)")
    parser.add_argument(
        "--terminal",
        action="append",
        help="run the card terminal's end-of-day at this URL (default: the terminal_url "
        "setting); once per terminal this device pays through",
    )
    parser.add_argument("--no-terminal", action="store_true", help="do not ask the card terminal")
    parser.add_argument(
        "--no-acquirer", action="store_true", help="do not fetch the acquirer's settlement"
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _reconcile(args: argparse.Namespace) -> int:
    from storebox import reconcile, reports, syncstate
    from sync.client import HubClient, HubError

    with open_from_args(args) as shop:
        day = reports.parse_day(args.date, shop)
        notes: list[str] = []
        client: HubClient | None = None
        if not args.no_acquirer:
            enrolled = syncstate.enrolment(shop)
            if enrolled is None:
                notes.append("acquirer: this shop is not enrolled with a hub: wallet not checked")
            else:
                hub_url = shop.settings.hub_url.strip() or enrolled.hub_url
                client = HubClient(hub_url, enrolled.token)
        urls: list[str] = []
        if not args.no_terminal:
            urls = args.terminal or [u for u in (shop.settings.terminal_url,) if u]
        terminals: list[Any] = []
        if urls:
            from drivers.terminal.zvt.client import ZvtTerminal

            terminals = [ZvtTerminal(url) for url in dict.fromkeys(urls)]
        try:
            result = fetch_and_reconcile(
                shop, day, client=client, terminal=terminals or None, notes=notes
            )
        except HubError as exc:
            raise ShopError(
                f"对账单获取失败 / the hub's settlement could not be fetched: {exc}"
            ) from exc
        finally:
            if client is not None:
                client.close()
            for one in terminals:
                one.close()
        document = {**result.as_dict(), "notes": notes}
        emit(args, document, "\n".join([*reconcile.render_lines(document), *notes]))
    return 0 if result.clean else 1


COMMANDS: dict[str, tuple[str, Configure, Handler]] = {
    "reconcile": (
        "end-of-day reconciliation: the shop's card and wallet money against the terminal's "
        "end-of-day and the acquirer's settlement",
        _args,
        _reconcile,
    ),
}
