"""Samlingsmodus on the screens of meeting rooms, with a keyboard or presenter clicker, and its files.

One browser and one app server (the session fixtures); the page is resized between the six sizes. For a
deck of three municipalities in the lines, bars and rank views: no vertical scroll, and the title,
finding, plot area, legend, axis labels, source line and controls inside the viewport. Screenshots per
size go to test-artifacts/ (samlingsmodus_<view>_<width>x<height>.png) to be looked at.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from app_waits import settled
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pptx import Presentation

from nokkeltall.compare import slide_files, slides

pytestmark = pytest.mark.browser

SIZES = [(1024, 768), (1280, 720), (1280, 800), (1366, 768), (1920, 1080), (3840, 2160)]
CODES = "1835,5043,1856"
VIEWS = {  # view → indicators
    "linjer": "share_67_plus_pct,population",
    "stolper": "share_67_plus_pct,population",
    "rangering": "population,share_67_plus_pct",
}
CHART = ".js-plotly-plot .main-svg"

# Everything that must be on the screen: (what, selector, required).
MUST_SHOW = [
    ("tittel", ".slide-title", True),
    ("funn", ".slide-finding", True),
    ("plottflate", ".js-plotly-plot .nsewdrag", True),
    ("tegnforklaring", ".js-plotly-plot .legend", False),
    ("x-akse", ".js-plotly-plot .xtick text", True),
    ("y-akse", ".js-plotly-plot .ytick text", True),
    ("aksetittel", ".js-plotly-plot .g-xtitle text, .js-plotly-plot .g-ytitle text", False),
    ("kildelinje", ".slide-meta", True),
    ("forrige", ".st-key-previous button", True),
    ("neste", ".st-key-next button", True),
    ("tilbake", ".st-key-slide_top a", True),
]

OUTSIDE = """([selector]) => {
  const width = window.innerWidth, height = window.innerHeight;
  return [...document.querySelectorAll(selector)].map(e => e.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0)
    .map(r => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                out: r.top < -1 || r.left < -1 || r.bottom > height + 1 || r.right > width + 1}));
}"""


def _settle(page, timeout: float = 60) -> None:
    """Until the script run is over, the chart drawn and its size unchanged for a moment."""
    settled(page, charts=1, timeout=timeout)


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _check_screen(page, label: str) -> None:
    scroll = page.evaluate(
        "[document.scrollingElement.scrollHeight, window.innerHeight,"
        " document.querySelector('[data-testid=stMain]').scrollHeight]"
    )
    assert scroll[0] <= scroll[1] and scroll[2] <= scroll[1] + 1, f"{label}: vertical scroll {scroll}"
    for what, selector, required in MUST_SHOW:
        boxes = page.evaluate(OUTSIDE, [selector])
        if required:
            assert boxes, f"{label}: {what} missing"
        outside = [b for b in boxes if b["out"]]
        assert not outside, f"{label}: {what} outside the screen: {outside[:2]}"


@pytest.fixture
def slide_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(40_000)
    yield page
    context.close()


@pytest.mark.parametrize("view", list(VIEWS))
def test_one_slide_fills_every_screen(slide_page, app_url, artifacts, view):
    page = slide_page
    page.goto(f"{app_url}/samlingsmodus?kommuner={CODES}&indikatorer={VIEWS[view]}&visning={view}")
    _settle(page)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        scale = slides.screen_scale(min(width / 1280, height / 720))
        expected = slides.font_size(scale)
        # the page reports the screen's scale and the chart is redrawn with text to match (asserted below)
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                f"parseFloat(document.querySelector('.js-plotly-plot .xtick text')"
                f"?.style.fontSize) === {expected}",
                timeout=20_000,
            )
        _settle(page)
        _no_errors(page)
        label = f"{view} {width}×{height}"
        _check_screen(page, label)
        if (width, height) == (1280, 720):
            size = page.locator(".slide-finding").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert size >= 24, f"{label}: finding at {size} px"
        tick = page.locator(".js-plotly-plot .xtick text").first.evaluate(
            "e => parseFloat(e.style.fontSize || getComputedStyle(e).fontSize)"
        )
        assert tick == expected, f"{label}: chart text {tick} px for scale {scale}"
        if view == "linjer":  # the legend names every line
            legend = {t.text_content() for t in page.locator(".js-plotly-plot .legendtext").all()}
            assert {"Træna", "Røyrvik", "Røst", "Nordland", "Trøndelag"} <= legend
        page.screenshot(path=str(artifacts / f"samlingsmodus_{view}_{width}x{height}.png"))


def _slide_number(page, number: int, count: int) -> None:
    page.wait_for_url(re.compile(rf"lysbilde={number}(&|$)"), timeout=30_000)
    page.locator(".slide-count", has_text=f"Lysbilde {number} av {count}").wait_for(timeout=30_000)


def test_keys_and_clicker_change_slide_without_a_click_first(slide_page, app_url):
    page = slide_page
    ids = "population,share_67_plus_pct,median_age,share_0_19_pct"
    base = f"{app_url}/samlingsmodus?kommuner={CODES}&indikatorer={ids}"
    page.goto(base + "&visning=stolper")
    _settle(page)
    titles = []
    for key, number in [
        ("PageDown", 2),
        ("Space", 3),
        ("ArrowRight", 4),
        ("PageUp", 3),
        ("ArrowLeft", 2),
        ("End", 4),
        ("Home", 1),
        ("n", 2),
        ("p", 1),
    ]:
        page.keyboard.press(key)  # nothing was clicked: the keys reach the page as a clicker's do
        _slide_number(page, number, 4)
        titles.append(page.locator(".slide-title").inner_text())
    assert (
        titles[:3] == ["Andel 67 år og eldre, 2026", "Medianalder, 2026", "Andel 0–19 år, 2026"]
        or len(set(titles[:3])) == 3
    )
    _no_errors(page)
    page.goto(base + "&visning=stolper&lysbilde=3")  # a fresh load of a shared link lands on slide 3
    page.locator(".slide-count", has_text="Lysbilde 3 av 4").wait_for()
    assert page.locator(".slide-title").inner_text().startswith("Medianalder")


def test_pptx_download_from_the_slide(slide_page, app_url, app_db, artifacts):
    page = slide_page
    page.goto(f"{app_url}/samlingsmodus?kommuner={CODES}&indikatorer=population,median_age&visning=stolper")
    _settle(page)
    page.get_by_role("button", name=re.compile("Sett og nedlasting")).click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Last ned som PowerPoint").click()
    path = artifacts / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".pptx"
    prs = Presentation(io.BytesIO(path.read_bytes()))
    assert len(prs.slides) == 2 and all(any(s.has_chart for s in slide.shapes) for slide in prs.slides)


def test_html_deck_runs_offline_and_changes_slide_on_pagedown(browser, app_db, artifacts):
    deck = slides.deck_from_comparison(
        CODES.split(","), ["population", "median_age", "share_67_plus_pct"], "stolper"
    )
    path = artifacts / "samlingsmodus.html"
    path.write_bytes(slide_files.html_bytes(app_db, deck))
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="nb-NO")
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(path.as_uri())
        page.locator(CHART).first.wait_for(timeout=30_000)
        assert page.locator("#count").inner_text() == "Lysbilde 1 av 3 · Sammenligning"
        first = page.locator("#title").inner_text()
        page.keyboard.press("PageDown")
        page.locator("#count", has_text="Lysbilde 2 av 3").wait_for(timeout=10_000)
        assert page.locator("#title").inner_text() != first and page.url.endswith("#lysbilde=2")
        page.wait_for_timeout(500)
        scroll = page.evaluate("[document.scrollingElement.scrollHeight, window.innerHeight]")
        assert scroll[0] <= scroll[1]
        page.screenshot(path=str(artifacts / "samlingsmodus_html_deck.png"))
    finally:
        context.close()
    assert [url for url in requests if not url.startswith(("file:", "data:", "blob:"))] == []


def test_compare_opens_with_the_municipality_and_its_most_similar(slide_page, app_url, artifacts):
    page = slide_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{app_url}/sammenlign?kommune=1835")
    settled(page, charts=1)
    _no_errors(page)
    legend = [t.text_content() for t in page.locator(".js-plotly-plot .legendtext").all()]
    assert (
        legend[0] == "Træna"
        and "Nordland" in legend
        and len([n for n in legend if n not in ("Nordland", "Trøndelag", "Landet")]) == 4
    )
    assert page.get_by_text("Viser folketallet for Træna, de 3 kommunene som ligner mest").count() == 1
    assert "kommuner=1835" in page.url
    page.screenshot(path=str(artifacts / "sammenlign_fra_kommune.png"))
