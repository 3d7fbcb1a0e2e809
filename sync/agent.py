"""The sync agent: one process per shop database that keeps the shop in step with its hub
(DESIGN.md, "Sync protocol"; the agent-as-its-own-process shape follows Maestral's daemon).

A round:

1. **push** the outbox in seq order, `protocol.MAX_BATCH` events a request. Events are marked
   only from the hub's validated acknowledgement, in one local transaction per batch
   (`syncstate.mark_delivered`): applied/duplicate → sent, rejected → dead letter with the
   hub's reason, and the events behind a rejected one go on. No usable answer (connection
   refused, timeout, a 200 cut mid-body, 5xx) leaves the batch pending for the next round; the
   hub's idempotency makes sending it again harmless. A batch the hub refuses as a whole as
   malformed (400/413/422) is halved until the one bad event is found and parked, so one bad
   event never blocks the rest.
2. **pull** each stream: a page is applied to the local copy and its cursor stored in the same
   transaction (`syncstate.apply_page`); 410 (cursor expired) clears the stream's copy and
   cursor in one transaction and pulls it again from the start, as does a page whose cursor
   names another hub database (epoch). A page that does not fit its stream's schema, holds more
   changes than asked for, or whose cursor goes backwards or stands still while `more` is true
   is refused with its reason logged once and changes nothing; the round's error says why.
3. **record** the round in `sync_state` (what the window's status bar shows) and report the
   agent's state to the hub (`/v1/health`).

Between rounds the loop waits `interval` seconds; after a failed round it backs off
exponentially with jitter, capped. The connection monitor logs a change of state once, not
every round. A stop request (SIGTERM) is honoured between steps: the batch or page in flight
finishes and is recorded, then the loop ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import logging
import os
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

import storebox
from storebox import device_health, syncstate
from storebox.billers import BillerData
from storebox.billpay_results import BillResultData
from storebox.errors import InvalidInput, ShopError, StoreUnavailable
from storebox.hub_config import ConfigValue
from storebox.mall_catalog import MallItemData
from storebox.shop import Shop
from sync import protocol
from sync.billpay import answer_of
from sync.client import (
    CursorExpired,
    DeviceRevoked,
    HubClient,
    HubError,
    HubRefused,
    HubUnavailable,
)

log = logging.getLogger(__name__)

LOCK_NAME: Final = "sync-agent.lock"
SPLIT_STATUS: Final = frozenset({400, 413, 422})
"""A whole batch refused with one of these is about its content: halve it to find the culprit."""


# --- one agent per shop database ------------------------------------------------------------


class AgentAlreadyRunning(ShopError):
    code = "agent_running"


class AgentLock:
    """An exclusive `flock` on a file in the shop's data folder, held for the agent's life.

    The kernel drops the lock when the process dies, however it dies (SIGKILL included), so a
    stale lock never blocks a restart. The file holds the holder's pid, for the message only.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> AgentLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise AgentAlreadyRunning(
                f"同步程序已在运行 / a sync agent is already running for this shop "
                f"(pid {holder}, lock {self.path}); only one may run per shop database"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> AgentLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def running_agent(data_dir: Path) -> int | None:
    """Whether an agent holds this shop's lock: its pid (0 if it did not write one), or None.

    Cheap and side-effect free for a window to call every few seconds: it never creates the
    lock file, and only tries a shared lock for an instant (an agent starting in that instant
    exits with `AgentAlreadyRunning`; whoever starts one next time succeeds)."""
    path = data_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            return int(text) if text.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


# --- retry schedule and connection monitor --------------------------------------------------


