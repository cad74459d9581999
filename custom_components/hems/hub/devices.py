"""The device registry entries of a hub.

A node with one device object is one device: the object's, carrying the node's maker, model,
serial number and version.  A node with several objects is one device per object under one
device of the node.  A node without device objects has none.  An object that leaves its
node's instance list loses its device (and with it its entities); a silent node keeps its
devices, unavailable.

Devices are named so that two of a kind are told apart: the installation location (0x81) in
front of the class ("Living room air conditioner"); devices of the same name are numbered
("Air conditioner 2"), and a device keeps its number.  A new device with a location goes to
the area the user already has for that place (matched by the area's name or aliases in
either language, e.g. onboarding's "リビングルーム" for リビング); one is created only when none
matches.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypedDict

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.helpers.normalized_name_base_registry import normalize_name

from ..const import DOMAIN
from ..echonet.definitions.names import NodeProfile, SuperClass
from ..echonet.manufacturers import manufacturer_name
from ..echonet.node import EchonetObject, Node
from .naming import (
    LANGUAGES,
    location_area_names,
    name_number,
    numbered,
    object_base_name,
)


def node_identifier(node: Node) -> str:
    """Device registry identifier of a node."""
    return node.uid


def object_identifier(obj: EchonetObject) -> str:
    """Device registry identifier of an object (node identification number + EOJ)."""
    return f"{obj.node.uid}-{obj.eoj}"


def entity_unique_id(obj: EchonetObject, key: str) -> str:
    """Unique id of an object's entity: ``<node>-<EOJ>-<description key>``."""
    return f"{object_identifier(obj)}-{key}"


def parse_entity_unique_id(unique_id: str) -> tuple[int, str] | None:
    """(class code, description key) of an entity's unique id (None: not a hub entity's)."""
    parts = unique_id.split("-")
    if len(parts) != 3:
        return None
    _node, eoj, key = parts
    if len(eoj) != 8 or not eoj.startswith("0x") or not key:
        return None
    try:
        return int(eoj[2:6], 16), key
    except ValueError:
        return None


def _language(hass: HomeAssistant) -> str:
    return hass.config.language or "en"


