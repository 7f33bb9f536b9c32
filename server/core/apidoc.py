"""`@doc`: what an API route takes and answers, as marshmallow schemas, next to the route.

    @bp.post("/auth/token")
    @doc(tags=["auth"], body=TokenRequest, load_body=True, responses={201: TokenResponse},
         errors=(400, 401, 415, 422, 429), auth=False)
    def create_token(body):
        '''Log in a device.'''   # the summary (the first sentence; or pass summary=)

server/api/openapi.py reads what the decorator attaches (`view.__apidoc__`) to build
/api/v1/openapi.json, so the schema that documents a body is the one the route validates it
with. With `load_body=True` the decorator also reads the JSON body (`json_body`) and loads it
with that schema (`load`: 422 `validation_failed`), passing the result as `body=`. Put `@doc`
below `@require_auth` so that a missing token still answers 401 before a bad body answers 422.
"""

import inspect
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import Any

from marshmallow import Schema

from server.core.http import json_body, load

ERROR_SCHEMA = "ErrorBody"
# Each documented error status is one shared response component; all of them carry the same
# body, DESIGN §5's `{"error": {"code", "message", "fields"?}}` (server/core/errors.py).
ERRORS = {
    400: ("BadRequest", "The request is malformed (bad JSON, query parameter or period)."),
    401: ("Unauthorized", "No valid bearer token (missing, expired, revoked) or wrong login."),
    403: ("Forbidden", "Your role or area does not allow this."),
    404: ("NotFound", "There is no such thing, or none that you may see."),
    409: ("Conflict", "The request conflicts with the current state."),
    410: ("Gone", "The cursor is older than the change log kept: pull again from scratch."),
    413: ("PayloadTooLarge", "The body is too large (or too many mutations); nothing applied."),
    415: ("UnsupportedMediaType", "Send the body with a supported Content-Type."),
    422: ("ValidationFailed", "Some fields are not valid: `fields` names each of them."),
    429: ("RateLimited", "Too many attempts; try again later."),
    503: ("Unavailable", "The server cannot serve this now."),
}


@dataclass(frozen=True)
class Body:
    """A response (or request) that is not one JSON schema: a download, a photo, no body."""

    description: str
    content: dict[str, Any] = field(default_factory=dict)  # media type → OpenAPI schema


BINARY = {"type": "string", "format": "binary"}


def download(description: str, *media_types: str) -> Body:
    return Body(description, {media: {"schema": BINARY} for media in media_types})


@dataclass(frozen=True)
class ApiDoc:
    summary: str | None
    tags: tuple[str, ...]
    responses: dict
    errors: dict[int, str | None]
    auth: bool
    query: type[Schema] | None = None
    body: type[Schema] | Body | None = None
    path: dict[str, dict] = field(default_factory=dict)
    examples: dict = field(default_factory=dict)
    description: str | None = None

    def operation(self, operation_id: str, path_params: list[dict]) -> dict:
        op: dict[str, Any] = {"operationId": operation_id, "summary": self.summary,
                              "tags": list(self.tags)}
        if self.description:
            op["description"] = self.description
        parameters = list(path_params)
        if self.query is not None:
            parameters.append({"in": "query", "schema": self.query})
        if parameters:
            op["parameters"] = parameters
        if self.body is not None:
            op["requestBody"] = {"required": True, "content": self._content(self.body, "request")}
        op["responses"] = {str(status): self._response(status, answer)
                           for status, answer in self.responses.items()}
        for status, note in self.errors.items():
            op["responses"][str(status)] = (
                {"$ref": f"#/components/responses/{ERRORS[status][0]}"} if note is None
                else {"description": note, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}}
            )
        if self.auth:
            op["security"] = [{"bearer": []}]
        return op

    def _content(self, answer, key) -> dict:
        if isinstance(answer, Body):
            return dict(answer.content)
        media: dict[str, Any] = {"schema": answer}
        if key in self.examples:
            check = checked_request_example if key == "request" else checked_response_example
            media["example"] = check(answer, self.examples[key]())
        return {"application/json": media}

    def _response(self, status: int, answer) -> dict:
        if isinstance(answer, Body):
            response = {"description": answer.description}
            if answer.content:
                response["content"] = dict(answer.content)
            return response
        first = inspect.cleandoc(answer.__doc__ or "").split("\n\n")[0]
        description = " ".join(first.split()) or "OK"
        return {"description": description, "content": self._content(answer, status)}


def doc(summary: str | None = None, *, tags, responses: dict, errors=(), auth: bool = True,
        query=None, body=None, load_body: bool = False, path: dict | None = None,
        examples: dict | None = None, description: str | None = None):
    """Describe an API route (see the module docstring).

    summary: by default the first sentence of the view's docstring (the whole docstring, when
    longer, becomes the description).
    responses: status → response schema class (JSON) or `Body` (download, photo, no body).
    errors: the error statuses the route can answer, or {status: a more precise description}.
    query, body: marshmallow schema classes (body may be a `Body` for CSV or photo uploads).
    path: OpenAPI schemas of path parameters beyond what the URL converter says.
    examples: "request" or a status → a function returning an example (built at spec time).
    """
    if not isinstance(errors, dict):
        errors = dict.fromkeys(errors)
    unknown = set(errors) - set(ERRORS)
    if unknown:
        raise ValueError(f"no error response component for {sorted(unknown)}")
    meta = ApiDoc(summary=summary, tags=tuple(tags), responses=dict(responses), errors=errors,
                  auth=auth, query=query, body=body, path=dict(path or {}),
                  examples=dict(examples or {}), description=description)

    def decorate(view):
        nonlocal meta
        if meta.summary is None:
            text = " ".join(inspect.cleandoc(view.__doc__ or view.__name__).split())
            first, *rest = text.split(". ", 1)
            summary = f"{first}." if rest else text
            meta = replace(meta, summary=summary,
                           description=meta.description or (text if text != summary else None))
        if load_body:
            inner = view

            @wraps(inner)
            def view(*args, **kwargs):
                return inner(*args, body=load(body(), json_body()), **kwargs)

        view.__apidoc__ = meta
        return view

    return decorate


def checked_request_example(schema: type[Schema], data: dict) -> dict:
    """`data`, after checking that the schema the route validates with accepts it."""
    errors = schema().validate(data)
    if errors:
        raise ValueError(f"example for {schema.__name__} is not valid: {errors}")
    return data


def checked_response_example(schema: type[Schema], data: dict) -> dict:
    """`data` dumped through the response schema; a field the schema lacks (or renames) makes
    the example differ from its dump, and building the document fails rather than drift."""
    dumped = schema().dump(data)
    if dumped != data:
        raise ValueError(f"example for {schema.__name__} does not match the schema: {dumped}")
    return dumped
