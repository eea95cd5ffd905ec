"""Figures and finding sentences for comparing municipalities (lines, bars, index, ranks).

``build_view(con, view, indicator_id, codes, base_year, presentation)`` is the one entry point
the compare page, the gathering mode and the exports use: it returns the figure, the table
behind it, a one-sentence finding, the source line and any Norwegian notes. No Streamlit here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from nokkeltall import indicators, tables, text
from nokkeltall.charts import style as chart_style
from nokkeltall.charts import titles
from nokkeltall.compare import choices
from nokkeltall.compare import projected as compare_projected
from nokkeltall.compare import series as compare_series
from nokkeltall.indicators import Indicator

# Colours come from charts/style.py (one assignment per selection: the first municipality first colour).
REFERENCE_STYLE = chart_style.REFERENCE_STYLE
PEER_COLOUR = chart_style.PEER_COLOUR
FONT = "Helvetica, Arial, sans-serif"  # system fonts only: the app must work offline


@dataclass
class View:
    figure: go.Figure
    table: pd.DataFrame
    finding: str | None
    source: str
    notes: list[str] = field(default_factory=list)
    year: int | None = None
    base_year: int | None = None
    title: str = ""


# --- number helpers -------------------------------------------------------------------------------


def value_text(indicator: Indicator, value) -> str:
    return text.formatted(value, indicator.unit, indicator.decimals)


def change_text(indicator: Indicator, start, end) -> str:
    """The change from ``start`` to ``end``: percentage points for shares, else per cent (or units)."""
    if text.is_missing(start) or text.is_missing(end):
        return text.MISSING
    if indicator.unit.startswith("%"):
        return f"{text.number(end - start, 1, sign=True)} prosentpoeng"
    if start > 0 and end >= 0:
        return text.percent((end / start - 1) * 100, 1, sign=True)
    return text.number(end - start, indicator.decimals, sign=True)


def _change_value(indicator: Indicator, start, end) -> float:
    if indicator.unit.startswith("%") or not start > 0:
        return end - start
    return (end / start - 1) * 100


def _hover_format(indicator: Indicator) -> str:
    return f",.{indicator.decimals}f"


def _axis_title(indicator: Indicator) -> str:
    return {"personer": "Personer", "kr": "Kroner", "år": "År"}.get(indicator.unit, indicator.unit)


def _layout(
    fig: go.Figure, *, presentation: bool, height: int | None = None, legend: bool = True
) -> go.Figure:
    size = 22 if presentation else 14
    fig.update_layout(
        separators=", ",  # decimal comma, space between thousands
        font=dict(family=FONT, size=size),
        margin=dict(
            l=60 if presentation else 10, r=10, t=30 if not presentation else 20, b=40 if presentation else 10
        ),
        height=height or (640 if presentation else 440),
        hovermode="closest",
        showlegend=legend,
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=size)),
        plot_bgcolor="white",
    )
    fig.update_xaxes(
        showgrid=False, linecolor="#888", ticks="outside", tickfont=dict(size=size), automargin=True
    )
    fig.update_yaxes(gridcolor="#e5e5e5", zeroline=False, tickfont=dict(size=size), automargin=True)
    return fig


def _colours(codes, frame: pd.DataFrame, column: str) -> dict[str, str]:
    """The selection's colours: by ``codes`` when given, else by first appearance in ``frame``."""
    return chart_style.municipality_colours(codes if codes is not None else frame[column].drop_duplicates())


# --- lines over time (and index) ------------------------------------------------------------------


