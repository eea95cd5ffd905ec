"""The learning network on community planning: its rules as data, and eligibility computed.

Distriktssenteret with the county councils of Nordland and Trøndelag invites municipalities with
fewer than 2,500 inhabitants; 2–3 municipalities per county; applications by 15 December;
selection by application and a conversation (docs/domain.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nokkeltall.plan.calendar import CalendarEvent, election_year_of_term, term_label
from nokkeltall.text import long_date

POPULATION_LIMIT = 2500  # fewer than this many inhabitants
COUNTIES: dict[str, str] = {"18": "Nordland", "50": "Trøndelag"}
APPLICATION_DEADLINE_MONTH_DAY = (12, 15)
TARGET_PER_COUNTY = (2, 3)
PROJECT_YEARS = (2020, 2023)
GATHERINGS_PER_YEAR = (2, 3)
NETWORK_SOURCE = "Distriktssenteret, invitasjon til læringsnettverk"
NETWORK = "nettverk"  # binding of network events: neither law nor guidance

APPLICATION_STATUSES: dict[str, str] = {
    "mottatt": "Mottatt",
    "samtale": "Samtale avtalt",
    "valgt": "Valgt",
    "ikke_valgt": "Ikke valgt",
}

# the adviser's own assessment of an applicant (after reading the application and the checks)
ASSESSMENTS: dict[str, str] = {"aktuell": "Aktuell", "usikker": "Usikker", "ikke_aktuell": "Ikke aktuell"}

GUIDING_QUESTIONS: tuple[str, ...] = (
    "Hvordan få politikere, administrasjon og innbyggere til å spille godt sammen?",
    "Hvordan gjennomføre god innbyggerdialog?",
    "Hvilke utredninger og analyser trengs?",
    "Hvordan omsette planene til handling?",
)


def application_deadline(round_year: int) -> date:
    """The application deadline of a round: 15 December of ``round_year``."""
    month, day = APPLICATION_DEADLINE_MONTH_DAY
    return date(round_year, month, day)


def county_of(municipality_code: str | None) -> str | None:
    """The network county of a 4-digit municipality number (18xx Nordland, 50xx Trøndelag)."""
    code = str(municipality_code or "").strip()
    if len(code) != 4 or not code.isdigit():
        return None
    return COUNTIES.get(code[:2])


def format_number(value: int | float) -> str:
    """Norwegian thousands separator: 2500 -> "2 500"."""
    return f"{value:,.0f}".replace(",", " ")


@dataclass(frozen=True)
class Eligibility:
    """Whether a municipality can join the network, with the reasons in Norwegian."""

    eligible: bool
    reasons: list[str] = field(default_factory=list)
    county: str | None = None


def eligibility(
    municipality_code: str, population: int | None, population_date: date | str | None = None
) -> Eligibility:
    """Eligible when the population is under 2,500 and the county is Nordland or Trøndelag.

    ``population`` is the latest SSB figure and ``population_date`` its reference date (SSB
    counts the population on 1 January), both passed in by the caller.
    """
    reasons: list[str] = []
    county = county_of(municipality_code)
    county_ok = county is not None
    if county_ok:
        reasons.append(f"Kommunen ligger i {county}.")
    else:
        reasons.append("Kommunen ligger ikke i Nordland eller Trøndelag.")

    when = _date_text(population_date)
    limit = format_number(POPULATION_LIMIT)
    if population is None:
        population_ok = False
        reasons.append(
            f"Folketallet er ukjent, så grensen på under {limit} innbyggere kan ikke kontrolleres."
        )
    elif population < POPULATION_LIMIT:
        population_ok = True
        reasons.append(f"Folketallet er {format_number(population)}{when} (SSB), under grensen på {limit}.")
    else:
        population_ok = False
        reasons.append(
            f"Folketallet er {format_number(population)}{when} (SSB), ikke under grensen på {limit}."
        )
    return Eligibility(county_ok and population_ok, reasons, county)


def _date_text(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return f" per {long_date(value)}"
    return f" per {value}"


@dataclass(frozen=True)
class CountySelection:
    """How far the selection has come in one county, against the target of 2–3."""

    county: str
    received: int
    in_conversation: int
    selected: int
    not_selected: int
    target_min: int = TARGET_PER_COUNTY[0]
    target_max: int = TARGET_PER_COUNTY[1]

    @property
    def message(self) -> str:
        low, high = self.target_min, self.target_max
        if self.selected < low:
            state = f"mangler {low - self.selected} for å nå målet"
        elif self.selected > high:
            state = f"{self.selected - high} over målet"
        else:
            state = "innenfor målet"
        return f"{self.county}: {self.selected} valgt, målet er {low}–{high} ({state})."


def county_overview(applications: list[dict]) -> list[CountySelection]:
    """Count applications per network county and status (rows need municipality_code, status)."""
    overview = []
    for county in COUNTIES.values():
        rows = [a for a in applications if county_of(a.get("municipality_code")) == county]
        counts = {
            status: sum(1 for a in rows if a.get("status") == status) for status in APPLICATION_STATUSES
        }
        overview.append(
            CountySelection(county, len(rows), counts["samtale"], counts["valgt"], counts["ikke_valgt"])
        )
    return overview


def _network_event(kind: str, start: date, end: date, label: str, description: str) -> CalendarEvent:
    return CalendarEvent(
        start=start,
        end=end,
        kind=kind,
        label=label,
        legal_reference=NETWORK_SOURCE,
        binding=NETWORK,
        is_law=False,
        term=term_label(election_year_of_term(start)),
        expected=False,
        description=description,
    )


def network_calendar(round_years: tuple[int, ...] = (PROJECT_YEARS[0] - 1,)) -> list[CalendarEvent]:
    """The network's own layer for the timeline: application deadline(s) and the project period.

    The dates of the 2–3 yearly gatherings are not known in advance; the project period carries
    them in its description.
    """
    first, last = PROJECT_YEARS
    low, high = GATHERINGS_PER_YEAR
    events = [
        _network_event(
            "network_application_deadline",
            application_deadline(year),
            application_deadline(year),
            f"Søknadsfrist læringsnettverk ({year})",
            "Søknader fra kommuner med under 2 500 innbyggere i Nordland og Trøndelag; "
            "utvelgelse etter søknad og samtale.",
        )
        for year in round_years
    ]
    events.append(
        _network_event(
            "network_period",
            date(first, 1, 1),
            date(last, 12, 31),
            f"Læringsnettverk samfunnsplanlegging {first}–{last}",
            f"{low}–{high} samlinger i året (videomøter og én fysisk samling) og direkte oppfølging, "
            "deretter følgeforskning.",
        )
    )
    return sorted(events, key=lambda e: e.start)
