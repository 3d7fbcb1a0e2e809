"""The agent as its own process: one per shop database, a retry schedule that backs off with
jitter, `storebox sync --once` output, and a clean stop on SIGTERM — against the real hub."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.main import main
from storebox import syncstate
from storebox.shop import Shop
from sync.agent import AgentAlreadyRunning, AgentLock, Backoff
from tests.sync.conftest import RunningHub
from tests.sync.shopfixtures import open_counter, outbox_rows

ROOT = Path(__file__).resolve().parents[2]


def storebox_cmd(data_dir: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cli",
        *args,
        "--data-dir",
        str(data_dir),
        "--set",
        "pin_scrypt_n=16",
    ]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOREBOX_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


# --- backoff --------------------------------------------------------------------------------


def test_backoff_doubles_to_its_cap_with_jitter_in_the_upper_half() -> None:
    backoff = Backoff(base=2.0, cap=60.0, rng=random.Random(7))
    assert [backoff.ceiling(n) for n in range(0, 8)] == [0, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.ceiling(10_000) == 60  # no overflow after a long outage
    for failures in range(1, 12):
        delays = [backoff.delay(failures) for _ in range(200)]
        ceiling = backoff.ceiling(failures)
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 150  # jittered, not one value
    assert backoff.delay(0) == 0
    # the hub's Retry-After is a floor, itself capped
    assert backoff.delay(1, retry_after=30) >= 30
    assert backoff.delay(1, retry_after=10_000) <= 60
    with pytest.raises(ValueError):
        Backoff(base=10, cap=5)


def test_two_shops_back_off_differently() -> None:
    a, b = Backoff(rng=random.Random(1)), Backoff(rng=random.Random(2))
    assert [a.delay(5) for _ in range(5)] != [b.delay(5) for _ in range(5)]


# --- one agent per shop ---------------------------------------------------------------------


def test_a_second_agent_on_the_same_shop_is_refused(tmp_path: Path) -> None:
    with AgentLock(tmp_path):
        with pytest.raises(AgentAlreadyRunning, match=f"pid {os.getpid()}"):
            AgentLock(tmp_path).acquire()
        other = tmp_path / "other-shop"
        with AgentLock(other):  # another shop's agent is its own business
            pass
    with AgentLock(tmp_path):  # released: a new agent may start
        pass


def test_a_killed_agent_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from sync.agent import AgentLock; "
            f"AgentLock(Path({str(tmp_path)!r})).acquire(); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(AgentAlreadyRunning, match=f"pid {holder.pid}"):
            AgentLock(tmp_path).acquire()
        holder.kill()
        holder.wait(timeout=10)
        with AgentLock(tmp_path):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


# --- the command ----------------------------------------------------------------------------


def _enrol(shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]) -> str:
    store_id = hub.create_store()
    code = hub.enrol_code(store_id)
    args = [
        "enrol",
        "--hub",
        hub.base_url,
        "--code",
        code,
        "--data-dir",
        str(shop.settings.data_dir),
    ]
    assert main([*args, "--set", "pin_scrypt_n=16"]) == 0
    capsys.readouterr()
    return store_id


def test_sync_once_prints_what_it_pushed_and_pulled(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STOREBOX_HUB_URL", raising=False)
    store_id = _enrol(shop, hub, capsys)
    counter = open_counter(shop)
    counter.sell(colas=3)
    pending = len(outbox_rows(shop))
    z_args = ["report", "z", "--json", "--data-dir", str(shop.settings.data_dir)]
    assert main(z_args) == 0
    assert json.loads(capsys.readouterr().out)["pending_sync_events"] == pending
    args = ["sync", "--once", "--json", "--data-dir", str(shop.settings.data_dir)]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(z_args) == 0
    assert json.loads(capsys.readouterr().out)["pending_sync_events"] == 0
    assert doc["online"] is True and doc["error"] is None
    assert (doc["pushed"], doc["applied"], doc["pending_events"]) == (pending, pending, 0)
    assert doc["pulled"]["catalog"] == 200
    assert hub.report(store_id)["sales_count"] == 1
    # the text form says the same in lines
    counter.sell()
    assert main(["sync", "--once", "--data-dir", str(shop.settings.data_dir)]) == 0
    text = capsys.readouterr().out
    assert "hub: online" in text and "pushed 1 events: 1 applied" in text
    assert "catalog 0" in text
    # while another agent holds the shop, a second one says so and exits 2
    with AgentLock(shop.settings.data_dir):
        assert main(args) == 2
    assert "already running" in capsys.readouterr().err


def test_sync_once_offline_exits_1_and_keeps_the_events(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STOREBOX_HUB_URL", raising=False)
    _enrol(shop, hub, capsys)
    open_counter(shop).sell()
    hub.stop()
    assert main(["sync", "--once", "--json", "--data-dir", str(shop.settings.data_dir)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["online"] is False and doc["error"]
    assert doc["pending_events"] == len(outbox_rows(shop)) > 0
    assert {r[3] for r in outbox_rows(shop)} == {"pending"}


@pytest.mark.slow
def test_the_agent_runs_until_sigterm_and_stops_cleanly(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]
) -> None:
    store_id = _enrol(shop, hub, capsys)
    counter = open_counter(shop)
    data = shop.settings.data_dir
    agent = subprocess.Popen(
        storebox_cmd(data, "sync", "--interval", "0.2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    try:
        # sales go on while the agent runs beside the till; it picks them up by itself
        deadline = time.monotonic() + 60
        sold = 0
        while time.monotonic() < deadline:
            if sold < 5:
                counter.sell()
                sold += 1
            if (
                sold == 5
                and syncstate.status(shop).pending_events == 0
                and hub.report(store_id)["sales_count"] == 5
            ):
                break
            time.sleep(0.1)
        assert hub.report(store_id)["sales_count"] == 5
        # a second agent on the same shop is refused with a clear line
        second = subprocess.run(
            storebox_cmd(data, "sync", "--once"),
            check=False,
            capture_output=True,
            text=True,
            env=_env(),
            cwd=ROOT,
            timeout=60,
        )
        assert second.returncode == 2
        assert "already running" in second.stderr and f"pid {agent.pid}" in second.stderr
        agent.send_signal(signal.SIGTERM)
        _, err = agent.communicate(timeout=30)
        assert agent.returncode == 0, err
        assert "sync agent stopped" in err
        assert "Traceback" not in err
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.communicate()
    con = sqlite3.connect(shop.settings.db_path)
    assert con.execute("SELECT count(*) FROM outbox WHERE status != 'sent'").fetchone() == (0,)
    con.close()
    with AgentLock(data):  # the lock went with it
        pass


@pytest.mark.slow
def test_sigterm_during_a_push_lets_the_batch_finish_and_be_marked(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGTERM arrives while a batch is at the hub and its answer is on the way: the agent
    waits for the answer, marks the batch, and only then exits."""
    import threading

    from tests.sync.rawhttp import RawServer, Request, response
    from tests.sync.test_agent_hub import _forward

    store_id = _enrol(shop, hub, capsys)
    open_counter(shop).sell()
    at_hub = threading.Event()

    def slow_push(request: Request) -> bytes:
        status, body = _forward(hub, request)
        if request.path == "/v1/events":
            at_hub.set()
            time.sleep(1.5)  # the answer takes its time
        return response(status, body)

    proxy = RawServer(answers=[slow_push] * 20)
    data = shop.settings.data_dir
    agent = subprocess.Popen(
        [*storebox_cmd(data, "sync", "--interval", "30"), "--set", f"hub_url={proxy.url}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    try:
        assert at_hub.wait(60), "the agent never pushed"
        agent.send_signal(signal.SIGTERM)
        _, err = agent.communicate(timeout=30)
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.communicate()
        proxy.close()
    assert agent.returncode == 0, err
    assert "finishing the current step" in err and "Traceback" not in err
    assert {r[3] for r in outbox_rows(shop)} == {"sent"}
    assert hub.report(store_id)["sales_count"] == 1
    # it stopped after the push: no stream was pulled in this short life
    assert not [r for r in proxy.requests if r.path.startswith("/v1/streams/")]


def test_sync_status_shows_the_state_and_the_dead_letters_without_the_hub(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STOREBOX_HUB_URL", raising=False)
    data = ["--data-dir", str(shop.settings.data_dir)]
    assert main(["sync", "--status", "--json", *data]) == 0
    never = json.loads(capsys.readouterr().out)
    assert (never["enrolled"], never["online"], never["last_success_at"]) == (False, False, None)
    store_id = _enrol(shop, hub, capsys)
    open_counter(shop).sell()
    from storebox import outbox
    from storebox.ids import new_id

    bad_id = new_id()
    with shop.store.write() as session:  # a refund that names no payments: never acceptable
        outbox.enqueue(
            session,
            event_id=bad_id,
            at=shop.now(),
            kind="refund.completed",
            payload={"total_fen": 5},
        )
    assert main(["sync", "--once", *data]) == 0
    capsys.readouterr()
    hub.stop()  # the status reads the shop only
    assert main(["sync", "--status", "--json", *data]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["enrolled"], doc["store_id"], doc["online"], doc["pending_events"]) == (
        True,
        store_id,
        True,
        0,
    )
    assert [d["event_id"] for d in doc["dead_letters"]] == [bad_id]
    assert doc["dead_letters"][0]["kind"] == "refund.completed" and doc["dead_letters"][0]["reason"]
    assert doc["streams"]["catalog"]["cursor"]
    assert main(["sync", "--status", *data]) == 0
    text = capsys.readouterr().out
    assert f"dead {bad_id} (refund.completed" in text and "dead letters: 1" in text
