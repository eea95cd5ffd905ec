"""Figures of the population projection: the total with its fan (80 % and 50 %), the age groups in
2030/2035/2040/2050, the age profile now against 2040, the old-age ratio, and the county beside SSB.

Plotly, built on ``nokkeltall.charts.style``; the projection package sits above charts in the layers, so
its figures live here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from nokkeltall import queries, text
from nokkeltall.charts import titles
from nokkeltall.charts.style import (
    COUNTRY_COLOUR,
    COUNTY_COLOUR,
    EARLIER_COLOUR,
    MUNICIPALITY_COLOUR,
    REFERENCE_BAR_COLOUR,
    Chart,
    _line,
    _year_axis,
    style,
)
from nokkeltall.projection import beside_ssb, counties
from nokkeltall.projection.data import ProjectionError
from nokkeltall.projection.groups import DISPLAY_GROUPS, GROUP_LABELS
from nokkeltall.projection.projector import Projection, Projector, rounded
from nokkeltall.provenance import indicator_source

TABLE_YEARS = (2030, 2035, 2040, 2050)
PROFILE_YEAR = 2040
FAN_COLOUR = "rgba(31, 78, 121, {alpha})"
HISTORY_YEARS = titles.PERIOD_YEARS  # registered years drawn before the base year
SSB_LINES = {  # SSB's alternatives for the municipality: legend name, colour, line width
    "ssb_main": ("SSB hovedalternativ", COUNTRY_COLOUR, 2),
    "ssb_low": ("SSB lav nasjonal vekst", REFERENCE_BAR_COLOUR, 1),
    "ssb_high": ("SSB høy nasjonal vekst", REFERENCE_BAR_COLOUR, 1),
}
METHOD_NOTE = (
    "Framskrivingen er nøkkeltalls egen (kohortmetode for små kommuner), ikke SSBs. "
    "Befolkning etter alder fra SSB 07459."
)


def projection(con, code: str, scenario: str = "") -> Projection:
    """The projection from the latest year (raises ProjectionError with a Norwegian message)."""
    return Projector.from_connection(con).project(code, scenario=scenario)


def problem(con, code: str, scenario: str = "") -> str | None:
    """Why the projection (with this scenario) cannot be made, in Norwegian; None when it can."""
    try:
        projection(con, code, scenario)
    except ProjectionError as error:
        return str(error)
    return None


def method_note(con, code: str) -> str | None:
    """The settings the backtests chose for this municipality, in Norwegian."""
    try:
        result = projection(con, code)
    except ProjectionError:
        return None
    return (
        f"Innstillingene som tilbakeprøvingen valgte for {result.name} (fra {result.base_year}): "
        f"{result.choice.description()}."
    )


def _source(con) -> str:
    return f"{indicator_source(con, 'population').rstrip('.')}. {METHOD_NOTE}"


def finding(result: Projection, year: int = PROFILE_YEAR) -> str:
    """«Med dagens utvikling vil Træna ha om lag 440 innbyggere i 2040 (80 % sannsynlig mellom … og …).»"""
    row = result.table("total").set_index("year").loc[year]
    lead = "Med dagens utvikling" if result.scenario.is_main else "Med scenarioet"
    return (
        f"{lead} vil {result.name} ha om lag {text.number(rounded(row['value']))} innbyggere i {year} "
        f"(80 % sannsynlig mellom {text.number(rounded(row['lower']))} og "
        f"{text.number(rounded(row['upper']))})."
    )


def _whole(values: pd.Series) -> pd.Series:
    """Counts as whole persons (nullable integers: a missing bound stays missing)."""
    return pd.Series(values, dtype="Float64").round(0).astype("Int64")


def fan_title(result: Projection, history: pd.DataFrame) -> str:
    """The finding, with the years the chart shows: «Med dagens utvikling vil Træna ha om lag 440
    innbyggere i 2040 (80 % sannsynlig mellom … og …) og … i 2050, mot … i 2016 og … i 2026.»"""
    end = result.years[-1]
    title = finding(result)
    if end != PROFILE_YEAR:
        title = f"{title[:-1]} og {text.number(rounded(result.at(end)))} i {end}."
    registered = history.set_index("year")["value"]
    if registered.empty:
        return title
    first, base = int(registered.index.min()), int(registered.index.max())
    then = f"{text.number(registered[first])} i {first}"
    now = f"{text.number(registered[base])} i {base}"
    return f"{title[:-1]}, mot {then + ' og ' + now if first != base else now}."


def _registered(con, code: str, base_year: int) -> pd.DataFrame:
    """year, value: the registered population of the ``HISTORY_YEARS`` years up to the base year."""
    history = queries.indicator_series(con, "population", [code]).dropna(subset=["value"])
    keep = (history["year"] <= base_year) & (history["year"] >= base_year - HISTORY_YEARS)
    return history.loc[keep, ["year", "value"]]


def fan_chart(con, code: str, scenario: str = "") -> Chart | None:
    """The total with its fan (80 % and 50 %), the last ten registered years, the scenario, and SSB's
    own projection for the municipality where an online refresh has fetched it."""
    try:
        result = projection(con, code, scenario)
    except ProjectionError:
        return None
    history = _registered(con, code, result.base_year)
    table = result.table("total")
    main = result.series("total", main=True)
    ssb = beside_ssb.ssb_series(con, code)
    ssb = ssb[(ssb.index >= result.base_year - HISTORY_YEARS) & (ssb.index <= result.years[-1])]
    figure = go.Figure()
    _band(figure, table, "lower", "upper", "80 % sannsynlig", 0.12)
    _band(figure, table, "lower50", "upper50", "50 % sannsynlig", 0.25)
    _ssb_lines(figure, ssb)  # beneath ours
    _fan_lines(figure, result, history, main)
    subtitle = (
        f"Folketall 1. januar. Framskrevet fra {result.base_year} med usikkerhet fra hvor mye "
        "tidligere framskrivinger for kommuner av samme størrelse bommet."
    )
    title = fan_title(result, history)
    style(figure, title, subtitle=subtitle, height=400, y_title="Innbyggere")
    _year_axis(figure)
    drawn = [*history["value"], *table["upper"], *table["value"], *main, *ssb.to_numpy().ravel()]
    figure.update_yaxes(range=titles.y_range(drawn, "personer"))
    values = {
        "2040": float(table.set_index("year").loc[PROFILE_YEAR, "value"]),
        "scenario": result.scenario.text(),
    }
    source = _source(con) if ssb.empty else f"{_source(con)} {beside_ssb.source(con, code)}."
    shown = _fan_table(result, table, main, ssb)
    return Chart(figure, shown, title, source, f"framskriving_{code}", None, values)


def _fan_lines(figure: go.Figure, result: Projection, history: pd.DataFrame, main: pd.Series) -> None:
    figure.add_trace(
        _line(
            history["year"],
            history["value"],
            "Registrert",
            MUNICIPALITY_COLOUR,
            width=2,
            hover="Registrert: %{y:,.0f}<extra></extra>",
        )
    )
    figure.add_trace(
        _line(
            main.index,
            main.values,
            "Framskrevet (hovedalternativ)",
            MUNICIPALITY_COLOUR,
            dash="dash",
            hover="Framskrevet: %{y:,.0f}<extra></extra>",
        )
    )
    if not result.scenario.is_main:
        table = result.table("total")
        figure.add_trace(
            _line(
                table["year"],
                table["value"],
                result.scenario.description(),
                COUNTY_COLOUR,
                hover="Scenario: %{y:,.0f}<extra></extra>",
            )
        )


def _ssb_lines(figure: go.Figure, ssb: pd.DataFrame) -> None:
    """SSB's alternatives for the municipality (14288), drawn beside ours: main dotted, low/high thin (added
    high, low, main: the legend lists traces last first, so it reads main, low, high)."""
    for column, (name, colour, width) in reversed(SSB_LINES.items()):
        if column in ssb and ssb[column].notna().any():
            figure.add_trace(
                _line(
                    ssb.index,
                    ssb[column],
                    name,
                    colour,
                    width=width,
                    dash="dot",
                    hover=f"{name}: %{{y:,.0f}}<extra></extra>",
                )
            )


def _fan_table(result: Projection, table: pd.DataFrame, main: pd.Series, ssb: pd.DataFrame) -> pd.DataFrame:
    """The fan's numbers in whole persons (the document's and the app's), SSB's beside them."""
    persons = {
        "Framskrevet": "value",
        "80 % nedre": "lower",
        "80 % øvre": "upper",
        "50 % nedre": "lower50",
        "50 % øvre": "upper50",
    }
    shown = pd.DataFrame(
        {"År": table["year"], **{label: _whole(table[col]) for label, col in persons.items()}}
    )
    if not result.scenario.is_main:
        shown.insert(1, "Hovedalternativ", _whole(pd.Series(main.to_numpy())).to_numpy())
    for column, (name, _, _) in SSB_LINES.items():
        if column in ssb:
            shown[name] = _whole(pd.Series([ssb[column].get(y) for y in table["year"]], dtype="Float64"))
    return shown


def _band(figure: go.Figure, table: pd.DataFrame, low: str, high: str, name: str, alpha: float) -> None:
    colour = FAN_COLOUR.format(alpha=alpha)
    figure.add_trace(
        go.Scatter(
            x=table["year"],
            y=table[high],
            mode="lines",
            line=dict(width=0),
            showlegend=False,
            hoverinfo="skip",
            name=f"{name} øvre",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=table["year"],
            y=table[low],
            mode="lines",
            line=dict(width=0),
            fill="tonexty",
            fillcolor=colour,
            name=name,
            hoverinfo="skip",
        )
    )


def age_group_table(con, code: str, scenario: str = "") -> pd.DataFrame | None:
    """Persons in the page's age groups now and in 2030/2035/2040/2050 (Norwegian column names)."""
    try:
        result = projection(con, code, scenario)
    except ProjectionError:
        return None
    years = [result.base_year] + [y for y in TABLE_YEARS if y in result.years]
    rows = []
    for group in DISPLAY_GROUPS + ("total",):
        series = result.series(group)
        rows.append({"Aldersgruppe": GROUP_LABELS[group], **{str(y): round(float(series[y])) for y in years}})
    return pd.DataFrame(rows)


