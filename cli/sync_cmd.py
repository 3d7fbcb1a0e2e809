"""`storebox sync` and `storebox enrol`: the shop's side of the sync protocol."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cli.commands import Configure
    from cli.main import Handler


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


# --- enrol ----------------------------------------------------------------------------------


def _enrol_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hub", help="the hub's URL (default: the hub_url setting)")
    parser.add_argument(
        "--code", required=True, help="the one-time code from `storebox hub enrol-code`"
    )
    parser.add_argument(
        "--device-name", help="how the hub lists this till (default: the machine's name)"
    )
    _json_flag(parser)


def _enrol(args: argparse.Namespace) -> int:
    from cli.main import emit, open_from_args
    from storebox.errors import InvalidInput
    from sync.enrolment import enrol

    with open_from_args(args) as shop:
        hub_url = (args.hub or shop.settings.hub_url).strip()
        if not hub_url:
            raise InvalidInput("需要 --hub URL / --hub URL is required (or set hub_url)")
        name = (args.device_name or socket.gethostname() or "till")[:80]
        enrolled = enrol(shop, hub_url, args.code, name)
    # The token stays in the shop's database; it is never printed.
    emit(
        args,
        {
            "hub": enrolled.hub_url,
            "store_id": enrolled.store_id,
            "store_name": enrolled.store_name,
            "device_id": enrolled.device_id,
            "device_name": enrolled.device_name,
        },
        f"已登记 / enrolled with {enrolled.hub_url}: store {enrolled.store_name} "
        f"({enrolled.store_id}), device {enrolled.device_id}",
    )
    return 0


# --- sync -----------------------------------------------------------------------------------


def _sync_args(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one round, print what it did, exit")
    mode.add_argument(
        "--status",
        action="store_true",
        help="show the agent's last state and the dead letters (reads only; no hub contact)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=10.0,
        help="seconds between rounds while all is well (default 10)",
    )
    parser.add_argument(
        "--backoff-base",
        type=float,
        default=BACKOFF_BASE,
        metavar="SECONDS",
        help="after a failed round wait about this long, doubling with each failure in a row "
        f"(default {BACKOFF_BASE:g}; jittered: a random time in the upper half)",
    )
    parser.add_argument(
        "--backoff-cap",
        type=float,
        default=BACKOFF_CAP,
        metavar="SECONDS",
        help=f"the longest wait between failed rounds (default {BACKOFF_CAP:g})",
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up connecting to the hub after this long (default 5)",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up on a hub that stops sending for this long (default 30)",
    )
    _json_flag(parser)


BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
"""The agent's retry schedule unless told otherwise (sync.agent.Backoff's defaults)."""

LIMITS: dict[str, tuple[float, float]] = {
    "interval": (0.1, 3600.0),
    "backoff_base": (0.01, 3600.0),
    "backoff_cap": (0.01, 86400.0),
    "connect_timeout": (0.01, 300.0),
    "read_timeout": (0.01, 3600.0),
}
"""Each timing option's accepted range in seconds (a NaN or an infinity is outside it)."""


@dataclass(frozen=True)
class Timings:
    """The agent's timing options, checked: what `storebox sync` runs with."""

    interval: float
    backoff_base: float
    backoff_cap: float
    connect_timeout: float
    read_timeout: float


def timings(args: argparse.Namespace) -> Timings:
    """The timing options from the command line, refused (InvalidInput, exit 2) with the
    option's name and range when out of range, before anything is opened or started."""
    from storebox.errors import InvalidInput
    from sync.client import CONNECT_TIMEOUT, READ_TIMEOUT

    if args.connect_timeout is None:
        args.connect_timeout = CONNECT_TIMEOUT
    if args.read_timeout is None:
        args.read_timeout = READ_TIMEOUT
    values = {
        "interval": args.interval,
        "backoff_base": args.backoff_base,
        "backoff_cap": args.backoff_cap,
        "connect_timeout": args.connect_timeout,
        "read_timeout": args.read_timeout,
    }
    for name, value in values.items():
        low, high = LIMITS[name]
        if not low <= value <= high:  # NaN fails this too
            raise InvalidInput(
                f"--{name.replace('_', '-')} must be between {low:g} and {high:g} seconds, "
                f"got {value:g}"
            )
    if values["backoff_cap"] < values["backoff_base"]:
        raise InvalidInput(
            f"--backoff-cap ({values['backoff_cap']:g} s) must not be below --backoff-base "
            f"({values['backoff_base']:g} s)"
        )
    return Timings(**values)


