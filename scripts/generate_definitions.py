#!/usr/bin/env python3
"""Generate the ECHONET Lite device definitions from the Machine Readable Appendix (MRA).

Usage::

    python scripts/generate_definitions.py [MRA_DIR] [--out DIR] [--check]

``MRA_DIR`` defaults to ``../shared/mra`` relative to the repository root.  The output goes to
``custom_components/hems/echonet/definitions/`` (``--out`` to change it):

- ``mra.json``: every device class, the device super class and the node profile, with each
  property's latest-release variant only, every ``$ref`` resolved and the data types normalised
  into the compact form that ``definitions/datatypes.py`` builds its codecs from (see
  ``_normalise_type`` below for the exact schema).  Keys are sorted and the output is stable, so
  regenerating from the same MRA gives byte-identical files.
- ``COPYRIGHT.txt``: the MRA licence notice, which must ship beside the derived data.
- ``names.py``: named constants of the same data for code that refers to classes and
  properties (``HomeAirConditioner.CODE == 0x0130``, ``HomeAirConditioner.OPERATION_MODE ==
  0xB0``): one namespace class per device class, with its properties by their MRA short names;
  device classes inherit the super class's (``SuperClass.OPERATION_STATUS``).

``--check`` writes nothing: it exits 1 when the committed files differ from what would be
generated (and says which), 0 when they are up to date.

The MRA's MCRules (``MCRules/*.json``) describe the ECHONET Lite Web API representation of some
properties (JSON shapes, values with their coefficients already applied, URL parameters).  Their
``data`` overrides change the representation, not the bytes on the wire, so they are not applied
to the codec.  Kept from them: the ``DEL`` actions (``mcrules_deleted`` per class) and a check
that every coefficient reference they make is also in the device data (which the codec applies).

A small supplement adds classes of the printed Appendix that the MRA does not cover (see
``SUPPLEMENT_NOTE`` below): they go through the same normalisation, are marked
``"source": "supplement"`` in ``mra.json`` and listed in ``meta.supplement``, and
``COPYRIGHT.txt`` says that they are not MRA data.  A class that the MRA itself defines always
wins over the supplement's.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
import json
from pathlib import Path
import re
import sys
from typing import Any
import unicodedata

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MRA = REPO_ROOT.parent / "shared" / "mra"
DEFAULT_OUT = REPO_ROOT / "custom_components" / "hems" / "echonet" / "definitions"
DATA_FILE = "mra.json"
COPYRIGHT_FILE = "COPYRIGHT.txt"
NAMES_FILE = "names.py"

FORMATS: dict[str, tuple[int, bool]] = {
    "uint8": (1, False),
    "int8": (1, True),
    "uint16": (2, False),
    "int16": (2, True),
    "uint32": (4, False),
    "int32": (4, True),
}
ACCESS = {
    "required": "required",
    "optional": "optional",
    "required_c": "conditional",
    "required_o": "conditional",
    "notApplicable": "not_applicable",
}

Json = Any


class MRAError(Exception):
    """The MRA data is not what this generator understands."""


def snake(name: str) -> str:
    """``homeAirConditioner`` -> ``home_air_conditioner``, ``multipleInputPCS`` -> ``..._pcs``."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"_+", "_", s).strip("_").lower()
    if not s:
        raise MRAError(f"cannot make a key of {name!r}")
    return s


