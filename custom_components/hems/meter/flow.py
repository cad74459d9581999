"""Config, reauth, reconfigure and options flows of B-route entries (smart meter over Wi-SUN).

Steps: ``broute`` (port, B-route ID, password) or ``usb`` -> ``usb_confirm`` (ID, password);
``reauth_confirm``; ``broute_reconfigure``.  Each then runs ``broute_connect``: a progress step
whose task connects for real (one authentication attempt only: repeated failures can lock the
account), reads the meter once and closes the port again; ``broute_finish`` creates or updates
the entry (unique id: the meter's MAC address).  Errors go back to the form, translated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
import logging
import os
from typing import Any, Final

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.helpers.service_info.usb import UsbServiceInfo
import serialx
import voluptuous as vol

from ..const import CONF_KIND, KIND_BROUTE
from ..models import HemsConfigEntry
from ..wisun import BRouteCredentials, BRouteSession, InvalidCredentialsError, PanDescriptor
from . import const as c
from .errors import WISUN_ERRORS, Operation
from .session import async_connect, async_read_identity, meter_uid

_LOGGER = logging.getLogger(__name__)

#: Steps whose form the connection test returns to.
MODE_USER: Final = "broute"
MODE_USB: Final = "usb_confirm"
MODE_REAUTH: Final = "reauth_confirm"
MODE_RECONFIGURE: Final = "broute_reconfigure"


@dataclass(frozen=True, slots=True)
class Probe:
    """What the connection test found."""

    pan: PanDescriptor
    meter: dict[str, Any]


async def async_probe(port: str, credentials: BRouteCredentials) -> Probe:
    """Connect once (a single authentication attempt), read the meter, close the port."""
    timing = replace(c.SESSION_TIMING, max_auth_failures=c.FLOW_MAX_AUTH_FAILURES)
    session = BRouteSession(port, credentials, timing=timing)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + c.FLOW_TIMEOUT
    try:
        pan = await async_connect(session, c.FLOW_TIMEOUT)
        async with asyncio.timeout_at(deadline):
            meter = await async_read_identity(session)
            await session.read()
    finally:
        await session.close()
    return Probe(pan, {**meter, "mac": pan.mac})


def port_label(port: serialx.SerialPortInfo) -> str:
    """How a serial port is shown: maker, product, serial number and path."""
    parts = [p for p in (port.manufacturer, port.product) if p]
    if port.serial_number:
        parts.append(f"({port.serial_number})")
    if port.vid is not None and port.pid is not None:
        parts.append(f"[{port.vid:04X}:{port.pid:04X}]")
    parts.append(f"- {port.device}")
    return " ".join(parts)


async def async_serial_ports() -> list[serialx.SerialPortInfo]:
    """The machine's serial ports (by-id paths where udev made them)."""
    return list(await serialx.async_list_serial_ports())


def _realpath(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):  # e.g. an embedded NUL: the connection test reports it
        return path


def stable_path(device: str, real: str, ports: list[serialx.SerialPortInfo]) -> str:
    """The listed path (/dev/serial/by-id/... where udev made one) of ``device``, whose
    resolved path is ``real``."""
    for port in ports:
        if port.device == device or port.resolved_device == real:
            return port.device
    return device


async def async_stable_path(hass: HomeAssistant, device: str) -> str:
    """``device`` as its /dev/serial/by-id/... path when there is one."""
    ports = await async_serial_ports()
    real = await hass.async_add_executor_job(_realpath, device)
    return stable_path(device, real, ports)


def validate_credentials(rbid: str, password: str) -> dict[str, str]:
    """Format errors of the ID (32 letters or digits) and password (12 characters)."""
    errors: dict[str, str] = {}
    try:
        BRouteCredentials(rbid, "x" * 12)
    except InvalidCredentialsError:
        errors[c.CONF_RBID] = "invalid_rbid"
    try:
        BRouteCredentials("0" * 32, password)
    except InvalidCredentialsError:
        errors[c.CONF_PASSWORD] = "invalid_password"
    return errors


