"""Config entry kinds other than the ECHONET Lite hub plug in here.

Each kind has a module (``KIND_MODULES``) that provides, as it needs:

* ``PLATFORMS: list[Platform]`` and ``async_setup_entry(hass, entry) -> bool`` /
  ``async_unload_entry(hass, entry) -> bool``;
* ``async_setup_<platform>(hass, entry, async_add_entities)`` for each of its platforms;
* ``async_get_config_entry_diagnostics(hass, entry)`` and
  ``async_remove_config_entry_device(hass, entry, device) -> bool``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.importlib import async_import_module

from .const import CONF_KIND, KIND_BROUTE, KIND_ECHONET, KIND_ENERGY
from .models import HemsConfigEntry

KIND_MODULES: Final[dict[str, str]] = {
    KIND_BROUTE: "broute",
    KIND_ENERGY: "home",
}


def entry_kind(entry: HemsConfigEntry) -> str:
    """The kind of an entry (hub entries made before kinds existed are hubs)."""
    return str(entry.data.get(CONF_KIND, KIND_ECHONET))


async def async_kind_module(hass: HomeAssistant, entry: HemsConfigEntry) -> ModuleType | None:
    """The module of a non-hub entry's kind (imported off the event loop)."""
    name = KIND_MODULES.get(entry_kind(entry))
    if name is None:
        return None
    return await async_import_module(hass, f"{__package__}.{name}")