def line_figure(
    series: pd.DataFrame,
    indicator: Indicator,
    *,
    presentation: bool = False,
    index_base: int | None = None,
    codes=None,
) -> go.Figure:
    """One line per municipality, county/country as grey dashed/dotted references.

    Values recalculated to today's municipal borders are drawn with hollow markers.
    """
    fig = go.Figure()
    municipal = series[series["kind"] == "kommune"]
    number_format = ",.1f" if index_base else _hover_format(indicator)
    width = 4 if presentation else 2.5
    colours = _colours(codes, municipal, "region_code")
    for code, group in municipal.groupby("region_code", sort=False):
        group = group.sort_values("year")
        symbols = ["circle-open" if r else "circle" for r in group["recalculated"].fillna(False)]
        fig.add_trace(
            go.Scatter(
                x=group["year"],
                y=group["value"],
                name=str(group["region"].iloc[0]),
                mode="lines+markers",
                line=dict(color=colours.get(code), width=width),
                marker=dict(symbol=symbols, size=9 if presentation else 6),
                hovertemplate=f"%{{fullData.name}}<br>%{{x}}: %{{y:{number_format}}}<extra></extra>",
            )
        )
    for j, ((_code, kind), group) in enumerate(
        series[series["kind"] != "kommune"].groupby(["region_code", "kind"], sort=False)
    ):
        group = group.sort_values("year")
        style = dict(REFERENCE_STYLE[kind])
        if kind == "fylke" and j % 2:
            style["dash"] = "dashdot"
        fig.add_trace(
            go.Scatter(
                x=group["year"],
                y=group["value"],
                name=str(group["region"].iloc[0]),
                mode="lines",
                line=dict(width=width - 0.5, **style),
                hovertemplate=f"%{{fullData.name}}<br>%{{x}}: %{{y:{number_format}}}<extra></extra>",
            )
        )
    if index_base:
        fig.add_hline(y=100, line=dict(color="#999", width=1))
        fig.update_yaxes(title_text=f"Indeks ({index_base} = 100)")
    else:
        fig.update_yaxes(title_text=_axis_title(indicator), tickformat=",~f")
    fig.update_xaxes(dtick=2 if series["year"].nunique() > 12 else 1, tickformat="d")
    return _layout(fig, presentation=presentation)


def common_years(series: pd.DataFrame) -> tuple[int, int] | None:
    """The first and last year every chosen municipality has a figure for (None: fewer than two)."""
    municipal = series[(series["kind"] == "kommune") & series["value"].notna()]
    if municipal.empty:
        return None
    regions = municipal["region_code"].unique()
    common = set.intersection(*(set(municipal.loc[municipal["region_code"] == r, "year"]) for r in regions))
    return (int(min(common)), int(max(common))) if len(common) >= 2 else None


def line_finding(series: pd.DataFrame, indicator: Indicator) -> str | None:
    """«Folketall fra 2016 til 2026: Træna −7,3 % (minst), Røyrvik +1,2 % (mest).»"""
    years = common_years(series)
    if years is None:
        return None
    start, end = years
    municipal = series[(series["kind"] == "kommune") & series["value"].notna()]
    regions = municipal["region_code"].unique()
    changes = []
    for code in regions:
        group = municipal[municipal["region_code"] == code].set_index("year")["value"]
        changes.append(
            (
                _change_value(indicator, group[start], group[end]),
                change_text(indicator, group[start], group[end]),
                group.name or code,
                municipal.loc[municipal["region_code"] == code, "region"].iloc[0],
            )
        )
    changes.sort(key=lambda c: c[0])
    if len(changes) == 1:
        _, change, _, name = changes[0]
        return f"{indicator.label} i {name} fra {start} til {end}: {change}."
    low, high = changes[0], changes[-1]
    if low[1] == high[1]:
        return f"{indicator.label} fra {start} til {end}: lik endring ({high[1]}) i alle de valgte kommunene."
    return (
        f"{indicator.label} fra {start} til {end}: endringen går fra {low[1]} i {low[3]} "
        f"til {high[1]} i {high[3]}."
    )


def index_finding(indexed: pd.DataFrame, base_year: int) -> str | None:
    municipal = indexed[(indexed["kind"] == "kommune") & indexed["value"].notna()]
    if municipal.empty:
        return None
    end = int(municipal["year"].max())
    last = municipal[municipal["year"] == end].sort_values("value")
    if last.empty or end == base_year:
        return None
    return _high_low_sentence(
        last,
        lambda value: text.number(value, 1),
        "Med {base} = 100 står {high} på {high_value} i {end}.",
        "Med {base} = 100 står {high} høyest på {high_value} i {end}, {low} lavest på {low_value}.",
        base=base_year,
        end=end,
    )


