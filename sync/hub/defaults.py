"""What a new hub serves before anyone edits it: simulated billers and the shop settings
(`config` stream). Published once, when a stream is still empty; the operator changes them
later through `streams.publish`, and the shops pull the change like any other."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sync.hub import catalog_seed, streams
from sync.protocol import Biller, ConfigEntry

BILLERS: tuple[dict[str, Any], ...] = (
    {
        "biller_id": "sgcc-bj",
        "kind": "electricity",
        "name": "国家电网 北京电力（电费）",
        "rules": {
            "account_label": "户号",
            "account_pattern": r"^(\d{10}|110\d{10})$",
            "account_tip": "10 位户号，或 110 开头的 13 位新户号，见电费单",
            "amount_min_fen": 1000,
            "amount_max_fen": 500000,
            "amount_step_fen": 100,
            "posting": "T+1",
        },
    },
    {
        "biller_id": "bjwater",
        "kind": "water",
        "name": "北京自来水集团（水费）",
        "rules": {
            "account_label": "户号",
            "account_pattern": r"^\d{8,12}$",
            "account_tip": "8–12 位户号，见水费单",
            "amount_min_fen": 100,
            "amount_max_fen": 200000,
            "amount_step_fen": 1,
            "posting": "T+1",
        },
    },
    {
        "biller_id": "bjgas",
        "kind": "gas",
        "name": "北京燃气（燃气费）",
        "rules": {
            "account_label": "燃气用户号",
            "account_pattern": r"^\d{10}$",
            "account_tip": "10 位用户号，见燃气卡或账单",
            "amount_min_fen": 1000,
            "amount_max_fen": 300000,
            "amount_step_fen": 100,
            "posting": "T+1",
        },
    },
    {
        "biller_id": "cmcc",
        "kind": "mobile",
        "name": "中国移动 话费充值",
        "rules": {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "account_tip": "11 位手机号；携号转网后号段不代表运营商，请确认",
            "denominations_fen": [1000, 2000, 3000, 5000, 10000, 20000],
            "posting": "minutes, up to 72 h",
        },
    },
    {
        "biller_id": "cucc",
        "kind": "mobile",
        "name": "中国联通 话费充值",
        "rules": {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "account_tip": "11 位手机号",
            "denominations_fen": [1000, 2000, 3000, 5000, 10000, 20000],
            "posting": "minutes, up to 72 h",
        },
    },
    {
        "biller_id": "ctcc",
        "kind": "mobile",
        "name": "中国电信 话费充值",
        "rules": {
            "account_label": "手机号",
            "account_pattern": r"^1[3-9]\d{9}$",
            "account_tip": "11 位手机号",
            "denominations_fen": [1000, 2000, 3000, 5000, 10000, 20000],
            "posting": "minutes, up to 72 h",
        },
    },
    {
        "biller_id": "cc-repay",
        "kind": "credit_card",
        "name": "信用卡还款",
        "rules": {
            "account_label": "信用卡号",
            "account_pattern": r"^\d{15,19}$",
            "account_tip": "本人信用卡卡号（借记卡不能还款）",
            "luhn": True,
            "amount_min_fen": 100,
            "amount_max_fen": 5000000,
            "amount_step_fen": 1,
            "posting": "real time, same day or T+1 by issuer",
        },
    },
)

CONFIG: dict[str, Any] = {
    "offline_bill_payment_max_fen": 20000,
    "offline_bill_payments_per_day_max_fen": 100000,
    "offline_card_payment_max_fen": 50000,
    "catalog_stale_after_hours": 48,
    "sync_push_interval_seconds": 5,
    "sync_pull_interval_seconds": 60,
    "health_report_interval_seconds": 300,
}


def publish_defaults(session: Session, catalog_items: int = 0) -> dict[str, int]:
    """Fill each empty stream; a stream that has data is left alone. Returns what was added."""
    added: dict[str, int] = {}
    if streams.is_empty(session, "billers"):
        billers = [Biller.model_validate(b) for b in BILLERS]
        added["billers"] = streams.publish(
            session, "billers", ((b.biller_id, b.model_dump(mode="json")) for b in billers)
        )
    if streams.is_empty(session, "config"):
        entries = [ConfigEntry(key=k, value=v) for k, v in CONFIG.items()]
        added["config"] = streams.publish(
            session, "config", ((e.key, e.model_dump(mode="json")) for e in entries)
        )
    if catalog_items > 0 and streams.is_empty(session, "catalog"):
        added["catalog"] = streams.publish(
            session,
            "catalog",
            ((item["sku"], item) for item in catalog_seed.generate(catalog_items)),
        )
    return added
