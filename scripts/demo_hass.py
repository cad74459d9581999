"""The demo's Home Assistant: its configuration, and just enough of its REST and websocket
APIs to onboard, add the hems entries and configure the Energy dashboard (used by demo.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import shutil
import textwrap
import time
from types import TracebackType
from typing import Any, Self
from urllib import error, parse, request

import aiohttp  # Home Assistant's own dependency

ROOT = Path(__file__).resolve().parents[1]
USER, PASSWORD = "demo", "demo-hems"
CLIENT_ID = "http://127.0.0.1:{port}/"


def configuration(port: int, language: str) -> str:
    return textwrap.dedent(
        f"""\
        # Written by scripts/demo: only local integrations (nothing reaches the Internet).
        homeassistant:
          name: HEMS demo
          latitude: 35.6812
          longitude: 139.7671
          elevation: 40
          unit_system: metric
          time_zone: Asia/Tokyo
          currency: JPY
          country: JP
          language: {language}
        http:
          server_host: 127.0.0.1
          server_port: {port}
        frontend:
        config:
        energy:
        history:
        logbook:
        recorder:
          purge_keep_days: 30
        conversation:
        intent:
        person:
        system_health:
        logger:
          default: warning
          logs:
            custom_components.hems: info
            # the meter history import, day by day (the demo's timeline)
            custom_components.hems.statistics_backfill: debug
            # No cameras here.  Every browser session makes Home Assistant import the camera
            # component (for the actions' descriptions), which logs an ERROR with a traceback
            # when the system library libturbojpeg (Debian: libturbojpeg0) is missing; it only
            # speeds up camera snapshots.
            homeassistant.components.camera.img_util: critical
        """
    )


def prepare_config(config: Path, port: int, language: str, keep: bool) -> bool:
    """Write a fresh config directory; return True when it is new."""
    if config.exists() and keep:
        return False
    if config.exists():
        shutil.rmtree(config)
    (config / ".storage").mkdir(parents=True)
    (config / "configuration.yaml").write_text(configuration(port, language), encoding="utf-8")
    # The integration's everyday Japanese sentences for Assist (「リビングの照明をつけて」).
    sentences = config / "custom_sentences" / "ja"
    sentences.mkdir(parents=True)
    shutil.copy(
        ROOT / "custom_components" / "hems" / "sentences" / "ja.yaml", sentences / "hems.yaml"
    )
    # Onboarding: the user step runs through the API below; the other steps would set up
    # integrations that use the Internet (weather, radio, analytics): mark them done.
    (config / ".storage" / "onboarding").write_text(
        json.dumps(
            {
                "version": 4,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": ["core_config", "analytics", "integration"]},
            }
        ),
        encoding="utf-8",
    )
    return True


class Api:
    """Just enough of Home Assistant's REST API (standard library only)."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.token: str | None = None

    def call(
        self, method: str, path: str, data: dict[str, Any] | None = None, form: bool = False
    ) -> Any:
        body = None
        headers = {}
        if data is not None:
            if form:
                body = parse.urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = json.dumps(data).encode()
                headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = request.Request(self.base + path, data=body, headers=headers, method=method)
        with request.urlopen(req, timeout=60) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def wait_until_up(self, proc: asyncio.subprocess.Process, seconds: float = 300) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(
                    "Home Assistant exited while starting (see .demo/home-assistant.log)"
                )
            try:
                self.call("GET", "/api/onboarding")
                return
            except (error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise RuntimeError("Home Assistant did not start in time")

    def onboard(self, port: int, language: str) -> None:
        client_id = CLIENT_ID.format(port=port)
        result = self.call(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": client_id,
                "name": "Demo",
                "username": USER,
                "password": PASSWORD,
                "language": language,
            },
        )
        self._token(client_id, result["auth_code"])

    def login(self, port: int) -> None:
        client_id = CLIENT_ID.format(port=port)
        flow = self.call(
            "POST",
            "/auth/login_flow",
            {"client_id": client_id, "handler": ["homeassistant", None], "redirect_uri": client_id},
        )
        result = self.call(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": client_id, "username": USER, "password": PASSWORD},
        )
        self._token(client_id, result["result"])

    def _token(self, client_id: str, code: str) -> None:
        tokens = self.call(
            "POST",
            "/auth/token",
            {"grant_type": "authorization_code", "code": code, "client_id": client_id},
            form=True,
        )
        self.token = tokens["access_token"]

    def flow(self, steps: list[dict[str, Any]]) -> dict[str, Any]:
        """Run a config flow of hems through the given step inputs."""
        result = self.call("POST", "/api/config/config_entries/flow", {"handler": "hems"})
        for data in steps:
            result = self._past_progress(result)
            if result.get("type") in ("create_entry", "abort"):
                break
            if result.get("errors"):
                raise RuntimeError(f"flow step {result.get('step_id')}: {result['errors']}")
            result = self.call("POST", f"/api/config/config_entries/flow/{result['flow_id']}", data)
        return self._past_progress(result)

    def _past_progress(self, result: dict[str, Any]) -> dict[str, Any]:
        """A step running a task (connecting to the meter): continue until it is done."""
        deadline = time.monotonic() + 300
        while result.get("type") in ("progress", "progress_done") and time.monotonic() < deadline:
            if result["type"] == "progress":
                time.sleep(1)
            result = self.call("POST", f"/api/config/config_entries/flow/{result['flow_id']}", {})
        return result


