"""Every answer of an application held against what is known, each check with its evidence.

A check says «stemmer», «avvik» or «kan ikke sjekkes», why (one paragraph naming both sides), and
lists its evidence: each figure or fact with its source. The six checks:

* ``samfunnsdel_check``: answer 1 vs the collected/entered plan status (year, period, status, source);
* ``planstrategi_check``: the progress plan's planstrategi date vs pbl § 10-1 and the collected status;
* ``hearing_check``: the samfunnsdel plan vs its hearings (pbl §§ 11-13, 11-14: at least six weeks each);
* ``fact_base_check``: answer 3 vs the collected plan documents and the app's own fact base;
* ``staff_check``: answer 4 vs the other applicants of the same round;
* ``eligibility_check``: under 2,500 inhabitants (SSB, with its date), county, round and deadline.

The functions take plain inputs (an application row, a ``plan.summary`` summary, milestones, peers)
so each outcome is tested on small data; ``application_checks`` gathers them from the database.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from nokkeltall import provenance, queries, text
from nokkeltall.applications import answers
from nokkeltall.plan import calendar, network, status
from nokkeltall.plan.summary import PlanFact, PlanStatusSummary, plan_status_summary

# the key figures of the brief; the app's own fact base «can be made» with those it has
KEY_FIGURES = (
    "population",
    "population_change_10y_pct",
    "median_age",
    "share_0_19_pct",
    "share_67_plus_pct",
    "old_age_ratio",
    "women_per_100_men_20_39",
    "natural_increase",
    "net_migration",
    "employment_rate_15_74_pct",
    "out_commuting_pct",
    "job_coverage_pct",
    "net_operating_result_pct",
    "net_debt_per_capita_nok",
    "centrality_index",
)

AGREES, DIFFERS, UNCHECKABLE = "stemmer", "avvik", "kan_ikke_sjekkes"
OUTCOME_LABELS = {AGREES: "Stemmer", DIFFERS: "Avvik", UNCHECKABLE: "Kan ikke sjekkes"}
OUTCOME_ICONS = {AGREES: "✅", DIFFERS: "⚠️", UNCHECKABLE: "❔"}
HEARING_DAYS = calendar.min_days("plan_proposal_hearing")  # six weeks, pbl §§ 11-13 and 11-14
HEARINGS_TEXT = {
    0: "etter høringen av planforslaget som pågår",
    1: "nok til én høring på minst seks uker",
    2: "nok til to høringer på minst seks uker",
}
PEER_RATIO = 2.0  # a share more than twice or less than half the peers' median is an «avvik»
MIN_PEERS = 2
MONTHS = {m: i for i, m in enumerate(text.MONTHS, start=1)}
SEASONS = {
    "våren": (3, 6),
    "vår": (3, 6),
    "sommeren": (6, 8),
    "høsten": (9, 12),
    "høst": (9, 12),
    "vinteren": (1, 2),
    "starten av": (1, 3),
    "slutten av": (10, 12),
    "innen utgangen av": (1, 12),
}
APPLICATION_SOURCE = "Søknaden"


@dataclass(frozen=True)
class Evidence:
    label: str
    value: str
    source: str


@dataclass
class Check:
    key: str
    title: str
    outcome: str
    reason: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def headline(self) -> str:
        return f"{self.title}: {self.outcome_label.lower()}"


def _application_source(application: dict) -> str:
    received = application.get("received_date")
    return (
        f"{APPLICATION_SOURCE} (mottatt {text.long_date(date.fromisoformat(received))})"
        if received
        else APPLICATION_SOURCE
    )


def _fact_text(fact: PlanFact) -> str:
    parts = [fact.status_label.lower()]
    if fact.adopted:
        parts.append(fact.adopted_text)
    if fact.period:
        parts.append(f"planperiode {text.period(fact.period)}")
    return ", ".join(parts)


def _plan_evidence(fact: PlanFact) -> list[Evidence]:
    evidence = [Evidence(f"Registrert status, {fact.label.lower()}", _fact_text(fact), fact.source_text)]
    if fact.pending:
        evidence.append(Evidence("Ny revisjon", fact.pending, fact.source_text))
    return evidence


# --- 1. samfunnsdel year ------------------------------------------------------------------------------


def samfunnsdel_check(application: dict, fact: PlanFact) -> Check:
    """Answer 1 against the best-known samfunnsdel (collected sources and entries in the app)."""
    answer = application.get("samfunnsdel_answer")
    claimed: Any = application.get("samfunnsdel_year")  # a year when answer is «år»
    said = (
        str(claimed)
        if answer == "år"
        else "ingen gjeldende samfunnsdel"
        if answer == "ingen"
        else "ikke oppgitt"
    )
    evidence = [
        Evidence("Søknaden, spørsmål 1", said, _application_source(application)),
        *_plan_evidence(fact),
    ]
    title = "Samfunnsdelens årstall"
    if answer not in ("år", "ingen"):
        return Check(
            "samfunnsdel",
            title,
            UNCHECKABLE,
            "Søknaden oppgir ikke hvilket år samfunnsdelen er fra.",
            evidence,
        )
    if fact.status == "ukjent":
        return Check(
            "samfunnsdel",
            title,
            UNCHECKABLE,
            "Det finnes ingen innsamlet eller registrert planstatus for samfunnsdelen å sjekke mot. "
            "Det betyr ikke at planen mangler.",
            evidence,
        )
    collected = _fact_text(fact)
    source = fact.source_title or "ingen kilde"
    if fact.status == status.ADOPTED:
        adopted_year = int(fact.adopted[:4]) if fact.adopted else None
        period_start = status.period_start_year(fact.period)
        if answer == "ingen":
            return Check(
                "samfunnsdel",
                title,
                DIFFERS,
                f"Søknaden sier at kommunen ikke har noen gjeldende samfunnsdel, men registrert planstatus "
                f"viser samfunnsdel {collected} (kilde: {source}).",
                evidence,
            )
        known = adopted_year or period_start
        if known is None:
            return Check(
                "samfunnsdel",
                title,
                UNCHECKABLE,
                f"Samfunnsdelen er registrert som vedtatt, men uten vedtaksår eller planperiode; "
                f"årstallet {claimed} i søknaden kan ikke sjekkes.",
                evidence,
            )
        if claimed in (adopted_year, period_start):
            return Check(
                "samfunnsdel",
                title,
                AGREES,
                f"Søknaden oppgir {claimed}, og registrert planstatus viser samfunnsdel {collected} "
                f"(kilde: {source}).",
                evidence,
            )
        return Check(
            "samfunnsdel",
            title,
            DIFFERS,
            f"Søknaden oppgir at samfunnsdelen er fra {claimed}, men registrert planstatus viser "
            f"samfunnsdel {collected} (kilde: {source}) – {abs(known - int(claimed))} års forskjell. "
            f"Spør hvilken plan som gjelder, og om den fra {claimed} er erstattet.",
            evidence,
        )
    # only a plan on hearing or under way is registered
    if answer == "ingen":
        return Check(
            "samfunnsdel",
            title,
            AGREES,
            f"Søknaden sier at kommunen ikke har noen gjeldende samfunnsdel, og registrert planstatus har "
            f"ingen vedtatt samfunnsdel, bare en som er {collected} (kilde: {source}).",
            evidence,
        )
    return Check(
        "samfunnsdel",
        title,
        DIFFERS,
        f"Søknaden oppgir at samfunnsdelen er fra {claimed}, men registrert planstatus har ingen vedtatt "
        f"samfunnsdel fra {claimed}; den viser samfunnsdel {collected} (kilde: {source}). Spør om planen "
        f"fra {claimed} fortsatt gjelder mens den nye er under behandling.",
        evidence,
    )


# --- 2. planstrategi vs pbl § 10-1 ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedDate:
    earliest: date
    latest: date
    said: str  # as written: «juni 2027», «våren 2027»


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def find_planned_date(progress: str | None, plan_word: str) -> PlannedDate | None:
    """The first date given for ``plan_word`` (e.g. «planstrategi») in the progress plan text."""
    if not progress:
        return None
    for clause in re.split(r"\.\s+(?=[A-ZÆØÅ])|[;\n]+", progress):  # «12. juni» stays whole
        lowered = clause.lower()
        if plan_word not in lowered:
            continue
        found = _date_in(lowered[lowered.index(plan_word) :]) or _date_in(lowered)
        if found:
            return found
    return None


def _date_in(clause: str) -> PlannedDate | None:
    months = "|".join(MONTHS)
    match = re.search(rf"\b(\d{{1,2}})\.\s*({months})\s+(20\d\d)", clause)
    if match:
        day = date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
        return PlannedDate(day, day, match.group(0))
    match = re.search(rf"\b({months})\s+(20\d\d)", clause)
    if match:
        year, month = int(match.group(2)), MONTHS[match.group(1)]
        return PlannedDate(date(year, month, 1), _month_end(year, month), match.group(0))
    seasons = "|".join(sorted(SEASONS, key=len, reverse=True))
    match = re.search(rf"\b({seasons})\s+(20\d\d)", clause)
    if match:
        year, (first, last) = int(match.group(2)), SEASONS[match.group(1)]
        return PlannedDate(date(year, first, 1), _month_end(year, last), match.group(0))
    match = re.search(r"\b(20\d\d)\b", clause)
    if match:
        year = int(match.group(1))
        return PlannedDate(date(year, 1, 1), date(year, 12, 31), match.group(0))
    return None


def _milestone_date(milestones: list[dict], plan_type: str) -> PlannedDate | None:
    """The municipality's own milestone for the decision (title with «vedt»), else none."""
    for milestone in sorted(milestones, key=lambda m: m.get("start_date") or ""):
        if milestone.get("plan_type") == plan_type and "vedt" in str(milestone.get("title", "")).lower():
            start = date.fromisoformat(milestone["start_date"])
            end = date.fromisoformat(milestone["end_date"]) if milestone.get("end_date") else start
            return PlannedDate(start, end, f"{milestone['title']} ({text.long_date(start)})")
    return None


