"""Fixtures shared by every test.

pytest-homeassistant-custom-component blocks sockets in every test.  Our tests use real UDP on
loopback (127.0.0.0/8) and in network namespaces that the tests create themselves, never any
other address, so sockets are enabled here for all tests.

The same plugin sets SQLAlchemy's engine logger to INFO when it is imported (as Home
Assistant core's own test configuration does), which logs every SQL statement of the recorder:
thousands of lines in the log of any test with the recorder.  Warnings are enough here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
import os

import pytest

from tests.houses import HouseFactory, house_factory
from tests.isolation import IsolationError, isolate_worker

logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


def pytest_configure(config: pytest.Config) -> None:
    """A pytest-xdist worker gets a network namespace of its own (tests/isolation.py)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None or os.environ.get("HEMS_NO_NETNS"):
        return
    try:
        isolate_worker(worker)
    except IsolationError as err:
        raise pytest.UsageError(str(err)) from err


@pytest.fixture(autouse=True)
def _sockets_on_loopback(socket_enabled: None) -> None:
    """Allow the real UDP sockets the tests need (loopback and test namespaces only)."""


@pytest.fixture
async def make_house() -> AsyncIterator[HouseFactory]:
    """Start simulated houses on loopback (stopped after the test)."""
    async for factory in house_factory():
        yield factory
