"""Property value codec: samples, round trips, fuzzing and known EDTs of real devices."""

from __future__ import annotations

import datetime as dt

import pytest

from custom_components.hems.echonet.definitions import (
    NODE_PROFILE,
    SUPER_CLASS,
    Invalid,
    NumberRange,
)
from custom_components.hems.echonet.errors import ValueCodecError

from .property_cases import ALL, class_def

# -- samples ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ALL))
def test_sample_decodes_and_round_trips(name: str) -> None:
    prop = ALL[name]
    edt = prop.sample()
    assert isinstance(edt, bytes)
    assert prop.sample() == edt  # deterministic
    value = prop.decode(edt)
    assert not isinstance(value, Invalid), value
    assert prop.encode(value) == edt
    if prop.data.size is not None:
        assert len(edt) == prop.data.size


def test_samples_are_plausible() -> None:
    aircon, meter, battery = class_def(0x0130), class_def(0x0288), class_def(0x027D)
    assert aircon.properties[0xB3].decode(aircon.properties[0xB3].sample()) == 22
    assert aircon.properties[0xB4].decode(aircon.properties[0xB4].sample()) == 50
    assert aircon.properties[0xB0].decode(aircon.properties[0xB0].sample()) == "auto"
    assert aircon.properties[0x80].decode(aircon.properties[0x80].sample()) == "true"
    # a state whose first option is read-only: the first settable one is used
    assert aircon.properties[0xB3].decode(b"\xfd") == "undefined"
    assert battery.properties[0xE4].decode(battery.properties[0xE4].sample()) == 50
    d0 = meter.properties[0xD0].decode(meter.properties[0xD0].sample())
    assert d0["date_and_time"] == dt.datetime(2024, 6, 1, 12, 30, 0)
    # counts agree with the lists they count
    d6 = NODE_PROFILE.properties[0xD6].decode(NODE_PROFILE.properties[0xD6].sample())
    assert d6["number_of_instances"] == len(d6["instance_list"]) == 1
    ec = meter.properties[0xEC].decode(meter.properties[0xEC].sample())
    assert ec["number_of_collection_segments"] == len(ec["electric_energy"])
    assert ec["date_and_time"].minute in (0, 30)


# -- concrete known cases -----------------------------------------------------------------------


def test_smart_meter_cumulative_energy_with_coefficients() -> None:
    meter = class_def(0x0288)
    e0 = meter.properties[0xE0]
    raw = (12345).to_bytes(4, "big")
    related = {0xD3: b"\x00\x00\x00\x01", 0xE1: b"\x01"}
    assert e0.decode(raw, related) == 1234.5
    assert e0.decode(raw, {0xE1: b"\x01"}) == 1234.5  # missing D3: factor 1
    assert e0.decode(raw, {0xD3: b"\x00\x00\x00\x02", 0xE1: b"\x02"}) == 246.9
    assert e0.decode(raw, {0xE1: b"\x0a"}) == 123450.0
    assert e0.decode(raw, {0xE1: bytearray(b"\x03")}) == 12.345
    assert e0.decode(raw) == 12345.0
    assert e0.decode(raw, {0xD3: b"", 0xE1: b"\x01"}) == 1234.5  # PDC 0: not available
    assert isinstance(e0.decode(raw), float)
    assert e0.decode(b"\xff\xff\xff\xfe", related) == "no_data"
    bad_unit = e0.decode(raw, {0xE1: b"\x05"})
    assert isinstance(bad_unit, Invalid)
    assert "coefficient 0xE1" in bad_unit.reason
    assert bad_unit.edt == raw
    # overflow/underflow codes are disabled for this property (MRA overflowCode: false)
    overflow = e0.decode(b"\xff\xff\xff\xff")
    assert isinstance(overflow, Invalid)
    assert "out of range" in overflow.reason
    assert isinstance(e0.decode((100000000).to_bytes(4, "big")), Invalid)  # > 8 digits
    # encoding divides by the coefficients given
    assert e0.encode(1234.5, related) == raw
    assert e0.encode(12345) == raw
    assert e0.encode("no_data") == b"\xff\xff\xff\xfe"
    with pytest.raises(ValueCodecError, match="multiple"):
        e0.encode(1234.55, related)
    # the unit property itself
    assert meter.properties[0xE1].decode(b"\x01") == 0.1
    assert meter.properties[0xE1].decode(b"\x00") == 1.0
    assert isinstance(meter.properties[0xE1].decode(b"\x05"), Invalid)
    assert meter.properties[0xE1].encode(0.01) == b"\x02"


