"""Every page in real headless Chromium (the shared ``app_url``/``page`` fixtures): no Streamlit
exception box, every chart drawn — as many ``.js-plotly-plot`` with a ``.main-svg`` as the page makes
``st.plotly_chart`` calls (counted by AppTest on the same data folder and the same address) — and at
least one figure on the page equal to what the query layer returns (read from the chart's own data,
``graphDiv.data``, or the page text).

When Chromium is missing the shared ``app_url`` fixture fails (it does not skip), and so does
``test_chromium_is_installed`` below on its own.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import duckdb
import pytest
from app_waits import settled
from browser_settings import CHROMIUM
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nokkeltall import queries, text

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHART = ".js-plotly-plot"
DRAWN = ".js-plotly-plot .main-svg"

# page file → (url path, query string)
PAGES = {
    "pages/oversikt.py": ("oversikt", "kommune=1835"),
    "pages/kommune.py": ("kommune", "kommune=1835"),
    "pages/sammenlign.py": ("sammenlign", "kommuner=1835,5043&indikatorer=population&visning=linjer"),
    "pages/samlingsmodus.py": ("samlingsmodus", "kommuner=1835,5043&indikatorer=population&visning=linjer"),
    "pages/plan.py": ("plan", "kommune=1835"),
    "pages/soknader.py": ("soknader", "kommune=1835"),
    "pages/om_data.py": ("om-data", "kommune=1835"),
}


def test_chromium_is_installed():
    assert Path(CHROMIUM).exists(), (
        "Chromium is missing at /usr/bin/chromium: install Debian's chromium (.ci/run)"
    )


def _connection(data_dir: Path):
    return duckdb.connect(str(data_dir / "nokkeltall.duckdb"), read_only=True)


def _chart_calls(page_file: str, query: str, data_dir: Path) -> int:
    """How many st.plotly_chart calls the page makes for this address (AppTest, same data folder)."""
    from streamlit.testing.v1 import AppTest

    previous = os.environ.get("NOKKELTALL_DATA_DIR")
    os.environ["NOKKELTALL_DATA_DIR"] = str(data_dir)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.run()
        at.switch_page(page_file)
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return len(at.get("plotly_chart"))
    finally:
        if previous is None:
            os.environ.pop("NOKKELTALL_DATA_DIR", None)
        else:
            os.environ["NOKKELTALL_DATA_DIR"] = previous


def _settle(page, expected_charts: int, timeout: float = 60) -> None:
    """Wait until the script run is over and the expected number of charts is drawn."""
    try:
        settled(page, charts=expected_charts, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(
            f"the page did not settle with {expected_charts} charts drawn within {timeout} s"
        ) from None


def _traces(page) -> list[dict]:
    """Every trace of every drawn chart: name, x, y and customdata as plain lists. ``_fullData`` holds
    the arrays as drawn (``data`` keeps Streamlit's base64 typed-array specs undecoded)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(
        (gd) => (gd._fullData || gd.data || []).map((t) => ({
            name: t.name || '', x: t.x ? Array.from(t.x) : [], y: t.y ? Array.from(t.y) : [],
            customdata: t.customdata
                ? Array.from(t.customdata, (row) => Array.isArray(row) ? row : [row]) : []})))""")


def _series_shown(traces: list[dict], series, *, index: bool = False) -> bool:
    """True when some trace plots exactly this year → value series (to 0.5, as drawn). With
    ``index=True`` the trace plots an index of the series: its hover data (customdata) are the values
    and its y values are proportional to them."""
    expected = {
        int(y): float(v)
        for y, v in zip(series["year"], series["value"], strict=True)
        if not math.isnan(float(v))
    }
    for trace in traces:
        values = [row[0] for row in trace["customdata"]] if index else trace["y"]
        pairs = {}
        for x, y, v in zip(trace["x"], trace["y"], values, strict=False):  # values may be shorter
            try:
                pairs[int(str(x)[:4])] = (float(y), float(v))
            except (TypeError, ValueError):
                continue
        common = sorted(set(pairs) & set(expected))
        if len(common) < min(5, len(expected)):
            continue
        if not all(abs(pairs[y][1] - expected[y]) <= 0.5 for y in common):
            continue
        if index:
            first = common[0]
            ratio = pairs[first][0] / expected[first]
            if not all(abs(pairs[y][0] - expected[y] * ratio) <= 0.01 * ratio * expected[y] for y in common):
                continue
        return True
    return False


def _visit(page, app_url, artifacts, e2e_data_dir, page_file: str) -> tuple[list[dict], str]:
    path, query = PAGES[page_file]
    # the app renders in its own process while AppTest counts the charts in this one
    page.goto(f"{app_url}/{path}?{query}", wait_until="commit")
    expected = _chart_calls(page_file, query, e2e_data_dir)
    page.wait_for_load_state()
    _settle(page, expected)
    name = path.replace("-", "_")
    page.screenshot(path=str(artifacts / f"every_page_{name}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0, f"{path}: an exception box is shown"
    drawn = page.locator(CHART).filter(has=page.locator(".main-svg")).count()
    assert drawn == expected, f"{path}: {drawn} charts drawn, the page makes {expected} st.plotly_chart calls"
    assert page.locator(DRAWN).count() >= expected
    return _traces(page), page.inner_text('[data-testid="stMain"]').replace("\u00a0", " ")


def test_oversikt(page, app_url, artifacts, e2e_data_dir):
    traces, content = _visit(page, app_url, artifacts, e2e_data_dir, "pages/oversikt.py")
    with _connection(e2e_data_dir) as con:
        small = queries.municipalities(con, ["18", "50"], 2499)
    # the map's markers: municipality number → «Folketall» in the hover text, as the query layer says
    hover = {row[0]: row[4] for trace in traces if trace["name"] == "Kommune" for row in trace["customdata"]}
    assert set(small["municipality_code"]) <= set(hover)
    for row in small.itertuples():
        assert hover[row.municipality_code].replace("\u00a0", " ") == text.number(row.population), row.name
    assert f"{len(small)} av" in content


def test_kommune(page, app_url, artifacts, e2e_data_dir):
    traces, content = _visit(page, app_url, artifacts, e2e_data_dir, "pages/kommune.py")
    with _connection(e2e_data_dir) as con:
        series = queries.indicator_series(con, "population", ["1835"])
    assert _series_shown(traces, series, index=True), (
        "the population index equals indicator_series(population, 1835)"
    )
    latest = series.dropna(subset=["value"]).sort_values("year").iloc[-1]
    metric = page.locator('[data-testid="stMetricValue"]').first.inner_text().replace("\u00a0", " ")
    assert metric == text.number(latest["value"])


def test_sammenlign(page, app_url, artifacts, e2e_data_dir):
    traces, _ = _visit(page, app_url, artifacts, e2e_data_dir, "pages/sammenlign.py")
    with _connection(e2e_data_dir) as con:
        for code in ("1835", "5043"):
            assert _series_shown(traces, queries.indicator_series(con, "population", [code])), code


def test_samlingsmodus(page, app_url, artifacts, e2e_data_dir):
    traces, content = _visit(page, app_url, artifacts, e2e_data_dir, "pages/samlingsmodus.py")
    with _connection(e2e_data_dir) as con:
        assert _series_shown(traces, queries.indicator_series(con, "population", ["5043"]))
    assert "Lysbilde 1 av 1" in content


def test_plan(page, app_url, artifacts, e2e_data_dir):
    traces, content = _visit(page, app_url, artifacts, e2e_data_dir, "pages/plan.py")
    with _connection(e2e_data_dir) as con:
        series = queries.indicator_series(con, "population", ["1835"])
        official = queries.municipality(con, "1835")["official_name"]
    assert official in content
    assert _series_shown(traces, series[series["year"].between(2019, 2028)]), "the timeline's population"


def test_soknader(page, app_url, artifacts, e2e_data_dir):
    _, _ = _visit(page, app_url, artifacts, e2e_data_dir, "pages/soknader.py")
    page.get_by_role("tab", name=re.compile("Registrer")).click()
    page.get_by_text("Kan delta i læringsnettverket").wait_for()
    with _connection(e2e_data_dir) as con:
        row = queries.municipalities(con).set_index("municipality_code").loc["1835"]
    content = page.inner_text('[data-testid="stMain"]').replace("\u00a0", " ")
    assert f"Folketallet er {text.number(row['population'])}" in content
    assert page.locator('[data-testid="stException"]').count() == 0


def test_om_data(page, app_url, artifacts, e2e_data_dir):
    _, content = _visit(page, app_url, artifacts, e2e_data_dir, "pages/om_data.py")
    with _connection(e2e_data_dir) as con:
        problems = queries.build_problems(con)
    assert "Indikatorer" in content and "Datasett" in content
    warned = page.locator('[data-testid="stAlertContentWarning"]').count()
    assert warned == len(problems), "one warning per dataset the build could not use, as build_problems says"
