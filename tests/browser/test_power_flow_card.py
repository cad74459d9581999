"""The power-flow card in a real browser: flows and directions, languages, themes, errors.

The card runs alone on a page served from the test, fed by a stand-in for Home Assistant's
``hass`` object (states, language).  Screenshots go to ``.artifacts/browser/``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from . import chromium
from .conftest import ARTIFACTS

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CONFIG: dict[str, Any] = {
    "entities": {
        "grid": "sensor.grid_power",
        "solar": "sensor.solar_power",
        "battery": "sensor.battery_power",
        "battery_soc": "sensor.battery_state_of_charge",
        "v2h": "sensor.v2h_power",
        "fuel_cell": "sensor.fuel_cell_power",
    }
}


def power(value: float | str, unit: str = "W") -> dict[str, Any]:
    """A state object as the frontend has it."""
    return {"state": str(value), "attributes": {"unit_of_measurement": unit}}


def house(
    grid: float | str = 850,
    solar: float | str = 3.2,
    battery: float | str = -600,
    v2h: float | str = 3000,
    fuel_cell: float | str = 700,
) -> dict[str, Any]:
    """A house buying a little, charging the car, discharging the battery (solar in kW)."""
    return {
        "sensor.grid_power": power(grid),
        "sensor.solar_power": power(solar, "kW"),
        "sensor.battery_power": power(battery),
        "sensor.battery_state_of_charge": power(64, "%"),
        "sensor.v2h_power": power(v2h),
        "sensor.fuel_cell_power": power(fuel_cell),
    }


@pytest.fixture
def page(browser: WebDriver, card_page: str) -> WebDriver:
    """The test page, loaded afresh, with the card defined and no media emulation."""
    from selenium.webdriver.support.wait import WebDriverWait

    chromium.emulate(browser, prefers_reduced_motion="no-preference")
    browser.get(card_page)
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return !!customElements.get('hems-power-flow-card')")
    )
    return browser


def mount(
    page: WebDriver,
    states: dict[str, Any],
    language: str = "en",
    config: dict[str, Any] | None = None,
    slot: str = "light",
) -> dict[str, Any]:
    result: dict[str, Any] = page.execute_script(
        "return hemsTest.mount(arguments[0], arguments[1], arguments[2], arguments[3])",
        slot,
        CONFIG if config is None else config,
        states,
        language,
    )
    assert result == {"ok": True}, result
    return read(page, slot)


def read(page: WebDriver, slot: str = "light") -> dict[str, Any]:
    result: dict[str, Any] = page.execute_script("return hemsTest.read(arguments[0])", slot)
    return result


def seconds(duration: str) -> float:
    return float(duration.removesuffix("s"))


def reversed_path(path: str) -> str:
    points = re.findall(r"[\d.]+,[\d.]+", path)
    return f"M{points[2]} L{points[1]} L{points[0]}"


def test_flows_in_english_light_and_dark(page: WebDriver) -> None:
    """Every flow with its value, direction, status and animation; both themes drawn."""
    card = mount(page, house())
    mount(page, house(), slot="dark")
    nodes = card["nodes"]
    assert card["title"] == "Power flow"
    expected = {
        "grid": ("flowing", "in", "850 W", "Buying", "Grid"),
        "solar": ("flowing", "in", "3.20 kW", "Generating", "Solar"),
        "battery": ("flowing", "in", "600 W", "Discharging", "Battery 64 %"),
        "v2h": ("flowing", "out", "3.00 kW", "Charging", "V2H (EV)"),
        "fuel_cell": ("flowing", "in", "700 W", "Generating", "Fuel cell"),
    }
    for key, (state, direction, value, status, name) in expected.items():
        node = nodes[key]
        assert (node["state"], node["direction"], node["value"], node["status"], node["name"]) == (
            state,
            direction,
            value,
            status,
            name,
        ), key
        assert node["flow"]["direction"] == direction
        assert node["flow"]["visible"]
        assert node["flow"]["animation"] == "hems-flow"
        assert node["flow"]["arrow"] == f"url(#arrow-{key})"
    # The house: 850 + 3200 + 700 + 600 (battery) - 3000 (car) = 2350 W.
    assert (nodes["house"]["value"], nodes["house"]["status"]) == ("2.35 kW", "Using")
    # More power, faster dashes.
    assert seconds(nodes["v2h"]["flow"]["duration"]) < seconds(nodes["grid"]["flow"]["duration"])
    assert "Grid: Buying 850 W" in card["label"]
    chromium.screenshot(page, ARTIFACTS / "power-flow-en.png", "body")


def test_flows_in_japanese(page: WebDriver) -> None:
    """AiSEG2's words: 電気の流れ, 買電, 発電, 放電, 充電, 消費."""
    card = mount(page, house(), language="ja")
    mount(page, house(grid=-1200, battery=900, v2h=-2000), language="ja", slot="dark")
    nodes = card["nodes"]
    assert card["title"] == "電気の流れ"
    assert [nodes[k]["status"] for k in ("grid", "solar", "battery", "v2h", "fuel_cell")] == [
        "買電",
        "発電",
        "放電",
        "充電",
        "発電",
    ]
    assert nodes["house"]["status"] == "消費"
    assert [nodes[k]["name"] for k in ("grid", "solar", "battery", "v2h", "fuel_cell")] == [
        "電力会社",
        "太陽光",
        "蓄電池 64 %",
        "V2H（電気自動車）",
        "燃料電池",
    ]
    dark = read(page, "dark")["nodes"]
    assert [dark[k]["status"] for k in ("grid", "battery", "v2h")] == ["売電", "充電", "放電"]
    chromium.screenshot(page, ARTIFACTS / "power-flow-ja.png", "body")


