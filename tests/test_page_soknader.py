"""«Søknader» in AppTest: register an application, see it in the county overview, move it through
the statuses, open its conversation brief and read the downloaded .docx back; bad input refused at
the field with nothing saved; JSON backup out and in; the password gate.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import docx
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from nokkeltall import db, indicators, queries, text
from nokkeltall.plan import network
from nokkeltall.report import brief
from nokkeltall.store import UserStore
from nokkeltall.ui import applications

REPO = Path(__file__).resolve().parent.parent
CODE, NAME = "1812", "Sømna"


def open_page() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/soknader.py")
    return at.run()


def open_tab(at: AppTest, label: str) -> AppTest:
    """Switch to a tab (only the open tab is drawn, and the registration form)."""
    assert label in applications.TABS
    at.session_state[applications.TAB_KEY] = label
    return at.run()


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def fill_application(at: AppTest, code: str = CODE, **overrides) -> AppTest:
    at.selectbox(key="application_municipality").set_value(code).run()
    values = {"contact": "Kari Nordmann", "email": "kari@somna.kommune.no", "samfunnsdel": "2017",
              "progress": "Planstrategi vedtas våren 2027.\nSamfunnsdel på høring høsten 2027.",
              "facttext": "Kommunebarometeret og KOSTRA", "persons": 2, "percent": 60.0, "name": "Rådgiver Rita",
              **overrides}
    at.text_input(key="contact_ny").input(values["contact"])
    at.text_input(key="email_ny").input(values["email"])
    at.text_input(key="samfunnsdel_ny").input(values["samfunnsdel"])
    at.text_area(key="progress_ny").input(values["progress"])
    at.text_area(key="facttext_ny").input(values["facttext"])
    at.number_input(key="persons_ny").set_value(values["persons"])
    at.number_input(key="percent_ny").set_value(values["percent"])
    at.text_input(key="application_name_ny").input(values["name"])
    return at


def metrics_by_county(at: AppTest) -> dict[str, dict[str, str]]:
    values = [(m.label, m.value) for m in at.metric]
    return {"Nordland": dict(values[:4]), "Trøndelag": dict(values[4:8])}


MEDIA: dict[str, bytes] = {}


@pytest.fixture(autouse=True)
def _capture_downloads(monkeypatch):
    """Keep what download buttons serve (AppTest's media storage goes away after each run)."""
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        MEDIA[file_id] = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    MEDIA.clear()


def downloaded(at: AppTest, key: str) -> bytes:
    """The bytes behind the download button with ``key`` as the browser would fetch them."""
    [button] = [b for b in at.get("download_button") if key in b.proto.id]
    return MEDIA[button.proto.url.rsplit("/", 1)[-1].split(".")[0]]


@pytest.mark.slow
def test_register_see_in_overview_and_open_the_brief(shipped_data_dir, shipped_database):
    at = fill_application(open_page())
    eligibility = [s.value for s in at.success if "Kan delta" in s.value]
    con = db.connect(shipped_database)
    row = queries.municipalities(con, ["18"]).set_index("municipality_code").loc[CODE]
    assert eligibility and f"Folketallet er {network.format_number(row.population)} per 1. januar {row.population_year}" \
        in eligibility[0]
    at = click(at, "Lagre søknad")
    assert not errors(at) and not at.exception
    assert f"Søknaden fra {CODE} {NAME} er lagret." in [s.value for s in at.success]
    [saved] = UserStore().list_applications()
    assert (saved["status"], saved["planning_staff_persons"], saved["samfunnsdel_year"]) == ("mottatt", 2, 2017)

    # the county overview counts it
    assert metrics_by_county(at) == {"Nordland": {"Mottatt": "1", "Samtale": "0", "Valgt": "0", "Ikke valgt": "0"},
                                     "Trøndelag": {"Mottatt": "0", "Samtale": "0", "Valgt": "0", "Ikke valgt": "0"}}
    overview = at.dataframe[0].value
    assert overview.iloc[0]["Kommune"] == f"{CODE} {NAME}" and overview.iloc[0]["Kan delta"] == "Ja"
    assert any("Nordland: 0 valgt, målet er 2–3" in i.value for i in at.info)

    # move it along: samtale, then valgt
    for status, expected in (("samtale", "Samtale"), ("valgt", "Valgt")):
        at.selectbox(key=f"status_{saved['id']}").set_value(status)
        at.text_input(key=f"application_name_{saved['id']}").input("Rita")
        at = click(at, "Lagre søknad")
        assert not errors(at)
        assert metrics_by_county(at)["Nordland"][expected] == "1"
    assert UserStore().get_application(saved["id"])["status"] == "valgt"

    # the brief on screen
    at = open_tab(at, "Samtaleunderlag")
    headings = [s.value for s in at.subheader]
    for heading in ("Om søknaden", "Nøkkeltall", "Utviklingstrekk", "Planstatus", "Søknadens fire svar",
                    "Spørsmål til samtalen"):
        assert heading in headings
    assert "Samtaleunderlag: Sømna" in [h.value for h in at.header]
    assert len(at.get("plotly_chart")) == 1  # the term's timeline beside the brief

    # the .docx, read back
    document = docx.Document(io.BytesIO(downloaded(at, "brief_docx")))
    doc_headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert doc_headings[0] == "Samtaleunderlag: Sømna"
    for heading in ("Nøkkeltall", "Planstatus", "Søknadens fire svar", "Spørsmål til samtalen"):
        assert heading in doc_headings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Planstrategi vedtas våren 2027." in body and "Samfunnsdel på høring høsten 2027." in body
    assert "Ja. Kommunebarometeret og KOSTRA" in body
    assert "2 personer, til sammen 60 % av en stilling satt av til planarbeid." in body
    assert "Samfunnsdelen er fra 2017." in body
    for question in network.GUIDING_QUESTIONS:
        assert question in body
    # the key figures equal the query layer's values
    [figures] = [t for t in document.tables if t.rows[0].cells[0].text == "Nøkkeltall"]
    shown = {r.cells[0].text: r.cells[1].text for r in figures.rows[1:]}
    latest = queries.latest_values(con, list(brief.KEY_FIGURES), [CODE]).iloc[0]
    for indicator_id in brief.KEY_FIGURES:
        indicator = indicators.get(indicator_id)
        assert shown[indicator.label] == text.formatted(latest.get(indicator_id), indicator.unit, indicator.decimals)
    assert shown["Folketall"] == text.number(row.population)


@pytest.mark.parametrize("overrides, field, message", [
    ({"samfunnsdel": "2150"}, "1. Årstall for gjeldende samfunnsdel", f"Årstallet må være mellom 1965 og {date.today().year + 1}"),
    ({"samfunnsdel": "1964"}, "1. Årstall for gjeldende samfunnsdel", "Årstallet må være mellom 1965 og"),
    ({"contact": ""}, "Kontaktperson", "Feltet må fylles ut."),
    ({"progress": ""}, "2. Framdriftsplan for planstrategi og samfunnsdel", "Feltet må fylles ut."),
    ({"email": "kari"}, "E-post til kontaktperson", "Skriv en gyldig e-postadresse"),
    ({"name": ""}, "Ditt navn", "Skriv inn navnet ditt."),
])
def test_bad_input_is_refused_at_the_field(shipped_data_dir, overrides, field, message):
    at = click(fill_application(open_page(), **overrides), "Lagre søknad")
    assert "Ingenting er lagret. Rett opp feltene under og prøv igjen." in errors(at)
    assert any(e.startswith(f"**{field}:** {message}") for e in errors(at)), errors(at)
    assert UserStore().list_applications() == []
    assert UserStore().list_changes() == []


def test_municipality_outside_the_two_counties(shipped_data_dir):
    at = fill_application(open_page(), code="0301")
    assert any("Kan ikke delta" in w.value and "ikke i Nordland eller Trøndelag" in w.value for w in at.warning)
    at = click(at, "Lagre søknad")
    assert "**Kommune:** Kommunen må ligge i Nordland (18xx) eller Trøndelag (50xx)." in errors(at)
    assert UserStore().list_applications() == []


def test_backup_download_and_restore(shipped_data_dir):
    at = open_tab(click(fill_application(open_page()), "Lagre søknad"), "Sikkerhetskopi")
    backup = downloaded(at, "backup_download")
    exported = json.loads(backup)
    assert [a["municipality_code"] for a in exported["tables"]["applications"]] == [CODE]

    UserStore().delete_application(exported["tables"]["applications"][0]["id"], changed_by="test")
    at = open_page()
    assert metrics_by_county(at)["Nordland"]["Mottatt"] == "0"
    at = open_tab(at, "Sikkerhetskopi")
    at.file_uploader(key="backup_upload").upload("kopi.json", backup, "application/json")
    at.checkbox(key="restore_ok").check()
    at.text_input(key="restore_name").input("Rita")
    at = click(at, "Gjenopprett")
    assert not errors(at)
    assert "Gjenopprettet: 1 søknader, 0 planstatuser, 0 milepæler, 0 lysbildesett." in [s.value for s in at.success]
    at = open_tab(at, "Oversikt per fylke")
    assert metrics_by_county(at)["Nordland"]["Mottatt"] == "1"
    at = open_tab(at, "Sikkerhetskopi")

    # a file that is not a backup changes nothing
    at.file_uploader(key="backup_upload").upload("feil.json", b'{"format": "annet"}', "application/json")
    at.checkbox(key="restore_ok").check()
    at.text_input(key="restore_name").input("Rita")
    at = click(at, "Gjenopprett")
    assert "**Fil:** Filen er ikke en sikkerhetskopi fra nøkkeltall." in errors(at)
    assert len(UserStore().list_applications()) == 1


def test_editing_needs_the_password_reading_stays_open(shipped_data_dir, monkeypatch):
    UserStore().add_application({
        "municipality_code": CODE, "round_year": date.today().year if date.today() <= date(date.today().year, 12, 15)
        else date.today().year + 1, "progress_plan": "x", "has_fact_base": False, "planning_staff_persons": 1,
        "planning_staff_percent": 20, "contact_name": "K", "contact_email": "k@k.no",
        "received_date": date.today().isoformat(), "status": "mottatt"}, changed_by="test")
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig")
    at = open_page()
    assert "Lagre søknad" not in [b.label for b in at.button]
    assert metrics_by_county(at)["Nordland"]["Mottatt"] == "1"  # the overview is open
    at = open_tab(at, "Sikkerhetskopi")
    assert "Last ned sikkerhetskopi (JSON)" in [b.label for b in at.get("download_button")]
    assert "Gjenopprett" not in [b.label for b in at.button]
    at = open_tab(at, "Samtaleunderlag")
    assert "Samtaleunderlag: Sømna" in [h.value for h in at.header]  # and the brief
    at.text_input(key="_editor_password").input("hemmelig").run()
    at.selectbox(key="application_municipality").set_value("5043").run()
    assert "Lagre søknad" in [b.label for b in at.button]


@pytest.mark.slow
def test_only_the_open_tab_is_drawn_and_the_brief_choice_is_kept(shipped_data_dir):
    store = UserStore()
    round_year = date.today().year if date.today() <= date(date.today().year, 12, 15) else date.today().year + 1
    for code in (CODE, "5043"):
        store.add_application({
            "municipality_code": code, "round_year": round_year, "progress_plan": "x", "has_fact_base": False,
            "planning_staff_persons": 1, "planning_staff_percent": 20, "contact_name": "K",
            "contact_email": "k@k.no", "received_date": date.today().isoformat(), "status": "mottatt"},
            changed_by="test")
    at = open_page()
    # the overview is open: the other tabs draw nothing, the form is always there
    assert len(at.metric) == 8 and not at.header and not at.get("download_button")
    assert "Lagre søknad" not in [b.label for b in at.button]  # no municipality chosen yet, but the picker is
    assert at.selectbox(key="application_municipality")
    at = open_tab(at, "Samtaleunderlag")
    assert not at.metric and [h.value for h in at.header] == ["Samtaleunderlag: Sømna"]
    [røyrvik] = [a["id"] for a in store.list_applications() if a["municipality_code"] == "5043"]
    at.selectbox(key="brief_choice").set_value(røyrvik).run()
    assert [h.value for h in at.header] == ["Samtaleunderlag: Raarvihke - Røyrvik"]
    # a look at another tab (where the choice is not drawn) does not lose it
    at = open_tab(open_tab(at, "Sikkerhetskopi"), "Samtaleunderlag")
    assert at.selectbox(key="brief_choice").value == røyrvik
    assert [h.value for h in at.header] == ["Samtaleunderlag: Raarvihke - Røyrvik"]


def test_every_missing_field_is_named_in_one_save(shipped_data_dir):
    at = click(fill_application(open_page(), contact="", email="", progress="", facttext="", name=""), "Lagre søknad")
    shown = errors(at)
    for field in ("Kontaktperson", "E-post til kontaktperson", "2. Framdriftsplan for planstrategi og samfunnsdel",
                  "3. Hvilken statistikk / hvilket kunnskapsgrunnlag", "Ditt navn"):
        assert any(e.startswith(f"**{field}:**") for e in shown), (field, shown)
    assert UserStore().list_applications() == []
