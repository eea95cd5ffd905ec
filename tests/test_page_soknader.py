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

from nokkeltall import db, queries
from nokkeltall.plan import network
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
    """Every field of a new application, each answer explicitly (the form pre-fills none)."""
    at.selectbox(key="application_municipality").set_value(code).run()
    values = {
        "contact": "Kari Nordmann",
        "email": "kari@somna.kommune.no",
        "samfunnsdel_answer": "år",
        "samfunnsdel": "2017",
        "progress": "Planstrategi vedtas våren 2027.\nSamfunnsdel på høring høsten 2027.",
        "fact": "ja",
        "facttext": "Kommunebarometeret og KOSTRA",
        "persons": 2,
        "percent": 60.0,
        "name": "Rådgiver Rita",
        **overrides,
    }
    at.text_input(key="contact_ny").input(values["contact"])
    at.text_input(key="email_ny").input(values["email"])
    if values["samfunnsdel_answer"] is not None:
        at.radio(key="samfunnsdel_answer_ny").set_value(values["samfunnsdel_answer"])
    at.text_input(key="samfunnsdel_ny").input(values["samfunnsdel"])
    at.text_area(key="progress_ny").input(values["progress"])
    if values["fact"] is not None:
        at.radio(key="fact_ny").set_value(values["fact"])
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
    assert (
        eligibility
        and f"Folketallet er {network.format_number(row.population)} per 1. januar {row.population_year}"
        in eligibility[0]
    )
    at = click(at, "Lagre søknad")
    assert not errors(at) and not at.exception
    assert f"Søknaden fra {CODE} {NAME} er lagret." in [s.value for s in at.success]
    [saved] = UserStore().list_applications()
    assert (saved["status"], saved["planning_staff_persons"], saved["samfunnsdel_year"]) == (
        "mottatt",
        2,
        2017,
    )
    # the saved application shows its checks
    checks_shown = [m.value for m in at.markdown if m.value.startswith(("✅ **", "⚠️ **", "❔ **"))]
    assert any(m.startswith("✅ **Kan delta: stemmer**") for m in checks_shown), checks_shown
    assert len(checks_shown) == 6

    # the county overview counts it, and the matrix shows the answers and the checks side by side
    assert metrics_by_county(at) == {
        "Nordland": {"Mottatt": "1", "Samtale avtalt": "0", "Valgt": "0", "Ikke valgt": "0"},
        "Trøndelag": {"Mottatt": "0", "Samtale avtalt": "0", "Valgt": "0", "Ikke valgt": "0"},
    }
    overview = at.dataframe[0].value
    first = overview.iloc[0]
    assert first["Kommune"] == f"{CODE} {NAME}" and first["Kan delta"] == "Ja"
    assert (first["1. Samfunnsdel"], first["3. Kunnskapsgrunnlag"], first["4. Ressurser"]) == (
        "2017",
        "ja",
        "2 pers., 60 %",
    )
    assert first["Sjekk: kan delta"] == "Stemmer" and first["Folketall"] == row.population
    assert any("Nordland: 0 valgt, målet er 2–3" in i.value for i in at.info)
    assert "Last ned oversikten (Excel)" in [b.label for b in at.get("download_button")]

    # move it along with the adviser's assessment: samtale avtalt, then valgt
    for status, expected in (("samtale", "Samtale avtalt"), ("valgt", "Valgt")):
        version = UserStore().get_application(saved["id"])["version"]
        suffix = f"_{saved['id']}_{version}"
        at.selectbox(key=f"assess_status{suffix}").set_value(status)
        at.selectbox(key=f"assessment{suffix}").set_value("aktuell")
        at.text_area(key=f"adviser_note{suffix}").input("Tydelig eierskap hos ordfører.")
        at.text_input(key=f"assessment_name{suffix}").input("Rita")
        at = click(at, "Lagre vurdering")
        assert not errors(at)
        assert metrics_by_county(at)["Nordland"][expected] == "1"
    stored = UserStore().get_application(saved["id"])
    assert (stored["status"], stored["assessment"], stored["assessed_by"]) == ("valgt", "aktuell", "Rita")
    assert at.dataframe[0].value.iloc[0]["Rådgivers notat"] == "Tydelig eierskap hos ordfører."

    # the brief on screen: the checks first, talking points, the answers, the timeline
    at = open_tab(at, "Samtaleunderlag")
    headings = [s.value for s in at.subheader]
    assert headings[:3] == ["Sjekk av søknaden mot data", "Samtalepunkter", "Søknadens fire svar"]
    for heading in ("Om søknaden", "Nøkkeltall", "Utviklingstrekk", "Planstatus", "Kilder"):
        assert heading in headings
    assert "Samtaleunderlag: Sømna" in [h.value for h in at.header]
    assert len(at.get("plotly_chart")) == 1  # the term's timeline
    body = "\n".join(m.value for m in at.markdown)
    assert "Gjeldende samfunnsdel er fra 2017\\." in body or "Gjeldende samfunnsdel er fra 2017." in body
    assert "Last ned samtaleunderlag (.docx)" not in [b.label for b in at.get("download_button")]
    at = click(at, "Lag samtaleunderlag som Word (.docx)")
    document = docx.Document(io.BytesIO(downloaded(at, "brief_docx")))
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1[:3] == ["Sjekk av søknaden mot data", "Samtalepunkter", "Søknadens fire svar"]
    assert "Gjeldende samfunnsdel er fra 2017." in [p.text for p in document.paragraphs]


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"samfunnsdel": "2150"},
            "1. Årstall for gjeldende samfunnsdel",
            f"Årstallet må være mellom 1965 og {date.today().year + 1}",
        ),
        ({"samfunnsdel": "i fjor"}, "1. Årstall for gjeldende samfunnsdel", "«i fjor» er ikke et årstall."),
        ({"samfunnsdel": "1964"}, "1. Årstall for gjeldende samfunnsdel", "Årstallet må være mellom 1965 og"),
        ({"contact": ""}, "Kontaktperson", "Feltet må fylles ut."),
        (
            {"progress": ""},
            "2. Framdriftsplan for planstrategi og samfunnsdel",
            "Svar på spørsmålet, eller kryss av",
        ),
        (
            {"samfunnsdel_answer": None, "samfunnsdel": ""},
            "1. Årstall for gjeldende samfunnsdel",
            "Skriv årstallet, «ingen»",
        ),
        (
            {"fact": None, "facttext": ""},
            "3. Har kommunen statistikk, nøkkeltall og kunnskapsgrunnlag?",
            "Svar på spørsmålet, eller kryss av",
        ),
        (
            {"persons": None, "percent": None},
            "4. Samlet stillingsandel til planarbeid (%)",
            "Oppgi antall personer",
        ),
        (
            {"persons": 0, "percent": 50.0},
            "4. Samlet stillingsandel til planarbeid (%)",
            "Antall personer og stillingsandel passer ikke",
        ),
        ({"email": "kari"}, "E-post til kontaktperson", "Skriv en gyldig e-postadresse"),
        ({"name": ""}, "Ditt navn", "Skriv inn navnet ditt."),
    ],
)
def test_bad_input_is_refused_at_the_field(shipped_data_dir, overrides, field, message):
    at = click(fill_application(open_page(), **overrides), "Lagre søknad")
    assert "Ingenting er lagret. Rett opp feltene under og prøv igjen." in errors(at)
    assert any(e.startswith(f"**{field}:** {message}") for e in errors(at)), errors(at)
    assert UserStore().list_applications() == []
    assert UserStore().list_changes() == []


