"""SKSTACK IP text protocol: an incremental parser of what the module sends.

The parser turns a byte stream into :class:`SkLine`, :class:`SkEvent`, :class:`SkRxUdp` and
:class:`SkPanDesc` messages.  It never raises on any input: noise becomes :class:`SkLine`
messages (or is dropped) and the parser resynchronises on the next line.

ERXUDP comes in two output modes: hex ASCII (the payload is ``2 x datalen`` hex digits) and
binary (``datalen`` raw bytes, which may contain CR LF, then CR LF).  The field layout differs
between A1 (``sender dest rport lport lla secured datalen``) and C0 (``... lla [rssi] secured
side datalen``); the parser finds DATALEN as the first 4-digit hex field after the sender's
MAC, so it reads every layout without knowing the dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Final

_HEX: Final = frozenset(b"0123456789abcdefABCDEF")
_TERMINATOR: Final = re.compile(rb"[\r\n]")
_ERXUDP: Final = b"ERXUDP "
_ERXUDP_LEN: Final = len(_ERXUDP)
#: Longest ERXUDP header (up to DATALEN) we wait for before calling it noise.
_MAX_HEADER: Final = 200
#: Largest UDP payload a module reports (6LoWPAN MTU is 1280; keep a margin).
MAX_PAYLOAD: Final = 1536
#: A line longer than this without a terminator is noise.
MAX_LINE: Final = 4096


@dataclass(frozen=True, slots=True)
class SkLine:
    """Any other line: ``OK``, ``FAIL ER10``, ``EVER 1.2.10``, ``EINFO ...``, an echo..."""

    text: str

    @property
    def is_ok(self) -> bool:
        """``OK`` or ``OK <detail>``."""
        return self.text == "OK" or self.text.startswith("OK ")

    @property
    def fail_code(self) -> str | None:
        """``ER10`` for ``FAIL ER10``; None when this is no FAIL line."""
        if self.text.startswith("FAIL"):
            rest = self.text[4:].strip()
            return rest or "FAIL"
        return None


@dataclass(frozen=True, slots=True)
class SkEvent:
    """``EVENT <code> <sender> [side] [param]``."""

    code: int
    sender: str
    side: int | None = None
    param: int | None = None


@dataclass(frozen=True, slots=True)
class SkRxUdp:
    """A received UDP datagram (ERXUDP)."""

    sender: str
    dest: str
    rport: int
    lport: int
    sender_lla: str
    secured: int
    data: bytes
    side: int | None = None
    rssi: int | None = None
    ascii: bool = False


@dataclass(frozen=True, slots=True)
class SkPanDesc:
    """One EPANDESC block (``Channel``, ``Channel Page``, ``Pan ID``, ``Addr``, ``LQI``...)."""

    fields: dict[str, str] = field(default_factory=dict)


SkMessage = SkLine | SkEvent | SkRxUdp | SkPanDesc


def _is_hex(data: bytes) -> bool:
    return bool(data) and all(b in _HEX for b in data)


def parse_event(text: str, *, has_side: bool) -> SkEvent | None:
    """Parse an EVENT line; None when it is not one."""
    parts = text.split()
    if len(parts) < 3 or parts[0] != "EVENT":
        return None
    try:
        code = int(parts[1], 16)
        rest = [int(p, 16) for p in parts[3:]]
    except ValueError:
        return None
    if not 0 <= code <= 0xFF or any(not 0 <= v <= 0xFFFF for v in rest):
        return None
    side: int | None = None
    if has_side and rest:
        side = rest.pop(0)
    param = rest[0] if rest else None
    return SkEvent(code, parts[2], side, param)


class SkstackParser:
    """Incremental SKSTACK IP parser.

    ``ascii_payload`` is the ERXUDP output mode when known (from ROPT): True for hex ASCII,
    False for binary, None to decide per datagram (an ECHONET Lite frame starts with 0x10,
    which is no hex digit in binary mode).  ``has_side`` selects the C0 EVENT layout.
    """

    def __init__(self, *, ascii_payload: bool | None = None, has_side: bool = False) -> None:
        self.ascii_payload = ascii_payload
        self.has_side = has_side
        self._buf = bytearray()
        self._pandesc: dict[str, str] | None = None
        self.dropped_bytes = 0

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the rest of a message (bounded)."""
        return len(self._buf)

    def reset(self) -> None:
        """Forget buffered input."""
        self._buf.clear()
        self._pandesc = None

    def feed(self, data: bytes) -> list[SkMessage]:
        """Consume ``data``; return the complete messages it finished."""
        out: list[SkMessage] = []
        buf = self._buf
        buf += data
        pos = 0
        size = len(buf)
        while pos < size:
            erx = buf.find(_ERXUDP, pos)
            term_match = _TERMINATOR.search(buf, pos)
            term = term_match.start() if term_match else -1
            if erx != -1 and (term == -1 or erx < term):
                if erx > pos:
                    self.dropped_bytes += erx - pos  # noise before ERXUDP on the same line
                result = self._parse_erxudp(buf, erx)
                if result is None:  # need more bytes
                    pos = erx
                    break
                msg, end = result
                if msg is not None:
                    self._flush_pandesc(out)
                    out.append(msg)
                pos = end
                continue
            if term == -1:
                if size - pos > MAX_LINE:
                    self.dropped_bytes += size - pos
                    pos = size
                break
            line = bytes(buf[pos:term])
            pos = term + 1
            if line:
                self._line(line, out)
        del buf[:pos]
        return out

    # -- lines -------------------------------------------------------------------------------

    def _flush_pandesc(self, out: list[SkMessage]) -> None:
        if self._pandesc is not None:
            out.append(SkPanDesc(self._pandesc))
            self._pandesc = None

    def _line(self, raw: bytes, out: list[SkMessage]) -> None:
        text = raw.decode("ascii", errors="replace")
        if self._pandesc is not None:
            if text.startswith(" ") and ":" in text:
                key, _, value = text.strip().partition(":")
                self._pandesc[key.strip()] = value.strip()
                if key.strip() == "PairID":
                    self._flush_pandesc(out)
                return
            self._flush_pandesc(out)
        stripped = text.strip()
        if not stripped:
            return
        if stripped == "EPANDESC":
            self._pandesc = {}
            return
        if stripped.startswith("EVENT "):
            event = parse_event(stripped, has_side=self.has_side)
            if event is not None:
                out.append(event)
                return
        out.append(SkLine(stripped))

    # -- ERXUDP ------------------------------------------------------------------------------

    def _parse_erxudp(self, buf: bytearray, start: int) -> tuple[SkMessage | None, int] | None:
        """Parse the ERXUDP at ``start``.

        Returns None when more bytes are needed, ``(message, end)`` on success and
        ``(None, resume)`` on malformed input (``resume`` is where parsing continues).
        """
        pos = start + _ERXUDP_LEN
        tokens: list[bytes] = []
        size = len(buf)
        while True:
            space = buf.find(b" ", pos, pos + 64)
            term_match = _TERMINATOR.search(buf, pos, min(size, pos + 64))
            if term_match is not None and (space == -1 or term_match.start() < space):
                # the header ended before DATALEN: a malformed line
                self.dropped_bytes += term_match.start() - start
                return None, term_match.start() + 1
            if space == -1:
                if size - pos >= 64:
                    self.dropped_bytes += _ERXUDP_LEN
                    return None, start + _ERXUDP_LEN
                return None
            token = bytes(buf[pos:space])
            tokens.append(token)
            pos = space + 1
            if len(tokens) >= 7 and len(token) == 4 and _is_hex(token):
                break
            if len(tokens) > 9 or pos - start > _MAX_HEADER:
                self.dropped_bytes += _ERXUDP_LEN
                return None, start + _ERXUDP_LEN
        header = _build_header(tokens)
        if header is None:
            self.dropped_bytes += _ERXUDP_LEN
            return None, start + _ERXUDP_LEN
        payload_at = pos
        datalen = header.datalen
        if datalen == 0:
            return header.message(b"", ascii_=bool(self.ascii_payload)), payload_at
        if payload_at >= size:
            return None
        first_is_hex = buf[payload_at] in _HEX
        if self.ascii_payload is None:
            ascii_mode = first_is_hex
        else:
            ascii_mode = self.ascii_payload and first_is_hex
        if not ascii_mode:
            return self._finish_binary(buf, start, payload_at, header)
        end = payload_at + 2 * datalen
        bad = _NON_HEX.search(buf, payload_at, min(size, end))
        if bad is None:
            if end > size:
                return None
            data = bytes.fromhex(buf[payload_at:end].decode("ascii"))
            return header.message(data, ascii_=True), end
        # the hex run stopped early: the line is broken
        self.dropped_bytes += bad.start() - start
        return None, bad.start()

    def _finish_binary(
        self, buf: bytearray, start: int, payload_at: int, header: _RxHeader
    ) -> tuple[SkMessage | None, int] | None:
        size = len(buf)
        end = payload_at + header.datalen
        if end >= size:
            return None
        after = buf[end]
        if after == 0x0D:
            if end + 1 >= size:
                return None
            if buf[end + 1] != 0x0A:
                self.dropped_bytes += payload_at - start
                return None, payload_at
        elif after != 0x0A:
            # no terminator where it must be: that header was noise
            self.dropped_bytes += payload_at - start
            return None, payload_at
        return header.message(bytes(buf[payload_at:end]), ascii_=False), end


