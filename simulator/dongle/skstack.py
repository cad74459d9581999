"""SKSTACK IP text dialects: A1 (BP35A1 and friends) and C0 (BP35C0/C2 and friends)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
from typing import Final

from .module import DongleModule, Emulator, mac_to_ipv6

_LOGGER = logging.getLogger(__name__)

_TERMINATOR: Final = re.compile(rb"[\r\n]")
CRLF: Final = b"\r\n"

#: The PANA port, and the start of a PANA-Auth-Request as the meter sends it when joining.
PANA_PORT: Final = 716
PANA_REQUEST: Final = bytes.fromhex("00000010800000020000000000000001")

EVER_A1: Final = "1.2.10"
EVER_C0: Final = "1.5.2"

#: The EVENTs of each session happening (:meth:`Emulator.notify`).
_NOTICES: Final[dict[str, tuple[int, ...]]] = {
    "expired": (0x29,),
    "reauth_ok": (0x25,),
    "reauth_failed": (0x24,),
    "reauth_no_response": (0x24,),  # no PANA message from the meter before it (see notify)
    "terminated": (0x26, 0x27),
    "tx_limited": (0x32,),
    "tx_released": (0x33,),
}


def _normalize(addr: str) -> str | None:
    try:
        packed = ipaddress.IPv6Address(addr).packed
    except ValueError:
        return None
    return ":".join(packed[i : i + 2].hex().upper() for i in range(0, 16, 2))


class _Send:
    """A parsed SKSENDTO."""

    def __init__(self, args: list[str], data: bytes, *, error: str | None = None) -> None:
        self.args = args
        self.data = data
        self.error = error


class SkstackEmulator(Emulator):
    """Text protocol with CR LF lines; SKSENDTO carries raw bytes after its header."""

    def __init__(self, dongle: DongleModule, *, c0: bool) -> None:
        super().__init__(dongle)
        self.c0 = c0
        self._buf = bytearray()
        self._queue: asyncio.Queue[str | _Send] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self.regs: dict[str, int] = {}
        self.rbid: str | None = None
        self.password: str | None = None
        self.joining = False

    # -- power ----------------------------------------------------------------------------------

    def power_on(self) -> None:
        self._buf.clear()
        self._queue = asyncio.Queue()
        self.regs = {
            "S01": 0,
            "S02": 0x21,
            "S03": 0xFFFF,
            "S0A": 0,
            "S15": 0,
            "S16": 0x15180,
            "S17": 1,
            "SA0": 0,
            "SA1": 0,
            "SA2": 0,
            "SFB": 0,
            "SFD": 0,
            "SFE": 1,  # echo back on
            "SFF": 0,
        }
        self.rbid = None
        self.password = None
        self.joining = False
        self._worker = self.dongle.spawn(self._work())

    # -- input ----------------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        self._buf += data
        buf = self._buf
        while True:
            # skip line terminators between commands
            start = 0
            while start < len(buf) and buf[start] in (0x0D, 0x0A):
                start += 1
            del buf[:start]
            if not buf:
                return
            if buf.startswith(b"SKSENDTO "):
                send = self._take_sendto()
                if send is None:
                    return
                self._queue.put_nowait(send)
                continue
            match = _TERMINATOR.search(buf)
            if match is None:
                if len(buf) > 4096:
                    buf.clear()
                    self.dongle.stats.overflows += 1
                return
            line = bytes(buf[: match.start()])
            del buf[: match.start() + 1]
            self._queue.put_nowait(line.decode("ascii", errors="replace"))

    def _take_sendto(self) -> _Send | None:
        """Parse ``SKSENDTO handle ip port sec [side] len <data>`` once all bytes are in."""
        buf = self._buf
        pos = len(b"SKSENDTO ")
        args: list[str] = []
        want = 6 if self.c0 else 5
        while len(args) < want:
            space = buf.find(b" ", pos)
            match = _TERMINATOR.search(buf, pos)
            if match is not None and (space == -1 or match.start() < space):
                # the line ended early: wrong number of arguments
                line = bytes(buf[: match.start()]).decode("ascii", errors="replace")
                del buf[: match.start() + 1]
                return _Send(line.split()[1:], b"", error="ER05")
            if space == -1:
                if len(buf) > 512:
                    buf.clear()
                    return _Send([], b"", error="ER05")
                return None
            token = bytes(buf[pos:space]).decode("ascii", errors="replace")
            args.append(token)
            pos = space + 1
            if self.c0 and len(args) == 5 and len(token) == 4:
                # C0 without the SIDE field: the 5th field is already the length
                break
        try:
            length = int(args[-1], 16)
        except ValueError:
            del buf[:pos]
            return _Send(args, b"", error="ER05")
        if len(buf) < pos + length:
            return None
        data = bytes(buf[pos : pos + length])
        del buf[: pos + length]
        error = "ER05" if len(args) != want or len(args[-1]) != 4 else None
        return _Send(args, data, error=error)

    # -- output ---------------------------------------------------------------------------------

    def _line(self, text: str) -> None:
        self.dongle.output(text.encode("ascii") + CRLF)

    def _event(self, code: int, addr: str, param: int | None = None) -> None:
        parts = ["EVENT", f"{code:02X}", addr]
        if self.c0:
            parts.append("0")
        if param is not None:
            parts.append(f"{param:02X}")
        self._line(" ".join(parts))

    def deliver(self, payload: bytes, sender_mac: str | None = None) -> None:
        self._erxudp(payload, sender_mac or self.dongle.meter_mac, 3610)

    def _erxudp(self, payload: bytes, mac: str, port: int) -> None:
        d = self.dongle
        fields = [mac_to_ipv6(mac), d.own_ipv6, f"{port:04X}", f"{port:04X}", mac]
        if self.c0:
            if self.regs.get("SA2"):
                fields.append(f"{d.lqi:02X}")
            fields += ["1", "0"]
        else:
            fields.append("1")
        fields.append(f"{len(payload):04X}")
        head = ("ERXUDP " + " ".join(fields) + " ").encode("ascii")
        if d.ascii_payload:
            d.output(head + payload.hex().upper().encode("ascii") + CRLF)
        else:
            d.output(head + payload + CRLF)

    def notify(self, what: str) -> None:
        if what == "restarted":  # the module's own wake-up, from its own address
            self._event(0xC0, self.dongle.own_ipv6)
            return
        if what in ("reauth_ok", "reauth_failed"):
            # the meter answered the re-authentication: its PANA message, as when joining
            self._erxudp(PANA_REQUEST, self.dongle.meter_mac, PANA_PORT)
        for code in _NOTICES[what]:
            self._event(code, self.dongle.meter_ipv6)

    # -- commands -------------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            item = await self._queue.get()
            await self.dongle.sleep(0.005)
            try:
                if isinstance(item, _Send):
                    self._sendto(item)
                else:
                    await self._command(item)
            except Exception:  # the module never dies of a bad command
                _LOGGER.exception("virtual dongle: command failed")
                self._line("FAIL ER06")

    async def _command(self, line: str) -> None:
        if self.regs.get("SFE"):
            self.dongle.write_raw(line.encode("ascii", errors="replace") + CRLF)
        parts = line.split()
        if not parts:
            return
        verb, args = parts[0], parts[1:]
        self.dongle.stats.commands.append(verb)
        if self.dongle.faults.hung:
            return
        handler = getattr(self, "_cmd_" + verb.lower(), None)
        if handler is None or not re.fullmatch(r"[A-Z][A-Z0-9]*", verb):
            self._line("FAIL ER04")
            return
        await handler(args)

    def _ok(self) -> None:
        self._line("OK")

    async def _cmd_skver(self, args: list[str]) -> None:
        self._line(f"EVER {EVER_C0 if self.c0 else EVER_A1}")
        self._ok()

    async def _cmd_skappver(self, args: list[str]) -> None:
        self._line("EAPPVER rev26e" if not self.c0 else "EAPPVER rev1.2.3")
        self._ok()

    async def _cmd_skinfo(self, args: list[str]) -> None:
        d = self.dongle
        side = "0" if self.c0 else "FFFE"
        self._line(
            f"EINFO {d.own_ipv6} {d.own_mac} {self.regs['S02']:02X} {self.regs['S03']:04X} {side}"
        )
        self._ok()

    async def _cmd_skreset(self, args: list[str]) -> None:
        self._ok()
        d = self.dongle
        d.session_up = False
        echo = self.regs.get("SFE", 1)
        self.rbid = self.password = None
        self.regs["S02"], self.regs["S03"], self.regs["SFE"] = 0x21, 0xFFFF, echo

    async def _cmd_sksreg(self, args: list[str]) -> None:
        if not args or len(args) > 2:
            self._line("FAIL ER05")
            return
        name = args[0].upper()
        if not re.fullmatch(r"S[0-9A-F]{1,2}", name):
            self._line("FAIL ER05")
            return
        key = "S" + name[1:].zfill(2)
        if len(args) == 1:
            self._line(f"ESREG {self.regs.get(key, 0):X}")
            self._ok()
            return
        try:
            value = int(args[1], 16)
        except ValueError:
            self._line("FAIL ER05")
            return
        if key == "S02" and not 33 <= value <= 60:
            self._line("FAIL ER05")
            return
        self.regs[key] = value
        self._ok()

    async def _cmd_sksetpwd(self, args: list[str]) -> None:
        if len(args) != 2:
            self._line("FAIL ER05")
            return
        try:
            length = int(args[0], 16)
        except ValueError:
            self._line("FAIL ER05")
            return
        if length != len(args[1]) or not 1 <= length <= 32:
            self._line("FAIL ER05")
            return
        self.password = args[1]
        self._ok()

    async def _cmd_sksetrbid(self, args: list[str]) -> None:
        if len(args) != 1 or len(args[0]) != 32:
            self._line("FAIL ER05")
            return
        self.rbid = args[0]
        self._ok()

    async def _cmd_skscan(self, args: list[str]) -> None:
        if len(args) != (4 if self.c0 else 3):
            self._line("FAIL ER05")
            return
        try:
            mode = int(args[0], 16)
            mask = int(args[1], 16)
            duration = int(args[2], 16)
        except ValueError:
            self._line("FAIL ER05")
            return
        if mode not in (0, 2, 3) or not 1 <= duration <= 14:
            self._line("FAIL ER05")
            return
        self._ok()
        self.dongle.stats.scans.append(duration)
        channels = bin(mask & 0x0FFFFFFF).count("1")
        self.dongle.spawn(self._scan(mode, mask, duration, channels))

    async def _scan(self, mode: int, mask: int, duration: int, channels: int) -> None:
        d = self.dongle
        await d.sleep(0.0096 * (2**duration + 1) * channels)
        meter_bit = 1 << (d.channel - 33)
        if mode == 2 and mask & meter_bit and d.visible(duration, self.rbid):
            self._event(0x20, d.meter_ipv6)
            lines = [
                "EPANDESC",
                f"  Channel:{d.channel:02X}",
                "  Channel Page:09",
                f"  Pan ID:{d.pan_id:04X}",
                f"  Addr:{d.meter_mac}",
                f"  LQI:{d.lqi:02X}",
            ]
            if self.c0:
                lines.append("  Side:0")
            lines.append(f"  PairID:{d.rbid[-8:]}")
            d.output(b"".join(line.encode("ascii") + CRLF for line in lines))
        self._event(0x22, d.own_ipv6)

    async def _cmd_skll64(self, args: list[str]) -> None:
        if len(args) != 1 or len(args[0]) != 16:
            self._line("FAIL ER05")
            return
        try:
            raw = bytearray(bytes.fromhex(args[0]))
        except ValueError:
            self._line("FAIL ER05")
            return
        raw[0] ^= 0x02
        self._line(
            "FE80:0000:0000:0000:" + ":".join(raw[i : i + 2].hex().upper() for i in (0, 2, 4, 6))
        )

    async def _cmd_skjoin(self, args: list[str]) -> None:
        if len(args) != 1 or _normalize(args[0]) is None:
            self._line("FAIL ER05")
            return
        if self.joining:
            self._line("FAIL ER10")
            return
        self._ok()
        self.dongle.stats.join_attempts += 1
        self.joining = True
        self.dongle.session_up = False
        self.dongle.spawn(self._join(_normalize(args[0]) or ""))

    async def _join(self, target: str) -> None:
        d = self.dongle
        try:
            reachable = (
                target == d.meter_ipv6
                and self.regs["S02"] == d.channel
                and self.regs["S03"] == d.pan_id
            )
            result = d.auth_result(self.rbid, self.password) if reachable else "no_response"
            await d.sleep(d.join_seconds * 0.2)
            self._event(0x21, target, 0x02)  # neighbour solicitation first
            await d.sleep(d.join_seconds * 0.2)
            if result != "no_response":
                self._event(0x02, target)
                # like real modules, it prints the meter's PANA messages (UDP port 716) too
                self._erxudp(PANA_REQUEST, d.meter_mac, PANA_PORT)
            self._event(0x21, target, 0x00)
            await d.sleep(d.join_seconds * 0.6)
            if result == "ok":
                self._event(0x21, target, 0x00)
                self._event(0x25, target)
                d.session_established()
            else:
                self._event(0x24, target)
        finally:
            self.joining = False

    def _sendto(self, send: _Send) -> None:
        d = self.dongle
        if self.regs.get("SFE"):
            head = "SKSENDTO " + " ".join(send.args)
            d.write_raw(head.encode("ascii", errors="replace") + CRLF)
        d.stats.commands.append("SKSENDTO")
        if d.faults.hung:
            return
        if send.error is not None:
            self._line(f"FAIL {send.error}")
            return
        handle, addr, port, sec = send.args[:4]
        dest = _normalize(addr)
        try:
            port_i = int(port, 16)
            sec_i = int(sec, 16)
            handle_i = int(handle, 16)
        except ValueError:
            self._line("FAIL ER05")
            return
        if dest is None or not 1 <= handle_i <= 6 or sec_i not in (0, 1, 2):
            self._line("FAIL ER05")
            return
        if self.c0 and send.args[4] not in ("0", "1"):
            self._line("FAIL ER05")
            return
        secure_ok = d.session_up and not d.reauthenticating
        if d.faults.fail_sends > 0 or d.tx_limited or (sec_i == 1 and not secure_ok):
            if d.faults.fail_sends > 0:
                d.faults.fail_sends -= 1
            d.stats.send_failures += 1
            self._line("FAIL ER10")
            return
        lost = d.faults.lose_sends > 0
        if lost:
            d.faults.lose_sends -= 1
            d.stats.send_failures += 1
        else:
            d.stats.sends += 1
        if d.tx_event_after_ok:
            self._ok()
        self._event(0x21, dest, 0x01 if lost else 0x00)
        if not d.tx_event_after_ok:
            self._ok()
        if not lost and dest == d.meter_ipv6 and port_i == 3610 and secure_ok:
            d.meter_request(send.data)

    async def _cmd_skterm(self, args: list[str]) -> None:
        d = self.dongle
        self._ok()
        if d.session_up:
            d.session_up = False
            await d.sleep(0.5)
            self._event(0x27, d.meter_ipv6)
        else:
            await d.sleep(0.5)
            self._event(0x28, d.meter_ipv6)

    async def _cmd_ropt(self, args: list[str]) -> None:
        if not self.dongle.ropt:
            self._line("FAIL ER04")  # firmware older than ROPT/WOPT
            return
        self._line(f"OK {1 if self.dongle.ascii_payload else 0:02X}")

    async def _cmd_wopt(self, args: list[str]) -> None:
        if not self.dongle.ropt:
            self._line("FAIL ER04")
            return
        if len(args) != 1 or args[0] not in ("00", "01", "0", "1"):
            self._line("FAIL ER05")
            return
        self.dongle.ascii_payload = int(args[0], 16) == 1
        self.dongle.stats.wopt_writes += 1
        self._ok()
