"""Starting the sync agent (`storebox sync`) as a process of its own, for the cashier window and
the demo. Nothing here talks to the hub; the agent does.

Whether one already runs is told by its lock (`sync.agent.running_agent`); starting one anyway is
safe, since a duplicate finds the lock held and exits 2 at once with a message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Final

LOG_NAME: Final = "sync-agent.log"


def command(
    data_dir: Path,
    *,
    config_path: Path | None = None,
    hub_url: str = "",
    interval: float | None = None,
) -> list[str]:
    """The agent's command line for this shop: the same interpreter and code as the caller,
    its data folder and config file named explicitly, and the hub's URL if the caller was given
    one (a `--set` the agent would not otherwise see)."""
    argv = [sys.executable, "-m", "cli", "sync", "--data-dir", str(data_dir)]
    if config_path is not None and config_path.is_file():
        argv += ["--config", str(config_path)]
    if hub_url.strip():
        argv += ["--set", f"hub_url={hub_url.strip()}"]
    if interval is not None:
        argv += ["--interval", str(interval)]
    return argv


def start(
    data_dir: Path,
    *,
    config_path: Path | None = None,
    hub_url: str = "",
    interval: float | None = None,
    detached: bool = True,
) -> subprocess.Popen[bytes]:
    """Start `storebox sync` for the shop in `data_dir`; its output is appended to
    `<data_dir>/sync-agent.log`.

    `detached`: in a session of its own, so it outlives the window that started it and a
    Ctrl-C in the window's terminal does not reach it (the cashier window's choice; Maestral's
    GUI starts its daemon the same way). The demo starts it attached and stops it itself.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = command(data_dir, config_path=config_path, hub_url=hub_url, interval=interval)
    with open(data_dir / LOG_NAME, "ab") as log:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=detached,
            close_fds=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
