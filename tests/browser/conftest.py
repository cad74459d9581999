"""The browser tests: Debian's headless Chromium on a page served from the test.

Lane 1 (``./scripts/test``) runs them; ``scripts/browser-deps`` installs the browser.  Where no
browser can exist (the Python 3.14 chroot of lane 2 has none), ``HEMS_NO_BROWSER`` names the
reason and the tests are skipped with it; anywhere else a missing browser is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
import os
from pathlib import Path
import threading
from typing import TYPE_CHECKING, ClassVar

import pytest
import pytest_socket

from . import chromium

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

ROOT = Path(__file__).resolve().parents[2]
CARD = ROOT / "custom_components" / "hems" / "frontend" / "hems-power-flow-card.js"
PAGE = Path(__file__).with_name("card_page.html")
#: Screenshots of the browser tests (look at them; CI keeps them as artifacts).
ARTIFACTS = ROOT / ".artifacts" / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests only where a browser cannot exist (HEMS_NO_BROWSER says why)."""
    reason = os.environ.get("HEMS_NO_BROWSER")
    if not reason:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=f"no browser: {reason}"))


class _Handler(BaseHTTPRequestHandler):
    """Serves the test page and the card, nothing else."""

    #: Chromium opens connections ahead of need and may send nothing on them: do not let
    #: one such socket hold the (single-threaded) server.
    timeout = 1

    routes: ClassVar[dict[str, tuple[Path, str]]] = {
        "/": (PAGE, "text/html; charset=utf-8"),
        "/hems-power-flow-card.js": (CARD, "text/javascript; charset=utf-8"),
    }

    def do_GET(self) -> None:
        found = self.routes.get(self.path.split("?")[0])
        if found is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body = found[0].read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", found[1])
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="session")
def card_page() -> Iterator[str]:
    """The URL of the test page (a server on loopback, for the whole session)."""
    # Session fixtures are made before the test's own fixture re-enables loopback sockets.
    pytest_socket.enable_socket()
    server = HTTPServer(("127.0.0.1", 0), _Handler)  # one thread: none left behind
    thread = threading.Thread(target=partial(server.serve_forever, 0.05), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        pytest_socket.enable_socket()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser(card_page: str) -> Iterator[WebDriver]:
    """One headless Chromium for the session (closed before the page's server stops)."""
    if chromium.binaries() is None:
        pytest.fail("chromium and chromedriver are not installed: run scripts/browser-deps")
    pytest_socket.enable_socket()
    driver = chromium.start(width=900, height=1000)
    try:
        yield driver
    finally:
        pytest_socket.enable_socket()  # the last test's teardown disabled them again
        driver.quit()
