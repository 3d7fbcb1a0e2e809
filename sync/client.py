"""The shop's typed client of the hub (requests), shared by the sync agent and, for the calls
that must be answered while a customer waits, by the window (off its UI thread).

Every answer is validated against the wire schemas (`sync.protocol`) before anyone sees it.
`requests` can hand back a 200 whose body is empty or cut short when the connection drops while
the answer is read; such an answer, like one that does not parse or does not match its schema,
is a *transient* failure: nothing it claims counts. A push counts as received only through
`protocol.check_acknowledgement` (one result for exactly every event sent).

Failures come in two kinds the caller treats differently (STYLE.md, known errors):

* `HubUnavailable` (transient): no connection, a timeout, a cut or unreadable answer, 5xx, 408,
  425, 429 — try again later, with backoff;
* `HubRefused` (permanent): a 4xx that repeating will not change; `DeviceRevoked` (401) means
  this device's token is no longer accepted: enrol again.

`CursorExpired` (410 on a pull) is its own signal: the stream must be pulled again from the start.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import requests
from pydantic import BaseModel, ValidationError
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NewConnectionError

from storebox.errors import ShopError
from sync import protocol

log = logging.getLogger(__name__)

CONNECT_TIMEOUT: Final = 5.0
"""Seconds to open a connection: a hub that is up answers a SYN in milliseconds."""
READ_TIMEOUT: Final = 30.0
"""Seconds between bytes of an answer: a full batch or page is well inside this on a slow line."""

TRANSIENT_STATUS: Final = frozenset({408, 425, 429})

MAX_ANSWER_BYTES: Final = 32 * 1024 * 1024
"""A page of 2,000 catalogue items is about 1 MB; an answer far past that is not believed."""

M = TypeVar("M", bound=BaseModel)


class HubError(ShopError):
    """Anything that went wrong talking to the hub; the message is fit for the owner."""

    code = "hub_error"
    retry_after: float | None = None
    """Seconds the hub asked us to wait (Retry-After), if it said."""

    def __init__(self, message: str, *, status: int | None = None, error: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.error = error


class HubUnavailable(HubError):
    """Transient: the hub could not be reached or its answer cannot be trusted. Retry later."""

    code = "hub_unavailable"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, error=error)
        self.retry_after = retry_after


class HubUnreachable(HubUnavailable):
    """Transient, and the request certainly never left the shop: no connection could be opened
    (refused, no route, DNS, connect timeout). A payment call failing this way moved no money."""

    code = "hub_unreachable"


class HubRefused(HubError):
    """Permanent: the hub understood and said no (4xx). Repeating the request will not help."""

    code = "hub_refused"


class DeviceRevoked(HubRefused):
    """401: the hub no longer accepts this device's token (revoked, or never valid)."""

    code = "device_revoked"


class CursorExpired(HubError):
    """410 on a pull: the hub no longer serves changes after this cursor; resync the stream."""

    code = "cursor_expired"


@dataclass(frozen=True)
class Answer:
    """A whole HTTP answer, read to its end inside the client's guard."""

    status: int
    reason: str
    body: bytes
    headers: Mapping[str, str]
    where: str


def _retry_after(answer: Answer) -> float | None:
    value = answer.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 3600 else None


def _reason(answer: Answer) -> tuple[str, str]:
    """(machine code, sentence) from an error body; the protocol's ErrorBody, FastAPI's own
    {"detail": ...}, or the first bytes of whatever came."""
    try:
        body = json.loads(answer.body)
    except ValueError:
        return "", answer.body[:200].decode("utf-8", "replace").strip()
    if isinstance(body, dict):
        try:
            parsed = protocol.ErrorBody.model_validate(body)
            return parsed.error, parsed.detail
        except ValidationError:
            detail = body.get("detail", body)
            return str(body.get("error", "")), str(detail)[:300]
    return "", str(body)[:200]


