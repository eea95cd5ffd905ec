"""Every check of an application with a case of each outcome («stemmer», «avvik», «kan ikke sjekkes»),
asserting the reason, the figures shown and their sources; the four answers in words, every branch;
talking points from the figures and the checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest

from nokkeltall.applications import answers, checks, talking_points
from nokkeltall.plan import summary as plan_summary
from nokkeltall.plan.status import SOURCE_COLUMNS

AS_OF = date(2026, 11, 26)
AGREES, DIFFERS, UNCHECKABLE = checks.AGREES, checks.DIFFERS, checks.UNCHECKABLE


def application(**changes) -> dict:
    return {
        "municipality_code": "1835",
        "round_year": 2026,
        "samfunnsdel_answer": "år",
        "samfunnsdel_year": 2019,
        "progress_plan": "Planstrategi vedtas juni 2024. Samfunnsdel vedtas høsten 2027.",
        "has_fact_base": True,
        "fact_base_description": "Kommunebilde",
        "planning_staff_persons": 1,
        "planning_staff_percent": 50.0,
        "planning_staff_text": None,
        "contact_name": "Kari",
        "received_date": "2026-11-20",
        "status": "mottatt",
        **changes,
    }


def seed(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [dict(zip(SOURCE_COLUMNS, ("1835", *row), strict=True)) for row in rows], columns=SOURCE_COLUMNS
    )


SAMFUNNSDEL_2019 = (
    "samfunnsdel",
    "2019-2031",
    "2019-06-20",
    "vedtatt",
    "https://traena.kommune.no/sd",
    "Træna kommune: samfunnsdel",
    None,
)
SAMFUNNSDEL_HEARING = (
    "samfunnsdel",
    "2024-2036",
    None,
    "på_høring",
    "https://traena.kommune.no/hoering",
    "Træna kommune: høring",
    None,
)
STRATEGY_2023 = (
    "planstrategi",
    "2023-2027",
    "2023-12-14",
    "vedtatt",
    "https://traena.kommune.no/ps",
    "Træna kommune: planstrategi",
    None,
)


def summary(*rows, as_of: date = AS_OF) -> plan_summary.PlanStatusSummary:
    return plan_summary.plan_status_summary(seed(*rows), [], as_of, code="1835")


def fact(*rows):
    return next(f for f in summary(*rows).facts if f.plan_type == "samfunnsdel")


def evidence(check) -> dict:
    return {e.label: (e.value, e.source) for e in check.evidence}


# --- 1. samfunnsdel year ------------------------------------------------------------------------------


def test_samfunnsdel_year_agrees_with_the_collected_status():
    check = checks.samfunnsdel_check(application(), fact(SAMFUNNSDEL_2019))
    assert check.outcome == AGREES
    assert check.reason == (
        "Søknaden oppgir 2019, og registrert planstatus viser samfunnsdel vedtatt, 20. juni 2019, "
        "planperiode 2019–2031 (kilde: Træna kommune: samfunnsdel)."
    )
    shown = evidence(check)
    assert shown["Søknaden, spørsmål 1"] == ("2019", "Søknaden (mottatt 20. november 2026)")
    assert shown["Registrert status, samfunnsdel"] == (
        "vedtatt, 20. juni 2019, planperiode 2019–2031",
        "Træna kommune: samfunnsdel – https://traena.kommune.no/sd",
    )


def test_samfunnsdel_year_differs_names_both_years_and_the_source():
    check = checks.samfunnsdel_check(application(samfunnsdel_year=2012), fact(SAMFUNNSDEL_2019))
    assert check.outcome == DIFFERS
    assert "Søknaden oppgir at samfunnsdelen er fra 2012" in check.reason
    assert "vedtatt, 20. juni 2019" in check.reason and "7 års forskjell" in check.reason
    assert "Træna kommune: samfunnsdel" in check.reason


def test_claimed_year_against_a_plan_only_on_hearing_is_a_difference():
    check = checks.samfunnsdel_check(application(samfunnsdel_year=2012), fact(SAMFUNNSDEL_HEARING))
    assert check.outcome == DIFFERS
    assert "ingen vedtatt samfunnsdel fra 2012" in check.reason and "2024–2036" in check.reason
    no_plan = checks.samfunnsdel_check(
        application(samfunnsdel_answer="ingen", samfunnsdel_year=None), fact(SAMFUNNSDEL_HEARING)
    )
    assert no_plan.outcome == AGREES


@pytest.mark.parametrize(
    "changes, rows, reason",
    [
        (
            {"samfunnsdel_answer": "ikke_oppgitt", "samfunnsdel_year": None},
            (SAMFUNNSDEL_2019,),
            "Søknaden oppgir ikke hvilket år samfunnsdelen er fra.",
        ),
        (
            {},
            (),
            "Det finnes ingen innsamlet eller registrert planstatus for samfunnsdelen å sjekke mot. "
            "Det betyr ikke at planen mangler.",
        ),
    ],
)
def test_samfunnsdel_year_cannot_be_checked(changes, rows, reason):
    check = checks.samfunnsdel_check(application(**changes), fact(*rows))
    assert (check.outcome, check.reason) == (UNCHECKABLE, reason)


def test_no_samfunnsdel_claimed_but_one_is_adopted():
    check = checks.samfunnsdel_check(
        application(samfunnsdel_answer="ingen", samfunnsdel_year=None), fact(SAMFUNNSDEL_2019)
    )
    assert check.outcome == DIFFERS and "ikke har noen gjeldende samfunnsdel" in check.reason


# --- 2. planstrategi vs pbl § 10-1 -----------------------------------------------------------------------


def test_planstrategi_planned_within_the_deadline_agrees():
    check = checks.planstrategi_check(
        application(progress_plan="Planstrategi vedtas juni 2024."), summary(as_of=date(2024, 3, 1)), []
    )
    assert check.outcome == AGREES
    assert check.reason == (
        "Planlagt vedtak juni 2024 er innenfor fristen 31. oktober 2024 for valgperioden "
        "2023–2027 (pbl § 10-1)."
    )
    shown = evidence(check)
    assert shown["Planlagt vedtak av planstrategi"] == ("juni 2024", "Søknaden (mottatt 20. november 2026)")
    assert shown["Planstrategi, frist etter pbl § 10-1"] == (
        "31. oktober 2024 (valgperioden 2023–2027)",
        "Plan- og bygningsloven § 10-1; kommuneloven § 7-1",
    )


def test_planstrategi_after_the_deadline_differs():
    check = checks.planstrategi_check(
        application(progress_plan="Planstrategien vedtas våren 2025"), summary(as_of=date(2024, 3, 1)), []
    )
    assert check.outcome == DIFFERS
    assert "våren 2025 er etter fristen 31. oktober 2024" in check.reason


def test_planstrategi_planned_though_already_adopted_for_the_term_differs():
    # the case: «planstrategi vedtas juni 2027» while 2023–2027 is registered adopted (2023)
    check = checks.planstrategi_check(
        application(progress_plan="Planstrategi vedtas juni 2027."), summary(STRATEGY_2023), []
    )
    assert check.outcome == DIFFERS
    assert (
        "allerede registrert som vedtatt (14. desember 2023, kilde: Træna kommune: planstrategi)"
        in check.reason
    )
    assert "neste valgperiode (frist 31. oktober 2028)" in check.reason


def test_planstrategi_from_a_milestone_and_without_any_date():
    milestone = {"plan_type": "planstrategi", "title": "Vedtak i kommunestyret", "start_date": "2024-09-19"}
    check = checks.planstrategi_check(
        application(progress_plan="Ingen datoer ennå"), summary(as_of=date(2024, 3, 1)), [milestone]
    )
    assert check.outcome == AGREES
    assert evidence(check)["Planlagt vedtak av planstrategi"][1] == (
        "Kommunens framdriftsplan (milepæler registrert i appen)"
    )
    unknown = checks.planstrategi_check(application(progress_plan="Vi starter snart."), summary(), [])
    assert unknown.outcome == UNCHECKABLE
    assert unknown.reason.startswith("Framdriftsplanen gir ingen dato for vedtak av planstrategien")


def test_planned_dates_are_read_from_the_text():
    found = checks.find_planned_date("Oppstart 2025; planstrategi vedtas 12. juni 2027.", "planstrategi")
    assert (found.earliest, found.latest, found.said) == (
        date(2027, 6, 12),
        date(2027, 6, 12),
        "12. juni 2027",
    )
    season = checks.find_planned_date("Samfunnsdel: høsten 2027", "samfunnsdel")
    assert (season.earliest, season.latest) == (date(2027, 9, 1), date(2027, 12, 31))


# --- 3. samfunnsdel vs hearing periods -----------------------------------------------------------------


def hearing(days: int) -> dict:
    start = date(2027, 3, 1)
    return {
        "plan_type": "samfunnsdel",
        "title": "Høring planforslag",
        "start_date": start.isoformat(),
        "end_date": date.fromordinal(start.toordinal() + days).isoformat(),
    }


def test_a_hearing_shorter_than_six_weeks_differs():
    check = checks.hearing_check(application(), summary(), [hearing(31)])
    assert check.outcome == DIFFERS
    assert check.reason == (
        "«Høring planforslag» varer 31 dager (1. mars 2027–1. april 2027), men loven krever "
        "minst seks uker (42 dager)."
    )
    assert evidence(check)["Minste høringsperiode"] == (
        "42 dager (seks uker)",
        "Plan- og bygningsloven §§ 11-13 og 11-14",
    )


def test_enough_time_for_both_hearings_agrees_and_too_little_differs():
    check = checks.hearing_check(application(progress_plan="Samfunnsdel vedtas høsten 2027."), summary(), [])
    assert check.outcome == AGREES and "nok til to høringer på minst seks uker" in check.reason
    assert evidence(check)["Planlagt vedtak av samfunnsdel"] == (
        "høsten 2027",
        "Søknaden (mottatt 20. november 2026)",
    )
    rushed = checks.hearing_check(
        application(progress_plan="Samfunnsdel vedtas desember 2026."), summary(), []
    )
    assert rushed.outcome == DIFFERS
    assert "gir 35 dager fra 26. november 2026" in rushed.reason and "minst 84 dager" in rushed.reason


def test_hearing_cannot_be_checked_without_dates():
    check = checks.hearing_check(application(progress_plan="Planstrategi først."), summary(), [])
    assert (check.outcome, check.reason) == (
        UNCHECKABLE,
        "Framdriftsplanen gir verken høringer eller dato for vedtak av samfunnsdelen.",
    )


# --- 4. fact base --------------------------------------------------------------------------------------

DOCUMENTS = [
    {"title": "Planstrategi 2023–2027", "status": "vedtatt", "source": "Træna kommune: planstrategi"}
]


def test_fact_base_claimed_and_documents_exist():
    check = checks.fact_base_check(application(), DOCUMENTS, 14, 15)
    assert check.outcome == AGREES
    shown = evidence(check)
    assert shown["Innsamlede plandokumenter"] == (
        "1: Planstrategi 2023–2027 (vedtatt)",
        "Træna kommune: planstrategi",
    )
    assert shown["Appens kunnskapsgrunnlag"][0] == "kan lages med 14 av 15 nøkkeltall"


def test_fact_base_denied_though_adopted_documents_exist():
    check = checks.fact_base_check(
        application(has_fact_base=False, fact_base_description=None), DOCUMENTS, 14, 15
    )
    assert (
        check.outcome == DIFFERS
        and "Søknaden sier nei, men kommunen har vedtatte plandokumenter" in check.reason
    )


@pytest.mark.parametrize(
    "changes, documents, reason",
    [
        (
            {"has_fact_base": None, "fact_base_description": None},
            DOCUMENTS,
            "Søknaden svarer ikke på om kommunen har et kunnskapsgrunnlag.",
        ),
        (
            {"has_fact_base": None, "fact_base_description": "Kun folketall"},
            DOCUMENTS,
            "Svaret er gitt med tekst, uten ja eller nei.",
        ),
        ({}, [], "Søknaden sier ja, men det finnes ingen innsamlede plandokumenter å sjekke svaret mot."),
    ],
)
def test_fact_base_cannot_be_checked(changes, documents, reason):
    check = checks.fact_base_check(application(**changes), documents, 14, 15)
    assert (check.outcome, check.reason) == (UNCHECKABLE, reason)


# --- 5. staff vs peers ---------------------------------------------------------------------------------

PEERS = [
    application(municipality_code=c, planning_staff_percent=p)
    for c, p in (("1875", 40.0), ("5043", 60.0), ("1806", 50.0))
]


def test_staff_in_line_with_peers_agrees():
    check = checks.staff_check(application(), PEERS)
    assert check.outcome == AGREES
    assert check.reason == (
        "Søknaden oppgir 50 % av en stilling, på linje med de andre søkerne i runden (median 50 %)."
    )
    assert evidence(check)["Andre søkere, stillingsandel"] == (
        "median 50 % (fra 40 % til 60 %)",
        "Søknadene i runden 2026 (3 andre kommuner med tall)",
    )


def test_staff_far_below_peers_differs():
    check = checks.staff_check(application(planning_staff_percent=10.0), PEERS)
    assert check.outcome == DIFFERS and "under halvparten av medianen" in check.reason


@pytest.mark.parametrize(
    "changes, peers, reason",
    [
        (
            {
                "planning_staff_persons": None,
                "planning_staff_percent": None,
                "planning_staff_text": "Rådmannen",
            },
            PEERS,
            "Svaret er gitt som tekst, ikke som personer og stillingsandel.",
        ),
        ({}, PEERS[:1], "For få andre søknader med tall i runden 2026 (1) til å sammenligne."),
    ],
)
def test_staff_cannot_be_checked(changes, peers, reason):
    check = checks.staff_check(application(**changes), peers)
    assert (check.outcome, check.reason) == (UNCHECKABLE, reason)


# --- 6. eligibility ------------------------------------------------------------------------------------

SSB = "Statistisk sentralbyrå, tabell 07459 (oppdatert 20. februar 2026)"


def test_eligible_and_on_time_agrees_with_ssb_date_as_evidence():
    check = checks.eligibility_check(application(), 440, 2026, SSB)
    assert check.outcome == AGREES
    assert "Folketallet er 440 per 1. januar 2026 (SSB), under grensen på 2 500." in check.reason
    shown = evidence(check)
    assert shown["Folketall"] == ("440 per 1. januar 2026", SSB)
    assert shown["Søknadsrunde og frist"][0] == "2026, frist 15. desember 2026"
    assert shown["Fylke"][0] == "Nordland"


@pytest.mark.parametrize(
    "changes, population, needle",
    [
        ({}, 2500, "ikke under grensen på 2 500"),
        ({"received_date": "2026-12-16"}, 440, "Søknaden kom etter fristen 15. desember 2026."),
    ],
)
def test_not_eligible_or_late_differs(changes, population, needle):
    check = checks.eligibility_check(application(**changes), population, 2026, SSB)
    assert check.outcome == DIFFERS and needle in check.reason


def test_eligibility_without_a_population_cannot_be_checked():
    check = checks.eligibility_check(application(), None, None, SSB)
    assert check.outcome == UNCHECKABLE and "Folketallet er ukjent" in check.reason


# --- the answers in words: every branch, never self-contradictory -----------------------------------------


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, "Gjeldende samfunnsdel er fra 2019."),
        (
            {"samfunnsdel_answer": "ingen", "samfunnsdel_year": None},
            "Kommunen oppgir at den ikke har noen gjeldende samfunnsdel.",
        ),
        ({"samfunnsdel_answer": "ikke_oppgitt", "samfunnsdel_year": None}, "Ikke oppgitt i søknaden."),
    ],
)
def test_samfunnsdel_answer(changes, expected):
    assert answers.samfunnsdel_answer(application(**changes)) == expected


@pytest.mark.parametrize(
    "flag, description, expected",
    [
        (True, "Kommunebilde", "Ja: «Kommunebilde»."),
        (True, None, "Ja (uten at det er sagt hvilke)."),
        (False, None, "Nei."),
        (
            False,
            "Kun folketall fra SSB, ikke samlet.",
            "Nei, ikke samlet i et kunnskapsgrunnlag. "
            "Kommunen skriver: «Kun folketall fra SSB, ikke samlet».",
        ),
        (None, "Kun folketall", "Svart med tekst, uten ja eller nei: «Kun folketall»."),
        (None, None, "Ikke oppgitt i søknaden."),
    ],
)
def test_fact_base_answer(flag, description, expected):
    sentence = answers.fact_base_answer(application(has_fact_base=flag, fact_base_description=description))
    assert sentence == expected
    assert "ikke oppgitt noe kunnskapsgrunnlag" not in sentence


@pytest.mark.parametrize(
    "persons, share, words, expected",
    [
        (1, 12.5, None, "1 person, til sammen 12,5 % av en stilling til planarbeid."),
        (
            2,
            60.0,
            "to planleggere",
            "2 personer, til sammen 60 % av en stilling til planarbeid. Kommunen skriver: «to planleggere».",
        ),
        (0, 0.0, None, "Ingen personer eller stillingsandel satt av til planarbeid."),
        (None, None, "Rådmannen selv", "Svart med tekst: «Rådmannen selv»."),
        (None, None, None, "Ikke oppgitt i søknaden."),
    ],
)
def test_staff_answer(persons, share, words, expected):
    assert (
        answers.staff_answer(
            application(
                planning_staff_persons=persons, planning_staff_percent=share, planning_staff_text=words
            )
        )
        == expected
    )


def test_progress_answer():
    assert answers.progress_answer(application(progress_plan=None)) == "Ikke oppgitt i søknaden."
    assert answers.progress_answer(application(progress_plan=" Vedtak 2027 ")) == "Vedtak 2027"


# --- talking points ------------------------------------------------------------------------------------


@dataclass
class Figure:
    value: float | None
    value_text: str
    period_text: str
    source: str


FIGURES = {
    "population": Figure(440, "440", "1. januar 2026", "SSB tabell 07459"),
    "population_change_10y_pct": Figure(-7.0, "−7,0 %", "2016–2026", "SSB tabell 07459"),
    "share_67_plus_pct": Figure(26.1, "26,1 %", "1. januar 2026", "SSB tabell 07459"),
    "out_commuting_pct": Figure(35.0, "35,0 %", "2022", "SSB tabell 11616"),
}


def test_talking_points_come_from_the_figures_and_the_checks_in_theme_order():
    mismatch = checks.samfunnsdel_check(application(samfunnsdel_year=2012), fact(SAMFUNNSDEL_2019))
    points = talking_points.talking_points(
        "Træna", FIGURES, {"share_67_plus_pct": (20.0, "20,0 %")}, "Nordland", [mismatch]
    )
    assert 3 <= len(points) <= 6
    assert [p.theme for p in points] == sorted(
        (p.theme for p in points), key=talking_points.THEME_ORDER.index
    )
    by_prompt = {p.prompted_by: p for p in points}
    assert by_prompt["Befolkningsendring siste ti år: −7,0 % (2016–2026)"].question.startswith(
        "Folketallet i Træna har falt 7,0 % (2016–2026)."
    )
    assert (
        "26,1 %, mot 20,0 % i Nordland"
        in by_prompt["Andel 67 år og eldre: 26,1 % (1. januar 2026); Nordland 20,0 %"].question
    )
    assert by_prompt["Utpendling: 35,0 % (2022)"].source == "SSB tabell 11616"
    assert by_prompt["Sjekk: Samfunnsdelens årstall: avvik"].question.startswith(mismatch.reason)


def test_talking_points_are_at_least_three_from_the_population_alone():
    points = talking_points.talking_points("Træna", {"population": FIGURES["population"]}, {}, "Nordland", [])
    assert len(points) == 3
    assert all(p.source == "SSB tabell 07459" and "440" in p.prompted_by for p in points)


def test_an_overdue_planstrategi_and_an_old_samfunnsdel_prompt_talking_points():
    plan = summary(("samfunnsdel", "2010-2022", "2010", "vedtatt", None, "Kommunens nettside", None))
    points = talking_points.talking_points(
        "Træna", {"population": FIGURES["population"]}, {}, "Nordland", [], plan
    )
    prompts = {p.prompted_by: p for p in points}
    overdue = prompts["Planstrategi: frist 31. oktober 2024, ikke registrert som vedtatt"]
    assert overdue.question.startswith(
        "Planstrategi for valgperioden 2023–2027 skulle vært vedtatt innen 31. oktober 2024"
    )
    assert overdue.source == "Plan- og bygningsloven § 10-1; planstatus i appen"
    old = prompts["Samfunnsdel vedtatt 2010"]
    assert "16 år gammel" in old.question and old.source == "Kommunens nettside"


def test_a_hearing_stated_in_weeks_in_the_progress_plan():
    check = checks.hearing_check(
        application(progress_plan="Samfunnsdel på høring i fire uker våren 2027. Vedtak høsten 2027."),
        summary(),
        [],
    )
    assert check.outcome == DIFFERS
    assert check.reason.startswith("Framdriftsplanen setter av «fire uker» (28 dager) til høring")
    assert evidence(check)["Høring i framdriftsplanen"] == (
        "fire uker (28 dager)",
        "Søknaden (mottatt 20. november 2026)",
    )
    assert checks.stated_hearings("Høring 6 uker; oppstart 2 uker etter") == [("6 uker", 42)]
