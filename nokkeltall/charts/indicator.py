"""One indicator over time for a municipality, with its county and the country where the catalogue
allows an aggregate."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from nokkeltall import indicators, queries, text
from nokkeltall.charts.population import _place
from nokkeltall.charts.style import (
    COUNTRY,
    COUNTRY_COLOUR,
    COUNTY_COLOUR,
    MUNICIPALITY_COLOUR,
    Chart,
    _flag,
    _line,
    _year_axis,
    format_table,
    level_sentence,
    style,
)
from nokkeltall.provenance import indicator_source, recalculated_note

# --- any indicator against county and country --------------------------------------------------

def indicator_chart(con, indicator_id: str, code: str, *, compare: bool = True) -> Chart | None:
    """A municipality's series with the county and the country (where every municipality has it)."""
    place = _place(con, code)
    if place is None:
        return None
    indicator = indicators.get(indicator_id)
    muni = queries.indicator_series(con, indicator_id, [code]).dropna(subset=["value"])
    if muni.empty:
        return None
    name, county_name = place["name"], place["county_name"]
    unit, decimals = indicator.unit, indicator.decimals
    county = queries.aggregate_series(con, indicator_id, place["county_code"]).dropna(subset=["value"]) \
        if compare else pd.DataFrame(columns=["year", "value"])
    country = queries.aggregate_series(con, indicator_id, None).dropna(subset=["value"]) \
        if compare else pd.DataFrame(columns=["year", "value"])
    start_year, end_year = int(muni["year"].min()), int(muni["year"].max())
    end = queries.value_in_year(muni, end_year)
    title = level_sentence(indicator.label, name, start_year, queries.value_in_year(muni, start_year),
                           end_year, end, unit, decimals)
    county_end = queries.value_in_year(county, end_year) if not county.empty else None
    country_end = queries.value_in_year(country, end_year) if not country.empty else None
    comparison = []
    if county_end is not None:
        comparison.append(f"{county_name} {text.formatted(county_end, unit, decimals)}")
    if country_end is not None:
        comparison.append(f"{COUNTRY} {text.formatted(country_end, unit, decimals)}")
    if comparison:
        title = title[:-1] + f" ({', '.join(comparison)})."
    hover_format = f",.{decimals}f"
    suffix = " %" if unit.startswith("%") else (" kr" if unit == "kr" else "")
    figure = go.Figure()
    # A count (births minus deaths, net migration) summed over a county is hundreds of times a small
    # municipality's: on one axis the municipality's line would lie flat on zero. The sums stay in the
    # finding and the table.
    plotted = (country, county) if not (indicator.kind == "level" and indicator.summable) else (
        pd.DataFrame(columns=["year", "value"]), pd.DataFrame(columns=["year", "value"]))
    if not plotted[0].empty:
        figure.add_trace(_line(country["year"], country["value"].astype(float), "Hele landet", COUNTRY_COLOUR,
                               width=2, dash="dot", hover=f"Hele landet: %{{y:{hover_format}}}{suffix}<extra></extra>"))
    if not plotted[1].empty:
        figure.add_trace(_line(county["year"], county["value"].astype(float), county_name, COUNTY_COLOUR, width=2,
                               dash="dash", hover=f"{county_name}: %{{y:{hover_format}}}{suffix}<extra></extra>"))
    figure.add_trace(_line(muni["year"], muni["value"].astype(float), name, MUNICIPALITY_COLOUR,
                           hover=f"{name}: %{{y:{hover_format}}}{suffix}<extra></extra>"))
    subtitle = f"{indicator.definition}"
    if comparison and plotted[1].empty and plotted[0].empty:
        subtitle += f" Summen for {county_name if county_end is not None else COUNTRY.lower()} står i tabellen."
    style(figure, title, subtitle=textwrap.shorten(subtitle, 160, placeholder=" …"),
          y_title=None, legend=len(figure.data) > 1)
    figure.update_yaxes(ticksuffix=suffix)
    _year_axis(figure)
    if end_year - start_year < 3:
        figure.update_xaxes(dtick=1)
    column = f"{name} ({unit})"
    table = pd.DataFrame({"År": muni["year"].astype(int), column: muni["value"].astype(float).round(max(decimals, 1))})
    for label, frame in ((county_name, county), ("Hele landet", country)):
        if not frame.empty:
            table = table.merge(
                frame[["year", "value"]].rename(columns={"year": "År", "value": f"{label} ({unit})"}), on="År",
                how="left")
            table[f"{label} ({unit})"] = table[f"{label} ({unit})"].astype(float).round(max(decimals, 1))
    table["Merknad"] = [_flag(v) for v in muni["recalculated"]]
    shown_decimals = {c: decimals for c in table.columns if c not in ("År", "Merknad")}  # «−3» persons, not «−3,0»
    return Chart(figure, table, title, indicator_source(con, indicator_id), f"{indicator_id}_{code}",
                 recalculated_note(muni, name),
                 values={"end_year": end_year, "end": end, "start_year": start_year,
                         "county_end": county_end, "country_end": country_end},
                 display=format_table(table, shown_decimals))
