"""Application set-up shared by the cashier window and (later) the kiosk: style, language, fonts."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def resource_path(*parts: str) -> Path:
    return Path(str(resources.files("resources").joinpath(*parts)))


def application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, made if needed, with the shop's style sheet."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("storebox")
    app.setOrganizationName("storebox")
    base = QFont(app.font())
    base.setPixelSize(16)
    app.setFont(base)
    style = resource_path("styles", "cashier.qss")
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def cjk_font_available() -> bool:
    """Is any font able to draw Simplified Chinese? Without one Qt draws boxes."""
    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


class Language:
    """Switches the UI language at run time: installs or removes the zh_CN translator;
    every screen redraws its texts on QEvent.LanguageChange."""

    def __init__(self) -> None:
        self._translator: QTranslator | None = None
        self.current = "en"

    def set(self, code: str) -> bool:
        if code not in LANGUAGES:
            raise ValueError(f"unknown language {code!r}")
        if self._translator is not None:
            QCoreApplication.removeTranslator(self._translator)
            self._translator = None
        if code != "en":
            translator = QTranslator()
            qm = resource_path("i18n", f"storebox_{code}.qm")
            if not translator.load(str(qm)):
                log.warning(
                    "translation %s not found (run ./dev to compile it); showing English", qm
                )
                self.current = "en"
                return False
            QCoreApplication.installTranslator(translator)
            self._translator = translator
        QLocale.setDefault(QLocale(code))
        self.current = code
        return True
