"""Plotly figure builders: data → ``Chart`` (figure, its table, the finding sentence, source line).

No Streamlit here. Each ``*_chart(con, code, …)`` function takes a DuckDB connection or cursor
first (so the pages can cache it with ``nokkeltall.ui.data.cached_call``) and returns a
``Chart``, or ``None`` when the database has no figures to draw. The finding sentence is
computed from the same numbers the figure draws; the table holds exactly those numbers.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from nokkeltall import indicators, queries, text

MUNICIPALITY_COLOUR = "#1f4e79"
COUNTY_COLOUR = "#d9822b"
COUNTRY_COLOUR = "#7f7f7f"
EARLIER_COLOUR = "#9ecae1"
SERIES_COLOURS = ["#1f4e79", "#2ca02c", "#d9822b", "#b03a2e"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
COUNTRY = "hele landet"
PUBLISHER_SSB = "Statistisk sentralbyrå"
POPULATION_FROM = 2005  # 07459 covers every municipality from 2005; earlier years (06913) only some


@dataclass
class Chart:
    """A figure with everything shown around it."""

    figure: go.Figure
    table: pd.DataFrame  # Norwegian column names; the numbers the figure draws
    title: str  # the finding, as a sentence
    source: str  # «Kilde: …»
    filename: str  # for the CSV download (no extension)
    note: str | None = None  # recalculated values, caveats
    values: dict = field(default_factory=dict)  # key numbers (for tests and reports)
    display: pd.DataFrame | None = None  # ``table`` with Norwegian number text (built once)

    def __post_init__(self):
        if self.display is None:
            self.display = format_table(self.table)

    @property
    def subtitle(self) -> str | None:
        meta = self.figure.layout.meta
        return meta.get("subtitle") if isinstance(meta, dict) else None


YEAR_COLUMNS = {"År", "Kommunenr.", "Nr."}


def format_table(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> pd.DataFrame:
    """A copy for display: numbers as Norwegian text («1 234», «12,5», «–» for missing), years untouched."""
    decimals = decimals or {}
    shown = frame.copy()
    for column in shown.columns:
        series = shown[column]
        if column in YEAR_COLUMNS or not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        places = decimals.get(column)
        if places is None:
            places = 0 if pd.api.types.is_integer_dtype(series) else (3 if "indeks)" in str(column).lower() and
                                                                    series.abs().max() < 10 else 1)
        shown[column] = [text.number(v, places) for v in series]
    return shown


# --- text helpers ------------------------------------------------------------------------------

def display_name(official_name: str) -> str:
    """«Raarvihke - Røyrvik» → «Raarvihke – Røyrvik» (an en dash between the names)."""
    return str(official_name).replace(" - ", " – ")


def wrap_title(sentence: str, width: int = 80) -> str:
    return "<br>".join(textwrap.wrap(sentence, width=width)) or sentence


def _table_label(table_id: str) -> str:
    table_id = str(table_id)
    if table_id.isdigit():
        return f"tabell {table_id}"
    if table_id.startswith("KOSTRA-") and table_id[7:].isdigit():
        return f"KOSTRA, tabell {table_id[7:]}"
    names = {
        "KDD-DKI": "Grønt hefte (kostnadsindeks)",
        "KDD-GRONTHEFTE": "Grønt hefte (frie inntekter)",
        "KDD-ROBEK": "ROBEK-registeret",
        "KLASS-128": "KLASS 128 (sentralitet)",
        "KLASS-131": "KLASS 131 (kommuneinndeling)",
        "KOSTRA-GRUPPER": "KOSTRA-grupper",
        "SSB-BA": "bo- og arbeidsmarkedsregioner",
        "PLANSTATUS": "kommunenes nettsider",
    }
    return names.get(table_id, table_id)


def source_text(sources: pd.DataFrame) -> str:
    """One source line from rows of the ``dataset`` table (table_id, publisher, updated, fetched).

    «Kilde: Statistisk sentralbyrå, tabell 07459 (hentet 26. november 2026)». The publication
    date is used when known («oppdatert …»), otherwise the date the file was fetched.
    """
    if sources is None or sources.empty:
        return f"Kilde: {PUBLISHER_SSB}"
    publishers = []
    for publisher in sources["publisher"].dropna():
        name = PUBLISHER_SSB if str(publisher).startswith(("Statistisk sentralbyrå", "SSB")) else str(publisher)
        if name not in publishers:
            publishers.append(name)
    if not publishers:
        publishers = [PUBLISHER_SSB]
    tables = list(dict.fromkeys(_table_label(t) for t in sources["table_id"].dropna()))
    line = f"Kilde: {', '.join(publishers)}"
    if tables:
        line += ", " + ", ".join(tables)
    updated = [u for u in sources["updated"].dropna().astype(str) if u]
    fetched = [f for f in sources["fetched"].dropna().astype(str) if f] if "fetched" in sources else []
    if updated:
        line += f" (oppdatert {text.iso_date(max(updated))})"
    elif fetched:
        line += f" (hentet {text.iso_date(max(fetched))})"
    return line


def indicator_source(con, *indicator_ids: str) -> str:
    frames = [queries.indicator_sources(con, i) for i in indicator_ids]
    return source_text(pd.concat(frames, ignore_index=True) if frames else None)


def recalculated_note(frame: pd.DataFrame, name: str) -> str | None:
    """«Tallene for Træna for 2005–2019 er omregnet til dagens kommunegrenser.» or None."""
    if frame is None or frame.empty or "recalculated" not in frame:
        return None
    years = sorted(int(y) for y in frame.loc[frame["recalculated"].fillna(False).astype(bool), "year"].unique())
    if not years:
        return None
    span = _year_span(years)
    return f"Tallene for {name} for {span} er omregnet til dagens kommunegrenser (markert «omregnet» i tabellen)."


def _year_span(years: list[int]) -> str:
    parts, start, previous = [], years[0], years[0]
    for year in years[1:] + [None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        parts.append(str(start) if start == previous else f"{start}–{previous}")
        if year is not None:
            start = previous = year
    return ", ".join(parts)


def _flag(value) -> str:
    return "omregnet" if bool(value) and not pd.isna(value) else ""


def level_sentence(label: str, place: str, start_year, start, end_year, end, unit: str, decimals: int) -> str:
    """«Andelen 67 år og eldre i Træna økte fra 18,2 % i 2016 til 24,1 % i 2026.»"""
    end_text = text.formatted(end, unit, decimals)
    if start_year is None or text.is_missing(start) or start_year == end_year:
        return f"{label} i {place} var {end_text} i {end_year}."
    start_text = text.formatted(start, unit, decimals)
    if start_text == end_text:
        return f"{label} i {place} var {end_text} både i {start_year} og {end_year}."
    verb = "økte" if float(end) > float(start) else "gikk ned"
    return f"{label} i {place} {verb} fra {start_text} i {start_year} til {end_text} i {end_year}."


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:] if label[:2] != label[:2].upper() else label


# --- layout ------------------------------------------------------------------------------------

def style(figure: go.Figure, title: str, *, subtitle: str | None = None, height: int = 360,
          y_title: str | None = None, legend: bool = True) -> go.Figure:
    """Common look: Norwegian separators, legend on top, no title inside the figure.

    The finding (``title``) and ``subtitle`` are kept in ``layout.meta``: the app shows them as text
    above the chart (it wraps on any screen); ``titled`` puts them into the figure for exports.
    """
    figure.update_layout(
        meta={"finding": title, "subtitle": subtitle},
        separators=", ",
        font=dict(family=FONT, size=13, color="#222"),
        template="plotly_white",
        height=height,
        margin=dict(l=10, r=10, t=40 if legend else 10, b=10),
        hovermode="x unified",
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left"),
        hoverlabel=dict(font=dict(family=FONT)),
    )
    figure.update_yaxes(title_text=y_title, tickformat=",~r", separatethousands=True)
    return figure


def titled(figure: go.Figure, width: int = 80) -> go.Figure:
    """A copy of the figure with its finding and subtitle as the Plotly title (for images and reports)."""
    meta = figure.layout.meta or {}
    copy = go.Figure(figure)
    finding = wrap_title(meta.get("finding") or "", width)
    lines = finding.count("<br>") + 1 + (1 if meta.get("subtitle") else 0)
    copy.update_layout(
        title=dict(text=finding, x=0, xanchor="left", font=dict(size=15),
                   subtitle=dict(text=meta.get("subtitle"), font=dict(size=12, color="#555"))
                   if meta.get("subtitle") else None),
        margin=dict(t=(copy.layout.margin.t or 10) + 24 * lines),
        legend=dict(y=-0.12, yanchor="top"),
    )
    return copy


def _line(x, y, name, colour, *, width=3, dash=None, hover=None, customdata=None) -> go.Scatter:
    return go.Scatter(x=list(x), y=list(y), name=name, mode="lines+markers",
                      line=dict(color=colour, width=width, dash=dash), marker=dict(size=5 if width >= 3 else 4),
                      hovertemplate=hover, customdata=customdata)


def _year_axis(figure: go.Figure) -> None:
    figure.update_xaxes(tickformat="d", dtick=None, showgrid=False)


# --- population --------------------------------------------------------------------------------

def _place(con, code: str) -> dict | None:
    info = queries.municipality(con, code)
    if info is None:
        return None
    info["display_name"] = display_name(info["official_name"])
    return info


def population_chart(con, code: str) -> Chart | None:
    """Population 2005–today as an index with the county and the country; finding over ten years."""
    place = _place(con, code)
    if place is None:
        return None
    def since(frame):
        return frame[frame["year"] >= POPULATION_FROM].dropna(subset=["value"]).reset_index(drop=True)

    muni = since(queries.indicator_series(con, "population", [code]))
    if muni.empty:
        return None
    county = since(queries.aggregate_series(con, "population", place["county_code"]))
    country = since(queries.aggregate_series(con, "population", None))
    name, county_name = place["name"], place["county_name"]
    end_year = int(muni["year"].max())
    # the index base: the first year all three lines have (the country total is incomplete before 2017)
    common = set(muni["year"]) & set(county["year"]) & set(country["year"]) or set(muni["year"]) & set(county["year"])
    base_year = int(min(common)) if common else int(muni["year"].min())
    start_year = end_year - 10 if (muni["year"] == end_year - 10).any() else base_year

    def index(frame):
        base = queries.value_in_year(frame, base_year)
        return frame.assign(index=frame["value"].astype(float) / base * 100 if base else float("nan"))

    muni, county, country = index(muni), index(county), index(country)
    start = queries.value_in_year(muni, start_year)
    end = queries.value_in_year(muni, end_year)
    title = text.change_sentence("Folketallet", name, start_year, end_year, start, end) or \
        f"Folketallet i {name} var {text.number(end)} i {end_year}."

    def change(frame):
        a, b = queries.value_in_year(frame, start_year), queries.value_in_year(frame, end_year)
        return None if a is None or b is None else (b / a - 1) * 100

    county_change, country_change = change(county), change(country)
    def compared(label, value):
        return f"{label} {text.percent(value, 1, sign=True)}" if value is not None else f"{label}: tall mangler for {start_year}"

    subtitle = (f"Indeks {base_year} = 100. Samme periode: {compared(county_name, county_change)}, "
                f"{compared(COUNTRY, country_change)}.")
    figure = go.Figure()
    figure.add_trace(_line(country["year"], country["index"], "Hele landet", COUNTRY_COLOUR, width=2, dash="dot",
                           hover="Hele landet: %{y:.1f}<extra></extra>"))
    figure.add_trace(_line(county["year"], county["index"], county_name, COUNTY_COLOUR, width=2, dash="dash",
                           hover=f"{county_name}: %{{y:.1f}}<extra></extra>"))
    figure.add_trace(_line(muni["year"], muni["index"], name, MUNICIPALITY_COLOUR,
                           customdata=muni["value"].astype(float).tolist(),
                           hover=f"{name}: %{{y:.1f}} (%{{customdata:,.0f}} innb.)<extra></extra>"))
    style(figure, title, subtitle=subtitle, y_title=f"Indeks ({base_year} = 100)")
    _year_axis(figure)
    table = pd.DataFrame({
        "År": muni["year"].astype(int),
        f"Folketall {name}": muni["value"].astype(float).round().astype("Int64"),
        f"Indeks {name}": muni["index"].round(1),
    })
    table = table.merge(county[["year", "index"]].rename(columns={"year": "År", "index": f"Indeks {county_name}"}),
                        on="År", how="left")
    table = table.merge(country[["year", "index"]].rename(columns={"year": "År", "index": "Indeks hele landet"}),
                        on="År", how="left")
    table[f"Indeks {county_name}"] = table[f"Indeks {county_name}"].round(1)
    table["Indeks hele landet"] = table["Indeks hele landet"].round(1)
    table["Merknad"] = [_flag(v) for v in muni["recalculated"]]
    sources = queries.indicator_sources(con, "population")
    return Chart(figure, table, title, source_text(sources[sources["table_id"] == "07459"]), f"folketall_{code}",
                 recalculated_note(muni, name),
                 values={"start_year": start_year, "end_year": end_year, "start": start, "end": end,
                         "county_change_pct": county_change, "country_change_pct": country_change})


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
    return {label: float(frame.loc[(frame["age"] >= low) & (frame["age"] <= (high or 999)), "persons"].sum())
            for label, low, high in BROAD_GROUPS}


def age_chart(con, code: str) -> Chart | None:
    """Persons by five-year age group, now against ten years earlier (both sexes together).

    The database has ages by sex only from 2020, so a comparison over ten years uses totals.
    """
    place = _place(con, code)
    if place is None:
        return None
    end_year = queries.latest_population_year(con)
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
        figure.add_trace(go.Bar(y=groups_before.index, x=groups_before.values, orientation="h", name=str(start_year),
                                marker_color=EARLIER_COLOUR,
                                hovertemplate=f"{start_year}: %{{x:,.0f}}<extra></extra>"))
    figure.add_trace(go.Bar(y=groups_now.index, x=groups_now.values, orientation="h", name=str(end_year),
                            marker_color=MUNICIPALITY_COLOUR,
                            hovertemplate=f"{end_year}: %{{x:,.0f}}<extra></extra>"))
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
        subtitle = (f"Personer etter alder 1. januar {start_year} og {end_year}, begge kjønn. "
                    "Alder etter kjønn finnes i databasen bare fra 2020.")
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
    return Chart(figure, table, title, indicator_source(con, "population"), f"alder_{code}", None, values)


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
    title = level_sentence("Andelen 67 år og eldre", name, start_year, queries.value_in_year(focus, start_year),
                           end_year, queries.value_in_year(focus, end_year), "%", 1)
    figure = go.Figure()
    table = None
    for colour, (indicator_id, frame) in zip(SERIES_COLOURS, series.items()):
        label = indicators.get(indicator_id).label
        figure.add_trace(_line(frame["year"], frame["value"].astype(float), label, colour, width=2.5,
                               hover=f"{label}: %{{y:.1f}} %<extra></extra>"))
        column = frame[["year", "value"]].rename(columns={"year": "År", "value": f"{label} (%)"})
        column[f"{label} (%)"] = column[f"{label} (%)"].astype(float).round(1)
        table = column if table is None else table.merge(column, on="År", how="outer")
    style(figure, title, subtitle="Prosent av folketallet 1. januar.", y_title="Prosent")
    figure.update_yaxes(ticksuffix=" %", rangemode="tozero")
    _year_axis(figure)
    recalculated = pd.concat(series.values())
    table["Merknad"] = table["År"].map(recalculated.groupby("year")["recalculated"].any()).map(_flag)
    return Chart(figure, table.sort_values("År"), title, indicator_source(con, "share_67_plus_pct"),
                 f"aldersandeler_{code}", recalculated_note(recalculated, name),
                 values={"start_year": start_year, "end_year": end_year,
                         "start": queries.value_in_year(focus, start_year),
                         "end": queries.value_in_year(focus, end_year)})


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


# --- commuting ---------------------------------------------------------------------------------

def commuting_chart(con, code: str, direction: str = "out", limit: int = 8) -> Chart | None:
    """The largest commuting flows out of (``out``) or into (``in``) the municipality, own excluded."""
    place = _place(con, code)
    if place is None:
        return None
    flows = queries.commuting_flows(con, code, None, limit + 1)
    year = flows["year"]
    if year is None:
        return None
    frame = flows[direction]
    own = frame.loc[frame["municipality_code"] == code, "employed_persons"]
    own_value = float(own.iloc[0]) if not own.empty else None
    frame = frame[frame["municipality_code"] != code].head(limit)
    name = place["name"]
    if frame.empty:
        title = (f"Ingen fra {name} pendlet til andre kommuner i {year}." if direction == "out"
                 else f"Ingen pendlet inn til {name} fra andre kommuner i {year}.")
    else:
        top = frame.iloc[0]
        if direction == "out":
            title = (f"Flest av dem som bor i {name} og arbeider i en annen kommune, arbeidet i {top['name']} "
                     f"({text.number(top['employed_persons'])} personer i {year}).")
        else:
            title = (f"Flest av dem som arbeider i {name} og bor i en annen kommune, bodde i {top['name']} "
                     f"({text.number(top['employed_persons'])} personer i {year}).")
    own_text = (f"{text.number(own_value)} personer bodde og arbeidet i {name}." if own_value is not None else "")
    subtitle = (f"Sysselsatte 4. kvartal {year} etter {'arbeidskommune' if direction == 'out' else 'bostedskommune'}. "
                + own_text)
    ordered = frame.iloc[::-1]
    figure = go.Figure(go.Bar(
        y=ordered["name"], x=ordered["employed_persons"].astype(float), orientation="h",
        marker_color=MUNICIPALITY_COLOUR if direction == "out" else COUNTY_COLOUR,
        text=[text.number(v) for v in ordered["employed_persons"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,.0f} personer<extra></extra>"))
    style(figure, title, subtitle=subtitle, height=max(260, 90 + 32 * len(frame)), legend=False)
    figure.update_layout(hovermode="closest")
    figure.update_xaxes(title_text="Personer", tickformat=",d")
    figure.update_yaxes(tickformat=None)
    column = "Arbeidskommune" if direction == "out" else "Bostedskommune"
    table = pd.DataFrame({
        column: frame["name"].tolist(),
        "Kommunenr.": frame["municipality_code"].tolist(),
        "Personer": frame["employed_persons"].astype(float).round().astype("Int64").tolist(),
        "År": year,
    })
    sources = queries.sources_for_measures(con, ["out_commuters"])
    return Chart(figure, table, title, source_text(sources), f"pendling_{direction}_{code}",
                 "Pendlertall er ført til dagens kommunenumre der kommunen er slått sammen eller delt."
                 if bool(frame.get("recalculated", pd.Series(dtype=bool)).any()) else None,
                 values={"year": year, "own": own_value,
                         "top": None if frame.empty else (frame.iloc[0]["municipality_code"],
                                                          float(frame.iloc[0]["employed_persons"]))})