@dataclass
class HubDevices:
    """The devices of one hub entry in the device registry."""

    hass: HomeAssistant
    entry_id: str
    #: Object identifier -> the device's name in English (entity ids are made from it).
    english_names: dict[str, str]

    @property
    def _registry(self) -> dr.DeviceRegistry:
        return dr.async_get(self.hass)

    def _device(self, identifier: str) -> dr.DeviceEntry | None:
        # Not registry.async_get_device: deprecated in 2026.10 (identifiers are unique per entry).
        for device in dr.async_entries_for_config_entry(self._registry, self.entry_id):
            if (DOMAIN, identifier) in device.identifiers:
                return device
        return None

    def _remove(self, device: dr.DeviceEntry) -> None:
        """Take the device from this entry (Home Assistant removes its entities with it)."""
        self._registry.async_update_device(device.id, remove_config_entry_id=self.entry_id)

    @callback
    def async_sync_node(self, node: Node) -> None:
        """Make the registry match the node: its devices, their parent, names and areas."""
        objects = list(node.objects.values())
        listed = {object_identifier(obj) for obj in objects}
        prefix = f"{node.uid}-"
        for device in dr.async_entries_for_config_entry(self._registry, self.entry_id):
            ids = {i for d, i in device.identifiers if d == DOMAIN}
            if any(i.startswith(prefix) for i in ids) and not ids & listed:
                self._remove(device)  # an object the node no longer lists
        parent_id: str | None = None
        node_device = self._device(node_identifier(node))
        if len(objects) > 1:
            parent_id = self._register_node(node, node_device).id
        elif node_device is not None:
            self._remove(node_device)  # one object (or none): the object's device is the node
        for obj in objects:
            self._register_object(obj, parent_id, single=len(objects) == 1)

    def node_device(self, node: Node) -> dr.DeviceEntry | None:
        """The device that stands for the node: its own, or its only object's."""
        device = self._device(node_identifier(node))
        if device is None and len(node.objects) == 1:
            device = self._device(object_identifier(next(iter(node.objects.values()))))
        return device

    @callback
    def async_remove_object(self, obj: EchonetObject) -> None:
        """The object left its node: remove its device and entities, rearrange the node."""
        self.english_names.pop(object_identifier(obj), None)
        self.async_sync_node(obj.node)

    def _register_node(self, node: Node, existing: dr.DeviceEntry | None) -> dr.DeviceEntry:
        """The node's device: maker and product from its node profile."""
        profile = node.profile
        values = profile.values if profile else {}
        product = _text(values.get(NodeProfile.PRODUCT_CODE))
        bases = {lang: _node_name(node, product, lang) for lang in LANGUAGES}
        language = _language(self.hass)
        number = self._number(existing, bases.values())
        return self._registry.async_get_or_create(
            config_entry_id=self.entry_id,
            identifiers={(DOMAIN, node_identifier(node))},
            manufacturer=manufacturer_name(node.manufacturer_code, language),
            model=product,
            serial_number=_text(values.get(NodeProfile.SERIAL_NUMBER)),
            sw_version=_version(values.get(NodeProfile.VERSION)),
            name=numbered(_node_name(node, product, language), number),
        )

    def _register_object(self, obj: EchonetObject, parent_id: str | None, *, single: bool) -> None:
        """The object's device (``single``: the node's only object, with the node's data)."""
        identifier = object_identifier(obj)
        existing = self._device(identifier)
        language = _language(self.hass)
        number = self._number(existing, [object_base_name(obj, lang) for lang in LANGUAGES])
        self.english_names[identifier] = numbered(object_base_name(obj, "en"), number)
        device = self._registry.async_get_or_create(
            config_entry_id=self.entry_id,
            identifiers={(DOMAIN, identifier)},
            name=numbered(object_base_name(obj, language), number),
            model_id=f"0x{obj.class_code:04X}",
            **_object_info(obj, language, single=single),
        )
        changes: dict[str, Any] = {}
        if device.via_device_id != parent_id:
            changes["via_device_id"] = parent_id
        if existing is None and (area_id := self._area_id(obj, language)) is not None:
            changes["area_id"] = area_id  # a new device only: the user's choice stays
        if changes:
            self._registry.async_update_device(device.id, **changes)

    def _number(self, existing: dr.DeviceEntry | None, bases: Collection[str]) -> int:
        """The device's number among the entry's devices of the same name (it keeps its own)."""
        if existing is not None:
            for base in bases:
                if (own := name_number(existing.name, base)) is not None:
                    return own
        taken: set[int] = set()
        for device in dr.async_entries_for_config_entry(self._registry, self.entry_id):
            if existing is None or device.id != existing.id:
                taken.update(
                    n for base in bases if (n := name_number(device.name, base)) is not None
                )
        number = 1
        while number in taken:
            number += 1
        return number

    def _area_id(self, obj: EchonetObject, language: str) -> str | None:
        """The area of the object's installation location: the user's, else a new one."""
        names = location_area_names(obj.values.get(SuperClass.INSTALLATION_LOCATION), language)
        if not names:
            return None
        areas = ar.async_get(self.hass)
        for name in names:
            if (area := areas.async_get_area_by_name(name)) is not None:
                return area.id
        wanted = {normalize_name(name) for name in names}
        for area in areas.async_list_areas():
            if any(normalize_name(alias) in wanted for alias in area.aliases):
                return area.id
        return areas.async_create(names[0]).id


def _node_name(node: Node, product: str | None, language: str) -> str:
    maker = manufacturer_name(node.manufacturer_code, language)
    return f"{maker} {product}".strip() if product else f"ECHONET Lite {node.address}"


class _DeviceData(TypedDict):
    manufacturer: str | None
    model: str
    serial_number: str | None
    sw_version: str | None


def _object_info(obj: EchonetObject, language: str, *, single: bool) -> _DeviceData:
    """Maker, model, serial number and version of an object's device; the node's only
    object falls back to its node profile for what the object does not say."""
    values = obj.values
    profile = obj.node.profile.values if single and obj.node.profile else {}
    code = _maker_code(values.get(SuperClass.MANUFACTURER)) or obj.node.manufacturer_code
    return {
        "manufacturer": manufacturer_name(code, language),
        "model": _text(values.get(SuperClass.PRODUCT_CODE))
        or _text(profile.get(NodeProfile.PRODUCT_CODE))
        or obj.class_def.name_en,
        "serial_number": _text(values.get(SuperClass.SERIAL_NUMBER))
        or _text(profile.get(NodeProfile.SERIAL_NUMBER)),
        "sw_version": _release(values.get(SuperClass.PROTOCOL))
        or _version(profile.get(NodeProfile.VERSION)),
    }


def _text(edt: bytes | None) -> str | None:
    if not edt:
        return None
    text = edt.rstrip(b"\x00 ").decode("ascii", "replace").strip()
    return text or None


def _maker_code(edt: bytes | None) -> int | None:
    return int.from_bytes(edt, "big") if edt and len(edt) == 3 else None


def _release(edt: bytes | None) -> str | None:
    """Appendix release of a device object (0x82: 00 00 'R' 00)."""
    if not edt or len(edt) < 3 or not ord("A") <= edt[2] <= ord("Z"):
        return None
    return f"Release {chr(edt[2])}"


def _version(edt: bytes | None) -> str | None:
    """ECHONET Lite version of a node profile (0x82: major minor type type)."""
    if not edt or len(edt) < 2:
        return None
    return f"ECHONET Lite {edt[0]}.{edt[1]}"
