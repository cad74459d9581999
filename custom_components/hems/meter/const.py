"""Constants of the Wi-SUN B-route entries (smart meter over a USB dongle)."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from ..const import BROUTE_STORE_KEY
from ..echonet.definitions.names import LvSmartElectricEnergyMeter
from ..wisun import Timing

# Entry data.
CONF_PORT: Final = "port"  # serial port, preferably /dev/serial/by-id/...
CONF_RBID: Final = "rbid"  # B-route ID (secret)
CONF_PASSWORD: Final = "password"  # B-route password (secret)
CONF_PAN: Final = "pan"  # PanDescriptor.as_dict() of the last scan
CONF_METER: Final = "meter"  # {"mac", "manufacturer", "serial"} read when the entry was made

# Options.
CONF_POLL_INTERVAL: Final = "poll_interval"
DEFAULT_POLL_INTERVAL: Final = 60
MIN_POLL_INTERVAL: Final = 10
MAX_POLL_INTERVAL: Final = 3600

#: The driver's timers (tests replace them with shorter ones).
SESSION_TIMING: Timing = Timing()
#: Config flows stop at the first rejection (repeated failures can lock the account).
FLOW_MAX_AUTH_FAILURES: Final = 1
#: Longest wait for the first connection at setup (cached PAN: ~10-40 s; scan: up to ~2 min).
SETUP_TIMEOUT: float = 180.0
#: Longest wait for the connection test of a config flow.
FLOW_TIMEOUT: float = 240.0
#: Write backfilled hours this long after they end; retry this often while incomplete.
BACKFILL_MARGIN: timedelta = timedelta(minutes=10)
BACKFILL_RETRY: timedelta = timedelta(minutes=5)
#: Read the fixed-time values (0xEA/0xEB) when no push came this long after a :00/:30.
FIXED_TIME_GRACE: Final = timedelta(minutes=3)

#: Repair issue while the dongle is missing (suffix: entry id).
ISSUE_DONGLE_MISSING: Final = "broute_dongle_missing"
#: The notice shown while the meter's history is imported at the first setup.
ISSUE_HISTORY_IMPORT: Final = "broute_history_import"
#: Days of the meter's 30-minute history imported at the first setup (meters keep 45).
HISTORY_DAYS: Final = 45
#: Store of the last live reading (suffix: entry id).
STORE_KEY: Final = BROUTE_STORE_KEY
STORE_VERSION: Final = 1
STORE_SAVE_DELAY: Final = 300

#: Identifier prefix of meter devices and unique ids.
METER_ID_PREFIX: Final = "broute_"

# ECHONET Lite properties of the meter object read for the device registry.
EPC_MANUFACTURER: Final = LvSmartElectricEnergyMeter.MANUFACTURER
EPC_SERIAL: Final = LvSmartElectricEnergyMeter.SERIAL_NUMBER
