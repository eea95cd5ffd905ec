"""SSB's own municipal projection (14288) beside ours: fetched by a refresh from the local SSB stand-in
(a table shaped like 14288's metadata: Region with country, counties and municipalities, Kjonn 1/2,
single ages 000–105+, ContentsCode Personer/Personer1/Personer2, Tid 2024–2050; the values are test
fixtures, never shipped), normalised into the snapshot and the database, and shown on the
«Framskriving» tab and in the fact base. Without it (the shipped snapshot), a Norwegian line says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from ssb_standin import FakeClock, SsbStandin, StandinTable
from streamlit.testing.v1 import AppTest

from nokkeltall import db, snapshot
from nokkeltall.projection import Projector, beside_ssb
from nokkeltall.projection import figures as projection_charts
from nokkeltall.report import content
from nokkeltall.ssb.client import PxWebClient, ResponseCache
from nokkeltall.ssb.refresh import refresh

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
DIMENSIONS = ["Region", "Kjonn", "Alder", "ContentsCode", "Tid"]
AGES = [f"{age:03d}" for age in range(105)] + ["105+"]
# fixture totals in 2024 and the yearly change per alternative (Personer = MMMM, 1 = HHMH, 2 = LLML)
TOTALS_2024 = {"0": 5_550_000, "18": 243_000, "1835": 424, "5043": 318}
YEARLY = {"Personer": -2, "Personer1": 0, "Personer2": -4}


def fixture_total(region: str, contents: str, year: int) -> int:
    return TOTALS_2024[region] + YEARLY[contents] * (year - 2024) * 2


def table_14288() -> StandinTable:
    rows = []
    for region in TOTALS_2024:
        for contents in YEARLY:
            for year in range(2024, 2051):
                total = fixture_total(region, contents, year)
                # the whole total in one cell per sex, the rest zero: sums are exact
                for sex in ("1", "2"):
                    for age in AGES:
                        value = total / 2 if age == "040" else 0
                        rows.append((region, sex, age, contents, str(year), value))
    frame = pd.DataFrame(rows, columns=[*DIMENSIONS, "value"])
    title = "Framskrevet folkemengde 1. januar, etter region, kjønn, alder, år og statistikkvariabel"
    return StandinTable("14288", frame, DIMENSIONS, title=title, updated="2024-06-12T06:00:00Z")


def refreshed_data_dir(root: Path) -> Path:
    """``root`` made a data directory: the shipped snapshot refreshed with 14288 from the stand-in, and its
    database (also used by the browser test)."""
    shutil.copytree(REPO / "data" / "snapshot", root / "snapshot")
    clock = FakeClock()
    with SsbStandin([table_14288()]) as server:
        client = PxWebClient(
            server.base_url,
            timeout=10,
            clock=clock.now,
            sleep=clock.sleep,
            cache=ResponseCache(root / "cache", max_age=0),
        )
        result = refresh(["14288"], client=client, snapshot_directory=root / "snapshot")
    assert result.written and result.changed == ["14288"]
    db.build(root / "nokkeltall.duckdb", root / "snapshot")
    return root


@pytest.fixture(scope="module")
def refreshed_dir(tmp_path_factory) -> Path:
    return refreshed_data_dir(tmp_path_factory.mktemp("refreshed"))


@pytest.fixture(scope="module")
def refreshed_con(refreshed_dir):
    connection = db.connect(refreshed_dir / "nokkeltall.duckdb")
    yield connection
    connection.close()


def test_refresh_writes_the_municipal_projection_with_provenance(refreshed_dir):
    manifest = snapshot.read_manifest(refreshed_dir / "snapshot")["datasets"]
    entry = manifest["population_projections_14288"]
    assert entry["table_id"] == "14288" and entry["updated"].startswith("2024-06-12")
    assert "/tables/14288/data" in entry["source"]
    frame = snapshot.load_dataset("population_projections_14288", refreshed_dir / "snapshot")
    assert set(frame["region_code"]) == {"1835", "5043"}  # country and counties are not municipalities
    got = frame.set_index(["region_code", "year", "measure"])["value"]
    assert got[("1835", 2040, "projected_population_mmmm")] == fixture_total("1835", "Personer", 2040)
    assert got[("5043", 2050, "projected_population_llml")] == fixture_total("5043", "Personer2", 2050)
    # the shipped county projection is kept beside it
    assert any(name.startswith("population_projections_14288_counties") for name in manifest)


def test_comparison_states_the_difference_in_2040_with_its_source(refreshed_con):
    compared = projection_charts.municipal_comparison(refreshed_con, "1835")
    ours = Projector.from_connection(refreshed_con).project("1835").series("total", main=True)[2040]
    ssb_main = fixture_total("1835", "Personer", 2040)
    assert compared["available"]
    table = compared["table"].set_index("År")
    assert table.loc["2040", "SSB hovedalternativ"] == ssb_main
    assert table.loc["2040", "SSB lav nasjonal vekst"] == fixture_total("1835", "Personer2", 2040)
    assert table.loc["2040", "Forskjell fra SSB hoved (%)"] == pytest.approx(
        (ours / ssb_main - 1) * 100, abs=0.05
    )
    sentence = compared["sentence"]
    assert sentence.startswith("I 2040 gir nøkkeltalls framskriving Træna om lag ")
    assert f"SSBs hovedalternativ for kommunen ({ssb_main}; lavt og høyt alternativ " in sentence
    assert (
        compared["source"] == "Kilde: SSB, tabell 14288 (befolkningsframskrivinger), oppdatert 12. juni 2024"
    )


def test_fan_draws_ssb_beside_ours(refreshed_con):
    chart = projection_charts.fan_chart(refreshed_con, "1835")
    lines = {trace.name: trace for trace in chart.figure.data}
    assert {"SSB hovedalternativ", "SSB lav nasjonal vekst", "SSB høy nasjonal vekst"} <= set(lines)
    main = dict(zip(lines["SSB hovedalternativ"].x, lines["SSB hovedalternativ"].y, strict=True))
    assert main[2040] == fixture_total("1835", "Personer", 2040)
    assert "tabell 14288" in chart.source
    assert chart.table.set_index("År").loc[2040, "SSB hovedalternativ"] == main[2040]


def test_fact_base_section_has_the_sentence_and_the_table(refreshed_con):
    municipality = {"municipality_code": "1835", "name": "Træna", "county_code": "18"}
    section = content.projection_section(content._Data(refreshed_con, municipality), with_charts=False)
    paragraphs = [b.text for b in section.blocks if isinstance(b, content.Paragraph)]
    assert any(p.startswith("I 2040 gir nøkkeltalls framskriving Træna om lag ") for p in paragraphs)
    tables = [b for b in section.blocks if isinstance(b, content.Table) and "SSBs framskriving" in b.title]
    assert tables and tables[0].source.startswith("Kilde: SSB, tabell 14288")


def test_fact_base_section_without_it_says_it_is_not_fetched(shipped_con):
    municipality = {"municipality_code": "1835", "name": "Træna", "county_code": "18"}
    section = content.projection_section(content._Data(shipped_con, municipality), with_charts=False)
    notes = [b.text for b in section.blocks if isinstance(b, content.Note)]
    assert beside_ssb.NOT_FETCHED in notes


def open_tab() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/kommune.py")
    at.query_params["kommune"] = "1835"
    at.query_params["del"] = "Framskriving"
    return at.run()


def fan_names(at: AppTest) -> set[str]:
    names = set()
    for chart in at.get("plotly_chart"):
        names |= {trace.get("name") for trace in json.loads(chart.proto.spec)["data"]}
    return names


def test_tab_shows_ssb_beside_ours_after_a_refresh(refreshed_dir, refreshed_con, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "snapshot").symlink_to(refreshed_dir / "snapshot")
    (data_dir / "nokkeltall.duckdb").symlink_to(refreshed_dir / "nokkeltall.duckdb")
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(data_dir))
    at = open_tab()
    assert not at.exception
    compared = projection_charts.municipal_comparison(refreshed_con, "1835")
    assert any(m.value == compared["sentence"] for m in at.markdown)
    assert any("Kilde: SSB, tabell 14288" in c.value for c in at.caption)
    assert "SSB hovedalternativ" in fan_names(at)
    assert not any(beside_ssb.NOT_FETCHED in i.value for i in at.info)


@pytest.mark.usefixtures("shipped_data_dir")
def test_tab_without_it_says_it_is_not_fetched():
    at = open_tab()
    assert not at.exception
    assert any(i.value == beside_ssb.NOT_FETCHED for i in at.info)
    assert "SSB hovedalternativ" not in fan_names(at)
