"""Talking points for the conversation: 3–6 questions written from the municipality's own figures and
checks, each with the figure that prompted it and its source, ordered after the network's standing
themes (samspill, innbyggerdialog, utredninger, handling).

Inputs are plain: ``figures`` maps an indicator id to an object with ``value``, ``value_text``,
``period_text`` and ``source`` (``report.brief.KeyFigure``); ``county`` maps an indicator id to the
county's (value, text) for the same year.
"""

from __future__ import annotations

from dataclasses import dataclass

from nokkeltall import text
from nokkeltall.applications.checks import DIFFERS, Check
from nokkeltall.plan import status

THEMES = {
    "samspill": "Samspill mellom folkevalgte, administrasjon og innbyggere",
    "dialog": "Innbyggerdialog",
    "utredning": "Utredninger og analyser",
    "handling": "Fra plan til handling",
}
THEME_ORDER = list(THEMES)
MIN_POINTS, MAX_POINTS = 3, 6
POPULATION_CHANGE = 3.0  # percent over ten years worth a question
ELDERLY_GAP = 2.0  # percentage points above the county
OUT_COMMUTING = 30.0  # percent of the employed
OLD_PLAN_YEARS = 8
NO_SOURCE = "Ingen kilde registrert"  # plan.summary.PlanFact.source_text without a source


@dataclass(frozen=True)
class TalkingPoint:
    theme: str  # a key of THEMES
    question: str
    prompted_by: str  # the figure or check that prompted it
    source: str

    @property
    def theme_label(self) -> str:
        return THEMES[self.theme]


def _figure_points(name: str, figures: dict, county: dict, county_name: str | None) -> list[TalkingPoint]:
    points = []
    change = figures.get("population_change_10y_pct")
    if change is not None and change.value is not None and abs(change.value) >= POPULATION_CHANGE:
        fell = change.value < 0
        points.append(
            TalkingPoint(
                "dialog",
                f"Folketallet i {name} har {'falt' if fell else 'økt'} {text.percent(abs(change.value), 1)} "
                f"({change.period_text}). Hvordan vil dere drøfte med innbyggerne – også de unge – hva "
                f"{'nedgangen' if fell else 'veksten'} betyr for tjenester og steder?",
                f"Befolkningsendring siste ti år: {change.value_text} ({change.period_text})",
                change.source,
            )
        )
    region = county_name or "fylket"
    elderly = figures.get("share_67_plus_pct")
    county_elderly = county.get("share_67_plus_pct")
    if (
        elderly is not None
        and elderly.value is not None
        and county_elderly
        and county_elderly[0] is not None
        and elderly.value - county_elderly[0] >= ELDERLY_GAP
    ):
        points.append(
            TalkingPoint(
                "utredning",
                f"Andelen 67 år og eldre er {elderly.value_text}, mot {county_elderly[1]} i {region}. "
                f"Hvilke utredninger trengs om helse, omsorg og boliger for eldre i planarbeidet?",
                f"Andel 67 år og eldre: {elderly.value_text} ({elderly.period_text}); "
                f"{region} {county_elderly[1]}",
                elderly.source,
            )
        )
    commuting = figures.get("out_commuting_pct")
    if commuting is not None and commuting.value is not None and commuting.value >= OUT_COMMUTING:
        points.append(
            TalkingPoint(
                "utredning",
                f"{commuting.value_text} av de sysselsatte pendler ut av kommunen. "
                f"Hvordan skal planen se kommunen "
                f"sammen med nabokommunene og bo- og arbeidsmarkedsregionen?",
                f"Utpendling: {commuting.value_text} ({commuting.period_text})",
                commuting.source,
            )
        )
    result = figures.get("net_operating_result_pct")
    if result is not None and result.value is not None and round(result.value, 1) < 0:
        points.append(
            TalkingPoint(
                "handling",
                f"Netto driftsresultat var {result.value_text} ({result.period_text}). "
                f"Hvordan kobles samfunnsdelen "
                f"til handlingsdel og økonomiplan når handlingsrommet er lite?",
                f"Netto driftsresultat: {result.value_text} ({result.period_text})",
                result.source,
            )
        )
    return points


