"""Exactly once under faults (issue 5, "Proof, not hope").

The real hub (tests/sync/conftest.py `hub`, uvicorn on loopback) sits behind the fault proxy
(tests/sync/faultproxy.py); the real agent (`storebox sync`, a subprocess) talks to the proxy
because the shop's `hub_url` setting points there. Meanwhile the test sells through the real
core in-process (storebox.simulate: sales, refunds, voids, cash outs, shift changes) and the
mall's catalogue changes on the hub. Cycle by cycle the proxy goes through every fault, each
cycle lasting until the agent's pushes or pulls have met it; the agent is SIGKILLed at random
moments and restarted, also while a push is at the hub and its answer on the way back, and
while the proxy still holds a push the dead agent sent (it reaches the hub about when the
successor sends the same events again); the hub itself restarts.

Then the proxy passes again, the agent drains the outbox, and the books must agree:

* every local outbox event is `sent`, none pending, none dead (all of them are valid events);
* the hub holds exactly the local outbox's event ids (by kind too), each applied once, none
  rejected;
* the hub's sales and refunds are the shop's, id by id, to the fen; the hub's report
  (`storebox hub report --json`) agrees with the shop's own Z report (`storebox report z
  --json`) on the contract keys and tenders, day by day;
* the shop's copies of the pull streams are what the hub serves, prices included;
* `storebox db check` is clean; `storebox sync --status` and the hub's view of the device
  show nothing pending or dead; no agent incarnation died of its own accord or logged a
  traceback; the proxy saw no internal error; and the faults really met the pushes (a push was
  cut after the hub committed it, so the drain had duplicates to answer).

The run is a series of fault cycles: a fault switched on, met by at least one of the agent's
pushes or pulls, then healed (now and then the harness waits until a push or pull comes back
whole). The agent runs with short timeouts and backoff (AGENT_TIMINGS: `storebox sync
--read-timeout 0.3 --backoff-cap 0.05 ...`), so a black-holed or refused agent carries on by
itself within a second instead of being killed to move on; the SIGKILLs are the schedule's own:
at random moments (cycles // 14 of them), with a push at the hub, with a push held by the proxy.
The test suite runs CYCLES (200) cycles in about a minute; `./dev soak --cycles N` runs
thousands (STOREBOX_FAULT_CYCLES). The figures (cycles, kills, events, lost answers, seconds)
are printed with the seed; set STOREBOX_FAULT_SEED to replay one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

import pytest
import requests
from sqlalchemy import select

from storebox import config, demo, demo_catalog, simulate
from storebox.shop import Shop, open_shop
from sync import protocol
from sync.hub.models import ReceivedEvent, Refund, Sale, StreamChange
from tests.sync.conftest import RunningHub
from tests.sync.faultproxy import Fault, FaultProxy, Stats, wait_for

pytestmark = pytest.mark.slow

PUSH = "POST /v1/events"
CONTRACT = (
    "sales_count",
    "sales_total_fen",
    "refunds_count",
    "refunds_total_fen",
    "bill_payments_count",
    "bill_payments_total_fen",
)
EXERCISE_TIMEOUT = 4.0
"""How long a cycle waits for the agent's traffic to meet its fault before it restarts the
agent (with AGENT_TIMINGS a healthy agent never waits that long: counted as a stall)."""

CYCLES: Final = 200
"""Fault cycles in the test suite's run (STOREBOX_FAULT_CYCLES to change; `./dev soak`)."""

AGENT_TIMINGS: Final = (
    "--interval",
    "0.1",
    "--backoff-base",
    "0.01",
    "--backoff-cap",
    "0.05",
    "--connect-timeout",
    "0.5",
    "--read-timeout",
    "0.3",
)
"""Short rounds, backoff and timeouts: a black-holed or refused agent is back within half a
second, so the harness moves on without killing it (the shop's defaults are minutes)."""

DELAYS_MS: Final = (10, 30, 60)
"""A DELAY cycle's delay each way (twice it stays under the read timeout)."""

IN_FLIGHT_DELAY_MS: Final = 250
"""The delay that holds a push's answer while the agent is killed."""

CATALOGUE_CHANGE: Final = 0.1
"""The chance that the mall's catalogue changes before a cycle."""

