"""Gathering mode: one figure per slide with its finding, previous/next via ?lysbilde=, ready decks that
always have content, decks saved and reopened, clear Norwegian messages (and the first slide) for bad
input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import db
from nokkeltall.compare import figures as compare_figures
from nokkeltall.store import UserStore, access
from nokkeltall.store.decks import DeckStore

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def data_dir(writable_data_dir):
    """The inline fixture data, copied (the app's caches are keyed on the data, so none is cleared)."""
    return writable_data_dir


def run(params: dict, session: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.switch_page("pages/samlingsmodus.py")
    return at.run()


def shown(at: AppTest, css_class: str) -> list[str]:
    """The text of the page's HTML blocks with ``css_class`` (title, finding, meta, problem, count)."""
    return [e.proto.body for e in at.get("html") if f'class="{css_class}"' in e.proto.body]


def problems(at: AppTest) -> str:
    """The warnings on the slide (Markdown, its escapes removed)."""
    return " ".join(w.value for w in at.warning).replace("\\", "")


def test_step_through_slides(data_dir):
    params = {
        "kommuner": "1835,5043",
        "indikatorer": "population,share_67_plus_pct,median_age",
        "visning": "stolper",
    }
    at = run(params)
    assert not at.exception and not problems(at)
    assert len(at.get("plotly_chart")) == 1 and at.button(key="previous").disabled
    con = db.connect(data_dir / "nokkeltall.duckdb")
    for number, indicator_id in enumerate(["population", "share_67_plus_pct", "median_age"], start=1):
        expected = compare_figures.build_view(con, "stolper", indicator_id, ["1835", "5043"], None, True)
        assert expected.finding in shown(at, "slide-finding")[0].replace("&#x27;", "'")
        chart = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert chart["layout"]["font"]["size"] >= 18  # large type for the projector
        assert f"Lysbilde {number} av 3" in shown(at, "slide-count")[0]
        assert "Kilde:" in shown(at, "slide-meta")[0]
        if number < 3:
            at.button(key="next").click().run()
            assert at.query_params["lysbilde"] in (str(number + 1), [str(number + 1)])
    assert at.button(key="next").disabled
    at.button(key="previous").click().run()
    assert at.query_params["lysbilde"] in ("2", ["2"])


@pytest.mark.parametrize("given", ["7", "0", "abc", "-1", "99999999999"])
def test_slide_number_out_of_range_or_not_a_number(data_dir, given):
    at = run({"kommuner": "1835,5043", "indikatorer": "population,median_age", "lysbilde": given})
    assert not at.exception
    assert f"Lysbilde «{given}» finnes ikke" in problems(at)
    assert "Lysbilde 1 av 2" in shown(at, "slide-count")[0]
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("deck", ["999", "ukjent", "<script>"])
def test_unknown_deck_says_so_and_shows_a_ready_deck(data_dir, deck):
    at = run({"sett": deck})
    assert not at.exception
    assert f"Fant ikke lysbildesettet «{deck}»" in problems(at)
    assert "<script>" not in " ".join(w.value for w in at.warning)  # shown as text, never as HTML
    assert len(at.get("plotly_chart")) == 1 and "Lysbilde 1 av" in shown(at, "slide-count")[0]


def test_empty_saved_deck_says_so_and_shows_the_first_slide_of_a_ready_deck(data_dir):
    store = DeckStore(UserStore())
    saved = store.save(
        "Gammelt sett",
        [
            {"indicator_id": "finnes_ikke", "codes": ["1835"], "view": "linjer"},
            {"indicator_id": "population", "codes": ["9999"], "view": "linjer"},
        ],
        "Kari",
    )
    at = run({"sett": str(saved["id"])})
    assert not at.exception
    text = problems(at)
    assert "ukjent indikator «finnes_ikke»" in text and "er tomt" in text
    assert len(at.get("plotly_chart")) == 1 and "Lysbilde 1 av" in shown(at, "slide-count")[0]


def test_too_few_municipalities_in_the_address(data_dir):
    at = run({"kommuner": "1835", "indikatorer": "population"})
    assert not at.exception and "minst to" in problems(at)
    assert len(at.get("plotly_chart")) == 1


def test_arrival_from_the_sidebar_shows_the_last_municipality_against_its_most_similar(shipped_data_dir):
    at = run({}, {"_kommune": "1835"})
    assert not at.exception and not problems(at)
    assert len(at.get("plotly_chart")) == 1
    assert "Træna og kommunene som ligner mest" in shown(at, "slide-count")[0]
    meta = shown(at, "slide-meta")[0]
    assert "3 kommunene som ligner mest" in meta
    legend = {trace["name"] for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert "Træna" in legend and "Nordland" in legend  # the index slide comes first: the county is drawn
    assert (
        len(legend - {"Nordland", "Trøndelag", "Landet"}) == 4
    )  # the municipality and its three most similar


def test_network_deck_without_chosen_municipalities_uses_the_county_and_says_so(shipped_data_dir):
    at = run({"sett": "befolkning"}, {"_kommune": "5043"})
    assert not at.exception and not problems(at)
    assert (
        "Ingen kommuner er valgt til nettverket ennå; settet viser de små kommunene i Trøndelag"
        in shown(at, "slide-meta")[0]
    )
    assert len(at.get("plotly_chart")) == 1


def test_every_slide_has_a_way_back_to_the_app(data_dir):
    at = run({"kommuner": "1835,5043", "indikatorer": "population"})
    links = [link for link in at.get("page_link") if "Tilbake til appen" in link.proto.label]
    assert links and "sammenlign" in links[0].proto.page


def test_save_and_reopen_a_deck(data_dir):
    at = run({"kommuner": "1835,5043", "indikatorer": "population,median_age", "visning": "linjer"})
    next(t for t in at.text_input if t.label == "Navn på settet").input("Samling i mars")
    at.text_input(key="deck_saved_by").input("Kari")
    next(b for b in at.button if "Lagre" in b.label).click().run()
    assert not at.exception and any("Lagret" in s.value for s in at.success)
    (saved,) = DeckStore(UserStore()).list()
    assert saved["name"] == "Samling i mars" and len(saved["slides"]) == 2
    reopened = run({"sett": str(saved["id"]), "lysbilde": "2"})
    assert not reopened.exception and not problems(reopened)
    assert "Medianalder" in shown(reopened, "slide-title")[0]
    assert "Lysbilde 2 av 2 · Samling i mars" in shown(reopened, "slide-count")[0]


COMPARISON = {"kommuner": "1835,5043", "indikatorer": "population,median_age", "visning": "linjer"}


def save_on_page(at: AppTest, name: str, who: str = "Kari") -> AppTest:
    next(t for t in at.text_input if t.label == "Navn på settet").input(name)
    at.text_input(key="deck_saved_by").input(who)
    return next(b for b in at.button if b.label == "Lagre settet").click().run()


def test_saving_a_deck_needs_the_editor_password(data_dir, monkeypatch):
    """Issue 17.2: decks were saved and overwritten without the editor password."""
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig")
    at = run(COMPARISON)
    assert not at.exception
    assert not [b for b in at.button if b.label == "Lagre settet"], "no save form without the password"
    assert any("redaktørpassordet" in i.value for i in at.info)
    at.text_input(key="_editor_password").input("feil").run()
    assert not [b for b in at.button if b.label == "Lagre settet"]
    at.text_input(key="_editor_password").input("hemmelig").run()
    at = save_on_page(at, "Med passord")
    assert not at.exception and any("Lagret" in s.value for s in at.success)
    assert [d["name"] for d in DeckStore(UserStore()).list()] == ["Med passord"]


def test_a_second_save_under_a_taken_name_is_a_conflict_not_an_overwrite(data_dir):
    first = save_on_page(run(COMPARISON), "Samling")
    assert any("Lagret" in s.value for s in first.success)
    other = save_on_page(run({**COMPARISON, "indikatorer": "median_age"}), "Samling", who="Per")
    assert not other.exception and any("finnes allerede" in e.value for e in other.error)
    (saved,) = DeckStore(UserStore()).list()
    assert len(saved["slides"]) == 2 and saved["version"] == 1, "the first deck is kept"
    # opened and saved again under its name: a new version
    reopened = save_on_page(run({"sett": str(saved["id"])}), "Samling", who="Per")
    assert any("versjon 2" in s.value for s in reopened.success)


def test_deck_names_are_plain_text_never_markdown(data_dir):
    """Issue 17.2: ``![b](http://host/beacon.png)`` as a deck name made every visitor fetch the image."""
    slides = [{"indicator_id": "population", "codes": ["1835", "5043"], "view": "linjer", "base_year": None}]
    store = DeckStore(UserStore())
    store.save("![b](http://host/beacon.png)", slides, "Kari")
    store.save("\u202eevil [x](javascript:alert(1)) <img src=x>", slides, "Kari")
    at = run({})
    assert not at.exception
    links = [link.proto.label for link in at.get("page_link")]
    beacon = next(label for label in links if "beacon" in label)
    # every punctuation character an entity: shown as typed, no image, link or autolinked address
    assert beacon.startswith("&#33;&#91;b&#93;&#40;http&#58;&#47;&#47;host"), beacon
    assert not any("\u202e" in label for label in links)
    assert not any(re.search(r"!\[|\]\(|https?:|<", label) for label in links)


@pytest.mark.parametrize("value", ["²", "³", "١", "𝟐"])
def test_slide_number_in_other_digits_is_a_message_not_a_traceback(data_dir, value):
    """Issue 17.8: ``?lysbilde=²`` raised ValueError (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    at = run({"kommuner": "1835,5043", "indikatorer": "population", "lysbilde": value})
    assert not at.exception
    assert any(f"Lysbilde «{value}» finnes ikke" in w.value for w in at.warning)


def test_wrong_passwords_are_throttled_on_the_page(data_dir, monkeypatch):
    """Issue 17.11: 30 wrong passwords in 64 s, no delay. After three the page makes the user wait, and
    even the right password is not checked until the wait is over."""
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig")
    # a long wait, so a slow machine cannot let it run out between the attempts
    monkeypatch.setattr(access, "wait_after", lambda failures: 600.0 if failures >= 3 else 0.0)
    at = run(COMPARISON)
    for attempt in ("feil1", "feil2"):
        at.text_input(key="_editor_password").input(attempt).run()
        assert not any("For mange forsøk" in e.value for e in at.error)
    at.text_input(key="_editor_password").input("feil3").run()
    assert any("vent 600 sekunder" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key="_editor_password").input("hemmelig").run()
    assert not [b for b in at.button if b.label == "Lagre settet"], "refused unchecked while waiting"
    assert any("For mange forsøk" in e.value for e in at.error)
