"""The conversation brief on the inline fixture database (tests/conftest.py): key figures equal the
query layer, eligibility is computed, plan status takes what users entered over the public
sources, and the Word document reads back with its headings, figures, answers and questions."""

from __future__ import annotations

import io
from datetime import date

import docx
import pandas as pd
import pytest

from nokkeltall import indicators, queries, text
from nokkeltall.plan import network, status
from nokkeltall.report import brief

AS_OF = date(2026, 11, 26)


def application(code: str = "1835", **changes) -> dict:
    return {"id": 1, "municipality_code": code, "round_year": 2026, "samfunnsdel_year": 2016,
            "progress_plan": "Planstrategi våren 2027.\nSamfunnsdel <b>2028</b>.", "has_fact_base": True,
            "fact_base_description": "Kommunebarometeret", "planning_staff_persons": 1,
            "planning_staff_percent": 20.0, "contact_name": "Kari", "contact_email": "kari@trana.kommune.no",
            "received_date": "2026-11-20", "status": "samtale", **changes}


ENTRY = {"municipality_code": "1835", "plan_type": "planstrategi", "status": "vedtatt", "adopted": "2024-10-24",
         "period": "2024-2027", "source": "Sak 45/24", "note": None, "entered_by": "Kari",
         "entered_at": "2026-11-01T10:00:00+00:00"}
SEED = pd.DataFrame([
    {"municipality_code": "1835", "plan_type": "samfunnsdel", "period": "2013-2025", "adopted": "2013",
     "status": "vedtatt", "source_url": "https://example.no/samfunnsdel", "source_title": "Samfunnsdel",
     "note": None},
    {"municipality_code": "1835", "plan_type": "planstrategi", "period": "2020-2023", "adopted": "2020-12-10",
     "status": "vedtatt", "source_url": "https://example.no/ps", "source_title": "Planstrategi", "note": None},
])


def test_key_figures_equal_the_query_layer(con):
    figures = {f.indicator_id: f for f in brief.key_figures(con, "1835")}
    latest = queries.latest_values(con, list(brief.KEY_FIGURES), ["1835"]).iloc[0]
    for indicator_id in brief.KEY_FIGURES:
        indicator = indicators.get(indicator_id)
        value = latest.get(indicator_id)
        assert figures[indicator_id].value_text == text.formatted(value, indicator.unit, indicator.decimals)
    assert (figures["population"].value, figures["population"].period_text) == (440.0, "1. januar 2026")
    # a figure the database lacks is shown as missing, never as 0
    assert figures["employment_rate_15_74_pct"].value_text == text.formatted(
        latest.get("employment_rate_15_74_pct"), "%", 1)
    assert figures["job_coverage_pct"].period_text == "2022"
    assert figures["job_coverage_pct"].source == "SSB tabell 11618"
    assert figures["net_operating_result_pct"].source == "SSB KOSTRA"  # SSB's accounts, not KDD's
    assert figures["centrality_index"].source == "SSB KLASS 128"
    missing = brief.key_figures(con, "5043", ("centrality_index",))[0]
    assert (missing.value, missing.value_text, missing.period_text) == (None, "–", "mangler")


@pytest.mark.parametrize("code, eligible, reason", [
    ("1835", True, "Folketallet er 440 per 1. januar 2026 (SSB), under grensen på 2 500."),
    ("1806", False, "Folketallet er 2 500 per 1. januar 2026 (SSB), ikke under grensen på 2 500."),
])
def test_eligibility_is_computed_from_the_latest_population(con, code, eligible, reason):
    result = brief.build_brief(con, application(code), [], [], AS_OF)
    assert result.eligibility.eligible is eligible
    assert reason in result.eligibility.reasons


