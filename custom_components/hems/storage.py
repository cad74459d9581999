"""Durable stores: no store the integration writes is ever lost to one bad file.

Every store (the energy entry's ledger and feed state, the smart meter's last reading, the
blueprints' hashes) goes through :class:`DurableStore`, which wraps Home Assistant's ``Store``:

* **A previous good version** is kept beside the store (key ``<key>.previous``): a copy of what
  loaded cleanly, and of what is written, at most once per :data:`PREVIOUS_EVERY` (so that it
  costs one extra write an hour, not one per save).
* **Loading is field by field**: the store's ``parse`` function reads what it can, leaves out
  what it cannot, and lists it; one bad field never discards the rest.  The file as it was is
  copied to ``<file>.invalid.<time>`` before anything overwrites it.
* **An unreadable store is restored** from the previous version.  The unreadable file is never
  overwritten: Home Assistant renames a file that is not JSON to ``<file>.corrupt.<time>``;
  anything else unreadable (not a store, a version this code cannot read, data ``parse``
  refuses) is renamed to ``<file>.unreadable.<time>`` here.
* **A repair issue** says which store was repaired, restored or lost, and where the copy is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
import glob
import logging
import os
import shutil
import time
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

#: How often the previous version is refreshed from what is written.
PREVIOUS_EVERY: Final = timedelta(hours=1)
#: Most problems listed in a repair issue (the log has them all).
ISSUE_DETAILS: Final = 5

ISSUE_REPAIRED: Final = "store_repaired"
ISSUE_RESTORED: Final = "store_restored"
ISSUE_LOST: Final = "store_lost"


class StoreUnreadable(ValueError):
    """Raised by a store's ``parse`` when nothing in the data can be used."""


@dataclass(frozen=True, slots=True)
class Loaded[T]:
    """What :meth:`DurableStore.async_load` found: the parsed data (None: none stored, or
    lost) and the repair issue raised, if any."""

    value: T | None
    outcome: str | None = None