def read_credentials(
    user_input: Mapping[str, Any], current: Mapping[str, Any] | None = None
) -> tuple[str, str, dict[str, str]]:
    """B-route ID, password and their format errors from a form (empty fields: ``current``'s)."""
    current = current or {}
    rbid = str(user_input.get(c.CONF_RBID) or "").strip() or current.get(c.CONF_RBID, "")
    password = str(user_input.get(c.CONF_PASSWORD) or "").strip() or current.get(
        c.CONF_PASSWORD, ""
    )
    return rbid, password, validate_credentials(rbid, password)


def _port(ports: list[serialx.SerialPortInfo], default: str) -> dict[vol.Marker, Any]:
    """The serial port: one of those found, or a path typed in."""
    options = [selector.SelectOptionDict(value=p.device, label=port_label(p)) for p in ports]
    return {
        vol.Required(c.CONF_PORT, default=default): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=options, custom_value=True, mode=selector.SelectSelectorMode.DROPDOWN
            )
        )
    }


def _secret(key: str, *, required: bool = True) -> dict[vol.Marker, Any]:
    marker: vol.Marker = vol.Required(key) if required else vol.Optional(key)
    return {
        marker: selector.TextSelector(
            selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
        )
    }


class BrouteFlowMixin(ConfigFlow):
    """The B-route steps of the integration's config flow."""

    _br_port: str = ""
    _br_rbid: str = ""
    _br_password: str = ""
    _br_mode: str = MODE_USER
    _br_errors: dict[str, str] | None = None
    _br_task: asyncio.Task[Probe | str] | None = None
    _br_probe: Probe | None = None
    _br_usb_name: str = ""

    @callback
    def async_remove(self) -> None:
        """The flow is gone (the dialog closed): stop a connection test still running, which
        closes the port at once instead of after the test's time limit."""
        task, self._br_task = self._br_task, None
        if task is not None and not task.done():
            task.cancel()
        super().async_remove()

    # ------------------------------------------------------------------ user

    async def async_step_broute(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Serial port, B-route ID and password."""
        errors = self._br_take_errors()
        if user_input is not None:
            port = str(user_input[c.CONF_PORT]).strip()
            rbid, password, errors = read_credentials(user_input)
            if not port:
                errors[c.CONF_PORT] = "invalid_port"
            if not errors:
                port = await async_stable_path(self.hass, port)
                if await self._br_port_used(port):
                    return self.async_abort(reason="broute_already_configured")
                self._br_port, self._br_rbid, self._br_password = port, rbid, password
                self._br_mode = MODE_USER
                return await self.async_step_broute_connect()
        ports = await async_serial_ports()
        default = self._br_port or (ports[0].device if ports else "")
        schema = vol.Schema(
            {
                **_port(ports, default),
                vol.Required(c.CONF_RBID): str,
                **_secret(c.CONF_PASSWORD),
            }
        )
        return self.async_show_form(step_id=MODE_USER, data_schema=schema, errors=errors)

    async def _br_port_used(self, port: str, *, ignore: str | None = None) -> bool:
        """Whether another B-route entry uses ``port`` (its session holds it)."""
        used = [
            str(entry.data.get(c.CONF_PORT, ""))
            for entry in self._async_current_entries(include_ignore=False)
            if entry.entry_id != ignore and entry.data.get(CONF_KIND) == KIND_BROUTE
        ]

        def clash() -> bool:
            real = _realpath(port)
            return any(p == port or _realpath(p) == real for p in used)

        return await self.hass.async_add_executor_job(clash)

    def _br_take_errors(self) -> dict[str, str]:
        errors, self._br_errors = self._br_errors or {}, None
        return errors

    # ------------------------------------------------------------------ USB discovery

    async def async_step_usb(self, discovery_info: UsbServiceInfo) -> ConfigFlowResult:
        """A USB serial adapter of a known Wi-SUN dongle was plugged in."""
        port = await async_stable_path(self.hass, discovery_info.device)
        await self.async_set_unique_id(
            f"usb_{discovery_info.vid}_{discovery_info.pid}_{discovery_info.serial_number or port}"
        )
        self._abort_if_unique_id_configured(error="broute_already_configured")
        if await self._br_port_used(port):
            return self.async_abort(reason="broute_already_configured")
        self._br_port = port
        self._br_usb_name = " ".join(
            p for p in (discovery_info.manufacturer, discovery_info.description) if p
        ) or os.path.basename(port)
        return await self.async_step_usb_confirm()

    async def async_step_usb_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """B-route ID and password for the discovered dongle."""
        errors = self._br_take_errors()
        if user_input is not None:
            rbid, password, errors = read_credentials(user_input)
            if not errors:
                self._br_rbid, self._br_password = rbid, password
                self._br_mode = MODE_USB
                return await self.async_step_broute_connect()
        schema = vol.Schema({vol.Required(c.CONF_RBID): str, **_secret(c.CONF_PASSWORD)})
        return self.async_show_form(
            step_id=MODE_USB,
            data_schema=schema,
            errors=errors,
            description_placeholders={"name": self._br_usb_name, "port": self._br_port},
        )

    # ------------------------------------------------------------------ reauth

    async def async_step_reauth(self, entry_data: Any) -> ConfigFlowResult:
        """The meter rejected the B-route ID or password."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """New B-route ID and password (the old ones are not shown)."""
        entry = self._get_reauth_entry()
        errors = self._br_take_errors()
        if user_input is not None:
            rbid, password, errors = read_credentials(user_input)
            if not errors:
                self._br_port = str(entry.data[c.CONF_PORT])
                self._br_rbid, self._br_password = rbid, password
                self._br_mode = MODE_REAUTH
                return await self.async_step_broute_connect()
        schema = vol.Schema({**_secret(c.CONF_RBID), **_secret(c.CONF_PASSWORD)})
        return self.async_show_form(
            step_id=MODE_REAUTH,
            data_schema=schema,
            errors=errors,
            description_placeholders={"title": entry.title},
        )

    # ------------------------------------------------------------------ reconfigure

    async def async_step_broute_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Another port, or new credentials (empty: keep the current ones)."""
        entry = self._get_reconfigure_entry()
        errors = self._br_take_errors()
        if user_input is not None:
            port = str(user_input[c.CONF_PORT]).strip()
            rbid, password, errors = read_credentials(user_input, entry.data)
            if not port:
                errors[c.CONF_PORT] = "invalid_port"
            if not errors:
                port = await async_stable_path(self.hass, port)
                if await self._br_port_used(port, ignore=entry.entry_id):
                    return self.async_abort(reason="broute_already_configured")
                self._br_port, self._br_rbid, self._br_password = port, rbid, password
                self._br_mode = MODE_RECONFIGURE
                return await self.async_step_broute_connect()
        ports = await async_serial_ports()
        current = self._br_port or str(entry.data[c.CONF_PORT])
        schema = vol.Schema(
            {
                **_port(ports, current),
                **_secret(c.CONF_RBID, required=False),
                **_secret(c.CONF_PASSWORD, required=False),
            }
        )
        return self.async_show_form(
            step_id=MODE_RECONFIGURE,
            data_schema=schema,
            errors=errors,
            description_placeholders={"title": entry.title},
        )

    # ------------------------------------------------------------------ connection test

    def _br_entry(self) -> ConfigEntry | None:
        if self._br_mode == MODE_REAUTH:
            return self._get_reauth_entry()
        if self._br_mode == MODE_RECONFIGURE:
            return self._get_reconfigure_entry()
        return None

    async def _br_run_probe(self) -> Probe | str:
        """The progress task: free the port, test, restore the entry when needed."""
        entry = self._br_entry()
        if entry is not None and entry.state in (
            ConfigEntryState.LOADED,
            ConfigEntryState.SETUP_RETRY,
        ):
            # the entry's own session holds the port (and the meter's only session)
            await self.hass.config_entries.async_unload(entry.entry_id)
        credentials = BRouteCredentials(self._br_rbid, self._br_password)
        try:
            return await async_probe(self._br_port, credentials)
        except asyncio.CancelledError:
            # the dialog was closed: the probe closed the port; the entry runs again as it was
            if self._br_mode == MODE_RECONFIGURE and entry is not None:
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
            raise
        except Exception as err:  # every failure is shown on the form
            error = WISUN_ERRORS.key(Operation.PROBE, err)
            if error == "unknown":
                _LOGGER.exception("B-route: unexpected error while testing the connection")
            else:
                _LOGGER.debug("B-route connection test failed: %s", err.__class__.__name__)
            if self._br_mode == MODE_RECONFIGURE and entry is not None:
                # keep the working configuration running while the user corrects the input
                await self._br_restore(entry)
            return error

    async def _br_restore(self, entry: ConfigEntry) -> None:
        if entry.state is ConfigEntryState.NOT_LOADED:
            await self.hass.config_entries.async_setup(entry.entry_id)

    async def async_step_broute_connect(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Connect to the meter (a scan can take about a minute)."""
        if self._br_task is None:
            self._br_task = self.hass.async_create_task(
                self._br_run_probe(), "hems-broute-flow-probe"
            )
        if not self._br_task.done():
            return self.async_show_progress(
                step_id="broute_connect",
                progress_action="broute_connect",
                progress_task=self._br_task,
                description_placeholders={"port": self._br_port},
            )
        task, self._br_task = self._br_task, None
        outcome = task.result()
        if isinstance(outcome, str):
            self._br_errors = {"base": outcome}
            return self.async_show_progress_done(next_step_id=self._br_mode)
        self._br_probe = outcome
        return self.async_show_progress_done(next_step_id="broute_finish")

    async def async_step_broute_finish(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create the entry, or update the one being re-authenticated or reconfigured."""
        probe = self._br_probe
        assert probe is not None
        uid = meter_uid(probe.pan.mac)
        data = {
            CONF_KIND: KIND_BROUTE,
            c.CONF_PORT: self._br_port,
            c.CONF_RBID: self._br_rbid,
            c.CONF_PASSWORD: self._br_password,
            c.CONF_PAN: probe.pan.as_dict(),
            c.CONF_METER: probe.meter,
        }
        entry = self._br_entry()
        if entry is not None:
            if entry.unique_id != uid:
                if self._br_mode == MODE_RECONFIGURE:
                    await self._br_restore(entry)
                return self.async_abort(reason="wrong_meter")
            reason = (
                "broute_reauth_successful"
                if self._br_mode == MODE_REAUTH
                else "broute_reconfigure_successful"
            )
            return self.async_update_reload_and_abort(entry, data_updates=data, reason=reason)
        await self.async_set_unique_id(uid, raise_on_progress=False)
        self._abort_if_unique_id_configured(error="broute_already_configured")
        language = self.hass.config.language or "en"
        title = "スマートメーター" if language.startswith("ja") else "Smart meter"
        return self.async_create_entry(
            title=title,
            data=data,
            options={c.CONF_POLL_INTERVAL: c.DEFAULT_POLL_INTERVAL},
        )


class BrouteOptionsFlow(OptionsFlow):
    """How often the meter is read."""

    config_entry: HemsConfigEntry

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Start with the only form."""
        return await self.async_step_broute()

    async def async_step_broute(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The polling interval."""
        if user_input is not None:
            return self.async_create_entry(
                data={c.CONF_POLL_INTERVAL: int(user_input[c.CONF_POLL_INTERVAL])}
            )
        current = self.config_entry.options.get(c.CONF_POLL_INTERVAL, c.DEFAULT_POLL_INTERVAL)
        schema = vol.Schema(
            {
                vol.Required(c.CONF_POLL_INTERVAL, default=current): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=c.MIN_POLL_INTERVAL,
                        max=c.MAX_POLL_INTERVAL,
                        step=1,
                        unit_of_measurement="s",
                        mode=selector.NumberSelectorMode.BOX,
                    )
                )
            }
        )
        return self.async_show_form(step_id="broute", data_schema=schema)
