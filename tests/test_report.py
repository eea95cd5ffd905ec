"""The fact-base document: Word and HTML read back and checked against the query layer
(shipped snapshot's database, read-only)."""

from __future__ import annotations

import base64
import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from docx import Document

from nokkeltall import cli, indicators, queries, text
from nokkeltall.compare import similarity
from nokkeltall.plan import status
from nokkeltall.projection import Projector, rounded
from nokkeltall.report import content, render_bytes
from nokkeltall.report import docx as docx_writer
from nokkeltall.report import html as html_writer
from nokkeltall.store import UserStore

AS_OF = date(2026, 11, 26)
HEADINGS = [
    "Om dokumentet",
    "Befolkning",
    "Framskriving",
    "Arbeid og pendling",
    "Økonomi",
    "Plansituasjon",
    "Kilder",
]
NUMBER = re.compile(r"[−+-]?\d{1,3}(?: \d{3})+(?:,\d+)?|[−+-]?\d+(?:,\d+)?")
# numbers that are part of labels or dates, not statistics («0–19 år», «per 100 menn», «§ 10-1», «1. januar»)
DATES = re.compile(
    r"\d{1,2}\. (?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|"
    r"desember) \d{4}|\d{2}\.\d{2}\.\d{4}|§ \d+-\d+|\(\d{4}, |\b\d{4}-\d{4}\b|CC BY 4\.0|"
    r"NLOD 2\.0"
)
LABEL_NUMBERS = {"0", "19", "20", "39", "67", "15", "74", "100", "1", "10", "−1", "-1", "80"}


@pytest.fixture(scope="module")
def con(shipped_con):
    return shipped_con


@pytest.fixture(scope="module")
def features(con):
    return similarity.similarity_features(con)[0]


_AGGREGATES: dict = {}
_SERIES: dict = {}
_REPLAYED: dict = {}  # fact key -> the query layer's value (the same fact recurs across the documents)
_PROJECTIONS: dict = {}


def replay(con, key: tuple):
    """The value the query layer gives for a fact's key (asked once per key)."""
    if key not in _REPLAYED:
        _REPLAYED[key] = _ask(con, key)
    return _REPLAYED[key]


def _indicator_rows(con, indicator_id: str, code: str):
    """One municipality's rows of an indicator's series (every municipality asked once per indicator)."""
    if indicator_id not in _SERIES:
        series = queries.indicator_series(con, indicator_id)
        _SERIES[indicator_id] = {c: rows for c, rows in series.groupby("municipality_code")}
        _SERIES[indicator_id][None] = series.iloc[:0]
    return _SERIES[indicator_id].get(code, _SERIES[indicator_id][None])


def _projection(con, code: str):
    if "projector" not in _PROJECTIONS:
        _PROJECTIONS["projector"] = Projector.from_connection(con)
    if code not in _PROJECTIONS:
        _PROJECTIONS[code] = _PROJECTIONS["projector"].project(code)
    return _PROJECTIONS[code]


def _ask(con, key: tuple):
    kind = key[0]
    if kind == "indicator":
        _, indicator_id, code, year = key
        return queries.value_in_year(_indicator_rows(con, indicator_id, code), year)
    if kind == "aggregate":
        _, indicator_id, county, year = key
        if (indicator_id, county) not in _AGGREGATES:  # the same for every municipality: ask once
            _AGGREGATES[(indicator_id, county)] = queries.aggregate_series(con, indicator_id, county)
        return queries.value_in_year(_AGGREGATES[(indicator_id, county)], year)
    if kind == "flow":
        _, home, work, year = key
        out = queries.commuting_flows(con, home, year, 50)["out"]
        return float(out.loc[out["municipality_code"] == work, "employed_persons"].iloc[0])
    if kind == "flow_sum":
        _, indicator_id, code, start, end = key
        years = range(start, end + 1)
        return float(sum(replay(con, ("indicator", indicator_id, code, year)) for year in years))
    if kind == "projection":  # the app's own projection, rounded as the text writes it
        _, group, code, year, column = key
        table = _projection(con, code).table(group).set_index("year")
        return rounded(table.loc[year, column])
    if kind == "plan_age":
        _, _plan_type, adopted, as_of = key
        return status.plan_age_years(adopted, as_of)
    raise AssertionError(f"unknown fact kind {kind}")


