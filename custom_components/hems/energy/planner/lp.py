"""A small linear (or mixed-integer) programme builder over HiGHS (highspy).

Columns are added in blocks (one per quantity, one column per slot) and rows one at a time;
the model is passed to HiGHS in one call (row-wise sparse matrix).  Solving is single-threaded
with a fixed seed, so the same model always gives the same answer; a time limit stops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
import time

import highspy

INF = highspy.kHighsInf


class SolveStatus(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Solution:
    """Result of a solve: status, column values (empty unless optimal) and objective."""

    status: SolveStatus
    values: tuple[float, ...]
    objective: float
    detail: str


class LinearProgram:
    """Columns with bounds and costs, rows with bounds; minimised."""

    def __init__(self) -> None:
        self._cost: list[float] = []
        self._lower: list[float] = []
        self._upper: list[float] = []
        self._semi: list[int] = []
        self._row_lower: list[float] = []
        self._row_upper: list[float] = []
        self._start: list[int] = [0]
        self._index: list[int] = []
        self._value: list[float] = []

    @property
    def columns(self) -> int:
        """Number of columns."""
        return len(self._cost)

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(self._row_lower)

    def add_columns(
        self,
        count: int,
        *,
        lower: float | Sequence[float] = 0.0,
        upper: float | Sequence[float] = INF,
        cost: float | Sequence[float] = 0.0,
        semi_continuous: bool = False,
    ) -> range:
        """Add ``count`` columns; returns their indices.  A semi-continuous column is either 0
        or between its (positive) lower and its upper bound."""
        first = len(self._cost)
        self._lower.extend(_spread(lower, count))
        self._upper.extend(_spread(upper, count))
        self._cost.extend(_spread(cost, count))
        if semi_continuous:
            self._semi.extend(range(first, first + count))
        return range(first, first + count)

    def add_row(
        self,
        entries: Sequence[tuple[int, float]],
        lower: float = -INF,
        upper: float = INF,
    ) -> int:
        """Add ``lower <= Σ value × column <= upper``; returns the row index."""
        for column, value in entries:
            if value != 0.0:
                self._index.append(column)
                self._value.append(value)
        self._start.append(len(self._index))
        self._row_lower.append(lower)
        self._row_upper.append(upper)
        return len(self._row_lower) - 1

    def solve(
        self, *, time_limit_s: float, mip_rel_gap: float = 1e-4, large: bool = False
    ) -> Solution:
        """Solve with HiGHS within ``time_limit_s``.

        An LP is solved by the primal simplex without presolve (measured: about twice as fast
        on these small, sparse programmes); when that ends without a verdict (HiGHS reports
        "unknown" on rare numerically awkward cases) it is solved again with presolve in the
        time that is left.  A MILP always uses presolve.  ``large`` (a year at once): presolve
        and the interior-point method.
        """
        started = time.perf_counter()
        lp = self._highs_lp()
        if large:
            return self._run(
                lp, presolve=True, time_limit_s=time_limit_s, gap=mip_rel_gap, ipm=True
            )
        solution = self._run(
            lp, presolve=bool(self._semi), time_limit_s=time_limit_s, gap=mip_rel_gap
        )
        if solution.status is SolveStatus.ERROR and not self._semi:
            left = time_limit_s - (time.perf_counter() - started)
            if left <= 0:
                return Solution(SolveStatus.TIME_LIMIT, (), 0.0, solution.detail)
            solution = self._run(lp, presolve=True, time_limit_s=left, gap=mip_rel_gap)
        return solution

    def _highs_lp(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = self.columns
        lp.num_row_ = self.rows
        lp.col_cost_ = self._cost
        lp.col_lower_ = self._lower
        lp.col_upper_ = self._upper
        lp.row_lower_ = self._row_lower
        lp.row_upper_ = self._row_upper
        matrix = lp.a_matrix_
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_ = self.columns
        matrix.num_row_ = self.rows
        matrix.start_ = self._start
        matrix.index_ = self._index
        matrix.value_ = self._value
        if self._semi:
            kinds = [highspy.HighsVarType.kContinuous] * self.columns
            for column in self._semi:
                kinds[column] = highspy.HighsVarType.kSemiContinuous
            lp.integrality_ = kinds
        return lp

    @staticmethod
    def _run(
        lp: highspy.HighsLp, *, presolve: bool, time_limit_s: float, gap: float, ipm: bool = False
    ) -> Solution:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ untyped
        for option, value in (
            ("output_flag", False),
            ("threads", 1),
            ("random_seed", 0),
            ("time_limit", float(time_limit_s)),
            ("mip_rel_gap", float(gap)),
            ("presolve", "on" if presolve else "off"),
            ("simplex_strategy", 4),  # primal simplex: measured the fastest on these LPs
            ("solver", "ipm" if ipm else "choose"),
        ):
            highs.setOptionValue(option, value)
        if highs.passModel(lp) != highspy.HighsStatus.kOk:
            return Solution(SolveStatus.ERROR, (), 0.0, "model rejected")
        highs.run()
        status = highs.getModelStatus()
        detail = highs.modelStatusToString(status)
        if status == highspy.HighsModelStatus.kOptimal:
            objective = highs.getInfo().objective_function_value
            return Solution(
                SolveStatus.OPTIMAL, tuple(highs.getSolution().col_value), objective, ""
            )
        if status in {
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        }:
            return Solution(SolveStatus.INFEASIBLE, (), 0.0, detail)
        if status == highspy.HighsModelStatus.kTimeLimit:
            return Solution(SolveStatus.TIME_LIMIT, (), 0.0, detail)
        return Solution(SolveStatus.ERROR, (), 0.0, detail)


def _spread(value: float | Sequence[float], count: int) -> list[float]:
    if isinstance(value, int | float):
        return [float(value)] * count
    values = [float(item) for item in value]
    if len(values) != count:
        raise ValueError(f"{len(values)} values for {count} columns")
    return values
