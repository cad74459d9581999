"""EMHASS's optimisation as a library, driven over stdin/stdout (one JSON object per line).

Runs inside EMHASS's own virtual environment (bench/.cache/emhass-venv, made by
``bench.planner_emhass``), never imports our code.  The first line configures one
:class:`emhass.optimization.Optimization` (kept, as EMHASS's own MPC keeps it: later solves
only update its parameters); every following line is one naive-MPC solve
(``perform_naive_mpc_optim``) whose first slot is answered, with the solve's wall time.

The mapping of the house onto EMHASS's model (see bench/planner.py for the reasons):

* battery: EMHASS's battery with the same capacity, power limits, one-way efficiencies, SOC
  range; ``set_nodischarge_to_grid`` (storage is not sold); the final SOC target at the
  reserve with ``battery_soc_final_reward_factor`` giving every kWh left above it the same
  value our planner gives it;
* EcoCute: deferrable load 0 as a ``thermal_battery`` hot-water tank (370 L of water, the
  usable 40-90 °C range, the reserve as the minimum temperature, the forecast draw-off per
  step, the standing loss, Carnot COP from the outdoor temperature forecast: the same COP
  formula and parameters as ours), heat pump 0-1.5 kW;
* EV: deferrable load 1, 0-3 kW, window = the slots until the announced departure, energy =
  what the car needs to reach its target (EMHASS requires an exact amount); no window while
  the car is away; no requirement (and no value for extra charge) without a departure;
* contract: ``maximum_power_from_grid`` = 6 kW.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import pathlib
import sys
import time
from typing import Any

WATER_KWH_PER_K = 370 * 4.186 / 3600


def _protocol_stream() -> Any:
    """Our answers go to the original stdout; anything else (HiGHS prints a banner from C)
    goes to stderr."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    return protocol


async def _params(conf: dict[str, Any], logger: logging.Logger) -> dict[str, Any]:
    from emhass import utils

    config = await utils.build_config(conf, logger, conf["defaults_path"])
    _, secrets = await utils.build_secrets(conf, logger, no_response=True)
    return await utils.build_params(conf, secrets, config, logger)


def _configure(params: dict[str, Any], setup: dict[str, Any], min_c: float, max_c: float) -> None:
    """The house in EMHASS's configuration (see the module docstring)."""
    n = int(setup["slots"])
    params["optim_conf"].update(
        {
            "set_use_battery": True,
            "number_of_deferrable_loads": 2,
            "nominal_power_of_deferrable_loads": [setup["heat_pump_w"], setup["ev_w"]],
            "minimum_power_of_deferrable_loads": [0.0, 0.0],
            "operating_hours_of_each_deferrable_load": [0, 0],
            "treat_deferrable_load_as_semi_cont": [False, False],
            "set_deferrable_load_single_constant": [False, False],
            "set_deferrable_startup_penalty": [0.0, 0.0],
            "start_timesteps_of_each_deferrable_load": [0, 0],
            "end_timesteps_of_each_deferrable_load": [0, 0],
            "deferrable_load_max_cost": [0.0, 0.0],
            "set_deferrable_max_startups": [0, 0],
            "def_minimum_on_time": [0, 0],
            "def_minimum_off_time": [0, 0],
            "cost_forecast_per_deferrable_load": [None, None],
            "is_electric_load": [True, True],
            "num_threads": 1,
            "set_nodischarge_to_grid": True,
            "set_nocharge_from_grid": False,
            "weight_battery_charge": 0.0,
            "weight_battery_discharge": 0.0,
            "battery_soc_final_reward_factor": 1.0,
            "def_load_config": [
                {
                    "thermal_battery": {
                        "volume": 0.37,
                        "density": 1000.0,
                        "heat_capacity": 4.186,
                        "min_temperatures": [min_c] * n,
                        "max_temperatures": [max_c] * n,
                        "start_temperature": min_c + 10,
                        "thermal_loss": setup["standing_loss_kw"],
                        "supply_temperature": setup["cop_supply_c"],
                        "carnot_efficiency": setup["cop_carnot_efficiency"],
                        "draw_off_demand": [0.0] * n,
                    }
                },
                {},
            ],
        }
    )
    params["plant_conf"].update(_plant(setup))


