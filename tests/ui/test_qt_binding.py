"""The Qt binding itself must not leak or steal references: a till runs all day."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot


def test_void_qt_calls_do_not_steal_references_to_none(qtbot: QtBot) -> None:
    """PySide6 6.12.0 on Python 3.11 decremented None's count on every void call; a till died
    with 'none_dealloc' after a few thousand. pyproject pins below it; this keeps it so."""
    field = QLineEdit()
    qtbot.addWidget(field)
    before = sys.getrefcount(None)
    for _ in range(2_000):
        field.setText("可乐")
    assert sys.getrefcount(None) >= before - 50
