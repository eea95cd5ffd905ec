"""The backtest table: projections from base years 2010, 2013, 2015, 2018 and 2020 against what happened
5 and 10 years later, beside the naive baselines, for the network's small municipalities and for all.

Each projection from base year B is made exactly as a user would make it with the data up to B (settings
chosen and intervals built from backtests ending by B), then compared with the outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nokkeltall.projection import trend
from nokkeltall.projection.groups import group_slice
from nokkeltall.projection.projector import Projector

BASE_YEARS = (2010, 2013, 2015, 2018, 2020)
HORIZONS = (5, 10)
AGE_HORIZON = 10


def _ape(projected: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    """(MAPE, MALPE) in per cent over the finite pairs."""
    keep = np.isfinite(projected) & np.isfinite(actual) & (actual > 0)
    error = (projected[keep] - actual[keep]) / actual[keep] * 100
    return float(np.abs(error).mean()), float(error.mean())


def _rows(projector: Projector, codes: list[str], base: int, horizon: int) -> dict:
    data = projector.data
    index = [data.index(c) for c in codes]
    end = base + horizon
    projections = [projector.project(c, base, max(end, base + 1)) for c in codes]
    actual_ages = data.values[index, data.year_index(end)]
    known = data.until(base).totals()[index]
    row: dict = {"base_year": base, "horizon": horizon, "municipalities": len(codes)}
    for group in ("total", "67+", "80+"):
        actual = actual_ages[:, group_slice(group)].sum(axis=1)
        table = [p.row(end, group) for p in projections]
        value = np.array([t["value"] for t in table])
        row[f"{group}_mape"], row[f"{group}_malpe"] = _ape(value, actual)
        inside = [
            (t["lower"] <= a <= t["upper"], t["lower50"] <= a <= t["upper50"])
            for t, a in zip(table, actual, strict=True)
            if np.isfinite(a)
        ]
        row[f"{group}_cover80"] = 100 * np.mean([i[0] for i in inside])
        row[f"{group}_cover50"] = 100 * np.mean([i[1] for i in inside])
        if group == "total":
            for method, path in trend.trends(known, horizon).items():
                row[f"{method}_mape"], row[f"{method}_malpe"] = _ape(path[:, horizon], actual)
        else:
            start = data.values[index, data.year_index(base)]
            count = start[:, group_slice(group)].sum(axis=1)
            share = count / start.sum(axis=1)
            total = np.array([p.row(end)["value"] for p in projections])
            row[f"{group}_constant_mape"] = _ape(count, actual)[0]
            row[f"{group}_share_mape"] = _ape(share * total, actual)[0]
    row["settings"] = " ".join(sorted({p.choice.label for p in projections}))
    return row


def small_municipalities(projector: Projector, counties=("18", "50"), limit: int = 2500) -> list[str]:
    data = projector.data
    last = data.values[:, -1].sum(axis=1)
    return [
        c
        for c, county, n in zip(data.codes, data.counties, last, strict=True)
        if county in counties and n < limit
    ]


def table(projector: Projector) -> pd.DataFrame:
    """One row per scope, base year and horizon where the outcome is known."""
    scopes = {"små": small_municipalities(projector), "alle": list(projector.data.codes)}
    rows = []
    for scope, codes in scopes.items():
        for base in BASE_YEARS:
            usable = [
                c
                for c in codes
                if np.isfinite(
                    projector.data.values[projector.data.index(c), projector.data.year_index(base)].sum()
                )
            ]
            for horizon in HORIZONS:
                if base + horizon <= projector.data.last_year:
                    rows.append({"scope": scope, **_rows(projector, usable, base, horizon)})
    return pd.DataFrame(rows)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Means over base years per scope and horizon (the goal's figures)."""
    numeric = frame.drop(columns=["settings", "base_year"]).groupby(["scope", "horizon"], sort=False).mean()
    return numeric.reset_index()
