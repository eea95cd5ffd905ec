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
from nokkeltall.applications import answers
from nokkeltall.plan import status
from nokkeltall.plan import summary as plan_summary
from nokkeltall.report import brief

AS_OF = date(2026, 11, 26)


def application(code: str = "1835", **changes) -> dict:
    return {
        "id": 1,
        "municipality_code": code,
        "round_year": 2026,
        "samfunnsdel_answer": "år",
        "samfunnsdel_year": 2016,
        "planning_staff_text": None,
        "progress_plan": "Planstrategi våren 2027.\nSamfunnsdel <b>2028</b>.",
        "has_fact_base": True,
        "fact_base_description": "Kommunebarometeret",
        "planning_staff_persons": 1,
        "planning_staff_percent": 20.0,
        "contact_name": "Kari",
        "contact_email": "kari@trana.kommune.no",
        "received_date": "2026-11-20",
        "status": "samtale",
        **changes,
    }


ENTRY = {
    "municipality_code": "1835",
    "plan_type": "planstrategi",
    "status": "vedtatt",
    "adopted": "2024-10-24",
    "period": "2024-2027",
    "source": "Sak 45/24",
    "note": None,
    "entered_by": "Kari",
    "entered_at": "2026-11-01T10:00:00+00:00",
}
SEED = pd.DataFrame(
    [
        {
            "municipality_code": "1835",
            "plan_type": "samfunnsdel",
            "period": "2013-2025",
            "adopted": "2013",
            "status": "vedtatt",
            "source_url": "https://example.no/samfunnsdel",
            "source_title": "Samfunnsdel",
            "note": None,
        },
        {
            "municipality_code": "1835",
            "plan_type": "planstrategi",
            "period": "2020-2023",
            "adopted": "2020-12-10",
            "status": "vedtatt",
            "source_url": "https://example.no/ps",
            "source_title": "Planstrategi",
            "note": None,
        },
    ]
)


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
        latest.get("employment_rate_15_74_pct"), "%", 1
    )
    assert figures["job_coverage_pct"].period_text == "2022"
    assert figures["job_coverage_pct"].source == "SSB, tabell 11618"
    assert figures["net_operating_result_pct"].source == "SSB, KOSTRA"  # SSB's accounts, not KDD's
    assert figures["centrality_index"].source == "SSB, sentralitetsindeksen"
    missing = brief.key_figures(con, "5043", ("centrality_index",))[0]
    assert (missing.value, missing.value_text, missing.period_text) == (None, "–", "mangler")


@pytest.mark.parametrize(
    "code, eligible, reason",
    [
        ("1835", True, "Folketallet er 440 per 1. januar 2026 (SSB), under grensen på 2 500."),
        ("1806", False, "Folketallet er 2 500 per 1. januar 2026 (SSB), ikke under grensen på 2 500."),
    ],
)
def test_eligibility_is_computed_from_the_latest_population(con, code, eligible, reason):
    result = brief.build_brief(con, application(code), [], [], AS_OF)
    assert result.eligibility.eligible is eligible
    assert reason in result.eligibility.reasons


def test_entered_plan_status_wins_over_the_public_source_and_names_who_entered_it():
    summary = plan_summary.plan_status_summary(SEED, [ENTRY], AS_OF, code="1835")
    facts = {f.plan_type: f for f in summary.facts}
    assert (facts["planstrategi"].adopted, facts["planstrategi"].entered_in_app) == ("2024-10-24", True)
    assert facts["planstrategi"].source_title == "Sak 45/24 (registrert av Kari, 2026-11-01)"
    assert summary.planstrategi.status == status.ADOPTED
    assert (facts["samfunnsdel"].adopted_text, facts["samfunnsdel"].age_years) == ("2013", 13)
    assert facts["samfunnsdel"].source_url == "https://example.no/samfunnsdel"
    assert facts["arealdel"].status == "ukjent" and facts["arealdel"].adopted_text == "–"
    # without the entry, the 2020 planstrategi belongs to the last term: overdue after 31 Oct 2024
    before = plan_summary.plan_status_summary(SEED, [], date(2024, 6, 1), code="1835")
    after = plan_summary.plan_status_summary(SEED, [], date(2024, 11, 1), code="1835")
    assert (before.planstrategi.status, after.planstrategi.status) == (status.NOT_DUE, status.OVERDUE)
    rows = plan_summary.plan_status_rows(after)
    assert rows.set_index("Plan").loc["Planstrategi", "Status"] == "Forfalt – valgperioden 2023–2027"


def _doc(result) -> docx.Document:
    return docx.Document(io.BytesIO(brief.brief_docx(result, charts=False)))