def _planned(application: dict, milestones: list[dict], plan_type: str) -> tuple[PlannedDate | None, str]:
    own = _milestone_date(milestones, plan_type)
    if own:
        return own, "Kommunens framdriftsplan (milepæler registrert i appen)"
    return find_planned_date(application.get("progress_plan"), plan_type), _application_source(application)


def planstrategi_check(application: dict, summary: PlanStatusSummary, milestones: list[dict]) -> Check:
    """The planned planstrategi decision against pbl § 10-1 (within a year of the constitution) and
    against the collected status for the term."""
    title = "Planstrategi og lovens frist"
    planned, planned_source = _planned(application, milestones, "planstrategi")
    rule = summary.planstrategi
    fact = next(f for f in summary.facts if f.plan_type == "planstrategi")
    evidence = [
        Evidence(
            "Planstrategi, frist etter pbl § 10-1",
            f"{text.long_date(rule.deadline)} (valgperioden {rule.term})",
            "Plan- og bygningsloven § 10-1; kommuneloven § 7-1",
        ),
        *_plan_evidence(fact),
    ]
    if planned is None:
        said = "ikke oppgitt" if not application.get("progress_plan") else "ingen dato for planstrategi"
        evidence.insert(0, Evidence("Planlagt vedtak av planstrategi", said, planned_source))
        return Check(
            "planstrategi",
            title,
            UNCHECKABLE,
            f"Framdriftsplanen gir ingen dato for vedtak av planstrategien, så den kan ikke holdes mot "
            f"fristen. {rule.message}",
            evidence,
        )
    evidence.insert(0, Evidence("Planlagt vedtak av planstrategi", planned.said, planned_source))
    election_year = calendar.election_year_of_term(planned.earliest)
    deadline = calendar.planstrategi_deadline(election_year)
    term = calendar.term_label(election_year)
    if election_year == calendar.election_year_of_term(summary.as_of) and rule.status == status.ADOPTED:
        next_deadline = calendar.planstrategi_deadline(election_year + calendar.TERM_YEARS)
        return Check(
            "planstrategi",
            title,
            DIFFERS,
            f"Søknaden planlegger vedtak av planstrategien {planned.said}, men planstrategien for "
            f"valgperioden {term} er allerede registrert som vedtatt ({fact.adopted_text}, kilde: "
            f"{fact.source_title or 'ingen kilde'}). Spør om {planned.said} gjelder en revisjon, eller "
            f"planstrategien for neste valgperiode (frist {text.long_date(next_deadline)}).",
            evidence,
        )
    if planned.latest <= deadline:
        return Check(
            "planstrategi",
            title,
            AGREES,
            f"Planlagt vedtak {planned.said} er innenfor fristen {text.long_date(deadline)} for "
            f"valgperioden {term} (pbl § 10-1).",
            evidence,
        )
    if planned.earliest > deadline:
        return Check(
            "planstrategi",
            title,
            DIFFERS,
            f"Planlagt vedtak {planned.said} er etter fristen {text.long_date(deadline)} for valgperioden "
            f"{term}: pbl § 10-1 krever vedtak senest ett år etter at kommunestyret er konstituert.",
            evidence,
        )
    return Check(
        "planstrategi",
        title,
        UNCHECKABLE,
        f"«{planned.said}» er for grovt til å avgjøre om vedtaket kommer før fristen "
        f"{text.long_date(deadline)} (pbl § 10-1).",
        evidence,
    )


