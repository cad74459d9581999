"""Shared fixtures and helpers of the B-route entry tests (imported by test_broute_*.py).

Everything runs for real: Home Assistant, the driver, serialx and a virtual dongle on a pty
whose meter runs on a simulated clock that follows the real one.  Only the driver's timers
are shortened (as in tests/wisun) and the USB discovery info object is constructed here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.hems.const import CONF_KIND, DOMAIN, KIND_BROUTE
from custom_components.hems.meter import const as broute_const
from simulator.clock import JST, SimClock
from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID, VirtualDongle
from simulator.meter_model import MeterModel
from tests.wisun.conftest import FAST

#: Radio delays of the virtual dongle (1.0 is realistic).
DELAY_SCALE = 0.005
METER_MAC = "C0F94500DEADBEEF"
UID = f"broute_{METER_MAC.lower()}"
WRONG_PASSWORD = "WRONGPASS999"

DongleFactory = Callable[..., Awaitable[VirtualDongle]]


@pytest.fixture(autouse=True)
def _fast_broute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short driver timers (the virtual dongle answers in milliseconds)."""
    monkeypatch.setattr(broute_const, "SESSION_TIMING", FAST)
    monkeypatch.setattr(broute_const, "SETUP_TIMEOUT", 10.0)
    monkeypatch.setattr(broute_const, "FLOW_TIMEOUT", 10.0)


@pytest.fixture
def sim_clock() -> SimClock:
    """The meter's clock: real time (Home Assistant's statistics use real time too)."""
    return SimClock(speed=1.0, start=datetime.now(JST))


@pytest.fixture
async def make_dongle(tmp_path: Path, sim_clock: SimClock) -> AsyncIterator[DongleFactory]:
    """Virtual dongles at stable paths (stopped at the end)."""
    dongles: list[VirtualDongle] = []

    async def factory(dialect: str = "a1", **kwargs: Any) -> VirtualDongle:
        kwargs.setdefault("clock", sim_clock)
        kwargs.setdefault("delay_scale", DELAY_SCALE)
        kwargs.setdefault("link", str(tmp_path / f"ttyWISUN{len(dongles)}"))
        if "meter" not in kwargs:
            kwargs["meter"] = MeterModel(kwargs["clock"], history_days=10)
        dongle = VirtualDongle(dialect, **kwargs)
        await dongle.start()
        dongles.append(dongle)
        return dongle

    yield factory
    for dongle in dongles:
        await dongle.stop()


def broute_entry(
    port: str, *, rbid: str = DEFAULT_RBID, password: str = DEFAULT_PASSWORD, **data: Any
) -> MockConfigEntry:
    """A B-route entry as the config flow makes it (without the scan's PAN)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Smart meter",
        unique_id=UID,
        data={
            CONF_KIND: KIND_BROUTE,
            broute_const.CONF_PORT: port,
            broute_const.CONF_RBID: rbid,
            broute_const.CONF_PASSWORD: password,
            **data,
        },
        options={broute_const.CONF_POLL_INTERVAL: 60},
    )


async def setup_broute(hass: HomeAssistant, dongle: VirtualDongle, **data: Any) -> MockConfigEntry:
    """Add and set up a B-route entry for ``dongle``."""
    assert dongle.path is not None
    entry = broute_entry(dongle.path, **data)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def finish_progress(hass: HomeAssistant, result: ConfigFlowResult) -> ConfigFlowResult:
    """Let a progress step's task finish, then continue the flow."""
    assert result["type"] is FlowResultType.SHOW_PROGRESS, result
    await hass.async_block_till_done()
    return await hass.config_entries.flow.async_configure(result["flow_id"])


def fast_timing(**changes: Any) -> Any:
    """FAST with some timers changed."""
    return replace(FAST, **changes)
