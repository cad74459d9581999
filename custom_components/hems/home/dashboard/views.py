"""The HEMS dashboard's views, one per AiSEG2 screen, built from what the house has.

Pure functions from an :class:`.inventory.Inventory` and the dashboard's words to a Lovelace
configuration (``sections`` views of built-in cards, plus the integration's power-flow card).
A card is only made for entities that exist; a section without cards and a view without
sections are left out, so nothing on the dashboard is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from ...frontend import CARD_TYPE
from .inventory import Inventory, Item

type Card = dict[str, Any]
type Section = dict[str, Any]
type View = dict[str, Any]

#: Curated controls shown on 機器コントロール (generic properties stay on the device pages).
CONTROL_DOMAINS: Final = ("climate", "water_heater", "light", "fan", "cover", "lock")
CONTROL_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "switch": ("bath_auto", "bath_reheating", "manual_boiling", "generation", "auto_lock"),
    "select": ("battery_operation_mode", "ev_operation_mode", "ev_charger_operation_mode"),
    "number": ("charge_amount",),
}
AIR_KEYS: Final = ("temperature", "room_temperature", "humidity", "room_humidity", "co2")
AIR_ALARMS: Final = ("smoke", "air_pollution")
OPENINGS: Final = ("opening", "door", "door_guard")
POWER_KEYS: Final = (
    "grid_power",
    "house_power",
    "solar_power",
    "generation_power",
    "battery_power",
    "ev_power",
    "main_power",
)
#: Power-flow card node -> the translation keys that can feed it, best first.
FLOW_NODES: Final[dict[str, tuple[str, ...]]] = {
    "grid": ("grid_power", "main_power"),
    "solar": ("solar_power",),
    "fuel_cell": ("generation_power",),
    "battery": ("battery_power",),
    "battery_soc": ("state_of_charge",),
    "v2h": ("ev_power",),
    "v2h_soc": ("vehicle_state_of_charge",),
    "house": ("house_power",),
}
#: Cumulative energy, for the graphs (what was bought, sold, generated, stored, used).
ENERGY_KEYS: Final = (
    "grid_import_energy",
    "grid_export_energy",
    "solar_energy",
    "generated_energy",
    "charged_energy",
    "discharged_energy",
)
#: Graph periods: (word, statistics period, days shown).
PERIODS: Final = (
    ("by_day", "hour", 2),
    ("by_week", "day", 7),
    ("by_month", "day", 31),
    ("by_year", "month", 365),
)


def tiles(
    entity_ids: Sequence[str], names: dict[str, str] | None = None, *, wide: bool = False
) -> list[Card]:
    """One tile card per entity; with ``names``, an entity's own name where it has one (for
    figures of one device, whose name would only repeat on every tile); ``wide`` tiles take
    their section's whole width (for long names)."""
    names = names or {}
    cards: list[Card] = []
    for entity_id in entity_ids:
        card: Card = {"type": "tile", "entity": entity_id}
        if entity_id in names:
            card["name"] = names[entity_id]
        if wide:
            card["grid_options"] = {"columns": "full"}
        cards.append(card)
    return cards


def wide_tiles(entity_ids: Sequence[str], names: dict[str, str] | None = None) -> list[Card]:
    """Tiles as wide as their section."""
    return tiles(entity_ids, names, wide=True)


def section(title: str, cards: Sequence[Card]) -> Section | None:
    """A section with a heading, or None when it would have no cards."""
    if not cards:
        return None
    return {"type": "grid", "cards": [{"type": "heading", "heading": title}, *cards]}


def view(path: str, title: str, icon: str, sections: Sequence[Section | None]) -> View | None:
    """A sections view, or None when none of its sections has cards."""
    kept = [item for item in sections if item is not None]
    if not kept:
        return None
    return {"type": "sections", "path": path, "title": title, "icon": icon, "sections": kept}


def _first_each(inv: Inventory, domain: str, keys: Sequence[str]) -> list[str]:
    """The first entity of each key that exists, in ``keys`` order."""
    return [found for key in keys if (found := inv.first(domain, key)) is not None]


def power_flow_card(inv: Inventory, title: str) -> Card | None:
    """The live power-flow card, or None without any source of power.  Under full feed-in
    (全量買取) the solar is left out: it never flows to the house (its power is still a tile of
    the flow view)."""
    entities = {
        node: found
        for node, keys in FLOW_NODES.items()
        if (found := inv.first("sensor", *keys)) is not None
        and not (inv.full_feed_in and node == "solar")
    }
    if not entities.keys() & {"grid", "solar", "fuel_cell", "battery", "v2h"}:
        return None
    return {"type": f"custom:{CARD_TYPE}", "title": title, "entities": entities}


def statistics_graph(entity_ids: Sequence[str], title: str, period: str, days: int) -> Card:
    """Bars of what each counter added per ``period`` over the last ``days``."""
    return {
        "type": "statistics-graph",
        "title": title,
        "entities": list(entity_ids),
        "period": period,
        "days_to_show": days,
        "stat_types": ["change"],
        "chart_type": "bar",
    }


