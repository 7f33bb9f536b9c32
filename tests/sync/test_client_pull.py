"""syncclient without a server (tests/sync/fake_network.py): pulling in pages until has_more
is false, deletes, and pulling from scratch after 410 cursor_expired."""


import pytest

from syncclient import SyncError
from tests.sync.fake_network import (
    phone,
)


def test_pull_pages_until_has_more_is_false_and_applies_deletes(net):
    for market_id in range(1, 6):
        net.change("market", market_id, {"id": market_id, "name": f"Chợ {market_id}"})
    client, _ = phone(net, pull_limit=2)
    first = client.sync()
    assert first.pulled == 5 and len(net.calls) == 1 + 3  # login + 3 pages
    assert sorted(client.state()) == [("market", str(i)) for i in range(1, 6)]
    assert "cursor" not in net.calls[1]["params"] and net.calls[2]["params"]["cursor"]
    net.change("market", 2, None)
    net.change("market", 3, {"id": 3, "name": "Chợ Ba"}, rev=2)
    assert client.sync().pulled == 2
    state = client.state()
    assert ("market", "2") not in state and state[("market", "3")]["name"] == "Chợ Ba"
    assert client.store.record("market", 3)["rev"] == 2


def test_cursor_expired_clears_the_replica_and_pulls_from_scratch(net):
    net.change("market", 1, {"id": 1, "name": "Chợ Hôm"})
    net.change("market", 2, {"id": 2, "name": "Chợ Mơ"})
    client, _ = phone(net)
    client.sync()
    net.records.pop(("market", "2"))  # gone, and the change-log rows saying so were purged
    net.change("market", 3, {"id": 3, "name": "Chợ Ngọc Hà"})
    net.expired = True
    report = client.sync()
    assert report.restarts == 1 and report.pulled == 2
    assert sorted(client.state()) == [("market", "1"), ("market", "3")]
    pulls = [c["params"] for c in net.calls if c["path"].endswith("/pull")]
    assert "cursor" in pulls[-2] and "cursor" not in pulls[-1]


def test_cursor_expired_again_and_again_is_an_error(net):
    client, _ = phone(net)
    client.sync()
    net.expired = True
    net.fail("GET", "/sync/pull", None, 410, 410, 410)  # the fresh pulls expire too
    with pytest.raises(SyncError) as raised:
        client.sync()
    assert raised.value.status == 410
