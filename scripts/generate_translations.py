#!/usr/bin/env python3
"""Add the generated translations to translations/en.json and ja.json.

Hand-written strings stay as they are; this script (re)writes only:

* the generic fallback entities ``entity.<platform>.x<class>_<epc>``: every property of every
  MRA class, named from the MRA in English and Japanese, with its states;
* the ``state`` tables of curated enum sensors and selects whose options come from the MRA
  (hand-written labels win).

``--check`` exits 1 when the files are not up to date.  Run after changing the catalog or
regenerating the definitions.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import re
import sys

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from custom_components.hems.catalog import SELECTS, SENSORS  # noqa: E402
from custom_components.hems.echonet.definitions import (  # noqa: E402
    SUPER_CLASS,
    ClassDef,
    PropertyDef,
    all_classes,
    class_or_generic,
)
from custom_components.hems.generic import (  # noqa: E402
    SKIP,
    Kind,
    _switch_states,
    kind_of,
)

TRANSLATIONS = ROOT / "custom_components" / "hems" / "translations"
GENERATED = re.compile(r"^x[0-9a-f]{4}_[0-9a-f]{2}$")
LANGUAGES = ("en", "ja")


def _clean(text: str) -> str:
    """Translations treat braces as placeholders: the MRA has none, but be safe."""
    return " ".join(text.replace("{", "(").replace("}", ")").split())


def _label(prop: PropertyDef, lang: str) -> str:
    return _clean(prop.name_ja if lang == "ja" else prop.name_en)


def _states(prop: PropertyDef, lang: str) -> dict[str, str]:
    return {o.key: _clean(o.ja if lang == "ja" else o.en) for o in prop.options}


def _platforms(prop: PropertyDef) -> list[str]:
    kind = kind_of(prop)
    out = []
    if prop.gettable:
        out.append("sensor")
    if prop.settable and kind is Kind.STATE:
        if prop.gettable:
            out.append("switch" if _switch_states(prop) else "select")
        elif len([o for o in prop.options if not o.read_only]) == 1:
            out.append("button")
    if prop.settable and prop.gettable and kind in (Kind.NUMBER, Kind.LEVEL):
        out.append("number")
    return out


def _generic(lang: str) -> dict[str, dict[str, dict[str, object]]]:
    out: dict[str, dict[str, dict[str, object]]] = {}

    def add(code: int, prop: PropertyDef) -> None:
        key = f"x{code:04x}_{prop.epc:02x}"
        for platform in _platforms(prop):
            entry: dict[str, object] = {"name": _label(prop, lang)}
            if platform in ("sensor", "select") and kind_of(prop) is Kind.STATE:
                entry["state"] = _states(prop, lang)
            out.setdefault(platform, {})[key] = entry

    for prop in SUPER_CLASS.properties.values():
        if prop.epc not in SKIP:
            add(0, prop)
    classes: list[ClassDef] = list(all_classes().values())
    for cls in classes:
        for epc, prop in cls.properties.items():
            if epc in SKIP:
                continue
            base = SUPER_CLASS.properties.get(epc)
            if base is not None and base == prop:
                continue  # shared super-class key
            add(cls.class_code, prop)
    return out


def _curated_states(lang: str) -> dict[str, dict[str, dict[str, str]]]:
    out: dict[str, dict[str, dict[str, str]]] = {}
    for code, descriptions in SENSORS.items():
        for sensor in descriptions:
            if sensor.options and sensor.translation_key:
                prop = class_or_generic(code).get(sensor.epcs[0])
                out.setdefault("sensor", {})[sensor.translation_key] = _states(prop, lang)
    for code, selects in SELECTS.items():
        for select in selects:
            if select.translation_key:
                prop = class_or_generic(code).get(select.epcs[0])
                out.setdefault("select", {})[select.translation_key] = _states(prop, lang)
    return out


def build(lang: str, current: dict[str, object]) -> dict[str, object]:
    """The file's content with the generated parts refreshed."""
    data = json.loads(json.dumps(current))
    entity = data.setdefault("entity", {})
    for platform in list(entity):
        entity[platform] = {k: v for k, v in entity[platform].items() if not GENERATED.match(k)}
    for platform, keys in _curated_states(lang).items():
        for key, states in keys.items():
            slot = entity.setdefault(platform, {}).setdefault(key, {})
            slot["state"] = {**states, **slot.get("state", {})}
    for platform, keys in _generic(lang).items():
        entity.setdefault(platform, {}).update(keys)
    for platform in list(entity):
        entity[platform] = dict(sorted(entity[platform].items()))
    return data


def render(data: dict[str, object]) -> str:
    """The JSON text as committed."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    stale = []
    for lang in LANGUAGES:
        path = TRANSLATIONS / f"{lang}.json"
        current = json.loads(path.read_text(encoding="utf-8"))
        text = render(build(lang, current))
        if path.read_text(encoding="utf-8") != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)} (run scripts/generate_translations.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
