"""What the end-to-end tests share: a real hub on loopback (uvicorn, SQLite in the test's own
folder) and the ZVT terminal simulator on a pty. A test module that needs them set otherwise
(the crash tests' slow simulator) defines its own fixture of the same name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.terminal.simulator import ZvtSimulator, serve_pty
from tests.sync.conftest import RunningHub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    running = RunningHub(str(tmp_path / "hub.db"))
    running.start()
    yield running
    running.close()


@pytest.fixture
def sim() -> Iterator[ZvtSimulator]:
    simulator, _path = serve_pty()
    yield simulator
    simulator.stop()
