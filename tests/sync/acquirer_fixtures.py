"""Helpers for the acquirer's tests: a store with an enrolled device and its typed client, and
a hub clock the test moves (the hub runs in this process, so `sync.hub.clock` can be patched)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from sync.client import HubClient
from sync.hub import acquirer, clock
from tests.sync.conftest import RunningHub

WECHAT = "134567890123456789"  # 18 digits, 13…
ALIPAY = "284567890123456789"  # 18 digits, 28…
UNIONPAY = "6212345678901234567"  # 19 digits, 62…


class HubClock:
    """The hub's clock, real time plus an offset the test moves."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = dt.timedelta()
        real = clock.utcnow
        monkeypatch.setattr(clock, "utcnow", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)


@dataclass
class Till:
    hub: RunningHub
    store_id: str
    device_id: str
    client: HubClient

    def script(self, steps: str) -> list[str]:
        return acquirer.set_script(self.hub.db, self.store_id, steps)

    def settlement(self, day: dt.date | None = None) -> acquirer.protocol.SettlementFile:
        day = day or dt.datetime.now(acquirer.CHINA).date()
        return self.client.settlement(day.isoformat())


def make_till(hub: RunningHub, *, read_timeout: float = 10.0, url: str | None = None) -> Till:
    enrolled = hub.enrol()
    client = HubClient(url or hub.base_url, enrolled.token, read_timeout=read_timeout)
    return Till(hub, enrolled.store_id, enrolled.device_id, client)
