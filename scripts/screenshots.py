#!/usr/bin/env python3
"""Screenshots of the demo's dashboards in English and Japanese, with headless Chromium.

Started by ``./scripts/screenshots`` (which runs it in a network namespace of its own, so a
demo or a test run elsewhere on the machine holds none of its addresses).  For each language
it starts the demo (``scripts/demo.py --language ...``) from a fresh configuration, waits
until the demo reports the house is live, logs in as the demo user (the tokens of Home
Assistant's own login flow, handed to the frontend in ``localStorage.hassTokens``), opens
every dashboard path, waits until the page has rendered (Home Assistant connected, no
loading indicator, every Lit element updated, the page unchanged between two looks) and
saves a PNG.  Card errors and "entity not available" warnings on a page, and entities its
cards show that Home Assistant has as unavailable, are reported (and fail the run with
``--strict``).  With ``HEMS_SCREENSHOT_DEBUG=1`` each page also prints the integration's
resources it loaded, its scripts and whether the power-flow card is defined.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib import parse, request

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import chromium  # noqa: E402

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

USER, PASSWORD = "demo", "demo-hems"
READY_MARKER = "The house is live in Home Assistant"
#: Dashboards shot by default (the HEMS dashboard is added when the integration makes one).
#: "/" is the default dashboard (Home Assistant 2026 redirects it to its "Home" dashboard).
DEFAULT_PATHS = ("/", "/energy")

#: Runs in the page first: ``all``, every element of the page, through every shadow root.
ALL_ELEMENTS_JS = """\
const all = [];
const walk = (root) => {
  for (const element of root.querySelectorAll("*")) {
    all.push(element);
    if (element.shadowRoot) walk(element.shadowRoot);
  }
};
walk(document);
"""

#: Runs in the page: the state of the rendering, looking through every shadow root.
PAGE_STATE_JS = (
    "\n"
    + ALL_ELEMENTS_JS
    + """const app = document.querySelector("home-assistant");
const hass = app && app.hass;
const tags = all.map((e) => e.localName);
// A custom card whose module is still loading is a hidden error card that Home Assistant
// replaces once the element is defined (and shows, if it never is, after 2 s): loading.
const pending = all.filter(
  (e) => e.localName === "hui-error-card" && e.style && e.style.display.toLowerCase() === "none"
);
const loading = tags.filter((t) =>
  ["ha-spinner", "ha-circular-progress", "hass-loading-screen", "ha-skeleton"].includes(t)
).length + all.filter((e) => e.localName === "ha-card" && e.hasAttribute("loading")).length
  + pending.length;
const errors = all
  .filter((e) => e.localName === "hui-error-card" || e.localName === "hui-warning")
  .filter((e) => !pending.includes(e))
  .map((e) => {
    const shown = (e.shadowRoot ? e.shadowRoot.textContent : e.textContent).trim();
    const config = e._config || e.config || {};
    const detail = config.error || config.message || "";
    const type = config.origConfig ? config.origConfig.type : "";
    return [shown, detail, type].filter(Boolean).join(" | ");
  })
  .filter(Boolean);
// Entities the page's cards show that Home Assistant has as unavailable (or not at all).
const shown = new Set();
for (const e of all) {
  const config = e.localName.startsWith("hui-") && (e._config || null);
  if (!config || config.type === "error") continue;
  if (typeof config.entity === "string") shown.add(config.entity);
  const list = Array.isArray(config.entities) ? config.entities
    : config.entities && typeof config.entities === "object" ? Object.values(config.entities) : [];
  for (const item of list) {
    const id = typeof item === "string" ? item : item && item.entity;
    if (typeof id === "string") shown.add(id);
  }
}
const unavailable = hass && hass.states
  ? [...shown].filter((id) => !hass.states[id] || hass.states[id].state === "unavailable").sort()
  : [];
