"""USB discovery offers the smart meter (B-route) setup only for a dongle it can tell apart.

Home Assistant's own matcher logic decides (``homeassistant.components.usb``: the matchers of
every integration, the most specific ones win), fed with the integration's manifest as Home
Assistant loads it.

The supported Wi-SUN dongles sit behind generic USB-serial chips: the Tessera RL7023 Stick-D
family uses FTDI's FT-X (0403:6015), the ID of every FT230X/FT231X adapter.  A matcher needs
the dongle's own USB strings (manufacturer or product description) to tell it apart, and no
source available to this project documents them for any family (README, "Supported devices
and dongles").  So the manifest has no USB matcher: a matcher on 0403:6015 alone offered the
B-route setup for every FT-X adapter.  A family is added to ``KNOWN_DONGLES`` (and its matcher
to manifest.json) once its descriptor is read from a real dongle; the tests below then hold the
manifest to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.components.usb import USBDiscovery
from homeassistant.components.usb.models import USBDevice
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_usb

MANIFEST = Path(__file__).parents[2] / "custom_components" / "hems" / "manifest.json"
DOMAIN = "hems"

#: Supported dongle families whose USB descriptor is documented: family -> (descriptor as the
#: dongle reports it, source).  None is yet (see the module docstring).
KNOWN_DONGLES: dict[str, tuple[USBDevice, str]] = {}

#: Generic USB-serial adapters (their makers' default strings), which must never be offered.
GENERIC_ADAPTERS = (
    USBDevice(
        device="/dev/serial/by-id/usb-FTDI_FT230X_Basic_UART_DM006AOS-if00-port0",
        vid="0403",
        pid="6015",
        serial_number="DM006AOS",
        manufacturer="FTDI",
        description="FT230X Basic UART",
    ),
    USBDevice(
        device="/dev/ttyUSB1",
        vid="0403",
        pid="6015",
        serial_number="DA01LX0U",
        manufacturer="FTDI",
        description="FT231X USB UART",
    ),
    USBDevice(
        device="/dev/ttyUSB2",
        vid="0403",
        pid="6001",
        serial_number="A50285BI",
        manufacturer="FTDI",
        description="FT232R USB UART",
    ),
    USBDevice(
        device="/dev/ttyUSB3",
        vid="10C4",
        pid="EA60",
        serial_number="0001",
        manufacturer="Silicon Labs",
        description="CP2102 USB to UART Bridge Controller",
    ),
    USBDevice(
        device="/dev/ttyUSB4",
        vid="1A86",
        pid="7523",
        serial_number=None,
        manufacturer=None,
        description="USB2.0-Serial",
    ),
)


async def _offered(hass: HomeAssistant, device: USBDevice) -> set[str]:
    """The integrations whose flow Home Assistant's USB discovery starts for ``device``."""
    discovery = USBDiscovery(hass, await async_get_usb(hass))
    return {matcher["domain"] for matcher in discovery.async_get_usb_matchers_for_device(device)}


def _manifest_matchers() -> list[dict[str, Any]]:
    matchers: list[dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8")).get("usb", [])
    return matchers


async def test_generic_serial_adapters_are_not_offered_the_smart_meter(
    hass: HomeAssistant,
) -> None:
    for device in GENERIC_ADAPTERS:
        assert DOMAIN not in await _offered(hass, device), device


async def test_every_supported_dongle_family_is_offered_the_smart_meter(
    hass: HomeAssistant,
) -> None:
    for family, (device, _source) in KNOWN_DONGLES.items():
        assert DOMAIN in await _offered(hass, device), family


async def test_matchers_are_loaded_as_home_assistant_loads_them(hass: HomeAssistant) -> None:
    """What Home Assistant loads for the integration is the manifest's list."""
    loaded = [
        {k: v for k, v in matcher.items() if k != "domain"}
        for matcher in await async_get_usb(hass)
        if matcher["domain"] == DOMAIN
    ]
    expected = [
        {k: v for k, v in matcher.items() if k != "known_devices"}
        for matcher in _manifest_matchers()
    ]
    assert loaded == expected


def test_every_matcher_names_one_known_dongle_family() -> None:
    """No bare VID:PID matcher; one matcher per family, each family's descriptor documented."""
    families = []
    for matcher in _manifest_matchers():
        assert {"vid", "pid"} <= set(matcher), matcher
        assert {"description", "manufacturer"} & set(matcher), f"bare VID:PID: {matcher}"
        assert len(matcher.get("known_devices", [])) >= 1, matcher
        families.append(matcher["known_devices"][0])
    assert sorted(families) == sorted(KNOWN_DONGLES)
    for family, (_device, source) in KNOWN_DONGLES.items():
        assert source.strip(), f"{family}: where the descriptor was read"
