"""Actions: raw property access for any ECHONET Lite device (administrators only).

``get_property`` reads any EPCs (each asked once, however often it is listed);
``set_property`` writes one EPC the object's Set map lists, or any EPC with ``force: true``.
"""

from __future__ import annotations

import re
from typing import Any, Final

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
import voluptuous as vol

from ..const import (
    ATTR_DEVICE_ID,
    ATTR_EDT,
    ATTR_EPC,
    ATTR_FORCE,
    ATTR_VALUE,
    DOMAIN,
    SERVICE_GET_PROPERTY,
    SERVICE_SET_PROPERTY,
)
from ..echonet.definitions import Invalid
from ..echonet.node import EchonetObject, Priority
from ..errors import translated_errors
from . import loaded_hubs
from .devices import object_identifier
from .entity import async_set_properties, encode
from .errors import ECHONET_ERRORS, Operation
from .naming import object_device_name
from .runtime import EchonetHub

#: Property codes (EPCs) are 0x80 ... 0xFF.
EPC_FIRST: Final = 0x80
EPC_LAST: Final = 0xFF


def _epc(value: Any) -> int:
    if isinstance(value, int) and EPC_FIRST <= value <= EPC_LAST:
        return value
    text = str(value).strip().lower()
    try:
        number = (
            int(text, 16)
            if text.startswith("0x") or re.fullmatch(r"[0-9a-f]{2}", text)
            else int(text)
        )
    except ValueError as err:
        raise vol.Invalid(f"not an EPC: {value}") from err
    if not EPC_FIRST <= number <= EPC_LAST:
        raise vol.Invalid(f"EPC out of range 0x80-0xFF: {value}")
    return number


def _hex(value: Any) -> bytes:
    text = str(value).strip().lower().removeprefix("0x").replace(" ", "")
    try:
        data = bytes.fromhex(text)
    except ValueError as err:
        raise vol.Invalid(f"not hexadecimal bytes: {value}") from err
    if not data:
        raise vol.Invalid("an EDT needs at least one byte")
    return data


GET_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        # Each EPC once (in the order first given): the device is asked once per property.
        vol.Required(ATTR_EPC): vol.All(
            cv.ensure_list, [_epc], lambda epcs: list(dict.fromkeys(epcs))
        ),
    }
)
SET_SCHEMA = vol.Schema(
    vol.All(
        {
            vol.Required(ATTR_DEVICE_ID): cv.string,
            vol.Required(ATTR_EPC): _epc,
            vol.Exclusive(ATTR_EDT, "value"): _hex,
            vol.Exclusive(ATTR_VALUE, "value"): vol.Any(str, int, float, bool),
            vol.Optional(ATTR_FORCE, default=False): cv.boolean,
        },
        cv.has_at_least_one_key(ATTR_EDT, ATTR_VALUE),
    )
)


def _find_object(hass: HomeAssistant, device_id: str) -> tuple[EchonetHub, EchonetObject]:
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_device",
            translation_placeholders={"device_id": device_id},
        )
    ids = {i for d, i in device.identifiers if d == DOMAIN}
    for hub in loaded_hubs(hass):
        for obj in hub.controller.objects():
            if object_identifier(obj) in ids:
                return hub, obj
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_an_echonet_device",
        translation_placeholders={"device_id": device_id},
    )


def _describe(obj: EchonetObject, epc: int, edt: bytes | None) -> dict[str, Any]:
    prop = obj.prop(epc)
    out: dict[str, Any] = {
        "epc": f"0x{epc:02X}",
        "name": prop.name_en,
        "name_ja": prop.name_ja,
        "edt": None if edt is None else edt.hex(),
    }
    if edt is None:
        out["value"] = None
        out["error"] = "not supported by the device"
        return out
    value = prop.decode(edt, obj.values)
    if isinstance(value, Invalid):
        out["value"] = None
        out["error"] = value.reason
    else:
        out["value"] = _jsonable(value)
    if prop.unit:
        out["unit"] = prop.unit
    return out


# Not meter diagnostics' _plain: an action's response shows bytes as hex and anything else
# as text, diagnostics show datetimes in ISO form; the two shapes are alike on purpose.
def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _get_context(hub: EchonetHub, obj: EchonetObject, epcs: list[int]) -> dict[str, str]:
    return {"address": obj.node.address}


@translated_errors(ECHONET_ERRORS, Operation.GET, _get_context)
async def _async_get(hub: EchonetHub, obj: EchonetObject, epcs: list[int]) -> dict[int, bytes]:
    return await hub.controller.get(obj, epcs, priority=Priority.USER)


async def _get_property(call: ServiceCall) -> ServiceResponse:
    hub, obj = _find_object(call.hass, call.data[ATTR_DEVICE_ID])
    epcs: list[int] = call.data[ATTR_EPC]
    values = await _async_get(hub, obj, epcs)
    return {"properties": [_describe(obj, epc, values.get(epc)) for epc in epcs]}


async def _set_property(call: ServiceCall) -> ServiceResponse:
    hub, obj = _find_object(call.hass, call.data[ATTR_DEVICE_ID])
    epc: int = call.data[ATTR_EPC]
    if ATTR_EDT in call.data:
        edt: bytes = call.data[ATTR_EDT]
    else:
        edt = encode(obj, epc, call.data[ATTR_VALUE], ServiceValidationError)
    if not call.data[ATTR_FORCE] and epc not in obj.set_map:
        language = call.hass.config.language or "en"
        prop = obj.prop(epc)
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_in_set_map",
            translation_placeholders={
                "device": object_device_name(obj, language),
                "property": prop.name_ja if language.startswith("ja") else prop.name_en,
                "epc": f"0x{epc:02X}",
            },
        )
    coordinator = hub.coordinators[obj.node.uid]
    confirmed = await async_set_properties(coordinator, obj, {epc: edt})
    return {"properties": [_describe(obj, epc, confirmed.get(epc, obj.values.get(epc)))]}


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, in async_setup); both are for administrators only."""
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_GET_PROPERTY,
        _get_property,
        schema=GET_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_SET_PROPERTY,
        _set_property,
        schema=SET_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
