"""`storebox sync`'s timing options: round interval, backoff base and cap, connect and read
timeouts. Defaults unchanged; a bad value is refused with the option's name before anything is
opened or started; a good value reaches the agent (a short read timeout ends a black-holed
round at once, a short backoff retries a refusing hub many times a second)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cli.main import build_parser, main
from cli.sync_cmd import Timings, timings
from storebox import syncstate
from storebox.shop import Shop
from sync import client
from sync.agent import Backoff
from tests.sync.conftest import RunningHub
from tests.sync.faultproxy import Fault, FaultProxy, wait_for
from tests.sync.shopfixtures import open_counter, outbox_rows
from tests.sync.test_agent_process import ROOT, _enrol, _env, storebox_cmd


def _parsed(*args: str) -> Timings:
    return timings(build_parser().parse_args(["sync", *args]))


def test_the_defaults_are_the_agents_own() -> None:
    default = _parsed()
    assert default == Timings(
        interval=10.0,
        backoff_base=2.0,
        backoff_cap=300.0,
        connect_timeout=client.CONNECT_TIMEOUT,
        read_timeout=client.READ_TIMEOUT,
    )
    backoff = Backoff()
    assert (default.backoff_base, default.backoff_cap) == (backoff.base, backoff.cap)
    assert (client.CONNECT_TIMEOUT, client.READ_TIMEOUT) == (5.0, 30.0)  # what --help says


def test_the_help_names_each_option_and_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for option, default in (
        ("--interval", "default 10"),
        ("--backoff-base", "default 2"),
        ("--backoff-cap", "default 300"),
        ("--connect-timeout", f"default {client.CONNECT_TIMEOUT:g}"),
        ("--read-timeout", f"default {client.READ_TIMEOUT:g}"),
    ):
        usage, _, helps = text.partition("options:")
        assert option in usage
        paragraph = helps.split(option, 1)[1].split(" --", 1)[0]
        assert default in paragraph, (option, paragraph)


def test_good_values_are_taken() -> None:
    assert _parsed(
        "--interval",
        "0.1",
        "--backoff-base",
        "0.01",
        "--backoff-cap",
        "0.01",
        "--connect-timeout",
        "0.25",
        "--read-timeout",
        "3600",
    ) == Timings(0.1, 0.01, 0.01, 0.25, 3600.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interval", "0"], "--interval must be between 0.1 and 3600 seconds, got 0"),
        (["--interval", "nan"], "--interval must be between 0.1 and 3600 seconds, got nan"),
        (["--backoff-base", "-1"], "--backoff-base must be between 0.01 and 3600 seconds"),
        (["--backoff-base", "0"], "--backoff-base must be between 0.01 and 3600 seconds"),
        (["--backoff-cap", "inf"], "--backoff-cap must be between 0.01 and 86400 seconds"),
        (["--backoff-cap", "1"], "--backoff-cap (1 s) must not be below --backoff-base (2 s)"),
        (
            ["--backoff-base", "5", "--backoff-cap", "4"],
            "--backoff-cap (4 s) must not be below --backoff-base (5 s)",
        ),
        (["--connect-timeout", "0"], "--connect-timeout must be between 0.01 and 300 seconds"),
        (["--connect-timeout", "301"], "--connect-timeout must be between 0.01 and 300 seconds"),
        (["--read-timeout", "-0.5"], "--read-timeout must be between 0.01 and 3600 seconds"),
    ],
)
def test_a_bad_value_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    data = tmp_path / "never-made"
    assert main(["sync", *args, "--data-dir", str(data), "--json"]) == 2
    out, err = capsys.readouterr()
    assert message in err
    assert json.loads(out)["message"].startswith(message.split(" got ", maxsplit=1)[0])
    assert not data.exists(), "nothing opened: no data folder, no database, no lock"


def test_a_word_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sync", "--read-timeout", "soon"])
    assert exited.value.code == 2
    assert "--read-timeout: invalid float value: 'soon'" in capsys.readouterr().err


def test_a_short_read_timeout_ends_a_black_holed_round_at_once(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the default 30 s this round would wait half a minute on the first request."""
    _enrol(shop, hub, capsys)
    open_counter(shop).sell()
    data = ["--data-dir", str(shop.settings.data_dir), "--set", "pin_scrypt_n=16"]
    with FaultProxy(("127.0.0.1", hub.port)) as proxy:
        proxy.set(Fault.BLACKHOLE)
        started = time.monotonic()
        code = main(
            [
                "sync",
                "--once",
                "--json",
                "--read-timeout",
                "0.3",
                *data,
                "--set",
                f"hub_url={proxy.url}",
            ]
        )
        took = time.monotonic() - started
        assert proxy.errors == []
        assert proxy.stats().faults["blackhole"] >= 1
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["online"] is False
    assert "did not answer in time" in doc["error"] and "0.3" in doc["error"]
    assert took < 10, took  # 0.3 s and the round's own work, even on a loaded machine
    assert {r[3] for r in outbox_rows(shop)} == {"pending"}


@pytest.mark.slow
def test_a_short_backoff_retries_a_refusing_hub_often_and_resumes_at_once(
    shop: Shop, hub: RunningHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """Twelve refused rounds: with the default backoff (2 s doubling) that is hours; with
    --backoff-base 0.02 --backoff-cap 0.1 it is about a second."""
    store_id = _enrol(shop, hub, capsys)
    open_counter(shop).sell()
    with FaultProxy(("127.0.0.1", hub.port)) as proxy:
        proxy.set(Fault.REFUSE)
        agent = subprocess.Popen(
            [
                *storebox_cmd(
                    shop.settings.data_dir,
                    "sync",
                    "--interval",
                    "0.2",
                    "--backoff-base",
                    "0.02",
                    "--backoff-cap",
                    "0.1",
                    "--connect-timeout",
                    "0.5",
                    "--read-timeout",
                    "2",
                ),
                "--set",
                f"hub_url={proxy.url}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=ROOT,
        )
        try:
            wait_for(lambda: proxy.stats().hits["refuse", "connect"] >= 12, timeout=30)
            refused_at = time.monotonic()
            proxy.set(Fault.PASS)
            wait_for(lambda: syncstate.status(shop).pending_events == 0, timeout=30)
            resumed_in = time.monotonic() - refused_at
            agent.send_signal(signal.SIGTERM)
            _, err = agent.communicate(timeout=30)
        finally:
            if agent.poll() is None:
                agent.kill()
                agent.communicate()
        assert proxy.errors == []
    assert agent.returncode == 0, err
    assert "backoff 0.02 s doubling to 0.1 s, timeouts: connect 0.5 s, read 2 s" in err
    assert "Traceback" not in err
    assert resumed_in < 10, resumed_in
    assert hub.report(store_id)["sales_count"] == 1
