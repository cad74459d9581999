"""The planner in Home Assistant (AI solar charge, 太陽光活用モード), part of the energy entry.

* :mod:`.devices`: the hub's battery, EcoCute and EV charger: their state for the planner, and
  the commands that make a plan's slot happen (confirmed by the device);
* :mod:`.forecasts`: solar (a forecast provider of the energy platform, else the house's own
  generation history and a weather entity), weather, house load and hot water;
* :mod:`.runtime`: :class:`~.runtime.HomePlanner`, the receding-horizon loop and its modes;
* :mod:`.entities`: mode (select), next action (sensor), saving today (sensor), the
  weather-warning reserve (switch).

The optimisation itself is the pure library :mod:`...energy.planner`.
"""
