"""Card and wallet payments at the till, off the UI thread.

A card payment is the core's `sales.checkout` with a `Card` tender, run on the card terminal's
own thread (`Devices.call(Kind.TERMINAL, ...)`): nothing else talks to the terminal meanwhile
(its periodic check waits), and the core writes the payment attempt before the request leaves.
A wallet payment (a customer's 付款码) is the same with a `Wallet` tender, on the wallet's own
thread: the hub's "user paying" poll may take a minute and must not hold up the core's worker.

The terminal's prompts (插卡, 输入密码 …) arrive through `prompt` on the UI thread. Each run
comes back as an `Outcome`: the receipt, or the error and — asked on the same thread right
after — the payments of that kind whose outcome is still open. An open one means the sale waits
in the "payment unknown" state until `resolve` (the core's `resolve_open_attempts`: enquiry or
repeat receipt, then reversal) settles it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from storebox import sales
from storebox.ports import StatusCallback
from storebox.sales import (
    CARD,
    OPEN_STATUSES,
    AttemptInfo,
    Card,
    Cart,
    SaleReceipt,
    Tender,
    Wallet,
)
from storebox.shop import Shop
from storebox.users import Actor
from ui.devices import Devices, Kind

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    receipt: SaleReceipt | None
    error: BaseException | None = None
    #: payments of this kind whose outcome is still open after the run (pending / unknown)
    still_open: tuple[AttemptInfo, ...] = ()


@dataclass(frozen=True)
class Resolution:
    #: the open payments that were settled or asked about, as they are now
    touched: tuple[AttemptInfo, ...]
    still_open: tuple[AttemptInfo, ...]
    error: BaseException | None = None


def open_payments(shop: Shop, kind: str) -> tuple[AttemptInfo, ...]:
    """Sale payments of `kind` whose outcome is not known yet (pending or unknown)."""
    return tuple(
        a
        for a in sales.unsettled_attempts(shop)
        if a.kind == kind and a.operation == "sale" and a.status in OPEN_STATUSES
    )


class PaymentRunner(QObject):
    """Runs card payments on the terminal's thread and wallet payments on their own."""

    #: the terminal's newest prompt (emitted on the terminal's thread; delivered queued)
    prompt = Signal(str)
    _finished = Signal(object)

    def __init__(self, devices: Devices, parent: QObject) -> None:
        super().__init__(parent)
        self.devices = devices
        self._wallet_pool: ThreadPoolExecutor | None = None
        self._finished.connect(self._deliver)

    def _run(self, kind: str, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def finish(future: Future[Any]) -> None:
            exc = future.exception()
            if exc is not None:  # the functions below catch everything: this is a bug
                log.error("payment run failed", exc_info=exc)
                return
            done(future.result())

        if kind == CARD:
            self.devices.call(Kind.TERMINAL, fn, finish, self.parent())
            return
        if self._wallet_pool is None:
            self._wallet_pool = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="storebox-wallet"
            )
        future = self._wallet_pool.submit(fn)
        future.add_done_callback(lambda f: self._finished.emit((f, finish)))

    def _deliver(self, item: tuple[Future[Any], Callable[[Future[Any]], None]]) -> None:
        future, finish = item
        parent = self.parent()
        if parent is not None and not shiboken6.isValid(parent):
            return
        finish(future)

    def pay(
        self,
        shop: Shop,
        actor: Actor,
        cart: Cart,
        tenders: list[Tender],
        kind: str,
        check: Callable[[], None],
        done: Callable[[Outcome], None],
    ) -> None:
        """`sales.checkout` with these tenders; `check()` runs first on the same thread (the
        cart may have changed since the dialog opened)."""
        devices = self.devices
        terminal = devices.terminal if kind == CARD else None
        wallet = devices.wallet if kind != CARD else None
        signal = self.prompt
        # the pole display cues the customer while a card or a scanned wallet code is paying
        # (a paid shop QR code, QrPaid, is only being recorded: nothing for the customer to do)
        paying = next((t for t in tenders if isinstance(t, Card | Wallet)), None)
        if paying is not None:
            devices.pole_paying(kind, paying.amount_fen)

        def emit(message: str) -> None:  # on the terminal's thread; delivered queued
            signal.emit(message)
            if paying is not None:
                devices.pole_paying(kind, paying.amount_fen, message)

        def run() -> Outcome:
            try:
                check()
                receipt = sales.checkout(
                    shop, actor, cart, tenders, terminal=terminal, wallet=wallet, on_status=emit
                )
            except Exception as exc:
                try:
                    still_open = open_payments(shop, kind)
                except Exception:  # the store itself failed: assume the worst
                    log.exception("cannot read the open payments")
                    still_open = ()
                return Outcome(None, exc, still_open)
            return Outcome(receipt)

        def finish(outcome: Outcome) -> None:
            # paid: the sell screen shows the total and the change; else the total is due again
            if paying is not None and outcome.receipt is None:
                devices.pole_unpaid(cart.total_fen, unknown=bool(outcome.still_open))
            done(outcome)

        self._run(kind, run, finish)

    def resolve(self, shop: Shop, kind: str, done: Callable[[Resolution], None]) -> None:
        """Settle the open payments of `kind`: enquiry or repeat receipt, then reversal."""
        devices = self.devices

        def run() -> Resolution:
            terminal = devices.terminal if kind == CARD else None
            wallet = devices.wallet if kind != CARD else None
            try:
                touched = sales.resolve_open_attempts(shop, terminal, wallet)
            except Exception as exc:
                log.warning("resolving open payments failed: %s", exc)
                return Resolution((), open_payments(shop, kind), exc)
            mine = tuple(a for a in touched if a.kind == kind)
            return Resolution(mine, open_payments(shop, kind))

        self._run(kind, run, done)

    def call(
        self,
        kind: str,
        fn: Callable[[StatusCallback], T],
        done: Callable[[T | None, BaseException | None], None],
    ) -> None:
        """Any use case that talks to a payment port (a refund back to the card): `fn` gets
        the prompt relay and runs on `kind`'s thread; `done(result, error)` on the UI thread."""
        signal = self.prompt

        def emit(message: str) -> None:
            signal.emit(message)

        def run() -> tuple[T | None, BaseException | None]:
            try:
                return fn(emit), None
            except Exception as exc:
                return None, exc

        self._run(kind, run, lambda pair: done(*pair))

    def cancel_on_terminal(self) -> None:
        """Ask the terminal to abort the running payment (sent at its next prompt)."""
        terminal = self.devices.terminal
        if terminal is not None:
            terminal.cancel()  # sets an event: safe from the UI thread

    def shutdown(self) -> None:
        if self._wallet_pool is not None:
            self._wallet_pool.shutdown(wait=False, cancel_futures=True)
            self._wallet_pool = None