def test_smart_meter_history_applies_coefficients_to_every_item() -> None:
    e2 = class_def(0x0288).properties[0xE2]
    edt = b"\x00\x01" + b"".join((1000 + i).to_bytes(4, "big") for i in range(47))
    edt += b"\xff\xff\xff\xfe"
    value = e2.decode(edt, {0xE1: b"\x01"})
    assert value["day"] == 1
    assert value["electric_energy"][:2] == [100.0, 100.1]
    assert value["electric_energy"][46] == 104.6
    assert value["electric_energy"][47] == "no_data"
    # a different unit is not served from the previous decode
    assert e2.decode(edt, {0xE1: b"\x02"})["electric_energy"][1] == 10.01
    short = e2.decode(edt[:-1])
    assert isinstance(short, Invalid)
    assert short.reason == "EDT of 193 bytes, 194 expected"
    bad_item = e2.decode(edt[:10] + b"\xff\xff\xff\xff" + edt[14:])
    assert isinstance(bad_item, Invalid)
    assert "'electric_energy'" in bad_item.reason and "item 2" in bad_item.reason


def test_smart_meter_instantaneous_power_and_current() -> None:
    meter = class_def(0x0288)
    e7 = meter.properties[0xE7]
    assert e7.decode((-500).to_bytes(4, "big", signed=True)) == -500
    assert e7.decode((1500).to_bytes(4, "big")) == 1500
    assert e7.decode(b"\x7f\xff\xff\xfe") == "no_data"
    assert e7.decode(b"\x7f\xff\xff\xff") == "overflow"
    assert e7.decode(b"\x80\x00\x00\x00") == "underflow"
    assert e7.encode(-500) == b"\xff\xff\xfe\x0c"
    assert e7.encode("no_data") == b"\x7f\xff\xff\xfe"
    wrong = e7.decode(b"\x01\xf4")
    assert isinstance(wrong, Invalid)
    assert wrong.reason == "EDT of 2 bytes, 4 expected"

    e8 = meter.properties[0xE8]
    assert e8.decode(bytes.fromhex("00327FFE")) == {"r_phase": 5.0, "t_phase": "no_data"}
    assert e8.decode(bytes.fromhex("FFF6000A")) == {"r_phase": -1.0, "t_phase": 1.0}
    assert e8.encode({"r_phase": 5.0, "t_phase": "no_data"}) == bytes.fromhex("00327FFE")
    assert e8.encode({"r_phase": 12.3, "t_phase": -0.1}) == bytes.fromhex("007BFFFF")
    assert isinstance(e8.decode(b"\x00\x32"), Invalid)
    with pytest.raises(ValueCodecError, match="missing t_phase"):
        e8.encode({"r_phase": 1.0})
    with pytest.raises(ValueCodecError, match="unknown s_phase"):
        e8.encode({"r_phase": 1.0, "t_phase": 1.0, "s_phase": 1.0})


def test_smart_meter_history_query() -> None:
    ed = class_def(0x0288).properties[0xED]
    query = {"date_and_time": dt.datetime(2024, 6, 12, 13, 30), "number_of_collection_segments": 3}
    assert ed.encode(query) == bytes.fromhex("07E8060C0D1E03")
    assert ed.decode(bytes.fromhex("07E8060C0D1E03")) == query
    # seconds do not fit a 6-byte date-time: truncated
    assert ed.encode({**query, "date_and_time": dt.datetime(2024, 6, 12, 13, 30, 59)}) == (
        bytes.fromhex("07E8060C0D1E03")
    )
    with pytest.raises(ValueCodecError, match="number_of_collection_segments"):
        ed.encode({**query, "number_of_collection_segments": 13})
    # the device's initial value (all-0xFF date) is not a date
    initial = ed.decode(bytes.fromhex("FFFFFFFFFFFF01"))
    assert isinstance(initial, Invalid)
    assert "not a valid date and time" in initial.reason


def test_date_and_time_values() -> None:
    ea = class_def(0x0288).properties[0xEA]
    edt = bytes.fromhex("07E8060C0D1E00") + (5000).to_bytes(4, "big")
    value = ea.decode(edt, {0xE1: b"\x01"})
    assert value == {"date_and_time": dt.datetime(2024, 6, 12, 13, 30), "electric_energy": 500.0}
    zero = ea.decode(bytes(7) + (5000).to_bytes(4, "big"))
    assert isinstance(zero, Invalid)
    assert "'date_and_time'" in zero.reason
    assert isinstance(ea.decode(bytes.fromhex("07E80D0C0D1E00") + bytes(4)), Invalid)  # month 13
    assert isinstance(ea.decode(bytes.fromhex("07E8060C0D3C00") + bytes(4)), Invalid)  # min 60
    date = SUPER_CLASS.properties[0x98]
    assert date.decode(bytes.fromhex("07E8021D")) == dt.date(2024, 2, 29)
    assert isinstance(date.decode(bytes.fromhex("07E7021D")), Invalid)
    assert date.encode(dt.date(2025, 1, 2)) == bytes.fromhex("07E90102")
    with pytest.raises(ValueCodecError):
        date.encode("2025-01-02")


