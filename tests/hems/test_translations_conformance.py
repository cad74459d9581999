"""Every step of every flow, as a user meets it, is translated in English and Japanese.

The flows are driven only through Home Assistant's flow API (step ids and field names), against
the virtual house on loopback and a virtual Wi-SUN dongle, and each step is checked the way the
frontend renders it (the schema serialised with Home Assistant's own serializer):

* every field has a label (``data``) and a help text (``data_description``);
* every option of a select with a ``translation_key`` has ``selector.<key>.options.<value>``;
  a select without one must label its options itself (no raw values in a dropdown);
* every menu option has a label, every progress step its text, every error and abort reason
  met on the way its message;
* every ``{placeholder}`` of a step's title and description is filled by the step.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_USB,
    SOURCE_USER,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.helpers.service_info.usb import UsbServiceInfo
import pytest
import voluptuous as vol

from simulator.dongle import DEFAULT_PASSWORD, DEFAULT_RBID

from .conftest import HouseFactory, setup_hub
from .test_broute_support import (
    DongleFactory,
    _fast_broute,
    broute_entry,
    finish_progress,
    make_dongle,
    sim_clock,
)

#: Fixtures of the B-route support module that this module's tests use.
FIXTURES = (_fast_broute, make_dongle, sim_clock)

try:  # what Home Assistant's flow view sends to the frontend (probatio since 2026.3)
    from probatio import to_field_list as _field_list
except ImportError:  # Home Assistant 2026.2
    from voluptuous_serialize import convert as _field_list

TRANSLATIONS = Path(__file__).parents[2] / "custom_components" / "hems" / "translations"
LANGUAGES = ("en", "ja")
PLACEHOLDER = re.compile(r"{(\w+)}")
DOMAIN = "hems"


def _load() -> dict[str, dict[str, Any]]:
    return {
        lang: json.loads((TRANSLATIONS / f"{lang}.json").read_text(encoding="utf-8"))
        for lang in LANGUAGES
    }


class Checker:
    """Collects what a user would see untranslated, for every language."""

    def __init__(self) -> None:
        self.strings = _load()
        self.problems: list[str] = []
        self.seen: set[tuple[str, str]] = set()

    def _step(self, lang: str, section: str, step: str) -> dict[str, Any] | None:
        steps = self.strings[lang].get(section, {}).get("step", {})
        found = steps.get(step)
        if found is None:
            self.problems.append(f"{lang}: {section}.step.{step} is missing")
        return found

    def _placeholders(self, section: str, result: dict[str, Any]) -> None:
        given = set((result.get("description_placeholders") or {}).keys())
        for lang in LANGUAGES:
            step = self._step(lang, section, result["step_id"]) or {}
            for part in ("title", "description"):
                wanted = set(PLACEHOLDER.findall(step.get(part, "")))
                if missing := wanted - given:
                    self.problems.append(
                        f"{lang}: {section}.step.{result['step_id']}.{part} needs"
                        f" {sorted(missing)}, the step gives {sorted(given)}"
                    )

    def _messages(self, section: str, kind: str, keys: Any) -> None:
        for key in keys:
            for lang in LANGUAGES:
                if key not in self.strings[lang].get(section, {}).get(kind, {}):
                    self.problems.append(f"{lang}: {section}.{kind}.{key} is missing")

    def check(self, section: str, result: dict[str, Any]) -> dict[str, Any]:
        """Check one flow result (form, menu, progress, abort); return it for chaining."""
        kind = result["type"]
        if kind is FlowResultType.ABORT:
            self._messages(section, "abort", [result["reason"]])
            return result
        if kind in (FlowResultType.CREATE_ENTRY, FlowResultType.SHOW_PROGRESS_DONE):
            return result
        step_id = result["step_id"]
        self.seen.add((section, step_id))
        self._placeholders(section, result)
        if kind is FlowResultType.MENU:
            for lang in LANGUAGES:
                labels = (self._step(lang, section, step_id) or {}).get("menu_options", {})
                for option in result["menu_options"]:
                    if option not in labels:
                        self.problems.append(
                            f"{lang}: {section}.step.{step_id}.menu_options.{option} is missing"
                        )
            return result
        if kind is FlowResultType.SHOW_PROGRESS:
            self._messages(section, "progress", [result["progress_action"]])
            return result
        assert kind is FlowResultType.FORM, result
        self._messages(section, "error", (result.get("errors") or {}).values())
        schema = result.get("data_schema")
        fields = (
            [] if schema is None else _field_list(schema, custom_serializer=cv.custom_serializer)
        )
        for field in fields:
            name = field["name"]
            for lang in LANGUAGES:
                step = self._step(lang, section, step_id) or {}
                for part in ("data", "data_description"):
                    if not step.get(part, {}).get(name):
                        self.problems.append(f"{lang}: {section}.step.{step_id}.{part}.{name}")
            self._select(section, step_id, name, field.get("selector", {}).get("select"))
        return result

    def _select(self, section: str, step: str, name: str, config: dict[str, Any] | None) -> None:
        if config is None:
            return
        key = config.get("translation_key")
        for option in config.get("options", []):
            if isinstance(option, dict):
                if key is None:
                    if not str(option.get("label", "")).strip():
                        self.problems.append(f"{section}.{step}.{name}: option without label")
                    continue
                value = option["value"]
            else:
                value = option
            if key is None:
                self.problems.append(
                    f"{section}.{step}.{name}: raw option {value!r} (no label, no translation_key)"
                )
                continue
            for lang in LANGUAGES:
                labels = self.strings[lang].get("selector", {}).get(key, {}).get("options", {})
                if not labels.get(str(value)):
                    self.problems.append(f"{lang}: selector.{key}.options.{value} is missing")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(sorted(set(self.problems)))


def adapter(name: str, address: str, *, default: bool = False) -> dict[str, Any]:
    """A network adapter as Home Assistant's network integration reports it."""
    return {
        "name": name,
        "index": 1,
        "enabled": True,
        "auto": True,
        "default": default,
        "ipv4": [{"address": address, "network_prefix": 8}],
        "ipv6": [],
    }


