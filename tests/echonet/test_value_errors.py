"""Bad values and bad EDTs get a clear error from every data type (none is silently taken)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from custom_components.hems.echonet.definitions import (
    ArrayType,
    BitmapType,
    DataType,
    DateTimeType,
    LevelType,
    NumberType,
    NumericValueType,
    ObjectType,
    OneOfType,
    RawType,
    StateType,
    TimeType,
)
from custom_components.hems.echonet.definitions.datatypes import (
    BitmapField,
    DecodeError,
    NumericOption,
    ObjectField,
    StateOption,
    build_type,
)
from custom_components.hems.echonet.errors import ValueCodecError

from .property_cases import class_def


def _state(
    size: int, *options: tuple[int, str], read_only: set[str] | frozenset[str] = frozenset()
) -> StateType:
    return StateType(
        size, [StateOption(edt, key, key, key, key, key in read_only, edt) for edt, key in options]
    )


ON_OFF = _state(1, (0x30, "on"), (0x31, "off"))
FAN = LevelType(0, 0x31, 8)  # in bits: 0x31..0x38
PERCENT = NumberType("uint8", 0, 100, unit="%")
MODE_BITS = BitmapType(
    1,
    [
        BitmapField("mode", "mode", "mode", "mode", 0, 0x03, 0, _state(0, (0, "a"), (1, "b"))),
        BitmapField("fan", "fan", "fan", "fan", 0, 0xF0, 4, LevelType(0, 1, 3)),
    ],
)


@pytest.mark.parametrize(
    ("dtype", "value", "message"),
    [
        (NumberType("uint8", 0, 100, allowed=[10, 20]), 15, "15 is not one of 10, 20"),
        (NumberType("uint8", 0, 200, multiple=0.5), 1.25, "1.25 is not a multiple of 0.5"),
        (
            NumericValueType(1, [NumericOption(0, 1.0), NumericOption(1, 0.1)]),
            0.5,
            "0.5 is not one of 1, 0.1",
        ),
        (NumericValueType(1, [NumericOption(0, 1.0)]), "one", "'one' is not one of 1"),
        (MODE_BITS, {"mode": "c", "fan": 1}, "bit field 'mode': 'c' is not a valid state"),
        (MODE_BITS, {"mode": 5, "fan": 1}, "bit field 'mode': 5 is not a valid state"),
        (MODE_BITS, ["a", 1], r"\['a', 1\] is not a mapping \(a bitmap needs one\)"),
        (MODE_BITS, {"mode": "a"}, "bitmap keys: missing fan"),
        (DateTimeType(7), "2024-06-01", "'2024-06-01' is not a datetime"),
        (TimeType(2, 99), dt.timedelta(hours=100), "4 days, 4:00:00 is longer than 99:59"),
        (TimeType(2, 99), dt.timedelta(minutes=-1), "is negative"),
        (TimeType(2), dt.timedelta(hours=1), "is not a time$"),
        (RawType(1, 4), "01", "'01' is not bytes"),
        (RawType(2, 2), b"\x01", "1 bytes given, 2 expected"),
        (ArrayType(PERCENT, 1, 1, 3), 50, "50 is not a list"),
        (ArrayType(PERCENT, 1, 1, 3), [10, 101], "item 1: 101 is out of range 0..100"),
        (ArrayType(PERCENT, 1, 1, 3), [], "0 items given, 1..3 expected"),
        (
            ObjectType([ObjectField("p", "p", "p", "p", PERCENT)]),
            {"p": "x"},
            "'p': 'x' is not a number",
        ),
        (
            OneOfType([_state(1, (0xFD, "no_data")), PERCENT]),
            "nothing",
            r"expected one of: no_data",
        ),
    ],
)
def test_a_value_the_type_cannot_hold_is_refused_with_its_reason(
    dtype: DataType, value: Any, message: str
) -> None:
    with pytest.raises(ValueCodecError, match=message):
        dtype.encode(value)


@pytest.mark.parametrize(
    ("dtype", "edt", "message"),
    [
        (MODE_BITS, b"\x03", "bit field 'mode': 3 is not a valid state"),
        (MODE_BITS, b"\x40", r"bit field 'fan': 0x04 is not a valid level \(0x01..0x03\)"),
        (DateTimeType(7), b"\x07\xe8\x06", "EDT of 3 bytes, 7 expected"),
        (DateTimeType(4), b"\x07\xe8\x02\x1e", "0x07E8021E is not a valid date and time"),
        (ArrayType(PERCENT, 1, 2, 2), b"\x01", "EDT of 1 byte, 2 expected"),
        (
            ArrayType(NumberType("uint16", 0, 9), 2, 0, 4),
            b"\x00\x01\x00",
            "3 bytes is not 0..4 items of 2 bytes",
        ),
        (RawType(2, 2), b"\x01\x02\x03", "EDT of 3 bytes, 2 expected"),
        (RawType(1, 3), b"", r"EDT of 0 bytes, 1..3 expected"),
        (
            ObjectType([ObjectField("p", "p", "p", "p", PERCENT)] * 2),
            b"\x01",
            "EDT of 1 byte, 2 expected",
        ),
    ],
)
def test_an_edt_the_type_cannot_read_says_why(dtype: DataType, edt: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        dtype.decode(edt, None)


def test_bits_that_overflow_their_field_are_refused() -> None:
    """A level whose raw value needs more bits than the field has is not silently cut."""
    narrow = BitmapType(
        1, [BitmapField("fan", "fan", "fan", "fan", 0, 0x03, 0, LevelType(0, 1, 8))]
    )
    assert narrow.encode({"fan": 3}) == b"\x03"
    with pytest.raises(ValueCodecError, match="value does not fit its bits"):
        narrow.encode({"fan": 4})


def test_a_date_is_a_midnight_date_and_time() -> None:
    assert DateTimeType(7).encode(dt.date(2024, 6, 1)) == b"\x07\xe8\x06\x01\x00\x00\x00"
    assert DateTimeType(5).encode(dt.datetime(2024, 6, 1, 13, 45)) == b"\x07\xe8\x06\x01\x0d"


def test_numbers_in_half_steps() -> None:
    half = NumberType("uint8", 0, 200, multiple=0.5, unit="kW")
    assert half.decode(b"\x03", None) == 1.5
    assert half.encode(1.5) == b"\x03"
    assert half.number_range == (0.0, 100.0, 0.5)


def test_a_special_code_of_the_wrong_length_is_no_code() -> None:
    """A 2-byte EDT for a 1-byte number inside a oneOf: not mistaken for overflow."""
    number = NumberType("uint8", 0, 100)
    assert number.special(b"\xff") == "overflow"
    assert number.special(b"\x00\xff") is None
    with pytest.raises(DecodeError, match="EDT of 2 bytes, 1 expected"):
        number.decode_strict(b"\x00\xff", None)
    either = OneOfType([_state(1, (0xFD, "no_data")), number, NumberType("uint16", 0, 9)])
    with pytest.raises(DecodeError, match=r"255 is out of range 0\.\.9 and 0x00FF is not a valid"):
        either.decode(b"\x00\xff", None)


def test_a_meter_reading_is_not_encoded_with_a_broken_coefficient() -> None:
    """The coefficient 0xD3 read from the meter decides the raw value: a bad one stops it."""
    e0 = class_def(0x0288).properties[0xE0]
    with pytest.raises(ValueCodecError, match="coefficient 0xD3: EDT of 3 bytes, 4 expected"):
        e0.encode(100.0, {0xD3: b"\x00\x00\x01"})
    with pytest.raises(ValueCodecError, match="the coefficient is 0"):
        e0.encode(100.0, {0xD3: b"\x00\x00\x00\x00"})
    overflow = e0.decode(b"\x00\x00\x00\x01", {0xD3: b"\xff\xff\xff\xff"})
    assert "coefficient 0xD3 is 'overflow', not a number" in overflow.reason


def test_one_of_reads_state_ranges_then_numbers() -> None:
    """Fault codes given as a range of EDTs decode to one key; the rest is a number."""
    fault = StateType(
        1,
        [
            StateOption(0xF0, "vendor_fault", "vendorFault", "vendor", "メーカー", True, 0xFE),
            StateOption(0xFF, "no_fault", "noFault", "none", "なし", False, 0xFF),
        ],
    )
    code = OneOfType([fault, NumberType("uint8", 0, 0x7F, overflow=False, underflow=False)])
    assert code.decode(b"\xf3", None) == "vendor_fault"
    assert code.decode(b"\xff", None) == "no_fault"
    assert code.decode(b"\x05", None) == 5
    assert code.number_range == (0, 0x7F, 1)
    assert code.levels is None
    with pytest.raises(DecodeError, match=r"128 is out of range 0\.\.127"):
        code.decode(b"\x80", None)


def test_one_of_levels_and_overflow_codes() -> None:
    fan = OneOfType([_state(1, (0x41, "auto")), LevelType(1, 0x31, 8)])
    assert (fan.levels, fan.number_range) == (8, None)
    assert fan.decode(b"\x41", None) == "auto"
    assert fan.decode(b"\x33", None) == 3
    power = OneOfType([_state(2, (0xFFFD, "no_data")), NumberType("int16", -100, 100)])
    assert power.encode("overflow") == b"\x7f\xff"
    assert power.decode(b"\x80\x00", None) == "underflow"
    closed = OneOfType([_state(1, (0xFD, "no_data")), NumberType("uint8", 0, 9, overflow=False)])
    with pytest.raises(ValueCodecError, match="'overflow' is not a valid state"):
        closed.encode("overflow")


def test_samples_offer_what_a_controller_may_send() -> None:
    """A state's sample is the first settable option; only read-only ones: the first."""
    mode = _state(1, (0x40, "other"), (0x41, "auto"), read_only={"other"})
    assert mode.decode(mode.sample(), None) == "auto"
    only_reported = _state(1, (0xFD, "no_data"), read_only={"no_data"})
    assert only_reported.sample() == b"\xfd"