def test_air_conditioner_operation_mode() -> None:
    b0 = class_def(0x0130).properties[0xB0]
    assert b0.decode(b"\x41") == "auto"
    assert b0.decode(b"\x42") == "cooling"
    assert b0.decode(b"\x43") == "heating"
    assert b0.decode(b"\x44") == "dehumidification"
    assert b0.decode(b"\x45") == "circulation"
    assert b0.decode(b"\x40") == "other"
    bad = b0.decode(b"\x35")
    assert isinstance(bad, Invalid)
    assert bad.reason == "0x35 is not a valid state"
    assert isinstance(b0.decode(b"\x42\x00"), Invalid)
    assert isinstance(b0.decode(b""), Invalid)
    assert b0.encode("cooling") == b"\x42"
    assert b0.encode(0x43) == b"\x43"
    with pytest.raises(ValueCodecError, match="not a valid state"):
        b0.encode("turbo")
    with pytest.raises(ValueCodecError):
        b0.encode(0x35)
    with pytest.raises(ValueCodecError):
        b0.encode(True)
    options = b0.options
    assert [o.key for o in options] == [
        "auto",
        "cooling",
        "heating",
        "dehumidification",
        "circulation",
        "other",
    ]
    cooling = options[1]
    assert (cooling.edt, cooling.name, cooling.read_only) == (0x42, "cooling", False)
    assert cooling.ja == "冷房"
    assert cooling.en


def test_air_conditioner_temperatures() -> None:
    aircon = class_def(0x0130)
    b3 = aircon.properties[0xB3]
    assert b3.decode(b"\x1a") == 26
    assert isinstance(b3.decode(b"\x1a"), int)
    assert b3.decode(b"\x00") == 0
    assert b3.decode(b"\x32") == 50
    assert b3.decode(b"\xfd") == "undefined"
    bad = b3.decode(b"\x33")
    assert isinstance(bad, Invalid)
    assert "51 is out of range 0..50" in bad.reason
    assert b3.encode(26) == b"\x1a"
    assert b3.encode(26.0) == b"\x1a"
    assert b3.encode("undefined") == b"\xfd"
    with pytest.raises(ValueCodecError, match="out of range"):
        b3.encode(51)
    with pytest.raises(ValueCodecError, match="multiple"):
        b3.encode(25.5)
    with pytest.raises(ValueCodecError):
        b3.encode(None)
    with pytest.raises(ValueCodecError):
        b3.encode(float("nan"))
    assert b3.number_range == NumberRange(0, 50, 1)
    assert [(o.key, o.edt, o.read_only) for o in b3.options] == [("undefined", 0xFD, True)]
    # room temperature: signed, special "unmeasurable" 0x7E, overflow/underflow codes
    bb = aircon.properties[0xBB]
    assert bb.decode(b"\xfb") == -5
    assert bb.decode(b"\x7e") == "unmeasurable"
    assert bb.decode(b"\x7f") == "overflow"
    assert bb.decode(b"\x80") == "underflow"
    assert bb.encode(-5) == b"\xfb"
    # relative temperature: 0.1 °C steps
    bf = aircon.properties[0xBF]
    assert bf.decode(b"\x0f") == 1.5
    assert bf.decode(b"\xf1") == -1.5
    assert bf.encode(-1.5) == b"\xf1"
    assert bf.number_range == NumberRange(-12.7, 12.5, 0.1)


def test_operation_status() -> None:
    p80 = class_def(0x0130).properties[0x80]
    assert p80.decode(b"\x30") == "true"
    assert p80.decode(b"\x31") == "false"
    assert isinstance(p80.decode(b"\x32"), Invalid)
    assert p80.encode("true") == b"\x30"
    assert p80.encode("false") == b"\x31"
    assert [o.key for o in p80.options] == ["true", "false"]
    assert p80.options[0].en == "On"


