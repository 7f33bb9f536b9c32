"""Bad input gets a clear 4xx with the error shape and stores nothing (DESIGN §5)."""

import json

import pytest
from sqlalchemy import func, select

from server.core.extensions import db
from server.models import AppliedMutation, ChangeLog, Visit
from tests.factories import login, upsert, visit_data


def nothing_stored() -> bool:
    return all(
        db.session.scalar(select(func.count()).select_from(model)) == 0
        for model in (Visit, AppliedMutation)
    ) and db.session.scalar(
        select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "visit")) == 0


@pytest.fixture
def headers(client, world):
    return login(client, "insp_hbt")


def post_raw(client, headers, body: bytes, content_type="application/json"):
    return client.post("/api/v1/sync/push", data=body, content_type=content_type,
                       headers=headers)


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_malformed_json(client, headers):
    assert_error(post_raw(client, headers, b'{"device_id": "d", "mutations": ['), 400,
                 "invalid_json")
    assert nothing_stored()


def test_wrong_types(client, headers, world):
    good = upsert(visit_data(world["markets"]["hom"]))
    bodies = [
        {"device_id": 5, "mutations": [good]},
        {"device_id": "d", "mutations": "not a list"},
        {"device_id": "d", "mutations": [good, 7]},
        {"device_id": "d", "mutations": [{**good, "data": "x"}]},
        {"device_id": "d"},
        [good],
    ]
    for body in bodies:
        response = post_raw(client, headers, json.dumps(body).encode())
        assert response.status_code in (400, 422)
        assert response.get_json()["error"]["code"] in ("validation_failed", "invalid_json")
    assert nothing_stored()


def test_unknown_mutation_type_refuses_the_whole_request(client, headers, world):
    good = upsert(visit_data(world["markets"]["hom"]))
    body = {"device_id": "d", "mutations": [good, {**good, "id": "x2", "type": "visit.delete"}]}
    error = assert_error(post_raw(client, headers, json.dumps(body).encode()), 422,
                         "validation_failed")
    assert "mutations.1.type" in error["fields"]
    assert nothing_stored()


def test_501_mutations_is_413_and_nothing_applied(client, headers, world):
    mutations = [upsert(visit_data(world["markets"]["hom"])) for _ in range(501)]
    body = json.dumps({"device_id": "d", "mutations": mutations}).encode()
    assert_error(post_raw(client, headers, body), 413, "too_many_mutations")
    assert nothing_stored()


def test_6mb_body_is_413(client, headers, world):
    data = visit_data(world["markets"]["hom"])
    data["answers"] = {**data["answers"], "notes": "x" * (6 * 1024 * 1024)}
    body = json.dumps({"device_id": "d", "mutations": [upsert(data)]}).encode()
    assert_error(post_raw(client, headers, body), 413, "payload_too_large")
    assert nothing_stored()


def test_hostile_values_are_rejected_per_mutation(client, headers, world):
    hom = world["markets"]["hom"]
    answers = visit_data(hom)["answers"]
    hostile = [
        visit_data(hom, market_id="1; DROP TABLE visit"),
        visit_data(hom, market_id=True),
        visit_data(hom, market_id=-1),
        visit_data(hom, answers={**answers, "stalls_total": 1.5}),
        visit_data(hom, answers={**answers, "stalls_total": True}),
        visit_data(hom, answers={**answers, "stalls_total": "40"}),
        visit_data(hom, answers={**answers, "notes": "a" * 2001}),
        visit_data(hom, answers={"nested": {"deep": [[[[[]]]]]}}),
        visit_data(hom, answers=[1, 2]),
        visit_data(hom, observed_at="0001-01-01T00:00:00+07:00"),
        visit_data(hom, observed_at="9999-12-31T23:59:59+07:00"),
        visit_data(hom, observed_at="yesterday"),
        visit_data(hom, location={"lat": "NaN", "lon": 105.8}),
        visit_data(hom, location={"lat": 21.0}),
        visit_data(hom, visit_id="'; SELECT 1; --"),
        visit_data(hom, attachments=["G" * 64]),
    ]
    body = {"device_id": "d", "mutations": [upsert(d) for d in hostile]}
    response = post_raw(client, headers, json.dumps(body).encode())
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * len(hostile)
    assert all(r["error"]["code"] == "validation_failed" and r["error"]["fields"]
               for r in results)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_nan_in_json_is_not_accepted(client, headers, world):
    data = visit_data(world["markets"]["hom"])
    body = json.dumps({"device_id": "d", "mutations": [upsert(data)]}).replace(
        '"accuracy_m": 12', '"accuracy_m": NaN').encode()
    response = post_raw(client, headers, body)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.get_json()["results"][0]["status"] == "rejected"
    assert nothing_stored()


def test_script_in_notes_is_stored_as_plain_text(client, headers, world):
    data = visit_data(world["markets"]["hom"])
    data["answers"] = {**data["answers"], "notes": "<script>alert(1)</script> chợ 🛍️"}
    response = post_raw(client, headers, json.dumps(
        {"device_id": "d", "mutations": [upsert(data)]}).encode())
    [result] = response.get_json()["results"]
    assert result["record"]["answers"]["notes"] == "<script>alert(1)</script> chợ 🛍️"


def test_nul_characters_and_deep_nesting_are_refused(client, headers, world):
    data = visit_data(world["markets"]["hom"])
    with_nul = {"device_id": "d\u0000", "mutations": [upsert(data)]}
    assert_error(post_raw(client, headers, json.dumps(with_nul).encode()), 400, "invalid_json")
    data["answers"] = {**data["answers"], "notes": "a\u0000b"}
    in_notes = {"device_id": "d", "mutations": [upsert(data)]}
    assert_error(post_raw(client, headers, json.dumps(in_notes).encode()), 400, "invalid_json")
    deep = b'{"device_id": "d", "mutations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert_error(post_raw(client, headers, deep), 400, "invalid_json")
    assert nothing_stored()


def test_push_without_token_is_401(client, world):
    response = client.post("/api/v1/sync/push", json={"device_id": "d", "mutations": []})
    assert_error(response, 401, "unauthorized")


def test_empty_push_is_fine(client, headers):
    response = client.post("/api/v1/sync/push", json={"device_id": "d", "mutations": []},
                           headers=headers)
    assert response.status_code == 200 and response.get_json() == {"results": []}
