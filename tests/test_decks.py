"""Gathering-mode decks: built from a comparison or the ready deck, saved and reopened."""

from __future__ import annotations

import pytest

from nokkeltall.compare import slides
from nokkeltall.store import UserStore, ValidationError
from nokkeltall.store.database import NotFoundError
from nokkeltall.store.decks import DeckStore


def test_deck_from_comparison_has_one_slide_per_indicator():
    deck = slides.deck_from_comparison(["1835", "5043"], ["population", "median_age"], "stolper")
    assert [(s.indicator_id, s.codes, s.view) for s in deck.slides] == [
        ("population", ("1835", "5043"), "stolper"),
        ("median_age", ("1835", "5043"), "stolper"),
    ]


def test_ready_deck_uses_chosen_applications_and_splits_groups():
    applications = [
        {"municipality_code": c, "status": s}
        for c, s in (("1835", "valgt"), ("5043", "valgt"), ("1811", "mottatt"), ("1816", "ikke_valgt"))
    ]
    assert slides.network_codes(applications) == ["1835", "5043"]
    deck = slides.ready_deck(slides.network_codes(applications))
    assert deck.name == slides.READY_DECK_NAME and len(deck.slides) == len(slides.READY_DECK_SLIDES)
    many = slides.ready_deck([f"{1800 + i}" for i in range(10)])
    assert len(many.slides) == 2 * len(slides.READY_DECK_SLIDES)
    assert [len(s.codes) for s in many.slides[:2]] == [5, 5]  # balanced groups of at most eight
    empty = slides.ready_deck([])
    assert not empty.slides and "valgt" in empty.problems[0]


def test_saved_deck_round_trip_and_replace(tmp_path):
    store = DeckStore(UserStore(tmp_path / "brukerdata.sqlite"))
    deck = slides.deck_from_comparison(["1835", "5043"], ["population"], "indeks", 2016, name="Samling mars")
    row = store.save(deck.name, deck.to_list(), "Kari")
    again = slides.deck_from_list(row["name"], store.get(row["id"])["slides"], ["1835", "5043"])
    assert again.slides == deck.slides and not again.problems
    replaced = store.save(
        "Samling mars",
        slides.deck_from_comparison(["1835"], ["median_age"]).to_list(),
        "Per",
        expected_version=row["version"],
    )
    assert [d["name"] for d in store.list()] == ["Samling mars"] and replaced["version"] == 2
    assert store.get(row["id"])["slides"][0]["indicator_id"] == "median_age"
    store.delete(row["id"], "Per", expected_version=2)
    with pytest.raises(NotFoundError):
        store.get(row["id"])
    with pytest.raises(ValidationError):
        store.save("  ", deck.to_list(), "Per")


def test_reopened_deck_drops_what_no_longer_exists():
    items = [
        {"indicator_id": "population", "codes": ["1835", "0000"], "view": "linjer"},
        {"indicator_id": "gone", "codes": ["1835"], "view": "linjer"},
        {"indicator_id": "population", "codes": ["0000"], "view": "linjer"},
        {"indicator_id": "population", "codes": ["1835"], "view": "kake"},
    ]
    deck = slides.deck_from_list("x", items, ["1835"])
    assert [s.codes for s in deck.slides] == [("1835",)] and len(deck.problems) == 3


def test_slide_position_from_url():
    assert slides.slide_position("3", 5) == (3, None)
    assert slides.slide_position(None, 5) == (1, None)
    number, problem = slides.slide_position("9", 5)
    assert number == 1 and "9" in problem
    assert slides.slide_position("x<script>", 5)[0] == 1
