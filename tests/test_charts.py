"""Unit tests of the figure builders' text and helpers on small inline data, and of the builders
against the query layer on the shipped snapshot's database."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from nokkeltall import provenance, queries, text
from nokkeltall.charts import indicator as indicator_charts
from nokkeltall.charts import maps, titles
from nokkeltall.charts import population as population_charts
from nokkeltall.charts import style as chart_style
from nokkeltall.profile import small_municipalities


def test_display_name_uses_an_en_dash():
    assert text.display_name("Raarvihke - Røyrvik") == "Raarvihke – Røyrvik"
    assert text.display_name("Træna") == "Træna"


def test_source_text_is_plain_norwegian_and_dated():
    sources = pd.DataFrame(
        {
            "table_id": ["07459", "07459", "11618"],
            "publisher": ["Statistisk sentralbyrå"] * 3,
            "updated": [None, "2025-05-21T06:00:00Z", None],
            "fetched": ["2026-11-26T07:15:09+00:00"] * 3,
        }
    )
    # several tables: the date the files were fetched (a publication date of one table would mislead)
    assert provenance.source_text(sources) == (
        "Kilde: SSB, tabell 07459 (befolkning 1. januar) og tabell 11618 "
        "(sysselsatte etter bosted og arbeidssted), hentet 26. november 2026"
    )
    # one table with SSB's publication date: that date
    assert (
        provenance.source_text(sources[sources["table_id"] == "07459"])
        == "Kilde: SSB, tabell 07459 (befolkning 1. januar), oppdatert 21. mai 2025"
    )
    kostra = pd.DataFrame(
        {
            "table_id": ["KOSTRA"],
            "publisher": ["SSB KOSTRA (via tredjepart)"],
            "updated": [None],
            "fetched": ["2026-11-26"],
        }
    )
    assert provenance.source_text(kostra) == "Kilde: SSB, KOSTRA (kommuneregnskap), hentet 26. november 2026"
    dki = pd.DataFrame(
        {
            "table_id": ["KDD-DKI"],
            "publisher": ["Kommunal- og distriktsdepartementet (KDD)"],
            "updated": ["2026-04-26"],
            "fetched": ["2026-11-26"],
        }
    )
    assert (
        provenance.source_text(dki)
        == "Kilde: Kommunal- og distriktsdepartementet, Grønt hefte (kostnadsindeks), "
        "oppdatert 26. april 2026"
    )


def test_level_sentence_direction_and_norwegian_numbers():
    assert (
        titles.level_title("Andelen 67 år og eldre", "Træna", 2016, 15.71, 2026, 16.93, "%", 1)
        == "Andelen 67 år og eldre i Træna økte fra 15,7 % i 2016 til 16,9 % i 2026."
    )
    debt = titles.level_title("Netto lånegjeld per innbygger", "Træna", 2023, 224213, 2025, 208176, "kr", 0)
    assert (
        debt == "Netto lånegjeld per innbygger i Træna gikk ned fra 224 213 kr i 2023 til 208 176 kr i 2025."
    )
    assert titles.level_title("X", "Y", 2025, 1.0, 2025, 1.0, "indeks", 3) == "X i Y var 1,000 i 2025."


def test_recalculated_note_lists_the_years():
    frame = pd.DataFrame(
        {"year": [2005, 2006, 2007, 2010, 2020], "recalculated": [True, True, True, True, False]}
    )
    assert provenance.recalculated_note(frame, "Hitra") == (
        "Tallene for Hitra for 2005–2007, 2010 er omregnet til dagens kommunegrenser "
        "(markert «omregnet» i tabellen)."
    )
    assert provenance.recalculated_note(frame.assign(recalculated=False), "Hitra") is None


def test_format_table_writes_norwegian_numbers_and_keeps_years():
    frame = pd.DataFrame(
        {"År": [2025, 2026], "Folketall": pd.array([1234, None], dtype="Int64"), "Andel (%)": [12.345, 7.0]}
    )
    shown = chart_style.format_table(frame)
    assert shown["År"].tolist() == [2025, 2026]
    assert shown["Folketall"].tolist() == ["1 234", text.MISSING]
    assert shown["Andel (%)"].tolist() == ["12,3", "7,0"]


def test_map_classes_and_simplified_outlines():
    bins = maps.classes(pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10.0]))
    assert len(bins) == 5 and bins[0][0] == 1 and bins[-1][1] == 10
    assert maps.classes(pd.Series([3.0, 3.0])) == [(3.0, 3.0)]
    ring = [
        [10.0001, 65.0001],
        [10.0002, 65.0002],
        [10.1, 65.0],
        [10.1, 65.1],
        [10.0, 65.1],
        [10.0001, 65.0001],
    ]
    simplified = maps.simplify([ring], 0.004)
    assert simplified[0][0] == simplified[0][-1] and len(simplified[0]) == 5  # near-duplicate point dropped


def test_overview_export_formats(tmp_path):
    frame = pd.DataFrame(
        {
            "municipality_code": ["1835"],
            "name": ["Træna"],
            "county_name": ["Nordland"],
            "population": [443],
            "population_change_10y_pct": [-7.3222],
            "share_67_plus_pct": [16.93],
            "old_age_ratio": [25.3],
            "employment_rate_15_74_pct": [65.7],
            "employment_rate_15_74_pct__year": [2022],
            "robek": ["nei"],
            "trend": [[478.0, 443.0]],
        }
    )
    export = small_municipalities.overview_export(frame)
    assert "Sysselsettingsandel 15–74 år (%, 2022)" in export.columns
    assert "Folketall over tid" not in export.columns
    csv = small_municipalities.to_csv(export).decode("utf-8-sig")
    assert "1835;Træna;Nordland;443;-7,3;16,9" in csv
    workbook = small_municipalities.to_excel(export, source="Kilde: SSB")
    assert workbook[:2] == b"PK"  # an xlsx (zip) file
    read = pd.read_excel(__import__("io").BytesIO(workbook))
    assert read.loc[0, "Folketall"] == 443


# --- builders against the shipped snapshot's database --------------------------------------------


@pytest.fixture(scope="module")
def con(shipped_con):
    return shipped_con


def test_population_chart_matches_the_query_layer(con):
    chart = population_charts.population_chart(con, "1835")
    series = queries.indicator_series(con, "population", ["1835"]).query("2016 <= year <= 2026")
    assert chart.title == "Folketallet i Træna gikk ned med 7,3 % fra 2016 til 2026."
    assert chart.subtitle.startswith("Indeks 2016 = 100.")  # the base is the title's first year
    assert chart.table["Folketall Træna"].tolist() == series["value"].round().astype(int).tolist()
    traena = next(t for t in chart.figure.data if t.name == "Træna")
    assert list(traena.customdata) == [float(v) for v in series["value"]]
    base = chart.figure.layout.meta["subtitle"].split("Indeks ")[1][:4]
    county = queries.aggregate_series(con, "population", "18")
    index = chart.table.set_index("År")["Indeks Nordland"]
    assert index[int(base)] == 100.0
    assert index[2026] == pytest.approx(
        round(queries.value_in_year(county, 2026) / queries.value_in_year(county, int(base)) * 100, 1)
    )
    # «Samme periode: Nordland +1,1 %» is what the county's line shows at its end
    assert f"Nordland {text.percent(index[2026] - 100, 1, sign=True)}" in chart.subtitle
    assert chart.source.startswith("Kilde: SSB, tabell 07459")
    assert chart.figure.layout.separators == ", "


def test_age_chart_compares_totals_ten_years_apart(con):
    chart = population_charts.age_chart(con, "1835")
    now = queries.population_by_age(con, "1835", 2026)
    before = queries.population_by_age(con, "1835", 2016)
    assert chart.table["Personer 2026"].sum() == now.loc[now["sex"] == "total", "persons"].sum()
    assert chart.table["Personer 2016"].sum() == before.loc[before["sex"] == "total", "persons"].sum()
    assert "bare fra 2020" in chart.subtitle


def test_recalculated_values_are_marked(con):
    recalculated = con.execute(
        "SELECT municipality_code FROM measure WHERE measure = 'population' AND recalculated "
        "AND year >= 2005 ORDER BY 1 LIMIT 1"
    ).fetchall()
    code = recalculated[0][0]
    chart = population_charts.population_chart(con, code)
    assert "omregnet" in chart.table["Merknad"].tolist()
    assert chart.note and "omregnet til dagens kommunegrenser" in chart.note


def test_titled_figure_for_exports(con):
    chart = indicator_charts.indicator_chart(con, "employment_rate_15_74_pct", "1835")
    assert chart.figure.layout.title.text is None
    exported = chart_style.titled(chart.figure)
    assert exported.layout.title.text.replace("<br>", " ") == chart.title


def test_count_chart_keeps_county_sums_off_the_axis(con):
    """Natural increase in a municipality of 443 against the county's sum: on one axis the municipality
    would lie flat on zero, so the sums are in the finding and the table, not the figure."""
    chart = indicator_charts.indicator_chart(con, "natural_increase", "1835")
    assert [trace.name for trace in chart.figure.data] == ["Træna"]
    assert "Nordland (personer)" in chart.table.columns  # the county sum is in the table
    assert "står i tabellen" in chart.subtitle
    rate = indicator_charts.indicator_chart(con, "employment_rate_15_74_pct", "1835")
    assert len(rate.figure.data) > 1  # rates keep their county and country lines


def test_indicator_table_shows_counts_without_decimals(con):
    chart = indicator_charts.indicator_chart(con, "natural_increase", "1835")
    column = next(c for c in chart.display.columns if c.startswith("Træna"))
    shown = [v for v in chart.display[column] if v != "–"]
    assert shown and all("," not in v for v in shown), shown


def test_charts_carry_only_the_template_their_kind_reads():
    """A 2-D chart is sent with the template parts a scatter or bar chart reads (the municipality page's six
    charts: about 1 kB of template each instead of 7 kB); other kinds keep the whole «plotly_white»."""
    table = pd.DataFrame({"År": [2020, 2021], "Folketall": [500, 490]})
    lines = chart_style.Chart(
        chart_style.style(go.Figure([go.Scatter(x=[2020, 2021], y=[500, 490]), go.Bar(x=[1], y=[2])]), "T"),
        table,
        "T",
        "Kilde: SSB",
        "t",
    )
    assert set(lines.figure.layout.template.to_plotly_json()["data"]) == {"scatter", "bar"}
    assert "geo" not in lines.figure.layout.template.to_plotly_json()["layout"]
    other = chart_style.Chart(
        chart_style.style(go.Figure(go.Scattergeo(lon=[13], lat=[66])), "T"), table, "T", "Kilde: SSB", "t"
    )
    assert "geo" in other.figure.layout.template.to_plotly_json()["layout"]
