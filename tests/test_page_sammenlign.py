"""The compare page: figures and rankings shown equal the query layer; bad URL values give clear
Norwegian messages while the rest of the page works."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import db, queries
from nokkeltall.store import UserStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def data_dir(writable_data_dir):
    """The inline fixture data, copied (the app's caches are keyed on the data, so none is cleared)."""
    return writable_data_dir


def run(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/sammenlign.py")
    return at.run()


def values(array) -> list:
    """A Plotly JSON array, possibly a base64 typed array."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_lines_show_the_query_layer_values(data_dir):
    at = run({"kommuner": "1835,5043", "indikatorer": "share_67_plus_pct", "visning": "linjer"})
    assert not at.exception and not at.warning
    (figure,) = figures(at)
    traces = {t["name"]: t for t in figure["data"]}
    assert {"Træna", "Røyrvik", "Nordland", "Trøndelag", "Landet"} <= set(traces)
    con = db.connect(data_dir / "nokkeltall.duckdb")
    expected = queries.indicator_series(con, "share_67_plus_pct", ["1835"])
    assert values(traces["Træna"]["x"]) == expected["year"].tolist()
    assert np.allclose(values(traces["Træna"]["y"]), expected["value"].astype(float))
    country = queries.aggregate_series(con, "share_67_plus_pct").dropna(subset=["value"])
    assert np.allclose(values(traces["Landet"]["y"]), country["value"].astype(float))
    assert at.query_params["kommuner"] == "1835,5043"


def test_ranks_shown_equal_the_peer_group(data_dir):
    at = run({"kommuner": "5043,1835", "indikatorer": "population", "visning": "rangering"})
    assert not at.exception
    (figure,) = figures(at)
    bars = figure["data"][0]
    # small municipalities (< 2 500) of Nordland/Trøndelag in the fixture: Hamarøy 800, Træna 440, Røyrvik 300
    assert list(bars["y"]) == ["3. Røyrvik", "2. Træna", "1. Hamarøy"]
    assert values(bars["x"]) == [300, 440, 800]
    finding = [m.value for m in at.markdown if "nr." in m.value][0]
    assert "Røyrvik nr. 3 av 3" in finding and "Træna nr. 2 av 3" in finding


def test_bad_url_values_give_messages_and_the_page_still_works(data_dir):
    at = run(
        {
            "kommuner": "1835,9999,5043,abc",
            "indikatorer": "population,tull",
            "visning": "indeks",
            "basisaar": "1900",
        }
    )
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "«9999»" in warnings and "«abc»" in warnings and "«tull»" in warnings and "1900" in warnings
    assert len(at.get("plotly_chart")) == 1
    assert at.query_params["kommuner"] == "1835,5043" and at.query_params["basisaar"] == "2016"


def test_empty_and_too_many(data_dir):
    at = run({"kommuner": "", "indikatorer": "population"})
    assert not at.exception and not at.get("plotly_chart")
    assert any("minst to kommuner" in i.value for i in at.info)
    at = run({"kommuner": "1806,1835,1875,5001,5043,1806,1835,1875,5001,5043", "indikatorer": ""})
    assert not at.exception and any("minst én indikator" in i.value for i in at.info)


def test_similar_municipalities_and_network_quick_pick(data_dir):
    at = run({"kommuner": "1835,5043", "indikatorer": "population", "lik": "1835"})
    assert not at.exception
    similar = next(d.value for d in at.dataframe if "Avstand" in d.value.columns)
    assert "Træna (1835)" not in set(similar["Kommune"]) and len(similar) == 4
    # no application marked «valgt» → a message, nothing changes
    at.button[1].click().run()
    assert any("Ingen kommuner er valgt" in w.value for w in at.warning)
    UserStore().add_application(
        {
            "municipality_code": "1875",
            "round_year": 2026,
            "samfunnsdel_year": 2015,
            "progress_plan": "Planstrategi 2027",
            "has_fact_base": True,
            "fact_base_description": "SSB-tall",
            "planning_staff_persons": 1,
            "planning_staff_percent": 50,
            "contact_name": "Kari",
            "contact_email": "kari@example.no",
            "received_date": "2026-01-05",
            "status": "valgt",
        },
        changed_by="test",
    )
    UserStore().add_application(
        {
            "municipality_code": "5043",
            "round_year": 2026,
            "samfunnsdel_year": 2015,
            "progress_plan": "Planstrategi 2027",
            "has_fact_base": True,
            "fact_base_description": "SSB-tall",
            "planning_staff_persons": 1,
            "planning_staff_percent": 50,
            "contact_name": "Ola",
            "contact_email": "ola@example.no",
            "received_date": "2026-01-05",
            "status": "valgt",
        },
        changed_by="test",
    )
    at.button[1].click().run()
    assert at.query_params["kommuner"] == "1875,5043"


def _similar_shown(at: AppTest):
    return next(d.value for d in at.dataframe if "Avstand" in d.value.columns)


def test_weights_from_the_url_sliders_drawn_only_when_opened(data_dir):
    from nokkeltall.compare import similarity
    from nokkeltall.ui import compare_view

    at = run(
        {
            "kommuner": "1835,5043",
            "indikatorer": "population",
            "lik": "1835",
            "vekter": "population_log:3,centrality_index:0",
        }
    )
    assert not at.exception and not at.warning
    assert not at.slider  # the eight sliders are not drawn while «Vekter» is closed …
    weights = {**similarity.DEFAULT_WEIGHTS, "population_log": 3.0, "centrality_index": 0.0}
    con = db.connect(data_dir / "nokkeltall.duckdb")
    expected, _ = similarity.similar_table(con, "1835", weights, False)
    shown = _similar_shown(at)
    assert shown["Kommune"].tolist() == expected["Kommune"].tolist()  # … yet the URL's weights are in use
    assert at.query_params["vekter"] == "population_log:3,centrality_index:0"

    at.session_state[compare_view.K_WEIGHTS_OPEN] = True  # open «Vekter»
    at.run()
    sliders = {s.label: s for s in at.slider}
    assert len(sliders) == 8 and sliders["Folketall"].value == 3.0 and sliders["Sentralitet"].value == 0.0
    sliders["Sentralitet"].set_value(2.0).run()
    assert at.query_params["vekter"] == "population_log:3,centrality_index:2"
    expected, _ = similarity.similar_table(con, "1835", {**weights, "centrality_index": 2.0}, False)
    assert _similar_shown(at)["Kommune"].tolist() == expected["Kommune"].tolist()

    at.session_state[compare_view.K_WEIGHTS_OPEN] = False  # closed again: the weights stay
    at.run()
    assert not at.slider and at.query_params["vekter"] == "population_log:3,centrality_index:2"


def test_the_excel_of_all_indicators_is_made_on_click(data_dir):
    from nokkeltall.compare import export
    from nokkeltall.ui import compare_view

    at = run({"kommuner": "1835,5043", "indikatorer": "population,share_67_plus_pct"})
    assert not at.exception
    button = next(b for b in at.get("download_button") if "Excel" in b.proto.label)
    assert button.proto.deferred_file_id and not button.proto.url  # no workbook built on this rerun
    con = db.connect(data_dir / "nokkeltall.duckdb")
    assert compare_view._workbook(("population", "share_67_plus_pct"), ("1835", "5043"))[:2] == b"PK"
    assert len(export.comparison_workbook(con, ["population", "share_67_plus_pct"], ["1835", "5043"])) > 1000


def test_opens_with_a_chart_for_the_municipality_the_user_came_from(shipped_data_dir):
    """From ?kommune= (or the municipality page, which leaves its choice in the session): that municipality,
    its three most similar and the county, population as an index; said so, and changeable."""
    for params, session in (({"kommune": "1835"}, {}), ({}, {"_kommune": "1835"})):
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        for key, value in session.items():
            at.session_state[key] = value
        at.switch_page("pages/sammenlign.py")
        at.run()
        assert not at.exception and not at.warning
        codes = at.session_state["cmp_kommuner"]
        assert codes[0] == "1835" and len(codes) == 4
        assert at.session_state["cmp_lik"] == "1835"  # «Lignende kommuner» starts on it too
        assert any("Viser folketallet for Træna, de 3 kommunene som ligner mest" in i.value for i in at.info)
        (chart,) = at.get("plotly_chart")
        names = [trace["name"] for trace in json.loads(chart.proto.spec)["data"]]
        assert names[0] == "Træna" and "Nordland" in names
        assert "1835," in str(at.query_params["kommuner"])  # the address now names the comparison
    at = run({"kommune": "99x"})
    assert not at.exception and any("Fant ingen kommune med nummer «99x»" in w.value for w in at.warning)
