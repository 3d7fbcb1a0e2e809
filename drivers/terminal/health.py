"""Is the card terminal there? A status enquiry through the same ZVT client that takes payments.

`CheckedTerminal` is a `ZvtTerminal` (so the till holds one terminal object, one port, one lock)
with `check()`, which asks the driver's public `status()`: open the line and register if not yet
done (06 00), then a status enquiry (05 01), which a terminal answers with its status
information and a completion and which changes nothing on it. Its answer is a `Health`: ready
(with the terminal id when the terminal says it) or not, with the reason in the person's
language. Like every terminal call it blocks (up to the ACK and answer time-outs): call it on the
terminal's own thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.terminal.zvt.client import ZvtTerminal


@dataclass(frozen=True)
class Health:
    ready: bool
    message: str
    terminal_id: str = ""


class CheckedTerminal(ZvtTerminal):
    def check(self) -> Health:
        status = self.status()
        return Health(status.ready, status.message, status.terminal_id)
