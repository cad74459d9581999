"""Entry kinds: the ECHONET Lite hub, the B-route smart meter and the energy home.

Every config entry is of one kind (``entry.data["kind"]``; hub entries made before kinds
existed have none).  A kind is a package (:mod:`.hub`, :mod:`.meter`, :mod:`.home`) whose
``KIND`` implements :class:`EntryKind`; :data:`KINDS` maps each kind to its package, imported
when an entry of that kind is first set up (off the event loop).  Home Assistant's platform
modules at the top level dispatch to the entry's kind through :func:`platform_setup`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final, Protocol, cast

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.importlib import async_import_module

from .const import CONF_KIND, KIND_BROUTE, KIND_ECHONET, KIND_ENERGY
from .models import HemsConfigEntry, KindRuntime

#: kind -> package that implements it (its ``KIND``).
KINDS: Final[dict[str, str]] = {
    KIND_ECHONET: "hub",
    KIND_BROUTE: "meter",
    KIND_ENERGY: "home",
}


class EntryKind[R: KindRuntime](Protocol):
    """What the integration asks of an entry kind; ``R`` is its runtime data.

    Every kind implements every member, so the signatures repeat in hub/, meter/ and home/ on
    purpose (the duplicates tool pairs them).
    """

    #: The kind (``entry.data["kind"]``) and the Home Assistant platforms its entries have.
    name: str
    platforms: tuple[Platform, ...]
    runtime_type: type[R]

    async def async_setup(self, hass: HomeAssistant, entry: HemsConfigEntry) -> R:
        """Connect and read what the entities need (raises ConfigEntryNotReady & co.)."""

    def async_entities_added(self, runtime: R) -> None:
        """The platforms are set up (their entities exist in the registry)."""

    async def async_setup_platform(
        self,
        hass: HomeAssistant,
        entry: HemsConfigEntry,
        runtime: R,
        platform: Platform,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add the entities of one of :attr:`platforms`."""

    async def async_unload(self, hass: HomeAssistant, runtime: R) -> None:
        """Stop what :meth:`async_setup` started (the platforms are unloaded already)."""

    def reload_on_update(self, entry: HemsConfigEntry, runtime: R | None) -> bool:
        """Whether an update of the entry (options or data) needs a reload."""

    async def async_diagnostics(
        self, hass: HomeAssistant, entry: HemsConfigEntry, runtime: R | None
    ) -> dict[str, Any]:
        """The kind's part of the entry's diagnostics (``runtime`` None: not loaded)."""

    def device_diagnostics(self, runtime: R | None, device: dr.DeviceEntry) -> dict[str, Any]:
        """Diagnostics of one device of the entry."""

    def can_remove_device(self, runtime: R | None, device: dr.DeviceEntry) -> bool:
        """Whether the user may remove ``device`` (a live device would come back)."""


def entry_kind(entry: HemsConfigEntry) -> str:
    """The kind of an entry (hub entries made before kinds existed are hubs)."""
    return str(entry.data.get(CONF_KIND, KIND_ECHONET))


async def async_get_kind(hass: HomeAssistant, entry: HemsConfigEntry) -> EntryKind[Any]:
    """The kind of ``entry`` (its package imported off the event loop)."""
    module = await async_import_module(hass, f"{__package__}.{KINDS[entry_kind(entry)]}")
    return cast(EntryKind[Any], module.KIND)


def loaded_runtime[R: KindRuntime](entry: HemsConfigEntry, kind: EntryKind[R]) -> R | None:
    """The runtime data of a loaded entry of ``kind`` (None: another kind, or not loaded)."""
    if entry_kind(entry) != kind.name:
        return None
    runtime = getattr(entry, "runtime_data", None)  # unset while the entry is not loaded
    return runtime if isinstance(runtime, kind.runtime_type) else None


def runtime_of[R: KindRuntime](entry: HemsConfigEntry, kind: EntryKind[R]) -> R:
    """The runtime data of a loaded entry of ``kind``."""
    runtime = loaded_runtime(entry, kind)
    if runtime is None:
        raise RuntimeError(f"{entry.title} is not a loaded {kind.name} entry")
    return runtime


type PlatformSetup = Callable[
    [HomeAssistant, HemsConfigEntry, AddConfigEntryEntitiesCallback], Coroutine[Any, Any, None]
]


def platform_setup(platform: Platform) -> PlatformSetup:
    """The ``async_setup_entry`` of a platform module: the entry's kind adds the entities."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: HemsConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        kind = await async_get_kind(hass, entry)
        runtime = runtime_of(entry, kind)
        await kind.async_setup_platform(hass, entry, runtime, platform, async_add_entities)

    async_setup_entry.__doc__ = f"Set up the {platform.value} entities of an entry."
    return async_setup_entry