def _high_low_sentence(
    rows: pd.DataFrame, value: Callable[[Any], str], one: str, many: str, **words: object
) -> str:
    """``one`` about the only municipality in ``rows`` (sorted by value), else ``many`` about the highest
    and the lowest: templates naming {high}, {high_value}, {low}, {low_value} and the ``words``."""
    low, high = rows.iloc[0], rows.iloc[-1]
    return (one if len(rows) == 1 else many).format(
        high=high["region"],
        high_value=value(high["value"]),
        low=low["region"],
        low_value=value(low["value"]),
        **words,
    )


# --- bars for one year ----------------------------------------------------------------------------


def bar_figure(
    values: pd.DataFrame, indicator: Indicator, *, presentation: bool = False, codes=None
) -> go.Figure:
    """One bar per municipality (missing ones labelled «mangler»), county/country as grey bars."""
    colours, labels = [], []
    by_code = _colours(codes, values[values["kind"] == "kommune"], "region_code")
    for row in values.to_dict("records"):
        municipal = row["kind"] == "kommune"
        colours.append(
            by_code.get(row["region_code"], chart_style.REFERENCE_BAR_COLOUR)
            if municipal
            else chart_style.REFERENCE_BAR_COLOUR
        )
        labels.append("mangler" if text.is_missing(row["value"]) else value_text(indicator, row["value"]))
    fig = go.Figure(
        go.Bar(
            x=values["region"],
            y=values["value"],
            marker_color=colours,
            text=labels,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{x}}: %{{y:{_hover_format(indicator)}}}<extra></extra>",
        )
    )
    fig.update_yaxes(title_text=_axis_title(indicator), rangemode="tozero", tickformat=",~f")
    return _layout(fig, presentation=presentation, legend=False)


def bar_finding(values: pd.DataFrame, indicator: Indicator, year: int) -> str | None:
    municipal = values[(values["kind"] == "kommune") & values["value"].notna()].sort_values("value")
    if municipal.empty:
        return None
    country = values.loc[values["kind"] == "land", "value"]
    tail = f" Landet: {value_text(indicator, country.iloc[0])}." if not country.empty else ""
    return _high_low_sentence(
        municipal,
        functools.partial(value_text, indicator),
        "{label} i {year}: {high} {high_value}.{tail}",
        "{label} i {year}: høyest i {high} ({high_value}), lavest i {low} ({low_value}).{tail}",
        label=indicator.label,
        year=year,
        tail=tail,
    )


# --- ranks among the small municipalities -----------------------------------------------------------


def rank_figure(
    peers: pd.DataFrame, indicator: Indicator, *, presentation: bool = False, codes=None
) -> go.Figure:
    """All small peers as grey horizontal bars, highest first; the chosen ones in their selection colour.

    In presentation only the chosen municipalities are named (large enough to read on a projector)."""
    shown = peers[peers["value"].notna()].iloc[::-1]  # plotly draws the first row at the bottom
    by_code = _colours(codes, peers[peers["chosen"]], "municipality_code")
    colours = [
        (by_code.get(c, PEER_COLOUR) if chosen else PEER_COLOUR)
        for c, chosen in zip(shown["municipality_code"], shown["chosen"], strict=True)
    ]
    labels = [
        f"{r}. {n}" + ("" if g else " *")
        for r, n, g in zip(shown["rank"], shown["region"], shown["in_group"], strict=False)
    ]
    if presentation:
        return _rank_presentation(shown, labels, colours, indicator)
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=shown["value"],
            orientation="h",
            marker_color=colours,
            hovertemplate=f"%{{y}}: %{{x:{_hover_format(indicator)}}}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=_axis_title(indicator), tickformat=",~f")
    row_height = 26 if presentation else 17
    height = max(400, row_height * len(shown) + 110)
    fig = _layout(fig, presentation=presentation, height=height, legend=False)
    fig.update_yaxes(tickfont=dict(size=16 if presentation else 11))
    return fig