def test_municipality_outside_the_two_counties(shipped_data_dir):
    at = fill_application(open_page(), code="0301")
    assert any(
        "Kan ikke delta" in w.value and "ikke i Nordland eller Trøndelag" in w.value for w in at.warning
    )
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
    assert "Gjenopprettet: 1 søknader, 0 planstatuser, 0 milepæler, 0 lysbildesett, 0 scenarioer." in [
        s.value for s in at.success
    ]
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
    UserStore().add_application(
        {
            "municipality_code": CODE,
            "round_year": date.today().year
            if date.today() <= date(date.today().year, 12, 15)
            else date.today().year + 1,
            "progress_plan": "x",
            "has_fact_base": False,
            "planning_staff_persons": 1,
            "samfunnsdel_answer": "ingen",
            "planning_staff_percent": 20,
            "contact_name": "K",
            "contact_email": "k@k.no",
            "received_date": date.today().isoformat(),
            "status": "mottatt",
        },
        changed_by="test",
    )
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig")
    at = open_page()
    assert "Lagre søknad" not in [b.label for b in at.button]
    assert metrics_by_county(at)["Nordland"]["Mottatt"] == "1"  # the overview is open
    assert "Lagre vurdering" not in [b.label for b in at.button]  # the adviser's assessment is not
    at = open_tab(at, "Importer søknader")
    at.file_uploader(key="import_file").upload(
        "s.csv", b"Kommune;Mottatt;Kontaktperson\n5043;01.11.2026;K\n", "text/csv"
    )
    at = at.run()
    assert "Importer søknader" not in [b.label for b in at.button]
    assert any("trenger redaktørpassordet" in i.value for i in at.info), [e.value for e in at.error]
    at = open_tab(at, "Oversikt per fylke")
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
    round_year = (
        date.today().year if date.today() <= date(date.today().year, 12, 15) else date.today().year + 1
    )
    for code in (CODE, "5043"):
        store.add_application(
            {
                "municipality_code": code,
                "round_year": round_year,
                "progress_plan": "x",
                "has_fact_base": False,
                "samfunnsdel_answer": "ingen",
                "planning_staff_persons": 1,
                "planning_staff_percent": 20,
                "contact_name": "K",
                "contact_email": "k@k.no",
                "received_date": date.today().isoformat(),
                "status": "mottatt",
            },
            changed_by="test",
        )
    at = open_page()
    # the overview is open: the other tabs draw nothing, the form is always there
    assert len(at.metric) == 8 and not at.header
    assert [b.key for b in at.get("download_button")] == ["matrix_xlsx"]  # the brief's is not drawn
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
    at = click(
        fill_application(open_page(), contact="", email="", progress="", facttext="", name=""), "Lagre søknad"
    )
    shown = errors(at)
    for field in (
        "Kontaktperson",
        "2. Framdriftsplan for planstrategi og samfunnsdel",
        "3. Hvilken statistikk / hvilket kunnskapsgrunnlag",
        "Ditt navn",
    ):
        assert any(e.startswith(f"**{field}:**") for e in shown), (field, shown)
    assert UserStore().list_applications() == []


