"""The demo shop: people, ~300 real goods, an open shift and a morning's trade.

Idempotent: running the demo again on the same data folder keeps what is there and sells a
little more, so the Z report grows the way a real day does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storebox import demo_catalog, reports, simulate, users
from storebox.errors import AuthenticationFailed
from storebox.shop import Shop

#: The demo's people. Their PINs are printed by `storebox demo` — it is a demo.
OWNER = ("店主", "8888")
CASHIERS = (("小王", "1234"), ("小李", "5678"))


@dataclass(frozen=True)
class DemoPeople:
    owner: users.Actor
    cashiers: list[users.Actor]


def ensure_people(shop: Shop) -> DemoPeople:
    existing = {a.name for a in users.list_users(shop)}
    if OWNER[0] not in existing:
        if existing:
            raise AuthenticationFailed(
                "这个数据目录属于一家真实的店 / this data folder belongs to a real shop; "
                "run the demo with its own --data-dir"
            )
        users.create_user(shop, name=OWNER[0], role=users.OWNER, pin=OWNER[1], by=None)
    owner = users.authenticate(shop, *OWNER)
    cashiers = []
    for name, pin in CASHIERS:
        if name not in existing:
            users.create_user(shop, name=name, role=users.CASHIER, pin=pin, by=owner)
        cashiers.append(users.authenticate(shop, name, pin))
    return DemoPeople(owner, cashiers)


def build(shop: Shop, *, sales_count: int = 12, seed: int = 2026) -> dict[str, Any]:
    people = ensure_people(shop)
    added = demo_catalog.seed_catalog(shop, people.owner)
    result = simulate.run(
        shop, people.cashiers, people.owner, sales_count=sales_count, seed=seed, shift_every=10_000
    )
    z = reports.z_report(shop, as_admin=True)
    return {
        "data_dir": str(shop.settings.data_dir),
        "products_added": added,
        "people": {
            "owner": {"name": OWNER[0], "pin": OWNER[1]},
            "cashiers": [{"name": n, "pin": p} for n, p in CASHIERS],
        },
        "simulation": result.as_dict(),
        "z_report": z.as_dict(),
        "z_report_text": z.render_text(),
    }