def peak_months_card(entity_id: str, w: dict[str, str]) -> Card:
    """The peak 30-minute demand of each of the last 12 months, as a table (the months come
    from the energy entry's own history, kept across restarts: no statistics needed)."""
    rows = (
        "{% for m in state_attr('" + entity_id + "', 'months') or [] %}"
        "| {{ m.month }} | {{ m.average_kw if m.average_kw is not none else '—' }} | "
        "{{ (m.start | as_datetime | as_local).strftime('%d %H:%M') if m.start else '' }} |\n"
        "{% endfor %}"
    )
    return {
        "type": "markdown",
        "content": f"| {w['month_word']} | kW | {w['when']} |\n|---|---:|---|\n{rows}",
    }


def button(name: str, icon: str, action: str, entity_ids: Sequence[str], confirm: str) -> Card:
    """A button that runs ``action`` on ``entity_ids`` after a confirmation."""
    return {
        "type": "button",
        "name": name,
        "icon": icon,
        "show_state": False,
        "tap_action": {
            "action": "perform-action",
            "perform_action": action,
            "target": {"entity_id": list(entity_ids)},
            "confirmation": {"text": confirm},
        },
    }


def home_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """マイホーム: today and this month, rooms, locks and windows, the alarm."""
    today = (
        "house_energy_today",
        "purchase_energy_today",
        "sale_energy_today",
        "generation_energy_today",
        "purchase_cost_today",
        "sale_revenue_today",
    )
    today_more = ("self_sufficiency_today", "self_consumption_today", "co2_emitted_today")
    month = (
        "house_energy_month",
        "purchase_energy_month",
        "sale_energy_month",
        "generation_energy_month",
        "purchase_cost_month",
        "projected_bill",
        "sale_revenue_month",
    )
    month_more = ("self_sufficiency_month", "gas_cost_month", "water_cost_month")
    own = inv.short_names()
    alarm = tiles(inv.ids("alarm_control_panel"), own)
    flow = power_flow_card(inv, w["flow"])
    return view(
        "home",
        w["home"],
        "mdi:home-lightning-bolt",
        [
            section(w["today"], wide_tiles(_first_each(inv, "sensor", today + today_more), own)),
            section(w["month"], wide_tiles(_first_each(inv, "sensor", month + month_more), own)),
            section(w["flow"], [flow] if flow else []),
            section(w["planner"], planner_tiles(inv)),
            section(w["rooms"], tiles(inv.ids("sensor", "warmest_room", "coldest_room"), own)),
            section(
                w["locks"], alarm + tiles(inv.ids("binary_sensor", "all_locked", "any_open"), own)
            ),
        ],
    )


def flow_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """電気の流れ: the live flow and each power figure."""
    flow = power_flow_card(inv, w["flow"])
    return view(
        "flow",
        w["flow"],
        "mdi:transmission-tower",
        [
            section(w["flow"], [flow] if flow else []),
            section(w["power"], wide_tiles(inv.ids("sensor", *POWER_KEYS))),
        ],
    )


def graph_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """グラフ: day, week, month and year of energy, per circuit, and the targets."""
    counters = _first_each(inv, "sensor", ENERGY_KEYS[:4])
    counters += inv.ids("sensor", *ENERGY_KEYS[4:])
    counters = inv.with_statistics(counters + inv.ids("sensor", "house_energy_today")[:1])
    graphs = [
        section(w[word], [statistics_graph(counters, w[word], period, days)] if counters else [])
        for word, period, days in PERIODS
    ]
    circuits = inv.with_statistics(inv.ids("sensor", "circuit_energy"))
    targets = _first_each(
        inv, "sensor", ("electricity_target", "house_energy_month", "gas_target", "water_target")
    )
    return view(
        "graph",
        w["graph"],
        "mdi:chart-bar",
        [
            *graphs,
            section(
                w["circuits"],
                [statistics_graph(circuits, w["circuits"], "day", 7)] if circuits else [],
            ),
            section(w["targets"], tiles(targets, inv.short_names())),
        ],
    )


def _controls(inv: Inventory) -> list[Item]:
    items = [item for domain in CONTROL_DOMAINS for item in inv.find(domain)]
    items += [item for domain, keys in CONTROL_KEYS.items() for item in inv.find(domain, *keys)]
    return [item for item in items if not item.diagnostic]


def _by_room(
    inv: Inventory, items: list[Item], w: dict[str, str], *, wide: bool = False
) -> list[Section | None]:
    make = wide_tiles if wide else tiles
    return [
        section(area or w["other"], make([item.entity_id for item in group]))
        for area, group in inv.by_area(items)
    ]


def planner_tiles(inv: Inventory) -> list[Card]:
    """The solar-surplus planner: its mode, next action (with the reason), saving, reserve."""
    ids = _first_each(inv, "select", ("planner_mode",))
    ids += _first_each(inv, "sensor", ("planner_next_action", "planner_saving_today"))
    ids += _first_each(inv, "switch", ("planner_keep_full",))
    return wide_tiles(ids, inv.short_names())


