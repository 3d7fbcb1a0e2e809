"""Settings: embedded defaults < the TOML config file < STOREBOX_* variables < command-line flags.

Every setting is one entry in `SETTINGS`, so each is documented, typed and overridable the same
way: `--set key=value` on the command line or `STOREBOX_KEY=value` in the environment. A config
file that does not parse, names an unknown setting or gives a wrong type is refused with the
file, the line where tomllib found the fault, and what was expected; nothing starts on a
half-read configuration.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from storebox.errors import ConfigError

APP = "storebox"
ENV_PREFIX = "STOREBOX_"


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one shop installation."""

    data_dir: Path = field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP)),
        metadata={"help": "where the shop's database, backups and receipts live"},
    )
    store_name: str = field(default="社区便利店", metadata={"help": "the shop's name on receipts"})
    timezone: str = field(default="Asia/Shanghai", metadata={"help": "the shop's time zone"})
    day_cutoff_hour: int = field(
        default=4, metadata={"help": "hour (0-12) before which sales belong to the previous day"}
    )
    refund_limit_fen: int = field(
        default=10_000, metadata={"help": "refunds above this (fen) need the owner's PIN"}
    )
    pin_max_attempts: int = field(
        default=5, metadata={"help": "wrong PINs in a row before a user is locked out"}
    )
    pin_lockout_minutes: int = field(default=5, metadata={"help": "how long a lock-out lasts"})
    pin_scrypt_n: int = field(
        default=2**14, metadata={"help": "scrypt cost for new PIN hashes (power of two)"}
    )
    busy_timeout_ms: int = field(
        default=15_000, metadata={"help": "how long a writer waits for another process's lock"}
    )
    language: str = field(default="zh_CN", metadata={"help": "zh_CN or en"})
    customer_display: str = field(
        default="off", metadata={"help": "off, or window: the customer's screen follows the cart"}
    )
    scanner_gap_ms: int = field(
        default=20,
        metadata={"help": "a keyboard-wedge scanner types faster than this per key (ms)"},
    )
    printer_url: str = field(
        default="",
        metadata={
            "help": "the receipt printer (empty: none): tcp://HOST:9100, usb://VID:PID, "
            "serial:///dev/ttyUSB0, file:///path, png:DIR or dummy:"
        },
    )
    printer_width: int = field(default=58, metadata={"help": "receipt paper width in mm: 58 or 80"})
    terminal_url: str = field(
        default="",
        metadata={
            "help": "the ZVT card terminal (empty: none): a serial port (/dev/ttyUSB0, or the pty "
            "storebox terminal-sim prints) or tcp://HOST:20007 for ZVT over TCP"
        },
    )
    scanner_url: str = field(
        default="",
        metadata={
            "help": "a serial (USB-CDC) barcode scanner (empty: keyboard-wedge only), "
            "e.g. /dev/ttyACM0"
        },
    )
    pole_display_url: str = field(
        default="",
        metadata={"help": "an ESC/POS pole display on a serial line (empty: none)"},
    )
    hub_url: str = field(
        default="",
        metadata={"help": "the cloud hub (empty: this shop works alone), e.g. https://hub.example"},
    )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "storebox.db"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


FIELDS = {f.name: f for f in fields(Settings)}


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def config_file(config_path: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The config file the settings are read from (and saved to): `--config`, else
    `STOREBOX_CONFIG`, else the platform's default. The file need not exist."""
    environ = os.environ if environ is None else environ
    env_path = environ.get(f"{ENV_PREFIX}CONFIG")
    return config_path or (Path(env_path) if env_path else default_config_path())


def _coerce(name: str, value: Any, source: str) -> Any:
    """Check and convert one value to its setting's type; `source` says where it came from."""
    kind = FIELDS[name].type
    if kind in ("int", int):
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ConfigError(
                    f"{source}: {name} 应为整数 / must be a whole number, got {value!r}"
                ) from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: {name} 应为整数 / must be a whole number, got {value!r}")
        return value
    if kind in ("Path", Path):
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{source}: {name} 应为路径 / must be a path, got {value!r}")
        return Path(value).expanduser()
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {name} 应为文字 / must be text, got {value!r}")
    return value


PRINTER_SCHEMES = ("tcp", "usb", "serial", "file", "png", "dummy")
#: pyserial's URL handlers (serial_for_url) that a serial device setting may name
SERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "alt", "hwgrep")
#: the serial devices' settings, and the schemes each takes besides pyserial's
SERIAL_DEVICE_URLS = {"terminal_url": ("tcp",), "scanner_url": (), "pole_display_url": ()}
_WINDOWS_PORT = re.compile(r"COM[1-9][0-9]{0,2}", re.IGNORECASE)


