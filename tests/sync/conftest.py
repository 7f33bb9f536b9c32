"""Fixtures of the sync tests."""

import pytest

from tests.sync.fake_network import FakeSession


@pytest.fixture
def net():
    """The stubbed network of tests/sync/fake_network.py, empty and without faults."""
    return FakeSession()