def markdown_table(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> str:
    """A small table as Markdown with Norwegian numbers (cheaper to draw than a data grid)."""
    decimals = decimals or {}

    def cell(column: str, value) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        return text.number(value, decimals.get(column, 0))

    columns = list(frame.columns)
    lines = [
        "| " + " | ".join(str(c) for c in columns) + " |",
        "|" + "|".join(["---"] + ["--:"] * (len(columns) - 1)) + "|",
    ]
    lines += [
        "| " + " | ".join(cell(c, v) for c, v in zip(columns, row, strict=True)) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def age_group_markdown(con, code: str, scenario: str = "") -> str | None:
    table = age_group_table(con, code, scenario)
    return None if table is None else markdown_table(table)


def age_profile_chart(con, code: str, scenario: str = "") -> Chart | None:
    """Persons by five-year age group now and in 2040 (both sexes: the projection is not split by sex)."""
    try:
        result = projection(con, code, scenario)
    except ProjectionError:
        return None
    labels = [f"{a}–{a + 4}" for a in range(0, 90, 5)] + ["90+"]
    now, later = _five_year(result, result.base_year), _five_year(result, PROFILE_YEAR)
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=labels,
            x=now,
            orientation="h",
            name=str(result.base_year),
            marker_color=EARLIER_COLOUR,
            hovertemplate=f"{result.base_year}: %{{x:,.0f}}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            y=labels,
            x=later,
            orientation="h",
            name=f"{PROFILE_YEAR} (framskrevet)",
            marker_color=MUNICIPALITY_COLOUR,
            hovertemplate=f"{PROFILE_YEAR}: %{{x:,.0f}}<extra></extra>",
        )
    )
    old_now, old_later = result.at(result.base_year, "80+"), result.at(PROFILE_YEAR, "80+")
    title = (
        f"I {PROFILE_YEAR} kan {result.name} ha om lag {text.number(rounded(old_later))} innbyggere som er "
        f"80 år eller eldre, mot {text.number(old_now)} i {result.base_year}."
    )
    style(
        figure,
        title,
        subtitle="Personer etter alder, begge kjønn (framskrivingen deler ikke på kjønn).",
        height=480,
        y_title=None,
    )
    figure.update_layout(barmode="group", bargap=0.15, hovermode="y unified")
    figure.update_xaxes(title_text="Personer", tickformat=",d")
    figure.update_yaxes(ticksuffix=" år")
    table = pd.DataFrame(
        {
            "Alder": labels,
            f"Personer {result.base_year}": now.round(0),
            f"Personer {PROFILE_YEAR}": later.round(0),
        }
    )
    return Chart(figure, table, title, _source(con), f"alder_framskrevet_{code}", None)


