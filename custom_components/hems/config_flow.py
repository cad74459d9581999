"""Config flow: a menu of the entry kinds, each with its own steps (hub, meter, home).

The steps live with their kinds (:mod:`.hub.flow`, :mod:`.meter.flow`, :mod:`.home.flow`);
this class puts them behind one menu and sends ``reconfigure`` and the options to the flows
of the entry's kind.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.core import callback

from .const import DOMAIN, KIND_BROUTE, KIND_ECHONET, KIND_ENERGY
from .home.flow import EnergyFlowMixin
from .home.options import EnergyOptionsFlow
from .hub.flow import HubFlowMixin, HubOptionsFlow
from .kinds import entry_kind
from .meter.flow import BrouteFlowMixin, BrouteOptionsFlow
from .models import HemsConfigEntry

#: kind -> its options flow.
OPTIONS_FLOWS: Final[dict[str, type[OptionsFlow]]] = {
    KIND_ECHONET: HubOptionsFlow,
    KIND_BROUTE: BrouteOptionsFlow,
    KIND_ENERGY: EnergyOptionsFlow,
}


class HemsConfigFlow(HubFlowMixin, BrouteFlowMixin, EnergyFlowMixin, ConfigFlow, domain=DOMAIN):
    """Set up a hub (one per network interface), a smart meter, or the energy home."""

    VERSION = 1
    MINOR_VERSION = 1

    #: What the user can set up (each a step of this flow); other kinds append theirs.
    USER_MENU: ClassVar[tuple[str, ...]] = ("echonet", "broute", "energy")

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: HemsConfigEntry) -> OptionsFlow:
        """The options flow of the entry's kind."""
        return OPTIONS_FLOWS[entry_kind(config_entry)]()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Start: choose what to set up."""
        if len(self.USER_MENU) == 1:
            return await self.async_step_echonet(user_input)
        return self.async_show_menu(step_id="user", menu_options=list(self.USER_MENU))

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure an entry: its kind's reconfigure step."""
        if entry_kind(self._get_reconfigure_entry()) == KIND_BROUTE:
            return await self.async_step_broute_reconfigure(user_input)
        return await self.async_hub_reconfigure(user_input)
