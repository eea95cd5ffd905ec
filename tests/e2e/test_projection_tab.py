"""The «Framskriving» tab in real headless Chromium: the fan is drawn, and a scenario changes the
numbers and the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import running_app
from playwright.sync_api import expect

from nokkeltall.projection import Projector, rounded
from nokkeltall.projection import figures as projection_charts

pytestmark = pytest.mark.browser


def persons_in_2040(finding: str) -> int:
    """«… ha om lag 1 030 innbyggere i 2040 …» → 1030."""
    found = re.search(r"om lag ([\d\s\u00a0]+) innbyggere i 2040", finding)
    assert found, finding
    return int(re.sub(r"\D", "", found.group(1)))


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

    # a projector's 1280×720: the projection's headline is on the first screen (the open scenario
    # controls pushed it 300 px down, below the fold)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.locator('[data-testid="stMain"]').evaluate("main => main.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "framskriving_1835_1280x720.png"))
    headline = page.get_by_text("Med dagens utvikling vil Træna", exact=False).first.bounding_box()
    assert headline["y"] + headline["height"] <= 720, headline
    page.get_by_text("Scenario: hva om …?").click()  # closed until a scenario is in use
    field = page.get_by_role("spinbutton", name="Netto innflytting per år (personer)")
    field.fill("5")
    field.press("Enter")
    page.wait_for_url(re.compile(r"scenario="), timeout=30_000)
    page.get_by_text("Med scenarioet vil Træna ha om lag", exact=False).first.wait_for(timeout=30_000)
    after = page.get_by_text("Med scenarioet vil Træna", exact=False).first.inner_text()
    assert after != before.replace("Med dagens utvikling", "Med scenarioet")
    # five more young adults a year: more inhabitants in 2040 than the main projection, shown as a number
    assert persons_in_2040(after) > persons_in_2040(before)
    with_scenario = Projector.from_connection(app_db).project("1835", scenario="netto=+5:20-39")
    assert persons_in_2040(after) == round(rounded(with_scenario.at(2040)))
    assert parse_qs(urlparse(page.url).query)["scenario"] == ["netto=+5:20-39"]
    expect(field).to_be_visible()  # the controls stay open while the scenario is in use
    # the chart is redrawn after the sentence: wait for its text (on a loaded machine it was still empty)
    expect(page.locator(".js-plotly-plot").first).to_contain_text(
        "Netto flytting +5 per år i alderen 20–39 år", timeout=30_000
    )
    assert expected.at(2040) > 0
    page.screenshot(path=str(artifacts / "framskriving_1835_scenario.png"), full_page=True)


def test_ssb_municipal_projection_beside_ours_after_a_refresh(browser, tmp_path, artifacts, shipped_database):
    """The shipped snapshot refreshed with 14288 from the local SSB stand-in (fixture figures), then the tab:
    SSB's alternatives are drawn in the fan and the 2040 difference is written with its source."""
    from test_projection_beside_ssb import refreshed_data_dir

    from nokkeltall import db

    data_dir = refreshed_data_dir(tmp_path / "data", shipped_database)
    con = db.connect(data_dir / "nokkeltall.duckdb")
    sentence = projection_charts.municipal_comparison(con, "1835")["sentence"]
    con.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    page = context.new_page()
    try:
        with running_app(data_dir) as url:
            page.goto(f"{url}/kommune?kommune=1835&del=Framskriving")
            page.get_by_text(sentence, exact=False).first.wait_for(timeout=120_000)
            fan = page.locator(".js-plotly-plot").first
            fan.locator(".main-svg").first.wait_for(timeout=40_000)
            page.wait_for_timeout(1500)
            assert page.locator('[data-testid="stException"]').count() == 0
            legend = fan.inner_text()
            assert "SSB hovedalternativ" in legend and "SSB lav nasjonal vekst" in legend
            assert "Kilde: SSB, tabell 14288" in page.content()
            fan.scroll_into_view_if_needed()
            fan.screenshot(path=str(artifacts / "framskriving_1835_ssb_vifte.png"))
            page.get_by_text(sentence, exact=False).first.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "framskriving_1835_ssb_kommune.png"))
    finally:
        context.close()
