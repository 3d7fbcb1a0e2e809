"""The wire schemas of the shop <-> hub protocol, shared by both ends so they cannot drift.

Every body that crosses the wire is one of these pydantic models; both sides validate what they
receive (the hub with FastAPI, the shop's client explicitly), because a body that merely parsed
as JSON proves nothing: `requests` can hand back a 200 with an empty or truncated body when the
connection is cut while the answer is read. Only a validated acknowledgement that names every
event sent counts as "received" (`check_acknowledgement`).

Money is integer fen here as everywhere. Times are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

PROTOCOL_VERSION: Final = 1

# Paths (prefix /v1 so a later protocol can live beside this one).
ENROL_PATH: Final = "/v1/devices/enrol"
ME_PATH: Final = "/v1/me"
PUSH_PATH: Final = "/v1/events"
EVENT_PATH: Final = "/v1/events/{event_id}"
"""GET: what the hub answered for one of this store's events (404 if it holds no such event)."""
PULL_PATH: Final = "/v1/streams/{stream}"
HEALTH_PATH: Final = "/v1/health"

MAX_BATCH: Final = 200
"""Events per push request: big enough to drain a day's backlog quickly, small enough that a
request finishes well inside the client's read timeout on a slow shop line."""

MAX_PAGE: Final = 2000
"""Changes per pull page; the client asks for less with `limit`."""

STREAMS: Final = ("catalog", "billers", "config")
"""Pull streams the hub serves; later features add theirs (orders, bill_results, ...)."""

StreamName = Literal["catalog", "billers", "config"]

EVENT_ID_PATTERN: Final = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
EVENT_KIND_PATTERN: Final = r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$"


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a time on the wire must carry its offset (UTC)")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise ValueError("the time is out of range") from None


AwareDatetime = Annotated[dt.datetime, AfterValidator(_aware)]
EventId = Annotated[str, StringConstraints(pattern=EVENT_ID_PATTERN)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class WireModel(BaseModel):
    """Unknown fields are refused: a misspelt field is a bug on the other side, not data."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorBody(WireModel):
    """Every 4xx/5xx answer: a stable machine code and a sentence for a person."""

    error: str
    detail: str


# --- enrolment -----------------------------------------------------------------------------


class EnrolRequest(WireModel):
    code: Annotated[str, StringConstraints(min_length=6, max_length=64)]
    device_name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    app_version: Annotated[str, StringConstraints(max_length=40)] = ""


class EnrolResponse(WireModel):
    store_id: str
    store_name: str
    device_id: str
    token: str
    """Shown once; the hub keeps only its hash."""


class WhoAmI(WireModel):
    store_id: str
    store_name: str
    device_id: str
    device_name: str
    server_time: AwareDatetime


# --- push: the outbox ----------------------------------------------------------------------


class Event(WireModel):
    event_id: EventId
    """The idempotency key: the hub applies an id at most once (a UNIQUE constraint)."""
    kind: Annotated[str, StringConstraints(pattern=EVENT_KIND_PATTERN, max_length=40)]
    created_at: AwareDatetime
    payload: dict[str, Any]


class PushRequest(WireModel):
    events: Annotated[list[Event], Field(min_length=1, max_length=MAX_BATCH)]


EventStatus = Literal["applied", "duplicate", "rejected"]


class EventResult(WireModel):
    """applied: new and kept. duplicate: seen before and kept then (the same answer again).
    rejected: permanent, with a reason; the shop parks it as a dead letter, never retries it."""

    event_id: EventId
    status: EventStatus
    reason: str | None = None


class PushResponse(WireModel):
    results: list[EventResult]


class AcknowledgementError(ValueError):
    """The hub's answer does not account for exactly the events sent: treat as not received."""


def check_acknowledgement(sent: PushRequest, answer: PushResponse) -> dict[str, EventResult]:
    """One result per event sent, no more, no other: otherwise nothing counts as received."""
    ids = [e.event_id for e in sent.events]
    got = [r.event_id for r in answer.results]
    if sorted(ids) != sorted(got):
        raise AcknowledgementError(
            f"the hub answered for {len(got)} events, {len(ids)} were sent, or for other ids"
        )
    return {r.event_id: r for r in answer.results}


def canonical_json(payload: Any) -> str:
    """One spelling of a JSON value, so that equal payloads have equal digests on both sides."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def payload_digest(kind: str, payload: Any) -> str:
    """What the hub compares when an event id comes again: same id, other digest = refused."""
    return digest_of_canonical(kind, canonical_json(payload))


def digest_of_canonical(kind: str, canonical: str) -> str:
    """`payload_digest` for a payload already spelt by `canonical_json` (spelt once, used twice)."""
    return hashlib.sha256(f"{kind}\n{canonical}".encode()).hexdigest()


# --- pull: streams with cursors ------------------------------------------------------------


class Change(WireModel):
    key: str
    op: Literal["upsert", "delete"]
    data: dict[str, Any] | None = None
    """The whole item for an upsert (its schema is the stream's: CatalogItem, Biller, ...)."""


class PullPage(WireModel):
    """Changes after `cursor` in commit order; `cursor` is opaque to the shop.

    `more` means ask again at once. A 410 answer (error "cursor_expired") means the hub no longer
    serves changes after the cursor: drop the stream's local copy and pull from the start.
    """

    stream: str
    changes: list[Change]
    cursor: str
    more: bool


class CatalogItem(WireModel):
    """One of the community mall's goods and its wholesale price list entry."""

    sku: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    barcode: str | None = None
    name: ShortText
    spec: str = ""
    """规格, e.g. 500ml×12."""
    unit: str = "件"
    category: str = ""
    case_qty: Annotated[int, Field(ge=1)] = 1
    wholesale_price_fen: Annotated[int, Field(ge=0)]
    retail_price_fen: Annotated[int, Field(ge=0)]
    """The mall's suggested shelf price."""
    active: bool = True


class Biller(WireModel):
    """A convenience-payment biller; its input rules are data (REFERENCE.md), filled in by the
    bill-payment feature."""

    biller_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    kind: Literal["electricity", "water", "gas", "mobile", "credit_card"]
    name: ShortText
    active: bool = True
    rules: dict[str, Any] = Field(default_factory=dict)


class ConfigEntry(WireModel):
    key: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    value: Any


# --- health --------------------------------------------------------------------------------


DeviceState = Literal["ok", "warning", "error", "unknown", "off"]


class DeviceHealth(WireModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    """printer, terminal, scanner, display."""
    url: Annotated[str, StringConstraints(max_length=200)] = ""
    state: DeviceState
    detail: Annotated[str, StringConstraints(max_length=200)] = ""


class AgentState(WireModel):
    online: bool
    pending_events: Annotated[int, Field(ge=0)]
    dead_letters: Annotated[int, Field(ge=0)]
    last_success_at: AwareDatetime | None = None
    last_error: Annotated[str, StringConstraints(max_length=500)] | None = None
    cursors: dict[str, str] = Field(default_factory=dict)


class HealthAck(WireModel):
    """The hub's answer to a health report."""

    received_at: AwareDatetime


class HealthReport(WireModel):
    at: AwareDatetime
    app_version: Annotated[str, StringConstraints(max_length=40)] = ""
    devices: Annotated[list[DeviceHealth], Field(max_length=20)] = Field(default_factory=list)
    agent: AgentState