_NON_HEX: Final = re.compile(rb"[^0-9A-Fa-f]")


@dataclass(frozen=True, slots=True)
class _RxHeader:
    # The ERXUDP header's fields as in SkRxUdp, on purpose: the header is parsed first, the
    # payload's form (ASCII or binary, with or without SIDE) decided from it.
    sender: str
    dest: str
    rport: int
    lport: int
    sender_lla: str
    secured: int
    side: int | None
    rssi: int | None
    datalen: int

    def message(self, data: bytes, *, ascii_: bool) -> SkRxUdp:
        return SkRxUdp(
            sender=self.sender,
            dest=self.dest,
            rport=self.rport,
            lport=self.lport,
            sender_lla=self.sender_lla,
            secured=self.secured,
            data=data,
            side=self.side,
            rssi=self.rssi,
            ascii=ascii_,
        )


def _build_header(tokens: list[bytes]) -> _RxHeader | None:
    try:
        text = [t.decode("ascii") for t in tokens]
    except UnicodeDecodeError:
        return None
    sender, dest, rport, lport, lla = text[:5]
    if ":" not in sender or ":" not in dest or len(lla) != 16 or not _is_hex(tokens[4]):
        return None
    try:
        rport_i = int(rport, 16)
        lport_i = int(lport, 16)
        datalen = int(text[-1], 16)
        mid = [int(v, 16) for v in text[5:-1]]
    except ValueError:
        return None
    if datalen > MAX_PAYLOAD:
        return None
    rssi: int | None = None
    side: int | None = None
    if len(mid) == 1:
        secured = mid[0]
    elif len(mid) == 2:
        secured, side = mid
    elif len(mid) == 3:
        rssi, secured, side = mid
    else:
        return None
    return _RxHeader(sender, dest, rport_i, lport_i, lla.upper(), secured, side, rssi, datalen)


def pan_from_fields(
    fields_: dict[str, str],
) -> tuple[int, int, str, int | None, int | None, int | None] | None:
    """(channel, pan_id, mac, lqi, channel_page, side) of an EPANDESC block; None if incomplete."""
    try:
        channel = int(fields_["Channel"], 16)
        pan_id = int(fields_["Pan ID"], 16)
        mac = fields_["Addr"].upper()
        if len(mac) != 16 or not _is_hex(mac.encode("ascii")):
            return None
        lqi = int(fields_["LQI"], 16) if "LQI" in fields_ else None
        page = int(fields_["Channel Page"], 16) if "Channel Page" in fields_ else None
        side = int(fields_["Side"], 16) if "Side" in fields_ else None
    except (KeyError, ValueError, UnicodeEncodeError):
        return None
    if not 0 <= channel <= 0xFF or not 0 <= pan_id <= 0xFFFF:
        return None
    return channel, pan_id, mac, lqi, page, side
