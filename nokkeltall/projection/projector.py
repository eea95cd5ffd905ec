"""The projection service: data, backtests and caches together. One ``Projector`` per process; the
backtests are computed once (a few seconds), after which a projection takes milliseconds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from nokkeltall import config, queries
from nokkeltall.projection import backtest, groups, model, trend
from nokkeltall.projection import data as data_module
from nokkeltall.projection import scenario as scenarios
from nokkeltall.projection.backtest import QUANTILES, Backtest, Choice, Intervals
from nokkeltall.projection.data import PopulationData, ProjectionError, from_connection
from nokkeltall.projection.groups import INTERVAL_GROUPS, group_slice

_SHARED: dict[str, Projector] = {}
MIN_BASE_HISTORY = 5  # years of data a base year needs behind it
DEFAULT_END = 2050
LATEST_END = 2060


def rounded(value: float) -> float:
    """How a projected count is written in text: a projection is not exact to the person. Under 100 to
    the whole person, under 10 000 to the nearest 10, else to the nearest 100."""
    if abs(value) < 100:
        return float(round(value))
    step = 10 if abs(value) < 10_000 else 100
    return float(round(value / step) * step)


def _store_path(fingerprint: str) -> Path:
    """Where the backtests of this database build and this version of the method are kept: the name hashes
    the build's fingerprint and the source of the modules that compute them."""
    digest = hashlib.sha256(fingerprint.encode())
    for module in (model, trend, backtest, data_module, groups):
        digest.update(Path(str(module.__file__)).read_bytes())
    return config.cache_dir() / "projection" / f"backtest-{digest.hexdigest()[:24]}.npy"


@dataclass(frozen=True)
class Projection:
    """One municipality's projection by single year of age, with the main projection beside it."""

    code: str
    name: str
    base_year: int
    years: tuple[int, ...]
    values: np.ndarray  # [year, age] (the scenario, or the main projection)
    main: np.ndarray  # [year, age] main projection
    quantiles: np.ndarray  # [year, interval group, QUANTILES] log errors
    choice: Choice
    scenario: scenarios.Scenario

    def series(self, group: str = "total", main: bool = False) -> pd.Series:
        values = self.main if main else self.values
        return pd.Series(values[:, group_slice(group)].sum(axis=1), index=list(self.years), name=group)

    def table(self, group: str = "total") -> pd.DataFrame:
        """year, value, lower, upper (80 %), lower50, upper50 (50 %); intervals NaN for groups without."""
        value = self.series(group)
        frame = pd.DataFrame({"year": list(self.years), "value": value.to_numpy()})
        names = {"lower": 0.10, "lower50": 0.25, "upper50": 0.75, "upper": 0.90}
        for column, q in names.items():
            frame[column] = self._bound(value.to_numpy(), group, QUANTILES.index(q))
        return frame[["year", "value", "lower", "upper", "lower50", "upper50"]]

    def _bound(self, value: np.ndarray, group: str, q: int, year_index: int | None = None) -> np.ndarray:
        if group not in INTERVAL_GROUPS:
            return np.full(len(value), np.nan)
        rows = slice(None) if year_index is None else slice(year_index, year_index + 1)
        error = self.quantiles[rows, INTERVAL_GROUPS.index(group), q]
        return np.maximum((value + 0.5) * np.exp(error) - 0.5, 0.0)

    def row(self, year: int, group: str = "total") -> dict[str, float]:
        """value, lower, upper, lower50, upper50 in one year (like a row of ``table``, without pandas)."""
        h = self.years.index(year)
        value = np.array([self.values[h, group_slice(group)].sum()])
        names = {"lower": 0.10, "lower50": 0.25, "upper50": 0.75, "upper": 0.90}
        bounds = {
            column: float(self._bound(value, group, QUANTILES.index(q), h)[0]) for column, q in names.items()
        }
        return {"value": float(value[0]), **bounds}

    def at(self, year: int, group: str = "total") -> float:
        return float(self.series(group).get(year, np.nan))


