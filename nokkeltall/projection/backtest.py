"""Backtests of every candidate setting from every possible base year, the rule that chooses the
settings, and prediction intervals from the errors.

Everything for a projection from base year B is taken from backtests whose target year is at most B:
the choice of settings, and the error distribution behind the intervals. So a projection from B is the
same whether or not the data after B exist (``tests/test_projection.py`` checks it).

**The total** is always the robust trend total: the average of constant, linear and geometric trend over
the last ten years (``trend``), which the age structure is scaled to each year (Wilson et al. 2022:
cohort ratios constrained to a robust total). It is not chosen by backtest: the rules that chose the
total by its error in earlier years picked the unconstrained cohort total, which had hit best in the
years of high immigration before 2015 and missed afterwards; a bias correction of the trend total from
earlier backtests failed the same way (the bias changed sign). The README has the numbers.

**The rule for choosing the age structure** (the same for every base year): for each size band of
municipalities (``model.SIZE_LIMITS``, by population in the backtest's base year), take every backtest
with horizon 1–10 years whose target year is at most B; for each candidate, scale its age groups to the
trend total and average the absolute percentage error of those aged 0–19, 20–66, 67+ and 80+ (equal
weight), first within each horizon and then over the horizons (so the many short horizons do not
outweigh the few long ones). The candidate with the lowest average wins; on a tie, or with no backtest
at all, the first candidate in ``model.CANDIDATES``. (The first rule, in force until the second
benchmark, averaged the errors of the total, 67+ and 80+ over the candidates' own totals.)

**The intervals** (after Tayman, Smith & Lin 2007: empirical errors by horizon and size): the log errors
``e = log((actual + ½) / (projected + ½))`` of the chosen projection, in the municipality's size band and
for each interval group, over all usable backtests. Errors grow less than linearly with the horizon
(about as ``h^p`` with *p* between ½ and 1), so *p* is fitted per band and group to the spread of the
errors at each horizon (least squares on the logarithms; clipped to 0–1.5; 1 with fewer than two
horizons). The errors divided by ``h^p`` are then pooled over the horizons, and the 80 % and 50 %
quantiles of their absolute distance from their median give the half-widths: the interval at horizon
*h* is ``projected × exp(± half-width × h^p)``. The interval is centred on the projection: the median
error of earlier years (the bias) moves neither its centre nor its width, since the bias of the total
changed sign between the periods. A band with fewer than ``MIN_ERRORS`` errors uses all bands; a horizon
with fewer than ``MIN_ERRORS`` errors is left out of the fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from nokkeltall.projection import model
from nokkeltall.projection.data import PopulationData
from nokkeltall.projection.groups import INTERVAL_GROUPS, group_sums

SELECTION_HORIZON = 10
AGE_SELECTION_GROUPS = ("0-19", "20-66", "67+", "80+")
TOTAL = model.DEFAULT  # constrained: every constrained candidate has the trend total
MIN_ERRORS = 20
QUANTILES = (0.10, 0.25, 0.75, 0.90)
LEVELS = (0.5, 0.8)  # the intervals' coverage; their half-widths are kept in this order
EXPONENT_LIMITS = (0.0, 1.5)
N_BANDS = len(model.SIZE_LIMITS) + 1


@dataclass(frozen=True)
class Choice:
    """The candidate that gives the total and the one that gives the age structure."""

    total: model.Settings
    ages: model.Settings

    @property
    def label(self) -> str:
        if self.total == self.ages:
            return self.total.label
        return f"total={self.total.label} ages={self.ages.label}"

    def description(self) -> str:
        """Norwegian: the age structure's settings (chosen), then the total's (the same everywhere)."""
        total = self.total.description(ages=False)
        return f"{self.ages.description(total=False)}; i alle kommuner er {total}"


@dataclass(frozen=True)
class Intervals:
    """For one base year: half-widths of the log interval ``[band, group, LEVELS]`` at horizon 1, and the
    exponent ``[band, group]`` by which they grow with the horizon."""

    half_widths: np.ndarray
    exponent: np.ndarray

    def for_band(self, band: int, horizon: int) -> np.ndarray:
        """[horizon + 1, group, QUANTILES] log bounds for one band (0 at horizon 0)."""
        steps = np.arange(horizon + 1, dtype=float)[:, None] ** self.exponent[band][None, :]
        steps[0] = 0.0
        half50, half80 = (self.half_widths[band, :, i] * steps for i in range(len(LEVELS)))
        return np.stack([-half80, -half50, half50, half80], axis=-1)


class Backtest:
    """Projections of all municipalities from every base year with every candidate, against the outcome."""

    def __init__(
        self,
        data: PopulationData,
        candidates: tuple[model.Settings, ...] = model.CANDIDATES,
    ):
        self.data = data
        self.candidates = candidates
        first = data.first_year + model.MIN_HISTORY
        self.pairs = [(b, h) for b in range(first, data.last_year) for h in range(1, data.last_year - b + 1)]
        self.base = np.array([b for b, _ in self.pairs])
        self.horizon = np.array([h for _, h in self.pairs])
        self._age_errors: dict[int, np.ndarray] = {}

    @cached_property
    def actual(self) -> np.ndarray:
        """[pair, municipality, group] outcome (NaN where unknown)."""
        targets = [self.data.year_index(b + h) for b, h in self.pairs]
        return group_sums(self.data.values[:, targets].transpose(1, 0, 2))

    @cached_property
    def band(self) -> np.ndarray:
        """[pair, municipality] size band in the pair's base year (-1 where the base year is unknown)."""
        bases = [self.data.year_index(b) for b in self.base]
        totals = self.data.values[:, bases].sum(axis=2).T
        return np.where(np.isnan(totals), -1, model.size_band(totals))

    @cached_property
    def projected(self) -> np.ndarray:
        """[candidate, pair, municipality, group]."""
        out = np.full(
            (len(self.candidates), len(self.pairs), len(self.data.codes), len(INTERVAL_GROUPS)),
            np.nan,
            dtype=np.float32,
        )
        for b in sorted(set(self.base)):
            rows = np.flatnonzero(self.base == b)
            for c, sums in enumerate(self._from_base(int(b))):
                out[c, rows] = sums[:, self.horizon[rows]].transpose(1, 0, 2)
        return out

    def _from_base(self, base: int) -> list[np.ndarray]:
        """Each candidate's group sums [municipality, horizon + 1, group] from one base year; the ratios
        and the unconstrained run are shared by candidates that differ only in the total's treatment."""
        known = self.data.until(base)
        horizon = self.data.last_year - base
        sharing: dict[tuple, list[int]] = {}  # one unconstrained run (~10 MB) alive at a time, not 16
        for index, settings in enumerate(self.candidates):
            key = (settings.window, settings.prior_weight, settings.prior_area, settings.survival_trend)
            sharing.setdefault(key, []).append(index)
        out: list[np.ndarray] = [np.empty(0)] * len(self.candidates)
        for indices in sharing.values():
            rates = model.estimate_rates(known, base, self.candidates[indices[0]])
            cohort = model.run(np.nan_to_num(known.values[:, -1]), rates, horizon)
            for index in indices:
                settings = self.candidates[index]
                path = model.project(known, base, horizon, settings, rates=rates, cohort=cohort)
                out[index] = group_sums(path.values)
        return out

    def combined(self, total: int, ages: int | slice) -> np.ndarray:
        """[(candidate,) pair, municipality, group]: the ``ages`` candidates scaled to ``total``'s total."""
        projected = self.projected[ages]
        own = projected[..., 0]
        factor = np.where(own > 0, self.projected[total][..., 0] / np.where(own > 0, own, 1.0), 1.0)
        return projected * factor[..., None]

    def _ape(self, projected: np.ndarray, groups: tuple[str, ...]) -> np.ndarray:
        """[…, pair, municipality]: mean absolute percentage error over ``groups``."""
        columns = [INTERVAL_GROUPS.index(g) for g in groups]
        actual = self.actual[..., columns]
        with np.errstate(divide="ignore", invalid="ignore"):
            ape = np.abs(projected[..., columns] - actual) / actual
        finite = np.isfinite(ape)
        count = finite.sum(axis=-1)
        mean = np.where(finite, ape, 0.0).sum(axis=-1) / np.maximum(count, 1)
        return np.where((self.band >= 0) & (count > 0), mean, np.nan)

    def age_error(self, total: int) -> np.ndarray:
        """[candidate, pair, municipality]: the age groups' error with the total from ``total``."""
        if total not in self._age_errors:  # one candidate at a time: all at once peaked at ~300 MB
            self._age_errors[total] = np.stack(
                [
                    self._ape(self.combined(total, c), AGE_SELECTION_GROUPS)
                    for c in range(len(self.candidates))
                ]
            )
        return self._age_errors[total]

    def log_error(self, choice: Choice) -> np.ndarray:
        """[pair, municipality, group]; NaN where the base year or outcome is unknown."""
        projected = self.combined(self.candidates.index(choice.total), self.candidates.index(choice.ages))
        error = np.log((self.actual + 0.5) / (projected + 0.5))
        return np.where((self.band >= 0)[..., None], error, np.nan)

    def usable(self, base_year: int) -> np.ndarray:
        """[pair] backtests whose target year is at most ``base_year``."""
        return self.base + self.horizon <= base_year

    def choose(self, base_year: int) -> list[Choice]:
        """The rule above: the trend total, and the age structure chosen for each size band."""
        pairs = self.usable(base_year) & (self.horizon <= SELECTION_HORIZON)
        total = self.candidates.index(TOTAL)
        errors = self.age_error(total)[:, pairs]
        return [
            Choice(self.candidates[total], self.candidates[self._best(errors, pairs, band)])
            for band in range(N_BANDS)
        ]

    def _best(self, errors: np.ndarray, pairs: np.ndarray, band: int) -> int:
        """The candidate with the lowest score; ``errors`` [candidate, usable pair, municipality]."""
        scores = [self._score(errors[c], pairs, band) for c in range(len(self.candidates))]
        finite = [s if np.isfinite(s) else np.inf for s in scores]
        return int(np.argmin(finite)) if np.isfinite(min(finite)) else 0

    def _score(self, errors: np.ndarray, pairs: np.ndarray, band: int) -> float:
        horizon, bands = self.horizon[pairs], self.band[pairs]
        per_horizon = []
        for h in np.unique(horizon):
            chosen = errors[horizon == h][bands[horizon == h] == band]
            if np.isfinite(chosen).any():
                per_horizon.append(np.nanmean(chosen))
        return float(np.mean(per_horizon)) if per_horizon else np.nan

    def intervals(self, base_year: int, chosen: list[Choice]) -> Intervals:
        """The rule above, from the backtests usable in ``base_year``."""
        usable = self.usable(base_year)
        half_widths = np.zeros((N_BANDS, len(INTERVAL_GROUPS), len(LEVELS)))
        exponent = np.ones((N_BANDS, len(INTERVAL_GROUPS)))
        horizon = self.horizon[usable]
        for band, choice in enumerate(chosen):
            errors = self.log_error(choice)[usable]
            in_band = self.band[usable] == band
            for g in range(len(INTERVAL_GROUPS)):
                half_widths[band, g], exponent[band, g] = _spread(errors[..., g], in_band, horizon)
        return Intervals(half_widths, exponent)