def _plant(setup: dict[str, Any]) -> dict[str, Any]:
    """Battery and grid of the house in EMHASS's plant configuration."""
    return {
        "battery_nominal_energy_capacity": setup["battery_wh"],
        "battery_charge_power_max": setup["battery_charge_w"],
        "battery_discharge_power_max": setup["battery_discharge_w"],
        "battery_charge_efficiency": setup["battery_efficiency"],
        "battery_discharge_efficiency": setup["battery_efficiency"],
        "battery_minimum_state_of_charge": setup["battery_min_soc"],
        "battery_maximum_state_of_charge": setup["battery_max_soc"],
        "battery_target_state_of_charge": setup["battery_min_soc"],
        "maximum_power_from_grid": setup["contract_w"],
        "maximum_power_to_grid": setup["export_w"],
        "inverter_is_hybrid": False,
    }


class Driver:
    """One EMHASS optimisation object, configured once."""

    def __init__(self, setup: dict[str, Any]) -> None:
        import emhass
        from emhass import utils
        from emhass.optimization import Optimization

        root = pathlib.Path(emhass.__file__).parent
        data = pathlib.Path(setup["data_path"])
        data.mkdir(parents=True, exist_ok=True)
        conf = {
            "data_path": data,
            "root_path": root,
            "defaults_path": root / "data/config_defaults.json",
            "associations_path": root / "data/associations.csv",
        }
        self.logger = logging.getLogger("emhass-bench")
        self.logger.setLevel(logging.ERROR)
        params = asyncio.run(_params(conf, self.logger))
        params["retrieve_hass_conf"]["optimization_time_step"] = 30
        params["retrieve_hass_conf"]["time_zone"] = "Asia/Tokyo"
        self.slots = int(setup["slots"])
        self.floor_c = float(setup["tank_floor_c"])
        self.min_c = self.floor_c + float(setup["tank_reserve_kwh"]) / WATER_KWH_PER_K
        self.max_c = float(setup["tank_max_c"])
        _configure(params, setup, self.min_c, self.max_c)
        retrieve, optim, plant = utils.get_yaml_parse(params, self.logger)
        self.optim = optim
        self.opt = Optimization(
            retrieve,
            optim,
            plant,
            "unit_load_cost",
            "unit_prod_price",
            "profit",
            conf,
            self.logger,
            num_timesteps=self.slots,
        )

    def solve(self, request: dict[str, Any]) -> dict[str, Any]:
        """One MPC solve; the first slot's powers (W) and the solve time (ms)."""
        import numpy as np
        import pandas as pd

        n = self.slots
        index = pd.date_range(request["start"], periods=n, freq="30min")
        frame = pd.DataFrame(index=index)
        frame["unit_load_cost"] = request["load_cost"]
        frame["unit_prod_price"] = request["prod_price"]
        frame["outdoor_temperature_forecast"] = request["outdoor_c"]
        tank = self.optim["def_load_config"][0]["thermal_battery"]
        tank["start_temperature"] = self.floor_c + request["tank_kwh"] / WATER_KWH_PER_K
        tank["draw_off_demand"] = list(request["draw_kwh"])
        self.optim["battery_soc_final_reward_factor"] = request["reward_factor"]
        self.opt.optim_conf = self.optim
        self.opt.update_thermal_start_temps(self.optim)
        ev_end = request["ev_end"]
        started = time.perf_counter()
        result = self.opt.perform_naive_mpc_optim(
            frame,
            pd.Series(request["pv_w"], index=index),
            pd.Series(request["load_w"], index=index),
            n,
            soc_init=request["soc_init"],
            soc_final=request["soc_final"],
            def_total_hours=[0, request["ev_hours"]],
            def_start_timestep=[0, n if ev_end == 0 else 0],
            def_end_timestep=[0, n if ev_end == 0 else ev_end],
        )
        elapsed = (time.perf_counter() - started) * 1000
        if result is None or len(result) == 0:
            return {"status": "empty", "ms": elapsed}
        first = result.iloc[0]

        def value(name: str) -> float:
            number = float(first.get(name, 0.0))
            return 0.0 if math.isnan(number) else number

        return {
            "status": str(self.opt.optim_status),
            "ms": elapsed,
            "p_batt": value("P_batt"),
            "p_heat": value("P_deferrable0"),
            "p_ev": value("P_deferrable1"),
            "p_grid": value("P_grid"),
            "soc": value("SOC_opt"),
            "tank_c": float(np.nan_to_num(result["predicted_temp_heater0"].iloc[0]))
            if "predicted_temp_heater0" in result
            else 0.0,
        }


def main() -> int:
    """Serve requests until stdin closes."""
    protocol = _protocol_stream()
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    driver: Driver | None = None
    for line in sys.stdin:
        request = json.loads(line)
        if driver is None:
            driver = Driver(request)
            answer: dict[str, Any] = {"ready": True}
        else:
            try:
                answer = driver.solve(request)
            except Exception as err:
                answer = {"status": f"error: {type(err).__name__}: {err}", "ms": 0.0}
        protocol.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
