"""The card terminal's end-of-day (结算) answer read as the totals reconciliation matches.

A terminal driver's `end_of_day()` returns a `PaymentResult`; a driver that reads the
terminal's totals puts them in `extra` (TOTAL_KEYS, and 'scheme:<name>' = 'count/amount_fen'
per card scheme). Reading them is the core's job, not one caller's: `storebox reconcile` and
the till's 对账 screen both read them here, so that neither can take a missing total as zero.
"""

from __future__ import annotations

from typing import Final

from storebox.errors import InvalidInput
from storebox.ports import PaymentResult, PaymentStatus
from storebox.reconcile import SchemeTotal, TerminalTotals

TOTAL_KEYS: Final = ("payments_count", "payments_fen", "refunds_count", "refunds_fen")


def terminal_totals(result: PaymentResult) -> TerminalTotals | None:
    """The end-of-day totals in a terminal's answer, or None when it gave none (not approved,
    or a driver that reads no totals: the card side is then 'not checked', never zero).

    Besides TOTAL_KEYS and 'scheme:<name>', a driver may say 'totals_basis' (gross / net, see
    `storebox.reconcile.TerminalTotals`: ZVT's end-of-day is net), 'scheme_of:<card name>' =
    scheme for the card names it files under a scheme of its own, and 'scheme_other' for the
    scheme every other card goes under. The terminal id is the result's."""
    if result.status != PaymentStatus.APPROVED or not all(k in result.extra for k in TOTAL_KEYS):
        return None
    try:
        values = [int(result.extra[k]) for k in TOTAL_KEYS]
        schemes = tuple(
            SchemeTotal(k.removeprefix("scheme:"), *map(int, v.split("/", 1)))
            for k, v in sorted(result.extra.items())
            if k.startswith("scheme:")
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"终端结算数据错误 / the terminal's totals are not numbers: {result.extra}"
        ) from exc
    card_schemes = tuple(
        (k.removeprefix("scheme_of:"), v)
        for k, v in sorted(result.extra.items())
        if k.startswith("scheme_of:")
    )
    payments_count, payments_fen, refunds_count, refunds_fen = values
    return TerminalTotals(
        payments_count,
        payments_fen,
        refunds_count,
        refunds_fen,
        schemes=schemes,
        terminal_id=result.terminal_id,
        basis=result.extra.get("totals_basis", "gross"),
        card_schemes=card_schemes,
        other_scheme=result.extra.get("scheme_other", ""),
    )