class DurableStore[T]:
    """A ``Store`` with a previous version, field-by-field loading and repair issues."""

    def __init__(
        self,
        hass: HomeAssistant,
        version: int,
        key: str,
        *,
        name: str,
        parse: Callable[[Any, list[str]], T],
    ) -> None:
        """``name``: what the store is, as the repair issue shows it (an entry title).
        ``parse(data, problems)`` returns the parsed value, appending to ``problems`` what it
        left out, or raises :class:`StoreUnreadable` when nothing can be used."""
        self.hass = hass
        self.key = key
        self.name = name
        self._parse = parse
        self._store: Store[Any] = Store(hass, version, key)
        self._previous: Store[Any] = Store(hass, version, f"{key}.previous")
        self._previous_at: float | None = None

    @property
    def path(self) -> str:
        """The store's file."""
        path: str = self._store.path
        return path

    @property
    def issue_id(self) -> str:
        """The repair issue of this store."""
        return f"store_{self.key}"

    # -- loading ---------------------------------------------------------------------------

    async def async_load(self) -> Loaded[T]:
        """Load the store, repairing or restoring it when it has to be (see the module doc)."""
        existed = await self.hass.async_add_executor_job(os.path.exists, self.path)
        copy: str | None = None
        try:
            raw = await self._store.async_load()
        except (HomeAssistantError, NotImplementedError, KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Store %s is unreadable: %s", self.key, err)
            copy = await self._async_set_aside("unreadable")
            return await self._async_restore(copy, str(err))
        if raw is None:
            if existed:  # Home Assistant renamed a file that is not JSON
                copy = await self.hass.async_add_executor_job(_newest, f"{self.path}.corrupt.")
                return await self._async_restore(copy, "not JSON")
            if await self.hass.async_add_executor_job(os.path.exists, self._previous.path):
                return await self._async_restore(None, "the file is missing")
            return Loaded(None)
        problems: list[str] = []
        try:
            value = self._parse(raw, problems)
        except StoreUnreadable as err:
            _LOGGER.warning("Store %s is unreadable: %s", self.key, err)
            copy = await self._async_set_aside("unreadable")
            return await self._async_restore(copy, str(err))
        if problems:
            _LOGGER.warning(
                "Store %s: kept what could be read, left out: %s", self.key, "; ".join(problems)
            )
            copy = await self._async_copy("invalid")
            self._raise(ISSUE_REPAIRED, problems, copy)
            return Loaded(value, ISSUE_REPAIRED)
        if self._previous_due(every=False):
            await self._previous.async_save(raw)
        return Loaded(value)

    async def _async_restore(self, copy: str | None, reason: str) -> Loaded[T]:
        """The store is unreadable: the previous version, if it is usable."""
        problems: list[str] = []
        try:
            raw = await self._previous.async_load()
            if raw is None:
                self._raise(ISSUE_LOST, [reason], copy)
                return Loaded(None, ISSUE_LOST)
            value = self._parse(raw, problems)
        except (HomeAssistantError, NotImplementedError, KeyError, TypeError, ValueError) as err:
            _LOGGER.warning("Previous version of store %s unreadable too: %s", self.key, err)
            await self._async_set_aside("unreadable", self._previous.path)
            self._raise(ISSUE_LOST, [reason], copy)
            return Loaded(None, ISSUE_LOST)
        _LOGGER.warning(
            "Store %s was unreadable (%s): its previous version restored", self.key, reason
        )
        self._raise(ISSUE_RESTORED, [reason, *problems], copy)
        return Loaded(value, ISSUE_RESTORED)

    async def _async_set_aside(self, label: str, path: str | None = None) -> str | None:
        """Rename the store's file (or ``path``) out of the way, so that no write replaces it."""
        source = path or self.path
        target = f"{source}.{label}.{_stamp()}"
        try:
            await self.hass.async_add_executor_job(os.replace, source, target)
        except FileNotFoundError:
            return None
        return target

    async def _async_copy(self, label: str) -> str | None:
        """Copy the store's file, as it is, beside it."""
        target = f"{self.path}.{label}.{_stamp()}"
        try:
            await self.hass.async_add_executor_job(shutil.copy2, self.path, target)
        except FileNotFoundError:
            return None
        return target

    @callback
    def _raise(self, outcome: str, details: list[str], copy: str | None) -> None:
        shown = details[:ISSUE_DETAILS]
        if len(details) > ISSUE_DETAILS:
            shown.append(f"... ({len(details) - ISSUE_DETAILS} more in the log)")
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR if outcome == ISSUE_LOST else ir.IssueSeverity.WARNING,
            translation_key=outcome,
            translation_placeholders={
                "name": self.name,
                "path": self.path,
                "copy": copy or "-",
                "details": "\n".join(f"- {line}" for line in shown),
            },
        )

    # -- writing ---------------------------------------------------------------------------

    async def async_save(self, data: Any) -> None:
        """Write ``data`` now."""
        if self._previous_due(every=True):
            await self._previous.async_save(data)
        await self._store.async_save(data)

    @callback
    def async_delay_save(self, data_func: Callable[[], Any], delay: float) -> None:
        """Write what ``data_func`` returns within ``delay`` seconds."""

        def produce() -> Any:
            data = data_func()
            self.hass.loop.call_soon_threadsafe(self._schedule_previous, data)
            return data

        self._store.async_delay_save(produce, delay)

    def _previous_due(self, *, every: bool) -> bool:
        """Whether the previous version is to be refreshed now (``every``: at most once per
        :data:`PREVIOUS_EVERY`; else always), noting the time when it is."""
        now = time.monotonic()
        if (
            every
            and self._previous_at is not None
            and now - self._previous_at < PREVIOUS_EVERY.total_seconds()
        ):
            return False
        self._previous_at = now
        return True

    @callback
    def _schedule_previous(self, data: Any) -> None:
        """Copy ``data`` (being written) to the previous version soon, when due."""
        if self._previous_due(every=True):
            self._previous.async_delay_save(lambda: data, 0)


async def async_remove_stores(hass: HomeAssistant, version: int, key: str) -> None:
    """Delete a store and its previous version (an entry being removed)."""
    await Store[Any](hass, version, key).async_remove()
    await Store[Any](hass, version, f"{key}.previous").async_remove()


def _stamp() -> str:
    return dt_util.utcnow().strftime("%Y%m%dT%H%M%SZ")


def _newest(prefix: str) -> str | None:
    """The newest file whose name starts with ``prefix``."""
    found = sorted(glob.glob(glob.escape(prefix) + "*"), key=os.path.getmtime)
    return found[-1] if found else None
