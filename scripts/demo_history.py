"""The demo's Energy dashboard from day one: the house's past hours into Home Assistant.

The virtual house lived through the 45 days before the demo started (the same physics as now,
see simulator/history.py) and wrote every device counter at every hour to ``history.json``.
This imports those hours into the statistics of the Home Assistant sensors that show the same
counters (solar, battery, fuel cell, gas, water and the devices' consumption), through the
recorder's ``recorder/import_statistics`` websocket command, so that the Energy dashboard has
45 full days within a minute of the start.

How the imported rows meet the live ones: Home Assistant compiles a total_increasing sensor's
statistics from its first recorded state, whose ``sum`` is 0 (the *zero point*).  Every
imported hour therefore gets ``sum = counter at the hour's end - zero point`` (negative before
the start: only differences count), so the first live hour continues without a step, and the
part of the first live hour before Home Assistant started is counted there, once.

The smart meter's grid counters are NOT imported here: the integration imports the meter's own
history at the meter's first setup; :func:`grid_history_days` waits for it (``GRID_HISTORY``
in demo.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import time
from typing import Any, Protocol

#: (class code, EPC) -> the key of the hems sensor that shows that counter.
KEYS: Mapping[tuple[int, int], str] = {
    (0x0279, 0xE1): "solar_energy",
    (0x0279, 0xE3): "sold_energy",
    (0x027C, 0xC5): "generated_energy",
    (0x027C, 0xC8): "gas_consumption",
    (0x027D, 0xD8): "charged_energy",
    (0x027D, 0xD6): "discharged_energy",
    (0x027E, 0xD8): "charged_energy",
    (0x027E, 0xD6): "discharged_energy",
    (0x0281, 0xE0): "water_consumption",
    (0x0282, 0xE0): "gas_consumption",
}
HOUR = timedelta(hours=1)
#: Imported first: today and the 7 days before (and a day's margin).
RECENT = timedelta(days=9)


class Socket(Protocol):
    """Home Assistant's websocket API (one command, its result)."""

    async def command(self, kind: str, **payload: Any) -> Any:
        """Send a command; return its result (raises on an error)."""


@dataclass
class Imported:
    """What was imported for one sensor."""

    entity_id: str
    rows: int
    first: datetime | None
    last: datetime | None


def _key(counter: Mapping[str, Any]) -> str | None:
    code = int(counter["eoj"], 16) >> 8
    epc = int(counter["epc"], 16)
    return "energy_consumption" if epc == 0x85 else KEYS.get((code, epc))


