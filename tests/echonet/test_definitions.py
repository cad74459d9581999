"""Generated MRA definitions: the generator, the data and the class/property model."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
import importlib
import json
from pathlib import Path
import re
import shutil
import subprocess
import sys

import pytest

from custom_components.hems.echonet import definitions
from custom_components.hems.echonet.definitions import (
    MRA_VERSION,
    NODE_PROFILE,
    SUPER_CLASS,
    Access,
    ClassDef,
    Invalid,
    PropertyDef,
    all_classes,
    class_or_generic,
    get_class,
)

from ..child import run_python

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "generate_definitions.py"
PACKAGE = REPO / "custom_components" / "hems" / "echonet" / "definitions"
MRA = REPO.parent / "shared" / "mra"
GENERATED = ("mra.json", "COPYRIGHT.txt", "names.py")
#: Appendix classes that the MRA 1.3.1 leaves out, added by the generator's supplement.
SUPPLEMENT = {0x0029, 0x0261, 0x0262, 0x0264, 0x0265, 0x0266}

needs_mra = pytest.mark.skipif(not (MRA / "metaData.json").is_file(), reason="MRA not present")


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


# -- generator ------------------------------------------------------------------------------


@needs_mra
def test_generator_reproduces_committed_output(tmp_path: Path) -> None:
    result = _run(MRA, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (PACKAGE / name).read_bytes(), name
    # and again: byte-identical output on a second run
    again = tmp_path / "again"
    assert _run(MRA, "--out", again).returncode == 0
    for name in GENERATED:
        assert (again / name).read_bytes() == (tmp_path / name).read_bytes()


@needs_mra
def test_generator_default_paths_and_check_up_to_date() -> None:
    result = _run("--check")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_mra
def test_generator_check_detects_stale_and_missing_output(tmp_path: Path) -> None:
    for name in GENERATED:
        shutil.copy(PACKAGE / name, tmp_path / name)
    assert _run(MRA, "--out", tmp_path, "--check").returncode == 0

    data = tmp_path / "mra.json"
    data.write_bytes(data.read_bytes().replace(b'"kWh"', b'"Wh"', 1))
    result = _run(MRA, "--out", tmp_path, "--check")
    assert result.returncode == 1
    assert "mra.json" in result.stdout
    assert data.read_bytes() != (PACKAGE / "mra.json").read_bytes()  # --check writes nothing

    shutil.copy(PACKAGE / "mra.json", data)
    (tmp_path / "COPYRIGHT.txt").unlink()
    result = _run(MRA, "--out", tmp_path, "--check")
    assert result.returncode == 1
    assert "COPYRIGHT.txt" in result.stdout


def test_generator_rejects_a_broken_mra(tmp_path: Path) -> None:
    result = _run(tmp_path / "missing", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    assert not (tmp_path / "out").exists()


def test_generator_snake_case(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command runs with scripts/ first on sys.path, which is how it finds its package.
    monkeypatch.syspath_prepend(str(GENERATOR.parent))
    gen = importlib.import_module("mra.common")
    assert gen.snake("homeAirConditioner") == "home_air_conditioner"
    assert gen.snake("multipleInputPCS") == "multiple_input_pcs"
    assert gen.snake("co2Sensor") == "co2_sensor"
    assert gen.snake("lvSmartElectricEnergyMeter") == "lv_smart_electric_energy_meter"
    assert gen.snake("manufacturer(MC)") == "manufacturer_mc"
    assert gen.snake("rc_r") == "rc_r"
    assert gen.unique_keys(["userDefinable", "fault", "userDefinable"]) == [
        "user_definable",
        "fault",
        "user_definable_2",
    ]


def test_data_has_no_refs_and_copyright_ships() -> None:
    text = (PACKAGE / "mra.json").read_text(encoding="utf-8")
    assert "$ref" not in text
    data = json.loads(text)
    assert data["meta"]["version"] == "1.3.1 (Release R)"
    notice = (PACKAGE / "COPYRIGHT.txt").read_text(encoding="utf-8")
    assert "Permission is hereby granted" in notice
    assert "ECHONET" in notice
    assert "1.3.1" in notice


@needs_mra
def test_only_latest_release_variants() -> None:
    # 0x0000 0x81 has an A..B variant (raw 1) and a C..latest variant (raw 1 or 17).
    prop = SUPER_CLASS.properties[0x81]
    assert prop.decode(bytes(17)) == bytes(17)
    assert prop.decode(b"\x01") == b"\x01"
    # 0x83 changed from settable (release A) to not settable (B..latest).
    assert SUPER_CLASS.properties[0x83].set is Access.NOT_APPLICABLE
    # every class of the MRA folder is there, plus the supplement
    codes = {int(p.stem, 16) for p in (MRA / "devices").glob("0x*.json")}
    assert not codes & SUPPLEMENT
    assert set(all_classes()) == codes | SUPPLEMENT


# -- package and lazy loading ----------------------------------------------------------------


def test_import_does_not_read_the_data() -> None:
    # An audit hook sees every file opened: none at import, the data file once on first use.
    # (How long the import takes is a figure of bench/: definitions.import_seconds.)
    code = (
        "import sys; opened = [];"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0]))"
        " if event == 'open' and str(args[0]).endswith('mra.json') else None);"
        "import custom_components.hems.echonet.definitions as d;"
        "assert not opened, f'data read at import: {opened}';"
        "assert d.get_class(0x0130).properties[0xB0].decode(b'\\x42') == 'cooling';"
        "d.get_class(0x0288); d.preload();"
        "assert len(opened) == 1, f'data read more than once: {opened}'"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_version_constant() -> None:
    assert MRA_VERSION == "1.3.1 (Release R)"
    assert definitions.MRA_VERSION is MRA_VERSION
    with pytest.raises(AttributeError):
        _ = definitions.NO_SUCH_NAME


# -- classes ------------------------------------------------------------------------------


def test_get_class_air_conditioner() -> None:
    aircon = get_class(0x0130)
    assert aircon is not None
    assert aircon.class_code == 0x0130
    assert aircon.group_code == 0x01
    assert aircon.name_en == "Home air conditioner"
    assert aircon.name_ja == "家庭用エアコン"
    assert aircon.short_name == "homeAirConditioner"
    assert aircon.key == "home_air_conditioner"
    assert get_class(0x0130) is aircon  # cached


def test_get_class_unknown_and_generic() -> None:
    assert get_class(0x0999) is None
    assert get_class(0x0001) is None  # gas leak sensor: printed Appendix only
    generic = class_or_generic(0x0999)
    assert generic.class_code == 0x0999
    assert generic.name_en == "Unknown class 0x0999"
    assert generic.name_ja == "不明なクラス 0x0999"
    assert set(generic.properties) == set(SUPER_CLASS.properties)
    assert generic.properties[0x80].decode(b"\x30") == "true"
    assert class_or_generic(0x0999) is generic
    assert class_or_generic(0x0130) is get_class(0x0130)


def test_all_classes() -> None:
    classes = all_classes()
    assert len(classes) == 55 + len(SUPPLEMENT)
    assert 0x0EF0 not in classes
    assert {0x0130, 0x0287, 0x0288, 0x027D, 0x0279, 0x05FF} <= set(classes)
    for code, cls in classes.items():
        assert cls.class_code == code
        assert get_class(code) is cls
        assert cls.key == re.sub(r"[^a-z0-9_]", "", cls.key)
    with pytest.raises(TypeError):
        classes[0x0130] = classes[0x0130]  # type: ignore[index]


def test_supplement_is_marked_and_not_mra_data() -> None:
    data = json.loads((PACKAGE / "mra.json").read_text(encoding="utf-8"))
    assert set(data["meta"]["supplement"]) == SUPPLEMENT
    sources = {c["code"]: c.get("source") for c in data["classes"]}
    assert {code for code, source in sources.items() if source == "supplement"} == SUPPLEMENT
    assert {source for code, source in sources.items() if code not in SUPPLEMENT} == {None}
    notice = (PACKAGE / "COPYRIGHT.txt").read_text(encoding="utf-8")
    assert '"source": "supplement" are not MRA data' in notice


def test_supplement_open_close_classes_share_0x0263_data() -> None:
    shutter = get_class(0x0263)
    assert shutter is not None
    names = {
        0x0261: ("Electrically operated shutter", "電動シャッター", "electric_shutter"),
        0x0262: ("Electrically operated curtain", "電動カーテン", "electric_curtain"),
        0x0264: ("Electrically operated gate", "電動ゲート", "electric_gate"),
        0x0265: ("Electrically operated window", "電動窓", "electric_window"),
        0x0266: (
            "Automatically operated entrance door/sliding door",
            "電動玄関ドア・引戸",
            "electric_door",
        ),
    }
    for code, (name_en, name_ja, key) in names.items():
        cls = get_class(code)
        assert cls is not None
        assert (cls.name_en, cls.name_ja, cls.key) == (name_en, name_ja, key)
        for epc in (0xE0, 0xE1, 0xEA):
            prop = cls.properties[epc]
            assert prop.key == shutter.properties[epc].key
            assert prop.name_en == shutter.properties[epc].name_en
        assert cls.properties[0xE0].decode(b"\x43") == "stop"
        assert cls.properties[0xE0].encode("open") == b"\x41"
        assert cls.properties[0xE1].decode(b"\x32") == 50
        assert cls.properties[0xEA].decode(b"\x45") == "stopped_halfway"
        assert cls.properties[0xE0].settable and cls.properties[0xEA].announced
        assert cls.properties[0x80] is SUPER_CLASS.properties[0x80]
    # each class keeps the 0x0263 properties it has: the slit only on the shutter
    assert 0xED in get_class(0x0261).properties  # type: ignore[union-attr]
    window = get_class(0x0265)
    assert window is not None
    assert 0xED not in window.properties and 0xE2 not in window.properties
    assert "slit_degree_of_opening" not in [o.key for o in window.properties[0xE9].options]


def test_supplement_open_close_sensor() -> None:
    sensor = get_class(0x0029)
    assert sensor is not None
    assert (sensor.name_en, sensor.name_ja, sensor.key) == (
        "Open/close sensor",
        "開閉センサ",
        "open_close_sensor",
    )
    status = sensor.properties[0xB1]
    assert status.key == "open_close_status"
    assert status.decode(b"\x41") == "open"
    assert status.decode(b"\x42") == "closed"
    assert status.announced and not status.settable
    degree = sensor.properties[0xE0]
    assert degree.decode(b"\x30") == "closed"
    assert degree.decode(b"\x34") == 4
    assert degree.decode(b"\x39") == "open_level_unknown"
    threshold = sensor.properties[0xB0]
    assert threshold.settable and threshold.levels == 8
    assert threshold.encode(2) == b"\x32"


@needs_mra
def test_mra_definition_wins_over_the_supplement(tmp_path: Path) -> None:
    mra = tmp_path / "mra"
    shutil.copytree(MRA, mra)
    doc = json.loads((mra / "devices" / "0x0263.json").read_text(encoding="utf-8"))
    doc["eoj"] = "0x0265"
    doc["className"] = {"ja": "窓(MRA)", "en": "Window from the MRA"}
    (mra / "devices" / "0x0265.json").write_text(json.dumps(doc), encoding="utf-8")
    assert _run(mra, "--out", tmp_path / "out").returncode == 0
    data = json.loads((tmp_path / "out" / "mra.json").read_text(encoding="utf-8"))
    window = next(c for c in data["classes"] if c["code"] == 0x0265)
    assert window["en"] == "Window from the MRA"
    assert "source" not in window
    assert 0x0265 not in data["meta"]["supplement"]


def test_super_class_merged_and_overridden() -> None:
    aircon = get_class(0x0130)
    sensor = get_class(0x0011)
    assert aircon is not None
    assert sensor is not None
    # inherited unchanged: the same definition object
    assert sensor.properties[0x8A] is SUPER_CLASS.properties[0x8A]
    assert aircon.properties[0x9F] is SUPER_CLASS.properties[0x9F]
    # the class overrides 0x80 (ON/OFF only, set required)
    assert aircon.properties[0x80] is not SUPER_CLASS.properties[0x80]
    assert aircon.properties[0x80].set is Access.REQUIRED
    assert SUPER_CLASS.properties[0x80].set is Access.OPTIONAL
    assert list(aircon.properties) == sorted(aircon.properties)


def test_property_keys_unique_and_snake_case() -> None:
    for cls in [*all_classes().values(), NODE_PROFILE, SUPER_CLASS]:
        keys = [p.key for p in cls.properties.values()]
        assert len(keys) == len(set(keys)), hex(cls.class_code)
        for prop in cls.properties.values():
            assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", prop.key), prop.key
            assert cls.by_key(prop.key) is prop
            options = [o.key for o in prop.options]
            assert len(options) == len(set(options)), (hex(cls.class_code), prop.key)
    controller = get_class(0x05FF)
    assert controller is not None
    assert controller.properties[0x8C].key == "product_code"
    assert controller.properties[0xC8].key == "product_code_of_the_device_to_be_controlled"
    assert SUPER_CLASS.properties[0x9F].key == "get_property_map"
    assert SUPER_CLASS.properties[0x97].key == "current_time_setting"
    assert NODE_PROFILE.properties[0x8A].key == "manufacturer"


def test_node_profile() -> None:
    assert NODE_PROFILE.class_code == 0x0EF0
    assert NODE_PROFILE.key == "node_profile"
    assert get_class(0x0EF0) is NODE_PROFILE
    assert {0x80, 0x82, 0x83, 0x8A, 0x9D, 0x9E, 0x9F, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7} <= set(
        NODE_PROFILE.properties
    )
    assert 0x81 not in NODE_PROFILE.properties  # device super class does not apply
    assert NODE_PROFILE.properties[0xD5].inf is Access.REQUIRED


def test_super_class() -> None:
    assert SUPER_CLASS.class_code == 0x0000
    assert SUPER_CLASS.properties[0x88].announced
    assert SUPER_CLASS.mcrules_deleted_epcs == frozenset({0x93})


def test_property_access() -> None:
    aircon = get_class(0x0130)
    battery = get_class(0x027D)
    assert aircon is not None
    assert battery is not None
    mode = aircon.properties[0xB0]
    assert (mode.get, mode.set, mode.inf) == (Access.REQUIRED,) * 3
    assert mode.gettable and mode.settable and mode.announced
    buzzer = aircon.properties[0xD0]
    assert buzzer.get is Access.NOT_APPLICABLE
    assert not buzzer.gettable and buzzer.settable and not buzzer.announced
    assert battery.properties[0xE2].get is Access.CONDITIONAL  # MRA "required_c"
    room = aircon.properties[0xBB]
    assert room.settable is False


def test_property_names_and_units() -> None:
    aircon = get_class(0x0130)
    meter = get_class(0x0288)
    assert aircon is not None
    assert meter is not None
    prop = aircon.properties[0xB3]
    assert prop.epc == 0xB3
    assert prop.name_en == "Set temperature value"
    assert prop.name_ja == "温度設定値"
    assert prop.short_name == "targetTemperature"
    assert prop.key == "target_temperature"
    assert prop.unit == "Celsius"
    assert aircon.properties[0xB4].unit == "%"
    assert aircon.properties[0xB0].unit is None
    assert meter.properties[0xE0].unit == "kWh"
    assert meter.properties[0xE7].unit == "W"
    assert meter.properties[0xE8].unit == "A"  # object whose fields share the unit
    assert meter.properties[0xE2].unit == "kWh"  # day + history array of kWh


def test_atomic() -> None:
    meter = get_class(0x0288)
    assert meter is not None
    assert meter.properties[0xE2].atomic == 0xE5
    assert meter.properties[0xEC].atomic == 0xED
    assert meter.properties[0xE0].atomic is None


def test_mcrules_information() -> None:
    meter = get_class(0x0288)
    board = get_class(0x0287)
    hv = get_class(0x028A)
    aircon = get_class(0x0130)
    assert meter is not None
    assert board is not None
    assert hv is not None
    assert aircon is not None
    assert meter.coefficient_epcs == frozenset({0xD3, 0xE1})
    assert meter.properties[0xE0].coefficient_epcs == (0xD3, 0xE1)
    assert meter.properties[0xE7].coefficient_epcs == ()
    assert {0xD3, 0xE1, 0xE5, 0xED, 0xEF} <= meter.mcrules_deleted_epcs
    assert 0x93 in meter.mcrules_deleted_epcs  # super-class rule
    assert board.coefficient_epcs == frozenset({0xC2})
    assert {0xB2, 0xB4, 0xB6} <= board.mcrules_deleted_epcs
    assert hv.coefficient_epcs == frozenset({0xCD, 0xD3, 0xD4, 0xE6})
    assert {0x80, 0x8F} <= aircon.mcrules_deleted_epcs
    assert aircon.coefficient_epcs == frozenset()
    # coefficient properties are numeric and present in their class
    for cls in all_classes().values():
        for epc in cls.coefficient_epcs:
            assert cls.properties[epc].data.kind in ("number", "numericValue")
    # the MCRules data overrides are NOT applied: 0x0130 0x92 stays an HH:MM relative time
    assert aircon.properties[0x92].data.kind == "time"
    assert SUPER_CLASS.properties[0x8A].decode(b"\x00\x00\x06") == b"\x00\x00\x06"


def test_unknown_property() -> None:
    aircon = get_class(0x0130)
    assert aircon is not None
    prop = aircon.get(0xF5)
    assert 0xF5 not in aircon.properties
    assert prop.epc == 0xF5
    assert prop.name_en == "Unknown property 0xF5"
    assert prop.name_ja == "不明なプロパティ 0xF5"
    assert prop.key == "unknown_0xf5"
    assert prop.decode(b"\x01\x02") == b"\x01\x02"
    assert prop.decode(b"") == b""
    assert prop.encode(b"\xaa") == b"\xaa"
    assert aircon.get(0xF5) is prop
    assert aircon.get(0x80) is aircon.properties[0x80]
    assert aircon.by_key("no_such_key") is None


def test_definitions_are_frozen() -> None:
    aircon = get_class(0x0130)
    assert aircon is not None
    prop = aircon.properties[0x80]
    with pytest.raises(FrozenInstanceError):
        prop.key = "x"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        aircon.name_en = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        aircon.properties[0x80] = prop  # type: ignore[index]
    assert isinstance(aircon, ClassDef)
    assert isinstance(prop, PropertyDef)
    invalid = Invalid("why", b"\x01")
    with pytest.raises(FrozenInstanceError):
        invalid.reason = "x"  # type: ignore[misc]
    assert invalid == Invalid("why", b"\x01")
    assert "why" in str(invalid)
