"""The app's own projection as a compare indicator: the series equal ``Projector`` output, the compare page
draws them as bars with the 80 % interval, the source says it is not SSB's, and a slide shows it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from nokkeltall.compare import figures, projected, slides
from nokkeltall.projection import Projector
from nokkeltall.projection.figures import METHOD_NOTE

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CODES = ["1835", "1836"]
ID = projected.PROJECTED.id


def plotly_values(array) -> list:
    """A Plotly JSON array, possibly a base64 typed array."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def expected(con, code: str) -> dict:
    return Projector.from_connection(con).project(code).table("total").set_index("year").loc[projected.YEAR]


def test_series_equal_the_projector(shipped_con):
    found = projected.values(shipped_con, CODES).set_index("municipality_code")
    for code in CODES:
        row = expected(shipped_con, code)
        for column in ("value", "lower", "upper"):
            assert found.loc[code, column] == row[column]
    assert np.isnan(projected.values(shipped_con, ["9999"])["value"].iloc[0])  # missing, never faked


def test_bar_view_has_the_interval_and_the_own_source(shipped_con):
    view = figures.build_view(shipped_con, "stolper", ID, CODES)
    bar = view.figure.data[0]
    assert np.allclose(list(bar.y), [expected(shipped_con, c)["value"] for c in CODES])
    assert np.allclose(list(bar.error_y.array), [expected(shipped_con, c)["upper"] for c in CODES] - bar.y)
    assert METHOD_NOTE in view.source and "nøkkeltalls egen framskriving" in view.source
    assert view.title == f"Framskrevet folketall, {projected.YEAR}"
    line = figures.build_view(shipped_con, "linjer", ID, CODES)
    assert line.notes == [projected.UNAVAILABLE] and line.table.empty


def test_rank_view_ranks_the_projections(shipped_con):
    view = figures.build_view(shipped_con, "rangering", ID, CODES)
    chosen = view.table[view.table["Valgt"] == "ja"].set_index("Kommunenummer")
    for code in CODES:
        assert chosen.loc[code, "Verdi"] == round(expected(shipped_con, code)["value"])


def test_compare_page_draws_the_projected_bars(shipped_data_dir, shipped_con):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"kommuner": "1835,1836", "indikatorer": ID, "visning": "stolper"})
    at.switch_page("pages/sammenlign.py")
    at.run()
    assert not at.exception
    (chart,) = at.get("plotly_chart")
    bar = json.loads(chart.proto.spec)["data"][0]
    assert list(bar["x"]) == ["Træna", "Rødøy"]
    assert np.allclose(plotly_values(bar["y"]), [expected(shipped_con, c)["value"] for c in CODES])
    assert any(METHOD_NOTE in c.value for c in at.caption) or any(METHOD_NOTE in m.value for m in at.markdown)


def test_a_slide_of_the_projection(shipped_con):
    deck = slides.deck_from_list("Samling", [{"indicator_id": ID, "codes": CODES, "view": "stolper"}], CODES)
    assert not deck.problems and len(deck.slides) == 1
    view = figures.build_view(shipped_con, "stolper", ID, CODES, presentation=True)
    assert np.allclose(list(view.figure.data[0].y), [expected(shipped_con, c)["value"] for c in CODES])
