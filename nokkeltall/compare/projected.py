"""The app's own population projection as a compare indicator: «Framskrevet folketall 2040» with the 80 %
interval, for the chosen municipalities and the small peers (``nokkeltall.projection``, not SSB's)."""

from __future__ import annotations

import math

import pandas as pd

from nokkeltall import indicators, provenance
from nokkeltall.indicators import Indicator
from nokkeltall.projection import ProjectionError, Projector
from nokkeltall.projection.figures import METHOD_NOTE, PROFILE_YEAR

YEAR = PROFILE_YEAR
PROJECTED = Indicator(
    f"projected_population_{YEAR}",
    "Framskrevet folketall",
    "personer",
    f"Nøkkeltalls egen framskriving av folketallet 1. januar {YEAR} (midtre anslag, 80 % intervall).",
    "07459",
    "projection",
    category="Befolkning",
)
UNAVAILABLE = (
    "Framskrevet folketall vises bare som stolper og rangering; linje- og indeksvisningen er ikke "
    "tilgjengelig for denne indikatoren."
)


def is_projected(indicator_id: str) -> bool:
    return indicator_id == PROJECTED.id


def lookup(indicator_id: str) -> Indicator:
    """The catalogue's indicator, or the projected one."""
    return PROJECTED if is_projected(indicator_id) else indicators.get(indicator_id)


def source(con) -> str:
    """«Kilde: nøkkeltalls egen framskriving. …, ikke SSBs. … Grunnlag: SSB, tabell …»."""
    basis = provenance.indicator_source(con, "population").removeprefix("Kilde: ")
    return f"Kilde: nøkkeltalls egen framskriving. {METHOD_NOTE} Grunnlag: {basis}"


def values(con, codes: list[str], year: int = YEAR) -> pd.DataFrame:
    """municipality_code, value, lower, upper (80 %) in ``year``; NaN where no projection can be made."""
    projector = Projector.from_connection(con)
    rows = []
    for code in codes:
        row = {"municipality_code": code, "value": math.nan, "lower": math.nan, "upper": math.nan}
        try:
            table = projector.project(code).table("total").set_index("year")
        except ProjectionError:
            table = None
        if table is not None and year in table.index:
            row.update({k: float(table.loc[year, k]) for k in ("value", "lower", "upper")})
        rows.append(row)
    return pd.DataFrame(rows, columns=["municipality_code", "value", "lower", "upper"])
