"""Population figures: the population index against the county and the country, the age
distribution now and earlier, and the shares of broad age groups."""

from __future__ import annotations

import functools

import pandas as pd
import plotly.graph_objects as go

from nokkeltall import indicators, queries, text
from nokkeltall.charts import titles
from nokkeltall.charts.style import (
    COUNTRY,
    COUNTRY_COLOUR,
    COUNTY_COLOUR,
    EARLIER_COLOUR,
    MUNICIPALITY_COLOUR,
    SERIES_COLOURS,
    Chart,
    _flag,
    _line,
    _year_axis,
    style,
)
from nokkeltall.provenance import indicator_source, recalculated_note, source_text
from nokkeltall.text import display_name

POPULATION_FROM = 2005  # 07459 covers every municipality from 2005; earlier years (06913) only some


# --- population --------------------------------------------------------------------------------


def _place(con, code: str) -> dict | None:
    info = queries.municipality(con, code)
    if info is None:
        return None
    info["display_name"] = display_name(info["official_name"])
    return info


def _population_title(name: str, start_year: int, end_year: int, start, end, values: list[float]) -> str:
    """The chart's title: the change in population from start_year to end_year, or «about unchanged»."""
    if titles.about_unchanged(start, end, values):
        return (
            f"Folketallet i {name} var {titles.UNCHANGED} fra {start_year} ({text.number(start)}) "
            f"til {end_year} ({text.number(end)})."
        )
    return (
        text.change_sentence("Folketallet", name, start_year, end_year, start, end)
        or f"Folketallet i {name} var {text.number(end)} i {end_year}."
    )


def population_chart(con, code: str) -> Chart | None:
    """Population over the last ten years as an index (first year = 100) with the county and the country.

    The title's period is the chart's: the lines start in the index's base year and end in the latest
    year, so the «samme periode» changes are what the lines show at their end.
    """
    place = _place(con, code)
    if place is None:
        return None
    muni = queries.indicator_series(con, "population", [code]).dropna(subset=["value"])
    muni = muni[muni["year"] >= POPULATION_FROM]
    if muni.empty:
        return None
    name, county_name = place["name"], place["county_name"]
    end_year = int(muni["year"].max())
    start_year = end_year - 10 if (muni["year"] == end_year - 10).any() else int(muni["year"].min())

    def window(frame):
        frame = frame.dropna(subset=["value"])
        frame = frame[(frame["year"] >= start_year) & (frame["year"] <= end_year)].reset_index(drop=True)
        base = queries.value_in_year(frame, start_year)
        if not base:  # a line without the base year cannot be indexed: it is left out, and said so
            return frame.iloc[0:0].assign(index=pd.Series(dtype=float))
        return frame.assign(index=frame["value"].astype(float) / base * 100)

    muni = window(muni)
    county = window(queries.aggregate_series(con, "population", place["county_code"]))
    country = window(queries.aggregate_series(con, "population", None))
    start = queries.value_in_year(muni, start_year)
    end = queries.value_in_year(muni, end_year)
    values = muni["value"].astype(float).tolist()
    title = _population_title(name, start_year, end_year, start, end, values)

    def change(frame):
        a, b = queries.value_in_year(frame, start_year), queries.value_in_year(frame, end_year)
        return None if a is None or b is None else (b / a - 1) * 100

    county_change, country_change = change(county), change(country)

    def compared(label, value):
        return (
            f"{label} {text.percent(value, 1, sign=True)}"
            if value is not None
            else f"{label}: tall mangler for {start_year}"
        )

    subtitle = (
        f"Indeks {start_year} = 100. Samme periode: {compared(county_name, county_change)}, "
        f"{compared(COUNTRY, country_change)}."
    )
    figure = go.Figure()
    if not country.empty:
        figure.add_trace(
            _line(
                country["year"],
                country["index"],
                "Hele landet",
                COUNTRY_COLOUR,
                width=2,
                dash="dot",
                hover="Hele landet: %{y:.1f}<extra></extra>",
            )
        )
    if not county.empty:
        figure.add_trace(
            _line(
                county["year"],
                county["index"],
                county_name,
                COUNTY_COLOUR,
                width=2,
                dash="dash",
                hover=f"{county_name}: %{{y:.1f}}<extra></extra>",
            )
        )
    figure.add_trace(
        _line(
            muni["year"],
            muni["index"],
            name,
            MUNICIPALITY_COLOUR,
            customdata=muni["value"].astype(float).tolist(),
            hover=f"{name}: %{{y:.1f}} (%{{customdata:,.0f}} innb.)<extra></extra>",
        )
    )
    style(figure, title, subtitle=subtitle, y_title=f"Indeks ({start_year} = 100)")
    _year_axis(figure)
    indexed = (
        muni["index"].tolist()
        + county.get("index", pd.Series(dtype=float)).tolist()
        + country.get("index", pd.Series(dtype=float)).tolist()
    )
    figure.update_yaxes(range=titles.y_range(indexed, "indeks"))
    table = pd.DataFrame(
        {
            "År": muni["year"].astype(int),
            f"Folketall {name}": muni["value"].astype(float).round().astype("Int64"),
            f"Indeks {name}": muni["index"].round(1),
        }
    )
    for label, frame in ((county_name, county), ("hele landet", country)):
        column = f"Indeks {label}"
        table = (
            table.merge(
                frame[["year", "index"]].rename(columns={"year": "År", "index": column}), on="År", how="left"
            )
            if not frame.empty
            else table.assign(**{column: float("nan")})
        )
        table[column] = table[column].astype(float).round(1)
    table["Merknad"] = [_flag(v) for v in muni["recalculated"]]
    sources = queries.indicator_sources(con, "population")
    return Chart(
        figure,
        table,
        title,
        source_text(sources[sources["table_id"] == "07459"]),
        f"folketall_{code}",
        recalculated_note(muni, name),
        values={
            "start_year": start_year,
            "end_year": end_year,
            "start": start,
            "end": end,
            "base_year": start_year,
            "county_change_pct": county_change,
            "country_change_pct": country_change,
        },
    )


