"""EMHASS 0.18.7 (PyPI) as a controller of the benchmark house, in its own virtual environment.

:func:`ensure_venv` creates ``bench/.cache/emhass-venv`` (gitignored) with this Python and
installs ``emhass==0.18.7`` from PyPI the first time (a few minutes); :class:`EmhassController`
runs ``bench/planner_emhass_driver.py`` in it as a subprocess and asks it for a plan at every
slot, with the same forecasts, prices and device state as our planner.  The first slot of
EMHASS's plan is executed exactly like ours (:func:`slot_commands`); when EMHASS returns no
usable plan, the devices run in their automatic modes for that slot (counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
import math
from pathlib import Path
import subprocess
import sys
from typing import IO, Any

from custom_components.hems.energy.planner import (
    SLOT_HOURS,
    Commands,
    Horizon,
    PlanInputs,
    automatic_commands,
    slot_commands,
)
from custom_components.hems.energy.planner.problem import terminal_values

from .planner_data import CONTRACT_KW, PV_KWP, battery, water_heater

EMHASS_VERSION = "0.18.7"
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
VENV = CACHE / "emhass-venv"
DRIVER = ROOT / "bench" / "planner_emhass_driver.py"


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv(log: IO[str] = sys.stderr) -> Path:
    """EMHASS's virtual environment, created and installed if needed; its Python."""
    stamp = VENV / f".emhass-{EMHASS_VERSION}"
    if stamp.exists():
        return _venv_python()
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"== creating {VENV} and installing emhass=={EMHASS_VERSION} (once)", file=log)
    if not _venv_python().exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [
            str(_venv_python()),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"emhass=={EMHASS_VERSION}",
        ],
        check=True,
    )
    stamp.write_text(EMHASS_VERSION + "\n", encoding="utf-8")
    return _venv_python()


def emhass_setup(slots: int) -> dict[str, Any]:
    """The house as EMHASS is configured with it (see the driver's docstring)."""
    store = battery()
    tank = water_heater()
    return {
        "data_path": str(CACHE / "emhass-data"),
        "slots": slots,
        "battery_wh": store.capacity_kwh * 1000,
        "battery_charge_w": store.max_charge_kw * 1000,
        "battery_discharge_w": store.max_discharge_kw * 1000,
        "battery_efficiency": store.efficiency,
        "battery_min_soc": store.reserve,
        "battery_max_soc": store.max_soc,
        "heat_pump_w": tank.max_input_kw * 1000,
        "ev_w": 3000.0,
        "standing_loss_kw": tank.standing_loss_kw,
        "tank_floor_c": 40.0,
        "tank_max_c": 90.0,
        "tank_reserve_kwh": tank.reserve_kwh,
        "cop_supply_c": 65.0,
        "cop_carnot_efficiency": 0.5,
        "contract_w": CONTRACT_KW * 1000,
        "export_w": PV_KWP * 1000,
    }


@dataclass
class EmhassController:
    """Plans with EMHASS at every call; executes its first slot."""

    slots: int
    plan_ms: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    _process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """Start the driver and configure EMHASS."""
        python = ensure_venv()
        self._process = subprocess.Popen(
            [str(python), str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            cwd=str(ROOT),
        )
        answer = self._ask(emhass_setup(self.slots))
        if not answer.get("ready"):
            raise RuntimeError(f"EMHASS driver did not start: {answer}")

    def close(self) -> None:
        """Stop the driver."""
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None

    def _ask(self, message: dict[str, Any]) -> dict[str, Any]:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(message) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the EMHASS driver stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def request(self, inputs: PlanInputs) -> dict[str, Any]:
        """The driver request for ``inputs`` (the same forecasts and state as ours)."""
        horizon = Horizon.of(inputs)
        n = self.slots
        if horizon.slots != n:
            raise ValueError(f"EMHASS is configured for {n} slots, got {horizon.slots}")
        store = inputs.battery
        tank = inputs.water_heater
        assert store is not None and tank is not None
        car = inputs.ev
        ev_end, ev_hours = 0, 0.0
        if car is not None and car.plugged:
            departure = horizon.departure_index()
            ev_end = n if departure is None else departure
            if departure:
                need = max(0.0, car.target_soc * car.capacity_kwh - car.stored_kwh)
                need /= car.charge_efficiency
                ev_hours = min(need, departure * car.max_charge_kw * SLOT_HOURS) / 3.0
        value = terminal_values(horizon).battery
        last_price = horizon.price[-1]
        return {
            "start": inputs.start.isoformat(),
            "pv_w": [kwh / SLOT_HOURS * 1000 for kwh in horizon.solar],
            "load_w": [kwh / SLOT_HOURS * 1000 for kwh in horizon.load],
            "load_cost": list(horizon.price),
            "prod_price": list(horizon.sale),
            "outdoor_c": list(inputs.forecast.outdoor_c),
            "draw_kwh": list(horizon.hot_water),
            "tank_kwh": tank.heat_kwh,
            "soc_init": store.soc,
            "soc_final": store.reserve,
            "reward_factor": value / last_price if last_price > 0 else 0.0,
            "ev_end": ev_end,
            "ev_hours": ev_hours,
        }

    def __call__(self, inputs: PlanInputs) -> Commands:
        """Plan with EMHASS; the commands of its first slot."""
        answer = self._ask(self.request(inputs))
        self.plan_ms.append(float(answer.get("ms", 0.0)))
        status = str(answer.get("status"))
        if status != "Optimal":
            self.failures[status] = self.failures.get(status, 0) + 1
            if "p_batt" not in answer or status.startswith(("error", "empty", "Infeasible")):
                return automatic_commands(inputs)
        return self._commands(inputs, answer)

    @staticmethod
    def _commands(inputs: PlanInputs, answer: dict[str, Any]) -> Commands:
        store = inputs.battery
        assert store is not None
        kwh = SLOT_HOURS / 1000

        def energy(name: str) -> float:
            number = float(answer.get(name, 0.0))
            return 0.0 if math.isnan(number) else number * kwh

        battery_kwh = energy("p_batt")
        car = inputs.ev
        plugged = car is not None and car.plugged
        return slot_commands(
            store,
            stored_kwh=store.stored_kwh,
            charge=max(0.0, -battery_kwh),
            discharge=max(0.0, battery_kwh),
            boil=max(0.0, energy("p_heat")),
            ev_in=max(0.0, energy("p_ev")) if plugged else 0.0,
            ev_out=0.0,
            solar=inputs.forecast.solar_kwh[0],
            load=inputs.forecast.load_kwh[0],
        )
