"""The whole suite's pytest-xdist workers each run in a network namespace of their own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
import fcntl
import os
import socket
import struct

import pytest

from tests.isolation import IsolationError, isolate_worker, loopback_up


def _loopback_is_up() -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        answer = fcntl.ioctl(sock, 0x8913, struct.pack("16sH14s", b"lo", 0, b""))
    return bool(struct.unpack("16sH14s", answer)[1] & 1)


def test_a_worker_has_a_network_namespace_of_its_own() -> None:
    """Under ./scripts/test's workers: not the namespace of the process that started them."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        pytest.skip("not run by a pytest-xdist worker")
    assert os.readlink("/proc/self/ns/net") != os.readlink(f"/proc/{os.getppid()}/ns/net")
    assert _loopback_is_up()


def test_loopback_comes_up_in_a_new_namespace() -> None:
    """What a worker does, in a thread of its own (the test's namespace stays as it is)."""

    def in_new_namespace() -> tuple[bool, bool, str]:
        try:
            os.unshare(os.CLONE_NEWNET)
        except OSError as err:
            pytest.skip(f"no network namespace here: {err}")
        before = _loopback_is_up()
        loopback_up()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 3610))  # its own: whatever the test's namespace binds
            bound = sock.getsockname()[0]
        return before, _loopback_is_up(), bound

    mine = os.readlink("/proc/self/ns/net")
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(in_new_namespace).result(timeout=10) == (False, True, "127.0.0.1")
    assert os.readlink("/proc/self/ns/net") == mine


def test_only_the_main_thread_is_moved() -> None:
    """A worker whose tests would not run in its main thread is refused (it would be half moved)."""
    with ThreadPoolExecutor(1) as pool, pytest.raises(IsolationError, match="main thread"):
        pool.submit(isolate_worker, "gw9").result(timeout=10)
