"""Adding the entities of ECHONET Lite objects to a platform, now and when objects appear."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import SIGNAL_NEW_OBJECTS
from .coordinator import EchonetHub, EchonetNodeCoordinator
from .echonet.node import EchonetObject
from .kinds import async_kind_module
from .models import HemsConfigEntry

EntityFactory = Callable[[EchonetNodeCoordinator, EchonetObject], Iterable[Entity]]


@callback
def async_setup_objects(
    hass: HomeAssistant,
    entry: HemsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: EntityFactory,
) -> None:
    """Add the platform's entities for every object of an ECHONET Lite hub entry."""
    hub = entry.runtime_data
    if not isinstance(hub, EchonetHub):  # pragma: no cover - called for hub entries only
        return

    @callback
    def _add(objects: list[EchonetObject]) -> None:
        entities: list[Entity] = []
        for obj in objects:
            coordinator = hub.coordinators.get(obj.node.uid)
            if coordinator is not None and hub.enabled(obj):
                entities.extend(factory(coordinator, obj))
        if entities:
            async_add_entities(entities)

    _add([o for c in hub.coordinators.values() for o in c.node.objects.values()])
    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_NEW_OBJECTS.format(entry.entry_id), _add)
    )


async def async_setup_kind_platform(
    hass: HomeAssistant,
    entry: HemsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    platform: str,
) -> bool:
    """Set up a platform for a non-hub entry; False for hub entries."""
    module = await async_kind_module(hass, entry)
    if module is None:
        return False
    setup = getattr(module, f"async_setup_{platform}", None)
    if setup is not None:
        await setup(hass, entry, async_add_entities)
    return True