class Backoff:
    """Exponential backoff with jitter: after n failed rounds in a row, wait a random time in
    [ceiling/2, ceiling], ceiling = min(cap, base * 2**(n-1)). The jitter keeps a street of
    shops that lost the line together from coming back all in the same second."""

    def __init__(
        self, base: float = 2.0, cap: float = 300.0, rng: random.Random | None = None
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("backoff needs 0 < base <= cap")
        self.base, self.cap = base, cap
        self._rng = rng or random.Random()

    def ceiling(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return float(min(self.cap, self.base * 2.0 ** min(failures - 1, 30)))

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        ceiling = self.ceiling(failures)
        wait = self._rng.uniform(ceiling / 2, ceiling) if ceiling else 0.0
        if retry_after is not None:  # the hub asked for at least this (429/503)
            wait = max(wait, min(retry_after, self.cap))
        return wait


class ConnectionMonitor:
    """The agent's view of the hub: online, offline or refused. A change is logged once;
    staying in a state logs nothing, however many rounds pass."""

    def __init__(self) -> None:
        self.state = "unknown"
        self.since: dt.datetime | None = None
        self.failed_rounds = 0

    def update(self, state: str, at: dt.datetime, detail: str | None = None) -> bool:
        """Record the state after a round; True if it changed (and was logged)."""
        if state == "online":
            self.failed_rounds = 0
        else:
            self.failed_rounds += 1
        if state == self.state:
            return False
        before, self.state, self.since = self.state, state, at
        if state == "online":
            log.info("hub reachable%s", "" if before == "unknown" else f" again (was {before})")
        elif state == "offline":
            log.warning("hub unreachable, working offline and retrying: %s", detail)
        else:
            log.error("hub refuses this device: %s", detail)
        return True


# --- a round --------------------------------------------------------------------------------


@dataclass
class RoundReport:
    """What one round did, for `storebox sync --once` and the logs."""

    pushed: int = 0
    applied: int = 0
    duplicate: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    pulled: dict[str, int] = field(default_factory=dict)
    resynced: list[str] = field(default_factory=list)
    online: bool = False
    error: str | None = None
    pending_events: int = 0
    dead_letters: int = 0
    stopped: bool = False
    retry_after: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "online": self.online,
            "pushed": self.pushed,
            "applied": self.applied,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "pulled": self.pulled,
            "resynced": self.resynced,
            "pending_events": self.pending_events,
            "dead_letters": self.dead_letters,
            "error": self.error,
        }

    def render_text(self) -> str:
        lines = [
            f"hub: {'online' if self.online else 'offline'}",
            f"pushed {self.pushed} events: {self.applied} applied, {self.duplicate} duplicate, "
            f"{len(self.rejected)} rejected",
        ]
        lines += [f"  rejected {r['event_id']} ({r['kind']}): {r['reason']}" for r in self.rejected]
        lines.append(
            "pulled: " + (", ".join(f"{s} {n}" for s, n in self.pulled.items()) or "nothing")
        )
        if self.resynced:
            lines.append("resynced from the start: " + ", ".join(self.resynced))
        lines.append(f"pending {self.pending_events}, dead letters {self.dead_letters}")
        if self.error:
            lines.append(f"error: {self.error}")
        return "\n".join(lines)


class BadPage(HubUnavailable):
    """A pulled page that does not fit its stream: refused, nothing applied. Counted as a
    failed round (the hub may be fixed meanwhile), never applied in part."""

    code = "bad_page"


def _item(stream: str, change: protocol.Change) -> syncstate.Change:
    if change.op == "delete":
        return syncstate.Delete(change.key)
    if change.data is None:
        raise BadPage(f"stream {stream}: upsert of {change.key!r} carries no data")
    try:
        if stream == "catalog":
            c = protocol.CatalogItem.model_validate(change.data)
            item: syncstate.PageItem = MallItemData(
                sku=c.sku,
                name=c.name,
                wholesale_price_fen=c.wholesale_price_fen,
                retail_price_fen=c.retail_price_fen,
                barcode=c.barcode,
                spec=c.spec,
                unit=c.unit,
                category=c.category,
                case_qty=c.case_qty,
                active=c.active,
            )
        elif stream == "billers":
            b = protocol.Biller.model_validate(change.data)
            item = BillerData(
                b.biller_id, b.kind, b.name, b.active, b.rules.model_dump(mode="json")
            )
        elif stream == "config":
            e = protocol.ConfigEntry.model_validate(change.data)
            item = ConfigValue(e.key, e.value)
        elif stream == protocol.BILL_RESULTS_STREAM:
            r = protocol.BillResult.model_validate(change.data)
            item = BillResultData(answer_of(r), r.model_dump(mode="json"))
        else:
            raise BadPage(f"no local copy for stream {stream!r}")
    except ValidationError as exc:
        raise BadPage(
            f"stream {stream}: item {change.key!r} does not fit its schema: {_first_error(exc)}"
        ) from None
    if item.key != change.key:
        raise BadPage(f"stream {stream}: change key {change.key!r} names item {item.key!r}")
    return syncstate.Upsert(change.key, item)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": str(exc)}
    return f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg', '')}"


class SyncAgent:
    def __init__(
        self,
        shop: Shop,
        client: HubClient,
        *,
        streams: Sequence[str] = protocol.STREAMS,
        batch_size: int = protocol.MAX_BATCH,
        page_limit: int = protocol.MAX_PAGE,
        backoff: Backoff | None = None,
        stop: threading.Event | None = None,
        app_version: str = storebox.__version__,
        health_every: float = 60.0,
    ) -> None:
        if not 1 <= batch_size <= protocol.MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{protocol.MAX_BATCH}")
        if not 1 <= page_limit <= protocol.MAX_PAGE:
            raise ValueError(f"page_limit must be 1..{protocol.MAX_PAGE}")
        self.shop = shop
        self.client = client
        self.streams = tuple(streams)
        self.batch_size = batch_size
        self.page_limit = page_limit
        self.backoff = backoff or Backoff()
        self.stop = stop or threading.Event()
        self.app_version = app_version
        self.monitor = ConnectionMonitor()
        self.last_report: RoundReport | None = None
        self.health_every = health_every
        """Seconds between health reports (rounds can come every second while the till sells);
        a change of connection state is reported at once."""
        self._health_sent_at: float | None = None
        self._refused: dict[str, str] = {}
        """The last refusal per stream, so that a page refused round after round is logged once."""

    # --- push -----------------------------------------------------------------------------

    def _wire(self, pending: syncstate.PendingEvent, report: RoundReport) -> protocol.Event | None:
        try:
            return protocol.Event(
                event_id=pending.event_id,
                kind=pending.kind,
                created_at=pending.created_at,
                payload=json.loads(pending.payload_json),
            )
        except (ValidationError, ValueError) as exc:
            reason = f"cannot be sent (not a valid event): {exc}"[:500]
            syncstate.park(self.shop, pending.event_id, reason)
            report.rejected.append(
                {"event_id": pending.event_id, "kind": pending.kind, "reason": reason}
            )
            log.error("outbox event %s parked: %s", pending.event_id, reason)
            return None

    def push(self, report: RoundReport) -> None:
        while not self.stop.is_set():
            pending = syncstate.pending_events(self.shop, self.batch_size)
            if not pending:
                return
            events = [e for e in (self._wire(p, report) for p in pending) if e is not None]
            if events:
                self._send(events, report)

    def _send(self, events: list[protocol.Event], report: RoundReport) -> None:
        request = protocol.PushRequest(events=events)
        ids = [e.event_id for e in events]
        try:
            answer = self.client.push(request)
        except HubUnavailable as exc:
            syncstate.note_attempt_failed(self.shop, ids, str(exc))
            raise
        except DeviceRevoked:
            raise
        except HubRefused as exc:
            if exc.status not in SPLIT_STATUS:
                syncstate.note_attempt_failed(self.shop, ids, str(exc))
                raise
            if len(events) > 1:
                half = len(events) // 2
                self._send(events[:half], report)
                self._send(events[half:], report)
                return
            reason = f"refused by the hub: {exc}"[:500]
            syncstate.park(self.shop, ids[0], reason)
            report.rejected.append({"event_id": ids[0], "kind": events[0].kind, "reason": reason})
            log.error("outbox event %s parked: %s", ids[0], reason)
            return
        outcomes = {r.event_id: syncstate.Outcome(r.status, r.reason) for r in answer.results}
        syncstate.mark_delivered(self.shop, outcomes)
        kinds = {e.event_id: e.kind for e in events}
        report.pushed += len(events)
        for r in answer.results:
            if r.status == "applied":
                report.applied += 1
            elif r.status == "duplicate":
                report.duplicate += 1
            else:
                reason = r.reason or "rejected by the hub (no reason given)"
                report.rejected.append(
                    {"event_id": r.event_id, "kind": kinds[r.event_id], "reason": reason}
                )
                log.warning("hub rejected event %s (%s): %s", r.event_id, kinds[r.event_id], reason)

    # --- pull -----------------------------------------------------------------------------

    def pull(self, stream: str, report: RoundReport) -> None:
        """Pull one stream to its end. The next page is fetched while this one is applied
        (one page ahead, on one worker thread that alone uses the client meanwhile), so the
        hub's time and the local transaction overlap; each page still commits with its cursor,
        in order, and nothing after a refused page is applied.

        A page is checked before anything of it is applied: no more changes than asked for,
        and a cursor of this stream that does not go below the one held in the same epoch nor
        stand still while `more` is true (protocol.CursorOrder). A cursor of another epoch
        means the hub's database was replaced: the stream is pulled again from the start, as
        after a 410."""
        cursor = syncstate.stream_position(self.shop, stream).cursor
        report.pulled.setdefault(stream, 0)
        resynced = False
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"pull-{stream}") as ahead:

            def resync(why: str) -> Future[protocol.PullPage]:
                nonlocal resynced, cursor
                if resynced:
                    raise HubUnavailable(
                        f"stream {stream}: {why} again while resyncing from the start"
                    )
                cleared = syncstate.reset_stream(self.shop, stream)
                log.warning(
                    "stream %s: %s; cleared %d local rows, pulling it again from the start",
                    stream,
                    why,
                    cleared,
                )
                report.resynced.append(stream)
                resynced, cursor = True, None
                return ahead.submit(self.client.pull, stream, None, self.page_limit)

            fetch = ahead.submit(self.client.pull, stream, cursor, self.page_limit)
            while True:
                try:
                    page = fetch.result()
                except CursorExpired:
                    fetch = resync("the hub no longer serves our cursor (410)")
                    continue
                if self._check_page(stream, cursor, page) == "new_epoch":
                    fetch = resync("the hub's database was replaced (a new epoch)")
                    continue
                following = None
                if page.more and not self.stop.is_set():
                    following = ahead.submit(self.client.pull, stream, page.cursor, self.page_limit)
                changes = [_item(stream, c) for c in page.changes]
                try:
                    syncstate.apply_page(self.shop, stream, changes, page.cursor)
                except InvalidInput as exc:  # the core's own rules refused an item
                    raise BadPage(f"stream {stream}: page refused: {exc.message}") from None
                report.pulled[stream] += len(changes)
                if following is None:
                    return
                cursor, fetch = page.cursor, following

    def _check_page(self, stream: str, held: str | None, page: protocol.PullPage) -> str:
        """'ok' or 'new_epoch'; raises BadPage for a page that must not be applied."""
        if len(page.changes) > self.page_limit:
            raise BadPage(
                f"stream {stream}: asked for at most {self.page_limit} changes, "
                f"the hub sent {len(page.changes)}"
            )
        order = protocol.cursor_order(page.cursor)
        if order is None or order.stream != stream:
            raise BadPage(f"stream {stream}: the page's cursor {page.cursor[:80]!r} is not ours")
        before = None if held is None else protocol.cursor_order(held)
        if before is not None and before.epoch != order.epoch:
            return "new_epoch"
        if before is not None and (
            order.position < before.position or order.generation < before.generation
        ):
            raise BadPage(
                f"stream {stream}: the hub's cursor went backwards "
                f"({page.cursor[:80]!r} after {held!r})"
            )
        start = (0, 0) if before is None else before.position
        if page.more and (order.position <= start or page.cursor == held):
            raise BadPage(
                f"stream {stream}: 'more' with a cursor that does not move ({page.cursor[:80]!r})"
            )
        return "ok"

    # --- health ---------------------------------------------------------------------------

    def _health(self, status: syncstate.SyncStatus) -> None:
        report = protocol.HealthReport(
            at=self.shop.now(),
            app_version=self.app_version[:40],
            devices=[
                protocol.DeviceHealth.model_validate(
                    {"name": d.name, "url": d.url[:200], "state": d.state, "detail": d.detail}
                )
                for d in device_health.devices(self.shop)
            ],
            agent=protocol.AgentState(
                online=status.online,
                pending_events=status.pending_events,
                dead_letters=status.dead_letters,
                last_success_at=status.last_success_at,
                last_error=None if status.last_error is None else status.last_error[:500],
                cursors={s.stream: s.cursor for s in status.streams if s.cursor},
            ),
        )
        self.client.health(report)

    # --- the round and the loop -----------------------------------------------------------

    def run_round(self) -> RoundReport:
        report = RoundReport()
        state, error = "online", None
        enrolled = syncstate.enrolment(self.shop)
        if enrolled is not None and enrolled.token != self.client.token:
            # `storebox enrol` ran again (after a revocation) while the agent kept running
            log.info("the device was enrolled again; using its new token")
            self.client.token = enrolled.token
        try:
            self.push(report)
            for stream in self.streams:
                if self.stop.is_set():
                    break
                try:
                    self.pull(stream, report)
                except BadPage as exc:  # this stream only; the others still come
                    if self._refused.get(stream) != exc.message:  # logged once, not each round
                        log.error("refused a page: %s", exc.message)
                    else:
                        log.debug("refused a page again: %s", exc.message)
                    self._refused[stream] = exc.message
                    error = exc.message
                else:
                    self._refused.pop(stream, None)
        except HubUnavailable as exc:
            state, error = "offline", exc.message
            report.retry_after = exc.retry_after
        except DeviceRevoked as exc:
            state, error = "refused", exc.message
        except HubRefused as exc:  # reachable, but said no to something: log, try next round
            log.error("the hub refused a request: %s", exc.message)
            error = exc.message
        report.stopped = self.stop.is_set()
        report.online = state == "online"
        report.error = error
        changed = self.monitor.update(state, self.shop.now(), error)
        status = syncstate.record_round(self.shop, online=report.online, error=error)
        report.pending_events, report.dead_letters = status.pending_events, status.dead_letters
        due = (
            self._health_sent_at is None
            or changed
            or time.monotonic() - self._health_sent_at >= self.health_every
        )
        if state != "offline" and due:
            try:
                self._health(status)
                self._health_sent_at = time.monotonic()
            except HubError as exc:
                log.debug("health report not delivered: %s", exc.message)
        self.last_report = report
        return report

    def run_forever(self, interval: float = 10.0, poll: float = 1.0) -> None:
        """Rounds until `stop` is set: `interval` seconds apart while all is well, backing
        off after failed rounds. While online, a new outbox event (a sale at the till) starts
        the next round early: the outbox is looked at every `poll` seconds (one indexed
        read). Returns after the step in flight when stopped."""
        failures = 0
        while not self.stop.is_set():
            try:
                report = self.run_round()
            except StoreUnavailable as exc:  # the shop's database busy or full: try again later
                log.warning("round abandoned, the local database is unavailable: %s", exc.message)
                report = RoundReport(error=exc.message)
            if report.error is None:
                failures = 0
                self._idle(interval, poll)
            else:
                failures += 1
                self.stop.wait(self.backoff.delay(failures, report.retry_after))

    def _idle(self, interval: float, poll: float) -> None:
        deadline = time.monotonic() + interval
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self.stop.wait(min(poll, left)):
                return
            try:
                if syncstate.pending_events(self.shop, 1):
                    return
            except StoreUnavailable:
                continue  # busy: look again at the next tick
