"""The integration's automation blueprints, installed into the user's blueprint folder.

Home Assistant's own integrations ship blueprints in a ``blueprints`` folder and copy them to
``<config>/blueprints/<domain>/homeassistant/`` the first time (``DomainBlueprints.async_populate``,
called by the automation and script integrations when they set up).  This does the same for the
blueprints in ``blueprints/automation/`` here: they are copied to
``<config>/blueprints/automation/hems/`` and appear under Settings → Automations & scenes →
Blueprints, ready to use, with nothing to import.

Unlike core's one-time copy, a newer version of a blueprint replaces the installed copy on the
next start, but only while that copy is exactly what this integration wrote (a hash of every
written file is kept in ``.storage``): a blueprint the user edited is never overwritten, and one
the user deleted is not brought back.  Automations that use a replaced blueprint are reloaded.

Installation waits until Home Assistant has started: the automation integration copies core's
example blueprints only into a blueprint folder that does not exist yet, so creating the folder
earlier would cost a fresh installation those examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import logging
from pathlib import Path
import shutil
from typing import Any, Final

from homeassistant.components.automation import automations_with_blueprint
from homeassistant.components.automation.const import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.const import SERVICE_RELOAD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.start import async_at_started

from ..const import DOMAIN
from ..storage import DurableStore, StoreUnreadable

_LOGGER = logging.getLogger(__name__)

#: Blueprints shipped with the integration, by Home Assistant domain (only automations so far).
SOURCE: Final = Path(__file__).parent / AUTOMATION_DOMAIN
STORE_KEY: Final = f"{DOMAIN}.blueprints"
STORE_VERSION: Final = 1


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class InstallResult:
    """What one installation pass did (paths relative to the automation blueprint folder)."""

    installed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    #: Hash of every file this integration wrote and that is still its own.
    written: dict[str, str] = field(default_factory=dict)


def install(source: Path, folder: Path, written: dict[str, str]) -> InstallResult:
    """Copy the shipped blueprints into ``folder`` (blocking; runs in the executor).

    ``written`` maps a path relative to ``folder`` to the hash of what was last written there.
    """
    result = InstallResult(written=dict(written))
    for path in sorted(source.glob("*.yaml")):
        relative = f"{DOMAIN}/{path.name}"
        target = folder / relative
        shipped = path.read_bytes()
        if not target.exists():
            if relative in written:  # the user deleted it: respect that
                result.kept.append(relative)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            result.installed.append(relative)
        else:
            current = _digest(target.read_bytes())
            if current == _digest(shipped):
                pass
            elif current == written.get(relative):  # our older version, untouched
                shutil.copyfile(path, target)
                result.updated.append(relative)
            else:  # edited by the user, or a file of their own with that name
                result.kept.append(relative)
                continue
        result.written[relative] = _digest(shipped)
    return result


def parse_stored(data: Any, problems: list[str]) -> dict[str, str]:
    """The content hash of each blueprint written (path -> hash), read item by item."""
    if not isinstance(data, dict):
        raise StoreUnreadable("the stored blueprint hashes are not a mapping")
    written: dict[str, str] = {}
    for path, digest in data.items():
        if isinstance(digest, str):
            written[path] = digest
        else:
            problems.append(f"hash of {path} left out")
    return written


async def async_install_blueprints(hass: HomeAssistant) -> None:
    """Install the shipped blueprints once Home Assistant has started (see the module doc)."""

    async def _install(hass: HomeAssistant) -> None:
        await async_install_now(hass)

    async_at_started(hass, _install)


async def async_install_now(hass: HomeAssistant) -> InstallResult:
    """Install the shipped blueprints now; reload automations whose blueprint was replaced."""
    blueprints = async_get_blueprints(hass)
    # Core's examples first (a no-op when the folder exists), so that ours never prevent them.
    await blueprints.async_populate()
    store = DurableStore(
        hass, STORE_VERSION, STORE_KEY, name="Automation blueprints", parse=parse_stored
    )
    written = (await store.async_load()).value or {}
    result = await hass.async_add_executor_job(
        install, SOURCE, blueprints.blueprint_folder, written
    )
    if result.written != written:
        await store.async_save(result.written)
    if result.installed:
        _LOGGER.info("Installed automation blueprints: %s", ", ".join(result.installed))
    if result.updated:
        _LOGGER.info("Updated automation blueprints: %s", ", ".join(result.updated))
        await blueprints.async_reset_cache()
        if AUTOMATION_DOMAIN in hass.config.components and any(
            automations_with_blueprint(hass, path) for path in result.updated
        ):
            await hass.services.async_call(AUTOMATION_DOMAIN, SERVICE_RELOAD, blocking=True)
    if result.kept:
        _LOGGER.debug("Left as the user has them: %s", ", ".join(result.kept))
    return result
