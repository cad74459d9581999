"""Each pytest-xdist worker in a network namespace of its own.

``./scripts/test`` runs the whole suite on several workers (pytest-xdist).  The tests bind fixed
ECHONET addresses (the hub on 127.0.0.1:3610, simulated houses on 127.0.x.y, the multicast group
224.0.23.0), so two workers sharing one namespace would bind each other's ports and answer each
other's searches.  Before any test runs, each worker moves its main thread into a fresh network
namespace with loopback up.  The main thread runs the tests and the event loop, and every thread
and child process it starts later inherits the namespace.  Only execnet's pipe reader, started
before, stays behind; it never opens a socket.
"""

from __future__ import annotations

import fcntl
import os
import socket
import struct
import threading

_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
_IFREQ = "16sH14s"


class IsolationError(RuntimeError):
    """The worker could not get a network namespace of its own."""


def isolate_worker(worker: str) -> None:
    """Move this (main) thread into a new network namespace and bring its loopback up."""
    if threading.current_thread() is not threading.main_thread():
        raise IsolationError(f"worker {worker}: tests do not run in the main thread")
    try:
        os.unshare(os.CLONE_NEWNET)
    except OSError as err:
        raise IsolationError(
            f"worker {worker} cannot make a network namespace ({err}); parallel workers need "
            "root or user namespaces: run the tests with -n 0"
        ) from err
    loopback_up()


def loopback_up() -> None:
    """Set this thread's namespace's loopback up (what ``ip link set lo up`` does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack(_IFREQ, b"lo", 0, b"")
        flags = struct.unpack(_IFREQ, fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | _IFF_UP, b""))
