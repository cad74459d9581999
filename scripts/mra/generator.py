"""The generator: one MRA folder in, the files of ``echonet/definitions/`` out."""

from __future__ import annotations

import json
from pathlib import Path
import re

from .common import Json, MRAError, coefficients, hexint, snake
from .datatypes import TypeNormaliser
from .names import names_module
from .supplement import (
    OPEN_CLOSE_BASE,
    OPEN_CLOSE_CLASSES,
    OPEN_CLOSE_SENSOR,
    SUPPLEMENT_NOTE,
    derive_open_close,
)

DATA_FILE = "mra.json"
COPYRIGHT_FILE = "COPYRIGHT.txt"
NAMES_FILE = "names.py"

ACCESS = {
    "required": "required",
    "optional": "optional",
    "required_c": "conditional",
    "required_o": "conditional",
    "notApplicable": "not_applicable",
}


class Generator:
    """Reads one MRA folder and produces the normalised data."""

    def __init__(self, mra: Path) -> None:
        self.mra = mra
        self.types = TypeNormaliser(self._load("definitions/definitions.json")["definitions"])

    def _load(self, rel: str) -> Json:
        path = self.mra / rel
        try:
            with path.open(encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError) as err:
            raise MRAError(f"cannot read {path}: {err}") from err

    # -- $ref ---------------------------------------------------------------------------

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
            "data": self.types.normalise(self.types.resolve(prop["data"]), here),
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
            self.check_mcrulecoefficients(record, mcrules, where)
        return record

    def check_mcrulecoefficients(self, record: Json, mcrules: Json, where: str) -> None:
        """Every coefficient the MCRules mention must be in the device data already."""
        by_epc = {p["epc"]: p for p in record["props"]}
        for rule in mcrules["properties"]:
            if "data" not in rule:
                continue
            wanted = set(coefficients(self.types.resolve(rule["data"])))
            epc = hexint(rule["epc"])
            have = set(coefficients(by_epc[epc]["data"])) if epc in by_epc else set()
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
        checkcoefficients(super_class, None)
        checkcoefficients(node_profile, None)
        for record in classes:
            checkcoefficients(record, super_class)
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


def checkcoefficients(record: Json, super_class: Json | None) -> None:
    """Coefficient EPCs must be number or numericValue properties of the same class."""
    props = {p["epc"]: p for p in (super_class["props"] if super_class else [])}
    props.update({p["epc"]: p for p in record["props"]})
    for prop in record["props"]:
        for epc in coefficients(prop["data"]):
            target = props.get(epc)
            if target is None or target["data"]["t"] not in ("number", "numericValue"):
                raise MRAError(
                    f"class 0x{record['code']:04X} 0x{prop['epc']:02X}: coefficient 0x{epc:02X} "
                    "is not a numeric property of the class"
                )