def _rank_presentation(
    shown: pd.DataFrame, labels: list[str], colours: list[str], indicator: Indicator
) -> go.Figure:
    """Rank bars on a numeric axis (fits any screen height): the peers grey, each chosen municipality its
    own trace, so the legend names it in large type even when the chosen sit on neighbouring rows."""
    hover = f"%{{customdata}}: %{{x:{_hover_format(indicator)}}}<extra></extra>"
    values = shown["value"].tolist()
    chosen = [p for p, flag in enumerate(shown["chosen"]) if flag]
    peers = [p for p in range(len(shown)) if p not in set(chosen)]
    fig = go.Figure(
        go.Bar(
            y=peers,
            x=[values[p] for p in peers],
            orientation="h",
            marker_color=PEER_COLOUR,
            customdata=[labels[p] for p in peers],
            hovertemplate=hover,
            showlegend=False,
            name=choices.PEER_GROUP_LABEL,
        )
    )
    for p in reversed(chosen):  # the highest ranked first in the legend
        fig.add_trace(
            go.Bar(
                y=[p],
                x=[values[p]],
                orientation="h",
                marker_color=colours[p],
                name=labels[p],
                customdata=[labels[p]],
                hovertemplate=hover,
            )
        )
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(
        tickmode="array",
        tickvals=chosen,
        ticktext=[labels[p] for p in chosen],
        showgrid=False,
        range=[-0.7, len(shown) - 0.3],
    )
    fig.update_xaxes(title_text=_axis_title(indicator), tickformat=",~f")
    return _layout(fig, presentation=True)


def rank_finding(ranked: pd.DataFrame, indicator: Indicator) -> str | None:
    known = ranked[ranked["rank"].notna()]
    if known.empty:
        return None
    year = ranked["year"].iloc[0]
    parts = [
        f"{row['region']} nr. {int(row['rank'])} av {int(row['of'])}" for row in known.to_dict("records")
    ]
    if len(parts) > 1:
        listed = ", ".join(parts[:-1]) + " og " + parts[-1]
    else:
        listed = parts[0]
    return f"{indicator.label} i {year} blant {choices.PEER_GROUP_LABEL} (1 = høyest): {listed}."


# --- one view ---------------------------------------------------------------------------------------


def view_title(view: str, indicator: Indicator, year: int | None = None, base_year: int | None = None) -> str:
    if view == "indeks" and base_year:
        return f"{indicator.label}, indeks ({base_year} = 100)"
    if view in ("stolper", "rangering") and year:
        return f"{indicator.label}, {year}"
    return indicator.label


def build_view(
    con, view: str, indicator_id: str, codes, base_year: int | None = None, presentation: bool = False
) -> View:
    """Figure, table, finding, source and notes for one view of one indicator."""
    codes = list(codes)
    if compare_projected.is_projected(indicator_id):
        return _projected_view(con, view, codes, presentation)
    indicator = indicators.get(indicator_id)
    asked = _Asked(view, indicator, codes, compare_series.source_text(con, indicator_id), [], presentation)
    if view == "rangering":
        return _rank_view(asked, compare_series.peer_values(con, indicator_id, codes))
    references = view == "indeks" or not (indicator.kind == "level" and indicator.summable)
    series = compare_series.comparison_series(con, indicator_id, codes, references=references)
    asked.notes.extend(_series_notes(series, indicator, references))
    if view == "stolper":
        return _bar_view(con, asked, series)
    if view == "indeks":
        return _index_view(asked, series, base_year)
    return _line_view(asked, series)


@dataclass
class _Asked:
    """One view as asked for: its name, the indicator, the municipalities, the source line, the notes
    gathered so far and whether it is drawn for a projector."""

    view: str
    indicator: Indicator
    codes: list
    source: str
    notes: list[str]
    presentation: bool

    def answer(
        self, figure: go.Figure, table: pd.DataFrame, finding: str | None, year=None, base_year=None
    ) -> View:
        title = view_title(self.view, self.indicator, year, base_year)
        return View(figure, table, finding, self.source, self.notes, year, base_year, title)


