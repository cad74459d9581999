#!/usr/bin/env python3
"""The demo: the virtual house, a virtual Wi-SUN dongle and Home Assistant with hems, live.

Started by ``./scripts/demo``.  Everything runs on loopback only (the house on 127.0.0.2...,
Home Assistant on 127.0.0.1:8123); Home Assistant is configured without any integration that
talks to the Internet or to the real network (no default_config, no onboarding integrations).
Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from pathlib import Path
import shutil
import signal
import sys
import textwrap
import time
from typing import Any
from urllib import error, parse, request

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / ".demo"
USER, PASSWORD = "demo", "demo-hems"
CLIENT_ID = "http://127.0.0.1:{port}/"
# A B-route ID and password of the virtual meter (never a real one).
BROUTE_ID = "00112233445566778899AABBCCDDEEFF"
BROUTE_PASSWORD = "0123456789AB"


def _configuration(port: int, language: str) -> str:
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
        """
    )


def _prepare_config(config: Path, port: int, language: str, keep: bool) -> bool:
    """Write a fresh config directory; return True when it is new."""
    if config.exists() and keep:
        return False
    if config.exists():
        shutil.rmtree(config)
    (config / ".storage").mkdir(parents=True)
    (config / "configuration.yaml").write_text(_configuration(port, language), encoding="utf-8")
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

    def wait_until_up(self, proc: asyncio.subprocess.Process, seconds: float = 180) -> None:
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


async def _configure_energy_dashboard(api: Api) -> str:
    """Point the Energy dashboard at the house's meters, solar, battery, gas, water and prices."""
    import aiohttp  # Home Assistant's own dependency

    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{api.base}/api/websocket") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": api.token})
        await ws.receive_json()
        await ws.send_json({"id": 1, "type": "config/entity_registry/list"})
        registry = (await ws.receive_json())["result"]

        def find(suffix: str, prefix: str = "") -> str | None:
            for entry in registry:
                unique = entry.get("unique_id") or ""
                if (
                    entry["platform"] == "hems"
                    and unique.endswith(suffix)
                    and unique.startswith(prefix)
                ):
                    return str(entry["entity_id"])
            return None

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
            {
                "type": "solar",
                "stat_energy_from": find("-solar_energy"),
                "config_entry_solar_forecast": None,
            },
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
        devices = [
            {"stat_consumption": e["entity_id"]}
            for e in registry
            if e["platform"] == "hems"
            and (e.get("unique_id") or "").endswith("-energy_consumption")
        ]
        await ws.send_json(
            {
                "id": 2,
                "type": "energy/save_prefs",
                "energy_sources": sources,
                "device_consumption": devices,
            }
        )
        result = await ws.receive_json()
    return "configured" if result.get("success") else f"not configured: {result.get('error')}"


def _outcome(result: dict[str, Any]) -> str:
    return f"{result.get('type')} {result.get('title', result.get('reason', ''))}"


async def _spawn(*args: str, log: Path | None = None) -> asyncio.subprocess.Process:
    out = log.open("ab") if log else asyncio.subprocess.PIPE
    return await asyncio.create_subprocess_exec(
        *args,
        cwd=ROOT,
        stdout=out,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )


async def _read_until(proc: asyncio.subprocess.Process, marker: str, echo: bool) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    while True:
        raw = await asyncio.wait_for(proc.stdout.readline(), 60)
        if not raw:
            raise RuntimeError("a simulator exited while starting:\n" + "".join(lines))
        line = raw.decode()
        lines.append(line)
        if echo:
            print(line, end="")
        if marker in line:
            return lines


async def _drain(proc: asyncio.subprocess.Process) -> None:
    if proc.stdout is None:
        return
    with contextlib.suppress(Exception):
        while await proc.stdout.readline():
            pass


async def _stop(proc: asyncio.subprocess.Process, name: str) -> None:
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        await asyncio.wait_for(proc.wait(), 20)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
    print(f"stopped {name}")


