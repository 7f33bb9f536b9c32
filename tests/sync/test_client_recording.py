"""syncclient without a server (tests/sync/fake_network.py): what recording, editing and
deciding queue (in phone time, base_rev from the replica), and how photos are uploaded."""

import random

import pytest

from syncclient.simulate import fake_answers, fake_photo
from tests.sync.fake_network import (
    ANSWERS,
    phone,
    visit,
)


def test_photos_are_uploaded_head_then_put_raw_bytes_with_their_type(net):
    client, _ = phone(net)
    new, known = fake_photo("new"), fake_photo("known")
    visit_id = visit(client, photos=[new, known])
    [mutation] = client.outbox
    sha_new, sha_known = mutation["data"]["attachments"]
    net.blobs[sha_known] = known
    report = client.sync()
    assert report.uploaded == 1 and net.blobs[sha_new] == new
    photo_calls = [(c["method"], c["path"].rsplit("/", 1)[1]) for c in net.calls
                   if "/attachments/" in c["path"]]
    assert photo_calls == [("HEAD", sha_new), ("PUT", sha_new), ("HEAD", sha_known)]
    put = next(c for c in net.calls if c["method"] == "PUT")
    assert put["headers"]["Content-Type"] == "image/jpeg" and put["data"] == new
    assert new.startswith(b"\xff\xd8\xff\xe0") and fake_photo("x") != fake_photo("y")
    assert client.state()[("visit", visit_id)]["attachments"] == [sha_new, sha_known]


def test_record_visit_queues_an_upsert_in_phone_time(net):
    client, _ = phone(net)
    visit_id = client.record_visit("12", fake_answers(random.Random(0)),
                                   location={"lat": 21.0, "lon": 105.8, "accuracy_m": 9})
    [mutation] = client.outbox
    assert mutation["type"] == "visit.upsert" and mutation["data"]["id"] == visit_id
    assert mutation["data"]["base_rev"] is None and mutation["data"]["form_version"] == "2023.1"
    assert mutation["data"]["observed_at"].endswith("+07:00")
    assert mutation["data"]["attachments"] == []
    assert mutation["id"] != visit_id and len(mutation["id"]) == 36


def test_edit_and_decide_take_base_rev_from_the_replica(net):
    client, _ = phone(net)
    visit_id = visit(client, location=None)
    client.sync()
    mutation_id = client.edit_visit(visit_id, answers={**ANSWERS, "stalls_total": 41})
    edit = client.outbox[-1]
    assert edit["id"] == mutation_id and edit["data"]["base_rev"] == 1
    assert edit["data"]["market_id"] == 12 and edit["data"]["answers"]["stalls_total"] == 41
    with pytest.raises(TypeError):
        client.edit_visit(visit_id, status="approved")
    client.edit_visit(visit_id, location={"lat": 1, "lon": 2})  # an offline edit of an edit
    assert client.outbox[-1]["data"]["base_rev"] == 2
    assert client.outbox[-1]["data"]["answers"]["stalls_total"] == 41
    assert client.sync().applied == 2
    client.decide(visit_id, None, "approve")
    assert client.outbox[-1]["data"] == {"visit_id": visit_id, "base_rev": 3,
                                        "decision": "approve", "comment": None}
    with pytest.raises(ValueError):
        client.edit_visit("no-such-visit")
