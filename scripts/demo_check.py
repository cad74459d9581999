"""``./scripts/demo --check SECONDS``: what a headless demo run must show (used by demo.py).

- Home Assistant's log has no ERROR line and no traceback (also after what a browser session
  asks for: the actions' descriptions import components such as camera);
- the Energy dashboard is configured (grid, solar, battery, gas, water);
- the imported history gives the dashboard's sources their past days (solar: at least 40 days
  with generation) and the live sensors have states.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
import re
from typing import Any

from demo_hass import Socket

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
