"""The «Framskriving» tab in real headless Chromium: the fan is drawn, and a scenario changes the
numbers and the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from nokkeltall.projection import Projector

pytestmark = pytest.mark.browser


def test_fan_is_drawn_and_a_scenario_changes_numbers_and_url(page, app_url, app_db, artifacts):
    expected = Projector.from_connection(app_db).project("1835")
    page.goto(f"{app_url}/kommune?kommune=1835&del=Framskriving")
    page.get_by_text("Med dagens utvikling vil Træna ha om lag", exact=False).first.wait_for(timeout=90_000)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=40_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    fan = page.locator(".js-plotly-plot").first
    assert fan.locator("path.js-fill").count() >= 2  # the 80 % and 50 % bands are filled areas
    assert "80 % sannsynlig" in fan.inner_text()
    fan.scroll_into_view_if_needed()
    fan.screenshot(path=str(artifacts / "framskriving_1835_vifte.png"))
    page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "framskriving_1835_nederst.png"))
    county = page.get_by_text("summen av kommunene ved siden av SSBs framskriving", exact=False).first
    county.scroll_into_view_if_needed()
    assert "SSBs hovedalternativ for fylket" in page.content()
    page.screenshot(path=str(artifacts / "framskriving_1835_fylket.png"))
    before = page.get_by_text("Med dagens utvikling vil Træna", exact=False).first.inner_text()

    field = page.get_by_role("spinbutton", name="Netto innflytting per år (personer)")
    field.fill("5")
    field.press("Enter")
    page.wait_for_url(re.compile(r"scenario="), timeout=30_000)
    page.get_by_text("Med scenarioet vil Træna ha om lag", exact=False).first.wait_for(timeout=30_000)
    after = page.get_by_text("Med scenarioet vil Træna", exact=False).first.inner_text()
    assert after != before.replace("Med dagens utvikling", "Med scenarioet")
    assert parse_qs(urlparse(page.url).query)["scenario"] == ["netto=+5:20-39"]
    assert "Netto flytting +5 per år i alderen 20–39 år" in page.locator(".js-plotly-plot").first.inner_text()
    assert expected.at(2040) > 0
    page.screenshot(path=str(artifacts / "framskriving_1835_scenario.png"), full_page=True)