def unique_keys(names: Iterable[str]) -> list[str]:
    """Snake-case keys, made unique with ``_2``, ``_3``... in order of appearance."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        key = snake(name)
        if key in seen:
            n = seen[key] + 1
            while f"{key}_{n}" in seen:
                n += 1
            seen[key] = n
            key = f"{key}_{n}"
        seen[key] = 1
        out.append(key)
    return out


def hexint(text: str) -> int:
    if not re.fullmatch(r"0x[0-9A-Fa-f]+", text):
        raise MRAError(f"not a hex number: {text!r}")
    return int(text, 16)


class Generator:
    """Reads one MRA folder and produces the normalised data."""

    def __init__(self, mra: Path) -> None:
        self.mra = mra
        self.definitions: dict[str, Json] = self._load("definitions/definitions.json")[
            "definitions"
        ]

    def _load(self, rel: str) -> Json:
        path = self.mra / rel
        try:
            with path.open(encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError) as err:
            raise MRAError(f"cannot read {path}: {err}") from err

    # -- $ref ---------------------------------------------------------------------------

    def resolve(self, node: Json) -> Json:
        """Resolve every ``$ref`` (sibling keys override the referenced definition)."""
        if isinstance(node, list):
            return [self.resolve(x) for x in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            prefix = "#/definitions/"
            if not ref.startswith(prefix) or ref[len(prefix) :] not in self.definitions:
                raise MRAError(f"unknown $ref {ref!r}")
            merged = dict(self.definitions[ref[len(prefix) :]])
            merged.update({k: v for k, v in node.items() if k != "$ref"})
            return self.resolve(merged)
        return {k: self.resolve(v) for k, v in node.items()}

    # -- types --------------------------------------------------------------------------

    def normalise(self, node: Json, where: str, *, in_bitmap: bool = False) -> Json:
        """Normalise one resolved MRA data type into the compact schema.

        Schema (``t`` is the kind; every node has ``size``: the fixed EDT size or null):

        - number: fmt, min, max, mul (scale, absent = 1), unit, coef (EPC list),
          ovf / unf (false when the MRA disables the overflow / underflow codes), enum
        - state: opts [{edt, to (last EDT of a range), key, name, en, ja, ro}]
        - numericValue: opts [[edt, value]]
        - level: base, max            - bitmap: bits [{key, name, en, ja, index, mask, type}]
        - date-time / date: size      - time: size, maxh (largest hour, 23 unless relative)
        - raw: min, max               - array: item, isz, min, max
        - object: fields [{key, name, en, ja, type}]     - oneOf: alts
        """
        if not isinstance(node, dict):
            raise MRAError(f"{where}: data type is not an object")
        if "oneOf" in node:
            alts = [self.normalise(x, where) for x in node["oneOf"]]
            sizes = {a["size"] for a in alts}
            return {"t": "oneOf", "alts": alts, "size": sizes.pop() if len(sizes) == 1 else None}
        kind = node.get("type")
        handler = getattr(self, "_t_" + str(kind).replace("-", "_"), None)
        if handler is None:
            raise MRAError(f"{where}: unknown data type {kind!r}")
        out: Json = handler(node, where, in_bitmap)
        return out

    def _t_number(self, node: Json, where: str, _bm: bool) -> Json:
        fmt = node.get("format")
        if fmt not in FORMATS:
            raise MRAError(f"{where}: unknown number format {fmt!r}")
        size, signed = FORMATS[fmt]
        lo_fmt = -(1 << (size * 8 - 1)) if signed else 0
        hi_fmt = (1 << (size * 8 - 1)) - 1 if signed else (1 << (size * 8)) - 1
        out: Json = {"t": "number", "fmt": fmt, "size": size}
        lo = node.get("minimum", lo_fmt)
        hi = node.get("maximum", hi_fmt)
        if not (isinstance(lo, int) and isinstance(hi, int) and lo_fmt <= lo <= hi <= hi_fmt):
            raise MRAError(f"{where}: range {lo}..{hi} does not fit {fmt}")
        out["min"], out["max"] = lo, hi
        mul = node.get("multiple", node.get("multipleOf", 1))
        if not isinstance(mul, int | float) or mul <= 0:
            raise MRAError(f"{where}: bad multiple {mul!r}")
        if mul != 1:
            out["mul"] = mul
        if "unit" in node:
            out["unit"] = node["unit"]
        if "coefficient" in node:
            out["coef"] = [hexint(c) for c in node["coefficient"]]
        if node.get("overflowCode", True) is False:
            out["ovf"] = False
        if node.get("underflowCode", True) is False:
            out["unf"] = False
        if "enum" in node:
            values = node["enum"]
            if not all(isinstance(v, int) and lo_fmt <= v <= hi_fmt for v in values):
                raise MRAError(f"{where}: bad enum {values!r}")
            out["enum"] = values
        return out

    def _t_state(self, node: Json, where: str, in_bitmap: bool) -> Json:
        size = node.get("size")
        if not isinstance(size, int) or (size == 0) != in_bitmap:
            raise MRAError(f"{where}: state size {size!r}")
        limit = 1 << (8 * size) if size else 256
        opts = []
        keys = unique_keys(e["name"] for e in node["enum"])
        for key, e in zip(keys, node["enum"], strict=True):
            first, _, last = e["edt"].partition("...")
            opt: Json = {
                "edt": hexint(first),
                "key": key,
                "name": e["name"],
                "en": e["descriptions"]["en"],
                "ja": e["descriptions"]["ja"],
            }
            if last:
                opt["to"] = hexint(last)
                if opt["to"] <= opt["edt"]:
                    raise MRAError(f"{where}: bad EDT range {e['edt']}")
            if e.get("readOnly"):
                opt["ro"] = True
            if max(opt["edt"], opt.get("to", 0)) >= limit:
                raise MRAError(f"{where}: EDT {e['edt']} does not fit {size} bytes")
            opts.append(opt)
        edts = [o["edt"] for o in opts]
        if len(set(edts)) != len(edts):
            raise MRAError(f"{where}: duplicate state EDT")
        return {"t": "state", "size": size, "opts": opts}

    def _t_numericValue(self, node: Json, where: str, _bm: bool) -> Json:
        size = node["size"]
        opts = [[hexint(e["edt"]), e["numericValue"]] for e in node["enum"]]
        if any(edt >= 1 << (8 * size) for edt, _ in opts):
            raise MRAError(f"{where}: numericValue EDT does not fit")
        return {"t": "numericValue", "size": size, "opts": opts}

    def _t_level(self, node: Json, where: str, in_bitmap: bool) -> Json:
        base_text = node.get("base")
        if base_text is None or "maximum" not in node:
            raise MRAError(f"{where}: level without base/maximum")
        size = 0 if in_bitmap else (len(base_text) - 2) // 2
        base, top = hexint(base_text), node["maximum"]
        if not in_bitmap and base + top - 1 >= 1 << (8 * size):
            raise MRAError(f"{where}: level does not fit")
        return {"t": "level", "size": size, "base": base, "max": top}

    def _t_bitmap(self, node: Json, where: str, _bm: bool) -> Json:
        size = node["size"]
        bits = []
        keys = unique_keys(b["name"] for b in node["bitmaps"])
        for key, b in zip(keys, node["bitmaps"], strict=True):
            index = b["position"]["index"]
            mask = int(b["position"]["bitMask"], 2)
            if not 0 <= index < size or not 0 < mask < 256:
                raise MRAError(f"{where}: bad bitmap position {b['position']}")
            value = self.normalise(b["value"], f"{where}/{key}", in_bitmap=True)
            width = (mask >> ((mask & -mask).bit_length() - 1)).bit_length()
            if value["t"] == "level" and value["base"] + value["max"] - 1 >= 1 << width:
                raise MRAError(f"{where}/{key}: level does not fit the mask")
            bits.append(
                {
                    "key": key,
                    "name": b["name"],
                    "en": b["descriptions"]["en"],
                    "ja": b["descriptions"]["ja"],
                    "index": index,
                    "mask": mask,
                    "type": value,
                }
            )
        return {"t": "bitmap", "size": size, "bits": bits}

    def _t_date_time(self, node: Json, where: str, _bm: bool) -> Json:
        size = node.get("size", 7)
        if not 4 <= size <= 7:
            raise MRAError(f"{where}: date-time size {size}")
        return {"t": "date-time", "size": size}

    def _t_date(self, node: Json, where: str, _bm: bool) -> Json:
        if node.get("size", 4) != 4:
            raise MRAError(f"{where}: date size {node.get('size')}")
        return {"t": "date", "size": 4}

    def _t_time(self, node: Json, where: str, _bm: bool) -> Json:
        size = node.get("size", 3)
        if size not in (2, 3):
            raise MRAError(f"{where}: time size {size}")
        return {"t": "time", "size": size, "maxh": node.get("maximumOfHour", 23)}

    def _t_raw(self, node: Json, where: str, _bm: bool) -> Json:
        lo, hi = node.get("minSize", 0), node.get("maxSize", 255)
        if not 0 <= lo <= hi <= 255:
            raise MRAError(f"{where}: raw size {lo}..{hi}")
        return {"t": "raw", "min": lo, "max": hi, "size": lo if lo == hi else None}

    def _t_array(self, node: Json, where: str, _bm: bool) -> Json:
        item = self.normalise(node["items"], f"{where}[]")
        isz = node.get("itemSize", item["size"])
        if item["size"] is None or isz != item["size"]:
            raise MRAError(f"{where}: array item size {isz} vs {item['size']}")
        lo, hi = node.get("minItems", 0), node.get("maxItems")
        if hi is None or not 0 <= lo <= hi:
            raise MRAError(f"{where}: array count {lo}..{hi}")
        size = isz * lo if lo == hi else None
        return {"t": "array", "item": item, "isz": isz, "min": lo, "max": hi, "size": size}

    def _t_object(self, node: Json, where: str, _bm: bool) -> Json:
        props = node["properties"]
        keys = unique_keys(p["shortName"] for p in props)
        fields = []
        for i, (key, p) in enumerate(zip(keys, props, strict=True)):
            ftype = self.normalise(p["element"], f"{where}.{key}")
            if ftype["size"] is None and i != len(props) - 1:
                raise MRAError(f"{where}.{key}: variable-size element before the last")
            name = p.get("elementName", {})
            fields.append(
                {
                    "key": key,
                    "name": p["shortName"],
                    "en": name.get("en", p["shortName"]),
                    "ja": name.get("ja", p["shortName"]),
                    "type": ftype,
                }
            )
        sizes = [f["type"]["size"] for f in fields]
        size = None if None in sizes else sum(sizes)
        return {"t": "object", "fields": fields, "size": size}

    # -- classes ------------------------------------------------------------------------

    def latest(self, doc: Json, where: str) -> list[Json]:
        """The latest-release variant of each property, sorted by EPC."""
        found: dict[int, Json] = {}
        for prop in doc["elProperties"]:
            if prop["validRelease"]["to"] != "latest":
                continue
            epc = hexint(prop["epc"])
            if epc in found:
                raise MRAError(f"{where}: two latest variants of 0x{epc:02X}")
            found[epc] = prop
        return [found[epc] for epc in sorted(found)]

    def property_record(self, prop: Json, where: str) -> Json:
        epc = hexint(prop["epc"])
        here = f"{where}/0x{epc:02X}"
        short = prop["shortName"]
        # The MRA marks properties the Web API does not show with shortName "DEL": key them
        # by their English name instead so that keys stay unique and meaningful.
        # "manufacturer(MC)" in the node profile: the parenthesis is not part of the name.
        plain = re.sub(r"\(.*?\)", "", short)
        key = snake(prop["propertyName"]["en"]) if short == "DEL" else snake(plain)
        access = prop["accessRule"]
        try:
            rule = [ACCESS[access[k]] for k in ("get", "set", "inf")]
        except KeyError as err:
            raise MRAError(f"{here}: unknown access rule {err}") from err
        record: Json = {
            "epc": epc,
            "en": prop["propertyName"]["en"],
            "ja": prop["propertyName"]["ja"],
            "short": short,
            "key": key,
            "get": rule[0],
            "set": rule[1],
            "inf": rule[2],
            "data": self.normalise(self.resolve(prop["data"]), here),
        }
        if "atomic" in prop:
            record["atomic"] = hexint(prop["atomic"])
        return record

    def class_record(self, doc: Json, where: str, mcrules: Json | None) -> Json:
        code = hexint(doc["eoj"])
        props = [self.property_record(p, where) for p in self.latest(doc, where)]
        record: Json = {
            "code": code,
            "en": doc["className"]["en"],
            "ja": doc["className"]["ja"],
            "short": doc["shortName"],
            "key": snake(doc["shortName"]),
            "props": props,
            "mcrules_deleted": [],
        }
        if mcrules is not None:
            if hexint(mcrules["eoj"]) != code:
                raise MRAError(f"{where}: MCRules for {mcrules['eoj']}")
            record["mcrules_deleted"] = sorted(
                hexint(r["epc"]) for r in mcrules["properties"] if r.get("action") == "DEL"
            )
            self.check_mcrule_coefficients(record, mcrules, where)
        return record

    def check_mcrule_coefficients(self, record: Json, mcrules: Json, where: str) -> None:
        """Every coefficient the MCRules mention must be in the device data already."""
        by_epc = {p["epc"]: p for p in record["props"]}
        for rule in mcrules["properties"]:
            if "data" not in rule:
                continue
            wanted = set(_coefficients(self.resolve(rule["data"])))
            epc = hexint(rule["epc"])
            have = set(_coefficients(by_epc[epc]["data"])) if epc in by_epc else set()
            if not wanted <= have:
                raise MRAError(f"{where}: MCRules coefficient {wanted - have} for 0x{epc:02X}")

    def supplement(self, mra_codes: set[int]) -> list[Json]:
        """Records of the supplement's classes that the MRA does not define itself."""
        docs: list[Json] = []
        if OPEN_CLOSE_BASE in mra_codes:
            base = self._load(f"devices/0x{OPEN_CLOSE_BASE:04X}.json")
            docs.extend(derive_open_close(base, code) for code in OPEN_CLOSE_CLASSES)
        docs.append(OPEN_CLOSE_SENSOR)
        records = []
        for doc in docs:
            code = hexint(doc["eoj"])
            if code in mra_codes:
                continue  # the MRA's own definition wins
            record = self.class_record(doc, f"supplement/0x{code:04X}", None)
            record["source"] = "supplement"
            records.append(record)
        return records

    def generate(self) -> dict[str, str]:
        """All output files: name -> text."""
        meta = self._load("metaData.json")["metaData"]
        version = f"{meta['dataVersion']} (Release {meta['release']})"
        mcrules: dict[int, Json] = {}
        for path in sorted((self.mra / "MCRules").glob("*.json")):
            rules = self._load(f"MCRules/{path.name}")
            mcrules[hexint(rules["eoj"])] = rules
        super_class = self.class_record(
            self._load("superClass/0x0000.json"), "superClass", mcrules.get(0x0000)
        )
        node_profile = self.class_record(self._load("nodeProfile/0x0EF0.json"), "0x0EF0", None)
        classes = []
        for path in sorted((self.mra / "devices").glob("0x*.json")):
            doc = self._load(f"devices/{path.name}")
            record = self.class_record(doc, path.stem, mcrules.get(hexint(doc["eoj"])))
            check_keys(record, super_class)
            classes.append(record)
        supplement = self.supplement({c["code"] for c in classes})
        for record in supplement:
            check_keys(record, super_class)
        classes.extend(supplement)
        classes.sort(key=lambda c: c["code"])
        check_keys(node_profile, None)
        check_coefficients(super_class, None)
        check_coefficients(node_profile, None)
        for record in classes:
            check_coefficients(record, super_class)
        data = {
            "meta": {
                "data_version": meta["dataVersion"],
                "release": meta["release"],
                "date": meta["date"],
                "format_version": meta["formatVersion"],
                "version": version,
                "supplement": sorted(c["code"] for c in supplement),
            },
            "super_class": super_class,
            "node_profile": node_profile,
            "classes": classes,
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        notice = (self.mra / "COPYRIGHT.txt").read_text(encoding="utf-8").rstrip("\n")
        copyright_text = (
            f"{notice}\n\n"
            f"---\n"
            f"{DATA_FILE} in this folder is derived from the ECHONET Machine Readable Appendix\n"
            f"(MRA) data version {meta['dataVersion']} (Appendix Release {meta['release']}, "
            f"{meta['date']}),\n"
            f"{meta['Copyright']}, under the licence above.\n"
            f"\n{SUPPLEMENT_NOTE}\n"
        )
        return {
            DATA_FILE: text + "\n",
            COPYRIGHT_FILE: copyright_text,
            NAMES_FILE: names_module(data),
        }


# -- names.py: the classes and properties as named constants -----------------------------------

NAMES_HEADER = '''"""Named ECHONET Lite class codes and property codes (EPCs), from the MRA.

Generated by scripts/generate_definitions.py from the same data as mra.json: do not edit.
One namespace per class: its code (``CODE``) and its properties by their MRA short names, e.g.
``HomeAirConditioner.CODE == 0x0130`` and ``HomeAirConditioner.OPERATION_MODE == 0xB0``.
Device classes inherit the properties of the device super class (``SuperClass``).
"""

from __future__ import annotations
'''


def _camel(short: str) -> str:
    """``homeAirConditioner`` -> ``HomeAirConditioner``."""
    return short[:1].upper() + short[1:]


def _width(text: str) -> int:
    """Columns ``text`` takes (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _docstring(code: int | None, record: Json) -> str:
    head = "" if code is None else f"0x{code:04X} "
    both = f'    """{head}{record["en"]} ({record["ja"]})."""'
    return both if _width(both) <= 100 else f'    """{head}{record["en"]}."""'


def _names_class(name: str, base: str, record: Json, inherited: dict[str, int]) -> list[str]:
    """One namespace class: the class code and the properties not inherited as they are."""
    code = record.get("code")
    lines = ["", "", f"class {name}{f'({base})' if base else ''}:", _docstring(code, record), ""]
    if code is not None:
        lines.append(f"    CODE = 0x{code:04X}")
    for prop in sorted(record["props"], key=lambda p: p["epc"]):
        const = prop["key"].upper()
        if const == "CODE":
            raise MRAError(f"{name}: a property is keyed 'code'")
        if inherited.get(const) != prop["epc"]:
            lines.append(f"    {const} = 0x{prop['epc']:02X}")
    return lines


def names_module(data: Json) -> str:
    """The text of ``names.py``."""
    lines = [NAMES_HEADER.rstrip("\n")]
    super_record = {**data["super_class"], "code": None}
    lines += _names_class("SuperClass", "", super_record, {})
    inherited = {p["key"].upper(): p["epc"] for p in data["super_class"]["props"]}
    lines += _names_class("NodeProfile", "", data["node_profile"], {})
    seen: set[str] = set()
    for record in data["classes"]:
        name = _camel(record["short"])
        if name in seen:  # two classes with one short name: the later one also gets its code
            name = f"{name}{record['code']:04X}"
        if name in seen or not name.isidentifier():
            raise MRAError(f"0x{record['code']:04X}: no unique class name from {name!r}")
        seen.add(name)
        lines += _names_class(name, "SuperClass", record, inherited)
    return "\n".join(lines) + "\n"


# -- supplement: Appendix classes that the MRA does not cover ----------------------------------

SUPPLEMENT_NOTE = (
    'Classes marked "source": "supplement" are not MRA data: scripts/generate_definitions.py\n'
    "adds them from the printed Appendix. The electrically operated open/close classes are\n"
    "derived from the MRA's 0x0263 data (the Appendix gives them the same properties; each keeps\n"
    "the ones it has), the open/close sensor 0x0029 is written out from the Appendix."
)

#: The MRA class whose data the other electrically operated open/close classes share.
OPEN_CLOSE_BASE = 0x0263
#: The properties every described open/close class has (0x0262 has no detailed requirements
#: in the Appendix: it gets these).
_OPEN_CLOSE_COMMON = (0x89, 0xD0, 0xD1, 0xD2, 0xE0, 0xE1, 0xE3, 0xE8, 0xE9, 0xEA, 0xEE, 0xEF)
#: class -> (English name, Japanese name, shortName, the 0x0263 properties the class has).
#: Names and property lists follow the Appendix (as in the Consortium's device descriptions);
#: properties a class has beyond 0x0263's (a window's rain detection 0xC1, a door's opening
#: time 0xD5 ...) are not added and decode as raw bytes.
OPEN_CLOSE_CLASSES: dict[int, tuple[str, str, str, tuple[int, ...]]] = {
    0x0261: (
        "Electrically operated shutter",
        "電動シャッター",
        "electricShutter",
        (*_OPEN_CLOSE_COMMON, 0x90, 0xE2, 0xE5, 0xED),
    ),
    0x0262: (
        "Electrically operated curtain",
        "電動カーテン",
        "electricCurtain",
        _OPEN_CLOSE_COMMON,
    ),
    0x0264: (
        "Electrically operated gate",
        "電動ゲート",
        "electricGate",
        (*_OPEN_CLOSE_COMMON, 0xE5),
    ),
    0x0265: (
        "Electrically operated window",
        "電動窓",
        "electricWindow",
        (*_OPEN_CLOSE_COMMON, 0x90, 0xE5),
    ),
    0x0266: (
        "Automatically operated entrance door/sliding door",
        "電動玄関ドア・引戸",
        "electricDoor",
        _OPEN_CLOSE_COMMON,
    ),
}
#: 0xE9's "slit degree-of-opening" option only exists in classes with the slit (0xED).
_SLIT_EPC = 0xED
_SLIT_OPTION = "0x45"

_LATEST = {"from": "A", "to": "latest"}

#: Open/close sensor (Appendix 0x0029): 0xB1 or 0xE0 is mandatory.
OPEN_CLOSE_SENSOR: Json = {
    "eoj": "0x0029",
    "className": {"ja": "開閉センサ", "en": "Open/close sensor"},
    "shortName": "openCloseSensor",
    "elProperties": [
        {
            "epc": "0xB0",
            "validRelease": _LATEST,
            "propertyName": {"ja": "検知閾値レベル設定", "en": "Detection threshold level"},
            "shortName": "detectionThresholdLevel",
            "accessRule": {"get": "optional", "set": "optional", "inf": "optional"},
            "data": {"$ref": "#/definitions/level_31-8"},
        },
        {
            "epc": "0xB1",
            "validRelease": _LATEST,
            "propertyName": {
                "ja": "開度検知状態2",
                "en": "Degree-of-opening detection status 2",
            },
            "shortName": "openCloseStatus",
            "accessRule": {"get": "required_c", "set": "notApplicable", "inf": "required"},
            "data": {
                "type": "state",
                "size": 1,
                "enum": [
                    {
                        "edt": "0x41",
                        "name": "open",
                        "descriptions": {"ja": "開検知", "en": "Open detected"},
                    },
                    {
                        "edt": "0x42",
                        "name": "closed",
                        "descriptions": {"ja": "閉検知", "en": "Close detected"},
                    },
                ],
            },
        },
        {
            "epc": "0xE0",
            "validRelease": _LATEST,
            "propertyName": {
                "ja": "開度検知状態1",
                "en": "Degree-of-opening detection status 1",
            },
            "shortName": "degreeOfOpening",
            "accessRule": {"get": "required_c", "set": "notApplicable", "inf": "optional"},
            "data": {
                "oneOf": [
                    {"$ref": "#/definitions/level_31-8"},
                    {
                        "type": "state",
                        "size": 1,
                        "enum": [
                            {
                                "edt": "0x30",
                                "name": "closed",
                                "descriptions": {"ja": "閉検知", "en": "Close detected"},
                            },
                            {
                                "edt": "0x39",
                                "name": "openLevelUnknown",
                                "descriptions": {"ja": "開度不明", "en": "Opening level unknown"},
                            },
                        ],
                    },
                ]
            },
        },
    ],
}


def derive_open_close(base: Json, code: int) -> Json:
    """The MRA document of ``OPEN_CLOSE_BASE`` as class ``code`` (its names and properties)."""
    name_en, name_ja, short, epcs = OPEN_CLOSE_CLASSES[code]
    doc: Json = json.loads(json.dumps(base))
    doc["eoj"] = f"0x{code:04X}"
    doc["className"] = {"ja": name_ja, "en": name_en}
    doc["shortName"] = short
    doc["elProperties"] = [p for p in doc["elProperties"] if hexint(p["epc"]) in epcs]
    for prop in doc["elProperties"]:
        if hexint(prop["epc"]) == 0xE9 and _SLIT_EPC not in epcs:
            data = prop["data"]
            data["enum"] = [e for e in data["enum"] if e["edt"] != _SLIT_OPTION]
    return doc


def _coefficients(node: Json) -> Iterable[int]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("coefficient", "coef"):
                yield from (hexint(v) if isinstance(v, str) else v for v in value)
            else:
                yield from _coefficients(value)
    elif isinstance(node, list):
        for value in node:
            yield from _coefficients(value)


def check_keys(record: Json, super_class: Json | None) -> None:
    """Make property keys unique within a class once the super class is merged in.

    A class property whose key is taken by a different super-class property (the controller's
    0xC8 "productCode" against the super class's 0x8C) is keyed by its English name instead,
    or, failing that, gets its EPC as a suffix.
    """
    inherited = {p["key"]: p["epc"] for p in (super_class["props"] if super_class else [])}
    own = {p["epc"] for p in record["props"]}
    taken = {k for k, epc in inherited.items() if epc not in own}
    for prop in record["props"]:
        if prop["key"] in taken:
            prop["key"] = snake(prop["en"])
            if prop["key"] in taken:
                prop["key"] = f"{prop['key']}_0x{prop['epc']:02x}"
    keys = [p["key"] for p in record["props"]] + sorted(taken)
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise MRAError(f"class 0x{record['code']:04X}: duplicate property keys {dup}")


def check_coefficients(record: Json, super_class: Json | None) -> None:
    """Coefficient EPCs must be number or numericValue properties of the same class."""
    props = {p["epc"]: p for p in (super_class["props"] if super_class else [])}
    props.update({p["epc"]: p for p in record["props"]})
    for prop in record["props"]:
        for epc in _coefficients(prop["data"]):
            target = props.get(epc)
            if target is None or target["data"]["t"] not in ("number", "numericValue"):
                raise MRAError(
                    f"class 0x{record['code']:04X} 0x{prop['epc']:02X}: coefficient 0x{epc:02X} "
                    "is not a numeric property of the class"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("mra", nargs="?", type=Path, default=DEFAULT_MRA, help="MRA folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output is not up to date"
    )
    args = parser.parse_args(argv)
    try:
        files = Generator(args.mra).generate()
    except (MRAError, KeyError, TypeError) as err:
        print(f"error: {err!r}", file=sys.stderr)
        return 2
    out: Path = args.out
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (out / name).is_file() or (out / name).read_bytes() != text.encode("utf-8")
        ]
        for name in stale:
            print(f"{out / name} is out of date; run scripts/generate_definitions.py")
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_bytes(text.encode("utf-8"))
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
