"""Real processes on one real SQLite file: SIGKILL in the middle of selling, and two tills
selling at once. These run the installed `storebox` command, exactly as a shop does."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storebox import config, integrity
from storebox.shop import open_shop

pytestmark = pytest.mark.slow

CHEAP_PINS = ["--set", "pin_scrypt_n=16"]


def storebox(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli", *args, "--data-dir", str(data_dir), *CHEAP_PINS]


def count(db: Path, table: str) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        con.close()


def check_books(data_dir: Path) -> None:
    """Everything committed is whole: SQLite's check, the journal chain and every invariant."""
    settings = config.load(environ={}, overrides={"data_dir": str(data_dir)})
    with open_shop(settings) as shop:
        report = integrity.check(shop)
    assert report.ok, report.render_text()
    con = sqlite3.connect(settings.db_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # Numbers are taken inside the sale's transaction: a killed sale takes its number back.
        for day, seqs in con.execute(
            "SELECT business_day, GROUP_CONCAT(seq) FROM sales GROUP BY business_day"
        ).fetchall():
            got = sorted(int(s) for s in seqs.split(","))
            assert got == list(range(1, len(got) + 1)), f"gap in sale numbers on {day}"
        # Each outbox event has its journal entry and the other way round.
        assert con.execute(
            "SELECT COUNT(*) FROM outbox o LEFT JOIN journal j ON j.id = o.event_id WHERE j.id IS NULL"
        ).fetchone() == (0,)
        # Every money event in the outbox belongs to a row that exists.
        assert con.execute(
            "SELECT COUNT(*) FROM outbox o WHERE o.kind = 'sale.completed' "
            "AND NOT EXISTS (SELECT 1 FROM sales s WHERE s.id = json_extract(o.payload_json, '$.ref_id'))"
        ).fetchone() == (0,)
    finally:
        con.close()


def test_sigkill_in_the_middle_of_selling_loses_nothing_committed(tmp_path: Path) -> None:
    data = tmp_path / "shop"
    db = data / "storebox.db"
    subprocess.run(storebox(data, "simulate", "--sales", "3"), check=True, capture_output=True)
    rnd = random.Random(20261125)
    kills = 0
    for _ in range(12):
        before = count(db, "sales")
        proc = subprocess.Popen(
            storebox(data, "simulate", "--sales", "100000", "--seed", str(rnd.randint(1, 10**6))),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while count(db, "sales") <= before + rnd.randint(0, 15):
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the simulator made no sales"
            time.sleep(0.01)
        time.sleep(rnd.uniform(0, 0.05))  # land anywhere inside the next sale
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
        kills += proc.returncode == -signal.SIGKILL
    assert kills == 12
    assert count(db, "sales") > 12
    check_books(data)


def test_two_processes_selling_at_once_both_succeed(tmp_path: Path) -> None:
    data = tmp_path / "shop"
    # One run seeds the people and the goods and leaves the shift open for both tills.
    subprocess.run(
        storebox(data, "simulate", "--sales", "1", "--shift-every", "1000000"),
        check=True,
        capture_output=True,
    )
    procs = [
        subprocess.Popen(
            storebox(
                data, "simulate", "--sales", "120", "--seed", str(seed), "--shift-every", "1000000"
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed in (11, 22)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
        assert b"locked" not in err and b"busy" not in err
    assert count(data / "storebox.db", "sales") == 1 + 2 * 120
    check_books(data)
