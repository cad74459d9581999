"""Property maps (0x9D announcement, 0x9E Set, 0x9F Get).

A map is a list (count + EPCs) when it holds fewer than 16 properties, otherwise a 17-byte
bitmap: count, then 16 bytes where EPC ``e`` is bit ``(e >> 4) - 8`` of byte ``1 + (e & 0x0F)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import FrameError


def decode_property_map(edt: bytes) -> frozenset[int]:
    """Decode a property map in either form.  Raises :class:`FrameError` on malformed data."""
    if not edt:
        raise FrameError("empty property map")
    count = edt[0]
    if count < 16:
        epcs = edt[1 : 1 + count]
        if len(epcs) != count:
            raise FrameError(f"property map lists {count} EPCs but carries {len(epcs)}")
        return frozenset(epcs)
    if len(edt) < 17:
        raise FrameError(f"bitmap property map of {len(edt)} bytes (17 expected)")
    found: set[int] = set()
    for low in range(16):
        byte = edt[1 + low]
        if not byte:
            continue
        for bit in range(8):
            if byte & (1 << bit):
                found.add(((bit + 8) << 4) | low)
    return frozenset(found)


def encode_property_map(epcs: Iterable[int]) -> bytes:
    """Encode a property map (list form below 16 properties, bitmap form otherwise)."""
    unique = sorted(set(epcs))
    for epc in unique:
        if not 0x80 <= epc <= 0xFF:
            raise FrameError(f"EPC 0x{epc:02X} cannot be in a property map")
    if len(unique) < 16:
        return bytes((len(unique), *unique))
    out = bytearray(17)
    out[0] = len(unique)
    for epc in unique:
        out[1 + (epc & 0x0F)] |= 1 << ((epc >> 4) - 8)
    return bytes(out)
