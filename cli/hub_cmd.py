"""`storebox hub`: the cloud hub and its admin subcommands (create-store, enrol-code, report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler

COMMANDS: dict[str, tuple[str, Configure, Handler]] = {}
