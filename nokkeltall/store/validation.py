"""Validation of what users enter: a clean record, or Norwegian messages per field.

Every ``clean_*`` function returns ``(record, errors)``: ``record`` holds normalised values
(ISO date strings, ints, bools), ``errors`` maps a field name to a message for the user. The store
writes nothing when ``errors`` is not empty. ``today`` is a parameter so tests can fix the date.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

from nokkeltall.plan import network
from nokkeltall.plan.status import parse_plan_date

EARLIEST_PLAN_YEAR = 1965  # bygningsloven 1965 introduced the generalplan, forerunner of the kommuneplan

PLAN_ENTRY_TYPES = ("samfunnsdel", "arealdel", "planstrategi", "planprogram")
PLAN_ENTRY_STATUSES = ("vedtatt", "på_høring", "under_arbeid")
MILESTONE_PLAN_TYPES = ("planstrategi", "samfunnsdel")
MILESTONE_STATUSES = ("planlagt", "pågår", "ferdig")
APPLICATION_STATUSES = tuple(network.APPLICATION_STATUSES)

REQUIRED = "Feltet må fylles ut."
NAME_REQUIRED = "Skriv inn navnet ditt."
MUNICIPALITY_FORMAT = "Kommunenummeret må ha fire sifre, for eksempel 1835."
MUNICIPALITY_COUNTY = "Kommunen må ligge i Nordland (18xx) eller Trøndelag (50xx)."
DATE_FORMAT = "Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2024-03-20."
PLAN_DATE_FORMAT = "Skriv årstall (ÅÅÅÅ) eller dato (ÅÅÅÅ-MM-DD)."
ADOPTED_REQUIRED = "Oppgi årstall eller dato for vedtaket."
END_BEFORE_START = "Sluttdatoen kan ikke være før startdatoen."
STAFF_PERCENT = "Stillingsandelen må være mellom 0 og 100 %."
STAFF_PERSONS = "Antall personer må være et helt tall, 0 eller flere."
EMAIL = "Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."
FACT_BASE_WHICH = "Skriv hvilken statistikk, hvilke nøkkeltall eller hvilket kunnskapsgrunnlag kommunen har."
SOURCE_REQUIRED = "Oppgi kilde, for eksempel saksnummer, protokoll eller lenke."
FUTURE_DATE = "Datoen kan ikke være fram i tid."
DUPLICATE_APPLICATION = "Kommunen har allerede en søknad i denne runden."

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def year_range_message(first: int, last: int) -> str:
    return f"Årstallet må være mellom {first} og {last}"


def choice_message(choices: tuple[str, ...]) -> str:
    return "Velg en av: " + ", ".join(c.replace("_", " ") for c in choices) + "."


# --- small field readers: value -> (clean value, message or None) ---------------------------


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers are not blank
        return False


def read_text(value: object, required: bool = False, message: str = REQUIRED):
    if is_blank(value):
        return None, (message if required else None)
    return str(value).strip(), None


def read_choice(value: object, choices: tuple[str, ...]):
    text, error = read_text(value, required=True, message=choice_message(choices))
    if error:
        return None, error
    normalised = text.lower().replace(" ", "_")
    return (normalised, None) if normalised in choices else (None, choice_message(choices))


def read_municipality(value: object, network_only: bool = False):
    text, error = read_text(value, required=True, message=MUNICIPALITY_FORMAT)
    if error:
        return None, error
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{int(value):04d}"
    if not re.fullmatch(r"\d{4}", text):
        return None, MUNICIPALITY_FORMAT
    if network_only and network.county_of(text) is None:
        return None, MUNICIPALITY_COUNTY
    return text, None


def read_date(value: object, required: bool = True, first_year: int = EARLIEST_PLAN_YEAR,
              last_year: int | None = None):
    """A full date (``date``, ``datetime``, Timestamp or ``YYYY-MM-DD``) as an ISO string."""
    if is_blank(value):
        return None, (REQUIRED if required else None)
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            return None, DATE_FORMAT
    if last_year is not None and not first_year <= value.year <= last_year:
        return None, year_range_message(first_year, last_year)
    return value.isoformat(), None


def read_year(value: object, first: int, last: int, required: bool = True):
    if is_blank(value):
        return None, (REQUIRED if required else None)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None, year_range_message(first, last)
    if not number.is_integer() or not first <= number <= last:
        return None, year_range_message(first, last)
    return int(number), None


def read_plan_date(value: object, first: int, last: int, required: bool):
    """A year (``YYYY``), month (``YYYY-MM``) or date (``YYYY-MM-DD``) within first..last."""
    if is_blank(value):
        return None, (ADOPTED_REQUIRED if required else None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    try:
        plan_date = parse_plan_date(value)
    except ValueError:
        return None, PLAN_DATE_FORMAT
    if not first <= plan_date.year <= last:
        return None, year_range_message(first, last)
    return plan_date.iso(), None


def read_number(value: object, low: float, high: float | None, message: str,
                integer: bool = False, required: bool = True):
    if is_blank(value):
        return None, (REQUIRED if required else None)
    try:
        number = float(str(value).strip().replace(",", ".").rstrip("%").strip())
    except ValueError:
        return None, message
    if not math.isfinite(number) or abs(number) > 1e15 or number < low or (high is not None and number > high):
        return None, message
    if integer:
        return (int(number), None) if number.is_integer() else (None, message)
    return number, None


def read_bool(value: object):
    if isinstance(value, bool):
        return value, None
    if is_blank(value):
        return False, None
    text = str(value).strip().lower()
    if text in ("1", "true", "ja", "yes"):
        return True, None
    if text in ("0", "false", "nei", "no"):
        return False, None
    return None, "Svar ja eller nei."


def read_email(value: object):
    text, error = read_text(value, required=True)
    if error:
        return None, error
    return (text, None) if _EMAIL.match(text) else (None, EMAIL)


# --- record validators ----------------------------------------------------------------------


def _collect(readers: dict) -> tuple[dict, dict[str, str]]:
    record, errors = {}, {}
    for field, (value, error) in readers.items():
        record[field] = value
        if error:
            errors[field] = error
    return record, errors


def clean_plan_entry(data: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """A plan status fact entered in the app: municipality, plan type, year/date, status, source."""
    today = today or date.today()
    status, status_error = read_choice(data.get("status") or "vedtatt", PLAN_ENTRY_STATUSES)
    record, errors = _collect({
        "municipality_code": read_municipality(data.get("municipality_code")),
        "plan_type": read_choice(data.get("plan_type"), PLAN_ENTRY_TYPES),
        "status": (status, status_error),
        "adopted": read_plan_date(data.get("adopted"), EARLIEST_PLAN_YEAR, today.year + 1,
                                  required=status == "vedtatt"),
        "period": read_text(data.get("period")),
        "source": read_text(data.get("source"), required=True, message=SOURCE_REQUIRED),
        "note": read_text(data.get("note")),
    })
    return record, errors


def clean_milestone(data: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """A milestone of the municipality's own progress plan (framdriftsplan)."""
    today = today or date.today()
    last_year = today.year + 10
    record, errors = _collect({
        "municipality_code": read_municipality(data.get("municipality_code")),
        "plan_type": read_choice(data.get("plan_type"), MILESTONE_PLAN_TYPES),
        "title": read_text(data.get("title"), required=True),
        "start_date": read_date(data.get("start_date"), True, EARLIEST_PLAN_YEAR, last_year),
        "end_date": read_date(data.get("end_date"), False, EARLIEST_PLAN_YEAR, last_year),
        "status": read_choice(data.get("status") or "planlagt", MILESTONE_STATUSES),
        "note": read_text(data.get("note")),
    })
    start, end = record["start_date"], record["end_date"]
    if start and end and end < start:
        errors["end_date"] = END_BEFORE_START
    return record, errors


