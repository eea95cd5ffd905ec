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
* **Longer lives** (optional, ``Settings.survival_trend``): from age ``TREND_AGE`` the share lost from a
  cohort in a year (deaths and net out-migration) is taken to keep falling as it fell in the whole country
  over the last ``SURVIVAL_YEARS`` years (one log-linear rate for all these ages, from the national
  ratios), counted from the middle of the ratio window. Without it the oldest are projected too few: the
  ratios of the last years lag behind a rising life expectancy.
* **Constraint** of the total: the age structure can be scaled each year to a robust projection of the
  total (the average of constant, linear and geometric trend), or left alone. The main projection always
  takes its total from that trend average; the window, *k*, the pooling area and the survival trend of
  the age structure are chosen by backtest (see ``backtest``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nokkeltall.projection.data import N_AGES, OPEN_AGE, PopulationData
from nokkeltall.projection.trend import trend_average

ADULT_AGES = slice(20, 45)
MIN_HISTORY = 3  # years of ratios the method needs before a base year
SIZE_LIMITS = (1_000, 2_500, 10_000)  # size bands for pooling, selection and intervals
TREND_AGE = 60  # the survival trend applies from this age
SURVIVAL_YEARS = 10  # year pairs behind the national survival trend
MAX_SURVIVAL_TREND = 0.05  # |yearly change| of the log share lost, at most


@dataclass(frozen=True)
class Settings:
    window: int  # years of cohort change behind the ratios
    prior_weight: float  # k, person-years of the pooled area's experience added to the municipality's own
    prior_area: str  # "county" or "size" (municipalities of the same size band in the whole country)
    total: str  # "constrained", "blend" or "cohort"
    survival_trend: bool = False  # the oldest's yearly losses keep falling as in the whole country

    @property
    def label(self) -> str:
        trend = "/levealder" if self.survival_trend else ""
        return f"{self.total}/{self.prior_area}/k{self.prior_weight:g}/w{self.window}{trend}"

    def description(self, total: bool = True, ages: bool = True) -> str:
        """Norwegian, for the page: «rater fra de siste 10 årene, blandet med fylket (250 personår), …»;
        ``total``/``ages`` False leaves out the total's or the age structure's part."""
        area = "fylket" if self.prior_area == "county" else "kommuner av samme størrelse i hele landet"
        total_part = {
            "constrained": "totalen tilpasset trenden for folketallet (snittet av konstant, lineær og "
            "geometrisk trend de siste 10 årene)",
            "blend": "totalen midt mellom kohortberegningen og trenden",
            "cohort": "totalen slik kohortberegningen gir den (uten trendtilpasning)",
        }[self.total]
        survival = ", med økende levealder over 60 år videreført som i hele landet"
        survival = survival if self.survival_trend else ""
        ages_part = (
            f"rater fra de siste {self.window} årene, blandet med {area} "
            f"({self.prior_weight:g} personår){survival}"
        )
        return ", ".join(part for part, keep in ((ages_part, ages), (total_part, total)) if keep)


# The candidates, in order of preference: on a tie, and when there is no backtest yet, the first wins.
# The first is the literature's recommendation (Wilson et al.: constrained CCR/CCD with borrowed ratios).
CANDIDATES: tuple[Settings, ...] = tuple(
    Settings(window, weight, area, total, survival)
    for survival in (False, True)
    for total in ("constrained", "cohort")
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
    survival_trend: float = 0.0  # yearly change of the log share lost from ages TREND_AGE and up
    elapsed: float = 0.0  # years from the middle of the ratio window to the base year's first step

    def select(self, index: int) -> Rates:
        """One municipality's rates alone."""
        rows = slice(index, index + 1)
        return replace(
            self, ratio=self.ratio[rows], mean_cohort=self.mean_cohort[rows], birth=self.birth[rows]
        )

    def at(self, h: int) -> np.ndarray:
        """The ratios of step ``h`` (1 = base year → next): with the survival trend, the share lost from
        age ``TREND_AGE`` where cohorts shrink falls by ``exp(trend × years since the window's middle)``."""
        if self.survival_trend == 0.0:
            return self.ratio
        old = (np.arange(1, OPEN_AGE + 1) >= TREND_AGE) & (self.ratio < 1.0)
        lost = (1.0 - self.ratio) * np.exp(self.survival_trend * (self.elapsed + h - 1))
        return np.where(old, 1.0 - np.minimum(lost, 1.0), self.ratio)


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
    if not settings.survival_trend:
        return Rates(ratio, mean_cohort, birth)
    pairs = base_index - start
    trend = survival_trend(data.values[:, max(0, base_index - SURVIVAL_YEARS) : base_index + 1])
    return Rates(ratio, mean_cohort, birth, trend, (pairs + 1) / 2)


def survival_trend(window: np.ndarray) -> float:
    """The yearly change of log(share lost) from age ``TREND_AGE``, in the whole country, over a window
    ``[municipality, years, age]``: a least-squares slope per age, averaged with the losses as weights.
    Ages where nobody (net) is lost in some year are left out; 0 with fewer than three year pairs."""
    current, following = window[:, :-1], window[:, 1:]
    known = ~np.isnan(current[..., 0]) & ~np.isnan(following[..., 0])
    if known.any(axis=0).sum() < 3:
        return 0.0
    pairs = known.all(axis=1)  # the municipalities known in every year of the window
    ages = slice(TREND_AGE - 1, OPEN_AGE)
    sources = _sources(np.nan_to_num(current[pairs])).sum(axis=0)[:, ages]
    lost = sources - np.nan_to_num(following[pairs]).sum(axis=0)[:, 1:][:, ages]
    usable = (lost > 0).all(axis=0) & (sources > 0).all(axis=0)
    if not usable.any():
        return 0.0
    log_share = np.log(lost[:, usable] / sources[:, usable])
    years = np.arange(log_share.shape[0]) - (log_share.shape[0] - 1) / 2
    slopes = years @ (log_share - log_share.mean(axis=0)) / (years @ years)
    slope = float(np.average(slopes, weights=lost[:, usable].mean(axis=0)))
    return float(np.clip(slope, -MAX_SURVIVAL_TREND, MAX_SURVIVAL_TREND))


def step(population: np.ndarray, rates: Rates, birth_factor: float = 1.0, h: int = 1) -> np.ndarray:
    """One year on (step ``h``): ``[municipality, age]`` on 1 January → a year later (before any
    constraint)."""
    sources = _sources(population)
    ratio = rates.at(h)
    gain = np.maximum(ratio - 1.0, 0.0) * rates.mean_cohort
    moved = np.where(ratio <= 1.0, ratio * sources, sources + gain)
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
        moved = step(values[:, h - 1], rates, birth_factor, h)
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
