"""Who holds a UDP port (for the "port 3610 is busy" repair issue). Linux only; best effort."""

from __future__ import annotations

import os
from pathlib import Path


def _inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def describe_port_owner(port: int) -> str:
    """``name (pid N)`` of the processes bound to UDP ``port``, or a hint when unknown."""
    inodes = _inodes(port)
    if not inodes:
        return "unknown (not visible from here)"
    owners: list[str] = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                try:
                    name = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
                except OSError:
                    name = "?"
                if pid == str(os.getpid()):
                    name += ", this Home Assistant"
                owners.append(f"{name} (pid {pid})")
                break
    return ", ".join(sorted(set(owners))) or "another program (its process is not visible)"