@pytest.fixture
def loopback_only() -> Iterator[None]:
    """Home Assistant's network integration reports the loopback interface only."""
    with patch(
        "homeassistant.components.network.async_get_adapters",
        return_value=[adapter("lo", "127.0.0.1", default=True)],
    ):
        yield


# ----------------------------------------------------------------------------- helpers


async def _user_menu(hass: HomeAssistant, check: Checker, step: str) -> dict[str, Any]:
    result = check.check(
        "config",
        await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER}),
    )
    assert result["type"] is FlowResultType.MENU, result
    return check.check(
        "config",
        await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": step}),
    )


async def _configure(
    hass: HomeAssistant, check: Checker, flow_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    return check.check("config", await hass.config_entries.flow.async_configure(flow_id, data))


async def _options(
    hass: HomeAssistant, check: Checker, entry_id: str, *steps: dict[str, Any]
) -> dict[str, Any]:
    """Open the options flow of an entry and walk ``steps`` (each checked)."""
    result = check.check("options", await hass.config_entries.options.async_init(entry_id))
    for data in steps:
        result = check.check(
            "options", await hass.config_entries.options.async_configure(result["flow_id"], data)
        )
    return result


def _field_options(result: dict[str, Any], name: str) -> list[str]:
    for field in _field_list(result["data_schema"], custom_serializer=cv.custom_serializer):
        if field["name"] == name:
            options = field["selector"]["select"]["options"]
            return [o if isinstance(o, str) else o["value"] for o in options]
    raise AssertionError(f"no field {name}")


# ----------------------------------------------------------------------------- tests


async def test_echonet_hub_flows(
    hass: HomeAssistant, make_house: HouseFactory, loopback_only: None
) -> None:
    """user -> echonet -> confirm -> manual; discovery; reconfigure; the hub's options."""
    check = Checker()
    await make_house()
    result = await _user_menu(hass, check, "echonet")
    assert result["step_id"] == "echonet", result
    result = await _configure(hass, check, result["flow_id"], {"interface": "lo"})
    assert result["step_id"] == "confirm", result
    result = await _configure(hass, check, result["flow_id"], {"next_step_id": "manual"})
    assert result["step_id"] == "manual", result
    result = await _configure(hass, check, result["flow_id"], {"host": "not an address"})
    assert result["errors"], result
    hass.config_entries.flow.async_abort(result["flow_id"])

    result = check.check(
        "config",
        await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={
                "interface": "lo",
                "address": "127.0.0.1",
                "nodes": 3,
                "objects": 5,
                "classes": "Air conditioner ×2",
            },
        ),
    )
    assert result["step_id"] == "discovery_confirm", result
    hass.config_entries.flow.async_abort(result["flow_id"])

    entry = await setup_hub(hass)
    result = check.check("config", await entry.start_reconfigure_flow(hass))
    assert result["step_id"] == "reconfigure", result
    hass.config_entries.flow.async_abort(result["flow_id"])
    result = await _options(hass, check, entry.entry_id)
    assert result["step_id"] == "init", result
    assert _field_options(result, "disabled_devices"), "the hub's devices are listed"
    result = check.check(
        "options",
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {"freshness": 10, "hosts": "300.1.2.3"},
        ),
    )
    assert result["errors"], result
    # The user menu aborts when a hub exists on every interface.
    result = await _user_menu(hass, check, "echonet")
    result = await _configure(hass, check, result["flow_id"], {"interface": "lo"})
    assert result["type"] is FlowResultType.ABORT, result
    assert {("config", "user"), ("config", "echonet"), ("options", "init")} <= check.seen
    check.assert_clean()