def serial_url_problem(name: str, url: str) -> str | None:
    """What is wrong with `url` as the setting `name` (a serial device), or None when it may be
    opened: empty (no device), an absolute device path (/dev/ttyUSB0, a pty), COM3, or a URL
    whose scheme pyserial (or, for the terminal, ZVT over TCP) knows. Whether the device is
    there is not checked: a scanner may be plugged in later."""
    url = url.strip()
    if not url:
        return None
    schemes = SERIAL_SCHEMES + SERIAL_DEVICE_URLS.get(name, ())
    if any(not ch.isprintable() or ch.isspace() for ch in url):
        return f"{name} must not contain spaces or control characters, got {url!r}"
    if (url.startswith("/") and len(url) > 1) or _WINDOWS_PORT.fullmatch(url):
        return None
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in schemes and (rest or scheme.lower() == "loop"):
        return None
    return (
        f"{name} must be a serial port such as /dev/ttyUSB0 or COM3, or a URL starting with "
        f"{', '.join(s + '://' for s in schemes)} (or be empty for none), got {url!r}"
    )


def _validate(settings: Settings) -> Settings:
    try:
        settings.zone  # noqa: B018 - resolving the zone is the check
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone: 未知时区 / unknown time zone {settings.timezone!r}") from None
    checks = [
        (0 <= settings.day_cutoff_hour <= 12, "day_cutoff_hour must be between 0 and 12"),
        (settings.refund_limit_fen >= 0, "refund_limit_fen must not be negative"),
        (1 <= settings.pin_max_attempts <= 20, "pin_max_attempts must be between 1 and 20"),
        (settings.pin_lockout_minutes >= 1, "pin_lockout_minutes must be at least 1"),
        (
            settings.pin_scrypt_n >= 2**4
            and settings.pin_scrypt_n & (settings.pin_scrypt_n - 1) == 0,
            "pin_scrypt_n must be a power of two, at least 16",
        ),
        (settings.busy_timeout_ms >= 100, "busy_timeout_ms must be at least 100"),
        (settings.language in ("zh_CN", "en"), "language must be zh_CN or en"),
        (5 <= settings.scanner_gap_ms <= 200, "scanner_gap_ms must be between 5 and 200"),
        (settings.customer_display in ("off", "window"), "customer_display must be off or window"),
        (0 < len(settings.store_name) <= 40, "store_name must be 1 to 40 characters"),
    ]
    url = settings.printer_url.strip()
    scheme = url.partition(":")[0].lower()
    if url and (":" not in url or scheme not in PRINTER_SCHEMES):
        raise ConfigError(
            f"配置无效 / invalid setting: printer_url must start with one of "
            f"{', '.join(s + ':' for s in PRINTER_SCHEMES)} (or be empty for no printer), "
            f"got {settings.printer_url!r}"
        )
    checks.append((settings.printer_width in (58, 80), "printer_width must be 58 or 80"))
    for name in SERIAL_DEVICE_URLS:
        problem = serial_url_problem(name, getattr(settings, name))
        checks.append((problem is None, problem or ""))
    hub = settings.hub_url.strip()
    checks.append(
        (
            not hub or (hub.startswith(("http://", "https://")) and len(hub) > len("https://")),
            f"hub_url must start with http:// or https:// (or be empty), got {settings.hub_url!r}",
        )
    )
    for ok, message in checks:
        if not ok:
            raise ConfigError(f"配置无效 / invalid setting: {message}")
    return settings


