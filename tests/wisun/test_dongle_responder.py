"""The virtual dongle's smart meter (0x0288 and its node profile): identity, Sets, what it drops.

The responder is the meter behind the radio: ECHONET Lite payloads in, payloads out (the
dongle tests carry them over the pty).
"""

from __future__ import annotations

from datetime import timedelta
import struct

import pytest

from custom_components.hems.echonet.const import ESV
from custom_components.hems.echonet.frame import (
    CONTROLLER,
    EOJ,
    NODE_PROFILE,
    Frame,
    build,
    decode_frame,
)
from simulator.clock import SimClock
from simulator.dongle import MeterResponder, encode_property_map
from simulator.meter_model import MeterModel

from .conftest import START

METER = EOJ(0x02, 0x88, 0x01)


def _meter(**kwargs: object) -> tuple[MeterModel, MeterResponder]:
    model = MeterModel(SimClock(start=START))
    return model, MeterResponder(model, **kwargs)  # type: ignore[arg-type]


def _one(
    responder: MeterResponder,
    esv: int,
    props: list[tuple[int, bytes]],
    deoj: EOJ = METER,
    get_props: list[tuple[int, bytes]] | None = None,
) -> Frame:
    answers = responder.handle(build(0x0101, CONTROLLER, deoj, esv, props, get_props or ()))
    assert len(answers) == 1
    return decode_frame(answers[0])


def _responder(**kwargs: object) -> tuple[SimClock, MeterModel, MeterResponder]:
    clock = SimClock(start=START)
    model = MeterModel(clock)
    return clock, model, MeterResponder(model, **kwargs)  # type: ignore[arg-type]


def _ask(
    responder: MeterResponder, esv: int, props: list[tuple[int, bytes]], deoj: EOJ = METER
) -> list[Frame]:
    answers = responder.handle(build(0x1234, CONTROLLER, deoj, esv, props))
    return [decode_frame(a) for a in answers]


def test_property_maps() -> None:
    """List form below 16 properties, bitmap form from 16 (0x80/0xC0/0xD0/0xE0 -> 0x71...)."""
    assert encode_property_map({0x80, 0xE0}) == b"\x02\x80\xe0"
    bitmap = encode_property_map({0x80 + i for i in range(16)} | {0xC0, 0xD0, 0xE0})
    assert bitmap[0] == 19 and bitmap[1] == 0x71
    _, _, responder = _responder()
    (frame,) = _ask(responder, ESV.GET, [(0x9F, b"")])
    edt = frame.edt(0x9F)
    assert edt is not None and len(edt) == 17  # the meter has more than 16 properties


def test_responder_get_set_and_sna() -> None:
    """Answers, Get_SNA with PDC 0 for what it lacks, E5/ED sets with validation, INF_REQ."""
    _, model, responder = _responder(history2=False)
    (frame,) = _ask(responder, ESV.GET, [(0xE7, b""), (0xEC, b""), (0xE0, b"")])
    assert frame.esv == ESV.GET_SNA and frame.tid == 0x1234
    assert frame.seoj == METER and frame.deoj == CONTROLLER
    assert frame.edt(0xEC) == b""
    assert frame.edt(0xE0) == model.registers()[0].to_bytes(4, "big")
    (ok,) = _ask(responder, ESV.SETC, [(0xE5, b"\x02")])
    assert ok.esv == ESV.SET_RES and responder.history_day == 2
    (bad,) = _ask(responder, ESV.SETC, [(0xE5, b"\x64")])
    assert bad.esv == ESV.SETC_SNA and bad.edt(0xE5) == b"\x64"
    (inf,) = _ask(responder, ESV.INF_REQ, [(0xE7, b"")])
    assert inf.esv == ESV.INF
    assert _ask(responder, ESV.GET, []) == []
    (profile,) = _ask(responder, ESV.GET, [(0xD6, b"")], EOJ(0x0E, 0xF0, 0x00))
    assert profile.edt(0xD6) == b"\x01\x02\x88\x01"
    assert _ask(responder, ESV.GET, [(0x80, b"")], EOJ(0x01, 0x30, 0x01)) == []


