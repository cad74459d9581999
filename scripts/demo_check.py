"""``./scripts/demo --check SECONDS``: what a headless demo run must show (used by demo.py).

- Home Assistant's log has no ERROR line and no traceback (also after what a browser session
  asks for: the actions' descriptions import components such as camera);
- the Energy dashboard is configured (grid, solar, battery, gas, water);
- the imported history gives the dashboard's sources their past days (solar: at least 40 days
  with generation) and the live sensors have states;
- the Energy dashboard is full for today and the last 7 days within ``RECENT_LIMIT`` seconds of
  the start: every source (grid in and out, solar, battery, gas, water) has every hour of the
  7 days before today and of today up to the hour the demo started (:class:`Milestones`, which
  also tells when all 45 days are in).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

from demo_hass import Socket

#: Seconds from the start within which today and the last 7 days must be on the dashboard.
RECENT_LIMIT = 60.0
#: Past days the full dashboard has (the meter keeps 45).
ALL_DAYS = 45
RECENT_DAYS = 7
ZONE = ZoneInfo("Asia/Tokyo")  # the demo's time zone (demo_hass.py)
_ERROR = re.compile(r"\bERROR\b|Traceback \(most recent call last\)")


def log_problems(path: Path) -> list[str]:
    """ERROR lines and tracebacks in a log (with the line that follows each)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    out = []
    for index, line in enumerate(lines):
        if _ERROR.search(line):
            out.append(line)
            out += [f"    {follow}" for follow in lines[index + 1 : index + 3]]
    return out


async def dashboard_problems(ws: Socket) -> tuple[list[str], dict[str, int]]:
    """What is missing from the Energy dashboard; days with data per source."""
    problems: list[str] = []
    await ws.command("get_services")  # what every browser session asks first
    prefs = await ws.command("energy/get_prefs")
    kinds = {source["type"] for source in prefs["energy_sources"]}
    for kind in ("grid", "solar", "battery", "gas", "water"):
        if kind not in kinds:
            problems.append(f"the Energy dashboard has no {kind} source")
    ids = _statistic_ids(prefs)
    start = datetime.now(UTC) - timedelta(days=46)
    stats = await ws.command(
        "recorder/statistics_during_period",
        start_time=start.isoformat(),
        statistic_ids=sorted(ids.values()),
        period="day",
        types=["change"],
    )
    days = {
        kind: sum(1 for row in stats.get(entity, []) if (row.get("change") or 0) > 0)
        for kind, entity in ids.items()
    }
    for kind in ("grid_in", "solar", "battery_in", "gas", "water"):
        if days.get(kind, 0) < 40:
            problems.append(f"{kind}: {days.get(kind, 0)} days of history (40 or more expected)")
    states = {s["entity_id"]: s["state"] for s in await ws.command("get_states")}
    for kind, entity in ids.items():
        if states.get(entity) in (None, "unavailable", "unknown"):
            problems.append(f"{kind}: {entity} is {states.get(entity)}")
    return problems, days


def _statistic_ids(prefs: dict[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for source in prefs["energy_sources"]:
        kind = source["type"]
        if kind == "grid":
            for flow in source.get("flow_from", []):
                ids["grid_in"] = flow["stat_energy_from"]
            for flow in source.get("flow_to", []):
                ids["grid_out"] = flow["stat_energy_to"]
        elif kind == "battery":
            ids["battery_in"] = source["stat_energy_to"]
            ids["battery_out"] = source["stat_energy_from"]
        else:
            key = kind if kind not in ids else f"{kind} {sum(k.startswith(kind) for k in ids) + 1}"
            ids[key] = source["stat_energy_from"]
    return {k: v for k, v in ids.items() if v}


@dataclass
class Milestones:
    """When (seconds from the demo's start) the Energy dashboard was full for today and the
    last 7 days, and when it had all 45 days (None: not yet)."""

    started: float  # time.monotonic() at the demo's start
    wall: datetime  # the demo's start
    recent: float | None = None
    all_days: float | None = None
    #: statistic id -> when it had today and the last 7 days
    sources: dict[str, float] = field(default_factory=dict)

    def report(self) -> str:
        """One line for the demo's output."""

        def at(value: float | None) -> str:
            return "not reached" if value is None else f"after {value:.0f} s"

        last = max(self.sources, key=self.sources.__getitem__, default=None)
        latest = f" (the last: {last})" if last is not None else ""
        return (
            f"today + last {RECENT_DAYS} days on the Energy dashboard {at(self.recent)}"
            f"{latest}; all {ALL_DAYS} days {at(self.all_days)}"
        )

    def problems(self) -> list[str]:
        """The milestone that was not reached in time."""
        if self.recent is None or self.recent > RECENT_LIMIT:
            return [
                f"the Energy dashboard was not full for today and the last {RECENT_DAYS} "
                f"days within {RECENT_LIMIT:.0f} s ({self.report()})"
            ]
        return []

    async def watch(self, ws: Socket, interval: float = 1.0) -> None:
        """Look at the dashboard's statistics every ``interval`` seconds until all days are
        in (cancelled at the end of the check)."""
        first_live = self.wall.astimezone(ZONE).replace(minute=0, second=0, microsecond=0)
        while self.all_days is None:
            prefs = await ws.command("energy/get_prefs")
            ids = sorted(set(_statistic_ids(prefs).values()))
            if ids:  # the demo configures every source at once
                if self.recent is None:
                    now = time.monotonic() - self.started
                    for full in await _recent_full(ws, ids, first_live):
                        self.sources.setdefault(full, now)
                    if len(self.sources) == len(ids):
                        self.recent = now
                if self.recent is not None and await _all_days_in(ws, ids, first_live):
                    self.all_days = time.monotonic() - self.started
            await asyncio.sleep(interval)


async def _recent_full(ws: Socket, ids: list[str], first_live: datetime) -> list[str]:
    """The ids that have every hour of the last 7 days and of today before the first live
    hour."""
    midnight = first_live.replace(hour=0)
    start = midnight - timedelta(days=RECENT_DAYS)
    stats = await ws.command(
        "recorder/statistics_during_period",
        start_time=start.astimezone(UTC).isoformat(),
        end_time=first_live.astimezone(UTC).isoformat(),
        statistic_ids=ids,
        period="hour",
        types=["sum"],
    )
    hours = round((first_live - start) / timedelta(hours=1))
    return [
        i for i in ids if sum(1 for row in stats.get(i, []) if row.get("sum") is not None) >= hours
    ]


async def _all_days_in(ws: Socket, ids: list[str], first_live: datetime) -> bool:
    """Each of the 45 days before today has data in every id."""
    midnight = first_live.replace(hour=0)
    stats = await ws.command(
        "recorder/statistics_during_period",
        start_time=(midnight - timedelta(days=ALL_DAYS)).astimezone(UTC).isoformat(),
        end_time=midnight.astimezone(UTC).isoformat(),
        statistic_ids=ids,
        period="day",
        types=["sum"],
    )
    return all(len(stats.get(i, [])) >= ALL_DAYS for i in ids)