def _five_year(result: Projection, year: int):
    ages = result.values[result.years.index(year)]
    groups = [ages[a : a + 5].sum() for a in range(0, 90, 5)] + [ages[90:].sum()]
    return pd.Series(groups).to_numpy()


def old_age_ratio_chart(con, code: str, scenario: str = "") -> Chart | None:
    """Persons aged 67+ per 100 aged 20–66, registered and projected."""
    try:
        result = projection(con, code, scenario)
    except ProjectionError:
        return None
    ratio = (result.series("67+") / result.series("20-66") * 100).round(1)
    history = _registered_ratio(con, code, result.base_year)
    figure = go.Figure()
    figure.add_trace(
        _line(
            history.index,
            history.values,
            "Registrert",
            MUNICIPALITY_COLOUR,
            width=2,
            hover="Registrert: %{y:.1f}<extra></extra>",
        )
    )
    figure.add_trace(
        _line(
            ratio.index,
            ratio.values,
            "Framskrevet",
            MUNICIPALITY_COLOUR,
            dash="dash",
            hover="Framskrevet: %{y:.1f}<extra></extra>",
        )
    )
    title = ratio_title(result, history, ratio)
    style(
        figure,
        title,
        subtitle="Eldrebyrden: personer 67 år og eldre per 100 personer 20–66 år.",
        y_title="Per 100 i alderen 20–66",
    )
    _year_axis(figure)
    figure.update_yaxes(range=titles.y_range([*history.values, *ratio.values], "per 100"))
    table = pd.DataFrame(
        {
            "År": list(history.index) + list(ratio.index[1:]),
            "Eldre per 100 i arbeidsfør alder": list(history.values) + list(ratio.values[1:]),
            "Framskrevet": ["nei"] * len(history) + ["ja"] * (len(ratio) - 1),
        }
    )
    return Chart(figure, table, title, _source(con), f"eldrebyrde_{code}", None)