# --- 3. samfunnsdel vs hearing periods ------------------------------------------------------------------


def _hearings(milestones: list[dict]) -> list[tuple[str, date, date]]:
    rows = []
    for m in milestones:
        if (
            m.get("plan_type") == "samfunnsdel"
            and "høring" in str(m.get("title", "")).lower()
            and m.get("end_date")
        ):
            rows.append((m["title"], date.fromisoformat(m["start_date"]), date.fromisoformat(m["end_date"])))
    return rows


WEEK_WORDS = {"to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8}
_WEEKS = re.compile(r"\b(\d{1,2}|" + "|".join(WEEK_WORDS) + r")\s+uker", re.IGNORECASE)


def stated_hearings(progress: str | None) -> list[tuple[str, int]]:
    """Hearing lengths the progress plan states in weeks («høring i fire uker») as (words, days)."""
    found = []
    for clause in re.split(r"\.\s+(?=[A-ZÆØÅ])|[;\n]+", progress or ""):
        if "høring" not in clause.lower():
            continue
        for match in _WEEKS.finditer(clause):
            weeks = match.group(1).lower()
            found.append((match.group(0), 7 * (int(weeks) if weeks.isdigit() else WEEK_WORDS[weeks])))
    return found


def _short_stated_hearing(application: dict, title: str, evidence: list[Evidence]) -> Check | None:
    stated = stated_hearings(application.get("progress_plan"))
    evidence += [
        Evidence("Høring i framdriftsplanen", f"{said} ({days} dager)", _application_source(application))
        for said, days in stated
    ]
    short = [(said, days) for said, days in stated if days < HEARING_DAYS]
    if not short:
        return None
    said, days = short[0]
    return Check(
        "hearing",
        title,
        DIFFERS,
        f"Framdriftsplanen setter av «{said}» ({days} dager) til høring, men loven krever minst seks uker "
        f"({HEARING_DAYS} dager) for både planprogram og planforslag (pbl §§ 11-13 og 11-14).",
        evidence,
    )


def hearing_check(application: dict, summary: PlanStatusSummary, milestones: list[dict]) -> Check:
    """The samfunnsdel plan against its hearings: planprogram (pbl § 11-13) and plan proposal
    (§ 11-14) each at least six weeks before the decision."""
    title = "Samfunnsdel og høringsfrister"
    law = "Plan- og bygningsloven §§ 11-13 og 11-14"
    fact = next(f for f in summary.facts if f.plan_type == "samfunnsdel")
    hearings = _hearings(milestones)
    evidence = [
        Evidence(
            name,
            f"{text.long_date(start)}–{text.long_date(end)} ({(end - start).days} dager)",
            "Kommunens framdriftsplan (milepæler registrert i appen)",
        )
        for name, start, end in hearings
    ]
    evidence += [
        *_plan_evidence(fact),
        Evidence("Minste høringsperiode", f"{HEARING_DAYS} dager (seks uker)", law),
    ]
    stated_short = _short_stated_hearing(application, title, evidence)
    if stated_short:
        return stated_short
    short = [(n, s, e) for n, s, e in hearings if (e - s).days < HEARING_DAYS]
    if short:
        name, start, end = short[0]
        return Check(
            "hearing",
            title,
            DIFFERS,
            f"«{name}» varer {(end - start).days} dager ({text.long_date(start)}–{text.long_date(end)}), "
            f"men loven krever minst seks uker ({HEARING_DAYS} dager).",
            evidence,
        )
    planned, planned_source = _planned(application, milestones, "samfunnsdel")
    if planned is None:
        if hearings:
            return Check(
                "hearing", title, AGREES, "Alle registrerte høringer varer minst seks uker.", evidence
            )
        return Check(
            "hearing",
            title,
            UNCHECKABLE,
            "Framdriftsplanen gir verken høringer eller dato for vedtak av samfunnsdelen.",
            evidence,
        )
    evidence.insert(0, Evidence("Planlagt vedtak av samfunnsdel", planned.said, planned_source))
    needed = 2 * HEARING_DAYS if fact.status != "på_høring" and not hearings else HEARING_DAYS
    room = (planned.latest - summary.as_of).days
    if fact.status == "på_høring" and not hearings:
        needed = 0  # the proposal is on hearing already
    if room < needed:
        what = (
            "høring av planprogram og planforslag (minst seks uker hver)"
            if needed > HEARING_DAYS
            else "høring av planforslaget (minst seks uker)"
        )
        return Check(
            "hearing",
            title,
            DIFFERS,
            f"Planlagt vedtak {planned.said} gir {max(room, 0)} dager fra {text.long_date(summary.as_of)}, "
            f"men {what} krever minst {needed} dager før vedtak ({law}).",
            evidence,
        )
    return Check(
        "hearing",
        title,
        AGREES,
        f"Planlagt vedtak {planned.said} gir {room} dager, {HEARINGS_TEXT[needed // HEARING_DAYS]} ({law}).",
        evidence,
    )


# --- 4. fact base ---------------------------------------------------------------------------------------


def fact_base_check(
    application: dict, documents: list[dict], figures_found: int, figures_total: int
) -> Check:
    """Answer 3 against the collected plan documents (``status.collected_rows`` with a source) and the
    key figures the app has for its own fact base."""
    title = "Kunnskapsgrunnlag"
    flag, description = application.get("has_fact_base"), application.get("fact_base_description")
    said = answers.yes_no(flag) or ("svar i tekst" if description else "ikke oppgitt")
    listed = "; ".join(f"{d['title']} ({d['status']})" for d in documents[:4]) or "ingen"
    evidence = [
        Evidence(
            "Søknaden, spørsmål 3",
            said + (f": «{description}»" if description else ""),
            _application_source(application),
        ),
        Evidence(
            "Innsamlede plandokumenter",
            f"{len(documents)}: {listed}",
            "; ".join(dict.fromkeys(d["source"] for d in documents)) or "Planstatus i appen",
        ),
        Evidence(
            "Appens kunnskapsgrunnlag",
            f"kan lages med {figures_found} av {figures_total} nøkkeltall",
            "SSB (øyeblikksbilde i appen), se «Kunnskapsgrunnlag» under Kommune",
        ),
    ]
    adopted = [d for d in documents if d["status"] == status.ADOPTED]
    if flag is None:
        why = (
            "Svaret er gitt med tekst, uten ja eller nei."
            if description
            else "Søknaden svarer ikke på om kommunen har et kunnskapsgrunnlag."
        )
        return Check("fact_base", title, UNCHECKABLE, why, evidence)
    if flag and documents:
        return Check(
            "fact_base",
            title,
            AGREES,
            f"Søknaden sier ja, og det finnes {len(documents)} innsamlede plandokumenter ({listed}) der "
            f"kunnskapsgrunnlaget kan ligge.",
            evidence,
        )
    if flag:
        return Check(
            "fact_base",
            title,
            UNCHECKABLE,
            "Søknaden sier ja, men det finnes ingen innsamlede plandokumenter å sjekke svaret mot.",
            evidence,
        )
    if adopted:
        return Check(
            "fact_base",
            title,
            DIFFERS,
            f"Søknaden sier nei, men kommunen har vedtatte plandokumenter ({listed}). En planstrategi skal "
            f"drøfte utviklingen i kommunen (pbl § 10-1); spør om det ligger et kunnskapsgrunnlag der.",
            evidence,
        )
    return Check(
        "fact_base",
        title,
        AGREES,
        "Søknaden sier nei, og ingen vedtatte plandokumenter er registrert. Appens kunnskapsgrunnlag "
        f"kan lages med {figures_found} av {figures_total} nøkkeltall.",
        evidence,
    )


# --- 5. staff vs peers ----------------------------------------------------------------------------------


def staff_check(application: dict, peers: list[dict]) -> Check:
    """Answer 4 against the other applicants of the same round (median share of a position)."""
    title = "Ressurser til planarbeid"
    round_year = application.get("round_year")
    persons, share = application.get("planning_staff_persons"), application.get("planning_staff_percent")
    others = [
        p
        for p in peers
        if p.get("municipality_code") != application.get("municipality_code")
        and p.get("round_year") == round_year
        and p.get("planning_staff_percent") is not None
    ]
    shares = sorted(float(p["planning_staff_percent"]) for p in others)
    source = f"Søknadene i runden {round_year} ({len(others)} andre kommuner med tall)"
    own = (
        f"{text.number(persons)} pers., {text.percent(share, 0 if float(share).is_integer() else 1)}"
        if persons is not None and share is not None
        else f"tekst: «{application.get('planning_staff_text')}»"
        if application.get("planning_staff_text")
        else "ikke oppgitt"
    )
    evidence = [Evidence("Søknaden, spørsmål 4", own, _application_source(application))]
    if shares:
        median = statistics.median(shares)
        evidence.append(
            Evidence(
                "Andre søkere, stillingsandel",
                f"median {text.percent(median, 0)} "
                f"(fra {text.percent(shares[0], 0)} til {text.percent(shares[-1], 0)})",
                source,
            )
        )
    if share is None:
        why = (
            "Svaret er gitt som tekst, ikke som personer og stillingsandel."
            if application.get("planning_staff_text")
            else "Søknaden oppgir ikke ressursene."
        )
        return Check("staff", title, UNCHECKABLE, why, evidence)
    if len(shares) < MIN_PEERS:
        return Check(
            "staff",
            title,
            UNCHECKABLE,
            f"For få andre søknader med tall i runden {round_year} ({len(shares)}) til å sammenligne.",
            evidence,
        )
    median = statistics.median(shares)
    own_share = text.percent(share, 0 if float(share).is_integer() else 1)
    if median and (share * PEER_RATIO < median or share > median * PEER_RATIO):
        side = "under halvparten av" if share < median else "over det dobbelte av"
        return Check(
            "staff",
            title,
            DIFFERS,
            f"Søknaden oppgir {own_share} av en stilling, {side} medianen for de andre søkerne i runden "
            f"({text.percent(median, 0)}). Spør hva det betyr for framdriften.",
            evidence,
        )
    return Check(
        "staff",
        title,
        AGREES,
        f"Søknaden oppgir {own_share} av en stilling, på linje med de andre søkerne i runden "
        f"(median {text.percent(median, 0)}).",
        evidence,
    )


# --- 6. eligibility -------------------------------------------------------------------------------------


def eligibility_check(
    application: dict, population: float | None, population_year: int | None, population_source: str
) -> Check:
    """Under 2,500 inhabitants (SSB's latest figure and its date), Nordland or Trøndelag, received by
    15 December of the round."""
    title = "Kan delta"
    code, round_year = application["municipality_code"], int(application["round_year"])
    when = date(population_year, 1, 1) if population_year else None
    result = network.eligibility(code, None if population is None else int(population), when)
    deadline = network.application_deadline(round_year)
    received = application.get("received_date")
    late = bool(received and received > deadline.isoformat())
    evidence = [
        Evidence(
            "Folketall",
            f"{text.number(population)} per {text.long_date(when)}" if when else text.MISSING,
            population_source,
        ),
        Evidence(
            "Grense", f"under {text.number(network.POPULATION_LIMIT)} innbyggere", network.NETWORK_SOURCE
        ),
        Evidence("Fylke", result.county or "utenfor Nordland og Trøndelag", "Kommunenummeret (18xx, 50xx)"),
        Evidence(
            "Søknadsrunde og frist", f"{round_year}, frist {text.long_date(deadline)}", network.NETWORK_SOURCE
        ),
        Evidence(
            "Mottatt",
            text.long_date(date.fromisoformat(received)) if received else text.MISSING,
            _application_source(application),
        ),
    ]
    reasons = " ".join(result.reasons)
    if population is None and result.county:
        return Check("eligibility", title, UNCHECKABLE, reasons, evidence)
    if not result.eligible or late:
        extra = f" Søknaden kom etter fristen {text.long_date(deadline)}." if late else ""
        return Check("eligibility", title, DIFFERS, reasons + extra, evidence)
    return Check(
        "eligibility",
        title,
        AGREES,
        f"{reasons} Søknaden kom innen fristen {text.long_date(deadline)}.",
        evidence,
    )


# --- all checks, from the database ----------------------------------------------------------------------


def _document_title(plan_type: str, period: str | None) -> str:
    """«Planstrategi 2023–2027»."""
    return f"{str(plan_type).capitalize()} {text.period(period) if period else ''}".strip()


def documents_of(seed) -> list[dict]:
    """Collected plan documents (``status.collected_rows``) that name a source."""
    rows = []
    for row in seed.to_dict("records"):
        title = row.get("source_title") if isinstance(row.get("source_title"), str) else None
        url = row.get("source_url") if isinstance(row.get("source_url"), str) else None
        if title or url:
            period = row.get("period") if isinstance(row.get("period"), str) else ""
            rows.append(
                {
                    "title": _document_title(row["plan_type"], period),
                    "status": str(row.get("status") or "ukjent"),
                    "source": title or url,
                }
            )
    return rows


def all_checks(
    application: dict,
    summary: PlanStatusSummary,
    milestones: list[dict],
    peers: list[dict],
    documents: list[dict],
    figures: tuple[int, int],
    population: tuple[float | None, int | None, str],
) -> list[Check]:
    """The six checks in the order of the brief (eligibility last: it is about the round, not the answers)."""
    facts = {f.plan_type: f for f in summary.facts}
    return [
        samfunnsdel_check(application, facts["samfunnsdel"]),
        planstrategi_check(application, summary, milestones),
        hearing_check(application, summary, milestones),
        fact_base_check(application, documents, *figures),
        staff_check(application, peers),
        eligibility_check(application, *population),
    ]


def documents_with_entries(collected, code: str, plan_entries: list[dict]) -> list[dict]:
    """The collected plan documents (``status.collected_rows``) and the plan status entered in the app,
    each with its source."""
    documents = documents_of(collected)
    documents += [
        {
            "title": _document_title(e["plan_type"], e.get("period")),
            "status": e["status"],
            "source": f"{e['source']} (registrert i appen)",
        }
        for e in plan_entries
        if e.get("municipality_code") == code
    ]
    return documents


def latest_figures(con, codes: list[str]) -> dict[str, dict]:
    """Latest value (and year) of every key figure per municipality: one query per indicator for all."""
    latest = queries.latest_values(con, list(KEY_FIGURES), codes) if codes else None
    rows = {} if latest is None else {row["municipality_code"]: row for row in latest.to_dict("records")}
    return {code: rows.get(code, {}) for code in codes}


def gather(
    con,
    application: dict,
    plan_entries: list[dict],
    milestones: list[dict],
    peers: list[dict],
    as_of: date,
    figures: dict | None = None,
    population_source: str | None = None,
    plan: tuple[PlanStatusSummary, object] | None = None,
) -> tuple[PlanStatusSummary, list[Check]]:
    """The plan status summary and the six checks of one application, from the database and user data
    (the one path used by the brief, the county matrix and the command line). ``figures`` (a row of
    ``latest_figures``), ``population_source`` and ``plan`` (the summary and the collected rows) spare
    the queries when many are gathered at once."""
    code = application["municipality_code"]
    if plan is None:
        rows = status.collected_rows(con, code)
        plan = (plan_status_summary(rows, plan_entries, as_of, code=code), rows)
    summary, collected = plan
    row = latest_figures(con, [code])[code] if figures is None else figures
    found = sum(not text.is_missing(row.get(i)) for i in KEY_FIGURES)
    population = None if text.is_missing(row.get("population")) else float(row["population"])
    year = int(row["population__year"]) if population is not None else None
    if population_source is None:
        population_source = provenance.indicator_source(con, "population").removeprefix("Kilde: ")
    return summary, all_checks(
        application,
        summary,
        milestones,
        peers,
        documents_with_entries(collected, code, plan_entries),
        (found, len(KEY_FIGURES)),
        (population, year, population_source),
    )