const text = all.reduce((n, e) => n + (e.shadowRoot ? e.shadowRoot.textContent.length : 0), 0);
return {
  connected: Boolean(hass && hass.connected && hass.states && Object.keys(hass.states).length),
  language: hass ? hass.language : null,
  url: location.pathname,
  loading,
  errors,
  unavailable,
  signature: `${all.length}:${text}`,
};
"""
)

#: Runs in the page (HEMS_SCREENSHOT_DEBUG): the integration's resources, the page's scripts,
#: whether the power-flow card is defined.
DEBUG_JS = """
return [
  performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.includes("hems")),
  [...document.scripts].map((s) => s.src || s.textContent.slice(0, 200)),
  Boolean(customElements.get("hems-power-flow-card")),
];
"""

#: Runs in the page: resolves once every Lit element has finished its pending update.
UPDATES_DONE_JS = (
    """
const done = arguments[arguments.length - 1];
"""
    + ALL_ELEMENTS_JS
    + """Promise.all(all.filter((e) => e.updateComplete).map((e) => e.updateComplete))
  .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))
  .catch((error) => done(String(error)));
"""
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Demo:
    """The demo in a process group of its own, stopped with Ctrl-C's signal."""

    def __init__(self, language: str, port: int, state: Path, speed: float) -> None:
        self.language, self.port = language, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = state / "demo.log"
        state.mkdir(parents=True, exist_ok=True)
        self.log.write_bytes(b"")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scripts" / "demo.py"),
                "--language",
                language,
                "--port",
                str(port),
                "--dir",
                str(state),
                "--speed",
                str(speed),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            start_new_session=True,
        )
        self.live = threading.Event()
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        """Copy the demo's output to its log (all of it, so that the pipe never fills)."""
        assert self.proc.stdout is not None
        with self.log.open("ab") as log:
            for raw in self.proc.stdout:
                log.write(raw)
                log.flush()
                if READY_MARKER.encode() in raw:
                    self.live.set()

    def wait_until_live(self, seconds: float) -> None:
        """Until the demo says the house is live (it has configured everything by then)."""
        deadline = time.monotonic() + seconds
        while not self.live.wait(1):
            if self.proc.poll() is not None:
                raise RuntimeError(f"the demo exited while starting (see {self.log})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the demo did not come up in {seconds:.0f} s (see {self.log})")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.reader.join(10)

    def _post(self, path: str, data: dict[str, Any], form: bool = False) -> Any:
        body = parse.urlencode(data).encode() if form else json.dumps(data).encode()
        kind = "application/x-www-form-urlencoded" if form else "application/json"
        req = request.Request(self.base + path, data=body, headers={"Content-Type": kind})
        with request.urlopen(req, timeout=60) as response:  # loopback only
            return json.loads(response.read().decode())

    def tokens(self) -> dict[str, Any]:
        """Log in as the demo user through Home Assistant's login flow; the frontend's tokens."""
        client_id = f"{self.base}/"
        flow = self._post(
            "/auth/login_flow",
            {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id},
        )
        result = self._post(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": client_id, "username": USER, "password": PASSWORD},
        )
        tokens: dict[str, Any] = self._post(
            "/auth/token",
            {"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
            form=True,
        )
        tokens.update(
            hassUrl=self.base,
            clientId=client_id,
            expires=int(time.time() * 1000) + int(tokens["expires_in"]) * 1000,
        )
        return tokens


def wait_rendered(driver: WebDriver, seconds: float) -> dict[str, Any]:
    """Until the page is connected, loaded, updated and no longer changing."""
    deadline = time.monotonic() + seconds
    previous: str | None = None
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = driver.execute_script(PAGE_STATE_JS)
        if state["connected"] and not state["loading"]:
            driver.execute_async_script(UPDATES_DONE_JS)
            again = driver.execute_script(PAGE_STATE_JS)
            if not again["loading"] and again["signature"] == previous:
                return dict(again)
            previous = again["signature"]
        time.sleep(0.25)  # between looks at the page, not a wait for anything in particular
    raise RuntimeError(f"{driver.current_url} did not finish rendering: {state}")


def name_of(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


def shoot(
    demo: Demo, paths: list[str], out: Path, size: tuple[int, int], dark: bool
) -> list[dict[str, Any]]:
    """Screenshots of ``paths`` in the demo's language; what each page reported."""
    driver = chromium.start(width=size[0], height=size[1], language=demo.language)
    reports = []
    try:
        driver.set_script_timeout(60)
        driver.get(f"{demo.base}/manifest.json")  # the origin, to write its localStorage
        driver.execute_script(
            "localStorage.setItem('hassTokens', arguments[0]);"
            "localStorage.setItem('selectedLanguage', arguments[1]);"
            "localStorage.setItem('selectedTheme', arguments[2]);",
            json.dumps(demo.tokens()),
            json.dumps(demo.language),
            json.dumps({"theme": "default", "dark": dark}),
        )
        for path in paths:
            driver.get(demo.base + path)
            state = wait_rendered(driver, 120)
            if state["url"].startswith(("/auth", "/onboarding")):
                raise RuntimeError(f"{path} went to {state['url']}: the login did not work")
            file = out / demo.language / f"{name_of(path)}{'-dark' if dark else ''}.png"
            file.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(file))
            reports.append({"path": path, "file": str(file), **state})
            print(f"  {file.relative_to(ROOT) if file.is_relative_to(ROOT) else file}", end="")
            print(f"  ({len(state['errors'])} card errors)" if state["errors"] else "")
            for error in state["errors"]:
                print(f"    card error: {error}")
            for entity_id in state["unavailable"]:
                print(f"    unavailable: {entity_id}")
            if os.environ.get("HEMS_SCREENSHOT_DEBUG"):
                print(
                    "    debug:",
                    driver.execute_script(DEBUG_JS),
                )
            for entry in driver.get_log("browser"):  # the console: what went wrong of ours
                if entry.get("level") == "SEVERE" and "hems" in entry.get("message", ""):
                    print(f"    console: {entry.get('message', '')[:300]}")
    finally:
        driver.quit()
    return reports


def main(args: argparse.Namespace) -> int:
    if chromium.binaries() is None:
        print("chromium and chromedriver are missing: run ./scripts/browser-deps", file=sys.stderr)
        return 2
    width, height = (int(v) for v in args.size.split("x"))
    out = Path(args.out).resolve()
    reports: list[dict[str, Any]] = []
    for language in args.language:
        print(f"Starting the demo in {language} (a minute or two) ...")
        demo = Demo(language, args.port or free_port(), ROOT / ".demo-screenshots" / language, 1)
        try:
            demo.wait_until_live(args.timeout)
            for dark in (False, True) if args.dark else (False,):
                reports += shoot(demo, args.path or list(DEFAULT_PATHS), out, (width, height), dark)
        finally:
            demo.stop()
    (out / "report.json").write_text(json.dumps(reports, indent=2, ensure_ascii=False) + "\n")
    failed = [r for r in reports if r["errors"] or r["unavailable"]]
    if failed and args.strict:
        where = out / "report.json"
        print(
            f"card errors or unavailable entities on {len(failed)} page(s): see {where}",
            file=sys.stderr,
        )
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="./scripts/screenshots", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--path",
        action="append",
        help=f"a dashboard path, repeatable (default: {' '.join(DEFAULT_PATHS)})",
    )
    parser.add_argument(
        "--language", action="append", choices=["en", "ja"], help="repeatable (default: en ja)"
    )
    parser.add_argument("--out", default=str(ROOT / ".artifacts" / "screenshots"))
    parser.add_argument("--size", default="1280x900", help="browser window, WIDTHxHEIGHT")
    parser.add_argument("--dark", action="store_true", help="also in the dark theme")
    parser.add_argument("--port", type=int, default=0, help="Home Assistant's port (default: free)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for the demo to start")
    parser.add_argument(
        "--strict", action="store_true", help="fail on card errors and unavailable entities"
    )
    return parser


if __name__ == "__main__":
    arguments = _parser().parse_args()
    arguments.language = arguments.language or ["en", "ja"]
    sys.exit(main(arguments))
