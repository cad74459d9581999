"""ECHONET Lite frame codec.

A frame is ``EHD1 EHD2 TID SEOJ DEOJ ESV OPC (EPC PDC EDT)*``; SetGet services carry a second
``OPCGet (EPC PDC EDT)*`` list after the first.  Format 2 frames (EHD2 0x82) carry an arbitrary
payload after the TID; they are decoded as opaque.

:func:`decode_frame` never raises anything but :class:`FrameError` on any input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from struct import Struct
from typing import Any, Final, NamedTuple

from .const import EHD1, EHD2_FORMAT1, EHD2_FORMAT2, ESV, MAX_OPC, MAX_PDC, SETGET_SERVICES
from .errors import FrameError

_HEADER_SIZE = 12  # including OPC

Property = tuple[int, bytes]
"""An (EPC, EDT) pair.  PDC is ``len(EDT)``."""


class EOJ(NamedTuple):
    """ECHONET object: class group code, class code and instance code."""

    group: int
    code: int
    instance: int

    @property
    def class_code(self) -> int:
        """Class group and class code as one 16-bit number (0x0130 for an air conditioner)."""
        return (self.group << 8) | self.code

    def to_bytes(self) -> bytes:
        """Three bytes as on the wire."""
        return bytes((self.group, self.code, self.instance))

    def matches(self, other: EOJ) -> bool:
        """True when ``other`` is this object, or this is the all-instances form of its class."""
        return (
            self.group == other.group
            and self.code == other.code
            and (self.instance in (0, other.instance))
        )

    def __str__(self) -> str:
        return f"0x{self.group:02X}{self.code:02X}{self.instance:02X}"

    @classmethod
    def from_int(cls, value: int) -> EOJ:
        """Build from a 24-bit number such as 0x013001."""
        return cls((value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF)

    @classmethod
    def parse(cls, text: str) -> EOJ:
        """Parse ``0x013001`` or ``013001``."""
        try:
            value = int(text, 16)
        except ValueError as err:
            raise ValueError(f"not an ECHONET object code: {text!r}") from err
        if not 0 <= value <= 0xFFFFFF:
            raise ValueError(f"not an ECHONET object code: {text!r}")
        return cls.from_int(value)


NODE_PROFILE = EOJ(0x0E, 0xF0, 0x01)
NODE_PROFILE_ANY = EOJ(0x0E, 0xF0, 0x00)
CONTROLLER = EOJ(0x05, 0xFF, 0x01)


class _FrameFields(NamedTuple):
    tid: int
    seoj: EOJ
    deoj: EOJ
    esv: int
    props: tuple[Property, ...]
    get_props: tuple[Property, ...]
    ehd2: int
    payload: bytes


class Frame(_FrameFields):
    """A decoded ECHONET Lite frame (an immutable tuple).

    ``props`` is the property list (for SetGet services: the Set part); ``get_props`` is the
    Get part of SetGet services and empty otherwise.  Format 2 frames have ``esv == 0`` and
    their payload in ``payload``.
    """

    __slots__ = ()

    def __new__(
        cls,
        tid: int,
        seoj: EOJ,
        deoj: EOJ,
        esv: int,
        props: Sequence[Property] = (),
        get_props: Sequence[Property] = (),
        *,
        ehd2: int = EHD2_FORMAT1,
        payload: bytes = b"",
    ) -> Frame:
        return tuple.__new__(
            cls, (tid, seoj, deoj, esv, tuple(props), tuple(get_props), ehd2, payload)
        )

    def __repr__(self) -> str:
        if self.ehd2 != EHD2_FORMAT1:
            return f"Frame(format2 tid={self.tid} payload={self.payload.hex()})"
        try:
            esv = ESV(self.esv).name
        except ValueError:
            esv = f"0x{self.esv:02X}"
        body = " ".join(f"{epc:02X}:{edt.hex()}" for epc, edt in self.props)
        if self.esv in SETGET_SERVICES:
            body += " | " + " ".join(f"{epc:02X}:{edt.hex()}" for epc, edt in self.get_props)
        return f"Frame(tid={self.tid} {self.seoj}->{self.deoj} {esv} {body})"

    @property
    def is_format1(self) -> bool:
        """True for a standard (format 1) frame."""
        return self.ehd2 == EHD2_FORMAT1

    def edt(self, epc: int) -> bytes | None:
        """The EDT of ``epc`` in ``props``, or None."""
        for prop_epc, edt in self.props:
            if prop_epc == epc:
                return edt
        return None

    def encode(self) -> bytes:
        """Encode to bytes."""
        return encode_frame(self)


def _encode_props(out: bytearray, props: Sequence[Property]) -> None:
    if len(props) > MAX_OPC:
        raise FrameError(f"too many properties in one frame: {len(props)} > {MAX_OPC}")
    out.append(len(props))
    for epc, edt in props:
        if not 0 <= epc <= 0xFF:
            raise FrameError(f"EPC out of range: {epc}")
        if len(edt) > MAX_PDC:
            raise FrameError(f"EDT of EPC 0x{epc:02X} too long: {len(edt)} bytes")
        out.append(epc)
        out.append(len(edt))
        out += edt


def encode_frame(frame: Frame) -> bytes:
    """Encode ``frame``.  Raises :class:`FrameError` for values that cannot be encoded."""
    if not 0 <= frame.tid <= 0xFFFF:
        raise FrameError(f"TID out of range: {frame.tid}")
    if frame.ehd2 == EHD2_FORMAT2:
        return bytes((EHD1, EHD2_FORMAT2)) + frame.tid.to_bytes(2, "big") + frame.payload
    out = bytearray(
        (EHD1, EHD2_FORMAT1, frame.tid >> 8, frame.tid & 0xFF, *frame.seoj, *frame.deoj, frame.esv)
    )
    _encode_props(out, frame.props)
    if frame.esv in SETGET_SERVICES:
        _encode_props(out, frame.get_props)
    return bytes(out)


def build(
    tid: int,
    seoj: EOJ,
    deoj: EOJ,
    esv: int,
    props: Iterable[Property] = (),
    get_props: Iterable[Property] = (),
) -> bytes:
    """Encode a format 1 frame from its parts."""
    return encode_frame(Frame(tid, seoj, deoj, esv, tuple(props), tuple(get_props)))


_EOJ_PAIRS: dict[bytes, tuple[EOJ, EOJ]] = {}


def _eoj_pair(raw: bytes) -> tuple[EOJ, EOJ]:
    pair = _EOJ_PAIRS.get(raw)
    if pair is None:
        pair = (EOJ(raw[0], raw[1], raw[2]), EOJ(raw[3], raw[4], raw[5]))
        if len(_EOJ_PAIRS) < 4096:  # bounded: spoofed traffic cannot grow it without limit
            _EOJ_PAIRS[raw] = pair
    return pair


def _props(data: bytes, pos: int, count: int, end: int) -> tuple[tuple[Property, ...], int]:
    # One comprehension over the TLV list: EPC, then PDC bytes of EDT after the PDC byte.
    try:
        props = tuple(
            [(data[pos], data[pos + 2 : (pos := pos + 2 + data[pos + 1])]) for _ in range(count)]
        )
    except IndexError:
        raise FrameError(f"frame ends inside its property list ({count} properties)") from None
    if pos > end:
        epc = props[-1][0] if props else 0
        raise FrameError(
            f"EPC 0x{epc:02X} claims more bytes than the frame holds ({pos - end} missing)"
        )
    return props, pos


# Layouts.  Answers to the same request from the same object have the same layout every
# time (the values change, their lengths do not): the EPC and PDC of each property, for a
# given header (SEOJ, DEOJ, ESV, OPC, first EPC and PDC) and frame size.  A layout seen twice
# is compiled into two structs: one reads the EHD, EPC and PDC bytes, which must equal the
# layout's (otherwise the frame is walked as usual), the other cuts the TID and every EDT in
# one call.  The result is exactly what the walk gives.  Bounded: the table is emptied when
# full, so odd traffic cannot grow it.  Frames of one property are walked (as fast), and so
# are SetGet frames (two lists): their layouts are not learned.


class _Layout(NamedTuple):
    check: Callable[[bytes, int], tuple[Any, ...]]
    expected: tuple[int, ...]
    values: Callable[[bytes, int], tuple[Any, ...]]
    epcs: tuple[int, ...]
    seoj: EOJ
    deoj: EOJ
    esv: int


_SEEN_ONCE: Final[tuple[()]] = ()
_MAX_LAYOUTS: Final = 2048
_LAYOUTS: dict[tuple[int, bytes], _Layout | tuple[()]] = {}
_CHECK_PIECES: Final = [f"BB{n}x" for n in range(MAX_PDC + 1)]
_VALUE_PIECES: Final = [f"2x{n}s" for n in range(MAX_PDC + 1)]
_MIN_COUNT: Final = 2


def _learn(
    key: tuple[int, bytes], props: tuple[Property, ...], seoj: EOJ, deoj: EOJ, esv: int
) -> None:
    """Remember the layout of a frame's property list (compiled when seen the second time)."""
    known = _LAYOUTS.get(key)
    if known is None:
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            _LAYOUTS.clear()
        _LAYOUTS[key] = _SEEN_ONCE
    elif known is _SEEN_ONCE:
        pdcs = [len(edt) for _, edt in props]
        epcs = tuple([epc for epc, _ in props])
        _LAYOUTS[key] = _Layout(
            Struct("BB10x" + "".join([_CHECK_PIECES[n] for n in pdcs])).unpack_from,
            (EHD1, EHD2_FORMAT1, *(x for pair in zip(epcs, pdcs, strict=True) for x in pair)),
            Struct(">2xH8x" + "".join([_VALUE_PIECES[n] for n in pdcs])).unpack_from,
            epcs,
            seoj,
            deoj,
            esv,
        )


