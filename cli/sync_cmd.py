"""`storebox sync` and `storebox enrol`: the shop's side of the sync protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler

COMMANDS: dict[str, tuple[str, Configure, Handler]] = {}
