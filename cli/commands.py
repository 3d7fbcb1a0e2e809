"""The subcommand table: one explicit, greppable registry (name → help, arguments, handler)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Configure = Callable[[argparse.ArgumentParser], None]
Handler = Callable[[argparse.Namespace], int]

REGISTRY: dict[str, tuple[str, Configure, Handler]] = {}
