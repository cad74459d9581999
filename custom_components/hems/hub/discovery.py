"""Finding ECHONET Lite devices before any hub entry exists (offered as a discovered hub)."""

from __future__ import annotations

from dataclasses import dataclass
import logging

from homeassistant.components import network
from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery_flow
from homeassistant.helpers.start import async_at_started

from ..const import CONF_ADDRESS, CONF_INTERFACE, CONF_KIND, DOMAIN, KIND_ECHONET
from ..echonet import EchonetError
from ..echonet.controller import Controller
from ..echonet.node import Node
from .naming import class_name

_LOGGER = logging.getLogger(__name__)

#: Seconds to listen for answers to the discovery probe.
PROBE_SECONDS = 3.0


@dataclass(slots=True)
class ProbeResult:
    """What a probe of one interface found."""

    interface: str
    address: str
    nodes: list[Node]

    @property
    def object_count(self) -> int:
        """Number of device objects."""
        return sum(len(n.objects) for n in self.nodes)

    def classes(self, language: str) -> str:
        """The kinds of device found, e.g. "Air conditioner ×2, Light"."""
        counts: dict[str, int] = {}
        for node in self.nodes:
            for obj in node.objects.values():
                name = class_name(
                    obj.class_code, language, (obj.class_def.name_en, obj.class_def.name_ja)
                )
                counts[name] = counts.get(name, 0) + 1
        return ", ".join(f"{n} ×{c}" if c > 1 else n for n, c in sorted(counts.items()))


async def async_probe(
    address: str,
    *,
    interface: str = "",
    hosts: list[str] | None = None,
    seconds: float | None = None,
) -> ProbeResult:
    """Open a controller on ``address`` for a few seconds (``PROBE_SECONDS`` unless given)
    and report what answered."""
    if seconds is None:
        seconds = PROBE_SECONDS
    controller = Controller(
        address, hosts=hosts or [], discovery_interval=3600, timeout=1.5, retries=1
    )
    await controller.start(discover=False)
    try:
        nodes = await controller.async_discover(wait=seconds)
    finally:
        await controller.stop()
    return ProbeResult(interface, address, nodes)


async def async_adapters(hass: HomeAssistant) -> list[tuple[str, str, bool]]:
    """(name, IPv4 address, is default) of every adapter with an IPv4 address."""
    out: list[tuple[str, str, bool]] = []
    for adapter in await network.async_get_adapters(hass):
        if adapter["ipv4"]:
            out.append((adapter["name"], adapter["ipv4"][0]["address"], adapter["default"]))
    return out


@callback
def async_start_discovery(hass: HomeAssistant) -> None:
    """Once Home Assistant has started, probe the default interface if no hub exists."""

    async def _discover(_hass: HomeAssistant) -> None:
        if any(
            e.data.get(CONF_KIND, KIND_ECHONET) == KIND_ECHONET
            for e in hass.config_entries.async_entries(DOMAIN, include_ignore=True)
        ):
            return
        for name, address, default in await async_adapters(hass):
            if not default:
                continue
            try:
                result = await async_probe(address, interface=name)
            except EchonetError as err:
                _LOGGER.debug("ECHONET Lite discovery on %s failed: %s", name, err)
                continue
            if not result.nodes:
                continue
            discovery_flow.async_create_flow(
                hass,
                DOMAIN,
                context={"source": SOURCE_INTEGRATION_DISCOVERY},
                data={
                    CONF_INTERFACE: name,
                    CONF_ADDRESS: address,
                    "nodes": len(result.nodes),
                    "objects": result.object_count,
                    "classes": result.classes(hass.config.language or "en"),
                },
            )

    async_at_started(hass, _discover)
