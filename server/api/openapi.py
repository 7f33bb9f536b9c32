"""GET /api/v1/openapi.json, generated from the registered routes (their YAML docstrings) and
the marshmallow schemas they use, so the document cannot drift from the code."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import Blueprint, current_app

from server.core.http import API_PREFIX

bp = Blueprint("openapi", __name__, url_prefix=API_PREFIX)


def _schemas() -> dict:
    from server.auth.schemas import TokenRequest, TokenResponse, UserOut
    from server.health.routes import HealthOut
    from server.sync.schemas import ErrorDetail, PullResponse, PushRequest, PushResponse

    # Nested schemas first: the plugin registers nested ones on first sight.
    return {
        "UserOut": UserOut, "ErrorDetail": ErrorDetail, "TokenRequest": TokenRequest,
        "TokenResponse": TokenResponse, "PushRequest": PushRequest, "PushResponse": PushResponse,
        "PullResponse": PullResponse, "Health": HealthOut,
    }


def build_spec(app) -> dict:
    spec = APISpec(
        title="Chợ Xanh sync API",
        version=app.config["VERSION"],
        openapi_version="3.0.3",
        info={"description": "Offline-first market survey sync (Plan 293/KH-UBND, target 4.4)."},
        plugins=[FlaskPlugin(), MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in _schemas().items():
        spec.components.schema(name, schema=schema)
    spec.components.schema("ErrorBody", {
        "type": "object", "required": ["error"],
        "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
    })
    spec.components.response("Error", {
        "description": "The error shape of every API error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    })
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith(API_PREFIX + "/"):
                spec.path(view=app.view_functions[rule.endpoint], app=app)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    """This document.
    ---
    get:
      tags: [meta]
      responses:
        200: {description: the OpenAPI 3 document}
    """
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build_spec(current_app)
    return current_app.extensions["openapi"]