async def test_broute_flows(
    hass: HomeAssistant, make_dongle: DongleFactory, tmp_path: Path
) -> None:
    """user -> broute -> broute_connect; usb -> usb_confirm; reauth; reconfigure; options."""
    check = Checker()
    dongle = await make_dongle("a1")
    assert dongle.path is not None
    result = await _user_menu(hass, check, "broute")
    assert result["step_id"] == "broute", result
    flow_id = result["flow_id"]
    result = await _configure(
        hass, check, flow_id, {"port": dongle.path, "rbid": "short", "password": "x"}
    )
    assert result["errors"], result
    result = await _configure(
        hass,
        check,
        flow_id,
        {"port": dongle.path, "rbid": DEFAULT_RBID, "password": DEFAULT_PASSWORD},
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS, result
    result = check.check("config", await finish_progress(hass, result))
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()

    result = check.check(
        "config",
        await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_USB},
            data=UsbServiceInfo(
                device=str(tmp_path / "ttyUSB9"),
                vid="0403",
                pid="6015",
                serial_number="X0000001",
                manufacturer="FTDI",
                description="FT230X Basic UART",
            ),
        ),
    )
    assert result["step_id"] == "usb_confirm", result
    hass.config_entries.flow.async_abort(result["flow_id"])

    other = broute_entry(str(tmp_path / "ttyOTHER"))
    other.add_to_hass(hass)
    result = check.check("config", await other.start_reauth_flow(hass))
    assert result["step_id"] == "reauth_confirm", result
    hass.config_entries.flow.async_abort(result["flow_id"])
    result = check.check("config", await other.start_reconfigure_flow(hass))
    assert result["step_id"] == "broute_reconfigure", result
    hass.config_entries.flow.async_abort(result["flow_id"])

    result = await _options(hass, check, other.entry_id)
    assert result["step_id"] == "broute", result
    assert {("config", "broute_connect"), ("options", "broute")} <= check.seen
    check.assert_clean()


