"""Comparison data: URL parsing, index, ranks and the similar-municipalities computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nokkeltall import indicators, queries
from nokkeltall.compare import choices, similarity
from nokkeltall.compare import figures as compare_figures
from nokkeltall.compare import series as compare_series

# --- similarity on small inline data ------------------------------------------------------------

FEATURES = pd.DataFrame(
    {
        "a": [0.0, 0.1, 3.0, 0.0, 10.0],
        "b": [0.0, 5.0, 0.2, np.nan, 1.0],
    },
    index=["T", "near_a", "near_b", "missing_b", "far"],
)


def test_self_is_never_its_own_neighbour():
    table, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 1, "b": 1})
    assert "T" not in set(table["municipality_code"])
    assert len(table) == 4


def test_weights_change_the_order():
    only_a, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 1, "b": 0})
    only_b, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 0, "b": 1})
    # on a alone missing_b (a = 0) and near_a are nearest; on b alone near_b wins
    assert only_a["municipality_code"].tolist()[:2] == ["missing_b", "near_a"]
    assert only_b["municipality_code"].iloc[0] == "near_b"
    heavy_b, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 1, "b": 5})
    light_b, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 5, "b": 1})
    assert heavy_b["municipality_code"].tolist() != light_b["municipality_code"].tolist()


def test_distance_is_weighted_rms_of_z_differences():
    table, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 2, "b": 1})
    z = (FEATURES - FEATURES.mean()) / FEATURES.std(ddof=0)
    d = z.loc["near_b"] - z.loc["T"]
    expected = math.sqrt((2 * d["a"] ** 2 + 1 * d["b"] ** 2) / 3)
    assert table.set_index("municipality_code").at["near_b", "distance"] == pytest.approx(expected)


def test_missing_values_are_not_zero():
    table, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 1, "b": 1})
    row = table.set_index("municipality_code").loc["missing_b"]
    assert row["missing"] == ["b"] and row["features_used"] == 1
    z = (FEATURES["a"] - FEATURES["a"].mean()) / FEATURES["a"].std(ddof=0)
    assert row["distance"] == pytest.approx(abs(z["missing_b"] - z["T"]))  # 0: compared on a only
    # Had b been read as 0 (= T's value), missing_b would also be 0 — so check a case where it matters:
    other = FEATURES.assign(b=[1.0, 5.0, 0.2, np.nan, 1.0])
    t2, _ = similarity.similar_municipalities(other, "T", {"a": 1, "b": 1})
    assert t2.set_index("municipality_code").at["missing_b", "distance"] == pytest.approx(0.0)


def test_candidate_missing_most_weight_is_left_out():
    table, notes = similarity.similar_municipalities(FEATURES, "T", {"a": 1, "b": 3})
    assert "missing_b" not in set(table["municipality_code"])
    assert any("mangler tall" in n for n in notes)


def test_target_missing_feature_is_dropped_with_a_note():
    table, notes = similarity.similar_municipalities(FEATURES, "missing_b", {"a": 1, "b": 1})
    assert "b" not in table["missing"].sum()
    assert any("Kommunen mangler tall" in n for n in notes)
    assert "z_b" not in table.columns


def test_reasons_name_the_close_figures():
    table, _ = similarity.similar_municipalities(FEATURES, "T", {"a": 1, "b": 1})
    near_a = table.set_index("municipality_code").loc["near_a"]
    assert "a" in near_a["close"] and "b" not in near_a["close"] and near_a["differs_most"] == "b"


def test_bad_weights_are_refused():
    with pytest.raises(similarity.SimilarityError):
        similarity.similar_municipalities(FEATURES, "T", {"a": 0, "b": 0})
    with pytest.raises(similarity.SimilarityError):
        similarity.similar_municipalities(FEATURES, "T", {"a": -1, "b": 1})


def test_candidates_restrict_the_pool():
    table, _ = similarity.similar_municipalities(
        FEATURES, "T", None if False else {"a": 1, "b": 1}, candidates=["far", "T"]
    )
    assert table["municipality_code"].tolist() == ["far"]


def test_weights_round_trip_through_the_url():
    weights, problems = similarity.parse_weights(
        "population_log:2,centrality_index:0,nope:1,share_0_19_pct:9"
    )
    assert (
        weights["population_log"] == 2 and weights["centrality_index"] == 0 and weights["share_0_19_pct"] == 1
    )
    assert len(problems) == 2
    assert similarity.parse_weights(similarity.weights_to_text(weights))[0] == weights
    assert similarity.weights_to_text(similarity.DEFAULT_WEIGHTS) == ""


# --- parsing URL values ---------------------------------------------------------------------------


def test_parse_codes_reports_unknown_and_too_many():
    known = [f"{1800 + i}" for i in range(20)]
    codes, problems = choices.parse_codes("1800,abc,1801,1801,9999", known)
    assert codes == ["1800", "1801"] and "«abc»" in problems[0] and "«9999»" in problems[0]
    codes, problems = choices.parse_codes(",".join(known[:10]), known)
    assert codes == known[:8] and "høyst 8" in problems[0]
    assert choices.parse_codes("", known) == ([], [])


def test_parse_indicators_views_and_base_year():
    ids, problems = choices.parse_indicators("population,populaton,share_67_plus_pct")
    assert ids == ["population", "share_67_plus_pct"] and "population" in problems[0]
    assert choices.parse_view("stolper") == ("stolper", [])
    view, problems = choices.parse_view("kake")
    assert view == "linjer" and problems
    assert choices.parse_base_year("2016", range(2005, 2027)) == (2016, [])
    year, problems = choices.parse_base_year("1990", range(2005, 2027))
    assert year is None and "2005" in problems[0] and "2026" in problems[0]
    assert choices.default_base_year(range(2005, 2027)) == 2016
    assert choices.default_base_year([2024, 2025]) == 2024


# --- series, index and ranks against the fixture database -------------------------------------------


def test_index_and_missing_base():
    series = pd.DataFrame(
        {
            "region_code": ["A", "A", "B", "B"],
            "region": ["A", "A", "B", "B"],
            "kind": "kommune",
            "year": [2016, 2017, 2016, 2017],
            "value": [200, 210, np.nan, 5],
            "recalculated": False,
        }
    )
    indexed = compare_series.index_series(series, 2016)
    assert indexed["value"].tolist() == [100, 105]
    assert indexed.attrs["without_base"] == ["B"]


def test_rank_table_counts_outsiders_and_missing():
    values = pd.DataFrame({"municipality_code": ["p1", "p2", "p3", "x"], "value": [3.0, 2.0, np.nan, 2.5]})
    table = compare_series.rank_table(values, ["p1", "p2", "p3"], ["p2", "x", "p3"]).set_index(
        "municipality_code"
    )
    assert table.at["p2", "rank"] == 2 and table.at["p2", "of"] == 2
    assert table.at["x", "rank"] == 2 and table.at["x", "of"] == 3 and not table.at["x", "in_group"]
    assert pd.isna(table.at["p3", "rank"])


def test_comparison_series_matches_query_layer(con):
    series = compare_series.comparison_series(con, "share_67_plus_pct", ["5043", "1835"])
    municipal = series[series["kind"] == "kommune"]
    expected = queries.indicator_series(con, "share_67_plus_pct", ["5043", "1835"])
    merged = municipal.merge(
        expected, left_on=["region_code", "year"], right_on=["municipality_code", "year"]
    )
    assert len(merged) == len(expected) and np.allclose(merged["value_x"], merged["value_y"].astype(float))
    assert municipal["region_code"].iloc[0] == "5043"  # chosen order kept
    kinds = series.drop_duplicates("region_code").set_index("region_code")["kind"].to_dict()
    assert kinds == {"5043": "kommune", "1835": "kommune", "50": "fylke", "18": "fylke", "0": "land"}
    country = queries.aggregate_series(con, "share_67_plus_pct")
    got = series[series["kind"] == "land"].set_index("year")["value"]
    for year, value in country.dropna(subset=["value"]).set_index("year")["value"].items():
        assert got[year] == pytest.approx(float(value))


def test_ranks_among_small_municipalities(con):
    # fixture: small (< 2 500) in 18/50 are Træna 440, Røyrvik 300, Hamarøy 800; Narvik has exactly 2 500
    assert sorted(compare_series.small_peer_codes(con)) == ["1835", "1875", "5043"]
    ranked = compare_series.ranks(con, "population", ["1835", "5001"]).set_index("municipality_code")
    assert (
        ranked.at["1835", "rank"] == 2 and ranked.at["1835", "of"] == 3 and ranked.at["1835", "year"] == 2026
    )
    assert (
        ranked.at["5001", "rank"] == 1 and ranked.at["5001", "of"] == 4 and not ranked.at["5001", "in_group"]
    )


def test_similar_table_on_fixture_excludes_self_and_names_reasons(con):
    table, notes = similarity.similar_table(con, "1835")
    assert "1835" not in set(table["municipality_code"]) and len(table) == 4
    distances = [float(d.replace("\u2212", "-").replace(",", ".")) for d in table["Avstand"]]
    assert distances == sorted(distances) and all("," in d for d in table["Avstand"])
    assert "Kommunen mangler tall" not in " ".join(notes)  # Træna has every figure except none
    profile = similarity.target_profile(con, "1835")
    assert profile.set_index("Egenskap").at["Folketall", "Verdi"] == "440"


def test_bar_and_index_findings_name_the_only_one_or_the_highest_and_lowest():
    population = indicators.get("population")
    bars = pd.DataFrame(
        {
            "kind": ["kommune", "kommune", "land"],
            "region": ["Træna", "Røyrvik", "Norge"],
            "value": [440.0, 300.0, 5_600_000.0],
        }
    )
    assert compare_figures.bar_finding(bars, population, 2026) == (
        "Folketall i 2026: høyest i Træna (440), lavest i Røyrvik (300). Landet: 5 600 000."
    )
    assert compare_figures.bar_finding(bars.iloc[[1]], population, 2026) == "Folketall i 2026: Røyrvik 300."
    indexed = pd.DataFrame(
        {
            "kind": ["kommune"] * 4,
            "region": ["Træna", "Træna", "Røyrvik", "Røyrvik"],
            "year": [2016, 2026, 2016, 2026],
            "value": [100.0, 104.25, 100.0, 93.5],
        }
    )
    assert compare_figures.index_finding(indexed, 2016) == (
        "Med 2016 = 100 står Træna høyest på 104,3 i 2026, Røyrvik lavest på 93,5."
    )
    assert compare_figures.index_finding(indexed.iloc[2:], 2016) == (
        "Med 2016 = 100 står Røyrvik på 93,5 i 2026."
    )


def test_build_view_findings_follow_the_numbers(con):
    view = compare_figures.build_view(con, "stolper", "population", ["1835", "5043"])
    assert view.finding == "Folketall i 2026: høyest i Træna (440), lavest i Røyrvik (300)."
    assert view.table["Verdi"].tolist() == [440, 300]
    ranking = compare_figures.build_view(con, "rangering", "population", ["5043"])
    assert "Røyrvik nr. 3 av 3" in ranking.finding
    indexed = compare_figures.build_view(con, "indeks", "population", ["1835", "5043"], base_year=2016)
    table = indexed.table.set_index("År")
    assert table.at[2016, "Træna"] == 100 and table.at[2026, "Træna"] == pytest.approx(
        440 / 450 * 100, abs=0.05
    )
    assert indicators.get("population").label in indexed.title


@pytest.mark.parametrize("raw", ["²", "³", "١٢", "２０１６", "𝟐𝟎𝟏𝟔"])
def test_base_year_in_other_digits_is_a_message(raw):
    """Issue 17.8: ``"²".isdigit()`` is true but ``int("²")`` raises ValueError."""
    year, problems = choices.parse_base_year(raw, range(2005, 2027))
    assert year is None and problems and problems[0].startswith("Basisåret «")


def test_five_hundred_unknown_weights_are_one_message():
    """Issue 17.8: 500 unknown entries in ``vekter`` printed 500 warnings."""
    raw = ",".join(f"ukjent{n}:1" for n in range(500)) + ",population_log:9,population_log:9"
    weights, problems = similarity.parse_weights(raw)
    assert weights == similarity.DEFAULT_WEIGHTS
    assert len(problems) == 2, problems  # one for the unknown, one for the faulty known weight
    assert problems[0].startswith("Ukjente vekter «ukjent0», «ukjent1»") and problems[0].endswith(
        "og 495 til er utelatt."
    )
