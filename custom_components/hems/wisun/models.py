"""Value types of the Wi-SUN B-route driver."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Self


class Dialect(StrEnum):
    """Command protocol family of a Wi-SUN dongle."""

    A1 = "a1"  # single-hop SKSTACK IP (BP35A1, WSR35A1, RL7023 Stick-D/IPS)
    C0 = "c0"  # dual-stack SKSTACK IP with SIDE fields (BP35C0/C2, RS-WSUHA-P, Stick-D/DSS)
    J11 = "j11"  # ROHM J11 binary (RS-WSUHA-J11, BP35C1-J11, BP35C2-J11-T01)


class SessionState(StrEnum):
    """What a :class:`~.session.BRouteSession` is doing."""

    CLOSED = "closed"
    CONNECTING = "connecting"  # opening the port, detecting the dialect, configuring
    SCANNING = "scanning"
    JOINING = "joining"
    CONNECTED = "connected"
    REAUTHENTICATING = "reauthenticating"  # PANA lifetime expired (EVENT 29); requests wait
    TRANSMISSION_LIMITED = "transmission_limited"  # EVENT 32 until EVENT 33
    BACKING_OFF = "backing_off"  # waiting before the next join / scan
    DONGLE_UNAVAILABLE = "dongle_unavailable"  # port gone; reopening in the background
    DONGLE_NOT_RESPONDING = "dongle_not_responding"  # port open, dongle silent; reopening it
    CREDENTIALS_REJECTED = "credentials_rejected"  # terminal: ask the user

    @property
    def is_connected(self) -> bool:
        """The PANA session is up: requests go through, or wait while it re-authenticates or
        the transmission-time limit is in force."""
        return self in (
            SessionState.CONNECTED,
            SessionState.TRANSMISSION_LIMITED,
            SessionState.REAUTHENTICATING,
        )

    @property
    def is_down(self) -> bool:
        """No meter values at all: the dongle is gone, the credentials were rejected, or the
        session is closed (every other state is connected or on its way there)."""
        return self in (
            SessionState.DONGLE_UNAVAILABLE,
            SessionState.DONGLE_NOT_RESPONDING,
            SessionState.CREDENTIALS_REJECTED,
            SessionState.CLOSED,
        )


def ipv6_from_mac(mac: str) -> str:
    """Link-local IPv6 address (SKSTACK text form) of a 64-bit MAC: U/L bit flipped."""
    raw = bytearray(bytes.fromhex(mac))
    if len(raw) != 8:
        raise ValueError("a MAC address has 8 bytes")
    raw[0] ^= 0x02
    groups = ["FE80", "0000", "0000", "0000"]
    groups += [raw[i : i + 2].hex().upper() for i in range(0, 8, 2)]
    return ":".join(groups)


def normalize_ipv6(text: str) -> str:
    """An IPv6 address in the fully expanded, upper-case SKSTACK form (``FE80:0000:...``)."""
    import ipaddress

    packed = ipaddress.IPv6Address(text).packed
    return ":".join(packed[i : i + 2].hex().upper() for i in range(0, 16, 2))


@dataclass(frozen=True, slots=True)
class PanDescriptor:
    """Where the meter is: keep it (``as_dict()``) in the config entry to skip the scan.

    ``channel`` is in the numbering of ``dialect`` (SKSTACK 33-60, J11 4-17); a cached PAN is
    used only with a dongle of the same dialect.
    """

    dialect: Dialect
    channel: int
    pan_id: int
    mac: str  # 16 upper-case hex digits
    lqi: int | None = None
    channel_page: int | None = None
    side: int | None = None

    @property
    def ipv6(self) -> str:
        """The meter's link-local address."""
        return ipv6_from_mac(self.mac)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for persistence."""
        return {
            "dialect": self.dialect.value,
            "channel": self.channel,
            "pan_id": self.pan_id,
            "mac": self.mac,
            "lqi": self.lqi,
            "channel_page": self.channel_page,
            "side": self.side,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Inverse of :meth:`as_dict`.  Raises ValueError on bad data."""
        try:
            mac = str(data["mac"]).upper()
            bytes.fromhex(mac)
            if len(mac) != 16:
                raise ValueError("bad MAC")
            return cls(
                dialect=Dialect(data["dialect"]),
                channel=int(data["channel"]),
                pan_id=int(data["pan_id"]),
                mac=mac,
                lqi=None if data.get("lqi") is None else int(data["lqi"]),
                channel_page=(
                    None if data.get("channel_page") is None else int(data["channel_page"])
                ),
                side=None if data.get("side") is None else int(data["side"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a stored PAN descriptor: {err}") from err


@dataclass(frozen=True, slots=True)
class DongleInfo:
    """What the dongle told about itself."""

    dialect: Dialect
    version: str
    ascii_payload: bool | None = None  # ERXUDP output mode read with ROPT (None: unknown)


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One reading cycle.

    Energies are in kWh, already multiplied by the unit (0xE1) and the coefficient (0xD3):
    the meter's registers (``*_raw``), which wrap at 10 ** ``digits`` counts (the caller's
    counter policy handles wraps and glitches).  None: no data, or no reading at all while
    the meter's scaling is not usable (0xD3 = 0, no unit: ``unit_kwh`` is None then).
    """

    timestamp: datetime
    power_w: int | None
    current_r_a: float | None
    current_t_a: float | None
    energy_import_kwh: float | None
    energy_export_kwh: float | None
    import_raw: int | None
    export_raw: int | None
    unit_kwh: float | None
    coefficient: int | None
    digits: int | None

    @property
    def modulus_kwh(self) -> float | None:
        """Where the energy values wrap, in kWh (None when unknown)."""
        if self.digits is None or self.unit_kwh is None or self.coefficient is None:
            return None
        modulus: float = round(10**self.digits * self.unit_kwh * self.coefficient, 9)
        return modulus

    @property
    def count_kwh(self) -> float | None:
        """One count of the registers, in kWh."""
        if self.unit_kwh is None or self.coefficient is None:
            return None
        return round(self.unit_kwh * self.coefficient, 9)


@dataclass(frozen=True, slots=True)
class FixedTimeReading:
    """Cumulative energy at the last :00/:30 (0xEA normal, 0xEB reverse), meter time."""

    timestamp: datetime | None
    import_kwh: float | None
    export_kwh: float | None
    export_timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class HistorySlot:
    """Cumulative values at ``time`` (a :00 or :30 of the meter's clock).  None: no data."""

    time: datetime
    import_kwh: float | None
    export_kwh: float | None
    import_raw: int | None
    export_raw: int | None


@dataclass(frozen=True, slots=True)
class HistoryDay:
    """History 1 (0xE2/0xE4) of one day: 48 slots 00:00 ... 23:30."""

    day: date
    days_ago: int
    slots: tuple[HistorySlot, ...]


@dataclass(frozen=True, slots=True)
class MeterInfo:
    """The meter's scaling properties (only ever made from a usable unit and a coefficient
    that is not 0: see :meth:`.BRouteSession.read_meter_info`)."""

    unit_kwh: float
    coefficient: int
    digits: int | None

    @property
    def modulus(self) -> int | None:
        """Where the raw counters wrap (10 ** digits), or None when unknown."""
        return None if self.digits is None else 10**self.digits

    def kwh(self, raw: int | None) -> float | None:
        """A raw counter in kWh."""
        if raw is None:
            return None
        return round(raw * self.unit_kwh * self.coefficient, 6)


@dataclass(slots=True)
class SessionStats:
    """Counters for diagnostics and benchmarks."""

    join_attempts: int = 0
    scans: int = 0
    frames_sent: int = 0
    get_frames: int = 0
    set_frames: int = 0
    send_failures: int = 0
    timeouts: int = 0
    cycles: int = 0
    reconnects: int = 0
    pushes: int = 0
    foreign_frames: int = 0
    #: Times the dongle stopped answering (its port was closed and opened again).
    hangs: int = 0


@dataclass(frozen=True, slots=True)
class Timing:
    """Timers and retry policy (seconds).  The defaults follow the B-route guideline.

    ``scaled(f)`` multiplies every duration by ``f`` (tests use tiny factors).
    ``hang_timeouts``: timeouts in a row without a byte from the dongle after which it is
    taken for hung (its port is closed and opened again).
    """

    probe_timeout: float = 2.0
    command_timeout: float = 5.0
    scan_durations: tuple[int, ...] = (6, 7, 8)
    scan_channels: int = 28
    scan_time_factor: float = 1.5  # scan timeout = expected scan time x this + scan_margin
    scan_margin: float = 10.0
    join_timeout: float = 90.0
    send_timeout: float = 10.0
    tx_event_timeout: float = 3.0
    response_timeout: float = 20.0
    request_attempts: int = 2
    pacing: float = 1.0
    er10_retries: int = 3
    er10_delay: float = 5.0
    ready_timeout: float = 60.0
    max_auth_failures: int = 3
    auth_retry_delays: tuple[float, ...] = (60.0, 300.0)
    rejoin_delays: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0)
    scan_retry_delays: tuple[float, ...] = (60.0, 300.0, 900.0)
    reopen_delays: tuple[float, ...] = (0.5, 1.0, 2.0)
    terminate_timeout: float = 5.0
    hang_timeouts: int = 3

    def scaled(self, factor: float) -> Timing:
        """A copy with every duration multiplied by ``factor``."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in {"scan_durations", "scan_channels", "request_attempts"}:
                continue
            if f.name in {"er10_retries", "max_auth_failures", "hang_timeouts"}:
                continue
            if isinstance(value, tuple):
                changes[f.name] = tuple(v * factor for v in value)
            else:
                changes[f.name] = value * factor
        return replace(self, **changes)

    def scan_seconds(self, duration: int) -> float:
        """Expected length of an active scan: 9.6 ms x (2^D + 1) per channel."""
        return 0.0096 * float(2**duration + 1) * self.scan_channels

    def scan_timeout(self, duration: int) -> float:
        """How long to wait for an active scan of ``duration`` to end."""
        return self.scan_seconds(duration) * self.scan_time_factor + self.scan_margin

    @staticmethod
    def delay(delays: tuple[float, ...], attempt: int) -> float:
        """The ``attempt``-th (0-based) delay of a schedule, the last one repeating."""
        if not delays:
            return 0.0
        return delays[min(attempt, len(delays) - 1)]
