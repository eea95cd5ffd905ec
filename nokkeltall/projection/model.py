"""The cohort method: one-year cohort change ratios and differences (CCR/CCD), child–adult ratios,
ratios shrunk toward a larger area, and the total constrained to a robust trend.

All municipalities are projected at once (arrays ``[municipality, age]``), so a backtest over every
municipality and base year takes well under a second.

The method, in the terms of the small-area literature (Hamilton & Perry 1962; Baker, Swanson & Tayman
2020; Wilson, Grossman, Alexander, Rees & Temple 2022):

* **Cohort change ratios** over a window of the last *L* years: persons aged *a*+1 on 1 January of
  year *t*+1 over persons aged *a* a year earlier, summed over the window. They hold mortality and net
  migration together; no separate death or migration figures are needed.
* **Shrinkage** toward a larger area: a municipality's ratio is ``(own numerator + k × area ratio) /
  (own denominator + k)``, a credibility weighting in which *k* person-years of the area's experience
  are added to the municipality's own. Five persons at an age in a 400-person municipality give a ratio of
  0.8 or 1.2 by chance; the area's ratio tames that.
* **CCR where cohorts shrink, CCD where they grow**: where the (shrunk) ratio is above 1 the gain is
  added as a number of persons (the ratio's gain times the window's mean cohort size) rather than as a
  factor, so in-migration does not compound exponentially; where it is at most 1 the ratio is used, so
  a cohort never goes below zero.
* **Births** from a child–adult ratio: children aged 0 on 1 January over persons aged 20–44 a year
  earlier (both sexes: the snapshot has single ages by sex only from 2020), shrunk the same way.
* **Constraint** of the total: the age structure can be scaled each year to a robust projection of the
  total (the average of constant, linear and geometric trend), or to the mean of that and the cohort
  total, or left alone. Which of these, and the window, *k* and the pooling area, is chosen by backtest
  (see ``selection``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nokkeltall.projection.data import N_AGES, OPEN_AGE, PopulationData
from nokkeltall.projection.trend import trend_average

ADULT_AGES = slice(20, 45)
MIN_HISTORY = 3  # years of ratios the method needs before a base year
SIZE_LIMITS = (1_000, 2_500, 10_000)  # size bands for pooling, selection and intervals


@dataclass(frozen=True)
class Settings:
    window: int  # years of cohort change behind the ratios
    prior_weight: float  # k, person-years of the pooled area's experience added to the municipality's own
    prior_area: str  # "county" or "size" (municipalities of the same size band in the whole country)
    total: str  # "constrained", "blend" or "cohort"

    @property
    def label(self) -> str:
        return f"{self.total}/{self.prior_area}/k{self.prior_weight:g}/w{self.window}"

    def description(self) -> str:
        """Norwegian, for the page: «rater fra de siste 10 årene, blandet med fylket (250 personår), …»."""
        area = "fylket" if self.prior_area == "county" else "kommuner av samme størrelse i hele landet"
        total = {
            "constrained": "totalen tilpasset trenden for folketallet",
            "blend": "totalen midt mellom kohortberegningen og trenden",
            "cohort": "totalen slik kohortberegningen gir den (uten trendtilpasning)",
        }[self.total]
        return (
            f"rater fra de siste {self.window} årene, blandet med {area} "
            f"({self.prior_weight:g} personår), {total}"
        )


# The candidates, in order of preference: on a tie, and when there is no backtest yet, the first wins.
# The first is the literature's recommendation (Wilson et al.: constrained CCR/CCD with borrowed ratios).
CANDIDATES: tuple[Settings, ...] = tuple(
    Settings(window, weight, area, total)
    for total in ("constrained", "blend", "cohort")
    for area in ("county", "size")
    for weight in (25.0, 250.0)
    for window in (5, 10)
)
DEFAULT = CANDIDATES[0]


@dataclass(frozen=True)
class Rates:
    ratio: np.ndarray  # [municipality, OPEN_AGE]: index j-1 moves persons into age j (open age: j = OPEN_AGE)
    mean_cohort: np.ndarray  # [municipality, OPEN_AGE]: the window's mean cohort size behind each ratio
    birth: np.ndarray  # [municipality]: children aged 0 per person aged 20–44 a year earlier


def size_band(population: np.ndarray) -> np.ndarray:
    """0 … len(SIZE_LIMITS) for each population (NaN counts as the smallest band)."""
    return np.searchsorted(np.asarray(SIZE_LIMITS), np.nan_to_num(population), side="right")


def _sources(current: np.ndarray) -> np.ndarray:
    """[…, OPEN_AGE]: the persons who move into ages 1 … OPEN_AGE a year later."""
    open_group = current[..., OPEN_AGE - 1] + current[..., OPEN_AGE]
    return np.concatenate([current[..., : OPEN_AGE - 1], open_group[..., None]], axis=-1)


def _window_sums(window: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sums over the years of a window ``[municipality, years, age]`` of numerators and denominators,
    counting only pairs of years where both are known."""
    current, following = window[:, :-1], window[:, 1:]
    known = ~np.isnan(current[..., 0]) & ~np.isnan(following[..., 0])
    current = np.where(known[..., None], current, 0.0)
    following = np.where(known[..., None], following, 0.0)
    numerator = following[..., 1:].sum(axis=1)
    denominator = _sources(current).sum(axis=1)
    births = following[..., 0].sum(axis=1)
    adults = current[..., ADULT_AGES].sum(axis=(1, 2))
    return numerator, denominator, births, adults, known.sum(axis=1)