async def main(args: argparse.Namespace) -> int:
    demo: Path = args.dir
    config = demo / "config"  # made (with demo) by _prepare_config
    fresh = _prepare_config(config, args.port, args.language, args.keep)
    python = sys.executable
    procs: list[tuple[str, asyncio.subprocess.Process]] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        print("Starting the virtual house ...")
        house = await _spawn(python, "-m", "simulator", "--speed", str(args.speed))
        procs.append(("the virtual house", house))
        await _read_until(house, "Serving", echo=True)
        drains = [asyncio.create_task(_drain(house))]

        dongle_link = demo / "wisun-dongle"
        dongle = None
        if not args.no_meter:
            print("Starting the virtual Wi-SUN dongle (A1 dialect) ...")
            dongle = await _spawn(
                python,
                "-m",
                "simulator.dongle",
                "--dialect",
                "a1",
                "--link",
                str(dongle_link),
                "--speed",
                str(args.speed),
                "--fast",
                "0.05",
                "--id",
                BROUTE_ID,
                "--password",
                BROUTE_PASSWORD,
            )
            procs.append(("the virtual dongle", dongle))
            await _read_until(dongle, str(dongle_link), echo=False)
            drains.append(asyncio.create_task(_drain(dongle)))
            print(f"  dongle at {dongle_link}")

        print("Starting Home Assistant (the first start takes a minute) ...")
        log = demo / "home-assistant.log"
        log.write_bytes(b"")
        hass = await _spawn(
            python, str(ROOT / "scripts" / "hass_launcher.py"), "-c", str(config), log=log
        )
        procs.append(("Home Assistant", hass))
        api = Api(args.port)
        await loop.run_in_executor(None, api.wait_until_up, hass)
        if fresh:
            await loop.run_in_executor(None, api.onboard, args.port, args.language)
            hub = await loop.run_in_executor(
                None,
                api.flow,
                [{"next_step_id": "echonet"}, {"interface": "lo"}, {"next_step_id": "finish"}],
            )
            print(f"  ECHONET Lite hub: {_outcome(hub)}")
            if dongle is not None:
                meter = await loop.run_in_executor(
                    None,
                    api.flow,
                    [
                        {"next_step_id": "broute"},
                        {"port": str(dongle_link), "rbid": BROUTE_ID, "password": BROUTE_PASSWORD},
                    ],
                )
                print(f"  smart meter: {_outcome(meter)}")
            await asyncio.sleep(3)  # let the hub's entities register before detection
            energy = await loop.run_in_executor(
                None,
                api.flow,
                [
                    {"next_step_id": "energy"},
                    {
                        "preset": "smart_life",
                        "sale_price": 16,
                        "water_price": 250,
                        "gas_price": 180,
                        "contract_amperes": 40,
                    },
                ],
            )
            print(f"  energy management: {_outcome(energy)}")
            await asyncio.sleep(3)
            print(f"  Energy dashboard: {await _configure_energy_dashboard(api)}")
        print(
            textwrap.dedent(
                f"""
                The house is live in Home Assistant:  http://127.0.0.1:{args.port}/
                  user: {USER}    password: {PASSWORD}
                  (language: {args.language}; ./scripts/demo --language ja for Japanese)
                Home Assistant's log: {log}
                Ctrl-C stops everything.
                """
            )
        )
        waiter = asyncio.create_task(stop.wait())
        watched = [asyncio.create_task(p.wait()) for _, p in procs]
        done, _ = await asyncio.wait([waiter, *watched], return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            print("a demo process exited; stopping the others")
        for task in (waiter, *watched, *drains):
            task.cancel()
        return 0
    finally:
        for name, proc in reversed(procs):
            await _stop(proc, name)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="./scripts/demo", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--language", choices=["en", "ja"], default="en")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated time acceleration")
    parser.add_argument("--keep", action="store_true", help="keep .demo/config from the last run")
    parser.add_argument("--no-meter", action="store_true", help="without the virtual Wi-SUN dongle")
    parser.add_argument(
        "--dir", type=Path, default=DEMO, help="where the demo keeps its state (default: .demo)"
    )
    return parser


if __name__ == "__main__":
    sys.exit(asyncio.run(main(_parser().parse_args())))
