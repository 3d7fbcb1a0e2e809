"""The wedge-scanner filter: a scan is taken whole wherever focus is; a person's typing is
never lost nor reordered."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.scanner import WedgeScanner


@pytest.fixture
def form(qtbot: QtBot) -> Iterator[tuple[QLineEdit, WedgeScanner, list[str]]]:
    host = QWidget()
    layout = QVBoxLayout(host)
    field = QLineEdit(host)
    layout.addWidget(field)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    field.setFocus()
    # Held keys are given back to the focus widget: on a loaded machine the window may not be
    # active yet, and with no focus widget the test's keys (sent straight to the field) would
    # be given to nobody — a state a real keyboard cannot reach (keys go to the focus widget).
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    scanner = WedgeScanner()
    scanner.install(app)
    scans: list[str] = []
    scanner.scanned.connect(scans.append)
    yield field, scanner, scans
    app.removeEventFilter(scanner)


def test_a_fast_burst_ending_in_enter_is_a_scan_and_types_nothing(
    qtbot: QtBot, form: tuple[QLineEdit, WedgeScanner, list[str]]
) -> None:
    field, _scanner, scans = form
    field.setText("可乐")
    qtbot.keyClicks(field, "6901234567892")  # no delay: a scanner
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert scans == ["6901234567892"]
    assert field.text() == "可乐"


def test_a_person_typing_reaches_the_field_in_order(
    qtbot: QtBot, form: tuple[QLineEdit, WedgeScanner, list[str]]
) -> None:
    field, scanner, scans = form
    qtbot.keyClicks(field, "nfsq123", delay=scanner.max_gap_ms + 40)
    qtbot.waitUntil(lambda: field.text() == "nfsq123")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert scans == []


def test_a_short_fast_burst_is_given_back_to_the_field(
    qtbot: QtBot, form: tuple[QLineEdit, WedgeScanner, list[str]]
) -> None:
    field, _scanner, scans = form
    returned: list[str] = []
    field.returnPressed.connect(lambda: returned.append(field.text()))
    qtbot.keyClicks(field, "123")  # fast but shorter than any barcode
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert scans == []
    assert returned == ["123"]


def test_shortcuts_pass_straight_through(
    qtbot: QtBot, form: tuple[QLineEdit, WedgeScanner, list[str]]
) -> None:
    field, _scanner, scans = form
    field.setText("abc")
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert field.text() == ""
    qtbot.keyClicks(field, "x", Qt.KeyboardModifier.ControlModifier)
    assert scans == [] and field.text() == ""