def _sync(args: argparse.Namespace) -> int:
    from cli.main import emit, open_from_args
    from storebox import syncstate
    from sync.agent import AgentLock, Backoff, SyncAgent
    from sync.client import HubClient

    if args.status:
        return _status(args)
    timing = timings(args)
    logging.getLogger("sync").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    with open_from_args(args) as shop:
        enrolled = syncstate.require_enrolment(shop)
        # The hub_url setting may point at the same hub by another road (a proxy); the token
        # is the enrolment's either way.
        hub_url = shop.settings.hub_url.strip() or enrolled.hub_url
        with (
            AgentLock(shop.settings.data_dir),
            HubClient(
                hub_url,
                enrolled.token,
                connect_timeout=timing.connect_timeout,
                read_timeout=timing.read_timeout,
            ) as client,
        ):
            stop = threading.Event()
            backoff = Backoff(timing.backoff_base, timing.backoff_cap)
            agent = SyncAgent(shop, client, stop=stop, backoff=backoff)
            if args.once:
                report = agent.run_round()
                emit(args, {"hub": hub_url, **report.as_dict()}, report.render_text())
                return 0 if report.error is None else 1

            def _stop(signum: int, _frame: object) -> None:
                logging.getLogger("sync").info(
                    "signal %s: finishing the current step, then stopping", signum
                )
                stop.set()

            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            logging.getLogger("sync").info(
                "sync agent for store %s started against %s (rounds every %g s, backoff %g s "
                "doubling to %g s, timeouts: connect %g s, read %g s)",
                enrolled.store_id,
                hub_url,
                timing.interval,
                timing.backoff_base,
                timing.backoff_cap,
                timing.connect_timeout,
                timing.read_timeout,
            )
            agent.run_forever(timing.interval)
            logging.getLogger("sync").info("sync agent stopped")
    return 0


def _when(value: object) -> str:
    return "never" if value is None else str(value)


def _status(args: argparse.Namespace) -> int:
    from cli.main import emit, open_from_args
    from storebox import syncstate

    with open_from_args(args) as shop:
        enrolled = syncstate.enrolment(shop)
        state = syncstate.status(shop)
        dead = syncstate.dead_letters(shop)
    document = {
        "enrolled": enrolled is not None,
        "hub": enrolled.hub_url if enrolled else None,
        "store_id": enrolled.store_id if enrolled else None,
        "device_id": enrolled.device_id if enrolled else None,
        "online": state.online,
        "last_attempt_at": state.last_attempt_at,
        "last_success_at": state.last_success_at,
        "pending_events": state.pending_events,
        "dead_letters": [
            {"event_id": d.event_id, "kind": d.kind, "created_at": d.created_at, "reason": d.reason}
            for d in dead
        ],
        "last_error": state.last_error,
        "streams": {
            s.stream: {"cursor": s.cursor, "last_pulled_at": s.last_pulled_at, "resyncs": s.resyncs}
            for s in state.streams
        },
    }
    lines = [
        f"hub: {enrolled.hub_url} (store {enrolled.store_id})" if enrolled else "hub: not enrolled",
        f"online: {'yes' if state.online else 'no'}; last success {_when(state.last_success_at)}",
        f"pending events: {state.pending_events}; dead letters: {len(dead)}",
    ]
    if state.last_error:
        lines.append(f"last error: {state.last_error}")
    lines += [f"  dead {d.event_id} ({d.kind}, {d.created_at}): {d.reason}" for d in dead]
    lines += [
        f"stream {s.stream}: last pulled {_when(s.last_pulled_at)}, resyncs {s.resyncs}"
        for s in state.streams
    ]
    emit(args, document, "\n".join(lines))
    return 0


COMMANDS: dict[str, tuple[str, Configure, Handler]] = {
    "enrol": (
        "enrol this shop's device with a hub (a one-time code from the hub's operator)",
        _enrol_args,
        _enrol,
    ),
    "sync": (
        "the sync agent: push the outbox, pull the catalogue and settings (--once: one round)",
        _sync_args,
        _sync,
    ),
}
