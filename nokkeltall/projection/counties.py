"""The sum of our municipal projections for a county beside SSB's own county projection (table 14288,
three alternatives: low, main and high national growth). SSB projects each county as a whole with
fertility, mortality and migration assumptions; the two are independent, so their difference says how
far the municipalities' recent trends point from SSB's assumptions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nokkeltall import queries
from nokkeltall.projection.projector import Projector

SSB_ALTERNATIVES = {
    "projected_population_llml": "ssb_low",
    "projected_population_mmmm": "ssb_main",
    "projected_population_hhmh": "ssb_high",
}


def county_sum(projector: Projector, county_code: str, to_year: int = 2050) -> pd.Series:
    """year → the sum of the main projections of the county's municipalities (from the latest year).
    Empty when any municipality of the county lacks its latest population: a sum with a missing part
    is missing, not the sum of the rest."""
    data = projector.data
    codes = [c for c, county in zip(data.codes, data.counties, strict=True) if county == county_code]
    if not codes or not all(np.isfinite(data.values[data.index(c), -1].sum()) for c in codes):
        return pd.Series(dtype=float)
    series = [projector.main_total(code, to_year=to_year) for code in codes]
    return pd.concat(series, axis=1).sum(axis=1)


def comparison(con, projector: Projector, county_code: str, years=(2030, 2035, 2040, 2050)) -> pd.DataFrame:
    """year, ours, ssb_low, ssb_main, ssb_high, difference_pct (ours against SSB's main alternative)."""
    ours = county_sum(projector, county_code)
    ssb = queries.county_projections(con, county_code)
    ssb = ssb.pivot_table(index="year", columns="measure", values="value").rename(columns=SSB_ALTERNATIVES)
    return side_by_side(ours, ssb, years)


def side_by_side(ours: pd.Series, ssb: pd.DataFrame, years) -> pd.DataFrame:
    """year, ours, ssb_low, ssb_main, ssb_high, difference_pct (ours against SSB's main alternative)
    from year → our value and SSB's alternatives by year; NaN where either has no figure."""
    frame = pd.DataFrame({"year": list(years)})
    frame["ours"] = [float(ours.get(y, np.nan)) for y in years]
    for column in SSB_ALTERNATIVES.values():
        frame[column] = [float(ssb[column].get(y, np.nan)) if column in ssb else np.nan for y in years]
    frame["difference_pct"] = (frame["ours"] / frame["ssb_main"] - 1) * 100
    return frame
