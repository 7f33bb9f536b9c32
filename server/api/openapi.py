"""GET /api/v1/openapi.json, generated from the registered routes (their `@doc`, see
server/core/apidoc.py) and the marshmallow schemas they validate with and answer, so the document
cannot drift from the code."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Blueprint, current_app
from werkzeug.routing import IntegerConverter

from server.core.apidoc import ERROR_SCHEMA, ERRORS, Body, doc
from server.core.http import API_PREFIX

bp = Blueprint("openapi", __name__, url_prefix=API_PREFIX)
URL_ARGUMENT = re.compile(r"<(?:[^>:]+:)?([^>]+)>")
OPENAPI_DOCUMENT = Body("the OpenAPI 3.0.3 document (this one)",
                        {"application/json": {"schema": {"type": "object"}}})


class Converter(OpenAPIConverter):
    """A nullable nested schema as `anyOf: [its $ref, null]`, the $ref first: apispec puts the
    catch-all `{type: object, nullable: true}` first, and generated clients (which try each
    alternative in order) then read every record as that empty object."""

    def field2nullable(self, field, ret) -> dict:
        attributes = super().field2nullable(field, ret)
        alternatives = attributes.get("anyOf")
        if alternatives and alternatives[0] == {"type": "object", "nullable": True}:
            attributes["anyOf"] = [*alternatives[1:], alternatives[0]]
        return attributes


class Plugin(MarshmallowPlugin):
    Converter = Converter


def _schemas() -> dict:
    from server.auth.schemas import TokenRequest, TokenResponse, UserOut
    from server.health.routes import HealthOut
    from server.sync.schemas import ErrorBody, ErrorDetail, PullResponse, PushRequest, PushResponse

    # Stable component names (nested schemas first: the plugin registers them on first sight).
    return {
        "UserOut": UserOut, "ErrorDetail": ErrorDetail, ERROR_SCHEMA: ErrorBody,
        "TokenRequest": TokenRequest, "TokenResponse": TokenResponse,
        "PushRequest": PushRequest, "PushResponse": PushResponse,
        "PullResponse": PullResponse, "Health": HealthOut,
    }


def _path(rule, overrides: dict) -> tuple[str, list[dict]]:
    """/api/v1/admin/users/<int:user_id> → /api/v1/admin/users/{user_id} and its parameters."""
    params = []
    for name in URL_ARGUMENT.findall(rule.rule):
        integer = isinstance(rule._converters[name], IntegerConverter)
        schema = overrides.get(name) or {"type": "integer" if integer else "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return URL_ARGUMENT.sub(r"{\1}", rule.rule), params


def build_spec(app) -> dict:
    spec = APISpec(
        title="Chợ Xanh sync API",
        version=app.config["VERSION"],
        openapi_version="3.0.3",
        info={"description": "Offline-first market survey sync (Plan 293/KH-UBND, target 4.4). "
              "Every error answers `{\"error\": {\"code\", \"message\", \"fields\"?}}` "
              "(components/schemas/ErrorBody)."},
        plugins=[Plugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in _schemas().items():
        spec.components.schema(name, schema=schema)
    for name, description in ERRORS.values():
        spec.components.response(name, {
            "description": description,
            "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
        })
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "__apidoc__", None)
        if meta is None:  # tests/api/test_openapi.py fails on it; the document still serves
            app.logger.warning("%s (%s) has no @doc: left out of the OpenAPI document",
                               rule.endpoint, rule.rule)
            continue
        methods = set(rule.methods) - {"OPTIONS"}
        if "GET" in methods:
            methods.discard("HEAD")  # Flask adds HEAD to every GET
        path, params = _path(rule, meta.path)
        spec.path(path=path, operations={
            method.lower(): meta.operation(_operation_id(rule.endpoint, method, methods), params)
            for method in sorted(methods)
        })
    return spec.to_dict()


def _operation_id(endpoint: str, method: str, methods: set) -> str:
    name = endpoint.replace(".", "_")
    return name if len(methods) == 1 else f"{name}_{method.lower()}"


@bp.get("/openapi.json")
@doc(tags=["meta"], responses={200: OPENAPI_DOCUMENT}, auth=False)
def openapi():
    """This document."""
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_spec(current_app)
    return current_app.extensions["openapi"]