AGE_GROUPS = [(a, a + 4) for a in range(0, 90, 5)] + [(90, None)]
BROAD_GROUPS = [("under 20 år", 0, 19), ("20–66 år", 20, 66), ("67 år og eldre", 67, None)]


def _age_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}–{high}"


def _grouped(frame: pd.DataFrame) -> pd.Series:
    frame = frame[frame["sex"] == "total"]
    values = {}
    for low, high in AGE_GROUPS:
        mask = (frame["age"] >= low) & (frame["age"] <= (high if high is not None else 999))
        values[_age_label(low, high)] = float(frame.loc[mask, "persons"].sum())
    return pd.Series(values)


def _broad(frame: pd.DataFrame) -> dict[str, float]:
    frame = frame[frame["sex"] == "total"]
    return {
        label: float(frame.loc[(frame["age"] >= low) & (frame["age"] <= (high or 999)), "persons"].sum())
        for label, low, high in BROAD_GROUPS
    }


def age_chart(con, code: str) -> Chart | None:
    """Persons by five-year age group, now against ten years earlier (both sexes together).

    The database has ages by sex only from 2020, so a comparison over ten years uses totals.
    """
    place = _place(con, code)
    if place is None:
        return None
    end_year = queries.latest_population_year(con)
    if end_year is None:  # no population figures at all
        return None
    start_year = end_year - 10
    now = queries.population_by_age(con, code, end_year)
    before = queries.population_by_age(con, code, start_year)
    if now.empty:
        return None
    name = place["name"]
    groups_now = _grouped(now)
    groups_before = _grouped(before) if not before.empty else None
    figure = go.Figure()
    if groups_before is not None:
        figure.add_trace(
            go.Bar(
                y=groups_before.index,
                x=groups_before.values,
                orientation="h",
                name=str(start_year),
                marker_color=EARLIER_COLOUR,
                hovertemplate=f"{start_year}: %{{x:,.0f}}<extra></extra>",
            )
        )
    figure.add_trace(
        go.Bar(
            y=groups_now.index,
            x=groups_now.values,
            orientation="h",
            name=str(end_year),
            marker_color=MUNICIPALITY_COLOUR,
            hovertemplate=f"{end_year}: %{{x:,.0f}}<extra></extra>",
        )
    )
    values = {}
    if groups_before is not None:
        broad_now, broad_before = _broad(now), _broad(before)
        diffs = {label: broad_now[label] - broad_before[label] for label in broad_now}
        values = {"diffs": diffs}
        parts = []
        for label, diff in diffs.items():
            if round(diff) == 0:
                parts.append(f"like mange {label}")
            else:
                parts.append(f"{text.number(abs(diff))} {'flere' if diff > 0 else 'færre'} {label}")
        title = f"I {name} bor det {', '.join(parts[:-1])} og {parts[-1]} enn i {start_year}."
        subtitle = (
            f"Personer etter alder 1. januar {start_year} og {end_year}, begge kjønn. "
            "Alder etter kjønn finnes i databasen bare fra 2020."
        )
    else:
        title = f"Aldersfordelingen i {name} 1. januar {end_year}."
        subtitle = f"Databasen har ikke aldersfordelingen for {start_year}."
    style(figure, title, subtitle=subtitle, height=480, y_title=None)
    figure.update_layout(barmode="group", bargap=0.15, hovermode="y unified")
    figure.update_xaxes(title_text="Personer", tickformat=",d")
    figure.update_yaxes(title_text=None, tickformat=None, ticksuffix=" år")
    table = pd.DataFrame({"Alder": groups_now.index, f"Personer {end_year}": groups_now.values.astype(int)})
    if groups_before is not None:
        table.insert(1, f"Personer {start_year}", groups_before.reindex(groups_now.index).values.astype(int))
        table["Endring"] = table[f"Personer {end_year}"] - table[f"Personer {start_year}"]
    sources = queries.indicator_sources(con, "population")  # ages come from 07459 only
    return Chart(
        figure,
        table,
        title,
        source_text(sources[sources["table_id"] == "07459"]),
        f"alder_{code}",
        None,
        values,
    )