class HubClient:
    """One hub, one device token (None before enrolment). Thread-safe enough for one caller
    at a time per instance; the window and the agent each keep their own."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        session: requests.Session | None = None,
        user_agent: str = "storebox-shop",
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        base_url = base_url.strip().rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise HubRefused(f"hub URL must start with http:// or https://, got {base_url!r}")
        self.base_url = base_url
        self.timeout = (connect_timeout, read_timeout)
        self.max_answer_bytes = max_answer_bytes
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._session.headers["Accept"] = "application/json"
        self._token = token

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        """A new token after the device was enrolled again."""
        self._token = value

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the calls ------------------------------------------------------------------------

    def enrol(self, code: str, device_name: str, app_version: str = "") -> protocol.EnrolResponse:
        try:
            body = protocol.EnrolRequest(
                code=code, device_name=device_name, app_version=app_version
            )
        except ValidationError as exc:
            raise HubRefused(f"enrolment refused before sending: {_first_error(exc)}") from None
        answer = self._call("POST", protocol.ENROL_PATH, body, auth=False)
        return self._parse(answer, protocol.EnrolResponse)

    def me(self) -> protocol.WhoAmI:
        return self._parse(self._call("GET", protocol.ME_PATH), protocol.WhoAmI)

    def push(self, request: protocol.PushRequest) -> protocol.PushResponse:
        """Send a batch; the answer is returned only if it accounts for exactly every event
        sent. Anything else (a cut body, an answer for other ids) raises HubUnavailable: the
        events stay pending and go again; the hub's idempotency makes that safe."""
        answer = self._parse(self._call("POST", protocol.PUSH_PATH, request), protocol.PushResponse)
        try:
            protocol.check_acknowledgement(request, answer)
        except protocol.AcknowledgementError as exc:
            raise HubUnavailable(f"the hub's acknowledgement does not match: {exc}") from None
        return answer

    def pull(
        self, stream: str, cursor: str | None, limit: int = protocol.MAX_PAGE
    ) -> protocol.PullPage:
        if not 1 <= limit <= protocol.MAX_PAGE:
            raise HubRefused(f"limit must be between 1 and {protocol.MAX_PAGE}")
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        path = protocol.PULL_PATH.format(stream=stream)
        page = self._parse(self._call("GET", path, params=params), protocol.PullPage)
        if page.stream != stream:
            raise HubUnavailable(
                f"asked for stream {stream!r}, the hub answered with {page.stream!r}"
            )
        if len(page.changes) > limit:
            raise HubUnavailable(
                f"asked for at most {limit} changes, the hub sent {len(page.changes)}"
            )
        return page

    def health(self, report: protocol.HealthReport) -> protocol.HealthAck:
        return self._parse(self._call("POST", protocol.HEALTH_PATH, report), protocol.HealthAck)

    def event(self, event_id: str) -> protocol.EventResult | None:
        """What the hub answered for one of this store's events; None if it holds no such event."""
        try:
            answer = self._call("GET", protocol.EVENT_PATH.format(event_id=event_id))
        except HubRefused as exc:
            if exc.status == 404:
                return None
            raise
        return self._parse(answer, protocol.EventResult)

    # --- the acquirer (wallet payments, issue 6) -------------------------------------------
    # A 404 is HubRefused with status 404 (no such order in this store); a 409 carries the
    # hub's code in `error` (too_early, user_paying, …) and its Retry-After in `retry_after`.

    def micropay(self, request: protocol.MicropayRequest) -> protocol.OrderAnswer:
        return self._order(self._call("POST", protocol.MICROPAY_PATH, request), request.reference)

    def query_order(self, reference: str) -> protocol.OrderAnswer:
        path = protocol.ORDER_PATH.format(reference=_path_ref(reference))
        return self._order(self._call("GET", path), reference)

    def reverse_order(self, reference: str) -> protocol.OrderAnswer:
        path = protocol.REVERSE_PATH.format(reference=_path_ref(reference))
        return self._order(self._call("POST", path), reference)

    def refund_order(self, request: protocol.RefundRequest) -> protocol.OrderAnswer:
        return self._order(self._call("POST", protocol.REFUND_PATH, request), request.reference)

    def create_qr(self, request: protocol.QrCreateRequest) -> protocol.OrderAnswer:
        return self._order(self._call("POST", protocol.QR_PATH, request), request.reference)

    def close_qr(self, reference: str) -> protocol.OrderAnswer:
        path = protocol.QR_CLOSE_PATH.format(reference=_path_ref(reference))
        return self._order(self._call("POST", path), reference)

    def settlement(self, day: str) -> protocol.SettlementFile:
        path = protocol.SETTLEMENT_PATH.format(day=day)
        return self._parse(self._call("GET", path), protocol.SettlementFile)

    # --- convenience payments (便民支付, issue 7) ------------------------------------------
    # A refusal is HubRefused with the hub's code in `error` (invalid_account, not_a_credit_card,
    # operator_mismatch, account_not_found, no_bill, query_expired, amount_invalid,
    # limit_exceeded, duplicate_bill, biller_closed, idempotency_conflict, ...); the biller
    # being unreachable is HubUnavailable with error "biller_unavailable" (never a failure:
    # the payment was not recorded, try again).

    def bill_lookup(self, request: protocol.BillLookupRequest) -> protocol.BillLookup:
        """The bill due on an account (billers with `rules.lookup`); online only."""
        bill = self._parse(
            self._call("POST", protocol.BILL_LOOKUP_PATH, request), protocol.BillLookup
        )
        if bill.biller_id != request.biller_id:
            raise HubUnavailable(
                f"asked biller {request.biller_id!r} for a bill, the hub answered for "
                f"{bill.biller_id!r}"
            )
        return bill

    def bill_pay(self, request: protocol.BillPaymentRequest) -> protocol.BillResult:
        """Submit a payment the shop accepted (the same request as its `bill_payment.accepted`
        event: the hub makes one payment of both, by payment_id). Safe to repeat."""
        result = self._parse(
            self._call("POST", protocol.BILL_PAY_PATH, request), protocol.BillResult
        )
        return self._same_payment(result, request.payment_id)

    def bill_payment(self, payment_id: str) -> protocol.BillResult | None:
        """The hub's answer about one of this store's payments now; None if the hub holds no
        payment with this id (not received yet: its event may still be in the outbox)."""
        if not re.fullmatch(protocol.EVENT_ID_PATTERN, payment_id):
            raise HubRefused(f"not a payment id: {payment_id[:70]!r}")
        try:
            answer = self._call("GET", protocol.BILL_PAYMENT_PATH.format(payment_id=payment_id))
        except HubRefused as exc:
            if exc.status == 404:
                return None
            raise
        return self._same_payment(self._parse(answer, protocol.BillResult), payment_id)

    def bill_statement(self, day: str) -> protocol.BillStatement:
        """The hub's statement of this store's bill payments accepted on `day` (YYYY-MM-DD,
        China time)."""
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
            raise HubRefused(f"not a day (YYYY-MM-DD): {day[:20]!r}")
        path = protocol.BILL_STATEMENT_PATH.format(day=day)
        return self._parse(self._call("GET", path), protocol.BillStatement)

    @staticmethod
    def _same_payment(result: protocol.BillResult, payment_id: str) -> protocol.BillResult:
        if result.payment_id != payment_id:
            raise HubUnavailable(
                f"asked about payment {payment_id!r}, the hub answered about {result.payment_id!r}"
            )
        return result

    def _order(self, answer: Answer, reference: str) -> protocol.OrderAnswer:
        order = self._parse(answer, protocol.OrderAnswer)
        if order.reference != reference:
            raise HubUnavailable(
                f"asked about order {reference!r}, the hub answered about {order.reference!r}"
            )
        return order

    # --- the plumbing ---------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: BaseModel | None = None,
        *,
        params: dict[str, str | int] | None = None,
        auth: bool = True,
    ) -> Answer:
        headers: dict[str, str] = {}
        if auth:
            if not self._token:
                raise DeviceRevoked("this device is not enrolled with the hub (no token)")
            headers["Authorization"] = f"Bearer {self._token}"
        data: bytes | None = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = body.model_dump_json().encode()
        url = self.base_url + path
        where = f"{method} {path}"
        try:
            with self._session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                timeout=self.timeout,
                stream=True,
            ) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_content(chunk_size=65536):
                    size += len(chunk)
                    if size > self.max_answer_bytes:
                        raise HubUnavailable(
                            f"the hub's answer to {where} is larger than "
                            f"{self.max_answer_bytes} bytes; not read"
                        )
                    chunks.append(chunk)
                answer = Answer(
                    status=response.status_code,
                    reason=response.reason or "",
                    body=b"".join(chunks),
                    headers=CaseInsensitiveDict(response.headers),
                    where=where,
                )
        except requests.ConnectTimeout as exc:
            raise HubUnreachable(f"the hub cannot be reached ({where}): {exc}") from None
        except requests.Timeout as exc:
            raise HubUnavailable(f"the hub did not answer in time ({where}): {exc}") from None
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise HubUnreachable(f"the hub cannot be reached ({where}): {exc}") from None
            raise HubUnavailable(f"no complete answer from the hub ({where}): {exc}") from None
        except requests.RequestException as exc:
            # connection refused or reset, DNS, a body cut short (ChunkedEncodingError), ...
            raise HubUnavailable(f"no complete answer from the hub ({where}): {exc}") from None
        status = answer.status
        if 200 <= status < 300:
            return answer
        error, detail = _reason(answer)
        message = f"hub answered {status} to {where}: {detail or error or answer.reason}"
        if status == 401:
            raise DeviceRevoked(
                "云端不再接受本设备，请重新登记 / the hub no longer accepts this device "
                f"(token revoked or unknown): run `storebox enrol` again ({detail})",
                status=status,
                error=error,
            )
        if status == 410:
            raise CursorExpired(message, status=status, error=error)
        if status >= 500 or status in TRANSIENT_STATUS:
            raise HubUnavailable(
                message, status=status, error=error, retry_after=_retry_after(answer)
            )
        refused = HubRefused(message, status=status, error=error)
        refused.retry_after = _retry_after(answer)
        raise refused

    @staticmethod
    def _parse(answer: Answer, model: type[M]) -> M:
        where = answer.where
        if not answer.body:
            raise HubUnavailable(
                f"the hub's answer to {where} was empty (status {answer.status}): "
                "the connection was probably cut while it was read"
            )
        try:
            document: Any = json.loads(answer.body)
        except ValueError as exc:
            raise HubUnavailable(
                f"the hub's answer to {where} is not complete JSON ({len(answer.body)} "
                f"bytes): {exc}"
            ) from None
        try:
            return model.model_validate(document)
        except ValidationError as exc:
            raise HubUnavailable(
                f"the hub's answer to {where} does not match {model.__name__}: {_first_error(exc)}"
            ) from None


def _path_ref(reference: str) -> str:
    """A reference goes into a path: refuse one that could change the path before sending."""
    if not re.fullmatch(protocol.REFERENCE_PATTERN, reference):
        raise HubRefused(f"not a payment reference: {reference[:70]!r}")
    return reference


def _never_connected(exc: BaseException) -> bool:
    """True when a requests error says no connection was ever opened (urllib3's
    NewConnectionError somewhere in its arguments or causes): nothing was sent."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen or not isinstance(item, BaseException):
            continue
        seen.add(id(item))
        if isinstance(item, NewConnectionError):
            return True
        todo.extend(item.args)
        todo.extend((item.__cause__, item.__context__, getattr(item, "reason", None)))
    return False


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', '')}{more}"
