"""Property maps (0x9D announcement, 0x9E Set, 0x9F Get).

A map is a list (count + EPCs) when it holds fewer than 16 properties, otherwise a 17-byte
bitmap: count, then 16 bytes where EPC ``e`` is bit ``(e >> 4) - 8`` of byte ``1 + (e & 0x0F)``.

Real stacks get this wrong in several ways: a count byte that disagrees with the EPCs listed
(``03 80 B1``), a bitmap with bytes missing or extra, trailing bytes after a list.
:func:`parse_property_map` takes the EPCs that are there and says what was wrong, so that a
light whose Set map is slightly malformed can still be switched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import FrameError

#: Bytes of a bitmap map after its count byte.
_BITMAP_BYTES = 16


@dataclass(frozen=True, slots=True)
class PropertyMap:
    """The EPCs of a map and, when it was malformed, what was wrong (None: well-formed)."""

    epcs: frozenset[int]
    problem: str | None = None


def _bitmap(body: bytes) -> frozenset[int]:
    found: set[int] = set()
    for low, byte in enumerate(body[:_BITMAP_BYTES]):
        for bit in range(8):
            if byte & (1 << bit):
                found.add(((bit + 8) << 4) | low)
    return frozenset(found)


def parse_property_map(edt: bytes) -> PropertyMap:
    """Decode a map in either form, tolerating the malformed forms real devices send.

    Never raises: whatever EPCs the data holds are kept (an empty EDT gives none).
    """
    if not edt:
        return PropertyMap(frozenset(), "empty map")
    count, body = edt[0], edt[1:]
    looks_listed = all(epc >= 0x80 for epc in body) and len(set(body)) == len(body)
    if count >= 16 and len(body) < _BITMAP_BYTES and looks_listed:
        # A list of up to 15 EPCs whose count says 16 or more (a bitmap's bytes are bit
        # masks: every one of them holding EPC 0xF_ is implausible).
        return PropertyMap(frozenset(body), f"count {count}, EPCs listed: {len(body)}")
    if count >= 16:
        epcs = _bitmap(body)
        if len(body) < _BITMAP_BYTES:
            return PropertyMap(epcs, f"bitmap of {len(body)} bytes after the count (16 expected)")
        if len(body) > _BITMAP_BYTES:
            return PropertyMap(epcs, f"{len(body) - _BITMAP_BYTES} bytes after the bitmap")
        # A count that disagrees with a whole bitmap is harmless (and common): the bits count.
        return PropertyMap(epcs)
    if len(body) == count and looks_listed:
        return PropertyMap(frozenset(body))
    if len(body) == _BITMAP_BYTES and len(_bitmap(body)) == count:
        # A bitmap (16 bytes) whose count says it holds fewer than 16 EPCs: it is a bitmap.
        return PropertyMap(_bitmap(body), "bitmap form for fewer than 16 EPCs")
    listed = [epc for epc in body if epc >= 0x80]
    epcs = frozenset(listed)
    if len(listed) == count:
        return PropertyMap(epcs, f"bytes that are not EPCs: {len(body) - count}")
    return PropertyMap(epcs, f"count {count}, EPCs listed: {len(listed)}")


def decode_property_map(edt: bytes) -> frozenset[int]:
    """Decode a well-formed property map.  Raises :class:`FrameError` on malformed data."""
    parsed = parse_property_map(edt)
    if parsed.problem is not None:
        raise FrameError(f"malformed property map: {parsed.problem}")
    return parsed.epcs


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