RECOVERY_CHECK: Final = 0.2
"""The chance that a healed cycle waits for a push or pull answered whole."""


def random_kills(cycles: int) -> int:
    """SIGKILLs at random moments (besides the DELAY cycles' and the stalls')."""
    return cycles // 14


def cli(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args, "--data-dir", str(data), "--set", "pin_scrypt_n=16"]


def clean_env() -> dict[str, str]:
    """The subprocesses' environment without any STOREBOX_* setting of the machine's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("STOREBOX_")}


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli(data, *args), check=False, capture_output=True, text=True, timeout=120, env=clean_env()
    )


def hub_report(hub: RunningHub, store_id: str, *args: str) -> dict[str, Any]:
    """`storebox hub report --store ID --json`, as the hub's operator runs it."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "hub",
            "report",
            "--db",
            hub.db_url,
            "--store",
            store_id,
            *args,
            "--json",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


# --- the pull side: the hub's streams and the shop's copies ----------------------------------------


def hub_streams(hub: RunningHub) -> dict[str, dict[str, Any]]:
    """What the hub serves now: stream -> key -> item."""
    out: dict[str, dict[str, Any]] = {"catalog": {}, "billers": {}, "config": {}}
    with hub.db.reading() as session:
        rows = session.execute(
            select(StreamChange.stream, StreamChange.key, StreamChange.data_json).where(
                StreamChange.op == "upsert"
            )
        ).all()
    for stream, key, data in rows:
        assert data is not None, f"an upsert of {stream}/{key} without data"
        out.setdefault(stream, {})[key] = json.loads(data)
    return out


def copies_match(hub: RunningHub, db: Path) -> bool:
    """The shop's copies hold exactly the hub's keys, and the catalogue its prices."""
    served = hub_streams(hub)
    catalog = {
        str(sku): (int(w), int(r))
        for sku, w, r in local_rows(
            db, "SELECT sku, wholesale_price_fen, retail_price_fen FROM mall_items"
        )
    }
    return (
        catalog
        == {
            k: (v["wholesale_price_fen"], v["retail_price_fen"])
            for k, v in served["catalog"].items()
        }
        and {str(r[0]) for r in local_rows(db, "SELECT biller_id FROM billers")}
        == set(served["billers"])
        and {str(r[0]) for r in local_rows(db, "SELECT key FROM hub_config")}
        == set(served["config"])
    )


def change_catalogue(hub: RunningHub, rnd: random.Random, serial: int) -> int:
    """The mall changes while the shop is offline: new goods, new prices, goods withdrawn."""
    have = sorted(hub_streams(hub)["catalog"])
    upserts = [
        (
            sku,
            {
                "sku": sku,
                "name": f"商品 {sku}",
                "wholesale_price_fen": rnd.randint(50, 5_000),
                "retail_price_fen": rnd.randint(100, 9_000),
            },
        )
        for sku in {
            *(f"T{serial:03d}-{i}" for i in range(rnd.randint(1, 30))),
            *rnd.sample(have, min(len(have), rnd.randint(0, 10))),
        }
    ]
    chosen = {k for k, _ in upserts}
    deletes = [k for k in rnd.sample(have, min(len(have), rnd.randint(0, 3))) if k not in chosen]
    return hub.publish("catalog", upserts, deletes)


# --- the agent, a real process ----------------------------------------------------------------


