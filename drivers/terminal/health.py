"""Is the card terminal there? A status enquiry through the same ZVT client that takes payments.

`CheckedTerminal` is a `ZvtTerminal` (so the till holds one terminal object, one port, one lock)
with `check()`: open the line and register if not yet done (06 00), then a status enquiry
(05 01), which a terminal answers with its status information and a completion and which
changes nothing on it. Its answer is an `Health`: ready (with the terminal id when the
terminal says it) or not, with the reason in the person's language. Like every terminal call it
blocks (up to the ACK and answer time-outs): call it on the terminal's own thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.terminal.zvt import apdu as z
from drivers.terminal.zvt.client import TerminalUnavailable, ZvtTerminal, _Unknown


@dataclass(frozen=True)
class Health:
    ready: bool
    message: str
    terminal_id: str = ""


class CheckedTerminal(ZvtTerminal):
    def check(self) -> Health:
        with self._lock:
            try:
                self._connect()
                answer = self._conversation(z.status_enquiry(self.password), None)
            except TerminalUnavailable as exc:
                return Health(False, exc.message)
            except _Unknown as exc:
                return Health(False, str(exc))
        if answer.aborted is not None:
            return Health(False, z.result_text(answer.aborted, self.lang))
        terminal_id = answer.info.terminal_id if answer.info is not None else ""
        return Health(True, self._t("刷卡终端就绪", "Card terminal ready"), terminal_id)
