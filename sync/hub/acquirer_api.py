"""The acquirer's HTTP routes (`sync.hub.acquirer` does the work). Every route acts for the
calling device's store only: an order of another store is "not found"."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path

from sync import protocol
from sync.hub import acquirer
from sync.hub.auth import Caller
from sync.hub.db import Database
from sync.hub.route_params import DayParam, Device, parse_day

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": protocol.ErrorBody, "description": text}
    for code, text in (
        (400, "a body that is not JSON"),
        (401, "no valid device token"),
        (404, "no such order in this store"),
        (409, "not now: too early to reverse, the customer is still paying, already paid…"),
        (422, "bad input, or the key was used with other parameters (idempotency_conflict)"),
        (503, "the hub's database is unavailable; retry with backoff"),
    )
}

RefParam = Annotated[str, Path(pattern=protocol.REFERENCE_PATTERN, max_length=64)]


def router(db: Database) -> APIRouter:
    api = APIRouter(tags=["acquirer"], responses=_ERRORS)

    def who(device: Caller) -> acquirer.Caller:
        return acquirer.Caller(store_id=device.store_id, device_id=device.device_id)

    @api.post(protocol.MICROPAY_PATH, response_model=protocol.OrderAnswer)
    def micropay(body: protocol.MicropayRequest, device: Device) -> protocol.OrderAnswer:
        done = acquirer.micropay(db, who(device), body)
        if done.delay_s > 0:
            time.sleep(done.delay_s)  # the scripted timeout: decided and committed, answered late
        return done.answer

    @api.get(protocol.ORDER_PATH, response_model=protocol.OrderAnswer)
    def query(reference: RefParam, device: Device) -> protocol.OrderAnswer:
        return acquirer.query(db, who(device), reference)

    @api.post(protocol.REVERSE_PATH, response_model=protocol.OrderAnswer)
    def reverse(reference: RefParam, device: Device) -> protocol.OrderAnswer:
        return acquirer.reverse(db, who(device), reference)

    @api.post(protocol.REFUND_PATH, response_model=protocol.OrderAnswer)
    def refund(body: protocol.RefundRequest, device: Device) -> protocol.OrderAnswer:
        return acquirer.refund(db, who(device), body)

    @api.post(protocol.QR_PATH, response_model=protocol.OrderAnswer)
    def create_qr(body: protocol.QrCreateRequest, device: Device) -> protocol.OrderAnswer:
        return acquirer.create_qr(db, who(device), body)

    @api.post(protocol.QR_CLOSE_PATH, response_model=protocol.OrderAnswer)
    def close_qr(reference: RefParam, device: Device) -> protocol.OrderAnswer:
        return acquirer.close_qr(db, who(device), reference)

    @api.get(protocol.SETTLEMENT_PATH, response_model=protocol.SettlementFile)
    def settlement(
        day: DayParam,
        device: Device,
    ) -> protocol.SettlementFile:
        return acquirer.settlement(db, device.store_id, parse_day(day))

    return api