def test_levels_times_and_bitmaps() -> None:
    aircon = class_def(0x0130)
    a0 = aircon.properties[0xA0]
    assert a0.levels == 8
    assert a0.decode(b"\x31") == 1
    assert a0.decode(b"\x38") == 8
    assert a0.decode(b"\x41") == "auto"
    assert isinstance(a0.decode(b"\x39"), Invalid)
    assert a0.encode(3) == b"\x33"
    assert a0.encode("auto") == b"\x41"
    with pytest.raises(ValueCodecError):
        a0.encode(9)
    t91 = aircon.properties[0x91]
    assert t91.decode(b"\x17\x3b") == dt.time(23, 59)
    assert isinstance(t91.decode(b"\x18\x00"), Invalid)
    assert t91.encode(dt.time(7, 30)) == b"\x07\x1e"
    t92 = aircon.properties[0x92]
    assert t92.decode(b"\x30\x00") == dt.timedelta(hours=48)
    assert t92.encode(dt.timedelta(hours=2, minutes=5)) == b"\x02\x05"
    with pytest.raises(ValueCodecError):
        t92.encode(dt.timedelta(hours=-1))
    c7 = aircon.properties[0xC7]
    value = c7.decode(bytes.fromhex("1A0C000000000000"))
    assert value == {
        "level_of_electronic": 3,
        "mode_of_electronic": "on",
        "auto_of_electronic": "true",
        "level_of_cluster_ion": 5,
        "mode_of_cluster_ion": "on",
        "auto_of_cluster_ion": "false",
    }
    assert c7.encode(value) == bytes.fromhex("1A0C000000000000")
    assert isinstance(c7.decode(bytes(7)), Invalid)
    with pytest.raises(ValueCodecError, match="level_of_electronic"):
        c7.encode({**value, "level_of_electronic": 9})


def test_distribution_board() -> None:
    board = class_def(0x0287)
    c0 = board.properties[0xC0]
    assert c0.decode((123456).to_bytes(4, "big"), {0xC2: b"\x02"}) == 1234.56
    assert c0.decode(b"\xff\xff\xff\xfe") == "no_data"
    c6 = board.properties[0xC6]
    assert c6.decode((-2500).to_bytes(4, "big", signed=True)) == -2500
    b3 = board.properties[0xB3]
    edt = b"\x03\x02" + (1500).to_bytes(4, "big") + b"\xff\xff\xff\xfe"
    assert b3.decode(edt, {0xC2: b"\x01"}) == {
        "start_channel": 3,
        "range": 2,
        "electric_energy": [150.0, "no_data"],
    }
    assert b3.decode(b"\x03\x01") == {"start_channel": 3, "range": 1, "electric_energy": []}
    no_range = b3.decode(b"\x03\x00")  # range 0 is not allowed
    assert isinstance(no_range, Invalid)
    assert no_range.reason.startswith("'range': ")
    assert isinstance(b3.decode(edt[:-1]), Invalid)
    b7 = board.properties[0xB7]
    power = (
        b"\x01\x02" + (800).to_bytes(4, "big", signed=True) + (-100).to_bytes(4, "big", signed=True)
    )
    assert b7.decode(power)["instantaneous_electric_power"] == [800, -100]
    channel = board.properties[0xD0]
    value = channel.decode(bytes.fromhex("00000064 0032 7FFE"), {0xC2: b"\x01"})
    assert value == {"electric_energy": 10.0, "current_rphase": 5.0, "current_tphase": "no_data"}


def test_storage_battery() -> None:
    battery = class_def(0x027D)
    assert battery.properties[0xE4].decode(b"\x55") == 85
    assert battery.properties[0xE4].unit == "%"
    assert isinstance(battery.properties[0xE4].decode(b"\x65"), Invalid)  # 101 %
    assert battery.properties[0xE2].decode((5000).to_bytes(4, "big")) == 5000
    assert battery.properties[0xE2].unit == "Wh"
    assert battery.properties[0xDA].decode(b"\x42") == "charging"
    assert battery.properties[0xDA].encode("discharging") == b"\x43"
    assert battery.properties[0xD3].decode((-1200).to_bytes(4, "big", signed=True)) == -1200
    assert battery.properties[0xA8].decode((123456).to_bytes(4, "big")) == 123.456
    # charging (+) / discharging (-) amount: two number alternatives on the same 4 bytes
    e0 = battery.properties[0xE0]
    assert e0.decode((3000).to_bytes(4, "big")) == 3000
    assert e0.decode((-3000).to_bytes(4, "big", signed=True)) == -3000
    assert e0.encode(-3000) == (-3000).to_bytes(4, "big", signed=True)
    assert e0.encode(3000) == (3000).to_bytes(4, "big")
    assert isinstance(e0.decode(bytes(4)), Invalid)  # 0 is neither
    with pytest.raises(ValueCodecError):
        e0.encode(0)
    # fault description: EDT ranges
    fault = battery.properties[0x89]
    assert fault.decode(b"\x00\x00") == "no_fault"
    assert fault.decode(b"\x00\x0c") == "abnormal_event_or_safety"
    assert fault.decode(b"\x00\x70") == "user_definable_2"
    assert fault.encode("abnormal_event_or_safety") == b"\x00\x0a"
    assert isinstance(fault.decode(b"\x00\x08"), Invalid)


