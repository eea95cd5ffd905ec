"""Applications imported from a form tool's spreadsheet: xlsx and csv variants (``;`` or ``,``, UTF-8 or
latin-1, extra columns), one bad row, a duplicate, a changed row; bad input gets a Norwegian message
and nothing is stored. Municipalities come from the inline fixture database (tests/conftest.py)."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from nokkeltall import queries
from nokkeltall.applications import spreadsheet
from nokkeltall.store import UserStore

TODAY = date(2026, 11, 30)
HEADERS = [
    "Tidsmerke",
    "Kommune",
    "Kontaktperson",
    "E-postadresse",
    "1. Hvilket år er gjeldende kommuneplanens samfunnsdel fra?",
    "2. Framdriftsplan for planstrategi og samfunnsdel",
    "3. Finnes statistikk, nøkkeltall og kunnskapsgrunnlag, og i så fall hvilke?",
    "4. Ressurser satt av til planarbeid (personer og stillingsandel)",
    "Søknadsrunde",
    "Kommentar fra skjema",
]
TRAENA = [
    "20.11.2026 14:03:11",
    "Træna",
    "Kari Nordmann",
    "kari@traena.kommune.no",
    "2012",
    "Planstrategi vedtas juni 2027. Samfunnsdel høsten 2028.",
    "Nei. Kun folketall fra SSB, ikke samlet.",
    "1 planlegger i 50 % stilling",
    "2026",
    "sendt fra mobil",
]
ROYRVIK = [
    "21.11.2026 09:00:00",
    "5043",
    "Ola Hansen <ola@royrvik.kommune.no>",
    "",
    "ingen",
    "Oppstart planstrategi våren 2027",
    "Ja, kommunebilde fra Statsforvalteren",
    "to personer, 60 prosent",
    "2026",
    "",
]
HAMAROY = [
    "22.11.2026",
    "Hamarøy kommune",
    "Per Pedersen",
    "per@hamaroy.kommune.no",
    "",
    "",
    "",
    "",
    "2026",
    "kun navn",
]


@pytest.fixture
def places(con) -> spreadsheet.Places:
    return spreadsheet.Places.from_frame(queries.municipalities(con))


@pytest.fixture
def store(tmp_path) -> UserStore:
    return UserStore(tmp_path / "brukerdata.sqlite", today=TODAY)


def csv_bytes(rows, delimiter=";", encoding="utf-8") -> bytes:
    lines = [delimiter.join(f'"{c}"' if delimiter in c or '"' in c else c for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Svar fra skjema"])  # a title row above the headers is left out by the header search? no:
    sheet.delete_rows(1)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(store, places, data, name="soknader.csv", round_year=None, **options):
    return spreadsheet.import_file(store, data, name, places, round_year, "Rådgiver Rita", **options)


def test_semicolon_latin1_csv_with_an_extra_column_is_imported(store, places):
    outcome = run(store, places, csv_bytes([HEADERS, TRAENA, ROYRVIK, HAMAROY], ";", "latin-1"))
    assert outcome.ok, outcome.problems
    assert outcome.mapping.unused == ["Kommentar fra skjema"]
    assert [n for n, _ in outcome.result.created] == [2, 3, 4]
    stored = {a["municipality_code"]: a for a in store.list_applications(2026)}
    traena = stored["1835"]
    assert (traena["samfunnsdel_answer"], traena["samfunnsdel_year"]) == ("år", 2012)
    assert traena["received_date"] == "2026-11-20" and traena["status"] == "mottatt"
    assert (traena["has_fact_base"], traena["fact_base_description"]) == (
        False,
        "Kun folketall fra SSB, ikke samlet.",
    )
    assert (traena["planning_staff_persons"], traena["planning_staff_percent"]) == (1, 50.0)
    assert traena["planning_staff_text"] == "1 planlegger i 50 % stilling"
    royrvik = stored["5043"]
    assert (royrvik["contact_name"], royrvik["contact_email"]) == ("Ola Hansen", "ola@royrvik.kommune.no")
    assert royrvik["samfunnsdel_answer"] == "ingen" and royrvik["has_fact_base"] is True
    assert (royrvik["planning_staff_persons"], royrvik["planning_staff_percent"]) == (2, 60.0)
    hamaroy = stored["1875"]  # every answer left empty: stored as «ikke oppgitt», never as «nei» or 0
    assert hamaroy["samfunnsdel_answer"] == "ikke_oppgitt" and hamaroy["progress_plan"] is None
    assert hamaroy["has_fact_base"] is None and hamaroy["planning_staff_percent"] is None
    assert {c["action"] for c in store.list_changes("applications")} == {"opprettet"}


def test_comma_utf8_csv_and_xlsx_give_the_same_applications(store, places, tmp_path):
    run(store, places, csv_bytes([HEADERS, TRAENA, ROYRVIK], ",", "utf-8-sig"))
    from_csv = store.list_applications(2026)
    other = UserStore(tmp_path / "annen.sqlite", today=TODAY)
    xlsx_rows = [HEADERS] + [
        [datetime(2026, 11, 20, 14, 3, 11), *TRAENA[1:4], 2012, *TRAENA[5:8], 2026, "x"],
        [datetime(2026, 11, 21, 9, 0), *ROYRVIK[1:8], 2026, None],
    ]
    outcome = run(other, places, xlsx_bytes(xlsx_rows), "soknader.xlsx")
    assert outcome.ok, outcome.problems
    answer_fields = [f for f in from_csv[0] if f not in ("id", "entered_at", "updated_at")]
    assert [{f: a[f] for f in answer_fields} for a in other.list_applications(2026)] == [
        {f: a[f] for f in answer_fields} for a in from_csv
    ]


def test_one_bad_row_imports_nothing_and_names_each_problem_by_row(store, places):
    bad = [
        "23.11.2026",
        "Trena",
        "Nils",
        "nils@x.no",
        "i fjor",
        "Plan",
        "ja, noe",
        "1 person, 250 %",
        "2026",
        "",
    ]
    outcome = run(store, places, csv_bytes([HEADERS, TRAENA, bad, ROYRVIK]))
    assert not outcome.ok and outcome.result is None
    assert outcome.problems == [
        "Rad 3, Kommune: Ukjent kommune «Trena». Mente du 1835 Træna?",
        "Rad 3, 4. Ressurser (stillingsandel): Stillingsandelen må være mellom 0 og 100 %.",
        "Rad 3, 1. Samfunnsdel: «i fjor» er ikke et årstall. Skriv fire sifre, for eksempel 2026.",
    ]
    assert store.list_applications() == [] and store.list_changes() == []


def test_duplicate_row_is_imported_once_and_the_same_file_twice_changes_nothing(store, places):
    data = csv_bytes([HEADERS, TRAENA, ROYRVIK, TRAENA])
    first = run(store, places, data)
    assert first.ok and len(first.result.created) == 2
    before = (store.list_applications(), store.list_changes())
    again = run(store, places, data)
    assert again.ok and [n for n, _ in again.result.unchanged] == [2, 3] and not again.result.changed
    assert (store.list_applications(), store.list_changes()) == before


def test_changed_row_becomes_a_new_version_with_the_change_log(store, places):
    run(store, places, csv_bytes([HEADERS, TRAENA, ROYRVIK]))
    traena = next(a for a in store.list_applications() if a["municipality_code"] == "1835")
    store.set_application_status(traena["id"], "samtale", "Rita")
    changed = TRAENA[:4] + ["2016"] + TRAENA[5:]
    outcome = run(store, places, csv_bytes([HEADERS, changed, ROYRVIK]))
    assert outcome.ok
    assert [n for n, _, _ in outcome.result.changed] == [2] and [n for n, _ in outcome.result.unchanged] == [
        3
    ]
    assert spreadsheet.change_lines(outcome.result) == [
        "Rad 2, 1835: ny versjon 3 (1. Samfunnsdel: 2012 → 2016)"
    ]
    now = store.get_application(traena["id"])
    assert (now["samfunnsdel_year"], now["version"], now["status"]) == (2016, 3, "samtale")  # status kept
    log = store.list_changes("applications", traena["id"])
    assert [c["action"] for c in log] == ["opprettet", "endret", "endret"]
    assert (
        '"samfunnsdel_year": 2012' in log[-1]["old_values"]
        and '"samfunnsdel_year": 2016' in log[-1]["new_values"]
    )


def test_conflicting_duplicate_rows_are_refused(store, places):
    changed = TRAENA[:4] + ["2016"] + TRAENA[5:]
    outcome = run(store, places, csv_bytes([HEADERS, TRAENA, changed]))
    assert outcome.problems == [
        "Rad 3, Kommune: Kommunen og runden står også i rad 2, med andre svar. Fjern en av radene."
    ]
    assert store.list_applications() == []


def test_a_dry_run_reports_without_storing(store, places):
    outcome = run(store, places, csv_bytes([HEADERS, TRAENA]), dry_run=True)
    assert outcome.ok and len(outcome.result.created) == 1
    assert store.list_applications() == [] and store.list_changes() == []


def test_ambiguous_columns_ask_for_a_mapping_then_import(store, places):
    headers = ["Kommune", "Kommunenavn", "Søknadsrunde", "Mottatt", "Kontaktperson", "Samfunnsdel"]
    row = ["1835", "Træna", "2026", "2026-11-20", "Kari", "2019"]
    data = csv_bytes([headers, row])
    outcome = run(store, places, data)
    assert outcome.needs_mapping and outcome.result is None
    assert outcome.problems == ["Flere kolonner kan være «Kommune»: «Kommune», «Kommunenavn». Velg én."]
    done = run(store, places, data, chosen={"municipality": "Kommunenavn"})
    assert done.ok, done.problems
    stored = store.list_applications()[0]
    assert stored["municipality_code"] == "1835" and stored["progress_plan"] is None  # not in the file


def test_round_from_the_page_when_the_file_has_none(store, places):
    headers = [h for h in HEADERS if h != "Søknadsrunde"]
    row = [c for h, c in zip(HEADERS, TRAENA, strict=True) if h != "Søknadsrunde"]
    assert run(store, places, csv_bytes([headers, row])).problems == [
        "Filen: Filen har ingen kolonne for søknadsrunde; velg runden (år for fristen)."
    ]
    assert run(store, places, csv_bytes([headers, row]), round_year=2026).ok


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Filen er tom. Ingenting er importert."),
        (b"   \r\n", "Filen er tom. Ingenting er importert."),
        (csv_bytes([HEADERS]), "Filen: Filen har ingen søknader (ingen rader under overskriftene)."),
        (b"PK\x03\x04 ikke en arbeidsbok", spreadsheet.NOT_FILE + " Ingenting er importert."),
        (
            b"x" * (50 * 1024 * 1024),
            "Filen er 50,0 MB; den kan være høyst 5 MB. En eksport av søknader er vanligvis "
            "under 1 MB. Ingenting er importert.",
        ),
    ],
)
def test_bad_files_get_a_norwegian_message_and_nothing_is_stored(store, places, data, message):
    outcome = run(store, places, data)
    assert outcome.problems == [message]
    assert store.list_applications() == []


def test_municipality_by_number_name_official_name_and_near_matches(places):
    assert places.resolve("1835") == ("1835", None)
    assert places.resolve("1835 Træna") == ("1835", None)
    assert places.resolve("Hábmer") == ("1875", None)
    assert places.resolve("raarvihke") == ("5043", None)
    assert places.resolve("9999") == (None, "Fant ingen kommune med nummer 9999.")
    code, message = places.resolve("Trondhjem")
    assert code is None and message == "Ukjent kommune «Trondhjem». Mente du 5001 Trondheim?"


def test_export_writes_the_columns_the_import_reads(store, places):
    run(store, places, csv_bytes([HEADERS, TRAENA, ROYRVIK, HAMAROY]))
    exported = spreadsheet.export_xlsx(store.list_applications(), places.names)
    table = spreadsheet.read_table(exported, "soknader.xlsx")
    mapping = spreadsheet.match_columns(list(table.columns))
    assert mapping.complete and not mapping.unused
    again = spreadsheet.import_file(store, exported, "soknader.xlsx", places, None, "Rita")
    assert again.ok, again.problems
    assert not again.result.changed and len(again.result.unchanged) == 3


V1_APPLICATIONS = """CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT, municipality_code TEXT NOT NULL, round_year INTEGER NOT NULL,
    samfunnsdel_year INTEGER, progress_plan TEXT NOT NULL, has_fact_base INTEGER NOT NULL,
    fact_base_description TEXT, planning_staff_persons INTEGER NOT NULL, planning_staff_percent REAL NOT NULL,
    contact_name TEXT NOT NULL, contact_email TEXT NOT NULL, received_date TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT, entered_by TEXT NOT NULL, entered_at TEXT NOT NULL, updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, UNIQUE (municipality_code, round_year))"""


def test_a_version_1_store_is_migrated_keeping_its_applications(tmp_path):
    import sqlite3

    path = tmp_path / "gammel.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(V1_APPLICATIONS)
    conn.execute(
        "INSERT INTO applications VALUES (7, '1835', 2025, NULL, 'Plan', 0, NULL, 1, 20, 'Kari', "
        "'kari@x.no', '2025-12-01', 'valgt', NULL, 'K', 't', 'K', 't', 2)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = UserStore(path, today=TODAY)
    row = store.get_application(7)
    assert (row["samfunnsdel_answer"], row["samfunnsdel_year"], row["status"], row["version"]) == (
        "ingen",
        None,
        "valgt",
        2,
    )
    assert row["assessment"] is None
    saved = store.save_assessment(7, {"assessment": "aktuell", "adviser_note": "God søknad"}, "Rita")
    assert (saved["assessment"], saved["assessed_by"], saved["version"]) == ("aktuell", "Rita", 3)


def test_backup_and_restore_keep_not_given_answers_and_the_assessment(store, places):
    run(store, places, csv_bytes([HEADERS, TRAENA, HAMAROY]))
    traena = next(a for a in store.list_applications() if a["municipality_code"] == "1835")
    store.save_assessment(traena["id"], {"assessment": "usikker", "adviser_note": "Spør om 2012"}, "Rita")
    before = store.list_applications()
    backup = store.export_json()
    store.delete_application(traena["id"], "Rita")
    store.import_json(backup, restored_by="Rita")
    assert store.list_applications() == before
    hamaroy = next(a for a in before if a["municipality_code"] == "1875")
    assert hamaroy["samfunnsdel_answer"] == "ikke_oppgitt" and hamaroy["planning_staff_percent"] is None
