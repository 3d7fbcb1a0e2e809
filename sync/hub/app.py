"""The hub's HTTP API (FastAPI): `create_app(db_url)`.

Stateless between requests: everything lives in the database, so any number of hub processes
can serve one PostgreSQL behind a load balancer. The app holds only its engine (a connection
pool) and the database's epoch (fixed when the database was made).

Every error is an `ErrorBody` with a specific code: malformed JSON or parameters are 422, a
missing or bad token 401, an unknown cursor 400/410, an unknown id 404, a database that is down
503 (the shop retries). Nothing a client sends should produce a 500; the schemathesis test in
tests/sync fuzzes the API against its own OpenAPI description to hold that.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from sync import protocol
from sync.hub import (
    acquirer_api,
    admin,
    auth,
    billers,
    billers_api,
    defaults,
    health,
    ingest,
    migrate,
    streams,
)
from sync.hub.auth import Caller
from sync.hub.clock import utcnow
from sync.hub.db import Database
from sync.hub.errors import HubError, NotFound
from sync.hub.models import ReceivedEvent

log = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": protocol.ErrorBody, "description": text}
    for code, text in (
        (400, "bad request (e.g. a malformed cursor)"),
        (401, "no valid device token"),
        (422, "the body or a parameter does not fit the schema"),
        (503, "the hub's database is unavailable; retry with backoff"),
    )
}
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}


def _error(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = protocol.ErrorBody(error=code, detail=detail)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request does not fit the schema"


_bearer = HTTPBearer(auto_error=False, description="the device token from enrolment")


def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The calling device (401 without a valid token). `credentials` is declared so the
    OpenAPI description shows the bearer scheme; the header is parsed by `auth` itself."""
    db: Database = request.app.state.db
    return auth.authenticate(db, request.headers.get("authorization"))


Device = Annotated[Caller, Depends(_caller)]


def _known_query_only(request: Request) -> None:
    """Unknown query parameters are refused like unknown body fields (`WireModel`): a misspelt
    `limt=` is a bug on the other side, not something to ignore silently."""
    route = request.scope.get("route")
    known = (
        {p.alias for p in route.dependant.query_params} if isinstance(route, APIRoute) else set()
    )
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise HubError(
            f"unknown query parameter {unknown[0][:40]!r}"
            + (f"; this path takes {', '.join(sorted(known))}" if known else ""),
            code="invalid_request",
            status=422,
        )


MAX_BODY_BYTES = 16 * 1024 * 1024
"""A full batch of 200 sales is well under 1 MB; anything near this is not a shop talking."""


