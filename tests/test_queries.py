"""Named queries on the fixture database, above all the county and country aggregates:
sum of numerators / sum of denominators, and missing when a municipality lacks the figure."""

from __future__ import annotations

import pandas as pd
import pytest

from nokkeltall import queries


def aggregate(con, indicator_id, county=None) -> dict:
    frame = queries.aggregate_series(con, indicator_id, county)
    return {int(r.year): (None if pd.isna(r.value) else float(r.value)) for r in frame.itertuples()}


# --- aggregates ---------------------------------------------------------------------------------


def test_county_share_is_sum_over_sum_not_mean_of_shares(con):
    # 67+ in 2026: Træna 200/440, Narvik 800/2500, Hamarøy 290/800
    value = aggregate(con, "share_67_plus_pct", "18")[2026]
    assert value == pytest.approx(100 * 1290 / 3740)
    mean_of_shares = 100 * (200 / 440 + 800 / 2500 + 290 / 800) / 3
    assert abs(value - mean_of_shares) > 1


def test_county_net_operating_result_sum_over_sum(con):
    result = aggregate(con, "net_operating_result_pct", "18")
    assert result[2024] == pytest.approx(100 * (5 + 10 + 90) / (50 + 1000 + 100))
    assert result[2017] is None  # 1875's net result is missing in 2017


def test_published_per_capita_aggregates_from_its_parts(con):
    value = aggregate(con, "net_debt_per_capita_nok", "18")[2025]
    assert value == pytest.approx(1000 * (4400 + 5000 + 8000) / (440 + 2500 + 800))
    mean_of_published = (10000 + 2000 + 10000) / 3
    assert abs(value - mean_of_published) > 100


def test_aggregate_is_missing_when_a_municipality_lacks_the_figure(con):
    frame = queries.aggregate_series(con, "out_commuting_pct", "18")
    row = frame[frame["year"] == 2022].iloc[0]
    assert pd.isna(row["value"])  # Hamarøy has no commuting flows
    assert (row["municipalities_with_data"], row["municipalities"]) == (2, 3)


def test_county_levels_and_change(con):
    assert aggregate(con, "population", "18") == {2016: 3350, 2017: 3360, 2026: 3740}
    assert aggregate(con, "population", "50")[2016] == 6300
    assert aggregate(con, "natural_increase", "18") == {2024: -18}
    change = aggregate(con, "population_change_10y_pct", "18")
    assert change[2026] == pytest.approx((3740 / 3350 - 1) * 100)
    assert change.get(2016) is None  # no population ten years earlier
    assert aggregate(con, "employment_rate_15_74_pct", "18")[2022] == pytest.approx(100 * 1800 / 2450)


def test_country_aggregate(con):
    assert aggregate(con, "population") == {2016: 9650, 2017: 9660, 2026: 10640}
    assert aggregate(con, "natural_increase") == {2024: 480}
    assert aggregate(con, "population_change_10y_pct")[2026] == pytest.approx((10640 / 9650 - 1) * 100)
    assert aggregate(con, "net_operating_result_pct")[2024] == pytest.approx(
        100 * (5 + 10 + 90 + 100 + 1) / (50 + 1000 + 100 + 10000 + 10)
    )
    # the median of the country's age distribution (sums per age), not a mean of medians
    # ages 10: 2335, 30: 5460, 70: 2185, 85: 660 → the 5320th person: 30 + (5320 − 2335) / 5460
    assert aggregate(con, "median_age")[2026] == pytest.approx(30 + (5320 - 2335) / 5460)


def test_non_summable_level_has_no_aggregate(con):
    assert queries.aggregate_series(con, "cost_need_index", "18").empty
    assert queries.aggregate_series(con, "centrality_index").empty


# --- other reads ----------------------------------------------------------------------------------


def test_municipalities_filters(con):
    frame = queries.municipalities(con)
    assert frame["municipality_code"].tolist() == ["1806", "1835", "1875", "5001", "5043"]
    assert frame.set_index("municipality_code").loc["1835", "population"] == 440
    assert frame.set_index("municipality_code").loc["1835", "population_year"] == 2026
    small = queries.municipalities(con, ["18"], 800)
    assert small["municipality_code"].tolist() == ["1835", "1875"]
    assert queries.municipalities(con, ["50"], 2499)["municipality_code"].tolist() == ["5043"]
    assert queries.municipalities(con, ["18", "50"], 300)["municipality_code"].tolist() == ["5043"]


def test_municipality_and_counties(con):
    assert queries.municipality(con, "1835")["name"] == "Træna"
    assert queries.municipality(con, "9999") is None
    assert queries.counties(con)["county_code"].tolist() == ["18", "50"]
    assert queries.latest_population_year(con) == 2026


def test_latest_values(con):
    frame = queries.latest_values(
        con, ["population", "net_operating_result_pct", "out_commuting_pct"], ["1835", "1875"]
    ).set_index("municipality_code")
    assert frame.loc["1835", "population"] == 440
    assert frame.loc["1835", "population__year"] == 2026
    assert frame.loc["1875", "net_operating_result_pct"] == pytest.approx(90)
    assert frame.loc["1875", "net_operating_result_pct__year"] == 2024
    assert pd.isna(frame.loc["1875", "out_commuting_pct"])  # missing, not 0


def test_population_by_age_and_commuting_flows(con):
    ages = queries.population_by_age(con, "1835", 2026)
    assert not ages.empty
    flows = queries.commuting_flows(con, "1835", 2022, 10)
    assert flows["year"] == 2022
    out = flows["out"].set_index("municipality_code")["employed_persons"].to_dict()
    assert out == {"1835": 150, "1806": 30, "5001": 20}
    assert flows["in"].set_index("municipality_code")["employed_persons"].to_dict() == {
        "1835": 150,
        "1806": 5,
    }


def test_provenance(con):
    names = set(queries.datasets(con)["name"])
    assert {"kostra_fixture", "population_07459_2016_2017"} <= names
    sources = queries.indicator_sources(con, "net_operating_result_pct")
    assert sources["table_id"].tolist() == ["12134"]
    assert set(queries.indicator_sources(con, "population")["table_id"]) == {"07459"}
    assert queries.build_problems(con) == {}


def test_attributes_only_for_todays_municipalities(con):
    assert queries.attributes(con, "1835") == {}
    assert queries.attribute_values(con, "robek").empty