def test_directions_follow_the_states(page: WebDriver) -> None:
    """Buying turns to selling, discharging to charging; no flow is drawn still and idle."""
    before = mount(page, house())["nodes"]
    page.execute_script(
        "hemsTest.setStates('light', arguments[0], 'en')",
        house(grid=-1200, solar=0, battery=900, v2h=-2000),
    )
    after = read(page)["nodes"]
    assert (after["grid"]["direction"], after["grid"]["status"]) == ("out", "Selling")
    assert (after["battery"]["direction"], after["battery"]["status"]) == ("out", "Charging")
    assert (after["v2h"]["direction"], after["v2h"]["status"]) == ("in", "Discharging")
    for key in ("grid", "battery", "v2h"):
        assert after[key]["flow"]["path"] == reversed_path(before[key]["flow"]["path"]), key
    solar = after["solar"]
    assert (solar["state"], solar["direction"], solar["status"]) == ("idle", "none", "Idle")
    assert solar["value"] == "0 W"
    assert not solar["flow"]["visible"]
    assert solar["flow"]["arrow"] is None
    # House: -1200 + 0 + 700 - 900 + 2000 = 600 W.
    assert after["house"]["value"] == "600 W"
    # The user switches Home Assistant to Japanese: the same states, redrawn in Japanese.
    page.execute_script("hemsTest.setLanguage('light', 'ja')")
    ja = read(page)
    assert ja["title"] == "電気の流れ"
    assert (ja["nodes"]["grid"]["status"], ja["nodes"]["grid"]["value"]) == ("売電", "1.20 kW")
    assert ja["nodes"]["solar"]["status"] == "待機"


def test_reduced_motion_keeps_the_direction_without_moving(page: WebDriver) -> None:
    """prefers-reduced-motion: the dashes stand still; the arrows still show the way."""
    chromium.emulate(page, prefers_reduced_motion="reduce")
    nodes = mount(page, house())["nodes"]
    for key in ("grid", "solar", "battery", "v2h", "fuel_cell"):
        assert nodes[key]["flow"]["animation"] == "none", key
        assert nodes[key]["flow"]["visible"]
        assert nodes[key]["flow"]["arrow"] == f"url(#arrow-{key})"


def test_unavailable_entities_never_show_a_number(page: WebDriver) -> None:
    """Unavailable, missing and non-power entities are named; the house is not guessed."""
    states = house()
    states["sensor.battery_power"] = {"state": "unavailable", "attributes": {}}
    del states["sensor.fuel_cell_power"]
    states["sensor.v2h_power"] = power(40, "%")
    nodes = mount(page, states)["nodes"]
    assert (nodes["battery"]["state"], nodes["battery"]["value"]) == ("unavailable", "Unavailable")
    assert (nodes["fuel_cell"]["state"], nodes["fuel_cell"]["value"]) == ("missing", "Not found")
    assert (nodes["v2h"]["state"], nodes["v2h"]["value"]) == ("bad-unit", "Wrong unit")
    assert (nodes["house"]["state"], nodes["house"]["value"]) == ("unavailable", "Unavailable")
    for key in ("battery", "fuel_cell", "v2h"):
        assert nodes[key]["status"] == ""
        assert not nodes[key]["flow"]["visible"]
    assert nodes["grid"]["value"] == "850 W"  # the others are still shown
    ja = mount(page, states, language="ja", slot="dark")["nodes"]
    assert [ja[k]["value"] for k in ("battery", "fuel_cell", "v2h", "house")] == [
        "利用不可",
        "見つかりません",
        "単位が不正",
        "利用不可",
    ]
    chromium.screenshot(page, ARTIFACTS / "power-flow-unavailable.png", "body")
    # With a house entity of its own, the house shows it even while a part is unavailable.
    states["sensor.house_power"] = power(1.5, "kW")
    config = {"entities": {**CONFIG["entities"], "house": "sensor.house_power"}}
    assert mount(page, states, config=config)["nodes"]["house"]["value"] == "1.50 kW"


