"""Serve the integration's dashboard cards (the power-flow card) to Home Assistant's frontend.

The card is one plain JavaScript module in this folder, with no build step.  Home Assistant's
HTTP server serves that one file (not the folder) under :data:`CARD_URL`, and the frontend is
told to load it on every page with ``add_extra_js_url``: the card then works in every
dashboard, in storage and in YAML mode, without an entry in the user's Lovelace resources
(nothing is written into the user's configuration, and removing the integration removes the
card).  The file is served with long cache headers; the URL carries a hash of its content, so a
new version of the integration is never hidden behind a browser's cached copy.

``async_register_frontend`` is called once from the integration's ``async_setup``.  Home
Assistant without ``http`` (some test set-ups) has nothing to serve to; without ``frontend``
the file is served but no page loads it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

_LOGGER = logging.getLogger(__name__)

#: The custom element and its file.
CARD_TYPE: Final = "hems-power-flow-card"
CARD_PATH: Final = Path(__file__).parent / f"{CARD_TYPE}.js"
#: Where Home Assistant serves it (a path of its own, outside /local and /hacsfiles).
CARD_URL: Final = f"/hems_static/{CARD_TYPE}.js"

#: The URL the frontend loads (with the content hash), once registered.
DATA_FRONTEND: HassKey[str] = HassKey("hems_frontend")


def _content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


async def async_register_frontend(hass: HomeAssistant) -> str | None:
    """Serve the card and have every frontend page load it; return the URL pages load.

    Safe to call more than once (the first call registers; later calls return its URL).
    Returns None when Home Assistant runs without its HTTP server.
    """
    if (url := hass.data.get(DATA_FRONTEND)) is not None:
        return url
    if getattr(hass, "http", None) is None:
        _LOGGER.debug("No HTTP server: the power-flow card is not served")
        return None
    version = await hass.async_add_executor_job(_content_hash, CARD_PATH)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_URL, str(CARD_PATH), cache_headers=True)]
    )
    url = f"{CARD_URL}?v={version}"
    hass.data[DATA_FRONTEND] = url
    if "frontend" in hass.config.components:
        add_extra_js_url(hass, url)
    else:
        _LOGGER.debug("The frontend is not loaded: %s is served but not added to pages", url)
    return url
