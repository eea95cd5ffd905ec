"""The title rules (``nokkeltall.charts.titles``) on small inline series, and every chart builder's
title period against its x-range on the shipped snapshot."""

from __future__ import annotations

import re

import pytest

from nokkeltall import indicators
from nokkeltall.charts import indicator as indicator_charts
from nokkeltall.charts import population as population_charts
from nokkeltall.charts import titles
from nokkeltall.compare import figures as compare_figures
from nokkeltall.projection import figures as projection_charts

# --- flows over periods ---------------------------------------------------------------------------


def test_a_flow_is_summed_over_ten_years_against_the_ten_before_never_two_single_years():
    by_year = {year: -3.0 for year in range(2006, 2026)} | {2006: 10.0, 2025: -3.0}
    title, subtitle, years = titles.flow_title("Fødselsoverskudd", "Træna", by_year)
    assert title == "Fødselsoverskudd i Træna: −30 i alt i 2016–2025 mot −17 i 2006–2015."
    assert years == (2006, 2025)  # the chart shows the twenty years the title names
    assert subtitle.startswith("Siste fem år (2021–2025): −15 i alt, mot −15 i 2016–2020")
    assert "1980" not in title and "både" not in title


def test_a_flow_with_a_difference_within_its_yearly_swings_says_so():
    swings = {2006 + i: (12.0 if i % 2 else -12.0) for i in range(20)}  # ±12 every year
    swings[2025] = -10.0
    title, _, _ = titles.flow_title("Nettoinnflytting", "X", swings)
    assert titles.WITHIN_NOISE in title
    steady = {2006 + i: (-10.0 if i < 10 else 10.0) for i in range(20)}  # −100 then +100: a real change
    title, _, _ = titles.flow_title("Nettoinnflytting", "X", steady)
    assert title == "Nettoinnflytting i X: +100 i alt i 2016–2025 mot −100 i 2006–2015."


def test_a_short_flow_uses_five_years_or_the_whole_span():
    ten = {2016 + i: 1.0 for i in range(10)}
    title, subtitle, years = titles.flow_title("Fødselsoverskudd", "X", ten)
    assert "i 2021–2025 mot +5 i 2016–2020" in title and years == (2016, 2025) and subtitle is None
    three = {2023: 1.0, 2024: 2.0, 2025: -1.0}
    assert titles.flow_title("Fødselsoverskudd", "X", three) == (
        "Fødselsoverskudd i X: +2 i alt i 2023–2025.",
        None,
        (2023, 2025),
    )


def test_flows_compared_between_municipalities_use_common_years():
    found = titles.flows_compared(
        "Nettoinnflytting",
        {"A": {y: 1.0 for y in range(2000, 2026)}, "B": {y: -2.0 for y in range(2019, 2026)}},
    )
    assert found == ("Nettoinnflytting i alt i 2019–2025: A +7 (høyest), B −14 (lavest).", (2019, 2025))


# --- «om lag uendret» -----------------------------------------------------------------------------


def test_about_unchanged_follows_the_series_own_noise_and_rounding():
    noisy = [5.0, 1.0, 6.0, 2.0, 5.5, 1.5]  # swings of about 4 a year
    assert titles.about_unchanged(5.0, 7.0, noisy, 1)  # a change of 2 is within the swings
    assert not titles.about_unchanged(5.0, 15.0, noisy, 1)
    assert titles.about_unchanged(1.7317, 1.7385, [1.7317, 1.7385], 3)  # two years, +0,4 %: under 1 %
    assert not titles.about_unchanged(1.70, 1.80, [1.70, 1.80], 3)
    assert titles.about_unchanged(12.04, 11.96, None, 1)  # equal as shown


def test_level_title_calls_a_small_change_about_unchanged():
    assert (
        titles.level_title(
            "Kostnadsindeks", "Træna", 2025, 1.7317, 2026, 1.7385, "indeks", 3, [1.7317, 1.7385]
        )
        == "Kostnadsindeks i Træna var om lag uendret: 1,732 i 2025 og 1,739 i 2026."
    )
    assert (
        titles.level_title("Andelen", "Træna", 2016, 15.71, 2026, 18.93, "%", 1, None)
        == "Andelen i Træna økte fra 15,7 % i 2016 til 18,9 % i 2026."
    )


# --- y-axes ---------------------------------------------------------------------------------------