def test_entered_plan_status_wins_over_the_public_source_and_names_who_entered_it():
    summary = brief.plan_status_summary(SEED, [ENTRY], AS_OF, code="1835")
    facts = {f.plan_type: f for f in summary.facts}
    assert (facts["planstrategi"].adopted, facts["planstrategi"].entered_in_app) == ("2024-10-24", True)
    assert facts["planstrategi"].source_title == "Sak 45/24 (registrert av Kari, 2026-11-01)"
    assert summary.planstrategi.status == status.ADOPTED
    assert (facts["samfunnsdel"].adopted_text, facts["samfunnsdel"].age_years) == ("2013", 13)
    assert facts["samfunnsdel"].source_url == "https://example.no/samfunnsdel"
    assert facts["arealdel"].status == "ukjent" and facts["arealdel"].adopted_text == "–"
    # without the entry, the 2020 planstrategi belongs to the last term: overdue after 31 Oct 2024
    before = brief.plan_status_summary(SEED, [], date(2024, 6, 1), code="1835")
    after = brief.plan_status_summary(SEED, [], date(2024, 11, 1), code="1835")
    assert (before.planstrategi.status, after.planstrategi.status) == (status.NOT_DUE, status.OVERDUE)
    rows = brief.plan_status_rows(after)
    assert rows.set_index("Plan").loc["Planstrategi", "Status"] == "Forfalt – valgperioden 2023–2027"


def test_the_four_answers_in_words():
    answers = dict(brief.application_answers(application(samfunnsdel_year=None, has_fact_base=False,
                                                         fact_base_description=None, planning_staff_persons=1,
                                                         planning_staff_percent=12.5)))
    assert answers[brief.QUESTIONS["samfunnsdel_year"]] == "Kommunen har ikke oppgitt noen gjeldende samfunnsdel."
    assert answers[brief.QUESTIONS["fact_base"]] == "Nei, kommunen har ikke oppgitt noe kunnskapsgrunnlag."
    assert answers[brief.QUESTIONS["staff"]] == \
        "1 person, til sammen 12,5 % av en stilling satt av til planarbeid."


def test_docx_reads_back_with_headings_figures_answers_and_questions(con):
    milestones = [{"plan_type": "samfunnsdel", "title": "Høring samfunnsdel", "start_date": "2027-03-01",
                   "end_date": "2027-04-15", "status": "planlagt", "note": None}]
    result = brief.build_brief(con, application(), [ENTRY], milestones, AS_OF)
    document = docx.Document(io.BytesIO(brief.brief_docx(result)))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Samtaleunderlag: Træna")
    top = [t for style, t in headings if style == "Heading 1"]
    assert top == ["Om søknaden", "Nøkkeltall", "Utviklingstrekk", "Planstatus",
                   "Plantidslinje for valgperioden 2023–2027", "Søknadens fire svar", "Spørsmål til samtalen", "Kilder"]
    assert [t for style, t in headings if style == "Heading 2"] == list(brief.QUESTIONS.values())
    paragraphs = [p.text for p in document.paragraphs]
    assert "Samfunnsdel <b>2028</b>." in paragraphs  # user text as text, line by line
    assert "Samfunnsdelen er fra 2016." in paragraphs
    for question in network.GUIDING_QUESTIONS:
        assert question in paragraphs
    tables = {t.rows[0].cells[0].text or t.rows[1].cells[0].text: t for t in document.tables}
    figures = {r.cells[0].text: r.cells[1].text for r in tables["Nøkkeltall"].rows[1:]}
    assert figures["Folketall"] == "440"
    assert figures["Netto lånegjeld per innbygger"] == text.kroner(4400 * 1000 / 440)
    about = {r.cells[0].text: r.cells[1].text for r in tables["Kommune"].rows}
    assert about["Status"] == "Samtale" and about["Kan delta"] == "Ja"
    assert about["Mottatt"] == "20. november 2026"
    plan = {r.cells[0].text: [c.text for c in r.cells] for r in tables["Plan"].rows[1:]}
    assert plan["Planstrategi"][1:3] == ["Vedtatt – valgperioden 2023–2027", "24.10.2024"]
    timeline_rows = [[c.text for c in r.cells] for r in tables["Når"].rows[1:]]
    assert ["1. mars 2027 – 15. april 2027", "Høring samfunnsdel", "Kommunens framdriftsplan",
            "Framdrift: Planlagt"] in timeline_rows
    assert any(r[1] == "Frist for vedtak av kommunal planstrategi" and r[0] == "31. oktober 2024"
               for r in timeline_rows)


def test_late_application_is_marked(con):
    result = brief.build_brief(con, application(received_date="2026-12-20"), [], [], date(2026, 12, 28))
    about = brief.brief_sections(result)[0].table.set_index("")
    assert about.loc["Mottatt", "Opplysning"] == "20. desember 2026 (etter fristen)"