def check_paragraph(con, paragraph: content.Paragraph, shown_text: str) -> None:
    """Every fact equals the query layer and is shown as formatted; every number in the text is a fact."""
    allowed = set(LABEL_NUMBERS)
    for fact in paragraph.facts:
        expected = replay(con, fact.key)
        assert expected is not None and fact.value == pytest.approx(expected), fact
        assert fact.shown in shown_text, (fact, shown_text)
        numbers = [m.group(0) for m in NUMBER.finditer(fact.shown)]
        digits = numbers[0].lstrip("+−-").replace(" ", "").replace(",", ".")
        # the shown value is the query value rounded as displayed (sign may be spelled out as a verb)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        assert float(digits) == pytest.approx(abs(expected), abs=10**-decimals / 2 + 1e-9), fact
        allowed.update(numbers)
        allowed.update(n.lstrip("+−-") for n in numbers)
        allowed.update(str(part) for part in fact.key if isinstance(part, int))
    # dates («26. november 2026», «31.10.2024»), legal references («§ 10-1») and municipality numbers
    # are not statistics
    remaining = DATES.sub(" ", shown_text)
    for token in NUMBER.findall(remaining):
        if re.fullmatch(r"\d{4}", token) and 1980 <= int(token) <= 2040:
            continue  # a year (checked through the facts' keys above when it dates a figure)
        assert token in allowed or token.lstrip("+−-") in allowed, (token, shown_text)


def docx_texts(data: bytes) -> tuple[list[str], list[tuple[str, str]], int]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    return paragraphs, headings, len(document.inline_shapes)


@pytest.fixture(scope="module")
def rodoy(con, features):
    """One Rødøy document with its charts drawn, shared by the tests of this module."""
    from nokkeltall.report import images

    report = content.build_report(con, "1836", as_of=AS_OF, features=features)
    images.render_images(report)
    return report


@pytest.fixture(scope="module")
def rodoy_docx(rodoy):
    return docx_writer.render(rodoy)


@pytest.mark.slow
def test_docx_with_charts_reads_back_and_matches_the_query_layer(con, rodoy, rodoy_docx):
    report = rodoy
    paragraphs, headings, images_in_document = docx_texts(rodoy_docx)

    assert headings[0] == ("Title", "Kunnskapsgrunnlag for Rødøy")
    assert [h for style, h in headings if style == "Heading 1"] == HEADINGS
    assert images_in_document == len(report.charts()) >= 6
    assert all(chart.image.startswith(b"\x89PNG") for chart in report.charts())
    # every chart is followed by its SSB table and date
    for chart in report.charts():
        assert chart.source in paragraphs and re.search(r"tabell \d{5}|KOSTRA", chart.source)
        assert re.search(r", (hentet|oppdatert) \d{1,2}\. \w+ \d{4}", chart.source)
    checked = 0
    for paragraph in report.paragraphs():
        assert paragraph.text in paragraphs
        check_paragraph(con, paragraph, paragraph.text)
        checked += len(paragraph.facts)
    assert checked > 40
    assert content.LICENCE_LINE in "\n".join(paragraphs)


@pytest.mark.slow
def test_known_sentences_for_rodoy(con, rodoy):
    report = rodoy
    body = "\n".join(p.text for p in report.paragraphs())
    series = queries.indicator_series(con, "population", ["1836"])
    start, end = queries.value_in_year(series, 2016), queries.value_in_year(series, 2026)
    change = (end / start - 1) * 100
    assert f"Folketallet i Rødøy gikk ned med {text.percent(abs(change))} fra 2016 til 2026." in body
    county = queries.value_in_year(queries.aggregate_series(con, "population_change_10y_pct", "18"), 2026)
    assert f"I Nordland som helhet økte det med {text.percent(county)}." in body
    assert "Folketallet i Rødøy gikk ned med 10,1 % fra 2016 til 2026." in body  # the example
    # a missing country aggregate is said to be missing, never shown as 0
    if queries.value_in_year(queries.aggregate_series(con, "population_change_10y_pct", None), 2026) is None:
        assert "Tall for landet mangler for 2026." in body
    # the comparison follows the values as displayed
    share = queries.value_in_year(queries.indicator_series(con, "share_67_plus_pct", ["1836"]), 2026)
    nordland = queries.value_in_year(queries.aggregate_series(con, "share_67_plus_pct", "18"), 2026)
    word = "høyere" if round(share, 1) > round(nordland, 1) else "lavere"
    assert f"Det er {word} enn i Nordland ({text.percent(nordland)})" in body