def clean_application(data: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """An application to the network: the four answers, contact, date received and status."""
    today = today or date.today()
    has_fact_base, fact_error = read_bool(data.get("has_fact_base"))
    record, errors = _collect({
        "municipality_code": read_municipality(data.get("municipality_code"), network_only=True),
        "round_year": read_year(data.get("round_year"), 2000, today.year + 1),
        "samfunnsdel_year": read_year(data.get("samfunnsdel_year"), EARLIEST_PLAN_YEAR,
                                      today.year + 1, required=False),
        "progress_plan": read_text(data.get("progress_plan"), required=True),
        "has_fact_base": (has_fact_base, fact_error),
        "fact_base_description": read_text(data.get("fact_base_description"),
                                           required=bool(has_fact_base), message=FACT_BASE_WHICH),
        "planning_staff_persons": read_number(data.get("planning_staff_persons"), 0, None,
                                              STAFF_PERSONS, integer=True),
        "planning_staff_percent": read_number(data.get("planning_staff_percent"), 0, 100,
                                              STAFF_PERCENT),
        "contact_name": read_text(data.get("contact_name"), required=True),
        "contact_email": read_email(data.get("contact_email")),
        "received_date": read_date(data.get("received_date"), True, 2000, today.year + 1),
        "status": read_choice(data.get("status") or "mottatt", APPLICATION_STATUSES),
        "note": read_text(data.get("note")),
    })
    if record["received_date"] and record["received_date"] > today.isoformat():
        errors["received_date"] = FUTURE_DATE
    return record, errors


def validate_plan_entry(data: dict, today: date | None = None) -> dict[str, str]:
    """Field -> Norwegian message; empty when the plan status entry can be saved."""
    return clean_plan_entry(data, today)[1]


def validate_milestone(data: dict, today: date | None = None) -> dict[str, str]:
    """Field -> Norwegian message; empty when the milestone can be saved."""
    return clean_milestone(data, today)[1]


def validate_application(data: dict, today: date | None = None) -> dict[str, str]:
    """Field -> Norwegian message; empty when the application can be saved."""
    return clean_application(data, today)[1]
