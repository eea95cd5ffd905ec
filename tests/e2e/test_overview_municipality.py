"""Overview → choose a municipality → its profile, in real headless Chromium."""

from __future__ import annotations

import re

import pytest
from app_waits import settled

from nokkeltall import queries, text

pytestmark = pytest.mark.browser


def _expected(con, code: str) -> dict:
    series = queries.indicator_series(con, "population", [code])
    year = int(series["year"].max())
    return {
        "name": queries.municipality(con, code)["name"],
        "population": text.number(queries.value_in_year(series, year)),
        "year": year,
    }


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_overview_to_municipality(page, app_url, app_db, artifacts):
    page.goto(f"{app_url}/")  # the start page is the overview
    page.get_by_text("innbyggere per 1. januar", exact=False).first.wait_for()
    settled(page, charts=1)
    _no_errors(page)
    assert re.search(r"\d+ av \d+ kommuner i Nordland og Trøndelag", page.content())
    page.screenshot(path=str(artifacts / "oversikt.png"), full_page=True)

    # choose Træna in the picker at the bottom of the overview
    expected = _expected(app_db, "1835")
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Kommune").last
    picker.click()
    page.keyboard.type("Træna")
    page.get_by_role("option", name=re.compile("1835 Træna")).click()

    page.wait_for_url(re.compile(r"/kommune\?.*kommune=1835"))
    page.get_by_role("heading", name="Træna").wait_for()
    metric = page.locator('[data-testid="stMetricValue"]').first
    metric.wait_for()
    assert metric.inner_text().replace("\u00a0", " ") == expected["population"]
    settled(page, charts=1)
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 4
    assert "Folketallet i Træna" in page.content()
    _no_errors(page)
    page.screenshot(path=str(artifacts / "kommune_1835.png"), full_page=True)


def test_municipality_tabs_and_bad_value(page, app_url, app_db, artifacts):
    page.goto(f"{app_url}/")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Oversikt").wait_for()
    page.goto(f"{app_url}/kommune?kommune=5043&del=%C3%98konomi")
    page.get_by_role("heading", name=re.compile("Røyrvik")).wait_for()
    settled(page, charts=1)
    _no_errors(page)
    assert "ROBEK" in page.content()
    page.screenshot(path=str(artifacts / "kommune_5043_okonomi.png"), full_page=True)

    page.goto(f"{app_url}/kommune?kommune=9999")
    page.get_by_text("Fant ingen kommune med nummer").wait_for()
    _no_errors(page)
    page.locator('[data-testid="stSelectbox"]').first.wait_for()  # the picker follows the message
    page.screenshot(path=str(artifacts / "kommune_ugyldig.png"), full_page=True)
