"""Helpers every /api/v1 route uses: reading the JSON body strictly."""

from flask import request

from server.errors import ApiError

API_PREFIX = "/api/v1"


def json_body(expect=dict):
    """The request's JSON body, or a 400 `invalid_json` / `validation_failed` error."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.")
    if expect is not None and not isinstance(data, expect):
        raise ApiError(
            400,
            "invalid_json",
            f"The body must be a JSON {expect.__name__.replace('dict', 'object')}.",
        )
    return data
