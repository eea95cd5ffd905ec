"""Issue 17.8 in a real browser: addresses that raised tracebacks now give one Norwegian warning.

``/oversikt?grense=`` + 400 nines failed inside Streamlit's URL binding (a float infinity made an int:
OverflowError) before the page could say anything, so this needs the real frontend, not AppTest.
"""

from __future__ import annotations

import re

import pytest
from app_waits import settled

from nokkeltall.store import UserStore
from nokkeltall.store.decks import DeckStore

pytestmark = pytest.mark.browser

URLS = {
    "/sammenlign?kommuner=1835,1836&indikatorer=population&visning=indeks&basisaar=%C2%B2": "Basisåret «²»",
    "/samlingsmodus?kommuner=1835,1836&indikatorer=population&lysbilde=%C2%B2": "Lysbilde «²» finnes ikke",
    "/oversikt?grense=" + "9" * 400: "Innbyggergrensen i adressen «999",
    "/?grense=1e999": "Innbyggergrensen i adressen «1e999»",
    "/sammenlign?kommuner=1835,1836&indikatorer=population&lik=1835&vekter="
    + ",".join(f"ukjent{n}:1" for n in range(500)): "Ukjente vekter «ukjent0»",
}


@pytest.mark.parametrize("path", URLS)
def test_hostile_address_gives_a_message_not_a_traceback(page, app_url, path):
    page.goto(app_url + path)
    warnings = page.locator('[data-testid="stAlertContentWarning"]')
    warnings.filter(has_text=URLS[path]).first.wait_for()
    # the warning comes before the widgets: a traceback after it is on the page once the run is over
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert sum("vekt" in text for text in warnings.all_inner_texts()) <= 1  # one summary, not 500


def test_a_deck_name_in_markdown_is_shown_as_text_and_fetches_nothing(page, app_url, e2e_data_dir):
    """Issue 17.2: a deck named ``![b](http://host/beacon.png)`` made every visitor's browser fetch it."""
    name = "![b](http://127.0.0.1:9/beacon.png)"
    slides = [{"indicator_id": "population", "codes": ["1835", "5043"], "view": "linjer", "base_year": None}]
    decks = DeckStore(UserStore(e2e_data_dir / "brukerdata.sqlite"))
    if name not in [d["name"] for d in decks.list()]:
        decks.save(name, slides, "Test")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(app_url + "/samlingsmodus")
    page.get_by_role("button", name=re.compile("Sett og nedlasting")).click()  # the deck list is in this menu
    page.get_by_text(name, exact=False).first.wait_for()
    assert page.locator('img[src*="beacon"]').count() == 0
    assert not [url for url in requested if "beacon" in url]
