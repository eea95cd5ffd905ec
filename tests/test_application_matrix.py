"""The county matrix on the inline fixture database: one row per applicant with the answers, the
check results and key indicators (numbers, so they sort), the same checks as the brief, and its
Excel file with a sheet per county."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd

from nokkeltall.applications import checks, matrix
from nokkeltall.plan import summary

AS_OF = date(2026, 11, 30)


def application(code: str, number: int, **changes) -> dict:
    return {
        "id": number,
        "municipality_code": code,
        "round_year": 2026,
        "samfunnsdel_answer": "år",
        "samfunnsdel_year": 2016,
        "progress_plan": "Planstrategi vedtas juni 2027.",
        "has_fact_base": False,
        "fact_base_description": None,
        "planning_staff_persons": 1,
        "planning_staff_percent": 20.0,
        "planning_staff_text": None,
        "contact_name": "K",
        "received_date": "2026-11-20",
        "status": "mottatt",
        **changes,
    }


APPLICATIONS = [
    application(
        "1835",
        1,
        assessment="aktuell",
        assessed_by="Rita",
        assessed_at="2026-11-29T10:00",
        adviser_note="Sterk forankring",
    ),
    application("1806", 2, samfunnsdel_answer="ikke_oppgitt", samfunnsdel_year=None, status="samtale"),
    application(
        "5043", 3, planning_staff_persons=None, planning_staff_percent=None, planning_staff_text="Rådmannen"
    ),
]
ENTRY = {
    "municipality_code": "1835",
    "plan_type": "samfunnsdel",
    "status": "vedtatt",
    "adopted": "2016-05-01",
    "period": "2016-2028",
    "source": "Sak 9/16",
    "note": None,
    "entered_by": "Kari",
    "entered_at": "2026-11-01T10:00:00+00:00",
}


def test_matrix_rows_hold_answers_checks_and_indicators(con):
    table = matrix.county_matrix(
        con,
        APPLICATIONS,
        {"1835": [ENTRY]},
        {},
        {"1835": "Træna", "1806": "Narvik", "5043": "Røyrvik"},
        AS_OF,
    )
    rows = table.set_index("Kommune")
    traena, narvik, royrvik = rows.loc["1835 Træna"], rows.loc["1806 Narvik"], rows.loc["5043 Røyrvik"]
    assert (traena["Fylke"], traena["Status"], traena["Vurdering"]) == ("Nordland", "Mottatt", "Aktuell")
    assert (traena["1. Samfunnsdel"], traena["3. Kunnskapsgrunnlag"], traena["4. Ressurser"]) == (
        "2016",
        "nei",
        "1 pers., 20 %",
    )
    assert traena["Sjekk: samfunnsdel"] == "Stemmer"  # the entry made in the app: vedtatt 2016
    assert traena["Folketall"] == 440 and traena["Kan delta"] == "Ja"
    assert (traena["Rådgivers notat"], traena["Vurdert av"]) == ("Sterk forankring", "Rita, 2026-11-29")
    assert narvik["Status"] == "Samtale avtalt" and narvik["1. Samfunnsdel"] == "ikke oppgitt"
    assert narvik["Sjekk: samfunnsdel"] == "Kan ikke sjekkes"
    assert narvik["Kan delta"] == "Nei" and narvik["Sjekk: kan delta"] == "Avvik"  # 2 500 is not under 2 500
    assert royrvik["4. Ressurser"] == "tekst" and royrvik["Sjekk: ressurser"] == "Kan ikke sjekkes"
    assert pd.api.types.is_numeric_dtype(table["Folketall"]) and pd.api.types.is_integer_dtype(
        table["Avvik (antall)"]
    )
    # the same checks as the brief's (gathered one by one)
    _, one = checks.gather(con, APPLICATIONS[0], [ENTRY], [], APPLICATIONS, AS_OF)
    assert [c.outcome_label for c in one] == [traena[label] for label in matrix.CHECK_COLUMNS.values()]


def test_summaries_at_once_equal_one_by_one(con):
    seed = pd.DataFrame(
        [
            {
                "municipality_code": c,
                "plan_type": "planstrategi",
                "period": "2024-2027",
                "adopted": "2024-06-20",
                "status": "vedtatt",
                "source_url": None,
                "source_title": f"Kilde {c}",
                "note": None,
            }
            for c in ("1835", "1806")
        ]
    )
    together = summary.plan_status_summaries(seed, [ENTRY], AS_OF, ["1835", "1806", "5043"])
    for code in ("1835", "1806", "5043"):
        assert together[code] == summary.plan_status_summary(seed, [ENTRY], AS_OF, code=code)


def test_excel_file_has_a_sheet_per_county(con):
    table = matrix.county_matrix(con, APPLICATIONS, {}, {}, {}, AS_OF)
    book = openpyxl.load_workbook(io.BytesIO(matrix.matrix_xlsx(table, 2026, AS_OF)))
    assert book.sheetnames == ["Nordland", "Trøndelag", "Om tabellen"]
    nordland = [[c.value for c in row] for row in book["Nordland"].iter_rows()]
    assert nordland[0][:4] == ["Kommune", "Fylke", "Status", "Vurdering"] and "id" not in nordland[0]
    assert sorted(r[0] for r in nordland[1:]) == ["1806", "1835"]
    assert book["Om tabellen"]["A2"].value.startswith("Søknadsrunde 2026 (frist 15. desember 2026).")
