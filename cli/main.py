"""`storebox` — one console script, one subcommand per thing a shop, an installer or support
staff need to do. Every subcommand that reports takes `--json` and prints one JSON document.

Errors a person can act on (`ShopError`: bad config, bad input, a damaged database) print one
clear line and exit 2; nothing a shop owner sees is a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from storebox import config
from storebox.errors import ShopError
from storebox.shop import Shop, open_shop

log = logging.getLogger("storebox")

Handler = Callable[[argparse.Namespace], int]


def load_settings(args: argparse.Namespace) -> config.Settings:
    overrides: dict[str, Any] = {}
    for item in args.set or []:
        key, value = config.parse_assignment(item)
        overrides[key] = value
    if args.data_dir is not None:
        overrides["data_dir"] = str(args.data_dir)
    return config.load(config_path=args.config, overrides=overrides)


def open_from_args(args: argparse.Namespace) -> Shop:
    return open_shop(load_settings(args))


def emit(args: argparse.Namespace, document: dict[str, Any], text: str) -> None:
    """Print the JSON document with --json, else the human text."""
    if getattr(args, "json", False):
        print(json.dumps(document, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="the shop's data folder (STOREBOX_DATA_DIR)")
    parser.add_argument("--config", type=Path, help="config file (STOREBOX_CONFIG)")
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override one setting (repeatable); STOREBOX_KEY=VALUE does the same",
    )


def build_parser() -> argparse.ArgumentParser:
    from cli import commands

    parser = argparse.ArgumentParser(
        prog="storebox",
        description="The software that runs a community convenience store.",
        formatter_class=lambda prog: argparse.HelpFormatter(prog, max_help_position=32, width=110),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_text, configure, handler) in commands.REGISTRY.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        _add_common(sp)
        configure(sp)
        sp.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    handler: Handler = args.handler
    try:
        return handler(args)
    except ShopError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.code, "message": exc.message}, ensure_ascii=False))
        print(f"storebox: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.verbose:
            raise
        log.critical("internal error", exc_info=True)
        print(
            f"storebox: 内部错误 / internal error (a bug, not your input): {type(exc).__name__}: {exc}. "
            "Run again with -v for the details.",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
