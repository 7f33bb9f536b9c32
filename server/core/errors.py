"""The one JSON error shape of DESIGN §5, for every error under /api, whatever raised it."""

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Codes for errors raised by Flask/Werkzeug itself (routing, body size, …).
HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Authentication is required."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "This response format is not available."),
    409: ("conflict", "The request conflicts with the current state."),
    410: ("gone", "This resource is no longer available."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "This media type is not supported."),
    422: ("validation_failed", "The request is well-formed but invalid."),
    429: ("rate_limited", "Too many requests; try again later."),
    500: ("internal_error", "Something went wrong on the server; nothing was changed."),
}


class ApiError(Exception):
    """Raise from any route or logic function; becomes the error body with its status."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        # Documented optional members of the error object (ErrorDetail), e.g. attempts_left.
        self.extra = extra or {}


def error_body(code: str, message: str, fields: dict | None = None,
               extra: dict | None = None) -> dict:
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    error.update(extra or {})
    return {"error": error}


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   extra: dict | None = None):
    response = jsonify(error_body(code, message, fields, extra))
    response.status_code = status
    return response


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(err: ApiError):
        return error_response(err.status, err.code, err.message, err.fields, err.extra)

    @app.errorhandler(HTTPException)
    def handle_http_exception(err: HTTPException):
        if not _is_api_request():
            return err
        code, message = HTTP_CODES.get(err.code or 500, ("http_error", err.name))
        response = error_response(err.code or 500, code, message)
        if err.code == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not _is_api_request():
            return "Internal Server Error", 500
        return error_response(500, *HTTP_CODES[500])