IMPORT_HEADERS = (
    "Tidsmerke;Kommune;Kontaktperson;Samfunnsdel fra år;Framdriftsplan;Kunnskapsgrunnlag;Ressurser;Kommentar"
)


def import_csv(*rows: str) -> bytes:
    return "\n".join((IMPORT_HEADERS, *rows)).encode("latin-1")


def test_import_on_the_page_checks_first_then_stores_all_rows(shipped_data_dir):
    today = date.today().strftime("%d.%m.%Y")
    good = import_csv(
        f"{today};Sømna;Kari <kari@somna.kommune.no>;2017;Planstrategi vedtas juni 2027;nei;1 person, 50 %;x",
        f"{today};5043;Ola;ingen;Oppstart våren 2027;ja, kommunebilde;;",
    )
    at = open_tab(open_page(), "Importer søknader")
    bad = import_csv(f"{today};Sømnaa;Kari;i fjor;Plan;nei;1 person, 250 %;")
    at.file_uploader(key="import_file").upload("soknader.csv", bad, "text/csv")
    at = at.run()
    assert "Ingenting kan importeres før dette er rettet i filen:" in errors(at)
    problems = "\n".join(m.value for m in at.markdown)
    assert "Rad 2, Kommune: Ukjent kommune «Sømnaa»" in problems and "Mente du 1812 Sømna?" in problems
    assert "Stillingsandelen må være mellom 0 og 100 %" in problems
    assert "«i fjor» er ikke et årstall" in problems
    assert "Importer søknader" not in [b.label for b in at.button]
    assert UserStore().list_applications() == []

    at.file_uploader(key="import_file").upload("soknader.csv", good, "text/csv")
    at = at.run()
    assert any("Filen er kontrollert: 2 nye, 0 endret (ny versjon), 0 uendret." in i.value for i in at.info)
    assert UserStore().list_applications() == []  # the check stores nothing
    at.text_input(key="import_name").input("Rita")
    at = click(at, "Importer søknader")
    assert not errors(at) and not at.exception
    stored = {a["municipality_code"]: a for a in UserStore().list_applications()}
    assert set(stored) == {CODE, "5043"}
    assert stored["5043"]["planning_staff_percent"] is None and stored["5043"]["planning_staff_text"] is None
    assert stored[CODE]["samfunnsdel_year"] == 2017 and stored[CODE]["entered_by"] == "Rita"


def test_import_asks_which_column_when_two_could_be_the_municipality(shipped_data_dir):
    today = date.today().strftime("%d.%m.%Y")
    data = (
        "Kommune;Kommunenavn;Mottatt;Kontaktperson;Samfunnsdel;Framdriftsplan;Kunnskapsgrunnlag;Ressurser\n"
        f"Helgeland;Sømna;{today};Kari;2017;Plan;nei;1 person, 50 %\n"
    ).encode()
    at = open_tab(open_page(), "Importer søknader")
    at.file_uploader(key="import_file").upload("soknader.csv", data, "text/csv")
    at = at.run()
    assert any(
        "Flere kolonner kan være «Kommune»: «Kommune», «Kommunenavn». Velg én." in w.value for w in at.warning
    )
    at.selectbox(key="import_column_municipality").set_value("Kommunenavn")
    at = at.run()
    assert any("Filen er kontrollert: 1 nye" in i.value for i in at.info), [e.value for e in at.error]
    assert UserStore().list_applications() == []