class _BodyLimit:
    """Refuse a declared body over MAX_BODY_BYTES before reading it (413, an ErrorBody)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length" and (
                    not value.isdigit() or int(value) > MAX_BODY_BYTES
                ):
                    response = _error(
                        413, "too_large", f"a request body may hold at most {MAX_BODY_BYTES} bytes"
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


BILL_TICK_S = 2.0
"""How often the hub moves pending bill payments whose time has come, for stores that are
not asking (a store that asks has its own moved at once)."""


async def _bill_ticks(db: Database, every: float) -> None:
    """The background tick: pending bill payments become final on the hub's clock even when no
    shop asks, so their results are on the stream when it next pulls. A failed tick is logged
    and tried again at the next (the database may be down for a while)."""
    while True:
        await asyncio.sleep(every)
        try:
            moved = await asyncio.to_thread(billers.tick, db)
        except Exception:
            log.exception("the bill payments' tick failed; trying again in %.0f s", every)
            continue
        if moved:
            log.info("%d bill payments reached their result", moved)


def create_app(
    db_url: str,
    *,
    catalog_items: int = 0,
    migrate_db: bool = True,
    bill_tick_s: float = BILL_TICK_S,
) -> FastAPI:
    """The hub on the database at `db_url` (SQLite path/URL or postgresql://…), its schema
    brought up to date; empty streams get the default billers and config (and a generated
    catalogue of `catalog_items` goods if the catalogue is empty). `bill_tick_s` is the
    background tick of pending bill payments (0: none, the lazy moves only)."""
    db = Database(db_url)
    if migrate_db:
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            added = defaults.publish_defaults(session, catalog_items)
        if added:
            log.info("published defaults: %s", added)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ticks = asyncio.create_task(_bill_ticks(db, bill_tick_s)) if bill_tick_s > 0 else None
        try:
            yield
        finally:
            if ticks is not None:
                ticks.cancel()
                with suppress(asyncio.CancelledError):
                    await ticks
            db.dispose()

    app = FastAPI(
        title="storebox hub",
        version=str(protocol.PROTOCOL_VERSION),
        description="The cloud side of the storebox sync protocol (DESIGN.md, 'Sync protocol').",
        lifespan=lifespan,
        dependencies=[Depends(_known_query_only)],
    )
    app.state.db = db
    app.add_middleware(_BodyLimit)
    # --- error handlers: every answer that is not a success is an ErrorBody -----------------

    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        retry_after = getattr(exc, "retry_after", None)  # e.g. the acquirer's too_early
        if isinstance(retry_after, int):
            headers = {**(headers or {}), "Retry-After": str(retry_after)}
        return _error(exc.status, exc.code, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid_request", _describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return _error(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(OperationalError)
    async def _db_down(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        return _error(
            503,
            "unavailable",
            "the hub's database is unavailable; retry later",
            {"Retry-After": "2"},
        )

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            log.error("database connection lost: %s", exc.orig)
            return _error(
                503,
                "unavailable",
                "the hub lost its database connection; retry",
                {"Retry-After": "1"},
            )
        log.exception("database error")
        return _error(500, "internal", "the hub failed on its database; it has been logged")

    # --- enrolment and identity ------------------------------------------------------------

    @app.post(
        protocol.ENROL_PATH,
        response_model=protocol.EnrolResponse,
        responses={
            **_ERRORS,
            403: {"model": protocol.ErrorBody, "description": "unknown, used or expired code"},
        },
    )
    def enrol(body: protocol.EnrolRequest) -> protocol.EnrolResponse:
        done = admin.enrol(db, body.code, body.device_name, body.app_version)
        return protocol.EnrolResponse(
            store_id=done.store_id,
            store_name=done.store_name,
            device_id=done.device_id,
            token=done.token,
        )

    @app.get(protocol.ME_PATH, response_model=protocol.WhoAmI, responses=_ERRORS)
    def me(who: Device) -> protocol.WhoAmI:
        return protocol.WhoAmI(
            store_id=who.store_id,
            store_name=who.store_name,
            device_id=who.device_id,
            device_name=who.device_name,
            server_time=utcnow(),
        )

    # --- push --------------------------------------------------------------------------------

    @app.post(protocol.PUSH_PATH, response_model=protocol.PushResponse, responses=_ERRORS)
    def push(body: protocol.PushRequest, who: Device) -> protocol.PushResponse:
        return ingest.push(db, ingest.Sender(store_id=who.store_id, device_id=who.device_id), body)

    @app.get(
        protocol.EVENT_PATH,
        response_model=protocol.EventResult,
        responses={
            **_ERRORS,
            404: {"model": protocol.ErrorBody, "description": "no such event in this store"},
        },
    )
    def event_status(
        who: Device,
        event_id: Annotated[str, Path(pattern=protocol.EVENT_ID_PATTERN)],
    ) -> protocol.EventResult:
        with db.reading() as session:
            row = session.execute(
                select(ReceivedEvent.status, ReceivedEvent.reason).where(
                    ReceivedEvent.event_id == event_id, ReceivedEvent.store_id == who.store_id
                )
            ).first()
        if row is None:
            raise NotFound("this store has sent no event with this id")
        status: protocol.EventStatus = "applied" if row.status == ingest.APPLIED else "rejected"
        return protocol.EventResult(event_id=event_id, status=status, reason=row.reason)

    # --- pull --------------------------------------------------------------------------------

    @app.get(
        protocol.PULL_PATH,
        response_model=protocol.PullPage,
        responses={
            **_ERRORS,
            410: {
                "model": protocol.ErrorBody,
                "description": "cursor_expired: pull from the start",
            },
        },
    )
    def pull(
        who: Device,
        stream: protocol.StreamName,
        cursor: Annotated[
            str,
            Query(
                max_length=200,
                description="the cursor of the last page; empty for the start. Opaque to the shop.",
                json_schema_extra={"pattern": f"^$|{streams.CURSOR_PATTERN}"},
            ),
        ] = "",
        limit: Annotated[int, Query(ge=1, le=protocol.MAX_PAGE)] = protocol.MAX_PAGE,
    ) -> Response:
        if stream in streams.PER_STORE:
            billers.advance_store(db, who.store_id)  # results due now are on this page
        with db.reading() as session:
            page = streams.pull(session, stream, cursor, limit, who.store_id)
        return Response(page.to_json(), media_type="application/json")

    # --- health ------------------------------------------------------------------------------

    @app.post(protocol.HEALTH_PATH, response_model=protocol.HealthAck, responses=_ERRORS)
    def report_health(body: protocol.HealthReport, who: Device) -> protocol.HealthAck:
        now = utcnow()
        with db.transaction() as session:
            health.record(session, who.store_id, who.device_id, body, now)
        return protocol.HealthAck(received_at=now)

    # --- the simulated acquirer (wallet payments, issue 6) -------------------------------------

    app.include_router(acquirer_api.router(db))

    # --- the simulated billers (convenience payments, issue 7) ---------------------------------

    app.include_router(billers_api.router(db))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, bool]:
        """For a load balancer: answers when the database does."""
        with db.reading() as session:
            session.execute(select(1))
        return {"ok": True}

    return app
