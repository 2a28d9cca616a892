"""JSON errors for the API: {"error": {"code": ..., "message": ...}}, never an HTML page."""

from __future__ import annotations

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from kotaku_collab.i18n import _

log = logging.getLogger(__name__)

PREFIX = "/api/"

#: HTTP status → the machine-readable code in the body.
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 413: "payload_too_large", 429: "too_many_requests",
         500: "server_error", 503: "unavailable"}


class ApiError(HTTPException):
    """An API error with a message for the caller (already translated)."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(description=message)
        self.code = status
        self.error_code = code or CODES.get(status, "error")


def is_api_request() -> bool:
    """True for any path under /api/, matched to a route or not."""
    return request.path.startswith(PREFIX)


def _default_message(status: int) -> str:
    return {
        400: _("The request is not valid."),
        401: _("A valid API token is required: send it as \"Authorization: Bearer <token>\"."),
        403: _("You may not read this."),
        404: _("Not found."),
        405: _("This API is read-only: only GET is allowed."),
        503: _("The database is unavailable; try again later."),
    }.get(status, _("The request could not be handled."))


def error_response(status: int, message: str | None = None, code: str | None = None):
    """The JSON error body with its status and headers."""
    response = jsonify({"error": {"code": code or CODES.get(status, "error"),
                                  "message": message or _default_message(status)}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kotaku-collab"'
    return response


def json_error(error: Exception):
    """The JSON answer to any error raised while handling an API request."""
    from kotaku_collab.extensions import db

    db.session.rollback()
    # A request that matched no route reaches the CSRF check before its 404 or 405 is raised:
    # answer with what routing found.
    routing = getattr(request, "routing_exception", None)
    if routing is not None:
        error = routing
    if isinstance(error, ApiError):
        return error_response(error.code, error.description, error.error_code)
    if isinstance(error, HTTPException) and error.code and error.code < 500:
        response = error_response(error.code)
        if error.code == 405:
            response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    if isinstance(error, HTTPException) and error.code == 503:
        return error_response(503)
    log.exception("API error", exc_info=error)
    return error_response(500)
