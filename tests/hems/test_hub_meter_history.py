"""History from day one for the smart meter over IP: the hub imports the 0xE2/0xE4 history of
a smart meter it finds (the virtual house's meter on loopback, recorder in the test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.components.recorder import Recorder, get_instance
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.hems.const import DOMAIN
from custom_components.hems.energy.meter_hours import floor_hour, hour_boundaries
from custom_components.hems.hub import meter_history
from custom_components.hems.hub.devices import object_identifier
from custom_components.hems.hub.meter_history import IpMeterHistory, offers_history
from custom_components.hems.statistics_backfill import _zero_point
from custom_components.hems.wisun import MeterRejectedError, meter as m
from simulator.clock import JST
from simulator.house import house_specs
from tests.waiting import wait_for

from .conftest import HouseFactory, setup_hub
from .test_broute_backfill import HOUR, History, _rows

DAYS = 3


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, imports_finish: None, enable_custom_integrations: None
) -> None:
    """The recorder is set up before Home Assistant (the shared fixture would start it first)."""


@pytest.fixture(autouse=True)
def _short_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meter_history, "RETRY", timedelta(seconds=0.2))


async def test_the_hub_imports_the_ip_meters_history(
    recorder_mock: Recorder, imports_finish: None, hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """Every hour of the meter's history, in the meter's energy sensors' statistics; once."""
    specs = [spec for spec in house_specs() if spec.name == "smart-meter"]
    house = await make_house(specs=specs, history_days=DAYS)
    assert house.meter is not None
    notices: list[dict[str, Any]] = []

    @callback  # in the loop, when the issue is still there (a thread would find it gone)
    def _notice(event: Event[Any]) -> None:
        issue = ir.async_get(hass).async_get_issue(DOMAIN, event.data["issue_id"])
        if issue is not None and issue.translation_key == "ip_meter_history_import":
            notices.append(dict(issue.translation_placeholders or {}))

    hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, _notice)
    entry = await setup_hub(hass)
    hub = entry.runtime_data
    await wait_for(lambda: hub.history is not None and bool(hub.history.results), limit=60)
    await async_wait_recording_done(hass)
    assert hub.history is not None
    obj = next(o for node in hub.controller.nodes.values() for o in node.objects.values())
    assert offers_history(obj)
    result = hub.history.results[object_identifier(obj)]
    assert result.done
    assert notices[0]["done"] == "0"
    assert notices[-1]["done"] == str(result.days)

    ids = hub.history.statistic_ids(obj)
    history = History(house.meter)
    # The first live hour: where the sensor's first recorded value is (the import ends there),
    # not the hour the test happens to be in now (the test may cross an hour).
    zero = await get_instance(hass).async_add_executor_job(_zero_point, hass, next(iter(ids)))
    assert zero is not None
    live_hour = floor_hour(zero[0])
    found = await hass.async_add_executor_job(
        _rows, hass, live_hour - timedelta(days=DAYS + 2), live_hour
    )
    for statistic_id, channel in ids.items():
        index = 0 if channel == "import" else 1
        rows = {datetime.fromtimestamp(r["start"], UTC): r for r in found.get(statistic_id, [])}
        # The meter's days: from its midnight DAYS days ago (JST) to the live hour; today's hours
        # before it are none just after midnight.
        assert min(rows).astimezone(JST).hour == 0
        assert len(rows) == result.rows[statistic_id]
        assert 24 * DAYS <= len(rows) < 24 * (DAYS + 1)
        hours = hour_boundaries(min(rows), live_hour - HOUR)
        assert sorted(rows) == hours
        for hour in hours[1:]:
            counts = history.counts(hour + HOUR, index) - history.counts(hour, index)
            change = rows[hour]["sum"] - rows[hour - HOUR]["sum"]
            assert change == pytest.approx(counts * house.meter.count_kwh, abs=1e-6), hour

    # The sensors show numbers: nothing to wait for.
    await hub.history._async_sensors_shown(obj)

    # Once: a second import of the same meter does nothing.
    await hub.history.async_import(hub.controller, obj)
    assert hub.history.results[object_identifier(obj)] is result


async def test_a_day_the_meter_does_not_keep(
    recorder_mock: Recorder, imports_finish: None, hass: HomeAssistant, make_house: HouseFactory
) -> None:
    """A day beyond the meter's history is rejected (the import stops there)."""
    specs = [spec for spec in house_specs() if spec.name == "smart-meter"]
    await make_house(specs=specs, history_days=1)
    entry = await setup_hub(hass)
    hub = entry.runtime_data
    await wait_for(lambda: hub.history is not None and bool(hub.history.results), limit=60)
    assert hub.history is not None
    assert next(iter(hub.history.results.values())).days == 2  # today and yesterday
    obj = next(o for node in hub.controller.nodes.values() for o in node.objects.values())
    source = IpMeterHistory(hub.controller, obj)
    assert len((await source.read_history_day(0)).slots) == 48
    with pytest.raises(MeterRejectedError):
        await source.read_history_day(30)


def test_undecodable_values_are_none() -> None:
    assert meter_history._decode(m.decode_unit, b"\x99") is None  # an unknown unit code
    assert meter_history._decode(m.decode_unit, None) is None
    assert meter_history._decode(m.decode_unit, b"\x01") == 0.1


def test_a_number_is_shown() -> None:
    """The import waits for the meter's sensors to show a number (their first value)."""
    assert not meter_history._number(None)
    assert not meter_history._number(State("sensor.meter", "unknown"))
    assert meter_history._number(State("sensor.meter", "1234.5"))


async def test_a_meter_whose_sensors_never_show_is_left_after_the_attempts(
    recorder_mock: Recorder,
    imports_finish: None,
    hass: HomeAssistant,
    make_house: HouseFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No energy sensor to import into (here: none is looked for): each attempt waits for
    them, finds none and tries again later, ``ATTEMPTS`` times; nothing is marked imported."""
    monkeypatch.setattr(meter_history, "ENERGY_KEYS", {})
    specs = [spec for spec in house_specs() if spec.name == "smart-meter"]
    await make_house(specs=specs, history_days=1)
    entry = await setup_hub(hass)
    hub = entry.runtime_data
    await wait_for(
        lambda: hub.history is not None and meter_history.ATTEMPTS in hub.history.attempts.values(),
        limit=60,
    )
    assert hub.history is not None
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not hub.history.results and not hub.history.imported
    assert set(hub.history.attempts.values()) == {meter_history.ATTEMPTS}
