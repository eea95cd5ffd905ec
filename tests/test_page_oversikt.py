"""AppTest for the overview page: count sentence, table and map equal the query layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import queries, text
from nokkeltall.profile import small_municipalities

APP = str(Path(__file__).resolve().parents[1] / "app.py")


# every test here runs the app on the shipped data (with a private user store)
pytestmark = pytest.mark.usefixtures("shipped_data_dir")


def open_page(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def test_default_counties_and_threshold(shipped_con):
    at = open_page()
    assert not at.exception
    everyone = queries.municipalities(shipped_con, ["18", "50"])
    small = everyone[everyone["population"] < 2500]
    year = queries.latest_population_year(shipped_con)
    sentence = (
        f"{len(small)} av {len(everyone)} kommuner i Nordland og Trøndelag hadde under 2 500 innbyggere "
        f"per {text.population_date(year)}."
    )
    assert at.markdown[0].value == f"**{sentence}**"
    assert at.multiselect(key="fylke").value == ["18", "50"]
    assert at.number_input(key="grense").value == 2500


def test_table_shows_the_small_municipalities_with_their_figures(shipped_con):
    at = open_page()
    shown = at.dataframe[0].value
    shown = shown.data if hasattr(shown, "data") else shown  # a Styler keeps the numbers underneath
    small = queries.municipalities(shipped_con, ["18", "50"], 2499)
    assert sorted(shown["Nr."]) == sorted(small["municipality_code"])
    row = shown.set_index("Nr.").loc["1835"]
    assert row["Folketall"] == 443 == small.set_index("municipality_code").loc["1835", "population"]
    latest = queries.latest_values(shipped_con, small_municipalities.OVERVIEW_IDS[1:], ["1835"]).iloc[0]
    assert row["Endring 10 år (%)"] == pytest.approx(latest["population_change_10y_pct"])
    assert row["Eldrebyrde"] == pytest.approx(latest["old_age_ratio"])
    employment_column = [c for c in shown.columns if c.startswith("Sysselsettingsandel")][0]
    assert employment_column.endswith("(%, 2022)")  # 11618 ends in 2022: the year is in the heading
    assert row[employment_column] == pytest.approx(latest["employment_rate_15_74_pct"])
    robek = set(queries.attribute_values(shipped_con, "robek")["municipality_code"])
    assert {c for c in shown["Nr."] if shown.set_index("Nr.").loc[c, "ROBEK"] == "ja"} == robek & set(
        shown["Nr."]
    )
    trend = (
        queries.indicator_series(shipped_con, "population", ["1835"]).query("year >= 2005")["value"].tolist()
    )
    assert list(row["Folketall over tid"]) == trend


def test_county_and_threshold_from_the_url(shipped_con):
    at = open_page({"fylke": "Trøndelag", "grense": "1000"})  # the URL carries the county name
    assert not at.exception
    small = queries.municipalities(shipped_con, ["50"], 999)
    assert at.markdown[0].value.startswith(f"**{len(small)} av ")
    assert "i Trøndelag hadde under 1 000 innbyggere" in at.markdown[0].value
    shown = at.dataframe[0].value
    shown = shown.data if hasattr(shown, "data") else shown
    assert sorted(shown["Nr."]) == sorted(small["municipality_code"])


def test_map_colours_the_small_municipalities(shipped_con):
    at = open_page()
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    markers = [t for t in spec["data"] if t.get("mode") == "markers"][0]
    codes = [c[0] for c in markers["customdata"]]
    assert sorted(codes) == sorted(queries.municipalities(shipped_con, ["18", "50"])["municipality_code"])
    assert "geo" not in spec["layout"]  # no geo subplot: it would fetch a world map from the internet
    træna = next(c for c in markers["customdata"] if c[0] == "1835")
    change = queries.latest_values(shipped_con, ["population_change_10y_pct"], ["1835"]).iloc[0][
        "population_change_10y_pct"
    ]
    assert træna[2] == text.percent(change, 1)


def test_picker_opens_the_municipality_page():
    at = open_page()
    at.selectbox(key="oversikt_velg").select("1835").run()
    assert not at.exception
    assert at.query_params["kommune"] == ["1835"] or at.query_params["kommune"] == "1835"
    assert at.title[0].value == "Træna"


def test_no_municipality_under_a_low_threshold():
    at = open_page({"grense": "100"})
    assert not at.exception
    assert any("Ingen kommuner" in i.value for i in at.info)


def _warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_bad_values_in_the_address_are_named_and_the_page_still_works(shipped_con):
    at = open_page({"fylke": "Narnia", "grense": "abc", "kartmal": "<b>tull</b>"})
    assert not at.exception
    warnings = _warnings(at)
    assert "«Narnia»" in warnings and "Nordland og Trøndelag er vist i stedet" in warnings
    assert (
        "Innbyggergrensen i adressen «abc» er ikke et helt tall mellom 100 og 100 000; 2 500 er brukt."
        in warnings
    )
    assert "«\\<b\\>tull\\</b\\>»" in warnings  # escaped (safe_text), not HTML
    # the defaults are in use: the table and the map as on a plain visit
    shown = at.dataframe[0].value
    shown = shown.data if hasattr(shown, "data") else shown
    assert sorted(shown["Nr."]) == sorted(
        queries.municipalities(shipped_con, ["18", "50"], 2499)["municipality_code"]
    )
    assert at.selectbox(key="kartmal").value == "population_change_10y_pct"
    assert len(at.get("plotly_chart")) == 1


def test_a_bad_county_next_to_a_good_one_and_a_limit_out_of_range(shipped_con):
    at = open_page({"fylke": ["Narnia", "Nordland"], "grense": "999999"})
    assert not at.exception
    warnings = _warnings(at)
    assert "«Narnia»" in warnings and "Det er tatt ut av valget" in warnings and "«999999»" in warnings
    assert at.multiselect(key="fylke").value == ["18"]
    shown = at.dataframe[0].value
    shown = shown.data if hasattr(shown, "data") else shown
    assert sorted(shown["Nr."]) == sorted(
        queries.municipalities(shipped_con, ["18"], 2499)["municipality_code"]
    )


def test_good_values_in_the_address_give_no_message(shipped_con):
    at = open_page({"fylke": "Trøndelag", "grense": "1000", "kartmal": "Medianalder"})
    assert not at.exception and not at.warning
    assert at.selectbox(key="kartmal").value == "median_age"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    markers = [t for t in spec["data"] if t.get("mode") == "markers"][0]
    age = queries.latest_values(shipped_con, ["median_age"], ["5043"]).iloc[0]["median_age"]
    assert next(c for c in markers["customdata"] if c[0] == "5043")[2] == text.formatted(age, "år", 1)
    at = open_page(
        {"fylke": "", "grense": ""}
    )  # «all counties» is a valid empty choice; an empty limit is not
    assert "Innbyggergrensen i adressen er tom" in _warnings(at) and "fylke" not in _warnings(at)


def test_the_table_keeps_numbers_and_shows_them_the_norwegian_way():
    at = open_page()
    proto = at.dataframe[0].proto
    import pyarrow as pa

    display = (
        pa.ipc.open_stream(proto.arrow_data.styler.display_values).read_all().to_pandas().set_index("Nr.")
    )
    data = pa.ipc.open_stream(proto.arrow_data.data).read_all().to_pandas().set_index("Nr.")
    assert data.loc["1835", "Folketall"] == 443  # sorting is on the numbers …
    assert display.loc["1835", "Endring 10 år (%)"] == text.number(
        data.loc["1835", "Endring 10 år (%)"], 1
    )  # «−7,3»
    assert "," in display.loc["1835", "Andel 67+ (%)"]
    at.run()  # a rerun shows the same (the rendered Styler is kept)
    assert at.dataframe[0].proto.arrow_data.styler.display_values == proto.arrow_data.styler.display_values