def ratio_title(result: Projection, history: pd.Series, ratio: pd.Series) -> str:
    """«Eldrebyrden i Træna (personer 67 år og eldre per 100 i alderen 20–66) var 30,1 i 2016 og 35,2 i
    2026; framskrevet 45,0 i 2040 og 48,3 i 2050.» (the years the chart shows, first to last)"""
    base, end = result.base_year, result.years[-1]
    registered = history if not history.empty else ratio.loc[[base]]
    first = int(registered.index.min())
    then = f"{text.number(registered[first], 1)} i {first} og " if first != base else ""
    later = [y for y in (PROFILE_YEAR, end) if y in ratio.index and y > base]
    projected = " og ".join(f"{text.number(ratio[y], 1)} i {y}" for y in dict.fromkeys(later))
    return (
        f"Eldrebyrden i {result.name} (personer 67 år og eldre per 100 i alderen 20–66) var "
        f"{then}{text.number(ratio[base], 1)} i {base}; framskrevet {projected}."
    )


def _registered_ratio(con, code: str, last_year: int) -> pd.Series:
    """The registered old-age ratio of the ``HISTORY_YEARS`` years up to ``last_year``."""
    series = queries.indicator_series(con, "old_age_ratio", [code]).dropna(subset=["value"])
    series = series[(series["year"] <= last_year) & (series["year"] >= last_year - HISTORY_YEARS)]
    return series.set_index("year")["value"].astype(float).round(1)


def county_comparison(con, code: str) -> dict | None:
    """The county's sum of municipal projections beside SSB's county projection (14288): a sentence and a
    table (Norwegian column names); None when SSB's projection is not in the database."""
    place = queries.municipality(con, code)
    if place is None:
        return None
    frame = counties.comparison(con, Projector.from_connection(con), place["county_code"])
    if frame["ssb_main"].isna().all() or frame["ours"].isna().all():
        return None
    county = place["county_name"]
    row = frame.set_index("year").loc[PROFILE_YEAR]
    direction = "over" if row["difference_pct"] > 0 else "under"
    sentence = (
        f"Summen av framskrivingene for alle kommunene i {county} gir om lag "
        f"{text.number(rounded(row['ours']))} innbyggere i {PROFILE_YEAR}, "
        f"{text.percent(abs(row['difference_pct']), 1)} {direction} SSBs hovedalternativ for fylket "
        f"({text.number(row['ssb_main'])}; lavt og høyt alternativ {text.number(row['ssb_low'])} og "
        f"{text.number(row['ssb_high'])})."
    )
    table = pd.DataFrame(
        {
            "År": frame["year"],
            "Sum av kommunene (nøkkeltall)": frame["ours"].map(rounded),
            "SSB lav": frame["ssb_low"],
            "SSB hoved": frame["ssb_main"],
            "SSB høy": frame["ssb_high"],
            "Forskjell fra SSB hoved (%)": frame["difference_pct"].round(1),
        }
    )
    shown = table.assign(**{"År": table["År"].astype(str)})
    markdown = markdown_table(shown, {"Forskjell fra SSB hoved (%)": 1})
    return {"county": county, "sentence": sentence, "table": table, "markdown": markdown}