def test_wording_follows_direction_and_missing_data():
    writer = content._Writer()
    assert content._balance_sentence(99.96) == "Det er like mange unge kvinner som unge menn."
    assert content._balance_sentence(95.0).startswith("Det er færre")
    assert content._balance_sentence(104.0).startswith("Det er flere")
    assert (
        text.change_sentence_pct("Folketallet", "X", 2016, 2026, 0.02)
        == "Folketallet i X var uendret fra 2016 til 2026."
    )
    assert writer.facts == []


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self.images, self.text = [], 0, [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.scripts += tag == "script"
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        for name, value in attrs:
            assert not name.startswith("on"), name
            if name in ("src", "href") and value:
                assert value.startswith("data:"), value  # nothing fetched from elsewhere

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.slow
def test_html_is_self_contained_and_escapes_names_and_user_notes(con, features, tmp_path, monkeypatch):
    store = UserStore(tmp_path / "brukerdata.sqlite", today=AS_OF)
    evil = "<script>alert('x')</script>"
    store.add_plan_entry(
        {
            "municipality_code": "1835",
            "plan_type": "samfunnsdel",
            "status": "vedtatt",
            "adopted": "2021-06-17",
            "period": "2021-2033",
            "source": f"Sak 12/21 {evil}",
            "note": f"Merknad {evil} & <b>fet</b>",
        },
        changed_by=f"Kari {evil}",
    )
    real = queries.municipality

    def evil_name(connection, code):
        found = real(connection, code)
        return {**found, "name": f"Træna{evil}", "official_name": f"Træna{evil}"} if found else None

    monkeypatch.setattr(content.queries, "municipality", evil_name)
    report = content.build_report(con, "1835", as_of=AS_OF, store=store, features=features, with_charts=True)
    report.charts()[0].image = b"\x89PNG fake"  # rendering HTML needs no browser
    page = html_writer.render(report)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.scripts == 0 and "h1" in parser.tags and parser.tags.count("h2") == len(HEADINGS)
    assert parser.images == ["data:image/png;base64," + base64.b64encode(b"\x89PNG fake").decode()]
    visible = "".join(parser.text)
    assert f"Merknad {evil} & <b>fet</b>" in visible  # shown as text, exactly as entered
    # what the user entered wins over the public sources, with its adoption and age
    assert "Kommuneplanens samfunnsdel (2021–2033) ble vedtatt 17. juni 2021 og er 5 år gammel" in visible
    try:
        import html5lib
    except ImportError:
        return
    html5lib.HTMLParser(strict=True).parse(page)


@pytest.mark.slow
def test_every_small_municipality_of_the_network_without_charts(con, features):
    small = queries.municipalities(con, list(queries.NETWORK_COUNTIES), queries.SMALL_MUNICIPALITY_LIMIT)
    assert len(small) >= 30
    shared: dict = {}
    for code in small["municipality_code"]:
        report = content.build_report(
            con, code, as_of=AS_OF, with_charts=False, features=features, shared=shared
        )
        paragraphs, headings, images_in_document = docx_texts(docx_writer.render(report))
        assert [h for style, h in headings if style == "Heading 1"] == HEADINGS, code
        assert images_in_document == 0
        page = html_writer.render(report)
        parser = _Collector()
        parser.feed(page)
        for paragraph in report.paragraphs():
            assert paragraph.text in paragraphs
            check_paragraph(con, paragraph, paragraph.text)


@pytest.mark.slow
def test_cli_report_writes_html_and_rejects_unknown_municipality(tmp_path, capsys, shipped_data_dir):
    target = tmp_path / "traena.html"
    assert cli.main(["report", "1835", "--format", "html", "-o", str(target), "--no-charts"]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert cli.main(["report", "Trænaa", "-o", str(tmp_path / "x.docx")]) == 2
    assert "Ukjent kommune" in capsys.readouterr().err


def test_render_bytes_rejects_unknown_format(con):
    with pytest.raises(ValueError):
        render_bytes(con, "1835", "pdf", charts=False)
    with pytest.raises(content.UnknownMunicipality):
        content.build_report(con, "9999", with_charts=False)
    assert indicators.get("population").table_id == "07459"


@pytest.mark.slow
def test_download_widget_offers_word_and_html(shipped_data_dir):
    from streamlit.testing.v1 import AppTest

    def page():
        from nokkeltall.ui.report import report_downloads

        report_downloads("1835")

    at = AppTest.from_function(page, default_timeout=90)
    at.run()
    assert [b.label for b in at.button] == ["Lag kunnskapsgrunnlag"]
    assert not at.get("download_button")  # nothing is made before it is asked for
    at.button[0].click().run()
    assert not at.exception
    assert [d.proto.label for d in at.get("download_button")] == ["Last ned Word (.docx)", "Last ned HTML"]


# --- no browser: the document is still made, with tables instead of charts -------------------------

NO_BROWSER_NOTE = "Diagrammene er vist som tabeller"


@pytest.mark.slow
def test_cli_report_without_a_browser_makes_the_document_with_tables_in_seconds(tmp_path, shipped_data_dir):
    import os
    import subprocess
    import sys
    import time

    target = tmp_path / "traena.docx"
    env = {**os.environ, "BROWSER_PATH": str(tmp_path / "no-such-chromium")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "nokkeltall", "report", "1835", "-o", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 30, elapsed
    assert "Traceback" not in done.stderr and "kaleido" not in done.stderr.lower()
    assert NO_BROWSER_NOTE in done.stderr and f"Skrev {target}" in done.stderr
    document = Document(io.BytesIO(target.read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert len(document.inline_shapes) == 0
    assert any(t.startswith(NO_BROWSER_NOTE) for t in texts)
    # every chart became its table: the population chart's index columns are there
    headers = [[c.text for c in table.rows[0].cells] for table in document.tables]
    assert any("Indeks Træna" in h for h in headers)
    assert len(document.tables) >= 10


@pytest.mark.slow
def test_download_without_a_browser_says_so_and_still_offers_the_documents(
    monkeypatch, tmp_path, shipped_data_dir
):
    from streamlit.testing.v1 import AppTest

    from nokkeltall.charts import images

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    images.reset()

    def page():
        from nokkeltall.ui.report import report_downloads

        report_downloads("1835")

    try:
        at = AppTest.from_function(page, default_timeout=60)
        at.run()
        at.button[0].click().run()
        assert not at.exception
        assert any(NO_BROWSER_NOTE in i.value for i in at.info)
        labels = [d.proto.label for d in at.get("download_button")]
        assert labels == ["Last ned Word (.docx)", "Last ned HTML"]
    finally:
        monkeypatch.delenv("BROWSER_PATH")
        images.reset()


def test_writers_show_a_chart_without_picture_as_its_table(rodoy):
    chart = rodoy.charts()[0]
    table_only = content.Chart(
        chart.key, chart.title, chart.figure, chart.source, chart.note, None, chart.table
    )
    report = content.Report(
        rodoy.municipality,
        rodoy.title,
        rodoy.subtitle,
        rodoy.generated,
        [content.Section("Befolkning", [table_only])],
        images_note="Merknad om tabeller.",
    )
    page = html_writer.render(report)
    assert "<img" not in page and "Merknad om tabeller." in page
    assert escape_text(chart.table.columns[1]) in page
    document = Document(io.BytesIO(docx_writer.render(report)))
    assert len(document.tables) == 1 and document.tables[0].rows[0].cells[1].text == chart.table.columns[1]


def escape_text(value: str) -> str:
    from html import escape

    return escape(value)
