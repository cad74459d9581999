"""Constants of the hems integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "hems"

#: Stores kept per entry (``<key>.<entry id>``): the meter's PAN cache and last reading, the
#: energy ledger.
BROUTE_STORE_KEY: Final = f"{DOMAIN}.broute"
ENERGY_STORE_KEY: Final = f"{DOMAIN}.energy"
#: hass.data key of the B-route sessions kept across setup retries (entry id -> session).
BROUTE_SESSIONS: Final = "hems_broute_sessions"

# Config entry kinds (entry.data[CONF_KIND]).
CONF_KIND: Final = "kind"
#: Energy entry: make the HEMS dashboard once set up (asked at the end of its config flow).
CONF_CREATE_DASHBOARD: Final = "create_dashboard"
KIND_ECHONET: Final = "echonet"
KIND_BROUTE: Final = "broute"
KIND_ENERGY: Final = "energy"

# ECHONET Lite hub entries.
CONF_INTERFACE: Final = "interface"  # adapter name, e.g. "eth0"
CONF_ADDRESS: Final = "address"  # its IPv4 address when the entry was made
CONF_HOSTS: Final = "hosts"  # addresses probed by unicast
CONF_HOST: Final = "host"
#: The polls' one knob (seconds an unannounced power value may get old; see echonet.polling).
CONF_FRESHNESS: Final = "freshness"
CONF_DISABLED_DEVICES: Final = "disabled_devices"
CONF_MAX_NODES: Final = "max_nodes"  # nodes a hub sets up at most (a flood cannot add more)

DEFAULT_MAX_NODES: Final = 64
MAX_MAX_NODES: Final = 1000
#: Longest time between polls of a device that does not answer.
MAX_BACKOFF: Final = 300

# Actions.
SERVICE_GET_PROPERTY: Final = "get_property"
SERVICE_SET_PROPERTY: Final = "set_property"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_EPC: Final = "epc"
ATTR_EDT: Final = "edt"
ATTR_FORCE: Final = "force"
ATTR_VALUE: Final = "value"

# Dispatcher signal: new ECHONET Lite objects of an entry (argument: list of objects).
SIGNAL_NEW_OBJECTS: Final = "hems_new_objects_{}"
