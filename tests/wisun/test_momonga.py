"""An independent client (momonga, pyserial, blocking) reads from the virtual dongle.

This is what shows the virtual dongle is faithful enough to test against: a third-party
implementation of the same protocol scans, joins and reads through it.
"""

from __future__ import annotations

import asyncio

import momonga
import pytest

from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID

from .conftest import DongleFactory


def _read_with_momonga(path: str) -> tuple[object, ...]:
    client = momonga.Momonga(DEFAULT_RBID, DEFAULT_PASSWORD, path)
    client.internal_xmit_interval = 0  # its 5 s pauses between requests
    client.recv_timeout = 3
    with client:
        power = client.get_instantaneous_power()
        currents = client.get_instantaneous_current()
        imported = client.get_measured_cumulative_energy()
        exported = client.get_measured_cumulative_energy(reverse=True)
        fixed = client.get_cumulative_energy_measured_at_fixed_time()
    return power, currents, imported, exported, fixed


@pytest.mark.parametrize("dialect", ["a1", "c0"])
async def test_momonga_reads_the_virtual_dongle(dialect: str, make_dongle: DongleFactory) -> None:
    """Instantaneous power, currents and cumulative energy as the meter model has them."""
    dongle = await make_dongle(dialect)
    assert dongle.path is not None
    power, currents, imported, exported, fixed = await asyncio.wait_for(
        asyncio.to_thread(_read_with_momonga, dongle.path), 60
    )
    meter = dongle.meter
    assert power == pytest.approx(meter.instantaneous_power_w(), abs=2)
    r, t = meter.currents_a()
    assert currents == {
        "r phase current": pytest.approx(r, abs=0.2),
        "t phase current": pytest.approx(t, abs=0.2),
    }
    imp, exp = meter.registers()
    assert imported == pytest.approx(imp * 0.1)
    assert exported == pytest.approx(exp * 0.1)
    when, fixed_imp, _ = meter.fixed_time()
    assert isinstance(fixed, dict)
    assert fixed["timestamp"].replace(tzinfo=None) == when.replace(tzinfo=None)
    assert fixed["cumulative energy"] == pytest.approx(meter.register(fixed_imp) * 0.1)
    assert dongle.stats.join_attempts == 1
    assert dongle.session_up is False  # momonga ended the PANA session (SKTERM)
    # momonga switches C0 dongles to ASCII output (a flash write we never do)
    assert dongle.stats.wopt_writes == (1 if dialect == "c0" else 0)