def sensors(
    history: Mapping[str, Any], registry: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """entity id -> its counter in the history, for every enabled hems sensor that has one."""
    by_unique = {
        e["unique_id"]: e
        for e in registry
        if e["platform"] == "hems" and e.get("unique_id") and not e.get("disabled_by")
    }
    found = {}
    for counter in history["counters"]:
        key = _key(counter)
        entry = by_unique.get(f"{counter['uid']}-{counter['eoj']}-{key}") if key else None
        if entry is not None and entry["entity_id"].startswith("sensor."):
            found[entry["entity_id"]] = counter
    return found


async def zero_points(
    ws: Socket, entity_ids: list[str], since: datetime, patience: float = 90.0
) -> dict[str, tuple[datetime, float]]:
    """The first numeric state each sensor recorded (where its statistics start); waits up to
    ``patience`` seconds for the recorder to commit them."""
    found: dict[str, tuple[datetime, float]] = {}
    deadline = time.monotonic() + patience
    while len(found) < len(entity_ids) and time.monotonic() < deadline:
        missing = [e for e in entity_ids if e not in found]
        states = await ws.command(
            "history/history_during_period",
            start_time=since.isoformat(),
            entity_ids=missing,
            minimal_response=True,
            no_attributes=True,
            significant_changes_only=False,
        )
        for entity_id, rows in states.items():
            for row in rows:
                try:
                    value = float(row["s"])
                except (TypeError, ValueError):
                    continue
                found[entity_id] = (datetime.fromtimestamp(row["lu"], UTC), value)
                break
        if len(found) < len(entity_ids):
            await asyncio.sleep(2)  # the recorder commits every few seconds
    return found


def rows_before(counter: Mapping[str, Any], zero: tuple[datetime, float]) -> list[dict[str, Any]]:
    """Hourly rows up to the hour in which the sensor's statistics begin."""
    when, offset = zero
    live_hour = when.replace(minute=0, second=0, microsecond=0)
    rows = []
    for stamp, value in counter["values"]:
        end = datetime.fromisoformat(stamp)
        if end <= live_hour:
            rows.append(
                {"start": (end - HOUR).isoformat(), "state": value, "sum": round(value - offset, 6)}
            )
    return rows


async def import_history(
    ws: Socket,
    history: Mapping[str, Any],
    registry: list[dict[str, Any]],
    since: datetime,
    between: Callable[[], Awaitable[None]] | None = None,
) -> list[Imported]:
    """Import every past hour of every sensor the history covers; what was done, per sensor.

    Newest first, as the integration imports the meter's history: the last ``RECENT`` of every
    sensor go first, then (after ``between()``) the rest.  The recorder writes imports in
    turn, so the dashboard's recent days do not wait for the older ones."""
    targets = sensors(history, registry)
    zeros = await zero_points(ws, sorted(targets), since)
    rows = {e: rows_before(c, zeros[e]) for e, c in targets.items() if e in zeros}
    cut = since - RECENT
    for recent in (True, False):
        if not recent and between is not None:
            await between()
        for entity_id, counter in sorted(targets.items()):
            part = [
                r
                for r in rows.get(entity_id, [])
                if (datetime.fromisoformat(r["start"]) >= cut) is recent
            ]
            if part:
                await _import(ws, entity_id, counter, part)
    done = [
        Imported(
            entity_id,
            len(rows.get(entity_id, [])),
            datetime.fromisoformat(rows[entity_id][0]["start"]) if rows.get(entity_id) else None,
            datetime.fromisoformat(rows[entity_id][-1]["start"]) if rows.get(entity_id) else None,
        )
        for entity_id in sorted(targets)
    ]
    await committed(ws, done)
    return done


async def _import(
    ws: Socket, entity_id: str, counter: Mapping[str, Any], rows: list[dict[str, Any]]
) -> None:
    volume = counter["unit"] == "m³"
    await ws.command(
        "recorder/import_statistics",
        metadata={
            "has_sum": True,
            "mean_type": 0,
            "name": None,
            "source": "recorder",
            "statistic_id": entity_id,
            "unit_class": "volume" if volume else "energy",
            "unit_of_measurement": counter["unit"],
        },
        stats=rows,
    )


async def committed(ws: Socket, done: list[Imported], patience: float = 120.0) -> bool:
    """Wait until the recorder has written every imported sensor's first hour (the imports
    are queued and written in turn, the oldest hours last; the dashboard shows the days once
    they are in)."""
    deadline = time.monotonic() + patience
    waiting = {d.entity_id: d.first for d in done if d.first is not None}
    while waiting and time.monotonic() < deadline:
        start = min(waiting.values())
        assert start is not None
        stats = await ws.command(
            "recorder/statistics_during_period",
            start_time=start.isoformat(),
            end_time=(max(waiting.values()) + HOUR).isoformat(),
            statistic_ids=sorted(waiting),
            period="hour",
            types=["sum"],
        )
        for entity_id, rows in stats.items():
            first = waiting.get(entity_id)
            if first is not None and any(r["start"] / 1000 <= first.timestamp() for r in rows):
                del waiting[entity_id]
        if waiting:
            await asyncio.sleep(1)
    return not waiting


async def grid_history_days(ws: Socket, patience: float = 420.0) -> int:
    """Wait until the integration's import of the smart meter's history is in the grid
    sensors' statistics (its notice gone, 40 days or more in both directions); the days with
    grid energy bought."""
    deadline = time.monotonic() + patience
    days = 0
    while time.monotonic() < deadline:
        issues = await ws.command("repairs/list_issues")
        importing = any(
            i["domain"] == "hems" and i["translation_key"].endswith("history_import")
            for i in issues["issues"]
        )
        flows = _grid_flows(await ws.command("energy/get_prefs"))
        bought = next((i for i, _ in flows if i), None)
        ids = sorted({i for pair in flows for i in pair if i})
        if ids and not importing:
            start = datetime.now(UTC) - timedelta(days=46)
            stats = await ws.command(
                "recorder/statistics_during_period",
                start_time=start.isoformat(),
                statistic_ids=ids,
                period="day",
                types=["change"],
            )
            if all(len(stats.get(i, [])) >= 40 for i in ids):
                rows = stats.get(bought or "", [])
                return sum(1 for row in rows if (row.get("change") or 0) > 0)
        await asyncio.sleep(2)
    return days


def _grid_flows(prefs: Mapping[str, Any]) -> list[tuple[str | None, str | None]]:
    """The Energy dashboard's grid statistics: (bought, sold) per flow."""
    return [
        (flow.get("stat_energy_from"), flow.get("stat_energy_to"))
        for source in prefs["energy_sources"]
        if source["type"] == "grid"
        for flow in (*source.get("flow_from", []), *source.get("flow_to", []))
    ]


async def grid_recent(ws: Socket, since: datetime, patience: float = 60.0) -> bool:
    """Wait (``patience`` seconds at most) until the grid's statistics have every hour of the
    7 days before ``since`` (the integration imports the meter's history newest first);
    whether they have."""
    deadline = time.monotonic() + patience
    end = since.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=7)
    while time.monotonic() < deadline:
        flows = _grid_flows(await ws.command("energy/get_prefs"))
        ids = sorted({i for pair in flows for i in pair if i})
        stats = await ws.command(
            "recorder/statistics_during_period",
            start_time=start.isoformat(),
            end_time=end.isoformat(),
            statistic_ids=ids,
            period="hour",
            types=["sum"],
        )
        if ids and all(len(stats.get(i, [])) >= 7 * 24 for i in ids):
            return True
        await asyncio.sleep(1)
    return False