def test_a_count_before_its_list_agrees_with_the_sample() -> None:
    counted = ObjectType(
        [
            ObjectField("count", "count", "count", "count", NumberType("uint8", 0, 3)),
            ObjectField("items", "items", "items", "items", RawType(0, 8)),
        ]
    )
    sample = counted.sample()
    assert counted.decode(sample, None) == {"count": 0, "items": b""}
    # A count that cannot say how many (its range starts above the sample's): left as is.
    offset = ObjectType(
        [
            ObjectField("count", "count", "count", "count", NumberType("uint8", 5, 9)),
            ObjectField("items", "items", "items", "items", ArrayType(PERCENT, 1, 0, 4)),
        ]
    )
    assert offset.sample()[0] == 7
    fixed = ObjectType(
        [ObjectField("a", "a", "a", "a", PERCENT), ObjectField("b", "b", "b", "b", PERCENT)]
    )
    assert fixed.sample() == b"\x32\x32"


def test_definitions_that_cannot_be_codecs_are_refused() -> None:
    with pytest.raises(ValueError, match="only the last field of an object may vary"):
        ObjectType(
            [
                ObjectField("a", "a", "a", "a", RawType(0, 4)),
                ObjectField("b", "b", "b", "b", PERCENT),
            ]
        )
    with pytest.raises(TypeError, match="bitmap field of type number"):
        build_type(
            {
                "t": "bitmap",
                "size": 1,
                "bits": [
                    {
                        "key": "x",
                        "name": "x",
                        "en": "x",
                        "ja": "x",
                        "index": 0,
                        "mask": 3,
                        "type": {"t": "number", "fmt": "uint8", "min": 0, "max": 3},
                    }
                ],
            }
        )
    with pytest.raises(ValueError, match="unknown data type 'float'"):
        build_type({"t": "float"})


def test_types_describe_themselves() -> None:
    assert repr(RawType(17, 17)) == "<RawType size=17>"
    assert repr(ArrayType(PERCENT, 1, 0, 4)) == "<ArrayType size=None>"
    assert (ON_OFF.number_range, ON_OFF.levels, ON_OFF.unit) == (None, None, None)
    assert ArrayType(PERCENT, 1, 0, 4).unit == "%"
