"""`storebox …` run as its own process, the way an installer, a support script or the demo runs
it: the real console entry point, a shop's data folder, no user config, cheap PIN hashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def storebox(data: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `storebox ARGS --data-dir DATA`; with `ok`, fail the test on a non-zero exit."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args, "--data-dir", str(data)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "STOREBOX_PIN_SCRYPT_N": "16",
            "STOREBOX_CONFIG": "",
        },
    )
    if ok:
        assert done.returncode == 0, f"storebox {' '.join(args)}: {done.stderr}"
    return done