@pytest.mark.parametrize(
    ("config", "english", "japanese"),
    [
        (None, "needs a configuration", "設定"),
        ({}, "`entities` is required", "`entities` は必須です"),
        ({"entities": {"grid": "not an id"}}, "must be an entity id", "エンティティ ID"),
        ({"entities": {"gird": "sensor.grid"}}, "Unknown key `entities.gird`", "不明なキー"),
        ({"entities": {"house": "sensor.house"}}, "at least one of grid", "いずれか"),
        (
            {"entities": {"grid": "sensor.grid", "battery_soc": "sensor.soc"}},
            "`entities.battery_soc` needs `entities.battery`",
            "`entities.battery` も必要です",
        ),
        (
            {"entities": {"grid": {"entity": "sensor.grid", "colour": "red"}}},
            "Unknown option `colour`",
            "不明な項目",
        ),
        ({"title": 5, "entities": {"grid": "sensor.grid"}}, "`title` must be text", "文字列"),
    ],
)
def test_bad_configuration_is_a_clear_error(
    page: WebDriver, config: dict[str, Any] | None, english: str, japanese: str
) -> None:
    """setConfig throws (Home Assistant shows the message as an error card), in the UI language."""
    script = (
        "document.documentElement.lang = arguments[1];"
        "return hemsTest.mount('light', arguments[0], {}, arguments[1])"
    )
    assert english in page.execute_script(script, config, "en")["error"]
    assert japanese in page.execute_script(script, config, "ja")["error"]


def test_sizes_titles_and_stub_configuration(page: WebDriver) -> None:
    """Card size for both views, a custom or hidden title, per-node options, the picker's stub."""
    card = mount(page, house())
    assert card["size"] == 8
    assert card["grid"] == {"columns": 12, "rows": 8, "min_columns": 6, "min_rows": 4}
    small = mount(
        page,
        {"sensor.meter": power(-0.4, "kW")},
        config={"title": "", "entities": {"grid": {"entity": "sensor.meter", "name": "Meter"}}},
    )
    assert small["title"] is None
    assert small["size"] < card["size"]
    assert small["nodes"]["grid"]["name"] == "Meter"
    assert (small["nodes"]["grid"]["status"], small["nodes"]["grid"]["value"]) == (
        "Selling",
        "400 W",
    )
    inverted = mount(
        page,
        {"sensor.meter": power(400)},
        config={
            "title": "My house",
            "entities": {"grid": {"entity": "sensor.meter", "invert": True}},
        },
    )
    assert inverted["title"] == "My house"
    assert inverted["nodes"]["grid"]["status"] == "Selling"

    registry = {
        "sensor.a": {"entity_id": "sensor.a", "platform": "hems", "translation_key": "grid_power"},
        "sensor.b": {"entity_id": "sensor.b", "platform": "hems", "translation_key": "ev_power"},
        "sensor.c": {
            "entity_id": "sensor.c",
            "platform": "other",
            "translation_key": "solar_power",
        },
        "sensor.d": {
            "entity_id": "sensor.d",
            "platform": "hems",
            "translation_key": "vehicle_state_of_charge",
        },
        "sensor.e": {
            "entity_id": "sensor.e",
            "platform": "hems",
            "translation_key": "state_of_charge",
        },
    }
    stub = page.execute_script(
        "return customElements.get('hems-power-flow-card')"
        ".getStubConfig(hemsTest.hass({}, 'en', arguments[0]))",
        registry,
    )
    # The battery's charge is dropped: there is no battery power to go with it.
    assert stub == {"entities": {"grid": "sensor.a", "v2h": "sensor.b", "v2h_soc": "sensor.d"}}
    assert page.execute_script(
        "return window.customCards.some(c => c.type === 'hems-power-flow-card')"
    )


def test_fits_the_sections_grid(page: WebDriver) -> None:
    """In a sections view the card gets rows x 56 px (+ 8 px gaps): the drawing stays inside."""
    card = mount(page, house())
    rows = card["grid"]["rows"]
    height = rows * 56 + (rows - 1) * 8
    page.execute_script(
        "const slot = document.getElementById('light');"
        "slot.style.height = arguments[0] + 'px'; slot.style.width = '480px';"
        "slot.style.padding = '0';",
        height,
    )
    fitted = read(page)
    assert fitted["card"]["height"] == pytest.approx(height, abs=1)
    drawing, box = fitted["drawing"], fitted["card"]
    assert box["top"] < drawing["top"] and drawing["bottom"] <= box["bottom"]
    assert box["left"] <= drawing["left"] and drawing["right"] <= box["right"]
    # A masonry view gives no height: the card is as tall as its drawing needs.
    page.execute_script("document.getElementById('light').style.height = 'auto'")
    assert read(page)["card"]["height"] > 300
    chromium.screenshot(page, ARTIFACTS / "power-flow-sections.png", "#light")
