"""The `storebox` command as installers and support staff use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

CONTRACT = {
    "sales_count",
    "sales_total_fen",
    "refunds_count",
    "refunds_total_fen",
    "bill_payments_count",
    "bill_payments_total_fen",
    "pending_sync_events",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STOREBOX_PIN_SCRYPT_N", "16")
    monkeypatch.setenv("STOREBOX_CONFIG", "")
    return tmp_path / "shop"


def test_help_explains_every_subcommand_in_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in (
        "demo",
        "cashier",
        "simulate",
        "report",
        "db",
        "users",
        "bench",
        "terminal-sim",
        "devices",
    ):
        lines = out.splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip().split(" ")[0] == name)
        # argparse puts the help of a long name on the next line
        text = lines[at].strip()[len(name) :].strip() or lines[at + 1].strip()
        assert len(text) > 10, name


def test_demo_then_reports_and_check(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, _ = run(
        capsys, "demo", "--no-window", "--data-dir", str(data), "--sales", "5", "--json"
    )
    assert code == 0
    demo = json.loads(out)
    assert demo["products_added"] >= 300
    assert demo["simulation"]["sales_count"] == 5

    code, out, _ = run(capsys, "report", "z", "--data-dir", str(data), "--json")
    z = json.loads(out)
    assert code == 0 and z.keys() >= CONTRACT
    assert z["sales_count"] == 5
    assert z["sales_total_fen"] == demo["simulation"]["sales_total_fen"]
    assert z["pending_sync_events"] > 0

    code, out, _ = run(capsys, "report", "x", "--data-dir", str(data), "--json")
    assert code == 0 and json.loads(out)["sales_count"] == 5

    code, out, _ = run(capsys, "db", "check", "--data-dir", str(data), "--json")
    assert code == 0 and json.loads(out)["ok"] is True

    code, out, _ = run(capsys, "users", "list", "--data-dir", str(data), "--json")
    assert {u["name"] for u in json.loads(out)["users"]} == {"店主", "小王", "小李"}


def test_demo_twice_keeps_the_shop_and_sells_more(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    assert run(capsys, "demo", "--no-window", "--data-dir", str(data), "--sales", "2")[0] == 0
    code, out, _ = run(capsys, "demo", "--data-dir", str(data), "--sales", "3", "--json")
    assert code == 0
    assert json.loads(out)["products_added"] == 0
    code, out, _ = run(capsys, "report", "z", "--data-dir", str(data), "--json")
    assert json.loads(out)["sales_count"] == 5


def test_simulate_prints_what_it_did(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, _ = run(
        capsys, "simulate", "--sales", "30", "--seed", "3", "--data-dir", str(data), "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["sales_count"] == 30
    code, out, _ = run(capsys, "report", "z", "--data-dir", str(data), "--json")
    z = json.loads(out)
    assert z["sales_count"] == 30
    assert z["refunds_count"] == result["refunds_count"]
    assert z["sales_total_fen"] == result["sales_total_fen"]


def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, _, err = run(capsys, "report", "z", "--date", "2026-13-45", "--data-dir", str(data))
    assert code == 2 and err.startswith("storebox: ") and err.count("\n") == 1
    code, _, err = run(capsys, "simulate", "--sales", "-1", "--data-dir", str(data))
    assert code == 2
    code, _, err = run(capsys, "report", "x", "--set", "nonsense=1", "--data-dir", str(data))
    assert code == 2 and "unknown setting" in err


def test_a_malformed_config_file_is_named_without_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("store_name = \n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "db",
            "check",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "d"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "config.toml" in proc.stderr and "malformed TOML" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_damaged_database_is_reported_not_crashed_on(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    data.mkdir(parents=True)
    (data / "storebox.db").write_bytes(b"\x00" * 5000)
    code, _, err = run(capsys, "db", "check", "--data-dir", str(data))
    assert code == 2 and "not a storebox database" in err


def test_devices_charge_and_settle_through_the_terminal_simulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from drivers.terminal.simulator import serve_pty

    sim, path = serve_pty(["decline"])
    try:
        code, out, _ = run(
            capsys, "devices", "charge", "--terminal", path, "--amount", "12.50", "--json"
        )
        assert code == 1 and json.loads(out)["status"] == "declined"
        code, out, _ = run(
            capsys, "devices", "charge", "--terminal", path, "--amount", "12.50", "--json"
        )
        charged = json.loads(out)
        assert code == 0 and charged["status"] == "approved" and charged["amount_fen"] == 1250
        assert "*" in charged["masked_pan"]
        code, out, _ = run(capsys, "devices", "settle", "--terminal", path, "--json")
        assert code == 0
    finally:
        sim.stop()


def test_devices_refuses_a_bad_amount(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "devices", "charge", "--terminal", "loop://", "--amount", "12.345")
    assert code == 2 and "two decimals" in err


def test_devices_print_test_writes_real_escpos_bytes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "printer.bin"
    code, out, _ = run(capsys, "devices", "print-test", "--printer", f"file://{out_file}", "--json")
    assert code == 0 and json.loads(out)["printed"] == "test"
    data = out_file.read_bytes()
    assert data.startswith(b"\x1b@") and b"\x1c&" in data  # reset, then Chinese mode on
    assert "打印测试".encode("gb18030") in data
    assert b"\x1dV" in data  # cut


def test_devices_status_of_a_silent_printer_is_unknown_not_ok(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "devices", "status", "--printer", "dummy:", "--json")
    assert code == 1 and json.loads(out)["status"] == "unknown"


def test_devices_list_reports_serial_ports(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "devices", "list", "--json")
    assert code == 0 and isinstance(json.loads(out)["serial_ports"], list)
