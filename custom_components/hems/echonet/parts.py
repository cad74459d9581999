"""What the controller's parts (discovery, the identity guard) use of the controller.

The controller owns its parts and hands itself to them; they see it through this protocol
only, so the parts never import the controller (no import circle) and a reader sees at once
what a part may touch.
"""

from __future__ import annotations

from typing import Protocol

from .batching import BatchReader
from .events import ControllerEvent
from .node import Node
from .requests import RequestEngine
from .transport import EchonetTransport


class ControllerParts(Protocol):
    """The controller as its parts see it (:class:`~.controller.Controller` implements it)."""

    #: Addresses asked by unicast besides the multicast discovery (a moved node's follows it).
    hosts: list[str]

    @property
    def nodes(self) -> dict[str, Node]:
        """The known nodes by uid."""

    @property
    def transport(self) -> EchonetTransport:
        """Our node's UDP endpoints."""

    @property
    def requests(self) -> RequestEngine:
        """Requests and their answers."""

    @property
    def reader(self) -> BatchReader:
        """Property reads in batches."""

    @property
    def multicast(self) -> bool:
        """Whether discovery is multicast."""

    @property
    def discovery_interval(self) -> float:
        """Seconds between repeated discoveries."""

    @property
    def retries(self) -> int:
        """How often a request to an answering node is sent again."""

    @property
    def running(self) -> bool:
        """Started and not stopped."""

    def emit(self, event: ControllerEvent) -> None:
        """Tell the controller's listeners."""

    def mark_answered(self, node: Node) -> None:
        """``node`` answered: available again if it was not."""
