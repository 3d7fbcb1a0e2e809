"""Enrolling this shop's device with a hub: the one-time code for a device token, kept locally.

One step shared by `storebox enrol` and the demo, so both keep the token the same way (in the
shop's own database, never printed or logged).
"""

from __future__ import annotations

import storebox
from storebox import syncstate
from storebox.shop import Shop
from sync.client import HubClient


def enrol(shop: Shop, hub_url: str, code: str, device_name: str) -> syncstate.Enrolment:
    """Trade `code` for a device token at `hub_url` and keep the enrolment (replacing any)."""
    with HubClient(hub_url) as client:
        answer = client.enrol(code.strip(), device_name, storebox.__version__)
    return syncstate.save_enrolment(
        shop,
        hub_url=hub_url,
        store_id=answer.store_id,
        store_name=answer.store_name,
        device_id=answer.device_id,
        device_name=device_name,
        token=answer.token,
    )
