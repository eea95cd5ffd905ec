"""SSB's own projection for one municipality (table 14288, three alternatives) beside ours.

The shipped snapshot holds 14288 for the counties only; the municipal figures arrive with an online
refresh («Oppdater fra SSB», ``nokkeltall refresh``). Until then ``ssb_series`` is empty and the page and
the fact base say so (``NOT_FETCHED``)."""

from __future__ import annotations

import pandas as pd

from nokkeltall import provenance, queries
from nokkeltall.projection.counties import SSB_ALTERNATIVES, side_by_side
from nokkeltall.projection.projector import Projection

NOT_FETCHED = (
    "SSBs egen framskriving for hver kommune (tabell 14288) er ikke hentet ennå: det medfølgende "
    "datagrunnlaget har den bare for fylkene. Den vises her ved siden av nøkkeltalls framskriving etter "
    "«Oppdater fra SSB» på siden «Om data», når maskinen er på nett."
)


def ssb_series(con, code: str) -> pd.DataFrame:
    """year → ssb_low, ssb_main, ssb_high (columns only for the alternatives SSB gives); empty when the
    municipal projection has not been fetched."""
    rows = queries.municipal_projections(con, code)
    if rows.empty:
        return pd.DataFrame()
    wide = rows.pivot_table(index="year", columns="measure", values="value").rename(columns=SSB_ALTERNATIVES)
    columns = [c for c in SSB_ALTERNATIVES.values() if c in wide]
    return wide.loc[:, columns].sort_index()


def source(con, code: str) -> str:
    """«Kilde: SSB, tabell 14288 (befolkningsframskrivinger), oppdatert …»."""
    return provenance.source_text(queries.municipal_projection_sources(con, code))


def comparison(result: Projection, ssb: pd.DataFrame, years=(2030, 2035, 2040, 2050)) -> pd.DataFrame:
    """year, ours, ssb_low, ssb_main, ssb_high, difference_pct (ours against SSB's main alternative);
    NaN where either has no figure for the year."""
    return side_by_side(result.series("total", main=True), ssb, years)
