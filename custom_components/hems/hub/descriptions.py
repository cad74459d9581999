"""Entity descriptions of every platform (the tables live in :mod:`.catalog`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from homeassistant.components.binary_sensor import BinarySensorEntityDescription
from homeassistant.components.button import ButtonEntityDescription
from homeassistant.components.number import NumberEntityDescription
from homeassistant.components.select import SelectEntityDescription
from homeassistant.components.sensor import SensorEntityDescription
from homeassistant.components.switch import SwitchEntityDescription

from ..echonet.node import EchonetObject
from .entity import HemsEntityDescription, number_value, state_value

SensorValue = str | int | float | datetime | date | None


def first_number(description: HemsEntityDescription, obj: EchonetObject) -> SensorValue:
    """Default value: the first property as a number."""
    return number_value(obj, description.epcs[0])


@dataclass(frozen=True, kw_only=True)
class HemsSensorDescription(HemsEntityDescription, SensorEntityDescription):
    """A sensor of an ECHONET Lite object.

    ``value_fn`` defaults to the first EPC's decoded number.  A ``total_increasing`` sensor is
    a lifetime counter: the entity applies the one counter policy of :mod:`...energy.counter`.
    """

    value_fn: Callable[[EchonetObject], SensorValue] | None = None
    attrs_fn: Callable[[EchonetObject], dict[str, Any] | None] | None = None

    def value(self, obj: EchonetObject) -> SensorValue:
        """The sensor's state from the object's values."""
        if self.value_fn is not None:
            return self.value_fn(obj)
        return first_number(self, obj)


@dataclass(frozen=True, kw_only=True)
class HemsCircuitDescription(HemsSensorDescription):
    """Power or energy (``quantity``) of circuit ``circuit`` (0: the first) of a distribution
    board: the coordinator reads the circuits after the board's properties."""

    circuit: int
    quantity: Literal["power", "energy"]


@dataclass(frozen=True, kw_only=True)
class HemsBinarySensorDescription(HemsEntityDescription, BinarySensorEntityDescription):
    """A binary sensor: on when the first EPC's state key is one of ``on_states``."""

    on_states: frozenset[str] = frozenset({"true"})
    value_fn: Callable[[EchonetObject], bool | None] | None = None

    def value(self, obj: EchonetObject) -> bool | None:
        """On, off or unknown."""
        if self.value_fn is not None:
            return self.value_fn(obj)
        state = state_value(obj, self.epcs[0])
        return None if state is None else state in self.on_states


@dataclass(frozen=True, kw_only=True)
class HemsSwitchDescription(HemsEntityDescription, SwitchEntityDescription):
    """A switch writing ``on_state`` / ``off_state`` (state keys) to the first EPC.

    It shows on while the device reports one of ``on_states`` (default: ``on_state``).
    """

    on_state: str = "true"
    off_state: str = "false"
    on_states: frozenset[str] | None = None

    def is_on(self, obj: EchonetObject) -> bool | None:
        """On, off or unknown."""
        state = state_value(obj, self.epcs[0])
        if state is None:
            return None
        return state in (self.on_states or {self.on_state})


@dataclass(frozen=True, kw_only=True)
class HemsSelectDescription(HemsEntityDescription, SelectEntityDescription):
    """A select over the settable states of the first EPC (``exclude``: keys not offered)."""

    exclude: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class HemsNumberDescription(HemsEntityDescription, NumberEntityDescription):
    """A number entity for the first EPC (range and step from the MRA unless given)."""

    scale: float = 1.0  # shown value = device value * scale


@dataclass(frozen=True, kw_only=True)
class HemsButtonDescription(HemsEntityDescription, ButtonEntityDescription):
    """A button writing ``press_state`` (or raw ``press_edt``) to the first EPC."""

    press_state: str | None = None
    press_edt: bytes | None = None
