"""Draw one plan of the benchmark house as SVG (and PNG, with headless Chromium) for the README.

``python -m bench.planner_plot`` writes ``docs/planner-plan.svg`` and ``docs/planner-plan.png``:
the plan made on Friday 2 May 2025 at 22:00 before a sunny holiday (the year's noisy
forecasts, the battery at 30 %, the tank low, the EV at home at 55 % with no departure set).
"""

from __future__ import annotations

from datetime import datetime
import html
from pathlib import Path
import shutil
import subprocess
import sys

from custom_components.hems.energy.planner import Devices, Plan, SlotPlan, State, plan

from .planner_data import JST, battery as home_battery, build_year, ev, water_heater as home_tank
from .planner_forecasts import Forecasts
from .planner_sim import World

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2025, 5, 2, 22, 0, tzinfo=JST)
WIDTH, HEIGHT = 1200, 860
LEFT, RIGHT = 70, 1060
FONT = "Noto Sans CJK JP, Noto Sans JP, sans-serif"


def example_plan() -> Plan:
    """The plan drawn in the README."""
    year = build_year()
    world = World.build(year, Forecasts(year, noisy=True), 48)
    now = int((WHEN - year.start).total_seconds() // 1800)
    state = State.of(
        Devices(home_battery(0.3), home_tank(5.0), ev(0.55, plugged=True, departure=None))
    )
    inputs = world.inputs(now, state, 48)
    return plan(inputs)


def _x(index: float, slots: int) -> float:
    return LEFT + (RIGHT - LEFT) * index / slots


def _text(x: float, y: float, text: str, size: int = 13, **attributes: str) -> str:
    extra = " ".join(f'{key.replace("_", "-")}="{value}"' for key, value in attributes.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-family="{FONT}" {extra}>'
        f"{html.escape(text)}</text>"
    )


ENERGY_PANEL = (80, 380, 2.4, -1.6)  # top, bottom (px); highest, lowest kWh
LEVEL_PANEL = (440, 590)
TANK_CAPACITY_KWH = 21.5
LEGEND = (
    ("#ffd54f", "solar forecast 発電予報"),
    ("#333", "house load 家の消費"),
    ("#1e88e5", "battery charge 蓄電池充電"),
    ("#90caf9", "battery discharge 放電"),
    ("#ef6c00", "EcoCute boil 沸き上げ"),
    ("#2e7d32", "EV charge EV充電"),
    ("#c62828", "grid (+buy / −sell) 買電・売電"),
)


def _kwh_y(kwh: float) -> float:
    top, bottom, high, low = ENERGY_PANEL
    return top + (bottom - top) * (high - kwh) / (high - low)


def _share_y(share: float) -> float:
    top, bottom = LEVEL_PANEL
    return bottom - (bottom - top) * share


def _line(points: str, colour: str, width: float, dash: str = "") -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{width}"{extra}/>'
    )


def _night_and_axis(slots: tuple[SlotPlan, ...]) -> list[str]:
    top, bottom, _, _ = ENERGY_PANEL
    n = len(slots)
    parts = []
    lowest = min(slot.purchase_price for slot in slots)
    cheap = [i for i, slot in enumerate(slots) if slot.purchase_price < lowest + 0.01]
    if cheap:
        left, right = _x(cheap[0], n), _x(cheap[-1] + 1, n)
        parts.append(
            f'<rect x="{left:.1f}" y="{top}" width="{right - left:.1f}" '
            f'height="{bottom - top}" fill="#e8eef8"/>'
        )
        label = f"night price {slots[cheap[0]].purchase_price:.1f} yen/kWh  夜間"
        parts.append(_text(left + 4, top + 16, label, 12, fill="#355"))
    for kwh in (2, 1, 0, -1):
        y = _kwh_y(kwh)
        colour = "#888" if kwh == 0 else "#ddd"
        parts.append(
            f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}"/>'
        )
        parts.append(_text(LEFT - 8, y + 4, f"{kwh}", 12, text_anchor="end"))
    middle = (top + bottom) / 2
    rotate = f"rotate(-90 16 {middle})"
    parts.append(_text(16, middle, "kWh / 30 min", 12, transform=rotate, text_anchor="middle"))
    return parts


