"""Per-circuit metering of a distribution board (class 0x0287).

A board lists its circuits' cumulative energy (0xB3) and instantaneous power (0xB7) for a
channel range set with 0xB2 / 0xB6.  Boards with more circuits than one range holds (32 here,
as many boards accept no more) are read range by range.  Boards report their circuits in
different ways; whatever the get map offers is used: either list alone (a board without 0xB3
still gives every circuit's power from 0xB7), and the per-channel properties 0xD0-0xEF
(cumulative energy of circuits 1-32) when there is no energy list.  :func:`refresh_board_channels`
returns the values as a :class:`BoardChannels`; the caller keeps it and passes it to the next
refresh (circuits whose range could not be read keep their values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import DeviceRejectedError
from .node import EchonetObject, Priority

if TYPE_CHECKING:
    from .controller import Controller

BOARD_CLASS = 0x0287
#: Channels asked for in one range.
RANGE_SIZE = 32
EPC_CHANNEL_COUNT = 0xB1
EPC_ENERGY_RANGE, EPC_ENERGY_LIST = 0xB2, 0xB3
EPC_POWER_RANGE, EPC_POWER_LIST = 0xB6, 0xB7
#: Per-channel measurement of circuits 1-32 (cumulative energy and currents).
EPC_CHANNEL_FIRST, EPC_CHANNEL_LAST = 0xD0, 0xEF
#: The lists and the property that selects their range.
RANGES = {EPC_ENERGY_LIST: EPC_ENERGY_RANGE, EPC_POWER_LIST: EPC_POWER_RANGE}


@dataclass(slots=True)
class BoardChannels:
    """Latest per-circuit values (index 0 is circuit 1)."""

    count: int
    energy_kwh: list[float | None] = field(default_factory=list)
    power_w: list[int | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.energy_kwh = [None] * self.count
        self.power_w = [None] * self.count


def channel_count(obj: EchonetObject) -> int:
    """Number of simplex circuits the board measures (0 when unknown)."""
    edt = obj.values.get(EPC_CHANNEL_COUNT)
    return edt[0] if edt else 0


def _store(obj: EchonetObject, channels: BoardChannels, epc: int) -> tuple[int, int] | None:
    """Copy the list in ``epc`` into ``channels``; return the (start, count) it covered."""
    edt = obj.values.get(epc)
    if edt is None:
        return None
    value: Any = obj.class_def.get(epc).decode(edt, obj.values)
    if not isinstance(value, dict):
        return None
    start = value.get("start_channel")
    items = value.get(
        "electric_energy" if epc == EPC_ENERGY_LIST else "instantaneous_electric_power"
    )
    if not isinstance(start, int) or not isinstance(items, list):
        return None
    target: list[Any] = channels.energy_kwh if epc == EPC_ENERGY_LIST else channels.power_w
    for offset, item in enumerate(items):
        index = start - 1 + offset
        if 0 <= index < channels.count:
            target[index] = item if isinstance(item, int | float) else None
    return start, len(items)


def channel_epc(index: int) -> int | None:
    """The per-channel property of circuit ``index`` (0-based), if there is one."""
    epc = EPC_CHANNEL_FIRST + index
    return epc if epc <= EPC_CHANNEL_LAST else None


def _store_channels(obj: EchonetObject, channels: BoardChannels) -> None:
    """Copy the per-channel energies (0xD0-0xEF) into ``channels``."""
    for index in range(channels.count):
        epc = channel_epc(index)
        edt = None if epc is None else obj.values.get(epc)
        if epc is None or edt is None:
            continue
        value: Any = obj.class_def.get(epc).decode(edt, obj.values)
        energy = value.get("electric_energy") if isinstance(value, dict) else None
        channels.energy_kwh[index] = energy if isinstance(energy, int | float) else None


def circuit_lists(obj: EchonetObject) -> list[int]:
    """The circuit lists (0xB3, 0xB7) the board offers."""
    return [epc for epc in (EPC_ENERGY_LIST, EPC_POWER_LIST) if epc in obj.get_map]


def needs_ranges(obj: EchonetObject) -> bool:
    """True when the board has more circuits than one list holds (read range by range)."""
    return channel_count(obj) > RANGE_SIZE and bool(circuit_lists(obj))


def channel_epcs(obj: EchonetObject) -> list[int]:
    """The per-channel energy properties to read (when the board has no energy list)."""
    if EPC_ENERGY_LIST in obj.get_map:
        return []
    epcs = (channel_epc(i) for i in range(channel_count(obj)))
    return [e for e in epcs if e is not None and e in obj.get_map]


async def refresh_board_channels(
    controller: Controller,
    obj: EchonetObject,
    previous: BoardChannels | None = None,
    *,
    priority: Priority = Priority.POLL,
) -> BoardChannels | None:
    """Read every circuit's energy and power (after a refresh of the object's properties).

    ``previous`` (the result of the last refresh) is updated in place when the board still
    has as many circuits; None when the board does not list its circuits.
    """
    count = channel_count(obj)
    lists = circuit_lists(obj)
    singles = channel_epcs(obj)
    if not count or not (lists or singles):
        return None
    channels = previous
    if channels is None or channels.count != count:
        channels = BoardChannels(count)
    _store_channels(obj, channels)
    if not lists:
        return channels
    covered: set[int] = set(range(1, count + 1))
    for epc in lists:
        span = _store(obj, channels, epc)
        seen = set() if span is None else set(range(span[0], span[0] + span[1]))
        covered &= seen
    ranged = [RANGES[epc] for epc in lists if RANGES[epc] in obj.set_map]
    for start in range(1, count + 1, RANGE_SIZE):
        size = min(RANGE_SIZE, count - start + 1)
        if set(range(start, start + size)) <= covered:
            continue
        if not ranged:
            break
        wanted = bytes((start, size))
        sets = dict.fromkeys(ranged, wanted)
        try:
            await controller.set(obj, sets, confirm=False, priority=priority)
        except DeviceRejectedError:
            break
        obj.apply(sets)
        await controller.get(obj, lists, priority=priority)
        for epc in lists:
            _store(obj, channels, epc)
    return channels
