#!/usr/bin/env python3
"""Add the generated translations to translations/en.json and ja.json.

Hand-written strings stay as they are; this script (re)writes only:

* the generic fallback entities ``entity.<platform>.x<class>_<epc>``: every property of every
  MRA class, named from the MRA in English and Japanese, with its states;
* the ``state`` tables of curated enum sensors and selects whose options come from the MRA
  (hand-written labels win).

It also keeps ``icons.json`` complete: every entity translation key gets an icon (hand-chosen
ones in ``icons.json`` are kept; missing ones are chosen from the key, the MRA unit and the
platform).

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

from custom_components.hems.echonet.definitions import (  # noqa: E402
    SUPER_CLASS,
    ClassDef,
    PropertyDef,
    all_classes,
    class_or_generic,
)
from custom_components.hems.hub.catalog import SELECTS, SENSORS  # noqa: E402
from custom_components.hems.hub.generic import (  # noqa: E402
    SKIP,
    Kind,
    _switch_states,
    kind_of,
)

TRANSLATIONS = ROOT / "custom_components" / "hems" / "translations"
ICONS = ROOT / "custom_components" / "hems" / "icons.json"

#: (substring of the key or of the MRA unit/name, icon), first match wins.
ICON_RULES: tuple[tuple[str, str], ...] = (
    ("fault", "mdi:alert-circle-outline"),
    ("alarm", "mdi:shield-home-outline"),
    ("price", "mdi:currency-jpy"),
    ("cost", "mdi:cash"),
    ("bill", "mdi:receipt-text-outline"),
    ("revenue", "mdi:cash-plus"),
    ("co2", "mdi:molecule-co2"),
    ("self_sufficiency", "mdi:home-lightning-bolt-outline"),
    ("self_consumption", "mdi:home-battery-outline"),
    ("record", "mdi:trophy-outline"),
    ("target", "mdi:bullseye-arrow"),
    ("peak", "mdi:chart-bell-curve-cumulative"),
    ("warmest", "mdi:thermometer-high"),
    ("coldest", "mdi:thermometer-low"),
    ("solar", "mdi:solar-power-variant"),
    ("generat", "mdi:solar-power"),
    ("state_of_charge", "mdi:battery-medium"),
    ("charg", "mdi:battery-charging"),
    ("battery", "mdi:battery"),
    ("vehicle", "mdi:car-electric"),
    ("water", "mdi:water"),
    ("hot_water", "mdi:water-boiler"),
    ("boil", "mdi:water-boiler"),
    ("bath", "mdi:bathtub-outline"),
    ("gas", "mdi:fire"),
    ("temperature", "mdi:thermometer"),
    ("humidity", "mdi:water-percent"),
    ("door", "mdi:door"),
    ("lock", "mdi:lock-outline"),
    ("open", "mdi:window-open-variant"),
    ("motion", "mdi:motion-sensor"),
    ("occupan", "mdi:home-account"),
    ("smoke", "mdi:smoke"),
    ("pollution", "mdi:air-filter"),
    ("filter", "mdi:air-filter"),
    ("current", "mdi:current-ac"),
    ("voltage", "mdi:sine-wave"),
    ("circuit", "mdi:electric-switch"),
    ("link_quality", "mdi:signal"),
    ("connection", "mdi:connection"),
    ("timer", "mdi:timer-outline"),
    ("time", "mdi:clock-outline"),
    ("date", "mdi:calendar"),
    ("fan", "mdi:fan"),
    ("air_flow", "mdi:fan"),
    ("light", "mdi:lightbulb-outline"),
    ("mode", "mdi:tune"),
    ("level", "mdi:tune-variant"),
    ("power", "mdi:flash"),
    ("energy", "mdi:lightning-bolt"),
    ("kwh", "mdi:lightning-bolt"),
)
PLATFORM_ICONS: dict[str, str] = {
    "sensor": "mdi:information-outline",
    "binary_sensor": "mdi:checkbox-marked-circle-outline",
    "switch": "mdi:toggle-switch-outline",
    "select": "mdi:form-select",
    "number": "mdi:numeric",
    "button": "mdi:gesture-tap-button",
    "event": "mdi:bell-outline",
    "lock": "mdi:lock-outline",
    "climate": "mdi:thermostat",
    "fan": "mdi:fan",
    "water_heater": "mdi:water-boiler",
    "alarm_control_panel": "mdi:shield-home-outline",
}


def _icon(platform: str, key: str, name: str) -> str | None:
    text = f"{key} {name}".lower().replace(" ", "_")
    for needle, icon in ICON_RULES:
        if needle in text:
            return icon
    return PLATFORM_ICONS.get(platform)


def build_icons(current: dict[str, object], en: dict[str, object]) -> dict[str, object]:
    """icons.json with an icon for every entity translation key (hand-chosen ones kept)."""
    data = json.loads(json.dumps(current))
    icons = data.setdefault("entity", {})
    entity = en.get("entity", {})
    assert isinstance(entity, dict)
    for platform, keys in entity.items():
        if platform not in PLATFORM_ICONS:
            continue
        slot = icons.setdefault(platform, {})
        for key, value in keys.items():
            if key in slot:
                continue
            name = value.get("name", "") if isinstance(value, dict) else ""
            icon = _icon(platform, key, name)
            if icon:
                slot[key] = {"default": icon}
        icons[platform] = dict(sorted(slot.items()))
    data["entity"] = dict(sorted(icons.items()))
    data.setdefault(
        "services",
        {
            "get_property": {"service": "mdi:download-network-outline"},
            "set_property": {"service": "mdi:upload-network-outline"},
        },
    )
    return data


GENERATED = re.compile(r"^x[0-9a-f]{4}_[0-9a-f]{2}$")
LANGUAGES = ("en", "ja")


#: A leading ``<group>`` (the MRA's "<Washing course> Standard"): Home Assistant refuses
#: strings that look like HTML tags, so the group becomes a prefix ("Washing course: Standard").
LEADING_GROUP = re.compile(r"^\s*<([^<>]+)>\s*")


def _clean(text: str) -> str:
    """A translation string from MRA text.

    Braces are placeholders in translations (the MRA has none, but be safe); angle brackets
    read as HTML (hassfest refuses ``<...>``): a leading ``<group>`` becomes ``group:``, any
    other ``<`` / ``>`` its full-width form, as the Japanese MRA text writes them.
    """
    text = LEADING_GROUP.sub(lambda m: f"{m.group(1).strip()}: ", text)
    text = text.replace("<", "＜").replace(">", "＞")
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
            if sensor.device_class == "enum" and sensor.translation_key:
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
    en = json.loads((TRANSLATIONS / "en.json").read_text(encoding="utf-8"))
    if not args.check:
        en = build("en", en)
    current_icons = json.loads(ICONS.read_text(encoding="utf-8")) if ICONS.exists() else {}
    icons_text = render(build_icons(current_icons, en))
    if not ICONS.exists() or ICONS.read_text(encoding="utf-8") != icons_text:
        stale.append(ICONS.name)
        if not args.check:
            ICONS.write_text(icons_text, encoding="utf-8")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)} (run scripts/generate_translations.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
