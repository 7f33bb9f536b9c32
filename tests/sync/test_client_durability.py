"""syncclient without a server (tests/sync/fake_network.py): the outbox, the replica and the
photos survive a new client, and crashes (before the push, after the server applied it, while
writing the file) lose nothing and make no second visit."""

import json
import os

import pytest

from syncclient.outbox import LocalStore
from syncclient.simulate import fake_photo
from tests.sync.fake_network import (
    DIES,
    Crash,
    FakeSession,
    phone,
    visit,
)


def test_outbox_replica_and_photos_persist_across_a_new_client(net, tmp_path):
    client, _ = phone(net, store_path=tmp_path)
    net.change("market", 12, {"id": 12, "name": "Chợ Hôm"})
    client.sync()
    photo = fake_photo("kept")
    visit_id = visit(client, photos=[photo])
    queued = client.outbox
    del client

    again, _ = phone(net, store_path=tmp_path)
    assert again.outbox == queued and again.store.cursor
    assert again.state() == {("market", "12"): {"id": 12, "name": "Chợ Hôm"}}
    assert again.store.get_blob(queued[0]["data"]["attachments"][0]) == photo
    device_ids = {c["json"]["device_id"] for c in net.calls if c["path"].endswith("/token")}
    report = again.sync()
    assert report.applied == 1 and report.uploaded == 1
    assert net.pushes()[0][0]["id"] == queued[0]["id"]
    assert net.calls[-2]["json"]["device_id"] in device_ids  # the same phone
    assert again.state()[("visit", visit_id)]["rev"] == 1
    third, _ = phone(net, store_path=tmp_path)
    assert third.outbox == [] and ("visit", visit_id) in third.state()


def test_crash_after_saving_before_pushing_loses_nothing(net, tmp_path):
    client, _ = phone(net, store_path=tmp_path)
    visit_id = visit(client)
    net.fail("POST", "/sync/push", Crash())
    with pytest.raises(Crash):
        client.sync()  # dies before the request leaves the phone
    assert net.results == {}

    reborn, _ = phone(net, store_path=tmp_path)
    report = reborn.sync()
    assert report.applied == 1 and reborn.outbox == []
    assert reborn.state()[("visit", visit_id)]["rev"] == 1


def test_crash_after_the_server_applied_is_a_duplicate_not_a_second_visit(net, tmp_path):
    client, _ = phone(net, store_path=tmp_path)
    visit_id = visit(client)
    mutation_id = client.outbox[0]["id"]
    net.fail("POST", "/sync/push", DIES)
    with pytest.raises(Crash):
        client.sync()
    assert list(net.results) == [mutation_id]

    reborn, _ = phone(net, store_path=tmp_path)
    report = reborn.sync()
    assert (report.applied, report.duplicate) == (0, 1) and reborn.outbox == []
    assert [m["id"] for push in net.pushes() for m in push] == [mutation_id, mutation_id]
    assert [c["id"] for c in net.log if c["entity"] == "visit"] == [visit_id]  # one visit


def test_a_crash_while_writing_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    store = LocalStore(tmp_path)
    first = store.add("visit.upsert", {"id": "v1"})

    def power_cut(*_args):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        store.add("visit.upsert", {"id": "v2"})
    monkeypatch.undo()
    document = json.loads((tmp_path / "outbox.json").read_text(encoding="utf-8"))
    assert [m["id"] for m in document["outbox"]] == [first["id"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blobs", "outbox.json"]  # no temp
    assert LocalStore(tmp_path).device_id == store.device_id


def test_in_memory_store_writes_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    client, _ = phone(FakeSession())
    visit(client, photos=[fake_photo("m")])
    client.sync()
    assert list(tmp_path.iterdir()) == []