def parse_assignment(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set 需要 KEY=VALUE / --set takes KEY=VALUE, got {text!r}")
    return key.strip(), value


def load(
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the settings from every layer. Raises `ConfigError` naming the faulty layer."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}

    explicit = config_path is not None or bool(environ.get(f"{ENV_PREFIX}CONFIG"))
    path = config_file(config_path, environ)
    if explicit and not path.is_file():
        raise ConfigError(f"配置文件不存在 / config file not found: {path}")
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: 配置文件格式错误 / malformed TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: 无法读取 / cannot read: {exc}") from None
        for key, value in document.items():
            if key not in FIELDS:
                raise ConfigError(
                    f"{path}: 未知设置 / unknown setting {key!r}; known: {', '.join(sorted(FIELDS))}"
                )
            values[key] = _coerce(key, value, str(path))

    for key in FIELDS:
        env_key = ENV_PREFIX + key.upper()
        if env_key in environ:
            values[key] = _coerce(key, environ[env_key], env_key)

    for key, value in (overrides or {}).items():
        if key not in FIELDS:
            raise ConfigError(
                f"未知设置 / unknown setting {key!r}; known: {', '.join(sorted(FIELDS))}"
            )
        values[key] = _coerce(key, value, f"--set {key}")

    return _validate(Settings(**values))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str | Path):
        raise ConfigError(f"cannot write {value!r} to a config file")
    if isinstance(value, int):
        return str(value)
    # a JSON string is a TOML basic string, once DEL (which JSON leaves bare) is escaped
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def save(path: Path, changes: Mapping[str, Any]) -> Settings:
    """Write `changes` (setting → value) into the TOML config file at `path`, creating it if
    need be and keeping every other line (and comment) as it was; returns the settings the
    file now gives (defaults < file; the environment and flags are not read here).

    Every value is checked as `load` checks it, together with the rest of the file, before
    anything is written; a bad value, or a file that is already unreadable, raises
    `ConfigError` and leaves the file untouched. The new file replaces the old in one rename.
    """
    coerced: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in FIELDS:
            raise ConfigError(
                f"未知设置 / unknown setting {key!r}; known: {', '.join(sorted(FIELDS))}"
            )
        coerced[key] = _coerce(key, value, key)
    text = ""
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: 配置文件格式错误 / malformed TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: 无法读取 / cannot read: {exc}") from None
    else:
        document = {}
    values: dict[str, Any] = {}
    for key, value in document.items():
        if key not in FIELDS:
            raise ConfigError(
                f"{path}: 未知设置 / unknown setting {key!r}; known: {', '.join(sorted(FIELDS))}"
            )
        values[key] = _coerce(key, value, str(path))
    values.update(coerced)
    settings = _validate(Settings(**values))

    wanted = {**document, **{k: str(v) if isinstance(v, Path) else v for k, v in coerced.items()}}
    new_text = _edit_lines(text, {k: _toml_value(v) for k, v in coerced.items()})
    try:
        same = tomllib.loads(new_text) == wanted
    except tomllib.TOMLDecodeError:
        same = False
    if not same:  # a layout the line editor does not follow (a multi-line string): write anew
        new_text = "".join(f"{k} = {_toml_value(v)}\n" for k, v in wanted.items())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".new")
        tmp.write_text(new_text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"{path}: 无法保存 / cannot save: {exc.strerror or exc}") from None
    return settings


def _edit_lines(text: str, assignments: Mapping[str, str]) -> str:
    """`text` with each `key = value` line replaced (or appended when the key is not there)."""
    lines = text.splitlines(keepends=True)
    left = dict(assignments)
    for i, line in enumerate(lines):
        if line.lstrip().startswith("["):
            break  # a table: the flat settings are above it
        key = line.partition("=")[0].strip()
        if "=" in line and key in left:
            lines[i] = f"{key} = {left.pop(key)}\n"
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines += [f"{key} = {value}\n" for key, value in left.items()]
    return "".join(lines)