def test_docx_reads_back_with_checks_points_answers_timeline_and_notes(con):
    milestones = [
        {
            "plan_type": "samfunnsdel",
            "title": "Høring samfunnsdel",
            "start_date": "2027-03-01",
            "end_date": "2027-04-15",
            "status": "planlagt",
            "note": None,
        }
    ]
    result = brief.build_brief(con, application(), [ENTRY], milestones, AS_OF)
    document = _doc(result)
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == ("Title", "Samtaleunderlag: Træna")
    top = [t for style, t in headings if style == "Heading 1"]
    assert top == [
        "Sjekk av søknaden mot data",
        "Samtalepunkter",
        "Søknadens fire svar",
        "Om søknaden",
        "Nøkkeltall",
        "Utviklingstrekk",
        "Planstatus",
        "Plantidslinje for valgperioden 2023–2027",
        "Kilder",
    ]
    level2 = [t for style, t in headings if style == "Heading 2"]
    for check in result.checks:
        assert f"{check.title}: {check.outcome_label.lower()}" in level2
    assert set(answers.QUESTIONS.values()) <= set(level2)
    assert 3 <= len(result.talking_points) <= 6
    paragraphs = [p.text for p in document.paragraphs]
    for point in result.talking_points:
        assert point.question in paragraphs
    assert "Samfunnsdel <b>2028</b>." in paragraphs  # user text as text, line by line
    assert "Gjeldende samfunnsdel er fra 2016." in paragraphs
    cells = lambda t: [[c.text for c in r.cells] for r in t.rows]  # noqa: E731
    tables = [cells(t) for t in document.tables]
    notes = [t[0][0] for t in tables if len(t[0]) == 1]
    expected = [f"Notater til spørsmål {n}" for n in "1234"]
    assert [n for n in notes if n.startswith("Notater til spørsmål")] == expected
    assert len([n for n in notes if n.startswith("Notater til samtalepunkt")]) == len(result.talking_points)
    by_header = {tuple(t[0]): t for t in tables}
    figures = {r[0]: r[1] for r in by_header[("Nøkkeltall", "Verdi", "Tidspunkt", "Kilde")][1:]}
    assert figures["Folketall"] == "440"
    assert figures["Netto lånegjeld per innbygger"] == text.kroner(4400 * 1000 / 440)
    about = {r[0]: r[1] for r in by_header[("", "Opplysning")][1:]}
    assert about["Status"] == "Samtale avtalt" and about["Kan delta"] == "Ja"
    assert about["Mottatt"] == "20. november 2026"
    plan_columns = tuple(plan_summary.plan_status_rows(result.plan).drop(columns=["Lenke"]).columns)
    plan = {r[0]: r for r in by_header[plan_columns][1:]}
    assert plan["Planstrategi"][1:3] == ["Vedtatt – valgperioden 2023–2027", "24. oktober 2024"]
    timeline_rows = by_header[("Når", "Hendelse", "Hjemmel/kilde", "Type")][1:]
    assert [
        "1. mars 2027 – 15. april 2027",
        "Høring samfunnsdel",
        "Kommunens framdriftsplan",
        "Framdrift: Planlagt",
    ] in timeline_rows
    assert any(
        r[1] == "Frist for vedtak av kommunal planstrategi" and r[0] == "31. oktober 2024"
        for r in timeline_rows
    )
    evidence = [t for t in tables if t[0] == ["Hva", "Verdi", "Kilde"]]
    assert len(evidence) == 6
    eligibility = {r[0]: r for r in evidence[-1][1:]}
    assert eligibility["Folketall"][1] == "440 per 1. januar 2026"
    assert "07459" in eligibility["Folketall"][2]


def test_claimed_samfunnsdel_year_differs_from_collected_status_in_one_paragraph(con):
    entry = {
        **ENTRY,
        "plan_type": "samfunnsdel",
        "adopted": "2019-06-20",
        "period": "2019-2031",
        "source": "Sak 12/19",
    }
    result = brief.build_brief(con, application(samfunnsdel_year=2012), [entry], [], AS_OF)
    paragraphs = [p.text for p in _doc(result).paragraphs]
    stated = [p for p in paragraphs if "2012" in p and "2019" in p and "Søknaden oppgir" in p]
    assert stated, paragraphs
    assert "Sak 12/19" in stated[0] and "7 års forskjell" in stated[0]
    check = result.checks[0]
    assert (check.key, check.outcome) == ("samfunnsdel", "avvik")
    assert any(p.question.startswith(check.reason) for p in result.talking_points)


def test_docx_has_the_timeline_image_when_a_browser_renders_it(con, monkeypatch):
    import concurrent.futures

    from nokkeltall.charts import images as chart_images

    def drawn(figures, *args, **kwargs):  # the one Kaleido manager, stood in for: each figure «drawn» at once
        futures = [concurrent.futures.Future() for _ in figures]
        for future in futures:
            future.set_result(b"\x89PNG-stand-in")
        return futures

    monkeypatch.setattr(chart_images, "submit_png", drawn)
    result = brief.build_brief(con, application(), [], [], AS_OF)
    report = brief.brief_report(result)
    brief.images.render_images(report)
    assert [c.key for c in report.charts() if c.image] == ["timeline"]


def test_late_application_is_marked(con):
    result = brief.build_brief(con, application(received_date="2026-12-20"), [], [], date(2026, 12, 28))
    about = dict(brief.application_table(result).rows)
    assert about["Mottatt"] == "20. desember 2026 (etter fristen)"
    eligibility = result.checks[-1]
    assert eligibility.outcome == "avvik" and "etter fristen 15. desember 2026" in eligibility.reason