async def test_energy_flows(hass: HomeAssistant) -> None:
    """user -> energy; every item of the options menu and the steps behind them."""
    check = Checker()
    result = await _user_menu(hass, check, "energy")
    assert result["step_id"] == "energy", result
    result = await _configure(hass, check, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    entry = result["result"]
    await hass.async_block_till_done()

    menu = await _options(hass, check, entry.entry_id)
    assert menu["type"] is FlowResultType.MENU, menu
    hass.config_entries.options.async_abort(menu["flow_id"])
    for item in menu["menu_options"]:
        result = await _options(hass, check, entry.entry_id, {"next_step_id": item})
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            hass.config_entries.options.async_abort(result["flow_id"])

    await _seasons_and_periods(hass, check, entry.entry_id)
    await _every_basic_charge(hass, check, entry.entry_id)
    await _invalid_tariff_on_save(hass, check, entry.entry_id)

    steps = {step for section, step in check.seen if section == "options"}
    assert {"energy", "general", "season", "periods", "period", "basic_amounts"} <= steps
    check.assert_clean()


async def _seasons_and_periods(hass: HomeAssistant, check: Checker, entry_id: str) -> None:
    """seasons -> season; seasons -> periods -> period."""
    await _abort_options(
        hass,
        await _options(hass, check, entry_id, {"next_step_id": "seasons"}, {"action": "edit"}),
    )
    result = await _options(
        hass,
        check,
        entry_id,
        {"next_step_id": "seasons"},
        {"action": "periods"},
        {"action": "edit"},
    )
    assert result["step_id"] == "period", result
    await _abort_options(hass, result)


async def _every_basic_charge(hass: HomeAssistant, check: Checker, entry_id: str) -> None:
    """basic -> basic_amounts for every kind of basic charge."""
    basic = await _options(hass, check, entry_id, {"next_step_id": "basic"})
    kinds = _field_options(basic, "kind")
    await _abort_options(hass, basic)
    for kind in kinds:
        await _abort_options(
            hass,
            await _options(
                hass,
                check,
                entry_id,
                {"next_step_id": "basic"},
                {"kind": kind, "half_if_no_usage": False},
            ),
        )


async def _invalid_tariff_on_save(hass: HomeAssistant, check: Checker, entry_id: str) -> None:
    """An invalid tariff: a second period without time windows; save then shows the reason."""
    result = await _options(
        hass,
        check,
        entry_id,
        {"next_step_id": "seasons"},
        {"action": "periods"},
        {"action": "add"},
        {"key": "extra", "price_1": 30},
    )
    assert result["step_id"] == "periods", result
    assert result["errors"], result
    result = await _options_step(hass, check, result, {"action": "done"})
    assert result["type"] is FlowResultType.MENU, result
    result = await _options_step(hass, check, result, {"next_step_id": "save"})
    assert result["step_id"] == "save", result
    assert result["errors"], result
    await _abort_options(hass, result)


async def _options_step(
    hass: HomeAssistant, check: Checker, result: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any]:
    return check.check(
        "options", await hass.config_entries.options.async_configure(result["flow_id"], data)
    )


async def _abort_options(hass: HomeAssistant, result: dict[str, Any]) -> None:
    if result["type"] in (FlowResultType.FORM, FlowResultType.MENU):
        hass.config_entries.options.async_abort(result["flow_id"])


def test_checker_finds_what_is_missing() -> None:
    """The checker itself: an untranslated field, option, menu item and placeholder are found."""
    check = Checker()
    check.strings = {
        lang: {
            "config": {
                "step": {
                    "s": {"title": "T {x}", "data": {"a": "A"}, "data_description": {}},
                    "m": {"menu_options": {"one": "1"}},
                }
            },
            "selector": {"k": {"options": {"v1": "V1"}}},
        }
        for lang in LANGUAGES
    }
    schema = vol.Schema(
        {
            vol.Required("a"): selector.SelectSelector(
                selector.SelectSelectorConfig(options=["v1", "v2"], translation_key="k")
            ),
            vol.Optional("b"): selector.SelectSelector(
                selector.SelectSelectorConfig(options=["raw"])
            ),
        }
    )
    check.check(
        "config",
        {
            "type": FlowResultType.FORM,
            "step_id": "s",
            "data_schema": schema,
            "description_placeholders": {},
            "errors": {"base": "nope"},
        },
    )
    check.check(
        "config",
        {"type": FlowResultType.MENU, "step_id": "m", "menu_options": ["one", "two"]},
    )
    found = "\n".join(check.problems)
    for expected in (
        "en: config.step.s.data_description.a",
        "ja: config.step.s.data.b",
        "ja: selector.k.options.v2 is missing",
        "raw option 'raw'",
        "config.step.s.title needs ['x']",
        "en: config.error.nope is missing",
        "ja: config.step.m.menu_options.two is missing",
    ):
        assert expected in found, found
    assert "selector.k.options.v1" not in found
