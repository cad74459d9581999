"""Property value codec under hypothesis: round trips of every kind, arbitrary bytes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.hems.echonet.definitions import (
    ArrayType,
    BitmapType,
    DataType,
    DateTimeType,
    DateType,
    Invalid,
    LevelType,
    NumberType,
    NumericValueType,
    ObjectType,
    OneOfType,
    PropertyDef,
    RawType,
    StateType,
    TimeType,
)
from custom_components.hems.echonet.errors import ValueCodecError

from .property_cases import ALL_PROPS, class_def, same_value

# -- hypothesis: round trips -------------------------------------------------------------------


def values(dtype: DataType, taken: frozenset[int] = frozenset()) -> st.SearchStrategy[Any]:
    """Valid decoded values of a data type (numbers: not those whose EDT is in ``taken``)."""
    if isinstance(dtype, NumberType):
        raws = (
            st.sampled_from(sorted(dtype.allowed))
            if dtype.allowed is not None
            else st.integers(dtype.raw_minimum, dtype.raw_maximum)
        )
        edts = raws.map(dtype._raw_bytes)
        if taken:
            edts = edts.filter(lambda edt: int.from_bytes(edt) not in taken)
        return edts.map(lambda edt: dtype.decode(edt, None))
    if isinstance(dtype, StateType):
        return st.sampled_from([o.key for o in dtype.options])
    if isinstance(dtype, NumericValueType):
        return st.sampled_from([o.value for o in dtype.numeric_options])
    if isinstance(dtype, LevelType):
        return st.integers(1, dtype.levels)
    if isinstance(dtype, BitmapType):
        return st.fixed_dictionaries({f.key: values(f.type) for f in dtype.fields})
    if isinstance(dtype, DateTimeType):
        keep = (dtype.size or 7) - 2  # month, day, hour, minute, second
        return st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)).map(
            lambda v: v.replace(
                hour=v.hour if keep > 2 else 0,
                minute=v.minute if keep > 3 else 0,
                second=v.second if keep > 4 else 0,
                microsecond=0,
            )
        )
    if isinstance(dtype, DateType):
        return st.dates()
    if isinstance(dtype, TimeType):
        seconds = st.integers(0, 59) if dtype.size == 3 else st.just(0)
        if dtype.relative:
            return st.builds(
                lambda h, m, s: dt.timedelta(hours=h, minutes=m, seconds=s),
                st.integers(0, dtype.max_hour),
                st.integers(0, 59),
                seconds,
            )
        return st.builds(dt.time, st.integers(0, 23), st.integers(0, 59), seconds)
    if isinstance(dtype, RawType):
        return st.binary(min_size=dtype.min_size, max_size=dtype.max_size)
    if isinstance(dtype, ArrayType):
        return st.lists(values(dtype.item), min_size=dtype.min_items, max_size=dtype.max_items)
    if isinstance(dtype, ObjectType):
        return st.fixed_dictionaries({f.key: values(f.type) for f in dtype.fields})
    if isinstance(dtype, OneOfType):
        # The MRA lets a state share its EDT with a number (0x02A4's 0xC5: 0 W or "cancel"); the
        # codec reads such an EDT as the state, so the number is no value of its own there.
        taken = frozenset(
            edt
            for alternative in dtype.alternatives
            if isinstance(alternative, StateType)
            for option in alternative.options
            for edt in range(option.edt, option.edt_last + 1)
        )
        return st.one_of([values(a, taken) for a in dtype.alternatives])
    raise AssertionError(f"no strategy for {dtype!r}")


ROUND_TRIP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(st.data())
def test_round_trip_every_property(data: st.DataObject) -> None:
    """decode(encode(v)) == v for valid values of every property of every class."""
    prop = data.draw(st.sampled_from(ALL_PROPS), label="property")
    value = data.draw(values(prop.data), label="value")
    edt = prop.encode(value)
    decoded = prop.decode(edt)
    assert same_value(decoded, value), (prop.key, value, decoded)
    assert prop.encode(decoded) == edt


def _props_of(kind: type[DataType]) -> list[PropertyDef]:
    return [p for p in ALL_PROPS if isinstance(p.data, kind)]


@pytest.mark.parametrize(
    "kind",
    [NumberType, StateType, LevelType, BitmapType, DateTimeType, ObjectType, ArrayType, OneOfType],
    ids=lambda k: k.__name__,
)
def test_round_trip_by_kind(kind: type[DataType]) -> None:
    # properties that use this kind anywhere (levels, arrays, date-times live inside others)
    props = [p for p in ALL_PROPS if any(isinstance(t, kind) for t in p.data.walk())]
    assert props

    @ROUND_TRIP
    @given(st.data())
    def check(data: st.DataObject) -> None:
        prop = data.draw(st.sampled_from(props), label="property")
        value = data.draw(values(prop.data), label="value")
        edt = prop.encode(value)
        assert same_value(prop.decode(edt), value)

    check()


@ROUND_TRIP
@given(st.data())
def test_number_edt_round_trip(data: st.DataObject) -> None:
    """Every in-range raw number (and the overflow codes) survives decode then encode."""
    prop = data.draw(st.sampled_from(_props_of(NumberType)), label="property")
    dtype = prop.data
    assert isinstance(dtype, NumberType)
    candidates = [dtype.overflow_code, dtype.underflow_code]
    raw = data.draw(
        st.integers(dtype.raw_minimum, dtype.raw_maximum)
        | st.sampled_from([c for c in candidates if c is not None] or [dtype.raw_minimum])
    )
    edt = dtype._raw_bytes(raw)
    value = prop.decode(edt)
    if dtype.allowed is not None and raw not in dtype.allowed and value not in candidates:
        return
    assert not isinstance(value, Invalid)
    assert prop.encode(value) == edt


@ROUND_TRIP
@given(st.data())
def test_state_edt_round_trip(data: st.DataObject) -> None:
    prop = data.draw(st.sampled_from(_props_of(StateType)), label="property")
    option = data.draw(st.sampled_from(prop.options))
    edt = prop.encode(option.key)
    assert edt == option.edt.to_bytes(len(edt), "big")
    assert prop.decode(edt) == option.key
    if option.edt_last == option.edt:
        assert prop.encode(option.edt) == edt


# -- hypothesis: fuzzing -----------------------------------------------------------------------

FUZZ_CLASSES = [0x0130, 0x0287, 0x0288, 0x027D, 0x0279, 0x03D3, 0x026B, 0x05FF, 0x028F, 0x0EF0]


@pytest.mark.parametrize("code", FUZZ_CLASSES, ids=lambda c: f"0x{c:04X}")
def test_decode_arbitrary_bytes_never_raises(code: int) -> None:
    cls = class_def(code)
    props = list(cls.properties.values())
    sized = [p for p in props if p.data.size is not None]

    @settings(max_examples=400, deadline=None)
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        prop = data.draw(st.sampled_from(props), label="property")
        if prop.data.size is not None and data.draw(st.booleans()):
            edt = data.draw(st.binary(min_size=prop.data.size, max_size=prop.data.size))
        else:
            edt = data.draw(st.binary(max_size=260))
        related = data.draw(
            st.none()
            | st.dictionaries(st.sampled_from(sorted(cls.coefficient_epcs) or [0x80]), st.binary())
        )
        value = prop.decode(edt, related)
        if isinstance(value, Invalid):
            assert value.reason
            assert not value.reason.startswith("cannot decode"), value  # an internal error
            assert value.edt == edt
            return
        # whatever decodes must encode back (with the same coefficients) to an EDT that
        # decodes to the same value
        try:
            encoded = prop.encode(value, related)
        except ValueCodecError:
            # only the coefficients can prevent it (0, or a scaled value beyond the range)
            assert related
            return
        again = prop.decode(encoded, related)
        assert same_value(again, value), (prop.key, edt.hex(), value, again)

    fuzz()
    assert sized
