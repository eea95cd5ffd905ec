"""Sources in plain Norwegian: no user-facing text names GitHub, a code repository, a source file or an
internal dataset id — app pages (AppTest), the fact-base document (Word and HTML), the downloads' CSV
and Excel headers — and each figure keeps its source line. The repositories stay on «Om data».

The forbidden words are read from the shipped snapshot's own dataset table, so a new third-party
source is covered without editing this test.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from nokkeltall import provenance, queries, spreadsheet
from nokkeltall.charts import indicator as indicator_charts
from nokkeltall.compare import export
from nokkeltall.profile import small_municipalities
from nokkeltall.report import content
from nokkeltall.report import docx as docx_writer
from nokkeltall.report import html as html_writer

APP = str(Path(__file__).resolve().parent.parent / "app.py")
AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def forbidden(shipped_con) -> re.Pattern:
    """«github», every repository (and its owner) named in the datasets, source file names and
    internal ids (KDD-DKI, KLASS-128, PLANSTATUS, dataset names)."""
    datasets = queries.datasets(shipped_con)
    words = {"github"}
    for column in ("caveat", "publisher", "title"):
        for value in datasets[column].dropna():
            for repository in set(provenance.REPOSITORY.findall(str(value))) - provenance.NOT_REPOSITORIES:
                owner, name = repository.split("/", 1)
                if len(owner) < 5 and len(name) < 5:  # «ja/nei», «fra/til»: words, not repositories
                    continue
                code_like = re.search(r"[_\d]|[a-z][A-Z]", name)  # «Project_statsbudsjett», not «Telemark»
                words.update(
                    {repository} | ({owner} if len(owner) >= 5 else set()) | ({name} if code_like else set())
                )
    words.update({"kommunebarometer", "csdata", "Project_statsbudsjett", "valg_analyser"})
    words.update(Path(s).name for s in datasets["source"].dropna())
    ids = {str(t) for t in datasets["table_id"].dropna() if not str(t).isdigit() and str(t) != "KOSTRA"}
    ids.update(datasets["name"].dropna())
    assert {"Lippen1995", "oystess"} <= words and {"KDD-DKI", "PLANSTATUS"} <= ids  # the examples
    names = "|".join(rf"(?<![\w-]){re.escape(w)}(?![\w])" for w in sorted(words, key=len, reverse=True))
    internal = "|".join(rf"(?<![\w-]){re.escape(w)}(?![\w])" for w in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?i:{names})|{internal}")  # ids are matched as written («planstatus» is a word)


def assert_plain(texts: list[str], forbidden: re.Pattern, where: str) -> None:
    for value in texts:
        found = forbidden.search(value)
        assert found is None, f"{where}: «{found.group(0)}» in {value[:300]!r}"


# --- app pages -------------------------------------------------------------------------------------


def page_texts(at: AppTest) -> list[str]:
    """Every text the page shows: element protos (labels, captions, chart titles …) and table cells."""
    texts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, Dataframe):
            frame = node.value
            texts.extend(str(c) for c in frame.columns)
            texts.extend(str(v) for v in frame.astype(str).to_numpy().ravel())
            return
        children = getattr(node, "children", None)
        if isinstance(children, dict) and children:
            for child in children.values():
                walk(child)
        proto = getattr(node, "proto", None)
        if proto is not None and not (isinstance(children, dict) and children):
            texts.append(str(proto))

    walk(at._tree)
    return texts


PAGES = [
    ("pages/oversikt.py", {}),
    ("pages/kommune.py", {"kommune": "1835"}),
    ("pages/kommune.py", {"kommune": "1836"}),
    ("pages/sammenlign.py", {"kommuner": "1835,1836", "indikatorer": "population,net_operating_result_pct"}),
    ("pages/samlingsmodus.py", {"kommuner": "1835,1836", "indikatorer": "population"}),
    ("pages/plan.py", {"kommune": "1835"}),
    ("pages/soknader.py", {}),
]


@pytest.mark.usefixtures("shipped_data_dir")
@pytest.mark.parametrize("page, params", PAGES, ids=[f"{p}-{'-'.join(q.values())}" for p, q in PAGES])
def test_pages_name_no_repository_or_internal_id(page, params, forbidden):
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert_plain(page_texts(at), forbidden, page)
    if page == "pages/kommune.py":  # each figure keeps its source line
        sources = [c.value for c in at.caption if c.value.startswith("Kilde:")]
        assert len(sources) >= len(at.get("plotly_chart")) >= 3


@pytest.mark.usefixtures("shipped_data_dir")
def test_om_data_keeps_the_repositories(forbidden):
    at = AppTest.from_file(APP, default_timeout=90)
    at.switch_page("pages/om_data.py")
    at.run()
    assert any(forbidden.search(t) for t in page_texts(at))  # the full provenance is kept here


# --- the fact-base document ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(shipped_con):
    from nokkeltall.compare import similarity

    features = similarity.similarity_features(shipped_con)[0]
    # with charts but no pictures: each chart is written as its table with its source (no browser needed)
    return [
        content.build_report(shipped_con, code, as_of=AS_OF, features=features) for code in ("1835", "1836")
    ]


def docx_all_text(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return texts


def test_documents_name_no_repository_or_internal_id_and_every_chart_keeps_its_source(reports, forbidden):
    for report in reports:
        texts = docx_all_text(docx_writer.render(report))
        assert_plain(texts, forbidden, f"docx {report.title}")
        assert_plain([html_writer.render(report)], forbidden, f"html {report.title}")
        assert not any("Forbehold (KOSTRA)" in t for t in texts)  # caveats labelled with their topic
        for chart in report.charts():
            assert chart.source.startswith("Kilde: ") and chart.source in texts
        # third-party compilations are said once, in plain words
        said = [t for t in texts if "sammenstilt av en tredjepart" in t]
        assert said and any("KOSTRA" in t for t in said)


# --- downloads -------------------------------------------------------------------------------------------


def test_csv_and_excel_headers_name_no_repository_or_internal_id(shipped_con, forbidden):
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            export.comparison_workbook(
                shipped_con, ["population", "net_operating_result_pct", "cost_need_index"], ["1835", "1836"]
            )
        )
    )
    cells = [
        str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value is not None
    ]
    assert_plain(cells, forbidden, "comparison workbook")
    overview = small_municipalities.overview_export(
        small_municipalities.overview_table(shipped_con, ("18", "50"), 2500)
    )
    assert_plain(list(overview.columns), forbidden, "overview export")
    for indicator_id in ("population", "net_operating_result_pct", "cost_need_index"):
        chart = indicator_charts.indicator_chart(shipped_con, indicator_id, "1835")
        header = spreadsheet.csv_bytes(chart.table).decode("utf-8-sig").splitlines()[0]
        assert_plain([header, chart.source, chart.subtitle or ""], forbidden, f"CSV {indicator_id}")
