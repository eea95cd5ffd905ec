"""The legal planning calendar of a Norwegian municipality, kept as data with its legal references.

Each rule (``RULES``) says what happens, where the rule comes from and whether it is law or only
guidance. ``legal_calendar(first_year, last_year)`` turns the rules into dated events (rows) for a
range of years, e.g. 2019–2028, ready for a timeline.

Sources (see docs/domain.md):
- Municipal elections every fourth year in September (valgloven; the King sets the day, in practice
  the second Monday of September: 9 Sep 2019, 11 Sep 2023).
- The new council is constituted by the end of October of the election year (kommuneloven § 7-1).
- Plan- og bygningsloven (pbl) § 10-1: planstrategi at the latest one year after the council is
  constituted; the proposal is public at least 30 days before the decision.
- pbl § 11-13 / § 11-14: planprogram and plan proposal on hearing for at least 6 weeks.
- Kommuneloven § 14-4: økonomiplan (four years ahead) and budget adopted by 31 December; the
  recommendation is public at least 14 days before the decision. pbl § 11-1: the handlingsdel is
  revised every year and may be the økonomiplan.
- Guidance, not law: Nordland's guide says a samfunnsdel revision should be done within the first
  1.5 years of the term.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import pandas as pd

LAW = "lov"
GUIDANCE = "veiledning"

# Election days fixed by the King in Council; later years are computed (second Monday of September).
KNOWN_ELECTION_DAYS: dict[int, date] = {
    2019: date(2019, 9, 9),
    2023: date(2023, 9, 11),
}
FIRST_KNOWN_ELECTION_YEAR = 2019
TERM_YEARS = 4


@dataclass(frozen=True)
class CalendarRule:
    """One rule of the planning calendar, as data."""

    kind: str  # machine key, e.g. "planstrategi_deadline"
    label: str  # Norwegian label for the timeline
    legal_reference: str  # e.g. "pbl § 10-1"
    binding: str  # LAW or GUIDANCE
    description: str  # Norwegian explanation shown to users
    min_days: int | None = None  # a minimum duration (hearings, public display)


RULES: dict[str, CalendarRule] = {
    rule.kind: rule
    for rule in [
        CalendarRule(
            "election",
            "Kommunestyrevalg",
            "valgloven",
            LAW,
            "Kommunestyrevalg holdes hvert fjerde år i september. Valgdagen fastsettes av Kongen, "
            "i praksis andre mandag i september.",
        ),
        CalendarRule(
            "council_constituted",
            "Nytt kommunestyre konstituert (senest)",
            "kommuneloven § 7-1",
            LAW,
            "Det nye kommunestyret skal ha konstituerende møte innen utgangen av oktober i valgåret.",
        ),
        CalendarRule(
            "planstrategi_proposal_public",
            "Forslag til planstrategi offentlig (senest)",
            "pbl § 10-1",
            LAW,
            "Forslaget til planstrategi skal gjøres offentlig minst 30 dager før kommunestyret "
            "behandler det. Datoen er siste frist dersom vedtaket fattes på fristdagen.",
            min_days=30,
        ),
        CalendarRule(
            "planstrategi_deadline",
            "Frist for vedtak av kommunal planstrategi",
            "pbl § 10-1",
            LAW,
            "Kommunestyret skal vedta en kommunal planstrategi minst én gang i hver valgperiode, "
            "og senest innen ett år etter konstituering. Der tar kommunestyret stilling til om "
            "kommuneplanen skal revideres.",
        ),
        CalendarRule(
            "planprogram_hearing",
            "Planprogram på høring",
            "pbl § 11-13",
            LAW,
            "Forslag til planprogram sendes på høring og legges ut til offentlig ettersyn i minst "
            "seks uker samtidig med varsel om oppstart av planarbeidet.",
            min_days=42,
        ),
        CalendarRule(
            "plan_proposal_hearing",
            "Planforslag på høring",
            "pbl § 11-14",
            LAW,
            "Forslag til kommuneplan sendes på høring og legges ut til offentlig ettersyn i minst seks uker.",
            min_days=42,
        ),
        CalendarRule(
            "samfunnsdel_target",
            "Revidert samfunnsdel vedtatt (anbefalt)",
            "Nordland fylkeskommunes veileder",
            GUIDANCE,
            "Veiledning, ikke lovkrav: en revisjon av kommuneplanens samfunnsdel bør være ferdig "
            "innen de første halvannet årene av valgperioden.",
        ),
        CalendarRule(
            "okonomiplan_recommendation_public",
            "Innstilling til økonomiplan og budsjett offentlig (senest)",
            "kommuneloven § 14-4",
            LAW,
            "Innstillingen til økonomiplan og årsbudsjett skal være offentlig minst 14 dager før "
            "kommunestyret behandler den. Datoen er siste frist dersom vedtaket fattes 31. desember.",
            min_days=14,
        ),
        CalendarRule(
            "okonomiplan_deadline",
            "Handlingsdel/økonomiplan og budsjett vedtatt (senest)",
            "kommuneloven § 14-4; pbl § 11-1",
            LAW,
            "Kommunestyret vedtar hvert år en økonomiplan for de neste fire årene og årsbudsjett "
            "for neste år, før årsskiftet. Kommuneplanens handlingsdel rulleres årlig og kan inngå "
            "i økonomiplanen.",
        ),
    ]
}


@dataclass(frozen=True)
class CalendarEvent:
    """One dated event on the legal calendar (a row of ``legal_calendar``)."""

    start: date
    end: date  # equal to start for a single day
    kind: str
    label: str
    legal_reference: str
    binding: str  # LAW or GUIDANCE
    is_law: bool
    term: str  # the election term it belongs to, e.g. "2023–2027"
    expected: bool  # True when the date is computed, not yet fixed (e.g. the 2027 election)
    description: str


# --- elections and terms -------------------------------------------------------------------


def is_election_year(year: int) -> bool:
    """Municipal elections are held every fourth year (2019, 2023, 2027, ...)."""
    return (year - FIRST_KNOWN_ELECTION_YEAR) % TERM_YEARS == 0


def second_monday_of_september(year: int) -> date:
    """The second Monday of September, the usual municipal election day."""
    first = date(year, 9, 1)
    days_to_monday = (_calendar.MONDAY - first.weekday()) % 7
    return first + timedelta(days=days_to_monday + 7)


def election_date(year: int) -> date:
    """The election day of ``year``: fixed where known, otherwise the second Monday of September."""
    if not is_election_year(year):
        raise ValueError(f"{year} er ikke et år med kommunestyrevalg")
    return KNOWN_ELECTION_DAYS.get(year) or second_monday_of_september(year)


def election_is_expected(year: int) -> bool:
    """True when the election day of ``year`` is computed rather than fixed."""
    return year not in KNOWN_ELECTION_DAYS


def council_constituted_by(election_year: int) -> date:
    """Last day for the constituent meeting: end of October of the election year (kommuneloven § 7-1)."""
    return date(election_year, 10, 31)


def term_label(election_year: int) -> str:
    """The term as users write it, e.g. ``"2023–2027"``."""
    return f"{election_year}–{election_year + TERM_YEARS}"


def term_start(election_year: int) -> date:
    """The day the new council's term is counted from.

    The council must be constituted in October of the election year (kommuneloven § 7-1); we count
    the term from 1 October so that decisions of the outgoing council in September belong to the
    old term.
    """
    return date(election_year, 10, 1)


def election_year_of_term(on: date) -> int:
    """The election year of the term in force on ``on`` (a term runs from 1 October)."""
    year = on.year
    while not (is_election_year(year) and term_start(year) <= on):
        year -= 1
    return year


def planstrategi_deadline(election_year: int) -> date:
    """pbl § 10-1: at the latest one year after the council is constituted (end of October)."""
    constituted = council_constituted_by(election_year)
    return constituted.replace(year=constituted.year + 1)


def samfunnsdel_target(election_year: int) -> date:
    """Guidance (Nordland): samfunnsdel revised within 1.5 years after the council is constituted."""
    constituted = council_constituted_by(election_year)
    return _add_months(constituted, 18)


def okonomiplan_deadline(year: int) -> date:
    """Kommuneloven § 14-4: økonomiplan (next four years) and budget adopted before the year ends."""
    return date(year, 12, 31)


def min_days(kind: str) -> int:
    """The minimum duration in days of a rule that has one (hearings, public display)."""
    days = RULES[kind].min_days
    if days is None:
        raise ValueError(f"regelen {kind!r} har ingen minste varighet")
    return days


def latest_public_date(decision: date, rule_kind: str) -> date:
    """Latest day a proposal must be public when decided on ``decision`` (30 or 14 days before)."""
    return decision - timedelta(days=min_days(rule_kind))


def hearing_end(kind: str, start: date) -> date:
    """Earliest end of a hearing that starts on ``start`` (six weeks: pbl §§ 11-13, 11-14)."""
    return start + timedelta(days=min_days(kind))


# --- events --------------------------------------------------------------------------------


def _event(
    kind: str,
    start: date,
    election_year: int,
    *,
    end: date | None = None,
    label: str | None = None,
    expected: bool = False,
) -> CalendarEvent:
    rule = RULES[kind]
    return CalendarEvent(
        start=start,
        end=end or start,
        kind=kind,
        label=label or rule.label,
        legal_reference=rule.legal_reference,
        binding=rule.binding,
        is_law=rule.binding == LAW,
        term=term_label(election_year),
        expected=expected,
        description=rule.description,
    )


def term_events(election_year: int) -> list[CalendarEvent]:
    """The events that follow from one election: election, constitution, planstrategi, samfunnsdel.

    Only the election day itself can be ``expected`` (computed); the other deadlines follow from
    the law whatever day the election is held.
    """
    expected = election_is_expected(election_year)
    deadline = planstrategi_deadline(election_year)
    return [
        _event(
            "election",
            election_date(election_year),
            election_year,
            expected=expected,
            label=f"Kommunestyrevalg {election_year}" + (" (forventet dato)" if expected else ""),
        ),
        _event("council_constituted", council_constituted_by(election_year), election_year),
        _event(
            "planstrategi_proposal_public",
            latest_public_date(deadline, "planstrategi_proposal_public"),
            election_year,
        ),
        _event("planstrategi_deadline", deadline, election_year),
        _event("samfunnsdel_target", samfunnsdel_target(election_year), election_year),
    ]


def yearly_events(year: int) -> list[CalendarEvent]:
    """The yearly økonomiplan/handlingsdel (kommuneloven § 14-4) adopted in ``year``."""
    deadline = okonomiplan_deadline(year)
    election_year = election_year_of_term(deadline)
    period = f"{year + 1}–{year + 4}"
    return [
        _event(
            "okonomiplan_recommendation_public",
            latest_public_date(deadline, "okonomiplan_recommendation_public"),
            election_year,
            label=f"Innstilling til økonomiplan {period} offentlig (senest)",
        ),
        _event(
            "okonomiplan_deadline",
            deadline,
            election_year,
            label=f"Handlingsdel/økonomiplan {period} og budsjett {year + 1} vedtatt (senest)",
        ),
    ]


def hearing_event(kind: str, start: date, end: date | None = None) -> CalendarEvent:
    """A hearing the municipality has dated (planprogram or plan proposal), at least six weeks.

    ``end`` defaults to the legal minimum (pbl § 11-13 / § 11-14).
    """
    if kind not in ("planprogram_hearing", "plan_proposal_hearing"):
        raise ValueError(f"ukjent høringstype {kind!r}")
    return _event(kind, start, election_year_of_term(start), end=end or hearing_end(kind, start))


def legal_calendar(first_year: int = 2019, last_year: int = 2028) -> list[CalendarEvent]:
    """All legal calendar events dated within ``first_year``–``last_year``, sorted by date."""
    first_day, last_day = date(first_year, 1, 1), date(last_year, 12, 31)
    events: list[CalendarEvent] = []
    for year in range(first_year - TERM_YEARS, last_year + 1):
        if is_election_year(year):
            events.extend(term_events(year))
    for year in range(first_year, last_year + 1):
        events.extend(yearly_events(year))
    inside = [e for e in events if e.end >= first_day and e.start <= last_day]
    return sorted(inside, key=lambda e: (e.start, e.kind))


def calendar_frame(events: list[CalendarEvent]) -> pd.DataFrame:
    """The events as a DataFrame (one row each), e.g. for a Plotly timeline."""
    columns = list(CalendarEvent.__dataclass_fields__)
    return pd.DataFrame([asdict(e) for e in events], columns=columns)


def _add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's last day (31 Oct + 18 months = 30 Apr)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))
