"""Base entity of ECHONET Lite objects, and the description fields every platform shares."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.const import PRECISION_WHOLE, UnitOfTemperature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import EntityPlatform
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import slugify

from ..const import DOMAIN
from ..echonet import EchonetError
from ..echonet.controller import ControllerEvent, NodeAvailability, PropertiesUpdated
from ..echonet.definitions import Invalid
from ..echonet.definitions.names import SuperClass
from ..echonet.node import EchonetObject
from ..errors import translated_errors
from ..models import EnergyRole
from .coordinator import EchonetNodeCoordinator
from .devices import entity_unique_id, object_identifier
from .errors import ECHONET_ERRORS, Operation
from .naming import object_base_name, object_device_name


@dataclass(frozen=True, kw_only=True)
class HemsEntityDescription(EntityDescription):
    """Fields shared by the descriptions of every platform.

    ``epcs`` are the properties the entity shows or controls: a push of one of them updates
    the entity, and (``fast``) they are polled as often as power values.  ``exists_fn`` decides
    whether an object gets the entity (default: the first EPC is readable or settable);
    ``energy_role`` makes it a source the energy entry finds by itself.
    """

    epcs: tuple[int, ...] = ()
    exists_fn: Callable[[EchonetObject], bool] | None = None
    fast: bool = False
    energy_role: EnergyRole | None = None

    def exists(self, obj: EchonetObject) -> bool:
        """Whether ``obj`` gets this entity."""
        if self.exists_fn is not None:
            return self.exists_fn(obj)
        return bool(self.epcs) and (self.epcs[0] in obj.get_map or self.epcs[0] in obj.set_map)


def number_value(obj: EchonetObject, epc: int) -> float | int | None:
    """A property's decoded value when it is a number (special states give None)."""
    value = obj.value(epc)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def state_value(obj: EchonetObject, epc: int) -> str | None:
    """A property's decoded state key (None when unknown or not a state)."""
    value = obj.value(epc)
    return value if isinstance(value, str) else None


def is_operating(obj: EchonetObject) -> bool | None:
    """The operation status (0x80): on, off or unknown."""
    state = state_value(obj, SuperClass.OPERATION_STATUS)
    return None if state is None else state == "true"


def is_valid(value: Any) -> bool:
    """False for unknown and invalid decoded values."""
    return value is not None and not isinstance(value, Invalid)


class WholeDegreesCelsius:
    """Temperatures of ECHONET Lite devices: Celsius, set in whole degrees."""

    _attr_temperature_unit: str = UnitOfTemperature.CELSIUS
    _attr_precision: float = PRECISION_WHOLE
    _attr_target_temperature_step: float | None = 1


class HemsEchonetEntity(CoordinatorEntity[EchonetNodeCoordinator]):
    """An entity of one ECHONET Lite object.

    It subscribes to its own properties at the controller (those of its description and the
    coefficients their values are scaled by) and writes its state when one of them changes,
    however the change came (a push, a poll, a Set's confirmation), or when its node stops or
    starts answering.  Its coordinator's listener tells when polling fails or recovers.
    """

    _attr_has_entity_name = True
    entity_description: HemsEntityDescription

    def __init__(
        self,
        coordinator: EchonetNodeCoordinator,
        obj: EchonetObject,
        description: HemsEntityDescription,
    ) -> None:
        super().__init__(coordinator)
        self.obj = obj
        self.entity_description = description
        self._watched = frozenset(description.epcs).union(
            *(obj.prop(epc).coefficient_epcs for epc in description.epcs)
        )
        self._attr_unique_id = entity_unique_id(obj, description.key)
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, object_identifier(obj))})
        if description.fast:
            coordinator.want_fast(obj, description.epcs)
        self._configure()

    def _configure(self) -> None:
        """Set, once, what the object's property maps decide (features, modes, options)."""

    def add_to_platform_start(
        self,
        hass: HomeAssistant,
        platform: EntityPlatform,
        parallel_updates: asyncio.Semaphore | None,
    ) -> None:
        """Suggest an entity id made of English names, whatever the language.

        Home Assistant makes the entity id of a new entity from its device's name and its
        own name.  In a language without native entity ids (Japanese among them) it takes
        the entity's name from the English translations already, but the device's name in
        the user's language: 「リビング エアコン」 would become ``rihinku_eakon``.  The
        English device name (same location and number) is used instead, so that the id is
        ``climate.living_room_air_conditioner`` in every language.  An entity registered
        before keeps its entity id (Home Assistant ignores the suggestion then).
        """
        super().add_to_platform_start(hass, platform, parallel_updates)
        preset: str | None = self.entity_id
        if preset is not None:  # pragma: no cover - never set before being added
            return
        device = self.coordinator.hub.english_names.get(
            object_identifier(self.obj)
        ) or object_base_name(self.obj, "en")
        # Home Assistant's own English name of the entity (its object id translations).
        name = self.suggested_object_id
        self.entity_id = f"{platform.domain}.{slugify(f'{device} {name or ""}'.strip())}"

    async def async_added_to_hass(self) -> None:
        """Follow the object's properties (and the poll results, for availability)."""
        await super().async_added_to_hass()
        node = self.obj.node
        self.async_on_remove(
            self.coordinator.hub.controller.subscribe(
                self._async_device_event, uid=node.uid, eoj=self.obj.eoj, epcs=self._watched
            )
        )
        self._update_from_device()

    @property
    def available(self) -> bool:
        """Available while the node answers, once read again after a silence."""
        return super().available and self.obj.node.available and not self.coordinator.stale

    @callback
    def _async_device_event(self, event: ControllerEvent) -> None:
        """One of the entity's properties changed, or its node's availability."""
        if isinstance(event, PropertiesUpdated | NodeAvailability):
            self._async_write_device_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Polling failed or recovered."""
        self._async_write_device_state()

    @callback
    def _async_write_device_state(self) -> None:
        self._update_from_device()
        self.async_write_ha_state()

    def _update_from_device(self) -> None:
        """Compute what the state shows from the object's values (before each write)."""

    async def async_set_properties(self, values: Mapping[int, bytes]) -> dict[int, bytes]:
        """SetC on the device and confirm; errors become translated HomeAssistantErrors."""
        return await async_set_properties(self.coordinator, self.obj, values)


def _set_context(
    coordinator: EchonetNodeCoordinator, obj: EchonetObject, values: Mapping[int, bytes]
) -> dict[str, str]:
    """The device and property names of a Set (for its error messages)."""
    language = coordinator.hass.config.language or "en"
    names = ", ".join(
        (p.name_ja if language.startswith("ja") else p.name_en)
        for p in (obj.prop(epc) for epc in values)
    )
    return {"device": object_device_name(obj, language), "property": names}


@translated_errors(ECHONET_ERRORS, Operation.SET, _set_context)
async def async_set_properties(
    coordinator: EchonetNodeCoordinator, obj: EchonetObject, values: Mapping[int, bytes]
) -> dict[int, bytes]:
    """Set properties of ``obj`` and read back what the device reports (the entities of the
    changed properties hear it from the controller)."""
    return await coordinator.hub.controller.set(obj, values)


def encode(
    obj: EchonetObject,
    epc: int,
    value: Any,
    raise_as: type[HomeAssistantError] = HomeAssistantError,
) -> bytes:
    """Encode a value for ``epc`` (a wrong value is a translated error)."""
    try:
        return obj.prop(epc).encode(value, obj.values)
    except EchonetError as err:
        raise ECHONET_ERRORS.translate(
            Operation.ENCODE, err, raise_as, {"value": str(value)}
        ) from err
