"""ECHONET Lite protocol constants."""

from __future__ import annotations

from enum import IntEnum
from typing import Final

ECHONET_PORT: Final = 3610
MULTICAST_GROUP_V4: Final = "224.0.23.0"

EHD1: Final = 0x10
EHD2_FORMAT1: Final = 0x81
EHD2_FORMAT2: Final = 0x82

#: Largest EDT a PDC byte can describe.
MAX_PDC: Final = 255
#: OPC is one byte.
MAX_OPC: Final = 255


class ESV(IntEnum):
    """ECHONET Lite service codes."""

    SETI_SNA = 0x50
    SETC_SNA = 0x51
    GET_SNA = 0x52
    INF_SNA = 0x53
    SETGET_SNA = 0x5E
    SETI = 0x60
    SETC = 0x61
    GET = 0x62
    INF_REQ = 0x63
    SETGET = 0x6E
    SET_RES = 0x71
    GET_RES = 0x72
    INF = 0x73
    INFC = 0x74
    INFC_RES = 0x7A
    SETGET_RES = 0x7E


#: Services whose frame carries two property lists (set part, then get part).
SETGET_SERVICES: Final = frozenset({ESV.SETGET, ESV.SETGET_RES, ESV.SETGET_SNA})

#: Requests and the answers that close them (positive first, then the SNA).
ANSWERS: Final[dict[int, tuple[int, int]]] = {
    ESV.SETI: (ESV.SETI_SNA, ESV.SETI_SNA),  # SetI is answered only when it fails
    ESV.SETC: (ESV.SET_RES, ESV.SETC_SNA),
    ESV.GET: (ESV.GET_RES, ESV.GET_SNA),
    ESV.INF_REQ: (ESV.INF, ESV.INF_SNA),
    ESV.SETGET: (ESV.SETGET_RES, ESV.SETGET_SNA),
    ESV.INFC: (ESV.INFC_RES, ESV.INFC_RES),
}

# Well-known objects (class group, class code).
NODE_PROFILE_CLASS: Final = 0x0EF0
CONTROLLER_CLASS: Final = 0x05FF

# Node profile properties.
EPC_OPERATING_STATUS: Final = 0x80
EPC_VERSION_INFO: Final = 0x82
EPC_IDENTIFICATION_NUMBER: Final = 0x83
EPC_FAULT_STATUS: Final = 0x88
EPC_MANUFACTURER_CODE: Final = 0x8A
EPC_PRODUCT_CODE: Final = 0x8C
EPC_PRODUCTION_NUMBER: Final = 0x8D
EPC_PRODUCTION_DATE: Final = 0x8E
EPC_INSTANCE_COUNT: Final = 0xD3
EPC_CLASS_COUNT: Final = 0xD4
EPC_INSTANCE_LIST_NOTIFICATION: Final = 0xD5
EPC_SELF_NODE_INSTANCE_LIST: Final = 0xD6
EPC_SELF_NODE_CLASS_LIST: Final = 0xD7
EPC_STANDARD_VERSION: Final = 0x82
EPC_INF_PROPERTY_MAP: Final = 0x9D
EPC_SET_PROPERTY_MAP: Final = 0x9E
EPC_GET_PROPERTY_MAP: Final = 0x9F
