"""Naive projections of a total: constant, linear and geometric trend over the last ten years, and their
average. They are the benchmark every cohort method must beat, and their average is the robust total the
cohort projection can be constrained to."""

from __future__ import annotations

import numpy as np

TREND_YEARS = 10
METHODS = ("constant", "linear", "geometric", "average")


def _anchor(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(last, earlier, years between): the base-year total and the earliest known total within the
    last ``TREND_YEARS`` years (the base year itself when nothing earlier is known)."""
    last = totals[:, -1]
    window = totals[:, -(TREND_YEARS + 1) :]
    known = ~np.isnan(window)
    first = np.argmax(known, axis=1)
    earlier = window[np.arange(len(window)), first]
    span = (window.shape[1] - 1 - first).astype(float)
    return last, np.where(np.isnan(earlier), last, earlier), span


def trends(totals: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
    """Each method's projection ``[municipality, horizon + 1]`` from ``totals`` [municipality, years]
    (the last column is the base year). Never negative."""
    last, earlier, span = _anchor(totals)
    steps = np.arange(horizon + 1)[None, :]
    span = np.where(span > 0, span, 1.0)[:, None]
    constant = np.repeat(last[:, None], horizon + 1, axis=1)
    slope = ((last - earlier)[:, None]) / span
    linear = np.maximum(last[:, None] + slope * steps, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(earlier > 0, last / np.where(earlier > 0, earlier, 1.0), 1.0)[:, None]
    geometric = last[:, None] * growth ** (steps / span)
    average = (constant + linear + geometric) / 3.0
    return {"constant": constant, "linear": linear, "geometric": geometric, "average": average}


def trend_average(totals: np.ndarray, horizon: int) -> np.ndarray:
    return trends(totals, horizon)["average"]