def _rank_view(asked: _Asked, peers: pd.DataFrame) -> View:
    """The «rangering» view: the chosen municipalities' places among their peer group."""
    indicator, codes, notes = asked.indicator, asked.codes, asked.notes
    ranked = peers[peers["chosen"]].set_index("municipality_code").reindex(codes).reset_index()
    year = None if peers["year"].isna().all() else int(peers["year"].iloc[0])
    if (~peers["in_group"] & peers["chosen"]).any():
        notes.append("* Kommunen er ikke i gruppen; plassen viser hvor den ville ligget.")
    if ranked["rank"].isna().any():
        missing = ranked.loc[ranked["rank"].isna(), "region"].tolist()
        notes.append(f"Mangler tall for {', '.join(map(str, missing))} i {year}; de har ingen plass.")
    table = pd.DataFrame(
        {
            "Plass": peers["rank"],
            "Kommune": peers["region"],
            "Kommunenummer": peers["municipality_code"],
            "Verdi": peers["value"],
            "Valgt": peers["chosen"].map({True: "ja", False: ""}),
            "År": year,
        }
    )
    table = tables.rounded(table, {"Verdi": indicator.decimals}, default=0)
    return asked.answer(
        rank_figure(peers, indicator, presentation=asked.presentation, codes=codes),
        table,
        rank_finding(ranked.assign(year=year), indicator),
        year,
    )


def _series_notes(series: pd.DataFrame, indicator: Indicator, references: bool) -> list[str]:
    """Notes shared by the line, bar and index views (references left out, no data, recalculated)."""
    notes: list[str] = []
    if not references:
        notes.append(
            "Fylke og land er ikke tegnet inn her fordi tallene er for ulike i størrelse; se indeksvisningen."
        )
    if series.empty or series.loc[series["kind"] == "kommune", "value"].notna().sum() == 0:
        notes.append(f"Ingen av de valgte kommunene har tall for {indicator.label.lower()}.")
    if references and not (series["kind"] != "kommune").any():
        notes.append(
            "Fylke og land vises ikke: tallet finnes ikke for alle kommunene i fylket/landet, "
            "eller kan ikke legges sammen."
        )
    if series["recalculated"].fillna(False).astype(bool).any():
        notes.append("Hule punkter er omregnet til dagens kommunegrenser.")
    return notes


def _bar_view(con, asked: _Asked, series: pd.DataFrame) -> View:
    """The «stolper» view: one bar per area in the latest year."""
    indicator, codes = asked.indicator, asked.codes
    year = compare_series.latest_year(series)
    values = (
        compare_series.values_in_year(series, year, codes, compare_series.municipality_names(con, codes))
        if year
        else series.iloc[0:0]
    )
    missing = values.loc[(values["kind"] == "kommune") & values["value"].isna(), "region"].tolist()
    if missing:
        asked.notes.append(f"Mangler tall for {', '.join(map(str, missing))} i {year}.")
    table = tables.rounded(
        pd.DataFrame({"Område": values["region"], "Verdi": values["value"], "År": values["year"]}),
        {"Verdi": indicator.decimals},
        default=0,
    )
    return asked.answer(
        bar_figure(values, indicator, presentation=asked.presentation, codes=codes),
        table,
        bar_finding(values, indicator, year) if year else None,
        year,
    )


def _empty_view(asked: _Asked) -> View:
    """An empty figure and table with the notes that say why."""
    return asked.answer(_layout(go.Figure(), presentation=asked.presentation), pd.DataFrame(), None)


def _index_view(asked: _Asked, series: pd.DataFrame, base_year: int | None) -> View:
    """The «indeks» view: every line as an index with base year = 100."""
    indicator = asked.indicator
    if indicator.id in titles.FLOWS:  # a flow can be 0 or negative: no index
        asked.notes.append(
            "En strøm som kan være null eller negativ, kan ikke vises som indeks; se linjevisningen."
        )
        return _empty_view(asked)
    years = compare_series.years_with_data(series)
    base = base_year if base_year in years else choices.default_base_year(years)
    if base is None:
        return _empty_view(asked)
    indexed = compare_series.index_series(series, base)
    if indexed.attrs.get("without_base"):
        asked.notes.append(
            f"Ingen indeks for {', '.join(map(str, indexed.attrs['without_base']))}: tallet for {base} "
            "mangler eller er ikke positivt."
        )
    table = compare_series.wide_table(indexed.assign(value=indexed["value"].round(1)))
    figure = line_figure(
        indexed, indicator, presentation=asked.presentation, index_base=base, codes=asked.codes
    )
    return asked.answer(figure, table, index_finding(indexed, base), compare_series.latest_year(series), base)