def test_node_profile_values() -> None:
    p83 = NODE_PROFILE.properties[0x83]
    ident = bytes.fromhex("FE00000B") + bytes(range(13))
    assert p83.decode(ident) == ident
    short = p83.decode(ident[:16])
    assert isinstance(short, Invalid)
    assert short.reason == "EDT of 16 bytes, 17 expected"
    d6 = NODE_PROFILE.properties[0xD6]
    assert d6.decode(bytes.fromhex("02013001028801")) == {
        "number_of_instances": 2,
        "instance_list": [b"\x01\x30\x01", b"\x02\x88\x01"],
    }
    assert d6.decode(b"\x00") == {"number_of_instances": 0, "instance_list": []}
    assert isinstance(d6.decode(bytes.fromhex("0201300102")), Invalid)  # partial EOJ
    too_many = d6.decode(b"\x54" + b"\x01\x30\x01" * 85)  # at most 84 instances
    assert isinstance(too_many, Invalid)
    assert too_many.reason == "EDT of 256 bytes, 1..253 expected"
    assert d6.decode(b"\x54" + b"\x01\x30\x01" * 84)["number_of_instances"] == 84
    with pytest.raises(ValueCodecError, match="85 items given"):
        d6.encode({"number_of_instances": 84, "instance_list": [b"\x01\x30\x01"] * 85})
    scenes = class_def(0x02A4).properties[0xC2]  # 1..253 items
    assert isinstance(scenes.decode(b""), Invalid)
    assert len(scenes.decode(bytes(253))) == 253
    too_long = scenes.decode(bytes(254))
    assert isinstance(too_long, Invalid)
    assert too_long.reason == "EDT of 254 bytes is not 1..253 items of 1 byte"
    assert scenes.decode(b"\x32\xff") == [50, "unknown"]
    assert isinstance(d6.decode(b""), Invalid)
    assert d6.encode({"number_of_instances": 1, "instance_list": [b"\x05\xff\x01"]}) == (
        b"\x01\x05\xff\x01"
    )
    d7 = NODE_PROFILE.properties[0xD7]
    assert d7.decode(b"\x01\x01\x30") == {"number_of_classes": 1, "class_list": [b"\x01\x30"]}
    assert NODE_PROFILE.properties[0x80].decode(b"\x30") == "true"
    assert NODE_PROFILE.properties[0x8A].decode(b"\x00\x00\x0b") == b"\x00\x00\x0b"
    assert NODE_PROFILE.properties[0x9F].decode(bytes(17)) == bytes(17)
    assert isinstance(NODE_PROFILE.properties[0x9F].decode(bytes(18)), Invalid)


def test_super_class_overflow_defaults() -> None:
    p84 = SUPER_CLASS.properties[0x84]  # 0..65533 W, overflow codes on by default
    assert p84.decode(b"\x01\x00") == 256
    assert p84.decode(b"\xff\xff") == "overflow"
    assert p84.decode(b"\xff\xfe") == "underflow"
    assert p84.encode("overflow") == b"\xff\xff"
    assert isinstance(p84.decode(b"\x00"), Invalid)
    p85 = SUPER_CLASS.properties[0x85]  # 0.001 kWh steps
    assert p85.decode((1234567).to_bytes(4, "big")) == 1234.567
    assert p85.encode(1234.567) == (1234567).to_bytes(4, "big")
    assert p85.decode(b"\xff\xff\xff\xff") == "overflow"
    with pytest.raises(ValueCodecError):
        p85.encode("no_data")


def test_decode_never_raises_on_odd_inputs() -> None:
    b0 = class_def(0x0130).properties[0xB0]
    assert b0.decode(bytearray(b"\x42")) == "cooling"
    assert b0.decode(memoryview(b"\x42")) == "cooling"
    result = b0.decode(None)  # type: ignore[arg-type]
    assert isinstance(result, Invalid)
    assert "not bytes" in result.reason
    assert isinstance(b0.decode(12), Invalid)  # type: ignore[arg-type]
