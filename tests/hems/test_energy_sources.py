"""What the energy entry reads from its sources' states: counters and power in their units,
the meter's fixed-time values, locks and openings, and the roles kept in the options."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from homeassistant.core import State

from custom_components.hems.home.sources import (
    Sources,
    counter_reading,
    fixed_reading,
    is_insecure,
    is_lock_like,
    power_reading,
)

JST = ZoneInfo("Asia/Tokyo")


def _state(entity_id: str, value: str, **attributes: object) -> State:
    return State(entity_id, value, attributes)


def test_counters_in_their_units() -> None:
    assert counter_reading(_state("sensor.a", "1500", unit_of_measurement="Wh"), "purchase") == 1.5
    assert counter_reading(_state("sensor.a", "2", unit_of_measurement="MWh"), "sale") == 2000
    assert counter_reading(_state("sensor.a", "250", unit_of_measurement="L"), "water") == 0.25
    assert counter_reading(_state("sensor.a", "3"), "gas") == 3  # no unit: taken as it is
    # Another unit, not a number, not finite, no state: nothing.
    assert counter_reading(_state("sensor.a", "3", unit_of_measurement="J"), "purchase") is None
    assert counter_reading(_state("sensor.a", "unknown"), "purchase") is None
    assert counter_reading(_state("sensor.a", "nan"), "purchase") is None
    assert counter_reading(None, "purchase") is None


def test_power_in_watts() -> None:
    assert power_reading(_state("sensor.p", "1.2", unit_of_measurement="kW")) == 1200
    assert power_reading(_state("sensor.p", "300", unit_of_measurement="W")) == 300
    assert power_reading(_state("sensor.p", "unavailable")) is None


def test_fixed_time_values_and_when_they_were_measured() -> None:
    local = fixed_reading(_state("sensor.f", "123.4", measured_at="2026-05-20T10:30:00"), JST)
    assert local == (Decimal("123.4"), datetime(2026, 5, 20, 10, 30, tzinfo=JST))
    aware = fixed_reading(_state("sensor.f", "1", measured_at="2026-05-20T01:30:00+00:00"), JST)
    assert aware is not None and aware[1].utcoffset() is not None
    assert aware[1].hour == 1  # its own zone kept
    assert fixed_reading(_state("sensor.f", "1"), JST) is None  # no time
    assert fixed_reading(_state("sensor.f", "x", measured_at="2026-05-20T10:30"), JST) is None


def test_locks_and_openings() -> None:
    assert is_insecure(_state("lock.door", "unlocked")) is True
    assert is_insecure(_state("lock.door", "locked")) is False
    assert is_insecure(_state("cover.gate", "open")) is True
    assert is_insecure(_state("cover.gate", "closed")) is False
    assert is_insecure(_state("binary_sensor.window", "on")) is True
    assert is_insecure(_state("binary_sensor.window", "unavailable")) is None
    assert is_insecure(None) is None
    assert is_lock_like(_state("lock.door", "locked"))
    assert is_lock_like(_state("binary_sensor.guard", "off", device_class="lock"))
    assert not is_lock_like(_state("binary_sensor.window", "off", device_class="window"))
    assert not is_lock_like(None)


def test_roles_kept_in_the_options() -> None:
    sources = Sources.from_dict(
        {
            "purchase": ["sensor.a", "sensor.b"],  # one source only: the first
            "generation": ["sensor.pv", "sensor.pv", "", 3],  # duplicates and junk dropped
            "nonsense": ["sensor.x"],
            "temperature": "sensor.not_a_list",
        }
    )
    assert sources.roles == {"purchase": ("sensor.a",), "generation": ("sensor.pv",)}
    assert Sources.from_dict(sources.to_dict()) == sources
    assert sources.all_entities() == {"sensor.a", "sensor.pv"}
    assert Sources.from_dict(None).roles == {}
