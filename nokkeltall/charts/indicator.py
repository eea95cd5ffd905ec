"""One indicator over time for a municipality, with its county and the country where the catalogue
allows an aggregate."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from nokkeltall import indicators, queries, tables, text
from nokkeltall.charts import titles
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
    style,
)
from nokkeltall.provenance import indicator_source, recalculated_note

# --- any indicator against county and country --------------------------------------------------


def indicator_chart(con, indicator_id: str, code: str, *, compare: bool = True) -> Chart | None:
    """A municipality's series with the county and the country (where every municipality has it).

    Titles follow ``charts.titles``: a yearly flow is summed over periods, and the chart shows exactly
    those years; a level is described from the chart's first to its last year.
    """
    place = _place(con, code)
    if place is None:
        return None
    indicator = indicators.get(indicator_id)
    muni = queries.indicator_series(con, indicator_id, [code]).dropna(subset=["value"]).sort_values("year")
    if muni.empty:
        return None
    name = place["name"]
    empty = pd.DataFrame(columns=["year", "value"])
    county = (
        queries.aggregate_series(con, indicator_id, place["county_code"]).dropna(subset=["value"])
        if compare
        else empty
    )
    country = queries.aggregate_series(con, indicator_id, None).dropna(subset=["value"]) if compare else empty
    if indicator_id in titles.FLOWS:
        title, subtitle, (start_year, end_year) = titles.flow_title(
            indicator.label,
            name,
            dict(zip(muni["year"].astype(int), muni["value"].astype(float), strict=True)),
        )
    else:
        start_year, end_year = int(muni["year"].min()), int(muni["year"].max())
        title = titles.level_title(
            indicator.label,
            name,
            start_year,
            queries.value_in_year(muni, start_year),
            end_year,
            queries.value_in_year(muni, end_year),
            indicator.unit,
            indicator.decimals,
            muni["value"].astype(float).tolist(),
        )
        subtitle = None

    def window(frame):  # the title's period is the chart's period
        return frame[(frame["year"] >= start_year) & (frame["year"] <= end_year)]

    muni, county, country = window(muni), window(county), window(country)
    return _chart(con, indicator, place, muni, county, country, title, subtitle)


def _comparison(indicator, place: dict, end_year: int, county, country) -> list[str]:
    unit, decimals = indicator.unit, indicator.decimals
    county_end = queries.value_in_year(county, end_year) if not county.empty else None
    country_end = queries.value_in_year(country, end_year) if not country.empty else None
    comparison = []
    if county_end is not None:
        comparison.append(f"{place['county_name']} {text.formatted(county_end, unit, decimals)}")
    if country_end is not None:
        comparison.append(f"{COUNTRY} {text.formatted(country_end, unit, decimals)}")
    return comparison


def _chart(con, indicator, place: dict, muni, county, country, title: str, subtitle: str | None) -> Chart:
    name, county_name = place["name"], place["county_name"]
    unit, decimals = indicator.unit, indicator.decimals
    flow = indicator.id in titles.FLOWS
    start_year, end_year = int(muni["year"].min()), int(muni["year"].max())
    end = queries.value_in_year(muni, end_year)
    county_end = queries.value_in_year(county, end_year) if not county.empty else None
    country_end = queries.value_in_year(country, end_year) if not country.empty else None
    comparison = [] if flow else _comparison(indicator, place, end_year, county, country)
    if comparison:
        title = title[:-1] + f" ({', '.join(comparison)})."
    hover_format = f",.{decimals}f"
    suffix = " %" if unit.startswith("%") else (" kr" if unit == "kr" else "")
    figure = go.Figure()
    # A count (births minus deaths, net migration) summed over a county is hundreds of times a small
    # municipality's: on one axis the municipality's line would lie flat on zero. The sums stay in the table.
    summed = indicator.kind == "level" and indicator.summable
    plotted = (country, county) if not summed else (country.iloc[0:0], county.iloc[0:0])
    if not plotted[0].empty:
        figure.add_trace(
            _line(
                country["year"],
                country["value"].astype(float),
                "Hele landet",
                COUNTRY_COLOUR,
                width=2,
                dash="dot",
                hover=f"Hele landet: %{{y:{hover_format}}}{suffix}<extra></extra>",
            )
        )
    if not plotted[1].empty:
        figure.add_trace(
            _line(
                county["year"],
                county["value"].astype(float),
                county_name,
                COUNTY_COLOUR,
                width=2,
                dash="dash",
                hover=f"{county_name}: %{{y:{hover_format}}}{suffix}<extra></extra>",
            )
        )
    if flow:
        figure.add_trace(
            go.Bar(
                x=list(muni["year"]),
                y=list(muni["value"].astype(float)),
                name=name,
                marker_color=MUNICIPALITY_COLOUR,
                hovertemplate=f"{name}: %{{y:{hover_format}}}{suffix}<extra></extra>",
            )
        )
    else:
        figure.add_trace(
            _line(
                muni["year"],
                muni["value"].astype(float),
                name,
                MUNICIPALITY_COLOUR,
                hover=f"{name}: %{{y:{hover_format}}}{suffix}<extra></extra>",
            )
        )
    notes = [subtitle, indicator.definition]
    if summed and (county_end is not None or country_end is not None):
        notes.append(f"Summen for {county_name if county_end is not None else COUNTRY} står i tabellen.")
    late = titles.late_start_note(
        {
            label: (int(frame["year"].min()) if not frame.empty else None)
            for label, frame in ((county_name, plotted[1]), (COUNTRY, plotted[0]))
        },
        start_year,
    )
    notes.append(late)
    style(
        figure,
        title,
        subtitle=textwrap.shorten(" ".join(n for n in notes if n), 260, placeholder=" …"),
        y_title=None,
        legend=len(figure.data) > 1,
    )
    figure.update_yaxes(ticksuffix=suffix)
    drawn = [v for trace in figure.data for v in trace.y]
    y_range = titles.y_range(drawn, unit)
    if y_range is not None:
        figure.update_yaxes(range=y_range)
    _year_axis(figure)
    if end_year - start_year < 3:
        figure.update_xaxes(dtick=1)
    column = f"{name} ({unit})"
    table = pd.DataFrame({"År": muni["year"].astype(int), column: muni["value"].astype(float)})
    for label, frame in ((county_name, county), ("Hele landet", country)):
        if not frame.empty:
            table = table.merge(
                frame[["year", "value"]].rename(columns={"year": "År", "value": f"{label} ({unit})"}),
                on="År",
                how="left",
            )
    table = tables.rounded(table, default=decimals)  # counts as whole numbers, shares to their decimals
    table["Merknad"] = [_flag(v) for v in muni["recalculated"]]
    shown_decimals = {
        c: decimals for c in table.columns if c not in ("År", "Merknad")
    }  # «−3» persons, not «−3,0»
    filename = f"{indicator.id}_{place['municipality_code']}"
    return Chart(
        figure,
        table,
        title,
        indicator_source(con, indicator.id),
        filename,
        recalculated_note(muni, name),
        values={
            "end_year": end_year,
            "end": end,
            "start_year": start_year,
            "county_end": county_end,
            "country_end": country_end,
        },
        display=format_table(table, shown_decimals),
    )
