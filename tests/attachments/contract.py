"""The contract every attachment store keeps (server/attachments/stores.py), written once and
run against each store, the Kinto way (kinto/core/storage/testing.py): a subclass provides the
`store` fixture (an empty store) and `unreachable` (one that cannot be reached)."""

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.attachments.stores import StoreUnavailable


def photo(seed: int, size: int = 64) -> tuple[str, bytes]:
    data = b"\xff\xd8\xff\xe0" + (f"{seed}-".encode() * size)[:size] + b"\xff\xd9"
    return hashlib.sha256(data).hexdigest(), data


class AttachmentStoreContract:
    @pytest.fixture
    def store(self):
        raise NotImplementedError

    @pytest.fixture
    def unreachable(self):
        raise NotImplementedError

    def test_a_missing_object_is_absent_not_an_error(self, store):
        sha, _ = photo(1)
        assert store.exists(sha) is False
        with pytest.raises(KeyError):
            store.open(sha)
        store.delete(sha)  # nothing to delete: no error
        assert list(store.shas()) == []

    def test_put_then_read_back_exactly_the_bytes(self, store):
        sha, data = photo(2, 300_000)
        assert store.put(sha, data) is True
        assert store.exists(sha) is True
        assert store.get(sha) == data
        with store.open(sha) as handle:
            assert handle.read(4) == data[:4]
            handle.seek(0)
            assert hashlib.sha256(handle.read()).hexdigest() == sha

    def test_a_second_put_writes_nothing(self, store):
        sha, data = photo(3)
        assert store.put(sha, data) is True
        # Content addressing: the name is the content, so a second put is not a second write
        # (shown by offering other bytes under the same name: the first bytes stay).
        assert store.put(sha, b"\xff\xd8\xff other bytes") is False
        assert store.get(sha) == data

    def test_listing_and_deleting(self, store):
        stored = sorted(photo(seed)[0] for seed in range(4))
        for seed in range(4):
            store.put(*photo(seed))
        assert sorted(store.shas()) == stored
        store.delete(stored[0])
        assert not store.exists(stored[0])
        assert sorted(store.shas()) == stored[1:]

    @pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "a" * 63, "", "a/" + "b" * 62])
    def test_a_name_that_is_not_a_sha256_is_refused_before_any_io(self, store, bad):
        for call in (store.exists, store.open, store.delete):
            with pytest.raises(ValueError):
                call(bad)
        with pytest.raises(ValueError):
            store.put(bad, b"\xff\xd8\xff")
        assert list(store.shas()) == []

    def test_the_same_photo_from_8_threads_is_written_once(self, store):
        sha, data = photo(5, 1_000_000)
        barrier = threading.Barrier(8)

        def put(_):
            barrier.wait(timeout=30)
            return store.put(sha, data)

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(put, range(8)))
        assert True in results  # at least one wrote; whatever the interleaving, one object:
        assert store.get(sha) == data and list(store.shas()) == [sha]

    def test_a_reader_never_sees_part_of_an_object(self, store):
        sha, data = photo(6, 4_000_000)
        seen, done = [], threading.Event()

        def read():
            while not done.is_set():
                try:
                    seen.append(len(store.get(sha)))
                except KeyError:
                    seen.append(0)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            store.put(sha, data)
        finally:
            done.set()
            reader.join(timeout=30)
        assert set(seen) <= {0, len(data)}
        assert store.get(sha) == data

    def test_an_unreachable_store_raises_store_unavailable(self, unreachable):
        sha, data = photo(7)
        for call in (lambda: unreachable.put(sha, data), lambda: unreachable.open(sha),
                     unreachable.check, lambda: list(unreachable.shas())):
            with pytest.raises(StoreUnavailable):
                call()

    def test_a_reachable_store_passes_its_check(self, store):
        store.check()
