"""The billers' HTTP routes (`sync.hub.billers` does the work). Every route acts for the calling
device's store only: another store's payment is "not found"."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from sync import protocol
from sync.hub import billers
from sync.hub.db import Database
from sync.hub.route_params import DayParam, Device, parse_day

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": protocol.ErrorBody, "description": text}
    for code, text in (
        (400, "a body that is not JSON"),
        (401, "no valid device token"),
        (404, "unknown_biller, account_not_found, or no such payment in this store"),
        (
            409,
            "biller_inactive, biller_closed, no_bill, query_expired, limit_exceeded, "
            "duplicate_bill",
        ),
        (
            422,
            "invalid_account, not_a_credit_card, operator_mismatch, amount_invalid, "
            "idempotency_conflict, or a body that does not fit",
        ),
        (503, "biller_unavailable (nothing recorded: try again), or the database is down"),
    )
}


def router(db: Database) -> APIRouter:
    api = APIRouter(tags=["billers"], responses=_ERRORS)

    @api.post(protocol.BILL_LOOKUP_PATH, response_model=protocol.BillLookup)
    def lookup(body: protocol.BillLookupRequest, device: Device) -> protocol.BillLookup:
        return billers.lookup(db, device.store_id, body)

    @api.post(protocol.BILL_PAY_PATH, response_model=protocol.BillResult)
    def pay(body: protocol.BillPaymentRequest, device: Device) -> protocol.BillResult:
        return billers.pay(db, device.store_id, device.device_id, body)

    @api.get(protocol.BILL_PAYMENT_PATH, response_model=protocol.BillResult)
    def payment(
        payment_id: Annotated[str, Path(pattern=protocol.EVENT_ID_PATTERN)], device: Device
    ) -> protocol.BillResult:
        return billers.get_payment(db, device.store_id, payment_id)

    @api.get(protocol.BILL_STATEMENT_PATH, response_model=protocol.BillStatement)
    def statement(
        day: DayParam,
        device: Device,
    ) -> protocol.BillStatement:
        return billers.statement(db, device.store_id, parse_day(day))

    return api
