"""The house's smart meter over IP (0x0288): a face of the house's one :class:`MeterModel`.

The Wi-SUN dongle's meter (:class:`~simulator.dongle.MeterResponder`) is the other face of the
same model: both show one set of values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from .behaviours import Base
from .meter_model import MeterModel

if TYPE_CHECKING:
    from .device import SimObject
    from .env import Env

NO_DATA = 0xFFFFFFFE


def _stamp(t: datetime) -> bytes:
    return t.year.to_bytes(2, "big") + bytes((t.month, t.day, t.hour, t.minute, t.second))


@dataclass
class MeterBehaviour(Base):
    """Answers the meter's properties from the model; history follows 0xE5 / 0xED."""

    model: MeterModel | None = field(default=None, repr=False)
    history_day: int = 0
    history2: tuple[datetime, int] | None = None
    last_fixed: datetime | None = field(default=None)

    def on_set(self, obj: SimObject, epc: int, edt: bytes) -> bool:
        assert self.model is not None
        if epc == 0xE5:
            if edt[0] > self.model.history_days:
                return False
            self.history_day = edt[0]
        elif epc == 0xED:
            # a valid date and time and a count of 1-12: checked against the MRA before
            year, month, day, hour, minute, count = edt[0] << 8 | edt[1], *edt[2:7]
            when = datetime(year, month, day, hour, minute, tzinfo=self.model.now().tzinfo)
            self.history2 = (when, count)
        return True

    def _reg(self, kwh: float | None) -> bytes:
        assert self.model is not None
        value = NO_DATA if kwh is None else self.model.register(kwh)
        return value.to_bytes(4, "big")

    def on_read(self, obj: SimObject, epc: int) -> bytes | None:
        model = self.model
        assert model is not None
        if epc in (0xE2, 0xE4):
            _day, slots = model.history_day(self.history_day)
            index = 0 if epc == 0xE2 else 1
            return self.history_day.to_bytes(2, "big") + b"".join(
                self._reg(None if s is None else s[index]) for s in slots
            )
        if epc == 0xEC:
            end, count = self.history2 or (model.last_boundary(), 12)
            rows = model.history_slots(end, count)
            out = _stamp(end)[:6] + bytes((count,))
            for _t, values in rows:
                out += self._reg(None if values is None else values[0])
                out += self._reg(None if values is None else values[1])
            return out
        return None

    def publish(self, obj: SimObject, env: Env) -> None:
        model = self.model
        assert model is not None
        imp, exp = model.reported_registers()
        r, t = model.currents_a()
        coefficient = model.reported_coefficient()
        obj.update(
            {
                0xD3: (1 if coefficient is None else coefficient).to_bytes(4, "big"),
                0xD7: bytes((model.digits,)),
                0xE1: bytes((model.unit_code,)),
                0xE0: imp.to_bytes(4, "big"),
                0xE3: exp.to_bytes(4, "big"),
                0xE7: model.instantaneous_power_w().to_bytes(4, "big", signed=True),
                0xE8: round(r * 10).to_bytes(2, "big", signed=True)
                + (0x7FFE if t is None else round(t * 10)).to_bytes(2, "big", signed=True),
                0xE5: bytes((self.history_day,)),
            }
        )
        when, fixed_imp, fixed_exp = model.fixed_time()
        if when != self.last_fixed:
            # A new :00/:30 value: the meter announces both directions.
            self.last_fixed = when
            obj.update(
                {
                    0xEA: _stamp(when) + self._reg(fixed_imp),
                    0xEB: _stamp(when) + self._reg(fixed_exp),
                }
            )


def attach_meter(obj: SimObject, model: MeterModel) -> None:
    """Make ``obj`` (a 0x0288 object) the IP face of ``model``, with history 1 and 2."""
    obj.behaviour = MeterBehaviour(model=model)
    obj.get_map |= {0xE2, 0xE4, 0xEC}
    obj.set_map |= {0xE5, 0xED}
    obj._refresh_maps()