class Agent:
    """`storebox sync` against `hub_url`, killed and restarted at will; every incarnation's
    stderr goes to one log file, so a traceback in any of them is found at the end."""

    def __init__(self, data: Path, hub_url: str, log_path: Path) -> None:
        self.data = data
        self.hub_url = hub_url
        self.log_path = log_path
        self.log: IO[bytes] = log_path.open("ab")
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0

    def start(self) -> None:
        assert self.proc is None
        self.log.write(f"--- incarnation {self.starts + 1}\n".encode())
        self.log.flush()
        self.proc = subprocess.Popen(
            [
                *cli(self.data, "sync", *AGENT_TIMINGS),
                "--set",
                f"hub_url={self.hub_url}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            env=clean_env(),
        )
        self.starts += 1

    def check_alive(self) -> None:
        """An agent that exits by itself is a failure: it must survive every fault."""
        assert self.proc is not None
        code = self.proc.poll()
        assert code is None, f"the agent exited by itself (code {code}):\n{self.log_tail()}"

    def kill(self) -> None:
        assert self.proc is not None
        self.check_alive()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None
        self.kills += 1

    def terminate(self) -> int:
        """SIGTERM: finish the step in flight, then exit; its exit code."""
        assert self.proc is not None
        self.check_alive()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self.proc = None
        return code

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.proc = None
        self.log.close()

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# --- sales through the real core, in-process ----------------------------------------------------


class Selling(threading.Thread):
    """Small runs of the shop's simulation until told to stop: sales, refunds, voids, cash
    outs and (with a short `shift_every`) shift hand-overs, each through the real use cases."""

    def __init__(self, shop: Shop, rnd: random.Random) -> None:
        super().__init__(name="selling", daemon=True)
        self.shop = shop
        self.rnd = random.Random(rnd.randrange(2**32))
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.result = simulate.SimulationResult()

    def run(self) -> None:
        try:
            people = demo.ensure_people(self.shop)
            while not self.stop.is_set():
                done = simulate.run(
                    self.shop,
                    people.cashiers,
                    people.owner,
                    sales_count=self.rnd.randint(1, 3),
                    seed=self.rnd.randrange(2**32),
                    shift_every=self.rnd.choice((2, 3, 1000)),
                )
                self.result.sales += done.sales
                self.result.refunds += done.refunds
                self.result.shifts_closed += done.shifts_closed
                # Pacing, not synchronisation: a busy shop, not a benchmark.
                self.stop.wait(self.rnd.uniform(0.05, 0.15))
        except BaseException as exc:
            self.error = exc


# --- what each side holds ---------------------------------------------------------------------


def local_rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def outbox_status(db: Path) -> Counter[str]:
    return Counter(
        {
            str(s): int(n)
            for s, n in local_rows(db, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
        }
    )


@dataclass
class Measured:
    seed: int
    cycles: int = 0
    cycles_by_fault: Counter[str] = field(default_factory=Counter)
    faults_on_pushes: Counter[str] = field(default_factory=Counter)
    faults_on_pulls: Counter[str] = field(default_factory=Counter)
    kills: int = 0
    random_kills: int = 0
    in_flight_kills: int = 0
    stall_restarts: int = 0
    hub_restarts: int = 0
    recoveries: int = 0
    events: int = 0
    push_requests: int = 0
    pull_requests: int = 0
    sales: int = 0
    refunds: int = 0
    lost_push_answers: int = 0
    stale_request_kills: int = 0
    catalogue_changes: int = 0
    seconds: float = 0.0
    faults_seconds: float = 0.0
    drain_seconds: float = 0.0

    def line(self) -> str:
        pushes = ", ".join(f"{k} {v}" for k, v in sorted(self.faults_on_pushes.items()))
        pulls = ", ".join(f"{k} {v}" for k, v in sorted(self.faults_on_pulls.items()))
        return (
            f"seed {self.seed}: {self.cycles} fault cycles "
            f"({', '.join(f'{k} {v}' for k, v in sorted(self.cycles_by_fault.items()))}), "
            f"{self.recoveries} of them checked healed by a whole answer; "
            f"faults met by pushes: {pushes}; by pulls: {pulls}; "
            f"{self.kills} SIGKILLs ({self.random_kills} at random moments, "
            f"{self.in_flight_kills} with a push at the hub, "
            f"{self.stale_request_kills} before a held push reached the hub, "
            f"{self.stall_restarts} to end a stall); {self.hub_restarts} hub restarts; "
            f"{self.catalogue_changes} catalogue changes published; "
            f"{self.lost_push_answers} push answers lost after the hub committed; "
            f"{self.push_requests} push and {self.pull_requests} pull requests; "
            f"{self.events} events, {self.sales} sales, {self.refunds} refunds; "
            f"{self.seconds:.1f} s ({self.faults_seconds:.1f} s of faults, "
            f"{self.drain_seconds:.1f} s to drain)"
        )


PULL: Final = "GET " + protocol.PULL_PATH.split("{", 1)[0]
"""The start of every pull request's method and path ("GET /v1/streams/")."""


def is_sync(what: str) -> bool:
    """A push or a pull (not a health report)."""
    return what == PUSH or what.startswith(PULL)


def sync_count(by_request: Counter[str]) -> int:
    return sum(n for what, n in by_request.items() if is_sync(what))


def traffic_met(stats: Stats, fault: Fault) -> int:
    """How many times the agent's pushes and pulls (or connections, for REFUSE) met `fault`;
    for PASS, how many of them were answered whole."""
    if fault is Fault.PASS:
        return sync_count(stats.answered_by)
    if fault is Fault.DELAY:
        return sync_count(stats.forwarded_by)
    met = sum(n for (f, what), n in stats.hits.items() if f == fault.value and is_sync(what))
    if fault is Fault.REFUSE:
        met += stats.hits["refuse", "connect"]
    return met


HUB_RESTART: Final = "hub_restart"
Phase = Fault | Literal["hub_restart"]


def schedule(rnd: random.Random, cycles: int, hub_restarts: int) -> list[Phase]:
    """`cycles` faults, every fault once in each run of eight (shuffled within it), and
    `hub_restarts` hub restarts at random places."""
    kinds = [f for f in Fault if f is not Fault.PASS]
    out: list[Phase] = []
    while len(out) < cycles:
        block: list[Phase] = list(kinds)
        rnd.shuffle(block)
        out.extend(block[: cycles - len(out)])
    for _ in range(hub_restarts):
        out.insert(rnd.randint(0, len(out)), HUB_RESTART)
    return out


def exercise(
    proxy: FaultProxy,
    agent: Agent,
    fault: Fault,
    measured: Measured,
    count: Callable[[Stats], int] | None = None,
) -> None:
    """Wait until the agent's traffic meets `fault` (or `count` grows); restart an agent that
    stalls (with the harness's short timeouts and backoff it should not: this is counted)."""
    counter = count or (lambda stats: traffic_met(stats, fault))
    before = counter(proxy.stats())

    def met() -> bool:
        agent.check_alive()
        return counter(proxy.stats()) > before

    try:
        wait_for(met, timeout=EXERCISE_TIMEOUT, interval=0.01)
    except AssertionError:
        # What the shop's watchdog would do; one more kill at an arbitrary moment.
        agent.kill()
        measured.stall_restarts += 1
        agent.start()
        wait_for(met, timeout=3 * EXERCISE_TIMEOUT, interval=0.01)


def restart_gracefully(hub: RunningHub) -> Callable[[], None]:
    def restart() -> None:
        hub.stop()  # uvicorn's graceful stop: the request in flight is finished first
        hub.start()

    return restart


def run_harness(
    hub: RunningHub,
    tmp_path: Path,
    *,
    cycles: int,
    hub_restarts: int = 3,
    restart_hub: Callable[[], None] | None = None,
) -> Measured:
    """`hub` serves on `hub.port` and gives the operator's helpers; `restart_hub` takes it down
    and up again (default: the fixture's graceful stop and start), `hub_restarts` times, each
    just after the proxy forwarded a push or pull to it. `cycles` fault cycles: a fault
    switched on, met by the agent's pushes or pulls, then healed."""
    restart_hub = restart_hub or restart_gracefully(hub)
    seed = int(os.environ.get("STOREBOX_FAULT_SEED") or random.SystemRandom().randrange(10**9))
    print(f"\nexactly-once fault harness: STOREBOX_FAULT_SEED={seed} ({cycles} cycles)")
    rnd = random.Random(seed)
    measured = Measured(seed=seed)
    started = time.monotonic()

    data = tmp_path / "shop"
    db = data / "storebox.db"
    settings = config.load(
        config_path=None, environ={}, overrides={"data_dir": str(data), "pin_scrypt_n": 16}
    )
    with open_shop(settings) as shop:
        people = demo.ensure_people(shop)
        demo_catalog.seed_catalog(shop, people.owner)

    store_id = hub.create_store("幸福小店")
    enrolled = run_cli(
        data, "enrol", "--hub", hub.base_url, "--code", hub.enrol_code(store_id), "--json"
    )
    assert enrolled.returncode == 0, enrolled.stderr
    assert json.loads(enrolled.stdout)["store_id"] == store_id

    with (
        FaultProxy(("127.0.0.1", hub.port)) as proxy,
        open_shop(settings) as shop,
    ):
        agent = Agent(data, proxy.url, tmp_path / "agent.log")
        selling = Selling(shop, rnd)
        try:
            agent.start()
            selling.start()
            # The first push (the seeded catalogue's events) goes through untouched.
            wait_for(lambda: traffic_met(proxy.stats(), Fault.PASS) > 0, timeout=30)
            agent.check_alive()

            delays = 0
            kill_at = set(rnd.sample(range(1, cycles + 1), random_kills(cycles)))
            faults_started = time.monotonic()
            for phase in schedule(rnd, cycles, hub_restarts):
                if rnd.random() < CATALOGUE_CHANGE:
                    measured.catalogue_changes += change_catalogue(hub, rnd, measured.cycles)
                if phase == HUB_RESTART:
                    # The hub goes down the moment a request reached it (in the middle of the
                    # batch, if it is killed) and comes back on the same port and database;
                    # meanwhile the proxy answers 502 like a load balancer whose backend is gone.
                    proxy.set(Fault.PASS)
                    exercise(proxy, agent, Fault.DELAY, measured)  # DELAY counts forwarded
                    restart_hub()
                    measured.hub_restarts += 1
                    continue
                fault = phase
                measured.cycles += 1
                measured.cycles_by_fault[fault.value] += 1
                proxy.set(
                    fault,
                    delay_ms=rnd.choice(DELAYS_MS),
                    keep_fraction=rnd.choice((0.0, 0.3, 0.9)),
                )
                variant = "random" if measured.cycles in kill_at else "none"
                if fault is Fault.DELAY:
                    # The first DELAY cycle kills with the answer in flight, the second with
                    # the push still held by the proxy, a later one either way or not at all.
                    delays += 1
                    variant = {1: "in_flight", 2: "stale"}.get(delays) or rnd.choice(
                        ("in_flight", "stale", variant, variant, variant)
                    )
                if variant == "stale":
                    # The proxy holds a push it has read for longer than the agent takes to
                    # die and come back: the dead agent's request reaches the hub about when
                    # its successor sends the same events again.
                    proxy.set(Fault.DELAY, delay_ms=1500)
                    exercise(proxy, agent, fault, measured, lambda st: st.requests_by[PUSH])
                    agent.kill()
                    measured.stale_request_kills += 1
                    agent.start()
                elif variant == "in_flight":
                    # A push is at the hub (forwarded), its answer held back by the delay:
                    # kill the agent now, before it can mark anything sent.
                    proxy.set(Fault.DELAY, delay_ms=IN_FLIGHT_DELAY_MS)
                    exercise(proxy, agent, fault, measured, lambda st: st.forwarded_by[PUSH])
                    agent.kill()
                    measured.in_flight_kills += 1
                    agent.start()
                elif variant == "random":
                    # A random moment: before or after the fault met the agent's traffic.
                    if rnd.random() < 0.5:
                        exercise(proxy, agent, fault, measured)
                    # Pacing a random moment (the durability tests' way), then SIGKILL.
                    selling.stop.wait(rnd.uniform(0.0, 0.2))
                    agent.kill()
                    measured.random_kills += 1
                    if rnd.random() < 0.3:
                        selling.stop.wait(rnd.uniform(0.0, 0.2))  # the shop is down a while
                    agent.start()
                    exercise(proxy, agent, fault, measured)
                else:
                    exercise(proxy, agent, fault, measured)
                # Healed; now and then wait until a push or pull comes back whole.
                proxy.set(Fault.PASS)
                if rnd.random() < RECOVERY_CHECK:
                    exercise(proxy, agent, Fault.PASS, measured)
                    measured.recoveries += 1
                assert selling.error is None, repr(selling.error)

            measured.faults_seconds = time.monotonic() - faults_started
            selling.stop.set()
            selling.join(timeout=60)
            assert not selling.is_alive()
            assert selling.error is None, repr(selling.error)

            # Heal: the proxy passes; a clean stop ends any backoff, and a fresh agent drains.
            # (A SIGTERM that lands while the agent is still starting, before its handler is
            # installed, ends it the default way: nothing was in flight then.)
            proxy.set(Fault.PASS)
            assert agent.terminate() in (0, -signal.SIGTERM), agent.log_tail()
            drain_started = time.monotonic()
            agent.start()
            total = sum(outbox_status(db).values())
            seen = proxy.stats().requests
            # Drained, and the fresh agent is at work (it may find nothing left to push: the
            # one stopped above finishes the batch in flight) before it is asked to stop.
            wait_for(
                lambda: (
                    outbox_status(db)["pending"] == 0
                    and proxy.stats().requests > seen
                    and copies_match(hub, db)
                ),
                timeout=60,
                interval=0.05,
            )
            measured.drain_seconds = time.monotonic() - drain_started
            assert agent.terminate() == 0, agent.log_tail()
        finally:
            selling.stop.set()
            agent.close()
        assert proxy.errors == []
        stats = proxy.stats()

    measured.kills = agent.kills
    measured.events = total
    measured.sales = len(local_rows(db, "SELECT id FROM sales"))
    measured.refunds = len(local_rows(db, "SELECT id FROM refunds"))
    measured.faults_on_pushes = Counter(
        {fault: n for (fault, what), n in stats.hits.items() if what == PUSH}
    )
    measured.faults_on_pushes["refuse (connect)"] = stats.hits["refuse", "connect"]
    for (kind, what), n in stats.hits.items():
        if what.startswith(PULL):
            measured.faults_on_pulls[kind] += n
    measured.lost_push_answers = stats.lost_answers[PUSH]
    measured.push_requests = stats.requests_by[PUSH]
    measured.pull_requests = sum(n for w, n in stats.requests_by.items() if w.startswith(PULL))

    # --- the local books ---------------------------------------------------------------------
    assert outbox_status(db) == Counter({"sent": total}), "every event sent, none dead"
    checked = run_cli(data, "db", "check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    log = (tmp_path / "agent.log").read_text(errors="replace")
    assert "Traceback" not in log and "internal error" not in log, log[-4000:]

    # --- the hub holds each event exactly once ---------------------------------------------
    local_events = {str(r[0]) for r in local_rows(db, "SELECT event_id FROM outbox")}
    with hub.db.reading() as session:
        hub_events = session.execute(
            select(ReceivedEvent.event_id, ReceivedEvent.status).where(
                ReceivedEvent.store_id == store_id
            )
        ).all()
        hub_sales = {
            r.sale_id: (r.event_id, r.total_fen)
            for r in session.execute(
                select(Sale.sale_id, Sale.event_id, Sale.total_fen).where(Sale.store_id == store_id)
            )
        }
        hub_refunds = {
            r.refund_id: r.total_fen
            for r in session.execute(
                select(Refund.refund_id, Refund.total_fen).where(Refund.store_id == store_id)
            )
        }
    assert len(hub_events) == len(local_events) == total
    assert {e.event_id for e in hub_events} == local_events
    assert Counter(e.status for e in hub_events) == Counter({"applied": total}), "none rejected"
    local_sales = {str(i): int(t) for i, t in local_rows(db, "SELECT id, total_fen FROM sales")}
    assert {k: v[1] for k, v in hub_sales.items()} == local_sales
    assert len({v[0] for v in hub_sales.values()}) == len(hub_sales), "one event per sale"
    local_refunds = {str(i): int(t) for i, t in local_rows(db, "SELECT id, total_fen FROM refunds")}
    assert hub_refunds == local_refunds

    # --- the hub's report and the shop's Z report agree, day by day ----------------------------
    days = sorted(str(r[0]) for r in local_rows(db, "SELECT DISTINCT business_day FROM sales"))
    assert days
    for day in days:
        z_run = run_cli(data, "report", "z", "--date", day, "--json")
        assert z_run.returncode == 0, z_run.stderr
        z = json.loads(z_run.stdout)
        report = hub_report(hub, store_id, "--date", day)
        assert {k: report[k] for k in CONTRACT} == {k: z[k] for k in CONTRACT}, day
        assert report["tenders"] == z["tenders"], day
        assert z["pending_sync_events"] == 0
    everything = hub_report(hub, store_id)
    assert everything["events_received"] == total
    assert everything["events_rejected"] == 0
    local_kinds = dict(local_rows(db, "SELECT kind, COUNT(*) FROM outbox GROUP BY kind"))
    assert everything["events_by_kind"] == {k: {"applied": n} for k, n in local_kinds.items()}

    # --- what the owner and the hub's operator see of the agent ------------------------------
    status_run = run_cli(data, "sync", "--status", "--json")
    assert status_run.returncode == 0, status_run.stderr
    status = json.loads(status_run.stdout)
    assert (status["online"], status["pending_events"], status["dead_letters"]) == (True, 0, [])
    (device,) = everything["devices"]
    agent_state = device["health"]["agent"]
    assert (agent_state["pending_events"], agent_state["dead_letters"]) == (0, 0), device

    # --- the faults really happened ----------------------------------------------------------
    assert measured.hub_restarts == hub_restarts
    assert measured.sales > 0
    assert measured.cycles == cycles
    assert sum(measured.cycles_by_fault.values()) == cycles
    if cycles >= 8:  # every fault at least once, each met by the agent's pushes or pulls
        assert set(measured.cycles_by_fault) == {f.value for f in Fault if f is not Fault.PASS}
        for fault in Fault:
            if fault not in (Fault.PASS, Fault.DELAY, Fault.REFUSE):
                assert stats.hits[fault.value, PUSH] > 0, f"no push met {fault.value}"
        assert stats.hits["refuse", "connect"] + stats.hits["refuse", PUSH] > 0
        assert stats.lost_answers[PUSH] > 0, "no push was cut after the hub committed it"
        assert agent.kills >= random_kills(cycles) + 2
        assert measured.in_flight_kills >= 1
        assert measured.stale_request_kills >= (1 if cycles >= 16 else 0)

    measured.seconds = time.monotonic() - started
    print(measured.line())
    return measured


# --- the tests --------------------------------------------------------------------------------


@pytest.fixture
def cycles() -> int:
    return int(os.environ.get("STOREBOX_FAULT_CYCLES") or CYCLES)


def test_every_event_reaches_the_hub_exactly_once_under_faults_and_kills(
    hub: RunningHub, tmp_path: Path, cycles: int
) -> None:
    run_harness(hub, tmp_path, cycles=cycles, hub_restarts=max(3, cycles // 100))


@pytest.mark.pg
def test_exactly_once_on_a_postgresql_hub(
    hub_factory: Callable[..., RunningHub], pg_url: str, tmp_path: Path
) -> None:
    """The push path on PostgreSQL: the same harness, fewer cycles."""
    run_harness(hub_factory(pg_url), tmp_path, cycles=64, hub_restarts=1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HubProcess:
    """`storebox hub` as a real process on a loopback port, SIGKILLed and started again."""

    def __init__(self, db_url: str, log_path: Path) -> None:
        self.db_url = db_url
        self.port = free_port()
        self.log_path = log_path
        self.log: IO[bytes] = log_path.open("ab")
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        assert self.proc is None
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "hub",
                "--db",
                self.db_url,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--catalog-items",
                "100",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            env=clean_env(),
        )
        wait_for(self.answers, timeout=60, interval=0.05)

    def answers(self) -> bool:
        assert self.proc is not None
        assert self.proc.poll() is None, self.log_path.read_text(errors="replace")[-3000:]
        try:
            with requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as answer:
                return answer.status_code == 200
        except requests.RequestException:
            return False

    def kill_and_restart(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None
        self.kills += 1
        self.start()

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.proc = None
        self.log.close()


def test_exactly_once_when_the_hub_process_is_killed_mid_batch(tmp_path: Path) -> None:
    """The hub as `storebox hub` (its own process, SQLite), SIGKILLed the moment a push reaches
    it, four times, while the shop sells (the proxy's faults and the agent's kills are the other
    tests' business: this one stays short)."""
    server = HubProcess(str(tmp_path / "hub.db"), tmp_path / "hub.log")
    server.start()
    operator = RunningHub(server.db_url)  # the operator's hand on its database, not serving
    operator.port = server.port
    try:
        run_harness(
            operator, tmp_path, cycles=0, hub_restarts=4, restart_hub=server.kill_and_restart
        )
    finally:
        server.close()
        operator.close()
    assert server.kills == 4
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]


@pytest.fixture(autouse=True)
def _no_env_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("STOREBOX_CONFIG", raising=False)
    yield
