"""Gathering mode: one figure per slide with its finding, previous/next via ?lysbilde=, decks saved
and reopened, clear messages for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import db
from nokkeltall.compare import figures as compare_figures
from nokkeltall.store import UserStore
from nokkeltall.store.decks import DeckStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def data_dir(writable_data_dir):
    """The inline fixture data, copied (the app's caches are keyed on the data, so none is cleared)."""
    return writable_data_dir


def run(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/samlingsmodus.py")
    return at.run()


def finding(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith('<div class="slide-finding"'))


def test_step_through_slides(data_dir):
    params = {"kommuner": "1835,5043", "indikatorer": "population,share_67_plus_pct,median_age",
              "visning": "stolper"}
    at = run(params)
    assert not at.exception and not at.warning
    assert len(at.get("plotly_chart")) == 1 and at.button(key="previous").disabled
    con = db.connect(data_dir / "nokkeltall.duckdb")
    for number, indicator_id in enumerate(["population", "share_67_plus_pct", "median_age"], start=1):
        expected = compare_figures.build_view(con, "stolper", indicator_id, ["1835", "5043"], None, True)
        assert expected.finding in finding(at).replace("&#x27;", "'")
        shown = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert shown["layout"]["font"]["size"] >= 20  # large type for the projector
        assert f"Lysbilde {number} av 3" in " ".join(m.value for m in at.markdown)
        if number < 3:
            at.button(key="next").click().run()
            assert at.query_params["lysbilde"] == str(number + 1)
    assert at.button(key="next").disabled
    at.button(key="previous").click().run()
    assert at.query_params["lysbilde"] == "2"


def test_bad_slide_and_bad_deck(data_dir):
    at = run({"kommuner": "1835,5043", "indikatorer": "population", "lysbilde": "7"})
    assert not at.exception and "Lysbilde «7» finnes ikke" in at.warning[0].value
    assert len(at.get("plotly_chart")) == 1
    at = run({"sett": "999"})
    assert not at.exception and "Fant ikke lysbildesettet" in at.warning[0].value
    at = run({"sett": "befolkning"})
    assert not at.exception and any("Ingen kommuner er valgt" in w.value for w in at.warning)
    at = run({})
    assert not at.exception and not at.get("plotly_chart")


def test_save_and_reopen_a_deck(data_dir):
    at = run({"kommuner": "1835,5043", "indikatorer": "population,median_age", "visning": "linjer"})
    at.text_input[0].input("Samling i mars")
    next(b for b in at.button if "Lagre" in b.label).click().run()
    assert not at.exception and any("Lagret" in s.value for s in at.success)
    (saved,) = DeckStore(UserStore()).list()
    assert saved["name"] == "Samling i mars" and len(saved["slides"]) == 2
    reopened = run({"sett": str(saved["id"]), "lysbilde": "2"})
    assert not reopened.exception and not reopened.warning
    assert "Medianalder" in next(m.value for m in reopened.markdown if m.value.startswith('<div class="slide-title"'))
    assert "Lysbilde 2 av 2 · Samling i mars" in " ".join(m.value for m in reopened.markdown)