class Socket:
    """Home Assistant's websocket API: ``await ws.command("config/entity_registry/list")``."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._id = 0

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(f"{self.api.base}/api/websocket")
        await self._ws.receive_json()
        await self._ws.send_json({"type": "auth", "access_token": self.api.token})
        reply = await self._ws.receive_json()
        if reply.get("type") != "auth_ok":
            raise RuntimeError(f"websocket authentication failed: {reply}")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()

    async def command(self, kind: str, **payload: Any) -> Any:
        """Send one command; return its result (RuntimeError on an error)."""
        assert self._ws is not None
        self._id += 1
        await self._ws.send_json({"id": self._id, "type": kind, **payload})
        while True:
            reply = await self._ws.receive_json()
            if reply.get("id") == self._id and reply.get("type") == "result":
                break
        if not reply.get("success"):
            raise RuntimeError(f"{kind}: {reply.get('error')}")
        return reply.get("result")


def _all(registry: list[dict[str, Any]], suffix: str, prefix: str = "") -> list[str]:
    return [
        str(entry["entity_id"])
        for entry in registry
        if entry["platform"] == "hems"
        and (entry.get("unique_id") or "").endswith(suffix)
        and (entry.get("unique_id") or "").startswith(prefix)
    ]


def _finder(registry: list[dict[str, Any]]) -> Any:
    def find(suffix: str, prefix: str = "") -> str | None:
        return next(iter(_all(registry, suffix, prefix)), None)

    return find


def energy_sources(registry: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Energy dashboard's sources: the meter (over Wi-SUN when there is one), the prices of
    the energy entry, solar, the battery, gas and water.  The fuel cell's generation is listed
    with the solar panels: Home Assistant's Energy dashboard has no other kind of local
    generation, and without it the house's consumption would look smaller than it is."""
    find = _finder(registry)
    grid_in = find("-grid_import_energy", "broute_") or find("-0x028801-grid_import_energy")
    grid_out = find("-grid_export_energy", "broute_") or find("-0x028801-grid_export_energy")
    sources: list[dict[str, Any]] = [
        {
            "type": "grid",
            "flow_from": [
                {
                    "stat_energy_from": grid_in,
                    "stat_cost": None,
                    "entity_energy_price": find("-electricity_price"),
                    "number_energy_price": None,
                }
            ],
            "flow_to": [
                {
                    "stat_energy_to": grid_out,
                    "stat_compensation": None,
                    "entity_energy_price": find("-sale_price"),
                    "number_energy_price": None,
                }
            ],
            "cost_adjustment_day": 0,
        },
        *(
            {"type": "solar", "stat_energy_from": entity, "config_entry_solar_forecast": None}
            for entity in _all(registry, "-solar_energy") + _all(registry, "-generated_energy")
        ),
        {
            "type": "battery",
            "stat_energy_from": find("-0x027D01-discharged_energy"),
            "stat_energy_to": find("-0x027D01-charged_energy"),
        },
    ]
    for kind, suffix in (("gas", "-0x028201-gas_consumption"), ("water", "-water_consumption")):
        if (entity := find(suffix)) is not None:
            sources.append(
                {
                    "type": kind,
                    "stat_energy_from": entity,
                    "stat_cost": None,
                    "entity_energy_price": None,
                    "number_energy_price": None,
                }
            )
    return sources


async def configure_energy_dashboard(ws: Socket) -> str:
    """Point the Energy dashboard at the house's sources and its devices' consumption."""
    registry = await ws.command("config/entity_registry/list")
    devices = [
        {"stat_consumption": e["entity_id"]}
        for e in registry
        if e["platform"] == "hems" and (e.get("unique_id") or "").endswith("-energy_consumption")
    ]
    try:
        await ws.command(
            "energy/save_prefs",
            energy_sources=energy_sources(registry),
            device_consumption=devices,
        )
    except RuntimeError as err:
        return f"not configured: {err}"
    return "configured"