def _check_points(checks: list[Check]) -> list[TalkingPoint]:
    themes = {
        "samfunnsdel": "samspill",
        "planstrategi": "handling",
        "hearing": "dialog",
        "fact_base": "utredning",
        "staff": "samspill",
        "eligibility": "samspill",
    }
    questions = {
        "samfunnsdel": "Hvilken samfunnsdel styrer i dag, og kjenner de folkevalgte den?",
        "planstrategi": "Hva skal til for at planstrategien vedtas i tide, og hvem eier framdriften?",
        "hearing": "Hvordan vil dere bruke høringene til en reell dialog med innbyggerne, med tid nok?",
        "fact_base": "Hvilket kunnskapsgrunnlag finnes allerede i plandokumentene, og hva mangler?",
        "staff": "Hvordan fordeles planarbeidet mellom administrasjon og politikk med de ressursene "
        "dere har?",
        "eligibility": "Oppfyller kommunen vilkårene for å delta, og hva betyr det for søknaden?",
    }
    points = []
    for check in checks:
        if check.outcome != DIFFERS:
            continue
        sources = "; ".join(dict.fromkeys(e.source for e in check.evidence if e.source != NO_SOURCE))
        points.append(
            TalkingPoint(
                themes[check.key],
                f"{check.reason} {questions[check.key]}",
                f"Sjekk: {check.headline}",
                sources,
            )
        )
    return points


def _plan_points(plan, checks: list[Check]) -> list[TalkingPoint]:
    """An old samfunnsdel, and an overdue planstrategi (unless a check already raised it)."""
    points = []
    fact = next((f for f in plan.facts if f.plan_type == "samfunnsdel"), None)
    if fact is not None and fact.age_years is not None and fact.age_years >= OLD_PLAN_YEARS:
        points.append(
            TalkingPoint(
                "handling",
                f"Samfunnsdelen ble vedtatt {fact.adopted_text} og er {fact.age_years} år gammel. "
                f"Hva i den er fortsatt "
                f"styrende, og hva er gjort?",
                f"Samfunnsdel vedtatt {fact.adopted_text}",
                fact.source_text,
            )
        )
    strategy = plan.planstrategi
    raised = any(c.key == "planstrategi" and c.outcome == DIFFERS for c in checks)
    if strategy.status == status.OVERDUE and not raised:
        points.append(
            TalkingPoint(
                "samspill",
                f"{strategy.message} Hvordan kan politikk og administrasjon sammen få den på plass?",
                f"Planstrategi: frist {text.long_date(strategy.deadline)}, ikke registrert som vedtatt",
                "Plan- og bygningsloven § 10-1; planstatus i appen",
            )
        )
    return points


def _fallback(name: str, figures: dict) -> list[TalkingPoint]:
    population = figures.get("population")
    if population is None or population.value is None:
        return []
    shown = f"{population.value_text} innbyggere ({population.period_text})"
    return [
        TalkingPoint(
            "samspill",
            f"Med {shown}: hvem i {name} – folkevalgte, administrasjon og innbyggere – skal "
            "eie planarbeidet, og hvordan møtes de?",
            f"Folketall: {shown}",
            population.source,
        ),
        TalkingPoint(
            "dialog",
            f"Hvordan når dere alle de {population.value_text} innbyggerne i dialogen om samfunnsdelen?",
            f"Folketall: {shown}",
            population.source,
        ),
        TalkingPoint(
            "handling",
            "Hvordan omsettes planene til handling i en kommune av denne størrelsen?",
            f"Folketall: {shown}",
            population.source,
        ),
    ]


def talking_points(
    name: str, figures: dict, county: dict, county_name: str | None, checks: list[Check], plan=None
) -> list[TalkingPoint]:
    """3–6 questions, mismatches first, then the figures, ordered by standing theme."""
    points = _check_points(checks) + (_plan_points(plan, checks) if plan is not None else [])
    points += _figure_points(name, figures, county, county_name)
    if len(points) < MIN_POINTS:
        used = {p.theme for p in points}
        points += [p for p in _fallback(name, figures) if p.theme not in used]
    chosen = points[:MAX_POINTS]
    return sorted(chosen, key=lambda p: THEME_ORDER.index(p.theme))
