"""What the window shows of the sync agent: read from the shop's database on the core thread
(`read_sync_view`, through CoreOp), put in words on the UI thread (`sync_words`, `ago`).

The agent is its own process; the window only reads what it left in `sync_state`, counts the
outbox now (the till may have sold since the agent's round), and asks the agent's lock whether
one is running. All of it is a few indexed reads and one flock, cheap enough every few seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from storebox import mall_catalog, syncstate
from storebox.shop import Shop
from sync.agent import running_agent


@dataclass(frozen=True)
class SyncView:
    enrolled: bool
    hub_url: str
    store_name: str
    # the running agent's pid (0: running, pid unknown), None: no agent holds the lock
    agent_pid: int | None
    status: syncstate.SyncStatus
    catalog_items: int

    def stream(self, name: str) -> syncstate.StreamPosition | None:
        return next((s for s in self.status.streams if s.stream == name), None)


def read_sync_view(shop: Shop) -> SyncView:
    """On the core thread: the enrolment, the agent's last state, the outbox's counts, the
    mall catalogue's size and whether an agent runs."""
    enrolled = syncstate.enrolment(shop)
    return SyncView(
        enrolled=enrolled is not None,
        hub_url=enrolled.hub_url if enrolled else "",
        store_name=enrolled.store_name if enrolled else "",
        agent_pid=running_agent(shop.settings.data_dir),
        status=syncstate.status(shop),
        catalog_items=mall_catalog.count(shop),
    )


def ago(then: dt.datetime | None, now: dt.datetime) -> str:
    """'just now', '3 min ago', '2 h ago', '4 days ago'; 'never' for None."""
    if then is None:
        return QCoreApplication.translate("SyncStatus", "never")
    if then.tzinfo is None:
        then = then.replace(tzinfo=dt.UTC)
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return QCoreApplication.translate("SyncStatus", "just now")
    if seconds < 3600:
        return QCoreApplication.translate("SyncStatus", "%1 min ago").replace(
            "%1", str(seconds // 60)
        )
    if seconds < 86400:
        return QCoreApplication.translate("SyncStatus", "%1 h ago").replace(
            "%1", str(seconds // 3600)
        )
    return QCoreApplication.translate("SyncStatus", "%1 days ago").replace(
        "%1", str(seconds // 86400)
    )


@dataclass(frozen=True)
class Words:
    state: str  # the status bar's words
    detail: str  # its tooltip: the last success, the catalogue's age, the last error
    tone: str  # online / offline / idle (the style sheet colours it)


def catalog_words(view: SyncView, now: dt.datetime, *, short: bool = False) -> str:
    """The mall catalogue's age and size ('Mall catalogue synced 3 min ago (5000 goods)');
    `short` leaves out the catalogue's name (a form row already says it)."""
    stream = view.stream(mall_catalog.STREAM)
    pulled = stream.last_pulled_at if stream else None
    if pulled is None:
        if short:
            return QCoreApplication.translate("SyncStatus", "not synced yet")
        return QCoreApplication.translate("SyncStatus", "Mall catalogue: not synced yet")
    if short:
        text = QCoreApplication.translate("SyncStatus", "synced %1 (%2 goods)")
    else:
        text = QCoreApplication.translate("SyncStatus", "Mall catalogue synced %1 (%2 goods)")
    return text.replace("%1", ago(pulled, now)).replace("%2", str(view.catalog_items))


def sync_words(view: SyncView | None, hub_url: str, now: dt.datetime) -> Words:
    if view is None:
        return Words(QCoreApplication.translate("SyncStatus", "Sync: …"), "", "idle")
    if not view.enrolled:
        if hub_url.strip():
            return Words(
                QCoreApplication.translate("SyncStatus", "Sync: not enrolled"),
                QCoreApplication.translate(
                    "SyncStatus",
                    "Run storebox enrol --code CODE with a code from the hub's operator.",
                ),
                "offline",
            )
        return Words(
            QCoreApplication.translate("SyncStatus", "Sync: no hub configured"), "", "idle"
        )
    status = view.status
    lines = [
        QCoreApplication.translate("SyncStatus", "Last synced: %1").replace(
            "%1", ago(status.last_success_at, now)
        ),
        catalog_words(view, now),
    ]
    if status.last_error:
        lines.append(
            QCoreApplication.translate("SyncStatus", "Last error: %1").replace(
                "%1", status.last_error
            )
        )
    detail = "\n".join(lines)
    if view.agent_pid is None:
        return Words(
            QCoreApplication.translate("SyncStatus", "Offline · sync agent not running"),
            detail,
            "offline",
        )
    if status.updated_at is None:
        return Words(QCoreApplication.translate("SyncStatus", "Sync: starting"), detail, "idle")
    if status.online:
        return Words(QCoreApplication.translate("SyncStatus", "Online"), detail, "online")
    return Words(
        QCoreApplication.translate("SyncStatus", "Offline · last synced %1").replace(
            "%1", ago(status.last_success_at, now)
        ),
        detail,
        "offline",
    )
