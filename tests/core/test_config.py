"""Settings layers and every way a config can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from storebox import config
from storebox.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_layers_file_then_environment_then_flags(tmp_path: Path) -> None:
    path = write(tmp_path, 'store_name = "文件"\nrefund_limit_fen = 500\nday_cutoff_hour = 3\n')
    s = config.load(
        config_path=path,
        environ={"STOREBOX_REFUND_LIMIT_FEN": "700", "STOREBOX_DATA_DIR": str(tmp_path / "d")},
        overrides={"day_cutoff_hour": "5"},
    )
    assert (s.store_name, s.refund_limit_fen, s.day_cutoff_hour) == ("文件", 700, 5)
    assert s.db_path == tmp_path / "d" / "storebox.db"


def test_defaults_without_any_file(tmp_path: Path) -> None:
    s = config.load(environ={"STOREBOX_DATA_DIR": str(tmp_path)})
    assert s.timezone == "Asia/Shanghai" and s.refund_limit_fen == 10_000


def test_config_from_environment_variable(tmp_path: Path) -> None:
    path = write(tmp_path, 'store_name = "环境"\n')
    assert config.load(environ={"STOREBOX_CONFIG": str(path)}).store_name == "环境"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("store_name = \n", "malformed TOML"),
        ('store_name = "a"\nstore_name = "b"\n', "malformed TOML"),
        ("colour = 'red'\n", "unknown setting 'colour'"),
        ("refund_limit_fen = 'lots'\n", "refund_limit_fen"),
        ("refund_limit_fen = 1.5\n", "whole number"),
        ("pin_max_attempts = true\n", "whole number"),
        ("timezone = 'Mars/Olympus'\n", "unknown time zone"),
        ("day_cutoff_hour = 20\n", "day_cutoff_hour"),
        ("pin_scrypt_n = 1000\n", "power of two"),
        ("language = 'fr'\n", "language"),
        ("store_name = 12\n", "must be text"),
    ],
)
def test_bad_config_file_is_refused_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        config.load(config_path=write(tmp_path, text), environ={})
    if "TOML" in message or "unknown setting" in message:
        assert "config.toml" in info.value.message


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load(config_path=tmp_path / "nope.toml", environ={})


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="STOREBOX_PIN_MAX_ATTEMPTS"):
        config.load(environ={"STOREBOX_PIN_MAX_ATTEMPTS": "many"})


def test_bad_override() -> None:
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        config.parse_assignment("novalue")
    with pytest.raises(ConfigError, match="unknown setting"):
        config.load(environ={}, overrides={"nonsense": "1"})


def test_binary_garbage_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="cannot read|malformed"):
        config.load(config_path=path, environ={})


def test_hub_url_must_be_http_or_https(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('hub_url = "ftp://hub"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="hub_url"):
        config.load(config_path=path, environ={})
    ok = config.load(config_path=path, environ={}, overrides={"hub_url": "http://127.0.0.1:8080"})
    assert ok.hub_url == "http://127.0.0.1:8080"