def _spread(errors: np.ndarray, in_band: np.ndarray, horizon: np.ndarray) -> tuple[np.ndarray, float]:
    """(half-widths at LEVELS, exponent) from errors [pair, municipality] with each pair's horizon;
    all bands when the band has fewer than MIN_ERRORS errors."""
    steps = np.broadcast_to(horizon[:, None], errors.shape)
    chosen, chosen_steps = errors[in_band], steps[in_band]
    if np.isfinite(chosen).sum() < MIN_ERRORS:
        chosen, chosen_steps = errors, steps
    known = np.isfinite(chosen)
    chosen, chosen_steps = chosen[known], chosen_steps[known]
    if chosen.size == 0:
        return np.zeros(len(LEVELS)), 1.0
    p = growth_exponent(chosen, chosen_steps)
    scaled = chosen / chosen_steps.astype(float) ** p
    return np.quantile(np.abs(scaled - np.median(scaled)), LEVELS), p


def growth_exponent(errors: np.ndarray, steps: np.ndarray) -> float:
    """*p* in ``spread(h) ∝ h^p``: least squares on the logarithms of the 80 % quantile of the errors'
    absolute distance from their median at each horizon with at least MIN_ERRORS errors (1 with fewer
    than two such horizons), clipped to EXPONENT_LIMITS."""
    horizons, spreads = [], []
    for h in np.unique(steps):
        at = errors[steps == h]
        spread = np.quantile(np.abs(at - np.median(at)), LEVELS[-1]) if at.size >= MIN_ERRORS else 0.0
        if spread > 0:
            horizons.append(h)
            spreads.append(spread)
    if len(horizons) < 2:
        return 1.0
    slope = np.polyfit(np.log(horizons), np.log(spreads), 1)[0]
    return float(np.clip(slope, *EXPONENT_LIMITS))
