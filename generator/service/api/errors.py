"""One JSON error shape for every API error: `{"error": {"code": …, "message": …, "field": …}}`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ..store.backend import database_errors, unreachable
from ..talk.policy import TalkError

log = logging.getLogger("practica.push.api")
# Error types raised by our own validators keep their name as the code; pydantic's own become "invalid".
OWN_CODES = {"invalid_key", "invalid_timezone", "invalid_time", "invalid_slug"}
HTTP_CODES = {400: "bad_request", 401: "auth_required", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
              429: "rate_limited", 500: "internal", 503: "unavailable"}
RETRY_DATABASE = 5  # seconds a client is asked to wait (Retry-After) when the database cannot be reached


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Every error the API returns, whatever the status."""

    error: ErrorDetail


class ApiError(Exception):
    """An error answered as the error shape; `field` names the offending request field, if one."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, field=field))
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def install(app: FastAPI) -> None:
    """Route every exception the app can raise through the error shape."""
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(TalkError, _talk_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    for kind in database_errors():  # handled here, not by _crash: Starlette re-raises what reaches that one
        app.add_exception_handler(kind, _database)
    app.add_exception_handler(Exception, _crash)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)


async def _talk_error(request: Request, exc: TalkError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return error_response(exc.status, exc.code, str(exc), exc.field, headers)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    first: dict[str, Any] = exc.errors()[0] if exc.errors() else {"type": "invalid", "msg": "invalid", "loc": ()}
    kind = str(first.get("type", "invalid"))
    code = kind if kind in OWN_CODES else {"json_invalid": "invalid_json", "missing": "missing"}.get(kind, "invalid")
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return error_response(422, code, message, field_path(tuple(first.get("loc", ()))))


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    messages = {404: f"nothing here: {request.url.path}",
                405: f"{request.method} is not allowed on {request.url.path}"}
    message = messages.get(exc.status_code, str(exc.detail))
    return error_response(exc.status_code, HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"), message,
                          headers=exc.headers)


async def _database(request: Request, exc: Exception) -> JSONResponse:
    """A database that is down or restarting is not a bug: 503 and Retry-After (the store's pool reconnects by
    itself); any other database error is one, answered as `_crash` does, its traceback logged."""
    if unreachable(exc):
        log.warning("%s %s: the database is unreachable: %s: %s", request.method, request.url.path,
                    type(exc).__name__, " ".join(str(exc).split()))
        return error_response(503, "database_unavailable", "the service cannot reach its database; try again shortly",
                              headers={"Retry-After": str(RETRY_DATABASE)})
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "the push service failed; the error was logged")


async def _crash(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    return error_response(500, "internal", "the push service failed; the error was logged")


def field_path(loc: tuple[Any, ...]) -> str | None:
    """`preferences.topics[1]` from pydantic's ('body', 'preferences', 'topics', 1)."""
    out = ""
    for part in loc[1:] if loc and loc[0] in ("body", "path", "query", "header") else loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None
