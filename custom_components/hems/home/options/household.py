"""Options steps that are not the tariff: sources, targets and contract current, alarm."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers import selector
import voluptuous as vol

from ..detect import detect_sources
from ..settings import (
    DEFAULT_AMPERE_WARN_PERCENT,
    DEFAULT_TARGET_WARN_PERCENT,
    OPT_ALARM_ENTITIES,
    OPT_AMPERE_WARN_PERCENT,
    OPT_AUTO_SOURCES,
    OPT_CONTRACT_AMPERES,
    OPT_SOURCES,
    OPT_TARGET_ELECTRICITY,
    OPT_TARGET_GAS,
    OPT_TARGET_WARN_PERCENT,
    OPT_TARGET_WATER,
)
from ..sources import COUNTER_ROLES, FIXED_ROLES, POWER_ROLES, SINGLE_ROLES
from .base import EnergyOptionsBase
from .forms import _number, _suggest


class HouseholdSteps(EnergyOptionsBase):
    """Sources, targets and the contract current alert, alarm entities."""

    async def async_step_sources(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Entities to read (pre-filled with what is detected)."""
        if user_input is not None:
            auto = bool(user_input.pop(OPT_AUTO_SOURCES, False))
            chosen: dict[str, list[str]] = {}
            for role, value in user_input.items():
                ids = value if isinstance(value, list) else [value]
                ids = [i for i in ids if i]
                if ids:
                    chosen[role] = ids
            self.opts[OPT_AUTO_SOURCES] = auto
            self.opts[OPT_SOURCES] = {} if auto else chosen
            return await self.async_step_energy()
        detected = detect_sources(self.hass, self.config_entry.entry_id)
        stored = self.opts.get(OPT_SOURCES) or {}
        auto = bool(self.opts.get(OPT_AUTO_SOURCES, True))
        fields: dict[Any, Any] = {vol.Required(OPT_AUTO_SOURCES, default=auto): bool}
        for role in (*COUNTER_ROLES, *FIXED_ROLES, *POWER_ROLES, "current", "temperature"):
            value = list(stored.get(role) or detected.get(role))
            single = role in SINGLE_ROLES
            config = selector.EntitySelectorConfig(
                domain="sensor",
                multiple=not single,
            )
            fields[
                vol.Optional(role, description=_suggest(value[0] if single and value else value))
            ] = selector.EntitySelector(config)
        for role, domains in (("locks", ["lock"]), ("openings", ["binary_sensor", "cover"])):
            value = list(stored.get(role) or detected.get(role))
            fields[vol.Optional(role, description=_suggest(value))] = selector.EntitySelector(
                selector.EntitySelectorConfig(domain=domains, multiple=True)
            )
        return self.async_show_form(step_id="sources", data_schema=vol.Schema(fields))

    async def async_step_targets(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Monthly usage targets and the contract current alert."""
        if user_input is not None:
            for key in (OPT_TARGET_ELECTRICITY, OPT_TARGET_GAS, OPT_TARGET_WATER):
                value = user_input.get(key)
                self.opts[key] = None if value in (None, "", 0) else float(value)
            contract = user_input.get(OPT_CONTRACT_AMPERES)
            self.opts[OPT_CONTRACT_AMPERES] = None if not contract else int(contract)
            self.opts[OPT_TARGET_WARN_PERCENT] = int(user_input[OPT_TARGET_WARN_PERCENT])
            self.opts[OPT_AMPERE_WARN_PERCENT] = int(user_input[OPT_AMPERE_WARN_PERCENT])
            return await self.async_step_energy()
        o = self.opts
        return self.async_show_form(
            step_id="targets",
            data_schema=vol.Schema(
                {
                    vol.Optional(
                        OPT_TARGET_ELECTRICITY, description=_suggest(o.get(OPT_TARGET_ELECTRICITY))
                    ): _number(unit="kWh", minimum=0),
                    vol.Optional(
                        OPT_TARGET_GAS, description=_suggest(o.get(OPT_TARGET_GAS))
                    ): _number(unit="m³", minimum=0),
                    vol.Optional(
                        OPT_TARGET_WATER, description=_suggest(o.get(OPT_TARGET_WATER))
                    ): _number(unit="m³", minimum=0),
                    vol.Required(
                        OPT_TARGET_WARN_PERCENT,
                        default=o.get(OPT_TARGET_WARN_PERCENT, DEFAULT_TARGET_WARN_PERCENT),
                    ): _number(1, "%", 1),
                    vol.Optional(
                        OPT_CONTRACT_AMPERES, description=_suggest(o.get(OPT_CONTRACT_AMPERES))
                    ): _number(1, "A", 1),
                    vol.Required(
                        OPT_AMPERE_WARN_PERCENT,
                        default=o.get(OPT_AMPERE_WARN_PERCENT, DEFAULT_AMPERE_WARN_PERCENT),
                    ): _number(1, "%", 1),
                }
            ),
        )

    async def async_step_alarm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Locks and doors/windows that the alarm mode watches."""
        if user_input is not None:
            self.opts[OPT_ALARM_ENTITIES] = list(user_input.get(OPT_ALARM_ENTITIES, []))
            return await self.async_step_energy()
        current = self.opts.get(OPT_ALARM_ENTITIES)
        if current is None:
            detected = detect_sources(self.hass, self.config_entry.entry_id)
            current = [*detected.get("locks"), *detected.get("openings")]
        return self.async_show_form(
            step_id="alarm",
            data_schema=vol.Schema(
                {
                    vol.Optional(OPT_ALARM_ENTITIES, description=_suggest(current)): (
                        selector.EntitySelector(
                            selector.EntitySelectorConfig(
                                domain=["lock", "binary_sensor", "cover"], multiple=True
                            )
                        )
                    )
                }
            ),
        )
