"""Chinese first, English complete: the translation covers every string, and switching the
language redraws the window at once, without a restart."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from pytestqt.qtbot import QtBot

from storebox import demo
from tests.ui.conftest import settle, sign_in
from ui.app import resource_path
from ui.cashier.window import CashierWindow

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "storebox_zh_CN.ts"


def _sources(ts: Path) -> dict[tuple[str, str], str | None]:
    out: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            done = (
                translation is not None
                and translation.get("type") is None
                and bool(translation.text)
            )
            out[(name, message.findtext("source") or "")] = (
                translation.text if done and translation is not None else None
            )
    return out


def test_every_string_in_the_ui_has_a_chinese_translation(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "ui").rglob("*.py") if p.name != "__init__.py")
    subprocess.run(
        [str(Path(ROOT / ".venv" / "bin" / "pyside6-lupdate")), *sources, "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    wanted = set(_sources(fresh))
    have = _sources(TS)
    missing = sorted(f"{c}: {s}" for c, s in wanted if have.get((c, s)) is None)
    assert not missing, "untranslated (run ./dev translations and translate):\n" + "\n".join(
        missing
    )


def test_compiled_translation_is_there() -> None:
    assert resource_path("i18n", "storebox_zh_CN.qm").is_file()


def test_switching_language_redraws_without_restart(qtbot: QtBot, window: CashierWindow) -> None:
    sign_in(qtbot, window, *demo.OWNER)
    english = window.lock_button.text()
    window.show_page("settings")
    page = window.pages["settings"]
    combo = page.language  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData("zh_CN"))
    qtbot.waitUntil(lambda: window.lock_button.text() != english)
    settle(qtbot)
    chinese = window.lock_button.text()
    assert chinese != english and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in window.status_shift.text())
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.waitUntil(lambda: window.lock_button.text() == english)
