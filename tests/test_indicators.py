"""The indicator catalogue: complete metadata, and every formula on the hand-computed fixture
(see tests/conftest.py for the numbers)."""

from __future__ import annotations

import pytest

from nokkeltall import indicators, queries

REQUIRED = {
    "population",
    "population_change_10y_pct",
    "share_0_19_pct",
    "share_20_66_pct",
    "share_67_plus_pct",
    "share_80_plus_pct",
    "old_age_ratio",
    "women_per_100_men_20_39",
    "median_age",
    "employment_rate_15_74_pct",
    "out_commuting_pct",
    "job_coverage_pct",
    "natural_increase",
    "net_migration",
    "net_operating_result_pct",
    "net_debt_per_capita_nok",
    "free_income_per_capita_nok",
    "centrality_index",
}
KINDS = {"level", "ratio", "change", "published", "median_age"}

# indicator → (municipality, year, value computed by hand from the fixture)
TRAENA_2026 = 440  # 1 Jan 2026: ages 10: 90, 30: 150, 70: 150, 85: 50
EXPECTED = {
    "population": ("1835", 2026, 440),
    "population_change_10y_pct": ("1835", 2026, (440 / 450 - 1) * 100),
    "share_0_19_pct": ("1835", 2026, 100 * 90 / 440),
    "share_20_66_pct": ("1835", 2026, 100 * 150 / 440),
    "share_67_plus_pct": ("1835", 2026, 100 * 200 / 440),
    "share_80_plus_pct": ("1835", 2026, 100 * 50 / 440),
    "old_age_ratio": ("1835", 2026, 100 * 200 / 150),
    "women_per_100_men_20_39": ("1835", 2026, 100 * 60 / 90),
    # the 220th person is in the age-30 group (90 younger): 30 + (220 − 90) / 150
    "median_age": ("1835", 2026, 30 + 130 / 150),
    "natural_increase": ("1835", 2024, -3),
    "net_migration": None,  # not in the fixture: must give no rows (a gap, not 0)
    "employment_rate_15_74_pct": ("1835", 2022, 100 * 200 / 300),
    "out_commuting_pct": ("1835", 2022, 100 * (30 + 20) / 200),
    "job_coverage_pct": ("1835", 2022, 100 * 180 / 200),
    "net_operating_result_pct": ("1835", 2024, 100 * 5 / 50),
    "net_debt_per_capita_nok": ("1835", 2025, 4400 * 1000 / 440),
    "revenues_per_capita_nok": ("1835", 2025, 300000),
    "investments_per_capita_nok": ("1835", 2025, 15000),
    "free_income_per_capita_nok": ("1835", 2027, 92_400_000 / 440),  # budget 2027 / 1 July 2026
    "cost_need_index": ("1835", 2024, 1.5),
    "centrality_index": ("1835", 2024, 323),
}
# figures published as they are: the indicator is the measure itself (fixture value 1000 + position)
EXPECTED.update(
    {indicator.id: ("1835", 2024, 1000 + index) for index, indicator in enumerate(indicators.PUBLISHED_AS_IS)}
)


def test_required_indicators_are_in_the_catalogue():
    assert set(indicators.BY_ID) >= REQUIRED


def test_ids_are_unique():
    ids = [i.id for i in indicators.CATALOGUE]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("indicator", indicators.CATALOGUE, ids=lambda i: i.id)
def test_metadata_is_complete(indicator):
    assert indicator.label.strip(), "label"
    assert indicator.unit.strip(), "unit"
    assert len(indicator.definition.strip()) > 20 and indicator.definition.strip().endswith("."), "definition"
    assert indicator.table_id.strip(), "table id"
    assert indicator.kind in KINDS
    assert indicator.category in {"Befolkning", "Arbeid og pendling", "Økonomi", "Levekår", "Struktur"}
    if indicator.kind in ("level", "ratio", "change"):
        assert indicator.numerator
    if indicator.kind == "ratio":
        assert indicator.denominator
    if indicator.kind == "change":
        assert indicator.lag_years > 0
    if indicator.kind == "published":
        # a published per-capita value needs its parts for correct county/country aggregates
        assert indicator.value_measure and indicator.numerator and indicator.denominator


def test_every_indicator_has_a_formula_test():
    assert set(EXPECTED) == set(indicators.BY_ID), (
        "add the new indicator to EXPECTED with a hand-computed value"
    )


@pytest.mark.parametrize("indicator_id", sorted(EXPECTED))
def test_formula_on_fixture(con, indicator_id):
    series = queries.indicator_series(con, indicator_id, ["1835"])
    if EXPECTED[indicator_id] is None:
        assert series.empty
        return
    code, year, expected = EXPECTED[indicator_id]
    row = series[series["year"] == year]
    assert len(row) == 1, series
    assert set(series["municipality_code"]) == {code}
    assert float(row["value"].iloc[0]) == pytest.approx(expected, rel=1e-9)


def test_change_needs_both_years(con):
    # Træna has 2016, 2017 and 2026: only 2026 has a year ten years earlier
    series = queries.indicator_series(con, "population_change_10y_pct", ["1835"])
    assert series["year"].tolist() == [2026]


def test_median_age_interpolates_within_the_age_group(con):
    series = queries.indicator_series(con, "median_age", ["5043"]).set_index("year")["value"]
    # Røyrvik 2026: 10: 45, 30: 100, 70: 105, 85: 50 (300); the 150th person is in the 70 group (145 younger)
    assert series[2026] == pytest.approx(70 + 5 / 105)


def test_ratio_with_zero_denominator_is_missing_not_infinite(con):
    import pandas as pd

    from nokkeltall.queries import _value_from_parts

    values = _value_from_parts(
        indicators.get("share_67_plus_pct"), pd.Series([5.0, 1.0]), pd.Series([0.0, None])
    )
    assert values.isna().all()


def test_recalculated_flag_carries_into_indicators(con):
    series = queries.indicator_series(con, "population", ["5001", "5043"])
    flags = {(r.municipality_code, r.year): bool(r.recalculated) for r in series.itertuples()}
    assert flags[("5001", 2016)] is True  # merger
    assert flags[("5043", 2016)] is False  # renumbered only
    assert flags[("5001", 2026)] is False


def test_near_matches():
    assert "population" in indicators.near_matches("populaton", list(indicators.BY_ID))
    assert "share_67_plus_pct" in indicators.near_matches("67", list(indicators.BY_ID))
    with pytest.raises(KeyError):
        indicators.get("nope")


def test_free_income_per_capita_divides_the_budget_year_by_1_july_of_the_year_before(con):
    # Grønt hefte B divides frie inntekter B by the population of 1 July B−1; 2026 has no 1 July 2025
    series = queries.indicator_series(con, "free_income_per_capita_nok", ["1835"])
    assert series["year"].tolist() == [2027]


def test_free_income_per_capita_on_shipped_data_matches_the_published_figures(shipped_con):
    # SOURCES.md 8.3: frie inntekter per innbygger 2027 (frie27 / pop 1 July 2026)
    series = queries.indicator_series(shipped_con, "free_income_per_capita_nok", ["1835", "5043", "1826"])
    values = series.set_index(["municipality_code", "year"])["value"]
    assert values[("1835", 2027)] == pytest.approx(177_122, abs=1)
    assert values[("5043", 2027)] == pytest.approx(171_577, abs=1)
    assert values[("1826", 2027)] == pytest.approx(121_004, abs=1)
