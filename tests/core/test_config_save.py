"""Saving a setting from the till writes the shop's config file: checked first, every other line
kept, and a bad value changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from storebox import config
from storebox.errors import ConfigError


def test_save_replaces_one_line_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '# 小店的设置\nstore_name = "王阿姨便利店"  # on receipts\nprinter_url = "dummy:"\n',
        encoding="utf-8",
    )
    settings = config.save(path, {"printer_url": "tcp://192.168.1.50:9100"})
    assert settings.printer_url == "tcp://192.168.1.50:9100"
    assert settings.store_name == "王阿姨便利店"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 小店的设置\nstore_name = \"王阿姨便利店\"  # on receipts\n")
    assert 'printer_url = "tcp://192.168.1.50:9100"' in text
    loaded = config.load(config_path=path, environ={})
    assert loaded.printer_url == "tcp://192.168.1.50:9100"


def test_save_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "storebox" / "config.toml"
    config.save(path, {"terminal_url": "/dev/pts/7", "printer_width": 80})
    loaded = config.load(config_path=path, environ={})
    assert (loaded.terminal_url, loaded.printer_width) == ("/dev/pts/7", 80)


def test_a_string_needing_escapes_survives_the_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config.save(path, {"store_name": 'A "quoted" \\ shop\x7f'})
    assert config.load(config_path=path, environ={}).store_name == 'A "quoted" \\ shop\x7f'


def test_a_layout_the_line_editor_cannot_follow_is_written_anew(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('store_name = """多行\n店名"""\n', encoding="utf-8")
    config.save(path, {"store_name": "新店"})
    assert config.load(config_path=path, environ={}).store_name == "新店"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("printer_url", "lpt1", "printer_url must start with one of"),
        ("terminal_url", "ttyUSB0", "terminal_url must be a serial port such as /dev/ttyUSB0"),
        ("terminal_url", "/dev/tty USB0", "must not contain spaces"),
        ("scanner_url", "tcp://10.0.0.5:9000", "scanner_url must be a serial port"),
        ("pole_display_url", "http://x", "pole_display_url must be a serial port"),
        ("printer_width", "70", "printer_width must be 58 or 80"),
        ("printer_width", "wide", "must be a whole number"),
        ("no_such_thing", "1", "unknown setting"),
    ],
)
def test_a_bad_value_is_refused_and_the_file_is_untouched(
    tmp_path: Path, key: str, value: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    before = 'printer_url = "dummy:"\n'
    path.write_text(before, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        config.save(path, {key: value})
    assert path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_an_unreadable_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("printer_url = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed TOML"):
        config.save(path, {"printer_url": "dummy:"})
    assert path.read_text(encoding="utf-8") == "printer_url = \n"


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("terminal_url", "tcp://10.0.0.5:20007"),
        ("terminal_url", "socket://127.0.0.1:7000"),
        ("terminal_url", "COM3"),
        ("scanner_url", "/dev/serial/by-id/usb-Honeywell-if00"),
        ("scanner_url", "rfc2217://10.0.0.9:4000"),
        ("pole_display_url", "loop://"),
        ("pole_display_url", ""),
    ],
)
def test_serial_device_urls_that_may_be_opened(key: str, url: str) -> None:
    assert config.serial_url_problem(key, url) is None
    assert getattr(config.load(config_path=None, environ={}, overrides={key: url}), key) == url


def test_a_bad_serial_url_in_the_environment_stops_loading() -> None:
    with pytest.raises(ConfigError, match="scanner_url must be a serial port"):
        config.load(config_path=None, environ={"STOREBOX_SCANNER_URL": "usb://0416:5011"})


def test_config_file_follows_flag_then_variable_then_default(tmp_path: Path) -> None:
    flag, env = tmp_path / "a.toml", tmp_path / "b.toml"
    assert config.config_file(flag, {"STOREBOX_CONFIG": str(env)}) == flag
    assert config.config_file(None, {"STOREBOX_CONFIG": str(env)}) == env
    assert config.config_file(None, {}) == config.default_config_path()
