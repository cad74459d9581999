"""Adding the entities of ECHONET Lite objects to a platform, now and when objects appear."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import SIGNAL_NEW_OBJECTS
from ..echonet.node import EchonetObject
from ..models import HemsConfigEntry
from .coordinator import EchonetNodeCoordinator
from .entity import HemsEntityDescription
from .runtime import EchonetHub

EntityFactory = Callable[[EchonetNodeCoordinator, EchonetObject], Iterable[Entity]]


def object_entities[D: HemsEntityDescription, E: Entity](
    coordinator: EchonetNodeCoordinator,
    obj: EchonetObject,
    entity: Callable[[EchonetNodeCoordinator, EchonetObject, D], E],
    curated: Iterable[D],
    generic: Iterable[D] = (),
) -> Iterator[E]:
    """The entities of ``obj``: the curated descriptions it has, then its generic ones."""
    for description in curated:
        if description.exists(obj):
            yield entity(coordinator, obj, description)
    for description in generic:
        yield entity(coordinator, obj, description)


@callback
def async_setup_objects(
    hass: HomeAssistant,
    entry: HemsConfigEntry,
    hub: EchonetHub,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: EntityFactory,
) -> None:
    """Add the platform's entities for every object of the hub, now and as objects appear."""

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
