"""Config, reconfigure and options flows of ECHONET Lite hub entries.

Steps: ``echonet`` (pick the network interface; it is probed) -> ``confirm`` (what answered)
-> ``finish``, or ``manual`` (add a device by IP address) first; a hub found at start-up comes
as ``integration_discovery`` -> ``discovery_confirm``.  ``reconfigure`` moves the hub to
another interface.  The options set the poll intervals, the devices to ignore and the hosts.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import (
    CONF_ADDRESS,
    CONF_DISABLED_DEVICES,
    CONF_FRESHNESS,
    CONF_HOST,
    CONF_HOSTS,
    CONF_INTERFACE,
    CONF_KIND,
    CONF_MAX_NODES,
    DEFAULT_MAX_NODES,
    KIND_ECHONET,
    MAX_MAX_NODES,
)
from ..echonet import AddressInUseError, TransportError
from ..echonet.polling import MAX_FRESHNESS, MIN_FRESHNESS
from ..kinds import loaded_runtime
from ..models import HemsConfigEntry
from . import KIND
from .devices import object_identifier
from .discovery import ProbeResult, async_adapters, async_probe
from .errors import ECHONET_ERRORS, Operation
from .naming import object_device_name
from .portinfo import describe_port_owner
from .runtime import freshness_option


def _unique_id(interface: str) -> str:
    return f"{KIND_ECHONET}_{interface}"


class HubFlowMixin(ConfigFlow):
    """The ECHONET Lite hub steps of the integration's config flow (one hub per interface)."""

    _interface: str = ""
    _address: str = ""
    _result: ProbeResult | None = None
    _discovered: dict[str, Any]
    _owner: str = ""
    _transport_error: str = ""

    def __init__(self) -> None:
        self._hosts: list[str] = []
        self._adapters: list[tuple[str, str, bool]] = []

    # ------------------------------------------------------------------ user

    async def async_step_echonet(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the network interface and probe it."""
        self._adapters = await async_adapters(self.hass)
        if not self._adapters:
            return self.async_abort(reason="no_interfaces")
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            await self._async_pick(user_input[CONF_INTERFACE])
            self._abort_if_unique_id_configured()
            error = await self._probe()
            if error is None:
                return await self.async_step_confirm()
            errors["base"] = error
            placeholders = self._error_placeholders()
        return self.async_show_form(
            step_id="echonet",
            data_schema=self._interface_schema(user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_pick(self, interface: str) -> None:
        """Take ``interface`` and its address; the flow's unique id is its hub's."""
        self._interface = interface
        self._address = self._address_of(interface)
        await self.async_set_unique_id(_unique_id(interface))

    def _address_of(self, interface: str) -> str:
        for name, address, _default in self._adapters:
            if name == interface:
                return address
        return ""

    def _interface_schema(self, user_input: dict[str, Any] | None) -> vol.Schema:
        default = next((n for n, _a, d in self._adapters if d), None) or next(
            (n for n, a, _d in self._adapters if not a.startswith("127.")), self._adapters[0][0]
        )
        if user_input is not None:
            default = user_input.get(CONF_INTERFACE, default)
        options = [
            selector.SelectOptionDict(value=name, label=f"{name} ({address})")
            for name, address, _d in self._adapters
        ]
        return vol.Schema(
            {
                vol.Required(CONF_INTERFACE, default=default): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=options)
                )
            }
        )

    async def _probe(self) -> str | None:
        """Probe the interface; return an error key, or None on success."""
        try:
            self._result = await async_probe(
                self._address, interface=self._interface, hosts=self._hosts
            )
        except TransportError as err:
            if isinstance(err, AddressInUseError):
                self._owner = await self.hass.async_add_executor_job(describe_port_owner, 3610)
            else:
                self._transport_error = str(err)
            return ECHONET_ERRORS.key(Operation.OPEN, err)
        return None

    def _error_placeholders(self) -> dict[str, str]:
        return {"address": self._address, "owner": self._owner, "error": self._transport_error}

    def _found_placeholders(self) -> dict[str, str]:
        result = self._result
        assert result is not None
        return {
            "interface": self._interface,
            "address": self._address,
            "nodes": str(len(result.nodes)),
            "objects": str(result.object_count),
            "classes": result.classes(self.hass.config.language or "en") or "-",
        }

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what was found; create the hub or add a device by IP address first (a menu:
        its choices are the steps ``finish`` and ``manual``)."""
        assert self._result is not None
        return self.async_show_menu(
            step_id="confirm",
            menu_options=["finish", "manual"],
            description_placeholders=self._found_placeholders(),
        )

    async def async_step_finish(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the hub entry."""
        return self._create()

    def _create(self) -> ConfigFlowResult:
        return self.async_create_entry(
            title=f"ECHONET Lite ({self._interface})",
            data={
                CONF_KIND: KIND_ECHONET,
                CONF_INTERFACE: self._interface,
                CONF_ADDRESS: self._address,
                CONF_HOSTS: self._hosts,
            },
        )

    async def async_step_manual(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add a device by IP address (for networks where multicast does not reach it)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            host = user_input[CONF_HOST].strip()
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                errors[CONF_HOST] = "invalid_host"
            else:
                if host not in self._hosts:
                    self._hosts.append(host)
                error = await self._probe()
                if error is not None:
                    errors["base"] = error
                else:
                    assert self._result is not None
                    if any(n.address == host for n in self._result.nodes):
                        return await self.async_step_confirm()
                    self._hosts.remove(host)
                    errors[CONF_HOST] = "no_device_at_host"
        return self.async_show_form(
            step_id="manual",
            data_schema=vol.Schema({vol.Required(CONF_HOST): str}),
            errors=errors,
            description_placeholders=self._error_placeholders(),
        )

    # ------------------------------------------------------------------ discovery

    async def async_step_integration_discovery(
        self, discovery_info: dict[str, Any]
    ) -> ConfigFlowResult:
        """A hub found by the probe at start-up."""
        self._interface = discovery_info[CONF_INTERFACE]
        self._address = discovery_info[CONF_ADDRESS]
        await self.async_set_unique_id(_unique_id(self._interface))
        self._abort_if_unique_id_configured()
        self.context["title_placeholders"] = {
            "interface": self._interface,
            "objects": str(discovery_info.get("objects", 0)),
        }
        self._discovered = discovery_info
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm the discovered hub."""
        if user_input is not None:
            return self._create()
        info = self._discovered
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "interface": self._interface,
                "address": self._address,
                "nodes": str(info.get("nodes", 0)),
                "objects": str(info.get("objects", 0)),
                "classes": str(info.get("classes", "")),
            },
        )

    # ------------------------------------------------------------------ reconfigure

    async def async_hub_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move the hub to another network interface (the ``reconfigure`` step of hubs)."""
        entry = self._get_reconfigure_entry()
        self._adapters = await async_adapters(self.hass)
        self._hosts = list(entry.data.get(CONF_HOSTS, []))
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            await self._async_pick(user_input[CONF_INTERFACE])
            if self._interface != entry.data[CONF_INTERFACE]:
                self._abort_if_unique_id_configured()
            # The hub's own controller holds the port on the old address: unload it first.
            await self.hass.config_entries.async_unload(entry.entry_id)
            error = await self._probe()
            if error is None:
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=_unique_id(self._interface),
                    title=f"ECHONET Lite ({self._interface})",
                    data_updates={CONF_INTERFACE: self._interface, CONF_ADDRESS: self._address},
                )
            await self.hass.config_entries.async_setup(entry.entry_id)
            errors["base"] = error
            placeholders = self._error_placeholders()
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self._interface_schema(
                user_input or {CONF_INTERFACE: entry.data[CONF_INTERFACE]}
            ),
            errors=errors,
            description_placeholders=placeholders,
        )


class HubOptionsFlow(OptionsFlow):
    """Freshness of the polls, devices to ignore, devices added by IP address."""

    config_entry: HemsConfigEntry

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The options form."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        if user_input is not None:
            hosts = [h.strip() for h in user_input.pop(CONF_HOSTS, "").split(",") if h.strip()]
            bad = [h for h in hosts if not _is_ipv4(h)]
            if bad:
                errors[CONF_HOSTS] = "invalid_host"
            else:
                if hosts != entry.data.get(CONF_HOSTS, []):
                    self.hass.config_entries.async_update_entry(
                        entry, data={**entry.data, CONF_HOSTS: hosts}
                    )
                return self.async_create_entry(data=user_input)
        schema = _options_schema(entry, _device_options(entry))
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)


def _freshness() -> selector.NumberSelector:
    """Seconds an unannounced power value may get old (the polls' one knob)."""
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=MIN_FRESHNESS,
            max=MAX_FRESHNESS,
            unit_of_measurement="s",
            mode=selector.NumberSelectorMode.BOX,
        )
    )