def control_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """機器コントロール: devices by room, with 一括停止 / 一括消灯 / 一括閉."""
    batch: list[tuple[str, str, str, list[str]]] = [
        ("all_off", "mdi:power", "climate.turn_off", inv.ids("climate")),
        ("lights_off", "mdi:lightbulb-off", "light.turn_off", inv.ids("light")),
        ("close_all", "mdi:window-shutter", "cover.close_cover", inv.ids("cover")),
    ]
    buttons = [
        button(w[word], icon, action, ids, w["confirm"]) for word, icon, action, ids in batch if ids
    ]
    return view(
        "control",
        w["control"],
        "mdi:remote",
        [
            section(w["control"], buttons),
            section(w["planner"], planner_tiles(inv)),
            *_by_room(inv, _controls(inv), w),
        ],
    )


def security_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """戸締り: the alarm, locks, doors and windows, shutters."""
    alarm = [{"type": "alarm-panel", "entity": entity} for entity in inv.ids("alarm_control_panel")]
    summary = tiles(inv.ids("binary_sensor", "all_locked", "any_open"), inv.short_names())
    locks = wide_tiles(inv.ids("lock") + inv.ids("binary_sensor", *OPENINGS))
    return view(
        "security",
        w["security"],
        "mdi:shield-home",
        [
            section(w["security"], alarm + summary),
            section(w["locks"], locks),
            section(w["covers"], wide_tiles(inv.ids("cover"))),
        ],
    )


def air_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """空気環境: temperature, humidity and CO2 by room, and the last day's temperatures."""
    readings = [item for item in inv.find("sensor", *AIR_KEYS) if not item.diagnostic]
    readings += [item for item in inv.find("binary_sensor", *AIR_ALARMS) if not item.diagnostic]
    temperatures = inv.ids("sensor", "temperature", "room_temperature", "outdoor_temperature")
    history: list[Card] = (
        [
            {
                "type": "history-graph",
                "title": w["history"],
                "hours_to_show": 24,
                "entities": temperatures,
            }
        ]
        if temperatures
        else []
    )
    return view(
        "air",
        w["air"],
        "mdi:thermometer",
        [*_by_room(inv, readings, w, wide=True), section(w["history"], history)],
    )


def meter_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """スマートメーター: buying/selling now, energy, the last 12 months' peak demand."""
    now = _first_each(
        inv,
        "sensor",
        ("grid_power", "grid_import_power", "grid_export_power", "current_r", "current_t"),
    )
    counters = _first_each(inv, "sensor", ("grid_import_energy", "grid_export_energy"))
    recorded = inv.with_statistics(counters)
    daily = [statistics_graph(recorded, w["by_month"], "day", 31)] if recorded else []
    peak = _first_each(inv, "sensor", ("peak_demand_power", "peak_demand_time", "peak_demand_year"))
    year = inv.first("sensor", "peak_demand_year")
    peak_table: list[Card] = [peak_months_card(year, w)] if year else []
    link = inv.ids("sensor", "connection_state", "link_quality", diagnostic=True)
    link += inv.ids("binary_sensor", "meter_connected", diagnostic=True)
    return view(
        "meter",
        w["meter"],
        "mdi:meter-electric",
        [
            section(w["buying"], wide_tiles(now)),
            section(w["energy"], wide_tiles(counters) + daily),
            section(w["peak"], tiles(peak, inv.short_names()) + peak_table),
            section(w["faults"], wide_tiles(link)),
        ],
    )


def notices_view(inv: Inventory, w: dict[str, str]) -> View | None:
    """お知らせ: the integration's notices and alarms, and devices reporting a fault."""
    events = inv.ids("event", diagnostic=True)
    log: list[Card] = (
        [{"type": "logbook", "title": w["log"], "hours_to_show": 168, "entities": events}]
        if events
        else []
    )
    watched = inv.ids("binary_sensor", "fault", "battery_low", "filter_change", diagnostic=True)
    faults: list[Card] = (
        [
            {
                "type": "entity-filter",
                "entities": watched,
                "state_filter": ["on"],
                "show_empty": False,
                "card": {"type": "entities", "title": w["faults"]},
            }
        ]
        if watched
        else []
    )
    return view(
        "notices",
        w["notices"],
        "mdi:bell",
        [section(w["log"], log), section(w["faults"], faults)],
    )


BUILDERS: Final[tuple[Callable[[Inventory, dict[str, str]], View | None], ...]] = (
    home_view,
    flow_view,
    graph_view,
    control_view,
    security_view,
    air_view,
    meter_view,
    notices_view,
)


def build_dashboard(inv: Inventory, w: dict[str, str]) -> dict[str, Any]:
    """The dashboard's Lovelace configuration: every view that has something to show."""
    return {
        "title": w["dashboard"],
        "views": [built for builder in BUILDERS if (built := builder(inv, w)) is not None],
    }