class Projector:
    def __init__(self, data: PopulationData, store: Path | None = None):
        self.data = data
        self.backtest = Backtest(data, store=store)
        self._cache: dict = {}

    @classmethod
    def from_connection(cls, con) -> Projector:
        """One projector per database build, shared by everyone in the process (CLI, pages)."""
        key = queries.build_fingerprint(con)
        if key not in _SHARED:
            _SHARED.clear()
            _SHARED[key] = cls(from_connection(con), store=_store_path(key))
        return _SHARED[key]

    def check_years(self, base_year: int | None, to_year: int | None) -> tuple[int, int]:
        base = self.data.last_year if base_year is None else int(base_year)
        earliest = self.data.first_year + MIN_BASE_HISTORY
        if not earliest <= base <= self.data.last_year:
            raise ProjectionError(
                f"Basisåret {base} går ikke: det finnes befolkningstall for "
                f"{self.data.first_year}–{self.data.last_year}, og framskrivingen trenger "
                f"minst {MIN_BASE_HISTORY} år med tall før basisåret ({earliest}–"
                f"{self.data.last_year})."
            )
        end = max(DEFAULT_END, base + 10) if to_year is None else int(to_year)
        if not base < end <= LATEST_END:
            raise ProjectionError(f"Sluttåret {end} må være etter basisåret {base} og senest {LATEST_END}.")
        return base, end

    def _choice(self, base_year: int) -> tuple[list[Choice], Intervals]:
        key = ("choice", base_year)
        if key not in self._cache:
            chosen = self.backtest.choose(base_year)
            self._cache[key] = (chosen, self.backtest.intervals(base_year, chosen))
            self.backtest.release()
        return self._cache[key]

    def _run(self, base_year: int, settings: model.Settings) -> tuple[model.Path, model.Rates]:
        """Every municipality's projection with one candidate, to LATEST_END (cached)."""
        key = ("run", base_year, settings)
        if key not in self._cache:
            horizon = LATEST_END - base_year
            known = self.data.until(base_year)
            rates = model.estimate_rates(known, base_year, settings)
            self._cache[key] = (model.project(known, base_year, horizon, settings, rates=rates), rates)
        return self._cache[key]

    def _total(self, base_year: int, settings: model.Settings) -> np.ndarray:
        """[municipality, year] totals of one candidate (cached; its path by age is not kept)."""
        key = ("total", base_year, settings)
        if key not in self._cache:
            run = self._cache.get(("run", base_year, settings))
            if run is None:
                known = self.data.until(base_year)
                path = model.project(known, base_year, LATEST_END - base_year, settings)
            else:
                path = run[0]
            self._cache[key] = path.values.sum(axis=2)
        return self._cache[key]

    def _factor(self, base_year: int, choice: Choice) -> np.ndarray:
        """[municipality, year] scaling of the age candidate's path to the total candidate's total: the
        main projection is ``path × factor``, worked out for one municipality at a time (a scaled copy
        of every municipality's path was 9 MB of the server's memory)."""
        key = ("factor", base_year, choice)
        if key not in self._cache:
            own = self._run(base_year, choice.ages)[0].values.sum(axis=2)
            totals = self._total(base_year, choice.total)
            self._cache[key] = np.where(own > 0, totals / np.where(own > 0, own, 1.0), 1.0)
        return self._cache[key]

    def choice_for(self, index: int, base_year: int) -> tuple[Choice, int]:
        total = self.data.values[index, self.data.year_index(base_year)].sum()
        if np.isnan(total):
            raise ProjectionError(f"{self.data.names[index]} har ingen befolkningstall for {base_year}.")
        band = int(model.size_band(np.array([total]))[0])
        return self._choice(base_year)[0][band], band

    def project(
        self,
        code: str,
        base_year: int | None = None,
        to_year: int | None = None,
        scenario: scenarios.Scenario | str | None = None,
    ) -> Projection:
        base, end = self.check_years(base_year, to_year)
        chosen = scenario if isinstance(scenario, scenarios.Scenario) else scenarios.parse(scenario)
        index = self.data.index(code)
        choice, band = self.choice_for(index, base)
        steps = end - base + 1
        path = self._run(base, choice.ages)[0]
        main = path.values[index, :steps] * self._factor(base, choice)[index, :steps, None]
        values = main if chosen.is_main else self._scenario(index, base, end, choice, chosen)
        quantiles = self._choice(base)[1].for_band(band, end - base)
        return Projection(
            code,
            self.data.names[index],
            base,
            tuple(range(base, end + 1)),
            values,
            main,
            quantiles,
            choice,
            chosen,
        )

    def _scenario(
        self, index: int, base: int, end: int, choice: Choice, chosen: scenarios.Scenario
    ) -> np.ndarray:
        """The scenario run: the main projection's ratios and scaling, plus the changes; «som siste
        5/10 år» is the age candidate's ratios over that window, unconstrained."""
        settings = choice.ages
        path, _ = self._run(base, settings)
        factor = self._factor(base, choice)[index : index + 1, : end - base + 1]
        scale: np.ndarray | None = path.scale[index : index + 1]
        if chosen.history:
            settings = replace(settings, window=chosen.history, total="cohort")
            factor, scale = np.ones_like(factor), None
        rates = self._run(base, settings)[1]
        one = replace(
            rates,
            ratio=rates.ratio[index : index + 1],
            mean_cohort=rates.mean_cohort[index : index + 1],
            birth=rates.birth[index : index + 1],
        )
        migrants = scenarios.migrants(chosen, base) if chosen.migration else None
        start = np.nan_to_num(self.data.values[index : index + 1, self.data.year_index(base)])
        result = model.run(
            start, one, end - base, scale=scale, birth_factor=1 + chosen.birth_pct / 100, migrants=migrants
        )
        return result.values[0] * factor[0][:, None]

    def project_all(
        self, base_year: int | None = None, to_year: int | None = None, scenario: str | None = None
    ) -> list[Projection]:
        """Every municipality with figures in the base year; a scenario impossible in one of them raises
        ProjectionError naming it («Træna (1835): Scenarioet flytter ut …»)."""
        base, _ = self.check_years(base_year, to_year)
        known = ~np.isnan(self.data.values[:, self.data.year_index(base)].sum(axis=1))
        results = []
        for code, name, ok in zip(self.data.codes, self.data.names, known, strict=True):
            if not ok:
                continue
            try:
                results.append(self.project(code, base_year, to_year, scenario))
            except ProjectionError as error:
                raise ProjectionError(f"{name} ({code}): {error}") from error
        return results
