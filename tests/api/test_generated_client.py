"""Other clients can use the OpenAPI document: a Python client generated from the live document
(openapi-python-client, into a temporary folder, imported from there) signs in, pushes a visit,
pulls it back, reads the indicator and gets the documented error object for a bad push, against
a real HTTP server on 127.0.0.1 (werkzeug, the test app: SQLite or PostgreSQL)."""

import importlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.factories import PASSWORD, new_id, visit_data

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "cho_xanh_client"
# Downloads and photos are bytes to this client; no post-generation hooks (formatters).
CONFIG = {
    "post_hooks": [],
    "content_type_overrides": {
        media: "application/octet-stream"
        for media in ("image/jpeg", "image/png", "image/webp", "text/csv",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    },
}


@pytest.fixture
def live_url(app, world):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def generated(live_url, tmp_path, monkeypatch):
    """The client package generated from the live server's /api/v1/openapi.json."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    out = tmp_path / "generated"
    result = subprocess.run(
        [str(GENERATOR), "generate", "--url", f"{live_url}/api/v1/openapi.json",
         "--meta", "none", "--config", str(config), "--output-path", str(out / PACKAGE)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.syspath_prepend(str(out))
    yield importlib.import_module(PACKAGE)
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def test_generated_client_round_trip(generated, live_url, world):
    from cho_xanh_client import AuthenticatedClient, Client
    from cho_xanh_client.api.auth import auth_create_token
    from cho_xanh_client.api.indicator import indicator_get_indicator
    from cho_xanh_client.api.sync import sync_pull_changes, sync_push
    from cho_xanh_client.models import ErrorBody, IndicatorOut, PushRequest, TokenRequest

    def sign_in(username: str) -> AuthenticatedClient:
        answer = auth_create_token.sync_detailed(
            client=Client(base_url=live_url),
            body=TokenRequest(username=username, password=PASSWORD, device_id=f"gen-{username}"),
        )
        assert answer.status_code == 201, answer.content
        assert answer.parsed.user.username == username
        return AuthenticatedClient(base_url=live_url, token=answer.parsed.token)

    inspector = sign_in("insp_hbt")
    visit_id = new_id()
    visit = visit_data(world["markets"]["hom"].id, visit_id=visit_id)
    push = PushRequest.from_dict({
        "device_id": "gen-insp_hbt",
        "mutations": [{"id": "m-1", "type": "visit.upsert", "data": visit}],
    })
    pushed = sync_push.sync_detailed(client=inspector, body=push)
    assert pushed.status_code == 200, pushed.content
    (result,) = pushed.parsed.results
    assert result.status.value == "applied"
    assert result.record.id == visit_id and result.record.rev == 1

    pulled = sync_pull_changes.sync_detailed(client=inspector, limit=1000)
    assert pulled.status_code == 200, pulled.content
    visits = [c for c in pulled.parsed.changes if c.entity.value == "visit"]
    assert [(c.id, c.rev) for c in visits] == [(visit_id, 1)]
    assert visits[0].data["answers"] == visit["answers"]
    assert pulled.parsed.has_more is False

    city = sign_in("city")
    read = indicator_get_indicator.sync_detailed(client=city, period="2023-Q1")
    assert read.status_code == 200, read.content
    assert isinstance(read.parsed, IndicatorOut)
    assert read.parsed.indicator == "4.4" and read.parsed.period.id == "2023-Q1"
    assert read.parsed.markets_total == 4
    assert {row.org_unit.code for row in read.parsed.breakdown} == {"HBT", "BD"}

    refused = sync_push.sync_detailed(client=inspector,
                                      body=PushRequest(device_id="", mutations=[]))
    assert refused.status_code == 422
    assert isinstance(refused.parsed, ErrorBody)
    assert refused.parsed.error.code == "validation_failed"
    assert "device_id" in refused.parsed.error.fields.to_dict()
