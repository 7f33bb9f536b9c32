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
