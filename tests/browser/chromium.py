"""Debian's headless Chromium driven through chromedriver (selenium), for tests and screenshots.

Installed by ``scripts/browser-deps`` (``chromium``, ``chromium-driver`` and Japanese fonts).
Paths can be overridden with ``HEMS_CHROMIUM`` and ``HEMS_CHROMEDRIVER``.  The browser runs
with everything that would reach the Internet switched off (no background networking, no
component updates, no metrics), so it needs nothing but loopback.
"""

from __future__ import annotations

import os
from pathlib import Path
import shutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",  # root in CI and in network namespaces
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--mute-audio",
)


def binaries() -> tuple[str, str] | None:
    """(chromium, chromedriver), or None when either is missing."""
    browser = os.environ.get("HEMS_CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("HEMS_CHROMEDRIVER") or shutil.which("chromedriver")
    if browser and driver and Path(browser).exists() and Path(driver).exists():
        return browser, driver
    return None


def start(width: int = 1280, height: int = 900, language: str = "en") -> WebDriver:
    """A headless Chromium; ``language`` is what the browser asks pages for."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    found = binaries()
    if found is None:
        raise RuntimeError("chromium and chromedriver are not installed: run scripts/browser-deps")
    browser, driver = found
    options = Options()
    options.binary_location = browser
    for argument in ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--lang={language}")
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the page's console
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    # The page gets exactly width x height (the window size includes the browser's frame).
    chrome.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    return chrome


def emulate(driver: WebDriver, **features: str) -> None:
    """Emulate CSS media features, e.g. ``prefers_reduced_motion="reduce"``."""
    chrome: Any = driver
    chrome.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {
            "media": "",
            "features": [
                {"name": name.replace("_", "-"), "value": value} for name, value in features.items()
            ],
        },
    )


def screenshot(driver: WebDriver, path: Path, selector: str | None = None) -> Path:
    """Save a PNG of the page, or of the element ``selector`` matches."""
    from selenium.webdriver.common.by import By

    path.parent.mkdir(parents=True, exist_ok=True)
    if selector is None:
        driver.save_screenshot(str(path))
    else:
        driver.find_element(By.CSS_SELECTOR, selector).screenshot(str(path))
    return path
