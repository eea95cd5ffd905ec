"""The projection service: data, the backtests' choices and caches together. One ``Projector`` per
process; the choices are read from the snapshot (or, for other figures, computed once in some seconds and
kept, ``choices``), each candidate's rates and totals are computed once for every municipality, and one
municipality's projection then takes about a millisecond."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from nokkeltall import config, queries
from nokkeltall.projection import choices, model
from nokkeltall.projection import scenario as scenarios
from nokkeltall.projection.backtest import QUANTILES, Choice, Intervals
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
    def __init__(self, data: PopulationData, shipped: Path | None = None, folder: Path | None = None):
        """The backtests' choices (``choices``) are read from the file ``shipped`` with the snapshot, or
        from ``folder``, where newly computed ones are kept; neither given: computed, not kept."""
        self.data = data
        self.shipped, self.folder = shipped, folder
        self._cache: dict = {}

    @classmethod
    def from_connection(cls, con) -> Projector:
        """One projector per database build, shared by everyone in the process (CLI, pages)."""
        key = queries.build_fingerprint(con)
        if key not in _SHARED:
            _SHARED.clear()
            shipped, folder = config.snapshot_dir() / choices.FILE_NAME, config.cache_dir() / "projection"
            _SHARED[key] = cls(from_connection(con), shipped, folder)
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
        if base_year not in self._decided:
            decided = self._decide()
            kept = self._kept_file()
            if kept is not None:
                choices.write(kept, self._fingerprint, decided)
            self._decided.update(decided)
        return self._decided[base_year]

    @cached_property
    def _fingerprint(self) -> choices.Fingerprint:
        return choices.fingerprint(self.data)

    def _kept_file(self) -> Path | None:
        return None if self.folder is None else self.folder / f"choices-{self._fingerprint.key[:16]}.json"

    @cached_property
    def _decided(self) -> choices.Decided:
        """The kept choices for these figures and this method (empty when none is kept)."""
        for path in (self.shipped, self._kept_file()):
            decided = None if path is None else choices.read(path, self._fingerprint)
            if decided is not None:
                return decided
        return {}

    def _decide(self) -> choices.Decided:
        """Run the backtests for every base year a projection may start from."""
        base_years = list(range(self.data.first_year + MIN_BASE_HISTORY, self.data.last_year + 1))
        return choices.compute(self.data, base_years)

    def keep_choices(self, path: Path) -> bool:
        """Compute the choices for every base year and write them to ``path`` (the snapshot's file)."""
        decided = self._decide()
        self._decided.update(decided)
        return choices.write(path, self._fingerprint, decided)

    def _rates(self, base_year: int, settings: model.Settings) -> model.Rates:
        """One candidate's rates for every municipality (cached: the pooling reads them all)."""
        key = ("rates", base_year, settings)
        if key not in self._cache:
            self._cache[key] = model.estimate_rates(self.data.until(base_year), base_year, settings)
        return self._cache[key]

    def _path(self, index: int, base_year: int, settings: model.Settings) -> model.Path:
        """One municipality's projection with one candidate, to LATEST_END. Not cached: it takes a
        millisecond, and every municipality's path was 9 MB of the server's memory per candidate."""
        one = self.data.until(base_year).select(index)
        rates = self._rates(base_year, settings).select(index)
        return model.project(one, base_year, LATEST_END - base_year, settings, rates=rates)

    def _total(self, base_year: int, settings: model.Settings) -> np.ndarray:
        """[municipality, year] totals of one candidate (cached; the paths by age are not kept)."""
        key = ("total", base_year, settings)
        if key not in self._cache:
            known, rates = self.data.until(base_year), self._rates(base_year, settings)
            path = model.project(known, base_year, LATEST_END - base_year, settings, rates=rates)
            self._cache[key] = path.values.sum(axis=2)
        return self._cache[key]

    def _factor(self, base_year: int, choice: Choice) -> np.ndarray:
        """[municipality, year] scaling of the age candidate's path to the total candidate's total: the
        main projection is ``path × factor``, worked out for one municipality at a time (a scaled copy
        of every municipality's path was 9 MB of the server's memory)."""
        key = ("factor", base_year, choice)
        if key not in self._cache:
            own = self._total(base_year, choice.ages)
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
        path = self._path(index, base, choice.ages)
        main = path.values[0, :steps] * self._factor(base, choice)[index, :steps, None]
        values = main if chosen.is_main else self._scenario(index, base, end, choice, chosen, path.scale)
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

    def main_total(self, code: str, base_year: int | None = None, to_year: int | None = None) -> pd.Series:
        """year → the main projection's total for one municipality, without its path by age: what a sum
        over many municipalities needs (running every path kept some 9 MB per candidate in memory)."""
        base, end = self.check_years(base_year, to_year)
        index = self.data.index(code)
        choice, _ = self.choice_for(index, base)
        steps = end - base + 1
        total = self._total(base, choice.ages)[index, :steps] * self._factor(base, choice)[index, :steps]
        return pd.Series(total, index=list(range(base, end + 1)), name="total")

    def _scenario(
        self,
        index: int,
        base: int,
        end: int,
        choice: Choice,
        chosen: scenarios.Scenario,
        main_scale: np.ndarray,
    ) -> np.ndarray:
        """The scenario run: the main projection's ratios and scaling (``main_scale``, its path's), plus
        the changes; «som siste 5/10 år» is the age candidate's ratios over that window, unconstrained."""
        settings = choice.ages
        factor = self._factor(base, choice)[index : index + 1, : end - base + 1]
        scale: np.ndarray | None = main_scale
        if chosen.history:
            settings = replace(settings, window=chosen.history, total="cohort")
            factor, scale = np.ones_like(factor), None
        one = self._rates(base, settings).select(index)
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