def test_y_axis_rule_zero_for_counts_and_shares_meaningful_range_for_indices():
    assert titles.y_range([12.0, 18.0], "%")[0] == 0.0
    assert titles.y_range([440.0, 470.0], "personer")[0] == 0.0
    low, high = titles.y_range([1.7317, 1.7385], "indeks")
    assert high - low >= titles.MIN_RELATIVE_SPAN * 1.7385  # 0,4 % does not fill the axis
    assert (1.7385 - 1.7317) / (high - low) < 0.1
    low, high = titles.y_range([-3.0, 9.0], "% av brutto driftsinntekter")
    assert low < -3.0 and high > 9.0  # values crossing zero: the range covers zero and the data
    assert (
        titles.y_range([-5.0, -1.0], "personer") is not None
        and titles.y_range([-5.0, -1.0], "personer")[0] < -5
    )
    assert titles.y_range([], "%") is None


def test_late_reference_lines_are_explained():
    note = titles.late_start_note({"Trøndelag": 2012, "hele landet": 2017, "Nordland": 2005}, 2005)
    assert note.startswith("Trøndelag vises fra 2012 og hele landet fra 2017: ")
    assert "alle kommunene har tall" in note
    assert titles.late_start_note({"Nordland": 2005}, 2005) is None


# --- every builder: the title's period is the chart's x-range ------------------------------------------

YEAR = re.compile(r"\b(?:19[89]\d|20[0-5]\d)\b")  # projections run to 2050


def _title_years(title: str) -> tuple[int, int]:
    years = [int(y) for y in YEAR.findall(title)]
    return min(years), max(years)


def _x_range(figure) -> tuple[int, int]:
    xs = [int(x) for trace in figure.data for x in (trace.x if trace.x is not None else [])]
    return min(xs), max(xs)


TIME_INDICATORS = [
    i.id for i in indicators.CATALOGUE if i.category in ("Befolkning", "Arbeid og pendling", "Økonomi")
]


@pytest.mark.parametrize("code", ["1835", "1836"])
def test_every_chart_builders_title_period_equals_its_x_range(shipped_con, code):
    charts = [
        population_charts.population_chart(shipped_con, code),
        population_charts.age_shares_chart(shipped_con, code),
    ]
    charts += [indicator_charts.indicator_chart(shipped_con, i, code) for i in TIME_INDICATORS]
    checked = 0
    for chart in charts:
        if chart is None or len(YEAR.findall(chart.title)) < 1:
            continue
        assert _title_years(chart.title) == _x_range(chart.figure), chart.title
        checked += 1
    assert checked >= 12
    # index charts say their base year, the title's first year
    population = charts[0]
    assert population.subtitle.startswith(f"Indeks {_title_years(population.title)[0]} = 100")


@pytest.mark.parametrize(
    "indicator_id", ["population", "share_67_plus_pct", "net_migration", "natural_increase"]
)
def test_comparison_line_views_title_period_equals_x_range(shipped_con, indicator_id):
    view = compare_figures.build_view(shipped_con, "linjer", indicator_id, ["1835", "1836", "5043"])
    assert view.finding
    assert _title_years(view.finding) == _x_range(view.figure), view.finding


@pytest.mark.parametrize(("code", "scenario"), [("1835", ""), ("1836", "netto=+5:20-39")])
def test_projection_builders_title_what_they_show_and_counts_start_at_zero(shipped_con, code, scenario):
    fan = projection_charts.fan_chart(shipped_con, code, scenario)
    ratio = projection_charts.old_age_ratio_chart(shipped_con, code, scenario)
    for chart in (fan, ratio):
        assert _title_years(chart.title) == _x_range(chart.figure), chart.title
    # rule 5: the projected population is a count (from zero); the old-age ratio a meaningful range
    drawn = [v for trace in fan.figure.data for v in trace.y if v is not None]
    assert list(fan.figure.layout.yaxis.range) == titles.y_range(drawn, "personer")
    assert fan.figure.layout.yaxis.range[0] == 0
    ratios = [v for trace in ratio.figure.data for v in trace.y]
    assert list(ratio.figure.layout.yaxis.range) == titles.y_range(ratios, "per 100")
    # the age profile (horizontal bars of persons): the title's years are the two series it draws
    profile = projection_charts.age_profile_chart(shipped_con, code, scenario)
    assert set(YEAR.findall(profile.title)) == {trace.name[:4] for trace in profile.figure.data}
    assert "80 år eller eldre" in profile.title
