"""Errors the hub answers with: a status, a stable machine code and a sentence for a person
(the wire's `ErrorBody`). Raised anywhere in a request; one exception handler renders them."""

from __future__ import annotations


class HubError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class Unauthorised(HubError):
    status = 401
    code = "unauthorised"


class NotFound(HubError):
    status = 404
    code = "not_found"


class CursorExpired(HubError):
    status = 410
    code = "cursor_expired"


class BadCursor(HubError):
    status = 400
    code = "bad_cursor"


class EnrolRefused(HubError):
    status = 403
    code = "enrol_refused"


class AdminError(ValueError):
    """A mistake in an admin command (unknown store or device): one clear line, exit 2."""
