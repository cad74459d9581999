"""Our own node: the controller as an ECHONET Lite node that answers the others.

Other controllers ask who is on the network and what we are: our node profile (0x0EF001) and
controller object (0x05FF01) answer Gets and INF_REQs from fixed tables; Sets are refused (we
have nothing to set).  An INFC sent to us is acknowledged with an INFC_Res.
"""

from __future__ import annotations

from .const import ESV
from .frame import CONTROLLER, NODE_PROFILE, Frame, build
from .propmap import encode_property_map
from .transport import Address, EchonetTransport


class OwnNode:
    """Answers requests addressed to our node profile or controller object."""

    def __init__(self, transport: EchonetTransport, identification: bytes) -> None:
        self.transport = transport
        self.identification = identification

    def acknowledge(self, frame: Frame, addr: Address) -> None:
        """Answer an INFC with INFC_Res: the same EPCs, PDC 0."""
        ack = build(
            frame.tid,
            frame.deoj if frame.deoj.instance else CONTROLLER,
            frame.seoj,
            ESV.INFC_RES,
            [(epc, b"") for epc, _ in frame.props],
        )
        self.transport.send(ack, addr[0], addr[1])

    def serve(self, frame: Frame, addr: Address) -> None:
        """Answer a request (ESV 0x60-0x6F) to our node profile or controller object."""
        deoj = frame.deoj
        if deoj.class_code == 0x0EF0:
            table = self.profile_values()
            seoj = NODE_PROFILE
        elif deoj.class_code == CONTROLLER.class_code and deoj.instance in (0, 1):
            table = self.controller_values()
            seoj = CONTROLLER
        else:
            return
        if frame.esv == ESV.GET:
            answer = [(epc, table.get(epc, b"")) for epc, _ in frame.props]
            ok = all(edt for _, edt in answer)
            esv = ESV.GET_RES if ok else ESV.GET_SNA
        elif frame.esv == ESV.INF_REQ:
            answer = [(epc, table.get(epc, b"")) for epc, _ in frame.props]
            esv = ESV.INF if all(edt for _, edt in answer) else ESV.INF_SNA
            if esv == ESV.INF:
                self.transport.send_multicast(build(frame.tid, seoj, frame.seoj, esv, answer))
                return
        elif frame.esv in (ESV.SETC, ESV.SETI):
            answer = list(frame.props)
            esv = ESV.SETC_SNA if frame.esv == ESV.SETC else ESV.SETI_SNA
        else:
            return
        self.transport.send(build(frame.tid, seoj, frame.seoj, esv, answer), addr[0], addr[1])

    def profile_values(self) -> dict[int, bytes]:
        """Our node profile's properties."""
        epcs = [0x80, 0x82, 0x83, 0x8A, 0xD3, 0xD4, 0xD6, 0xD7, 0x9D, 0x9E, 0x9F]
        return {
            0x80: b"\x30",
            0x82: b"\x01\x0d\x01\x00",
            0x83: self.identification,
            0x8A: b"\xff\xff\xff",
            0xD3: b"\x00\x00\x01",
            0xD4: b"\x00\x02",
            0xD6: b"\x01" + CONTROLLER.to_bytes(),
            0xD7: b"\x01\x05\xff",
            0x9D: encode_property_map([0x80, 0xD5]),
            0x9E: encode_property_map([]),
            0x9F: encode_property_map(epcs),
        }

    @staticmethod
    def controller_values() -> dict[int, bytes]:
        """Our controller object's properties."""
        epcs = [0x80, 0x81, 0x82, 0x88, 0x8A, 0x9D, 0x9E, 0x9F]
        return {
            0x80: b"\x30",
            0x81: b"\x00",
            0x82: b"\x00\x00R\x00",
            0x88: b"\x42",
            0x8A: b"\xff\xff\xff",
            0x9D: encode_property_map([0x80]),
            0x9E: encode_property_map([]),
            0x9F: encode_property_map(epcs),
        }