def test_responder_histories() -> None:
    """E2 follows E5; EC follows ED (newest first); invalid ED rejected."""
    _, model, responder = _responder()
    _ask(responder, ESV.SETC, [(0xE5, b"\x03")])
    (frame,) = _ask(responder, ESV.GET, [(0xE2, b"")])
    edt = frame.edt(0xE2) or b""
    assert edt[:2] == b"\x00\x03" and len(edt) == 194
    _, values = model.history_day(3)
    first = values[0]
    assert first is not None
    assert struct.unpack_from(">I", edt, 2)[0] == model.register(first[0])
    end = model.last_boundary() - timedelta(hours=1)
    setting = struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, end.minute, 3)
    (ok,) = _ask(responder, ESV.SETC, [(0xED, setting)])
    assert ok.esv == ESV.SET_RES
    (frame,) = _ask(responder, ESV.GET, [(0xEC, b"")])
    edt = frame.edt(0xEC) or b""
    assert edt[:7] == setting and len(edt) == 7 + 3 * 8
    newest = model.boundary_kwh(end)
    assert newest is not None
    assert struct.unpack_from(">II", edt, 7) == tuple(model.register(v) for v in newest)
    bad = struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, 15, 3)
    (rejected,) = _ask(responder, ESV.SETC, [(0xED, bad)])
    assert rejected.esv == ESV.SETC_SNA


def test_responder_pushes_and_limits() -> None:
    """EA/EB pushes once per :00/:30 after the delay; INFC_Res counted; big Gets dropped."""
    clock, _model, responder = _responder(push_esv=ESV.INFC, push_delay=60, max_get_props=2)
    assert responder.due_pushes() == []  # arms
    clock.advance(30 * 60)
    (push,) = responder.due_pushes()
    frame = decode_frame(push)
    assert frame.esv == ESV.INFC and [e for e, _ in frame.props] == [0xEA, 0xEB]
    assert responder.due_pushes() == []
    reply = build(frame.tid, CONTROLLER, METER, ESV.INFC_RES, [(0xEA, b""), (0xEB, b"")])
    assert responder.handle(reply) == [] and responder.stats.infc_res == 1
    assert _ask(responder, ESV.GET, [(0xE7, b""), (0xE8, b""), (0xE0, b"")]) == []
    assert len(_ask(responder, ESV.GET, [(0xE7, b""), (0xE8, b"")])) == 1


def test_identity_properties() -> None:
    """Status, location, version, fault, maker, serial, the meter's clock and its maps."""
    model, responder = _meter()
    epcs = [0x80, 0x81, 0x82, 0x88, 0x8A, 0x8D, 0x97, 0x98, 0x9D, 0x9E]
    frame = _one(responder, ESV.GET, [(epc, b"") for epc in epcs])
    now = model.now()
    assert frame.esv == ESV.GET_RES
    assert dict(frame.props) == {
        0x80: b"\x30",  # on
        0x81: b"\x00",  # location not set
        0x82: b"\x00\x00J\x00",  # Appendix release J
        0x88: b"\x42",  # no fault
        0x8A: b"\x00\x00\x16",
        0x8D: b"HEMS00000001",
        0x97: bytes((now.hour, now.minute)),
        0x98: struct.pack(">HBB", now.year, now.month, now.day),
        0x9D: encode_property_map({0x80, 0x81, 0x88, 0xEA, 0xEB}),
        0x9E: encode_property_map({0x81, 0xE5, 0xED}),
    }
    _, without_history2 = _meter(history2=False)
    frame = _one(without_history2, ESV.GET, [(0x9E, b""), (0xED, b"")])
    assert frame.esv == ESV.GET_SNA  # no 0xED
    assert dict(frame.props) == {0x9E: encode_property_map({0x81, 0xE5}), 0xED: b""}