def _energy_panel(slots: tuple[SlotPlan, ...]) -> list[str]:
    """Solar, load and grid as lines; what each device draws as stacked bars."""
    n = len(slots)
    zero = _kwh_y(0)
    parts = _night_and_axis(slots)
    area = " ".join(f"{_x(i + 0.5, n):.1f},{_kwh_y(s.solar_kwh):.1f}" for i, s in enumerate(slots))
    parts.append(
        f'<polygon points="{_x(0.5, n):.1f},{zero:.1f} {area} {_x(n - 0.5, n):.1f},{zero:.1f}" '
        'fill="#ffd54f" fill-opacity="0.6" stroke="#f9a825"/>'
    )
    width = (RIGHT - LEFT) / n * 0.7
    for i, slot in enumerate(slots):
        x = _x(i + 0.15, n)
        base = 0.0
        for value, colour in (
            (slot.battery_charge_kwh, "#1e88e5"),
            (slot.boil_kwh, "#ef6c00"),
            (slot.ev_charge_kwh, "#2e7d32"),
        ):
            if value > 0.005:
                parts.append(
                    f'<rect x="{x:.1f}" y="{_kwh_y(base + value):.1f}" width="{width:.1f}" '
                    f'height="{_kwh_y(base) - _kwh_y(base + value):.1f}" fill="{colour}"/>'
                )
                base += value
        if slot.battery_discharge_kwh > 0.005:
            parts.append(
                f'<rect x="{x:.1f}" y="{zero:.1f}" width="{width:.1f}" '
                f'height="{_kwh_y(-slot.battery_discharge_kwh) - zero:.1f}" fill="#90caf9"/>'
            )
    load = " ".join(f"{_x(i + 0.5, n):.1f},{_kwh_y(s.load_kwh):.1f}" for i, s in enumerate(slots))
    parts.append(_line(load, "#333", 2))
    grid = " ".join(
        f"{_x(i + 0.5, n):.1f},{_kwh_y(s.grid_import_kwh - s.grid_export_kwh):.1f}"
        for i, s in enumerate(slots)
    )
    parts.append(_line(grid, "#c62828", 1.5, "5 3"))
    for index, (colour, label) in enumerate(LEGEND):
        x = LEFT + 10 + (index % 4) * 270
        y = ENERGY_PANEL[1] + 22 + (index // 4) * 18
        parts.append(f'<rect x="{x}" y="{y - 10}" width="14" height="10" fill="{colour}"/>')
        parts.append(_text(x + 20, y, label, 12))
    return parts


def _level_panel(slots: tuple[SlotPlan, ...]) -> list[str]:
    """Battery, EV and tank levels at the end of each slot, and the time axis."""
    n = len(slots)
    parts = []
    for share in (0, 0.5, 1):
        y = _share_y(share)
        parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(_text(LEFT - 8, y + 4, f"{share:.0%}", 12, text_anchor="end"))
    for colour, values, label in (
        ("#1e88e5", [slot.battery_soc or 0.0 for slot in slots], "battery 蓄電池"),
        ("#2e7d32", [slot.ev_soc or 0.0 for slot in slots], "EV"),
        (
            "#ef6c00",
            [(slot.tank_heat_kwh or 0.0) / TANK_CAPACITY_KWH for slot in slots],
            "hot water タンク",
        ),
    ):
        points = " ".join(f"{_x(i + 1, n):.1f},{_share_y(v):.1f}" for i, v in enumerate(values))
        parts.append(_line(points, colour, 2.5))
        parts.append(_text(RIGHT + 8, _share_y(values[-1]) + 4, label, 12, fill=colour))
    for i, slot in enumerate(slots):
        if slot.start.minute == 0 and slot.start.hour % 2 == 0:
            time_of_day = slot.start.strftime("%H:%M")
            parts.append(
                _text(_x(i, n), LEVEL_PANEL[1] + 18, time_of_day, 11, text_anchor="middle")
            )
    return parts


def svg(result: Plan) -> str:
    """The plan as an SVG document."""
    title = "Plan made Fri 2 May 2025 22:00 for the next 24 hours"
    subtitle = "2025年5月2日(金) 22:00 に立てた24時間の計画（翌日は祝日・晴れの予報）"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        _text(LEFT, 30, title, 18, font_weight="bold"),
        _text(LEFT, 52, subtitle, 15),
        *_energy_panel(result.slots),
        *_level_panel(result.slots),
    ]
    y = 640
    parts.append(_text(LEFT, y, "Why 理由", 15, font_weight="bold"))
    for language in ("ja", "en"):
        for line in result.explain(language):
            y += 20
            parts.append(_text(LEFT, y, "• " + line, 13))
        y += 6
    parts.append("</svg>")
    return "\n".join(parts)


def render_png(svg_path: Path, png_path: Path) -> bool:
    """Screenshot ``svg_path`` with headless Chromium; False when Chromium is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return False
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            f"--window-size={WIDTH},{HEIGHT}",
            f"--screenshot={png_path}",
            svg_path.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    return True


def main() -> int:
    """Write docs/planner-plan.svg and .png."""
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    svg_path = docs / "planner-plan.svg"
    svg_path.write_text(svg(example_plan()), encoding="utf-8")
    png_path = docs / "planner-plan.png"
    if render_png(svg_path, png_path):
        print(f"written {svg_path} and {png_path}")
    else:
        print(f"written {svg_path} (no Chromium for the PNG)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
