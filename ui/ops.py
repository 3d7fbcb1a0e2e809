"""The one place where work leaves the UI thread (Anki's CollectionOp, STYLE.md).

Every call into the core goes through `CoreOp(parent, fn).success(cb).failure(cb).run()`.
`fn` runs on a single worker thread, so calls into the store are serialised in the order the
person made them; `success`/`failure` run back on the UI thread. Never touch a widget inside
`fn`. A `ShopError` is shown to the person (the window's message bar); anything else is a bug:
logged with its traceback and shown as a short apology, never as a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from storebox.errors import ShopError

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskManager(QObject):
    """A single worker thread and a queued bridge back to the UI thread."""

    _finished = Signal(object)
    #: number of operations waiting or running; tests wait for it to reach 0
    busy_changed = Signal(int)
    idle = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storebox-core")
        self._pending = 0
        self._finished.connect(self._deliver)

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, fn: Callable[[], Any], done: Callable[[Future[Any]], None]) -> None:
        self._pending += 1
        self.busy_changed.emit(self._pending)
        future = self._pool.submit(fn)
        # add_done_callback runs on the worker; the signal crosses to the UI thread (queued).
        future.add_done_callback(lambda f: self._finished.emit((f, done)))

    def _deliver(self, item: tuple[Future[Any], Callable[[Future[Any]], None]]) -> None:
        future, done = item
        try:
            done(future)
        finally:
            self._pending -= 1
            self.busy_changed.emit(self._pending)
            if self._pending == 0:
                self.idle.emit()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


_tasks: TaskManager | None = None


def tasks() -> TaskManager:
    global _tasks
    if _tasks is None:
        _tasks = TaskManager()
    return _tasks


def reset_tasks() -> None:
    """Drop the worker (tests, and the application's exit)."""
    global _tasks
    if _tasks is not None:
        _tasks.shutdown()
        _tasks.deleteLater()
        _tasks = None


def report_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show a failure to the person: their words for a ShopError, an apology for a bug."""
    window = parent.window() if parent is not None else None
    if isinstance(exc, ShopError):
        message = exc.message
    else:
        log.error("bug in a background operation", exc_info=exc)
        message = QCoreApplication.translate(
            "ops", "Something went wrong inside storebox; it has been logged. Nothing was changed."
        )
    show = getattr(window, "show_error", None)
    if callable(show):
        show(message)
    else:  # pragma: no cover - every window we make has show_error
        log.error("%s", message)


class CoreOp(Generic[T]):
    def __init__(self, parent: QWidget | None, op: Callable[[], T]) -> None:
        self._parent = parent
        self._op = op
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[T], None]) -> CoreOp[T]:
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> CoreOp[T]:
        self._failure = callback
        return self

    def run(self) -> None:
        tasks().submit(self._op, self._finish)

    def _finish(self, future: Future[Any]) -> None:
        if self._parent is not None and not shiboken6.isValid(self._parent):
            return  # the screen that asked has been closed meanwhile: nobody to tell
        exc = future.exception()
        if exc is not None:
            if self._failure is not None:
                self._failure(exc)
            else:
                report_error(self._parent, exc)
            return
        if self._success is not None:
            self._success(future.result())