def test_sets_seti_and_setget() -> None:
    """Location and E5 are kept; SetI answers only a refusal; SetGet is not supported."""
    _, responder = _meter()
    assert _one(responder, ESV.SETC, [(0x81, b"\x0a"), (0xE5, b"\x05")]).esv == ESV.SET_RES
    frame = _one(responder, ESV.GET, [(0x81, b""), (0xE5, b"")])
    assert dict(frame.props) == {0x81: b"\x0a", 0xE5: b"\x05"}
    assert responder.handle(build(1, CONTROLLER, METER, ESV.SETI, [(0x81, b"\x0b")])) == []
    refused = _one(responder, ESV.SETI, [(0x81, b"\x0c\x00")])  # location is one byte
    assert refused.esv == ESV.SETI_SNA and refused.props == ((0x81, b"\x0c\x00"),)
    assert _one(responder, ESV.GET, [(0x81, b"")]).props == ((0x81, b"\x0b"),)
    setget = _one(responder, ESV.SETGET, [(0xE5, b"\x01")], get_props=[(0xE5, b"")])
    assert setget.esv == ESV.SETGET_SNA
    assert setget.props == ((0xE5, b"\x01"),) and setget.get_props == ((0xE5, b""),)
    assert responder.history_day == 5  # the SetGet changed nothing
    profile = _one(responder, ESV.SETC, [(0x81, b"\x01")], deoj=NODE_PROFILE)
    assert profile.esv == ESV.SETC_SNA  # the node profile has nothing to set
    assert responder.stats.sets == 4


def test_history2_setting_is_read_back_and_checked() -> None:
    """0xED reads FF.. until set, then what was set; an impossible date is refused."""
    model, responder = _meter()
    assert _one(responder, ESV.GET, [(0xED, b"")]).props == ((0xED, b"\xff" * 7),)
    end = model.last_boundary() - timedelta(hours=2)
    setting = struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, end.minute, 4)
    assert _one(responder, ESV.SETC, [(0xED, setting)]).esv == ESV.SET_RES
    assert _one(responder, ESV.GET, [(0xED, b"")]).props == ((0xED, setting),)
    for bad in (
        struct.pack(">HBBBBB", 2026, 2, 30, 12, 0, 4),  # 30 February
        struct.pack(">HBBBBB", end.year, end.month, end.day, end.hour, end.minute, 13),
        setting[:6],  # too short
    ):
        assert _one(responder, ESV.SETC, [(0xED, bad)]).esv == ESV.SETC_SNA, bad
    assert _one(responder, ESV.GET, [(0xED, b"")]).props == ((0xED, setting),)


def test_what_the_meter_drops() -> None:
    """No frame, format 2 and, while silent, everything; pushes only when it has them."""
    model, responder = _meter()
    assert responder.handle(b"\x10\x81\x00") == [] and responder.stats.dropped == 1
    assert responder.handle(b"\x10\x82\x00\x01" + b"\x00" * 8) == []  # format 2: not answered
    assert responder.stats.requests == []
    # an announcement or an answer sent to the meter is no request: nothing comes back
    assert responder.handle(build(1, CONTROLLER, METER, ESV.INF, [(0x80, b"\x30")])) == []
    assert responder.handle(build(1, CONTROLLER, METER, ESV.GET_RES, [(0x80, b"\x30")])) == []
    responder.silent = True
    assert responder.handle(build(1, CONTROLLER, METER, ESV.GET, [(0xE7, b"")])) == []
    assert responder.stats.dropped == 2
    assert responder.due_pushes() == []
    model.clock.advance(3600)
    assert responder.due_pushes() == []  # silent: no pushes either
    _, no_pushes = _meter(push_esv=None)
    assert no_pushes.due_pushes() == []
    no_pushes.model.clock.advance(3600)
    assert no_pushes.due_pushes() == []
    with pytest.raises(ValueError, match="no value"):
        responder.fixed_time_push(model.now() + timedelta(hours=1))  # not yet measured