def _options_schema(entry: HemsConfigEntry, devices: dict[str, str]) -> vol.Schema:
    """Freshness, devices switched off, hosts added by IP address (the current ones), the
    most nodes the hub sets up."""
    options = entry.options
    return vol.Schema(
        {
            vol.Required(CONF_FRESHNESS, default=freshness_option(options)): _freshness(),
            vol.Optional(
                CONF_DISABLED_DEVICES,
                default=[d for d in options.get(CONF_DISABLED_DEVICES, []) if d in devices],
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[
                        selector.SelectOptionDict(value=k, label=v) for k, v in devices.items()
                    ],
                    multiple=True,
                )
            ),
            vol.Optional(CONF_HOSTS, default=", ".join(entry.data.get(CONF_HOSTS, []))): str,
            vol.Required(
                CONF_MAX_NODES, default=options.get(CONF_MAX_NODES, DEFAULT_MAX_NODES)
            ): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=1, max=MAX_MAX_NODES, step=1, mode=selector.NumberSelectorMode.BOX
                )
            ),
        }
    )


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _device_options(entry: HemsConfigEntry) -> dict[str, str]:
    """Objects of the hub, as identifier -> label."""
    hub = loaded_runtime(entry, KIND)
    if hub is None:
        return {}
    language = hub.hass.config.language or "en"
    return {
        object_identifier(
            obj
        ): f"{object_device_name(obj, language)} — {obj.node.address} {obj.eoj}"
        for obj in hub.controller.objects()
    }
