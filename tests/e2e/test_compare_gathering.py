"""A shared compare link in real Chromium: municipalities and chart appear, the Excel download reads
back with openpyxl, and the gathering mode steps through three slides."""

from __future__ import annotations

import re

import openpyxl
import pytest
from app_waits import settled

from nokkeltall import queries

pytestmark = pytest.mark.browser

CODES = "1835,5043,1856"
IDS = "population,share_67_plus_pct,median_age"


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _charts(page, count: int) -> None:
    settled(page, charts=count)


def test_shared_compare_link_and_excel(page, app_url, app_db, artifacts):
    page.goto(f"{app_url}/sammenlign?kommuner={CODES}&indikatorer={IDS}&visning=linjer")
    page.get_by_role("heading", name="Sammenlign kommuner").wait_for()
    _charts(page, 3)
    _no_errors(page)
    chosen = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    for name in ("Træna (1835)", "Røyrvik (5043)", "Røst (1856)"):
        assert name in chosen
    legend = [t.text_content() for t in page.locator(".js-plotly-plot .legendtext").all()]
    assert {"Træna", "Røyrvik", "Røst", "Nordland", "Trøndelag"} <= set(legend)
    page.screenshot(path=str(artifacts / "sammenlign.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("Last ned alle indikatorene som Excel")).click()
    download = info.value
    assert download.suggested_filename == "traena-royrvik-rost_nokkeltall.xlsx"
    path = artifacts / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Folketall", "Andel 67 år og eldre (%)", "Medianalder (år)", "Kilder"]
    rows = list(book["Folketall"].values)
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    expected = queries.indicator_series(app_db, "population", ["1835"]).set_index("year")["value"]
    column = header.index("Træna")
    assert all(body[year][column] == int(value) for year, value in expected.items())


def test_gathering_mode_three_slides(page, app_url, artifacts):
    page.goto(f"{app_url}/samlingsmodus?kommuner={CODES}&indikatorer={IDS}&visning=stolper")
    for number, title in enumerate(["Folketall", "Andel 67 år og eldre", "Medianalder"], start=1):
        page.locator(".slide-title", has_text=title).wait_for(timeout=40_000)
        page.get_by_text(f"Lysbilde {number} av 3").wait_for()
        _charts(page, 1)
        _no_errors(page)
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        finding = page.locator(".slide-finding").inner_text()
        assert "høyest i" in finding and "lavest i" in finding
        font = page.locator(".slide-finding").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert font >= 28  # readable from the back of the room
        page.screenshot(path=str(artifacts / f"samlingsmodus_{number}.png"), full_page=True)
        if number < 3:
            page.get_by_role("button", name="Neste ▶").click()
            page.wait_for_url(re.compile(rf"lysbilde={number + 1}"))
    assert page.get_by_role("button", name="Neste ▶").is_disabled()
