"""AppTest for the municipality page: the numbers shown equal what the query layer returns."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import queries, text
from nokkeltall.charts import indicator as indicator_charts
from nokkeltall.charts import population as population_charts
from nokkeltall.profile import municipality as municipality_profile

APP = str(Path(__file__).resolve().parents[1] / "app.py")


# every test here runs the app on the shipped data (with a private user store)
pytestmark = pytest.mark.usefixtures("shipped_data_dir")


def open_page(params: dict | None = None, **switch) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/kommune.py")
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def figure_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def trace_values(trace: dict, axis: str) -> list:
    values = trace[axis]
    if isinstance(values, dict) and "bdata" in values:  # a typed array
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_header_metrics_equal_the_query_layer(shipped_con):
    at = open_page({"kommune": "1835"})
    assert not at.exception
    head = municipality_profile.header(shipped_con, "1835")
    series = queries.indicator_series(shipped_con, "population", ["1835"])
    latest = int(series["year"].max())
    assert at.title[0].value == "Træna"
    metrics = {m.label: m for m in at.metric}
    population = metrics[f"Folketall {text.population_date(latest)}"]
    assert population.value == text.number(queries.value_in_year(series, latest))
    change = metrics[f"Endring siden {latest - 10}"]
    assert change.value == f"{text.number(head['change'], sign=True)} innb."
    assert metrics["ROBEK"].value == "Nei"


def test_population_chart_shows_the_series_and_its_finding(shipped_con):
    at = open_page({"kommune": "1835"})
    series = queries.indicator_series(shipped_con, "population", ["1835"]).query("2016 <= year <= 2026")
    spec = figure_specs(at)[0]
    muni = next(t for t in spec["data"] if t["name"] == "Træna")
    assert trace_values(muni, "x") == series["year"].tolist()
    shown_population = trace_values(muni, "customdata") if "customdata" in muni else None
    assert shown_population == [float(v) for v in series["value"]]
    finding = text.change_sentence(
        "Folketallet",
        "Træna",
        2016,
        2026,
        queries.value_in_year(series, 2016),
        queries.value_in_year(series, 2026),
    )
    assert finding == "Folketallet i Træna gikk ned med 7,3 % fra 2016 til 2026."
    assert any(m.value == f"**{finding}**" for m in at.markdown)
    assert spec["layout"]["separators"] == ", "
    assert any("Kilde: SSB, tabell 07459" in c.value for c in at.caption)


def test_sami_name_and_robek_flag(shipped_con):
    at = open_page({"kommune": "5043"})
    assert not at.exception
    assert at.title[0].value == "Raarvihke – Røyrvik"
    robek = queries.attributes(shipped_con, "5043")["robek"]["value"]
    assert {m.label: m.value for m in at.metric}["ROBEK"] == f"Ja ({robek})"
    assert any("ROBEK-registeret" in w.value for w in at.warning)


def test_economy_tab_shows_every_economy_figure(shipped_con):
    at = open_page({"kommune": "1835", "del": "Økonomi"})
    assert not at.exception
    expected = municipality_profile.economy_table(shipped_con, "1835")
    shown = at.dataframe[0].value
    assert shown["Nøkkeltall"].tolist() == expected["Nøkkeltall"].tolist()
    assert shown["Verdi"].tolist() == expected["Verdi"].tolist()
    net_debt = queries.indicator_series(shipped_con, "net_debt_per_capita_nok", ["1835"])
    assert (
        text.kroner(queries.value_in_year(net_debt, int(net_debt["year"].max()))) in shown["Verdi"].tolist()
    )
    assert any("KOSTRA-tallene i databasen dekker 79 kommuner" in i.value for i in at.info)


def test_work_tab_commuting_flows_exclude_own_municipality(shipped_con):
    at = open_page({"kommune": "1835", "del": "Arbeid og pendling"})
    assert not at.exception
    flows = queries.commuting_flows(shipped_con, "1835", None, 20)["out"]
    flows = flows[flows["municipality_code"] != "1835"]
    bars = [s for s in figure_specs(at) if s["data"][0]["type"] == "bar"][0]["data"][0]
    assert list(reversed(bars["y"]))[0] == flows.iloc[0]["name"]
    assert list(reversed(trace_values(bars, "x")))[0] == float(flows.iloc[0]["employed_persons"])
    employment = queries.indicator_series(shipped_con, "employment_rate_15_74_pct", ["1835"])
    assert employment["year"].max() == 2022
    assert any("til 65,7 % i 2022" in m.value for m in at.markdown)


def test_plan_tab_links_to_the_plan_page(shipped_con):
    at = open_page({"kommune": "1811", "del": "Plan"})
    assert not at.exception
    plans = municipality_profile.plan_sources(shipped_con, "1811")
    assert at.dataframe[0].value["Plan"].tolist() == plans["Plan"].tolist()
    links = {link.proto.page: link.proto.query_string for link in at.get("page_link")}
    assert links["plan"] == "kommune=1811"
    assert links["sammenlign"] == "kommune=1811"  # the comparison with its most similar municipalities


def test_without_municipality_asks_for_one():
    at = open_page()
    assert not at.exception
    assert any("Velg en kommune" in i.value for i in at.info)
    assert at.selectbox(key="kommune_picker_main").value is None
    assert not at.get("plotly_chart")


@pytest.mark.parametrize(
    "value, message",
    [
        ("9999", "Fant ingen kommune med nummer «9999»"),
        ("abc", "Fant ingen kommune med nummer «abc»"),
        ("", "tomt kommunenummer"),
        ("9" * 400, "Fant ingen kommune med nummer"),
        ("<script>1835</script>", "Fant ingen kommune med nummer"),
    ],
)
def test_bad_values_give_a_message_and_the_picker(value, message):
    at = open_page({"kommune": value})
    assert not at.exception
    assert any(message in w.value for w in at.warning)
    assert at.selectbox(key="kommune_picker_main") is not None
    assert not at.get("plotly_chart")
    assert all(len(w.value) < 200 for w in at.warning)


def test_municipality_without_data(monkeypatch):
    import streamlit as st

    def no_population(shipped_con, code):
        return {"name": "Træna", "display_name": "Træna", "has_data": False}

    # the page's cache looks functions up by module and name: make the stand-in answer to that name
    no_population.__module__, no_population.__qualname__ = municipality_profile.__name__, "header"

    st.cache_data.clear()
    monkeypatch.setattr(municipality_profile, "header", no_population)
    try:
        at = open_page({"kommune": "1835"})
        assert not at.exception
        assert any("Databasen har ingen befolkningstall for Træna" in w.value for w in at.warning)
        assert at.selectbox(key="kommune_picker_main").value == "1835"
        assert not at.get("plotly_chart")
    finally:
        st.cache_data.clear()


def test_chart_builders_return_none_for_unknown_municipality(shipped_con):
    assert population_charts.population_chart(shipped_con, "9999") is None
    assert indicator_charts.indicator_chart(shipped_con, "employment_rate_15_74_pct", "9999") is None
    assert municipality_profile.header(shipped_con, "9999") is None


def test_header_wording_lives_in_the_profile_not_the_page():
    head = {
        "code": "1835",
        "name": "Træna",
        "county_name": "Nordland",
        "year": 2026,
        "kostra_group": {"value": "KOSTRA-gruppe 16"},
        "centrality": {"value": "Sentralitetsklasse 5-6 - mindre sentrale"},
        "robek": {"value": "2025", "as_of": "2025-01-01"},
        "robek_grounds": {"value": "b) Merforbruk i driften.; c) Inndekning over mer enn to år."},
        "robek_date": "20. april 2026",
    }
    facts = municipality_profile.header_facts(head)
    assert facts[:2] == ["Nordland", "kommunenr. 1835"]
    assert facts[-1] == "Sentralitetsklasse 5–6 – mindre sentrale"
    assert municipality_profile.robek_sentence(head) == (
        "Træna står i ROBEK-registeret per 20. april 2026: "
        "b) Merforbruk i driften; c) Inndekning over mer enn to år."
    )
    assert (
        municipality_profile.robek_sentence({**head, "robek_grounds": None})
        == "Træna står i ROBEK-registeret."
    )
    assert municipality_profile.robek_sentence({**head, "robek": None}) is None
    assert municipality_profile.change_arrow(-0.04) == ("off", "off")
    assert municipality_profile.change_arrow(-7.2) == ("down", "red")
    assert municipality_profile.change_arrow(3.1) == ("up", "green")
    assert municipality_profile.change_arrow(None) == ("off", "off")
