"""The house balances at every instant, whatever is commanded (a property test).

grid = load - solar - battery discharge - vehicle discharge - fuel cell (ECHONET Lite signs:
battery and vehicle 0xD3 are + when charging), the board's main is the grid and the sum of its
channels, and the circuits carry the house's whole load; within 1 W (in fact exactly: every
power is a whole number of watts).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from simulator.clock import JST
from simulator.house import House

from .readings import balance_errors

#: Commands a controller (or the planner) sends: node, EPC, the values to pick from.
COMMANDS: list[tuple[str, int | None, int, list[bytes]]] = [
    ("living-ac", None, 0x80, [b"\x30", b"\x31"]),
    ("living-ac", None, 0xB0, [b"\x41", b"\x42", b"\x43", b"\x44", b"\x45"]),
    ("living-ac", None, 0xB3, [bytes((t,)) for t in (16, 20, 24, 28, 30)]),
    ("bedroom-ac", None, 0x80, [b"\x30", b"\x31"]),
    ("lighting", 0x029001, 0x80, [b"\x30", b"\x31"]),
    ("lighting", 0x029001, 0xB0, [bytes((v,)) for v in (0, 10, 50, 100)]),
    ("ecocute", None, 0xB0, [b"\x41", b"\x42", b"\x43"]),
    ("ecocute", None, 0xE3, [b"\x41", b"\x42"]),
    ("ecocute", None, 0xC7, [b"\x00", b"\x01"]),
    ("ecocute", None, 0xCA, [bytes((h,)) for h in (0, 10, 13)]),
    ("battery", None, 0xDA, [b"\x41", b"\x42", b"\x43", b"\x44", b"\x46"]),
    ("battery", None, 0xE7, [v.to_bytes(4, "big") for v in (0, 500, 3000)]),
    ("battery", None, 0xE8, [v.to_bytes(4, "big") for v in (0, 800)]),
    ("v2h", None, 0xDA, [b"\x42", b"\x43", b"\x44", b"\x49"]),
    ("v2h", None, 0xE7, [v.to_bytes(4, "big") for v in (0, 1000, 20000)]),
    ("fuel-cell", None, 0xCA, [b"\x41", b"\x42"]),
    ("floor-heater", None, 0x80, [b"\x30", b"\x31"]),
    ("solar", None, 0x80, [b"\x30", b"\x31"]),
    ("shutter", 0x026301, 0xE0, [b"\x41", b"\x42", b"\x43"]),
]

command = st.sampled_from(range(len(COMMANDS))).flatmap(
    lambda i: st.tuples(st.just(i), st.sampled_from(COMMANDS[i][3]))
)
action = st.one_of(
    st.tuples(st.just("step"), st.floats(min_value=1, max_value=4 * 3600)),
    st.tuples(st.just("set"), command),
)
starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(JST)
)


def _assert_balanced(house: House, where: str) -> float:
    errors = balance_errors(house)
    worst = max(abs(e) for e in errors.values())
    assert worst <= 1, f"{where}: {errors}"
    return worst


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(start=starts, seed=st.integers(1, 50), actions=st.lists(action, max_size=25))
def test_the_house_balances_at_every_instant(
    start: datetime, seed: int, actions: list[tuple[str, object]]
) -> None:
    house = House(
        "house", start=start, seed=seed, history_days=0, speed=1e-9, base_address="127.0.200.1"
    )
    _assert_balanced(house, "at the start")
    for kind, arg in actions:
        if kind == "step":
            assert isinstance(arg, float)
            house.step(arg)
        else:
            assert isinstance(arg, tuple)
            index, edt = arg
            node, eoj, epc, _values = COMMANDS[index]
            house.obj(node, eoj).write(epc, edt)
        _assert_balanced(house, f"after {kind} {arg}")


def test_the_balance_over_a_winter_and_a_summer_day() -> None:
    """Minute by minute through two whole days of the default scenario: never off by 1 W."""
    worst = 0.0
    for start in (datetime(2026, 1, 20, tzinfo=JST), datetime(2026, 8, 8, tzinfo=JST)):
        house = House("house", start=start, history_days=0, speed=1e-9, base_address="127.0.200.1")
        end = start + timedelta(days=1)
        while house.clock.now() < end:
            house.step(60)
            worst = max(worst, _assert_balanced(house, house.clock.now().isoformat()))
    assert worst == 0
