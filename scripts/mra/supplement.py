"""The supplement: classes of the printed Appendix that the MRA does not cover."""

from __future__ import annotations

import json

from .common import Json, hexint

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