_new = tuple.__new__
_pairs_get = _EOJ_PAIRS.get
_layouts_get = _LAYOUTS.get


def decode_frame(data: bytes) -> Frame:
    """Decode one ECHONET Lite frame.

    Raises :class:`FrameError` (and nothing else) when ``data`` is not a valid frame.  Bytes
    after the last property are ignored: some stacks pad their frames.
    """
    try:
        size = len(data)
        if data.__class__ is bytes:
            layout = _layouts_get((size, data[4:14]))
            if layout and layout[0](data, 0) == layout[1]:
                values = iter(layout[2](data, 0))
                return _new(
                    Frame,
                    (
                        next(values),
                        layout[4],
                        layout[5],
                        layout[6],
                        tuple(zip(layout[3], values, strict=False)),
                        (),
                        EHD2_FORMAT1,
                        b"",
                    ),
                )
        if size >= _HEADER_SIZE and data[0] == EHD1 and data[1] == EHD2_FORMAT1:
            esv = data[10]
            count = data[11]
            if count == 1 and size > 13:
                pos = 14 + data[13]
                if pos > size:
                    raise FrameError(
                        f"EPC 0x{data[12]:02X} claims more bytes than the frame holds"
                        f" ({pos - size} missing)"
                    )
                props: tuple[Property, ...] = ((data[12], data[14:pos]),)
            else:
                props, pos = _props(data, _HEADER_SIZE, count, size)
            get_props: tuple[Property, ...] = ()
            if esv in SETGET_SERVICES:
                if pos >= size:
                    raise FrameError("SetGet frame without its Get part")
                get_props, pos = _props(data, pos + 1, data[pos], size)
            raw = data[4:10]
            seoj, deoj = _pairs_get(raw) or _eoj_pair(raw)
            if count >= _MIN_COUNT and esv not in SETGET_SERVICES and data.__class__ is bytes:
                _learn((size, data[4:14]), props, seoj, deoj, esv)
            return _new(
                Frame,
                ((data[2] << 8) | data[3], seoj, deoj, esv, props, get_props, EHD2_FORMAT1, b""),
            )
        return _decode_not_format1(data, size)
    except FrameError:
        raise
    except Exception as err:  # defensive: bytes-likes that are not bytes, etc.
        raise FrameError(f"undecodable frame: {err!r}") from err


def _decode_not_format1(data: bytes, size: int) -> Frame:
    """A format 2 frame, or the error that says why ``data`` is no frame (off the hot path)."""
    if size < 4:
        raise FrameError(f"frame too short: {size} bytes")
    if data[0] != EHD1:
        raise FrameError(f"not ECHONET Lite: EHD1 0x{data[0]:02X}")
    if data[1] == EHD2_FORMAT2:
        return Frame(
            (data[2] << 8) | data[3],
            NODE_PROFILE_ANY,
            NODE_PROFILE_ANY,
            0,
            ehd2=EHD2_FORMAT2,
            payload=bytes(data[4:]),
        )
    if data[1] != EHD2_FORMAT1:
        raise FrameError(f"unknown EHD2 0x{data[1]:02X}")
    raise FrameError(f"frame too short: {size} bytes")