SHARE_IDS = ["share_0_19_pct", "share_20_66_pct", "share_67_plus_pct", "share_80_plus_pct"]


def age_shares_chart(con, code: str) -> Chart | None:
    """Shares 0–19, 20–66, 67+ and 80+ over time; the finding is about 67+ over ten years."""
    place = _place(con, code)
    if place is None:
        return None
    name = place["name"]
    series = {i: queries.indicator_series(con, i, [code]).dropna(subset=["value"]) for i in SHARE_IDS}
    if all(frame.empty for frame in series.values()):
        return None
    focus = series["share_67_plus_pct"]
    end_year = int(focus["year"].max())
    start_year = end_year - 10 if (focus["year"] == end_year - 10).any() else int(focus["year"].min())
    series = {i: frame[frame["year"].between(start_year, end_year)] for i, frame in series.items()}
    focus = series["share_67_plus_pct"]
    title = titles.level_title(
        "Andelen 67 år og eldre",
        name,
        start_year,
        queries.value_in_year(focus, start_year),
        end_year,
        queries.value_in_year(focus, end_year),
        "%",
        1,
        focus.sort_values("year")["value"].tolist(),
    )
    figure = go.Figure()
    columns = []
    for colour, (indicator_id, frame) in zip(SERIES_COLOURS, series.items(), strict=False):
        label = indicators.get(indicator_id).label
        figure.add_trace(
            _line(
                frame["year"],
                frame["value"].astype(float),
                label,
                colour,
                width=2.5,
                hover=f"{label}: %{{y:.1f}} %<extra></extra>",
            )
        )
        column = frame[["year", "value"]].rename(columns={"year": "År", "value": f"{label} (%)"})
        column[f"{label} (%)"] = column[f"{label} (%)"].astype(float).round(1)
        columns.append(column)
    table = functools.reduce(lambda left, right: left.merge(right, on="År", how="outer"), columns)
    style(figure, title, subtitle="Prosent av folketallet 1. januar.", y_title="Prosent")
    figure.update_yaxes(ticksuffix=" %", rangemode="tozero")
    _year_axis(figure)
    recalculated = pd.concat(series.values())
    table["Merknad"] = table["År"].map(recalculated.groupby("year")["recalculated"].any()).map(_flag)
    return Chart(
        figure,
        table.sort_values("År"),
        title,
        indicator_source(con, "share_67_plus_pct"),
        f"aldersandeler_{code}",
        recalculated_note(recalculated, name),
        values={
            "start_year": start_year,
            "end_year": end_year,
            "start": queries.value_in_year(focus, start_year),
            "end": queries.value_in_year(focus, end_year),
        },
    )