def _pooled(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each municipality's group sum of ``values`` (first axis = municipality)."""
    sums = np.zeros((groups.max() + 1,) + values.shape[1:])
    np.add.at(sums, groups, values)
    return sums[groups]


def _shrunk(numerator, denominator, area_num, area_den, weight: float) -> np.ndarray:
    national = numerator.sum(axis=0) / np.where(denominator.sum(axis=0) > 0, denominator.sum(axis=0), np.nan)
    area = np.where(area_den > 0, area_num / np.where(area_den > 0, area_den, 1.0), national)
    area = np.nan_to_num(area, nan=1.0)
    return (numerator + weight * area) / (denominator + weight)


def pooling_groups(data: PopulationData, base_index: int, area: str) -> np.ndarray:
    if area == "county":
        _, groups = np.unique(np.asarray(data.counties), return_inverse=True)
        return groups
    return size_band(data.values[:, base_index].sum(axis=1))


def estimate_rates(data: PopulationData, base_year: int, settings: Settings) -> Rates:
    """Ratios from the ``settings.window`` years up to ``base_year`` (never later)."""
    base_index = data.year_index(base_year)
    start = max(0, base_index - settings.window)
    numerator, denominator, births, adults, years = _window_sums(data.values[:, start : base_index + 1])
    groups = pooling_groups(data, base_index, settings.prior_area)
    ratio = _shrunk(
        numerator,
        denominator,
        _pooled(numerator, groups),
        _pooled(denominator, groups),
        settings.prior_weight,
    )
    birth = _shrunk(
        births[:, None],
        adults[:, None],
        _pooled(births, groups)[:, None],
        _pooled(adults, groups)[:, None],
        settings.prior_weight,
    )[:, 0]
    mean_cohort = denominator / np.maximum(years, 1)[:, None]
    return Rates(ratio, mean_cohort, birth)


def step(population: np.ndarray, rates: Rates, birth_factor: float = 1.0) -> np.ndarray:
    """One year on: ``[municipality, age]`` on 1 January → a year later (before any constraint)."""
    sources = _sources(population)
    gain = np.maximum(rates.ratio - 1.0, 0.0) * rates.mean_cohort
    moved = np.where(rates.ratio <= 1.0, rates.ratio * sources, sources + gain)
    births = rates.birth * population[:, ADULT_AGES].sum(axis=1) * birth_factor
    return np.concatenate([births[:, None], moved], axis=1)


@dataclass(frozen=True)
class Path:
    values: np.ndarray  # [municipality, horizon + 1, age]; horizon 0 is the base year
    scale: np.ndarray  # [municipality, horizon + 1]: the constraint's factor each year (1 = none)


def run(
    start: np.ndarray,
    rates: Rates,
    horizon: int,
    targets: np.ndarray | None = None,
    scale: np.ndarray | None = None,
    birth_factor: float = 1.0,
    migrants=None,
) -> Path:
    """Project ``start`` ``horizon`` years. ``targets`` [municipality, horizon+1] scales each year's
    total to the target; ``scale`` reuses the factors of an earlier run (scenarios keep the main
    projection's constraint). ``migrants(year_offset, population)`` returns persons to add that year
    (after the constraint, before the next year's mortality)."""
    values = np.empty((start.shape[0], horizon + 1, N_AGES))
    factors = np.ones((start.shape[0], horizon + 1))
    values[:, 0] = start
    for h in range(1, horizon + 1):
        moved = step(values[:, h - 1], rates, birth_factor)
        if scale is not None:
            factors[:, h] = scale[:, h]
        elif targets is not None:
            total = moved.sum(axis=1)
            factors[:, h] = np.where(total > 0, targets[:, h] / np.where(total > 0, total, 1.0), 1.0)
        moved = moved * factors[:, h][:, None]
        if migrants is not None:
            moved = moved + migrants(h, moved)
        values[:, h] = moved
    return Path(values, factors)


def project(
    data: PopulationData,
    base_year: int,
    horizon: int,
    settings: Settings,
    *,
    rates: Rates | None = None,
    cohort: Path | None = None,
) -> Path:
    """The main projection of every municipality from ``base_year`` (data after it is never read).
    ``rates`` and the unconstrained ``cohort`` run may be passed in when already computed for the same
    base year, window, weight and area (backtests share them between the ways of treating the total)."""
    known = data.until(base_year)
    rates = rates if rates is not None else estimate_rates(known, base_year, settings)
    start = np.nan_to_num(known.values[:, -1])
    if settings.total == "cohort":
        return cohort if cohort is not None else run(start, rates, horizon)
    trend = trend_average(known.totals(), horizon)
    if settings.total == "blend":
        cohort = cohort if cohort is not None else run(start, rates, horizon)
        trend = 0.5 * (trend + cohort.values.sum(axis=2))
    return run(start, rates, horizon, targets=trend)
