"""`storebox demo` brings its own card terminal: the ZVT simulator on a pty, in-process, whose
path the window gets as its terminal, and its own config file for settings saved at the till."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from drivers.terminal.health import CheckedTerminal
from storebox import config


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STOREBOX_PIN_SCRYPT_N", "16")
    monkeypatch.setenv("STOREBOX_CONFIG", "")
    monkeypatch.delenv("STOREBOX_TERMINAL_URL", raising=False)
    return tmp_path / "shop"


class FakeRun:
    """Stands in for `ui.cashier.run.run` (the window's event loop would never return): it
    talks to the terminal it was given, while the demo is still running."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, shop: Any, language: str, **kwargs: Any) -> int:
        url = kwargs["terminal_url"]
        health = None
        if url is not None:
            terminal = CheckedTerminal(url, ack_timeout=1.0, answer_timeout=2.0, lang="en")
            try:
                health = terminal.check()
            finally:
                terminal.close()
        self.calls.append({**kwargs, "health": health})
        return 0


def test_the_demo_window_gets_a_live_simulated_terminal_and_its_own_config(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ui.cashier import run

    fake = FakeRun()
    monkeypatch.setattr(run, "run", fake)
    assert main(["demo", "--data-dir", str(data), "--sales", "1"]) == 0
    capsys.readouterr()
    [call] = fake.calls
    assert call["terminal_url"].startswith("/dev/pts/")
    assert call["health"] is not None and call["health"].ready
    assert call["config_path"] == data / "config.toml"
    assert call["printer_url"] == f"png:{data / 'receipts'}"


def test_a_configured_terminal_is_left_alone_and_the_demo_reads_its_own_config(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ui.cashier import run

    data.mkdir(parents=True)
    config.save(data / "config.toml", {"terminal_url": "tcp://10.0.0.5:20007"})
    fake = FakeRun()
    monkeypatch.setattr(run, "run", fake)
    assert main(["demo", "--data-dir", str(data), "--sales", "0"]) == 0
    capsys.readouterr()
    [call] = fake.calls
    assert call["terminal_url"] is None  # the window's devices take the demo config's terminal
