"""An unknown time zone in the tariff: a clear translated error, no blocking call in the loop."""

from __future__ import annotations

from collections.abc import Iterator
import json
import threading
from typing import Any
import zoneinfo._common

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.hems.home.settings import default_tariff

from .test_energy_flow import OptionsDriver
from .test_energy_support import energy_entry, setup_energy


@pytest.fixture
def lookups_in_the_loop(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The time zones searched for (a file search) in the event loop's thread.

    zoneinfo searches the tzdata package for a zone it did not find on the system's zone path
    (every unknown zone): that search must run in a thread, never in the event loop.
    """
    loop_thread = threading.get_ident()
    found: list[str] = []
    real = zoneinfo._common.load_tzdata

    def _load(key: str) -> Any:
        if threading.get_ident() == loop_thread:
            found.append(key)
        return real(key)

    monkeypatch.setattr(zoneinfo._common, "load_tzdata", _load)
    yield found


async def test_unknown_time_zone_in_the_tariff_json(
    hass: HomeAssistant, lookups_in_the_loop: list[str]
) -> None:
    entry = await setup_energy(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    flow = OptionsDriver(hass, result["flow_id"])
    await flow.open("tariff_json")
    tariff = {**default_tariff().to_dict(), "timezone": "Asia/Edo"}
    result = await flow.submit({"tariff": json.dumps(tariff)})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "bad_timezone"}
    assert "Asia/Edo" in result["description_placeholders"]["detail"]
    assert lookups_in_the_loop == []
    # Not a zone name at all.
    result = await flow.submit({"tariff": json.dumps({**tariff, "timezone": "../etc"})})
    assert result["errors"] == {"base": "bad_timezone"}
    # A known zone is taken.
    result = await flow.submit({"tariff": json.dumps({**tariff, "timezone": "Asia/Tokyo"})})
    assert result["type"] is FlowResultType.MENU
    assert lookups_in_the_loop == []


async def test_stored_unknown_time_zone_fails_setup_clearly(
    hass: HomeAssistant, lookups_in_the_loop: list[str]
) -> None:
    entry = energy_entry({**default_tariff().to_dict(), "timezone": "Asia/Edo"})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None and "Asia/Edo" in entry.reason
    assert lookups_in_the_loop == []
