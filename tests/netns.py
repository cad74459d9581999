"""A second network namespace for tests that need a real link layer (MAC addresses, ARP).

The tests run in a network namespace of their own (scripts/_env.sh); inside it, as root, this
makes a child namespace owned by one thread and links the two by a veth pair.  Sockets made by
:meth:`ChildNamespace.socket` belong to the child, so a simulated node bound there is a
neighbour of the test's namespace: the kernel resolves its MAC address by ARP, as on a LAN.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
import contextlib
import os
import queue
import shutil
import socket
import subprocess
import threading
from typing import Any

import pytest


def _ip(*args: str, netns: str | None = None) -> str:
    command = ["ip", *args]
    if netns is not None:
        command = ["nsenter", f"--net={netns}", *command]
    done = subprocess.run(command, check=True, capture_output=True, timeout=10, text=True)
    return done.stdout


class ChildNamespace:
    """A network namespace held by a thread, linked to ours by ``host_if``/``child_if``."""

    def __init__(self, prefix: str, host_if: str = "hemsa", child_if: str = "hemsb") -> None:
        self.prefix = prefix  # e.g. "10.77.0": ours is .1
        self.host_if = host_if
        self.child_if = child_if
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        ready: Future[int] = Future()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        self.tid = ready.result(timeout=10)
        self.path = f"/proc/{os.getpid()}/task/{self.tid}/ns/net"

    @property
    def host_address(self) -> str:
        """Our end of the link."""
        return f"{self.prefix}.1"

    def _serve(self, ready: Future[int]) -> None:
        try:
            os.unshare(os.CLONE_NEWNET)
        except OSError as err:
            ready.set_exception(err)
            return
        ready.set_result(threading.get_native_id())
        while (job := self._jobs.get()) is not None:
            func, result = job
            try:
                result.set_result(func())
            except Exception as err:
                result.set_exception(err)

    def run[T](self, func: Callable[[], T]) -> T:
        """Run ``func`` in the child namespace's thread."""
        result: Future[T] = Future()
        self._jobs.put((func, result))
        return result.result(timeout=10)

    def socket(self) -> socket.socket:
        """A UDP socket of the child namespace."""
        return self.run(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))

    def link(self) -> None:
        """Create the veth pair, our end up at ``.1``, the child's end up without address."""
        _ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.child_if)
        _ip("addr", "add", f"{self.host_address}/24", "dev", self.host_if)
        _ip("link", "set", self.host_if, "up")
        _ip("link", "set", self.child_if, "netns", str(self.tid))
        _ip("link", "set", "lo", "up", netns=self.path)
        _ip("link", "set", self.child_if, "up", netns=self.path)

    def set_address(self, address: str, old: str | None = None) -> None:
        """Give the child's end ``address`` (taking ``old`` away)."""
        if old is not None:
            _ip("addr", "del", f"{old}/24", "dev", self.child_if, netns=self.path)
        _ip("addr", "add", f"{address}/24", "dev", self.child_if, netns=self.path)

    def child_mac(self) -> str:
        """The MAC address of the child's end of the link."""
        fields = _ip("-br", "link", "show", "dev", self.child_if, netns=self.path).split()
        return fields[2].lower()

    def close(self) -> None:
        """Delete the link and end the thread (the namespace goes with it)."""
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("link", "del", self.host_if)
        self._jobs.put(None)
        self._thread.join(timeout=10)


@contextlib.contextmanager
def child_namespace(prefix: str = "10.77.0") -> Iterator[ChildNamespace]:
    """A linked child namespace; the test is skipped where none can be made (not root)."""
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("nsenter") is None:
        pytest.skip("a second network namespace needs root, ip and nsenter")
    if [name for _index, name in socket.if_nameindex()] != ["lo"]:
        # Only inside the tests' own namespace (scripts/_env.sh), never on the machine's.
        pytest.skip("not in an isolated network namespace")
    try:
        child = ChildNamespace(prefix)
    except OSError as err:
        pytest.skip(f"no network namespace: {err}")
    try:
        child.link()
        yield child
    finally:
        child.close()