def municipal_comparison(con, code: str) -> dict | None:
    """Our main projection beside SSB's own for the municipality (14288 after an online refresh):
    ``available``, a ``sentence`` (the difference in 2040; without SSB's figures, that they are not
    fetched yet), its ``source`` line, and a ``table``/``markdown`` of 2030/2035/2040/2050.
    None when there is no projection of ours."""
    try:
        result = projection(con, code)
    except ProjectionError:
        return None
    ssb = beside_ssb.ssb_series(con, code)
    if ssb.empty or "ssb_main" not in ssb:
        return {"available": False, "sentence": beside_ssb.NOT_FETCHED, "source": None}
    frame = beside_ssb.comparison(result, ssb)
    table = pd.DataFrame(
        {
            "År": frame["year"].astype(str),
            "Nøkkeltalls framskriving": frame["ours"].map(rounded),
            **{name: frame[column] for column, (name, _, _) in SSB_LINES.items() if column in ssb},
            "Forskjell fra SSB hoved (%)": frame["difference_pct"].round(1),
        }
    )
    return {
        "available": True,
        "sentence": _municipal_sentence(result, frame.set_index("year")),
        "source": beside_ssb.source(con, code),
        "table": table,
        "markdown": markdown_table(table, {"Forskjell fra SSB hoved (%)": 1}),
    }


def _municipal_sentence(result: Projection, frame: pd.DataFrame) -> str:
    """«I 2040 gir nøkkeltalls framskriving Træna om lag 440 innbyggere, 2,8 % over SSBs hovedalternativ
    for kommunen (428; lavt og høyt alternativ 400 og 455).»"""
    row = frame.loc[PROFILE_YEAR] if PROFILE_YEAR in frame.index else None
    if row is None or pd.isna(row["ssb_main"]) or pd.isna(row["ours"]):
        return f"SSBs framskriving for {result.name} har ikke tall for {PROFILE_YEAR}."
    difference = row["difference_pct"]
    if round(abs(difference), 1) == 0:
        relation = "det samme som SSBs hovedalternativ for kommunen"
    else:
        direction = "over" if difference > 0 else "under"
        relation = f"{text.percent(abs(difference), 1)} {direction} SSBs hovedalternativ for kommunen"
    alternatives = ""
    if not pd.isna(row.get("ssb_low", np.nan)) and not pd.isna(row.get("ssb_high", np.nan)):
        alternatives = (
            f"; lavt og høyt alternativ {text.number(row['ssb_low'])} og {text.number(row['ssb_high'])}"
        )
    return (
        f"I {PROFILE_YEAR} gir nøkkeltalls framskriving {result.name} om lag "
        f"{text.number(rounded(row['ours']))} innbyggere, {relation} "
        f"({text.number(row['ssb_main'])}{alternatives})."
    )


@dataclass(frozen=True)
class TabContent:
    """Everything the «Framskriving» tab shows for one municipality and scenario: ``problem`` (why the
    projection cannot be made) or the rest; ``fan`` None when there are too few figures to project."""

    problem: str | None = None
    fan: Chart | None = None
    age_groups: str | None = None
    age_profile: Chart | None = None
    old_age_ratio: Chart | None = None
    county: dict | None = None
    municipal: dict | None = None
    method: str | None = None


def tab_content(con, code: str, scenario: str = "") -> TabContent:
    """The tab's figures, tables and texts made in one go, so that a page rerun reads them with one cache
    lookup instead of one per part (each ``Chart`` of 2-D traces carries only the template it reads)."""
    trouble = problem(con, code, scenario)
    if trouble:
        return TabContent(problem=trouble)
    fan = fan_chart(con, code, scenario)
    if fan is None:
        return TabContent()
    return TabContent(
        fan=fan,
        age_groups=age_group_markdown(con, code, scenario),
        age_profile=age_profile_chart(con, code, scenario),
        old_age_ratio=old_age_ratio_chart(con, code, scenario),
        county=county_comparison(con, code),
        municipal=municipal_comparison(con, code),
        method=method_note(con, code),
    )