def _line_view(asked: _Asked, series: pd.DataFrame) -> View:
    """The «linjer» view (and the fallback for any other view name): one line per area over time."""
    indicator = asked.indicator
    finding, series = _titled_period(series, indicator)
    late = _late_references(series)
    if late:
        asked.notes.append(late)
    table = tables.rounded(compare_series.wide_table(series), default=indicator.decimals)
    figure = line_figure(series, indicator, presentation=asked.presentation, codes=asked.codes)
    return asked.answer(figure, table, finding, compare_series.latest_year(series))


def _late_references(series: pd.DataFrame) -> str | None:
    """«Trøndelag vises fra 2012 …» for county/country lines that start after the municipalities'."""
    known = series[series["value"].notna()]
    municipal = known[known["kind"] == "kommune"]
    if municipal.empty:
        return None
    starts = {
        str(region): int(group["year"].min())
        for region, group in known[known["kind"] != "kommune"].groupby("region", sort=False)
    }
    return titles.late_start_note(starts, int(municipal["year"].min()))


def _titled_period(series: pd.DataFrame, indicator: Indicator) -> tuple[str | None, pd.DataFrame]:
    """The finding and the series cut to the finding's years (``charts.titles``: the title's period is
    the chart's; a yearly flow is summed over the period, never compared between two single years)."""
    municipal = series[(series["kind"] == "kommune") & series["value"].notna()]
    finding: str | None
    if indicator.id in titles.FLOWS and not municipal.empty:
        by_place = {
            str(region): dict(zip(group["year"].astype(int), group["value"].astype(float), strict=True))
            for region, group in municipal.groupby("region", sort=False)
        }
        found = titles.flows_compared(indicator.label, by_place)
        if found is None:
            return None, series
        finding, (start, end) = found
    else:
        finding, years = line_finding(series, indicator), common_years(series)
        if finding is None or years is None:
            return finding, series
        start, end = years
    return finding, series[(series["year"] >= start) & (series["year"] <= end)]


# --- the app's own projection (``compare.projected``) -----------------------------------------------


def _projected_view(con, view: str, codes: list, presentation: bool) -> View:
    """Bars (with the 80 % interval) or ranks of «Framskrevet folketall 2040»; other views say why not."""
    year = compare_projected.YEAR
    asked = _Asked(view, compare_projected.PROJECTED, codes, compare_projected.source(con), [], presentation)
    if view == "rangering":
        peers = compare_series.small_peer_codes(con)
        everyone = sorted(set(peers) | set(codes))
        in_year = compare_projected.values(con, everyone, year)[["municipality_code", "value"]]
        ranked = compare_series.ranked_peers(con, in_year, peers, codes, year)
        return _rank_view(asked, ranked)
    if view != "stolper":
        asked.notes.append(compare_projected.UNAVAILABLE)
        return _empty_view(asked)
    return _projected_bars(con, asked, year)


def _projected_bars(con, asked: _Asked, year: int) -> View:
    indicator, codes = asked.indicator, asked.codes
    names = compare_series.municipality_names(con, codes)
    found = compare_projected.values(con, codes, year)
    values = found.assign(
        region_code=found["municipality_code"],
        region=found["municipality_code"].map(names),
        kind="kommune",
        year=year,
    )
    asked.notes.append(
        "Stolpene viser midtre anslag; strekene viser intervallet der folketallet med 80 % "
        "sannsynlighet vil ligge."
    )
    missing = values.loc[values["value"].isna(), "region"].tolist()
    if missing:
        asked.notes.append(f"Det kan ikke lages en framskriving for {', '.join(map(str, missing))}.")
    figure = bar_figure(values, indicator, presentation=asked.presentation, codes=codes)
    figure.update_traces(
        error_y=dict(
            type="data",
            symmetric=False,
            array=values["upper"] - values["value"],
            arrayminus=values["value"] - values["lower"],
            color="#444",
        ),
        textposition="auto",
    )
    table = tables.rounded(
        pd.DataFrame(
            {
                "Område": values["region"],
                "Framskrevet": values["value"],
                "Nedre (80 %)": values["lower"],
                "Øvre (80 %)": values["upper"],
                "År": year,
            }
        ),
        {},
        default=0,
    )
    return asked.answer(figure, table, bar_finding(values, indicator, year), year)
