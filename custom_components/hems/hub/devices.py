"""The device registry entries of a hub: one per node, one per object (under its node)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from ..echonet.definitions.names import NodeProfile, SuperClass
from ..echonet.manufacturers import manufacturer_name
from ..echonet.node import EchonetObject, Node
from .naming import object_device_name, object_suggested_area


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


@callback
def async_register_node(hass: HomeAssistant, entry_id: str, node: Node) -> dr.DeviceEntry:
    """The node's device: maker and product from its node profile."""
    profile = node.profile
    maker = manufacturer_name(node.manufacturer_code, _language(hass))
    product = _text(profile.values.get(NodeProfile.PRODUCT_CODE)) if profile else None
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry_id,
        identifiers={(DOMAIN, node_identifier(node))},
        manufacturer=maker,
        model=product or None,
        serial_number=_text(profile.values.get(NodeProfile.SERIAL_NUMBER)) if profile else None,
        sw_version=_version(profile.values.get(NodeProfile.VERSION)) if profile else None,
        name=f"{maker} {product}".strip() if product else f"ECHONET Lite {node.address}",
        configuration_url=None,
    )


@callback
def async_register_object(
    hass: HomeAssistant, entry_id: str, obj: EchonetObject, node_device_id: str | None
) -> None:
    """The object's device, under its node's device (``node_device_id``)."""
    registry = dr.async_get(hass)
    language = _language(hass)
    code = _maker_code(obj.values.get(SuperClass.MANUFACTURER)) or obj.node.manufacturer_code
    device = registry.async_get_or_create(
        config_entry_id=entry_id,
        identifiers={(DOMAIN, object_identifier(obj))},
        manufacturer=manufacturer_name(code, language),
        model=_text(obj.values.get(SuperClass.PRODUCT_CODE)) or obj.class_def.name_en,
        model_id=f"0x{obj.class_code:04X}",
        serial_number=_text(obj.values.get(SuperClass.SERIAL_NUMBER)),
        sw_version=_release(obj.values.get(SuperClass.PROTOCOL)),
        name=object_device_name(obj, language),
        suggested_area=object_suggested_area(obj, language),
    )
    # Not registry.async_get_device: deprecated in 2026.10 (identifiers are unique per entry).
    if node_device_id is not None and device.via_device_id != node_device_id:
        registry.async_update_device(device.id, via_device_id=node_device_id)


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
