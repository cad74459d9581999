"""Node identity: what names a node, and who may take a known identity to a new address.

A node is known by its identification number (node profile 0x83).  A node without one is
known by its MAC address when the host can tell it (the kernel's neighbour table,
``/proc/net/arp``: the node is on the same link), otherwise by its IP address.  The key is
:func:`identity_key`: ``<0x83 in hex>``, ``mac:<aa:bb:...>`` or ``ip:<address>``.

Anyone on the LAN can read a node's 0x83 and answer with it from another address.  So a known
identity answering from a new address is a *claim*, and :class:`IdentityGuard` accepts the
move only when the bound (old) address no longer answers as that identity.  Two live claims
keep the existing binding: the claimant is held off for ``HOLD_SECONDS`` (no setup, no
requests) and the conflict is announced (:class:`~.events.IdentityConflict`) so that the user
sees both addresses.  A conflict ends when the claimant stops claiming (it answers as something
else, or not at all, when checked again after the hold) or when the bound address falls silent
and the move is accepted.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import logging
from pathlib import Path
import time
from typing import Final

from .const import EPC_IDENTIFICATION_NUMBER, ESV
from .events import IdentityConflict
from .frame import NODE_PROFILE
from .node import Node, Priority
from .parts import ControllerParts

_LOGGER = logging.getLogger(__name__)

#: Seconds a claimant of a bound identity is left alone before it is checked again.
HOLD_SECONDS: Final = 300.0
#: Claimants held off at most (the oldest hold gives way): the table stays bounded.
MAX_CLAIMS: Final = 64
#: The kernel's IPv4 neighbour table (what ``ip neigh`` / ``arp -n`` show).
NEIGHBOUR_TABLE: Final = Path("/proc/net/arp")
#: ARP entry flag "complete" (ATF_COM): the MAC address is known.
_ATF_COM: Final = 0x2


def neighbour_mac(host: str, table: Path = NEIGHBOUR_TABLE) -> str | None:
    """The MAC address of ``host`` in the neighbour table, or None (not on this link, not
    resolved yet, or no table).  Blocking (a file read): call it in a thread."""
    try:
        lines = table.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines[1:]:
        # IP address, HW type, Flags, HW address, Mask, Device
        fields = line.split()
        if len(fields) < 4 or fields[0] != host:
            continue
        try:
            flags = int(fields[2], 16)
        except ValueError:
            continue
        mac = fields[3].lower()
        if flags & _ATF_COM and mac != "00:00:00:00:00:00":
            return mac
    return None


def identification(values: dict[int, bytes]) -> str | None:
    """The node's identification number (0x83) in hex, when it has a usable one."""
    ident = values.get(EPC_IDENTIFICATION_NUMBER)
    if ident and len(ident) == 17 and any(ident[4:]):
        return ident.hex()
    return None


def identity_key(host: str, values: dict[int, bytes], mac: str | None) -> str:
    """The key of the node at ``host`` (see the module docstring)."""
    ident = identification(values)
    if ident is not None:
        return ident
    if mac is not None:
        return f"mac:{mac}"
    return f"ip:{host}"


@dataclass(slots=True)
class Claim:
    """A claimant address held off: it claimed ``uid``, which stays bound elsewhere."""

    uid: str
    bound: str
    until: float


class IdentityGuard:
    """Decides whether a known identity may move to a new address (see the module docstring)."""

    def __init__(
        self, controller: ControllerParts, *, neighbour_table: Path = NEIGHBOUR_TABLE
    ) -> None:
        self._controller = controller
        self.neighbour_table = neighbour_table
        self.claims: dict[str, Claim] = {}
        self.conflicts_seen = 0

    async def key_of(self, host: str, values: dict[int, bytes], bound: str | None = None) -> str:
        """:func:`identity_key` of the node at ``host`` (the neighbour table read in a thread
        when the node has no identification number).  ``bound``: the key of the node bound
        to ``host`` now; a MAC key is kept while the table has no entry for the host."""
        if identification(values) is not None:
            return identity_key(host, values, None)
        mac = await asyncio.get_running_loop().run_in_executor(
            None, neighbour_mac, host, self.neighbour_table
        )
        if mac is None and bound is not None and bound.startswith("mac:"):
            return bound
        return identity_key(host, values, mac)

    # ------------------------------------------------------------------ holding off

    def held(self, host: str) -> bool:
        """Whether ``host`` is a claimant held off now (no setup for it)."""
        claim = self.claims.get(host)
        return claim is not None and claim.until > time.monotonic()

    def due(self) -> list[str]:
        """Claimants whose hold is over: to be checked again."""
        now = time.monotonic()
        return [host for host, claim in self.claims.items() if claim.until <= now]

    def seen(self, host: str, uid: str | None) -> None:
        """The node at ``host`` answered as ``uid`` (None: not at all): a claimant that no
        longer claims its identity ends its conflict."""
        claim = self.claims.get(host)
        if claim is None or claim.uid == uid:
            return
        del self.claims[host]
        node = self._controller.nodes.get(claim.uid)
        _LOGGER.info("%s no longer claims ECHONET Lite node %s", host, claim.uid)
        if node is not None:
            self._controller.emit(IdentityConflict(node, host, active=False))

    # ------------------------------------------------------------------ deciding

    async def accept_move(self, node: Node, host: str) -> bool:
        """Whether ``node`` (bound to its current address) may move to ``host``.

        Yes when the bound address does not answer as the node's identity any more (it is
        silent, or another node lives there now).  No when it still does: the claim from
        ``host`` conflicts with a live binding, which is kept.
        """
        bound = node.address
        if await self._answers_as(node):
            self._hold(node, host)
            return False
        # The conflicts over this identity are over: its bound address is gone.
        for claimant, claim in list(self.claims.items()):
            if claim.uid == node.uid:
                del self.claims[claimant]
                self._controller.emit(IdentityConflict(node, claimant, active=False))
        _LOGGER.debug("%s no longer answers as %s: the move to %s is accepted", bound, node, host)
        return True

    def _hold(self, node: Node, host: str) -> None:
        first = host not in self.claims
        if first and len(self.claims) >= MAX_CLAIMS:
            oldest = min(self.claims, key=lambda h: self.claims[h].until)
            self.seen(oldest, None)  # forgotten: its conflict is no longer shown
        self.claims[host] = Claim(node.uid, node.address, time.monotonic() + HOLD_SECONDS)
        if first:
            self.conflicts_seen += 1
            _LOGGER.warning(
                "%s answers with the identification number of ECHONET Lite node %s, which "
                "still answers at %s: the node stays at %s",
                host,
                node.uid,
                node.address,
                node.address,
            )
        self._controller.emit(IdentityConflict(node, host, active=True))

    async def _answers_as(self, node: Node) -> bool:
        """Whether the node's bound address still answers with the node's identity."""
        controller = self._controller
        pending = await controller.requests.exchange(
            node,
            NODE_PROFILE,
            ESV.GET,
            [(EPC_IDENTIFICATION_NUMBER, b"")],
            Priority.USER,
            1 + controller.retries,
        )
        if pending is None:
            return False
        return await self.key_of(node.address, pending.values) == node.uid
