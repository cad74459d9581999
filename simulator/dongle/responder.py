"""The smart meter's ECHONET Lite side (class 0x0288 and its node profile): bytes in, bytes out.

Independent of any transport: the virtual dongle feeds it the payloads it receives over the
"radio", an IP smart-meter node can feed it UDP payloads.  It answers Get, SetC, SetI and
INF_REQ for the meter's properties, keeps the 0xE5 / 0xED history selections, and produces the
0xEA/0xEB pushes (INF or INFC) after each :00/:30.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import struct
from typing import Final

from custom_components.hems.echonet.const import ESV
from custom_components.hems.echonet.errors import FrameError
from custom_components.hems.echonet.frame import EOJ, Frame, Property, build, decode_frame

from ..clock import JST
from ..meter_model import MeterModel, floor_slot

NODE_PROFILE: Final = EOJ(0x0E, 0xF0, 0x01)
NO_DATA: Final = 0xFFFFFFFE

EPC_OPERATION_STATUS: Final = 0x80
EPC_LOCATION: Final = 0x81
EPC_VERSION: Final = 0x82
EPC_ID: Final = 0x83
EPC_FAULT: Final = 0x88
EPC_MANUFACTURER: Final = 0x8A
EPC_SERIAL: Final = 0x8D
EPC_TIME: Final = 0x97
EPC_DATE: Final = 0x98
EPC_INF_MAP: Final = 0x9D
EPC_SET_MAP: Final = 0x9E
EPC_GET_MAP: Final = 0x9F


def encode_property_map(epcs: set[int]) -> bytes:
    """A property map: list form below 16 properties, else the 17-byte bitmap."""
    ordered = sorted(epcs)
    if len(ordered) < 16:
        return bytes([len(ordered), *ordered])
    bitmap = bytearray(16)
    for epc in ordered:
        bitmap[epc & 0x0F] |= 1 << ((epc >> 4) - 8)
    return bytes([len(ordered)]) + bytes(bitmap)


@dataclass
class ResponderStats:
    """What the meter was asked."""

    requests: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    gets: int = 0
    sets: int = 0
    infc_res: int = 0
    pushes: int = 0
    dropped: int = 0


class MeterResponder:
    """ECHONET Lite behaviour of a low-voltage smart meter over a :class:`MeterModel`.

    ``max_get_props``: Gets with more properties are silently dropped (like meters behind some
    gateways).  ``push_esv``: ESV.INF or ESV.INFC for the 0xEA/0xEB pushes (None: no pushes).
    ``push_delay``: how long after each :00/:30 the push goes out (simulated seconds).
    ``history2``: whether the meter has 0xEC/0xED.  ``silent``: answer nothing.
    ``truncated``: properties whose values it answers one byte short, as a faulty meter
    firmware does (a client must show nothing rather than a wrong number).
    """

    def __init__(
        self,
        model: MeterModel,
        *,
        instance: int = 1,
        manufacturer: int = 0x000016,
        serial_number: str = "HEMS00000001",
        history2: bool = True,
        push_esv: int | None = ESV.INF,
        push_delay: float = 90.0,
        max_get_props: int | None = None,
    ) -> None:
        self.model = model
        self.eoj = EOJ(0x02, 0x88, instance)
        self.manufacturer = manufacturer
        self.serial_number = serial_number
        self.history2 = history2
        self.push_esv = push_esv
        self.push_delay = push_delay
        self.max_get_props = max_get_props
        self.silent = False
        self.truncated: set[int] = set()
        self.history_day = 0
        self.history2_setting: tuple[datetime, int] | None = None
        self.location = 0x00
        self.stats = ResponderStats()
        self._tid = 0
        self._last_push: datetime | None = None

    # -- property tables ------------------------------------------------------------------------

    def meter_get_epcs(self) -> set[int]:
        """Readable meter properties."""
        epcs = {
            EPC_OPERATION_STATUS, EPC_LOCATION, EPC_VERSION, EPC_FAULT, EPC_MANUFACTURER,
            EPC_SERIAL, EPC_TIME, EPC_DATE, EPC_INF_MAP, EPC_SET_MAP, EPC_GET_MAP,
            0xD7, 0xE0, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE7, 0xE8, 0xEA, 0xEB,
        }  # fmt: skip
        if self.model.coefficient is not None:
            epcs.add(0xD3)
        if self.model.fault_no_unit:
            epcs.discard(0xE1)
        if self.history2:
            epcs |= {0xEC, 0xED}
        return epcs

    def meter_set_epcs(self) -> set[int]:
        """Writable meter properties."""
        return {EPC_LOCATION, 0xE5} | ({0xED} if self.history2 else set())

    def _meter_value(self, epc: int) -> bytes | None:
        """The meter object's value of ``epc`` (None: the meter does not have it)."""
        found = self._identity_value(epc)
        if found is None:
            found = self._measurement(epc)
        if found and epc in self.truncated:
            return found[:-1]
        return found

    def _identity_value(self, epc: int) -> bytes | None:
        """The superclass properties: status, location, maker, clock, property maps."""
        now = self.model.now()
        if epc == EPC_OPERATION_STATUS:
            return b"\x30"
        if epc == EPC_LOCATION:
            return bytes((self.location,))
        if epc == EPC_VERSION:
            return b"\x00\x00J\x00"
        if epc == EPC_FAULT:
            return b"\x42"
        if epc == EPC_MANUFACTURER:
            return self.manufacturer.to_bytes(3, "big")
        if epc == EPC_SERIAL:
            return self.serial_number.encode("ascii")[:12].ljust(12, b" ")
        if epc == EPC_TIME:
            return bytes((now.hour, now.minute))
        if epc == EPC_DATE:
            return struct.pack(">HBB", now.year, now.month, now.day)
        if epc == EPC_INF_MAP:
            return encode_property_map({EPC_OPERATION_STATUS, EPC_LOCATION, EPC_FAULT, 0xEA, 0xEB})
        if epc == EPC_SET_MAP:
            return encode_property_map(self.meter_set_epcs())
        if epc == EPC_GET_MAP:
            return encode_property_map(self.meter_get_epcs())
        return None

    def _measurement(self, epc: int) -> bytes | None:
        """What the meter measures and keeps: coefficient, counters, history, power."""
        model = self.model
        if epc == 0xD3:
            coefficient = model.reported_coefficient()
            return None if coefficient is None else coefficient.to_bytes(4, "big")
        if epc == 0xD7:
            return bytes((model.digits,))
        if epc in (0xE0, 0xE3):
            imp, exp = model.reported_registers()
            return (imp if epc == 0xE0 else exp).to_bytes(4, "big")
        if epc == 0xE1:
            return bytes((model.unit_code,))
        if epc in (0xE2, 0xE4):
            _day, values = model.history_day(self.history_day)
            index = 0 if epc == 0xE2 else 1
            body = b"".join(self._counter(v[index] if v else None) for v in values)
            return self.history_day.to_bytes(2, "big") + body
        if epc == 0xE5:
            return bytes((self.history_day,))
        if epc == 0xE7:
            return struct.pack(">i", model.instantaneous_power_w())
        if epc == 0xE8:
            r, t = model.currents_a()
            t_raw: int = 0x7FFE if t is None else round(t * 10)
            return struct.pack(">hh", round(r * 10), t_raw)
        if epc in (0xEA, 0xEB):
            when, imp_kwh, exp_kwh = model.fixed_time()
            return self._fixed(when, imp_kwh if epc == 0xEA else exp_kwh)
        if epc == 0xEC and self.history2:
            end, count = self.history2_setting or (model.last_boundary(), 12)
            slots = model.history_slots(end, count)
            head = struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, end.minute, count)
            body = b"".join(
                self._counter(v[0] if v else None) + self._counter(v[1] if v else None)
                for _t, v in slots
            )
            return head + body
        if epc == 0xED and self.history2:
            if self.history2_setting is None:
                return b"\xff\xff\xff\xff\xff\xff\xff"
            end, count = self.history2_setting
            return struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, end.minute, count)
        return None

    def _counter(self, kwh: float | None) -> bytes:
        return (NO_DATA if kwh is None else self.model.register(kwh)).to_bytes(4, "big")

    def _fixed(self, when: datetime, kwh: float) -> bytes:
        head = struct.pack(">HBBBBB", when.year, when.month, when.day, when.hour, when.minute, 0)
        return head + self.model.register(kwh).to_bytes(4, "big")

    def _set_meter(self, epc: int, edt: bytes) -> bool:
        if epc == EPC_LOCATION and len(edt) == 1:
            self.location = edt[0]
            return True
        if epc == 0xE5 and len(edt) == 1 and edt[0] <= 99:
            self.history_day = edt[0]
            return True
        if epc == 0xED and self.history2 and len(edt) == 7:
            year, month, day, hour, minute, count = struct.unpack(">HBBBBB", edt)
            if not 1 <= count <= 12 or minute not in (0, 30):
                return False
            try:
                end = datetime(year, month, day, hour, minute, tzinfo=JST)
            except ValueError:
                return False
            self.history2_setting = (end, count)
            return True
        return False

    def _profile_value(self, epc: int) -> bytes | None:
        instance = bytes((1,)) + self.eoj.to_bytes()
        values = {
            EPC_OPERATION_STATUS: b"\x30",
            EPC_VERSION: b"\x01\x0d\x01\x00",
            EPC_ID: b"\xfe"
            + self.manufacturer.to_bytes(3, "big")
            + b"\x00" * 5
            + self.serial_number.encode("ascii")[:8].ljust(8, b"0"),
            EPC_MANUFACTURER: self.manufacturer.to_bytes(3, "big"),
            0xD3: b"\x00\x00\x01",
            0xD4: b"\x00\x02",
            0xD5: instance,
            0xD6: instance,
            0xD7: b"\x01\x02\x88",
        }
        if epc == EPC_GET_MAP:
            return encode_property_map({*values, EPC_INF_MAP, EPC_SET_MAP, EPC_GET_MAP})
        if epc == EPC_SET_MAP:
            return encode_property_map(set())
        if epc == EPC_INF_MAP:
            return encode_property_map({EPC_OPERATION_STATUS, 0xD5})
        return values.get(epc)

    # -- requests -------------------------------------------------------------------------------

    def handle(self, data: bytes) -> list[bytes]:
        """Answer one request payload; returns the payloads to send back (maybe none)."""
        try:
            frame = decode_frame(data)
        except FrameError:
            self.stats.dropped += 1
            return []
        if not frame.is_format1:
            return []
        self.stats.requests.append((frame.esv, tuple(epc for epc, _ in frame.props)))
        if frame.esv == ESV.INFC_RES:
            self.stats.infc_res += 1
            return []
        if self.silent:
            self.stats.dropped += 1
            return []
        if self.eoj.matches(frame.deoj) or frame.deoj == EOJ(0x02, 0x88, 0x00):
            target = self.eoj
            get_value = self._meter_value
            readable = self.meter_get_epcs()
        elif frame.deoj in (NODE_PROFILE, EOJ(0x0E, 0xF0, 0x00)):
            target = NODE_PROFILE
            get_value = self._profile_value
            readable = {epc for epc in range(0x80, 0x100) if self._profile_value(epc) is not None}
        else:
            return []
        return self._answer(frame, target, get_value, readable)

    def _answer(
        self,
        frame: Frame,
        target: EOJ,
        get_value: Callable[[int], bytes | None],
        readable: set[int],
    ) -> list[bytes]:
        """The answer of ``target`` to a Get/INF_REQ, a Set or a SetGet."""
        esv = frame.esv
        if esv in (ESV.GET, ESV.INF_REQ):
            if esv == ESV.GET:
                self.stats.gets += 1
            if not frame.props:
                return []
            if self.max_get_props is not None and len(frame.props) > self.max_get_props:
                self.stats.dropped += 1
                return []
            answers: list[Property] = []
            ok = True
            for epc, _edt in frame.props:
                value = get_value(epc) if epc in readable else None
                if value is None:
                    ok = False
                    answers.append((epc, b""))
                else:
                    answers.append((epc, value))
            if esv == ESV.GET:
                reply = ESV.GET_RES if ok else ESV.GET_SNA
            else:
                reply = ESV.INF if ok else ESV.INF_SNA
            return [build(frame.tid, target, frame.seoj, reply, answers)]
        if esv in (ESV.SETC, ESV.SETI):
            self.stats.sets += 1
            results: list[Property] = []
            ok = True
            for epc, edt in frame.props:
                accepted = target == self.eoj and self._set_meter(epc, edt)
                ok &= accepted
                results.append((epc, b"" if accepted else edt))
            if esv == ESV.SETI:
                return [] if ok else [build(frame.tid, target, frame.seoj, ESV.SETI_SNA, results)]
            reply = ESV.SET_RES if ok else ESV.SETC_SNA
            return [build(frame.tid, target, frame.seoj, reply, results)]
        if esv == ESV.SETGET:
            return [
                build(
                    frame.tid,
                    target,
                    frame.seoj,
                    ESV.SETGET_SNA,
                    [(e, d) for e, d in frame.props],
                    [(e, b"") for e, _ in frame.get_props],
                )
            ]
        return []

    # -- notifications ----------------------------------------------------------------------

    def _next_tid(self) -> int:
        self._tid = self._tid % 0xFFFF + 1
        return self._tid

    def announcement(self) -> bytes:
        """The node profile's instance list notification (INF 0xD5), sent after joining."""
        value = self._profile_value(0xD5)
        assert value is not None
        return build(
            self._next_tid(), NODE_PROFILE, EOJ(0x0E, 0xF0, 0x01), ESV.INF, [(0xD5, value)]
        )

    def fixed_time_push(self, when: datetime | None = None) -> bytes:
        """An INF/INFC of 0xEA and 0xEB for the :00/:30 ``when`` (default: the last one)."""
        model = self.model
        boundary = floor_slot(when) if when is not None else model.last_boundary()
        values = model.boundary_kwh(boundary)
        if values is None:
            raise ValueError("no value at that time")
        esv = self.push_esv if self.push_esv is not None else ESV.INF
        self.stats.pushes += 1
        return build(
            self._next_tid(),
            self.eoj,
            EOJ(0x05, 0xFF, 0x01),
            esv,
            [(0xEA, self._fixed(boundary, values[0])), (0xEB, self._fixed(boundary, values[1]))],
        )

    def due_pushes(self) -> list[bytes]:
        """Pushes that are due now (call periodically); the first call only arms the timer."""
        if self.push_esv is None or self.silent:
            return []
        boundary = floor_slot(self.model.now() - timedelta(seconds=self.push_delay))
        if self._last_push is None:
            self._last_push = boundary
            return []
        if boundary <= self._last_push:
            return []
        self._last_push = boundary
        return [self.fixed_time_push(boundary)]
