"""Per-circuit metering of a distribution board (class 0x0287).

A board lists its circuits' cumulative energy (0xB3) and instantaneous power (0xB7) for a
channel range set with 0xB2 / 0xB6.  Boards with more circuits than one range holds (32 here,
as many boards accept no more) are read range by range.  :func:`refresh_board_channels`
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
    if not count or EPC_ENERGY_LIST not in obj.get_map:
        return None
    channels = previous
    if channels is None or channels.count != count:
        channels = BoardChannels(count)
    covered: set[int] = set()
    for epc in (EPC_ENERGY_LIST, EPC_POWER_LIST):
        span = _store(obj, channels, epc)
        if span is not None and epc == EPC_ENERGY_LIST:
            covered.update(range(span[0], span[0] + span[1]))
    can_range = EPC_ENERGY_RANGE in obj.set_map
    for start in range(1, count + 1, RANGE_SIZE):
        size = min(RANGE_SIZE, count - start + 1)
        if set(range(start, start + size)) <= covered:
            continue
        if not can_range:
            break
        wanted = bytes((start, size))
        sets = {EPC_ENERGY_RANGE: wanted}
        if EPC_POWER_RANGE in obj.set_map:
            sets[EPC_POWER_RANGE] = wanted
        try:
            await controller.set(obj, sets, confirm=False, priority=priority)
        except DeviceRejectedError:
            break
        obj.apply(sets)
        await controller.get(obj, [EPC_ENERGY_LIST, EPC_POWER_LIST], priority=priority)
        for epc in (EPC_ENERGY_LIST, EPC_POWER_LIST):
            _store(obj, channels, epc)
    return channels
