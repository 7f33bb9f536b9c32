"""The OpenAPI document is generated from the real routes: every API route is in it."""

from server.core.http import API_PREFIX


def test_every_api_route_and_method_is_documented(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        path = path.replace("{path:", "{").replace("{int:", "{")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_documented_schemas_match_the_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["PushRequest"]["required"]) == {"device_id", "mutations"}
    assert "has_more" in schemas["PullResponse"]["properties"]
    push = spec["paths"]["/api/v1/sync/push"]["post"]
    assert {"200", "413", "422"} <= set(push["responses"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_document_is_valid_openapi_3_0(client):
    """An independent validator (openapi-spec-validator) finds no error in the live document."""
    from openapi_spec_validator import OpenAPIV30SpecValidator

    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.0.3"
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}"
              for e in OpenAPIV30SpecValidator(spec).iter_errors()]
    assert errors == []


def test_every_operation_is_typed_and_errors_share_one_shape(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    untyped, loose_errors = [], []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                where = f"{method.upper()} {path} {status}"
                health = path == "/api/v1/health"  # its 503 is the health report, degraded
                if status.startswith(("4", "5")) and "$ref" not in response and not health:
                    schema = response.get("content", {}).get("application/json", {}).get("schema")
                    if schema != {"$ref": "#/components/schemas/ErrorBody"}:
                        loose_errors.append(where)
                json_body = response.get("content", {}).get("application/json")
                if status.startswith("2") and json_body and json_body["schema"] == {
                    "type": "object"
                } and path != "/api/v1/openapi.json":
                    untyped.append(where)
            signed_in = path not in ("/api/v1/health", "/api/v1/openapi.json") and not (
                path == "/api/v1/auth/token" and method == "post")
            assert (op.get("security") == [{"bearer": []}]) == signed_in, f"{method} {path}"
    assert untyped == [] and loose_errors == []
    for response in spec["components"]["responses"].values():
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"}
    assert spec["components"]["schemas"]["ErrorBody"]["required"] == ["error"]


def test_examples_are_in_the_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]

    def example(path, method, where):
        op = paths[f"/api/v1{path}"][method]
        part = op["requestBody"] if where == "request" else op["responses"][where]
        return part["content"]["application/json"]["example"]

    assert example("/sync/push", "post", "request")["mutations"][0]["type"] == "visit.upsert"
    assert example("/sync/push", "post", "200")["results"][0]["status"] == "applied"
    assert example("/sync/pull", "get", "200")["has_more"] is False
    assert example("/indicator", "get", "200")["indicator"] == "4.4"
    assert example("/auth/token", "post", "request")["device_id"]
    assert example("/auth/token", "post", "201")["user"]["role"] == "inspector"
