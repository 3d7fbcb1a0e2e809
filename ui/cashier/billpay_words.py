"""The words the bill-payment screens (便民缴费) use for what the core returns: a kind's name, a
payment's status as the cashier reads it, a tender, the note under an account number.

Kept apart from the screens so that the page, the list of today's payments, the refund dialog
and the sell screen's banner say the same thing in the same words (and one .ts entry each).
None of these touch the store or the network: they run on the UI thread as the cashier types.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from storebox import billpay_rules
from storebox.billers import BillerData
from storebox.billpay import BillView
from storebox.errors import ShopError

KINDS = ("electricity", "water", "gas", "mobile", "credit_card")
"""The tiles, in the order a neighbour asks for them (and the keys 1-5 that choose them)."""


def kind_name(kind: str) -> str:
    names = {
        "electricity": QCoreApplication.translate("billpay", "Electricity"),
        "water": QCoreApplication.translate("billpay", "Water"),
        "gas": QCoreApplication.translate("billpay", "Gas"),
        "mobile": QCoreApplication.translate("billpay", "Mobile top-up"),
        "credit_card": QCoreApplication.translate("billpay", "Credit-card repayment"),
    }
    return names.get(kind, kind)


def status_name(view: BillView) -> str:
    """受理中 / 成功 / 失败 / 已退款: a failed payment whose refund is done reads 已退款, because
    that is what the cashier must know about it (nothing is owed any more)."""
    if view.status == "failed":
        if view.refund is not None and view.refund.status == "done":
            return QCoreApplication.translate("billpay", "Refunded")
        return QCoreApplication.translate("billpay", "Failed")
    if view.status == "success":
        return QCoreApplication.translate("billpay", "Success")
    return QCoreApplication.translate("billpay", "Processing")


def tender_name(tender: str) -> str:
    return (
        QCoreApplication.translate("billpay", "card")
        if tender == "card"
        else QCoreApplication.translate("billpay", "cash")
    )


def account_note(biller: BillerData, account: str) -> str:
    """What the typed number tells about itself, under the field: a mobile number's carrier
    (with the reminder that a number moved to another carrier keeps its segment), a card's
    issuing bank. Empty when there is nothing to say. Only called for a valid account."""
    rules = billpay_rules.rules_of(biller)
    if biller.kind == "mobile":
        return QCoreApplication.translate(
            "billpay",
            "%1 by the number's segment. A number moved to another carrier may differ: ask the customer.",
        ).replace("%1", biller.name)
    if rules.bins:
        issuer = billpay_rules.card_bin(rules, account)
        if issuer is not None:
            posting = (
                QCoreApplication.translate("billpay", "posted at once")
                if issuer.posting in ("realtime", "same_day")
                else QCoreApplication.translate("billpay", "posted next working day")
            )
            return (
                QCoreApplication.translate("billpay", "%1 credit card, %2")
                .replace("%1", issuer.bank)
                .replace("%2", posting)
            )
    return ""


def card_issuer_words(biller: BillerData, account: str) -> str:
    """A card number that fails the rules may still name its bank (a debit card): said so, so
    the cashier can tell the customer "this is not a credit card" rather than "wrong number"."""
    rules = billpay_rules.rules_of(biller)
    issuer = billpay_rules.card_bin(rules, billpay_rules.clean_account(account))
    if issuer is None or issuer.type == "credit":
        return ""
    return QCoreApplication.translate("billpay", "%1 debit card: not a credit card").replace(
        "%1", issuer.bank
    )


def rule_error(exc: BaseException) -> str:
    """A refusal in the core's own words (Chinese first, then English), never a traceback."""
    if isinstance(exc, ShopError):
        return exc.message
    return QCoreApplication.translate(
        "ops", "Something went wrong inside storebox; it has been logged. Nothing was changed."
    )
