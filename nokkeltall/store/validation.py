"""Validation of what users enter: a clean record, or Norwegian messages per field.

Every ``clean_*`` function returns ``(record, errors)``: ``record`` holds normalised values
(ISO date strings, ints, bools), ``errors`` maps a field name to a message for the user. The store
writes nothing when ``errors`` is not empty. ``today`` is a parameter so tests can fix the date.

This is the one cleaning path for everything that enters: the forms, the data editor, a JSON
restore, spreadsheet imports (``datasets.Dataset``) and decks. ``clean_text`` removes control
characters (NUL, vertical tab → line break, …), bidi overrides and other characters Word's XML
cannot hold; ``read_text`` also bounds the length.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

import pandas as pd

from nokkeltall import text as norwegian
from nokkeltall.cleaning import clean_text
from nokkeltall.plan import network
from nokkeltall.plan.status import parse_plan_date
from nokkeltall.projection.data import ProjectionError
from nokkeltall.projection.scenario import parse as parse_scenario

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
EMPTY_IMPORT = "Filen har ingen søknader (ingen rader under overskriftene)."


def duplicate_row_message(first_row: int) -> str:
    return f"Kommunen og runden står også i rad {first_row}, med andre svar. Fjern en av radene."


NOT_TEXT = "Feltet må være tekst, ikke en liste eller et oppslag."

NAME_LIMIT = 100  # «Ditt navn», contact names
LINE_LIMIT = 300  # one-line fields: titles, sources, periods, e-mail addresses
TEXT_LIMIT = 5_000  # notes and answers of several lines

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_CONTAINERS = (dict, list, tuple, set, bytes, bytearray)


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


def too_long_message(limit: int) -> str:
    return f"Teksten er for lang (høyst {norwegian.number(limit)} tegn)."


def read_text(
    value: object,
    required: bool = False,
    message: str = REQUIRED,
    limit: int = LINE_LIMIT,
    multiline: bool = False,
):
    """Cleaned, stripped text of at most ``limit`` characters (None when blank)."""
    if isinstance(value, _CONTAINERS):
        return None, NOT_TEXT
    if is_blank(value):
        return None, (message if required else None)
    text = clean_text(value, multiline).strip()
    if not text:
        return None, (message if required else None)
    if len(text) > limit:
        return None, too_long_message(limit)
    return text, None


def read_name(value: object):
    """«Ditt navn»: the name written in the change log."""
    return read_text(value, required=True, message=NAME_REQUIRED, limit=NAME_LIMIT)


def read_choice(value: object, choices: tuple[str, ...]):
    text, error = read_text(value, required=True, message=choice_message(choices))
    if error:
        return None, choice_message(choices)
    normalised = text.lower().replace(" ", "_")
    return (normalised, None) if normalised in choices else (None, choice_message(choices))


def read_municipality(value: object, network_only: bool = False):
    if isinstance(value, (*_CONTAINERS, bool)) or is_blank(value):
        return None, MUNICIPALITY_FORMAT
    text = str(value).strip()  # not cleaned: a number with hidden characters in it is refused
    if isinstance(value, float) and not value.is_integer():  # also inf
        return None, MUNICIPALITY_FORMAT
    if isinstance(value, (int, float)):
        text = f"{int(value):04d}"
    if not re.fullmatch(r"\d{4}", text):
        return None, MUNICIPALITY_FORMAT
    if network_only and network.county_of(text) is None:
        return None, MUNICIPALITY_COUNTY
    return text, None


def read_date(
    value: object, required: bool = True, first_year: int = EARLIEST_PLAN_YEAR, last_year: int | None = None
):
    """A full date (``date``, ``datetime``, Timestamp or ``YYYY-MM-DD``) as an ISO string."""
    if isinstance(value, _CONTAINERS):
        return None, DATE_FORMAT
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
    if isinstance(value, (*_CONTAINERS, bool)):
        return None, year_range_message(first, last)
    if is_blank(value):
        return None, (REQUIRED if required else None)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        given = str(value).strip()[:40]
        return None, f"«{given}» er ikke et årstall. Skriv fire sifre, for eksempel {last - 1}."
    if not number.is_integer() or not first <= number <= last:
        return None, year_range_message(first, last)
    return int(number), None


def read_plan_date(value: object, first: int, last: int, required: bool):
    """A year (``YYYY``), month (``YYYY-MM``) or date (``YYYY-MM-DD``) within first..last."""
    if isinstance(value, _CONTAINERS):
        return None, PLAN_DATE_FORMAT
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
    if plan_date is None:  # only blanks, answered above
        return None, (ADOPTED_REQUIRED if required else None)
    if not first <= plan_date.year <= last:
        return None, year_range_message(first, last)
    return plan_date.iso(), None


def read_number(
    value: object, low: float, high: float | None, message: str, integer: bool = False, required: bool = True
):
    if isinstance(value, (*_CONTAINERS, bool)):
        return None, message
    if is_blank(value):
        return None, (REQUIRED if required else None)
    try:
        number = float(str(value).strip().replace(",", ".").rstrip("%").strip())
    except ValueError:
        return None, message
    if (
        not math.isfinite(number)
        or abs(number) > 1e15
        or number < low
        or (high is not None and number > high)
    ):
        return None, message
    if integer:
        return (int(number), None) if number.is_integer() else (None, message)
    return number, None


def read_bool(value: object):
    if isinstance(value, bool):
        return value, None
    if isinstance(value, _CONTAINERS):
        return None, "Svar ja eller nei."
    if is_blank(value):
        return False, None
    text = str(value).strip().lower()
    if text in ("1", "true", "ja", "yes"):
        return True, None
    if text in ("0", "false", "nei", "no"):
        return False, None
    return None, "Svar ja eller nei."


def read_email(value: object, required: bool = True):
    text, error = read_text(value, required=required, limit=254)
    if error or text is None:
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
    record, errors = _collect(
        {
            "municipality_code": read_municipality(data.get("municipality_code")),
            "plan_type": read_choice(data.get("plan_type"), PLAN_ENTRY_TYPES),
            "status": (status, status_error),
            "adopted": read_plan_date(
                data.get("adopted"), EARLIEST_PLAN_YEAR, today.year + 1, required=status == "vedtatt"
            ),
            "period": read_text(data.get("period")),
            "source": read_text(data.get("source"), required=True, message=SOURCE_REQUIRED),
            "note": read_text(data.get("note"), limit=TEXT_LIMIT, multiline=True),
        }
    )
    return record, errors


def clean_milestone(data: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """A milestone of the municipality's own progress plan (framdriftsplan)."""
    today = today or date.today()
    last_year = today.year + 10
    record, errors = _collect(
        {
            "municipality_code": read_municipality(data.get("municipality_code")),
            "plan_type": read_choice(data.get("plan_type"), MILESTONE_PLAN_TYPES),
            "title": read_text(data.get("title"), required=True, limit=200),
            "start_date": read_date(data.get("start_date"), True, EARLIEST_PLAN_YEAR, last_year),
            "end_date": read_date(data.get("end_date"), False, EARLIEST_PLAN_YEAR, last_year),
            "status": read_choice(data.get("status") or "planlagt", MILESTONE_STATUSES),
            "note": read_text(data.get("note"), limit=TEXT_LIMIT, multiline=True),
        }
    )
    start, end = record["start_date"], record["end_date"]
    if start and end and end < start:
        errors["end_date"] = END_BEFORE_START
    return record, errors


# --- the four answers of an application: each given, or explicitly «ikke oppgitt» --------------

ANSWERS = ("samfunnsdel", "progress_plan", "fact_base", "staff")
ANSWER_FIELDS = {
    "samfunnsdel": ("samfunnsdel_answer", "samfunnsdel_year"),
    "progress_plan": ("progress_plan",),
    "fact_base": ("has_fact_base", "fact_base_description"),
    "staff": ("planning_staff_persons", "planning_staff_percent", "planning_staff_text"),
}
SAMFUNNSDEL_ANSWERS = ("år", "ingen", "ikke_oppgitt")
NOT_GIVEN = "ikke_oppgitt"
ANSWER_REQUIRED = "Svar på spørsmålet, eller kryss av for «ikke oppgitt»."
SAMFUNNSDEL_CHOICE = (
    "Skriv årstallet, «ingen» (kommunen har ingen gjeldende samfunnsdel) eller «ikke oppgitt»."
)
BOTH_GIVEN = "Du har både skrevet et svar og krysset av for «ikke oppgitt». Velg ett av dem."
STAFF_MISMATCH = "Antall personer og stillingsandel passer ikke sammen: 0 personer gir 0 %, og omvendt."
STAFF_REQUIRED = (
    "Oppgi antall personer og stillingsandel (eller svaret som tekst), eller kryss av for «ikke oppgitt»."
)
STAFF_PERSONS_MAX = 100
_NONE_WORDS = ("ingen", "nei", "har ikke", "finnes ikke", "ingen gjeldende")
_NOT_GIVEN_WORDS = ("ikke oppgitt", "ikke_oppgitt", "ikke besvart", "ukjent", "vet ikke")


def _words(value: object) -> str:
    return "" if is_blank(value) else " ".join(str(value).strip().lower().rstrip(".").split())


def read_samfunnsdel(data: dict, not_given: set, last_year: int):
    """Answer 1 → ((answer, year), error): a year, «ingen» or «ikke oppgitt», never a guess."""
    answer, year = data.get("samfunnsdel_answer"), data.get("samfunnsdel_year")
    words = _words(year)
    if "samfunnsdel" in not_given or answer == NOT_GIVEN or words in _NOT_GIVEN_WORDS:
        return (NOT_GIVEN, None), (BOTH_GIVEN if words and words not in _NOT_GIVEN_WORDS else None)
    if answer == "ingen" or words in _NONE_WORDS:
        return ("ingen", None), None
    if answer not in (None, "", "år"):
        return (None, None), SAMFUNNSDEL_CHOICE
    if is_blank(year):
        return (None, None), SAMFUNNSDEL_CHOICE
    number, error = read_year(year, EARLIEST_PLAN_YEAR, last_year)
    return ("år", number), error


def read_answer_text(value: object, key: str, not_given: set):
    """A free-text answer (the progress plan): text, or None when marked «ikke oppgitt»."""
    if key in not_given:
        return None, (BOTH_GIVEN if not is_blank(value) else None)
    return read_text(value, required=True, message=ANSWER_REQUIRED, limit=TEXT_LIMIT, multiline=True)


def read_fact_base(data: dict, not_given: set):
    """Answer 3 → ((has_fact_base, description), error). ``has_fact_base`` is None when the answer
    is only in words (neither yes nor no) or not given; a «ja» needs the description."""
    flag = data.get("has_fact_base")
    description, description_error = read_text(
        data.get("fact_base_description"), limit=TEXT_LIMIT, multiline=True
    )
    if description_error:
        return (None, None), description_error
    if "fact_base" in not_given:
        given = description or (not is_blank(flag) and flag is not None)
        return (None, None), (BOTH_GIVEN if given else None)
    if is_blank(flag):
        return (None, description), (None if description else ANSWER_REQUIRED)
    value, error = read_bool(flag)
    if error:
        return (None, description), error
    if value and not description:
        return (True, None), FACT_BASE_WHICH
    return (value, description), None


def read_staff(data: dict, not_given: set):
    """Answer 4 → ((persons, percent, text), error): figures that fit together, or the answer as text."""
    persons_in, percent_in = data.get("planning_staff_persons"), data.get("planning_staff_percent")
    words, words_error = read_text(data.get("planning_staff_text"))
    if words_error:
        return (None, None, None), {"planning_staff_text": words_error}
    if "staff" in not_given:
        given = words or not is_blank(persons_in) or not is_blank(percent_in)
        return (None, None, None), ({"planning_staff_percent": BOTH_GIVEN} if given else {})
    if is_blank(persons_in) and is_blank(percent_in):
        return (None, None, words), ({} if words else {"planning_staff_percent": STAFF_REQUIRED})
    persons, persons_error = read_number(persons_in, 0, STAFF_PERSONS_MAX, STAFF_PERSONS, integer=True)
    percent, percent_error = read_number(percent_in, 0, 100, STAFF_PERCENT)
    errors = {"planning_staff_persons": persons_error, "planning_staff_percent": percent_error}
    if not persons_error and not percent_error and (persons == 0) != (percent == 0):
        errors["planning_staff_percent"] = STAFF_MISMATCH
    return (persons, percent, words), {k: v for k, v in errors.items() if v}


def not_given_of(row: dict) -> set[str]:
    """The answers a stored application has as «ikke oppgitt»."""
    marked = set()
    if row.get("samfunnsdel_answer") == NOT_GIVEN:
        marked.add("samfunnsdel")
    if is_blank(row.get("progress_plan")):
        marked.add("progress_plan")
    if row.get("has_fact_base") is None and is_blank(row.get("fact_base_description")):
        marked.add("fact_base")
    if all(is_blank(row.get(f)) for f in ANSWER_FIELDS["staff"]):
        marked.add("staff")
    return marked


def _not_given(data: dict) -> set[str]:
    value = data.get("not_given") or ()
    return {value} if isinstance(value, str) else set(value)


def clean_application(data: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """An application to the network: the four answers, contact, date received and status.

    Each answer must be given or listed in ``data["not_given"]`` (``ANSWERS``): nothing is
    filled in for the user, so a skipped field is an error, never a silent «nei» or 0.
    """
    today = today or date.today()
    not_given = _not_given(data)
    (samfunnsdel, year), samfunnsdel_error = read_samfunnsdel(data, not_given, today.year + 1)
    (has_fact_base, description), fact_error = read_fact_base(data, not_given)
    description_errors = (FACT_BASE_WHICH, too_long_message(TEXT_LIMIT), NOT_TEXT)
    (persons, percent, staff_text), staff_errors = read_staff(data, not_given)
    record, errors = _collect(
        {
            "municipality_code": read_municipality(data.get("municipality_code"), network_only=True),
            "round_year": read_year(data.get("round_year"), 2000, today.year + 1),
            "samfunnsdel_answer": (samfunnsdel, None),
            "samfunnsdel_year": (year, samfunnsdel_error),
            "progress_plan": read_answer_text(data.get("progress_plan"), "progress_plan", not_given),
            "has_fact_base": (has_fact_base, None if fact_error in description_errors else fact_error),
            "fact_base_description": (description, fact_error if fact_error in description_errors else None),
            "planning_staff_persons": (persons, None),
            "planning_staff_percent": (percent, None),
            "planning_staff_text": (staff_text, None),
            "contact_name": read_text(data.get("contact_name"), required=True, limit=NAME_LIMIT),
            "contact_email": read_email(data.get("contact_email"), required=False),
            "received_date": read_date(data.get("received_date"), True, 2000, today.year + 1),
            "status": read_choice(data.get("status") or "mottatt", APPLICATION_STATUSES),
            "note": read_text(data.get("note"), limit=TEXT_LIMIT, multiline=True),
        }
    )
    errors.update(staff_errors)
    if record["received_date"] and record["received_date"] > today.isoformat():
        errors["received_date"] = FUTURE_DATE
    return record, errors


ASSESSMENTS = network.ASSESSMENTS


def clean_assessment_columns(row: dict) -> tuple[dict, dict[str, str]]:
    """The adviser's columns of an application row from a backup: note, assessment, who and when."""
    record, errors = clean_assessment(row)
    stamped, stamp_errors = _collect(
        {
            "assessed_by": read_text(row.get("assessed_by"), limit=NAME_LIMIT),
            "assessed_at": read_text(row.get("assessed_at")),
        }
    )
    return {**record, **stamped}, {**errors, **stamp_errors}


def clean_assessment(data: dict) -> tuple[dict, dict[str, str]]:
    """The adviser's own note and assessment of an applicant (blank assessment: not assessed yet)."""
    blank = is_blank(data.get("assessment"))
    assessment = None if blank else read_choice(data["assessment"], tuple(ASSESSMENTS))
    return _collect(
        {
            "adviser_note": read_text(data.get("adviser_note"), limit=TEXT_LIMIT, multiline=True),
            "assessment": assessment or (None, None),
        }
    )


def validate_plan_entry(data: dict, today: date | None = None) -> dict[str, str]:
    """Field -> Norwegian message; empty when the plan status entry can be saved."""
    return clean_plan_entry(data, today)[1]


def validate_milestone(data: dict, today: date | None = None) -> dict[str, str]:
    """Field -> Norwegian message; empty when the milestone can be saved."""
    return clean_milestone(data, today)[1]


def validate_application(data: dict, today: date | None = None) -> dict[str, str]:
    """Field -> Norwegian message; empty when the application can be saved."""
    return clean_application(data, today)[1]


# --- decks ----------------------------------------------------------------------------------

DECK_NAME_LIMIT = 80
DECK_SLIDE_LIMIT = 60
DECK_NAME_REQUIRED = "Gi settet et navn."
DECK_NO_SLIDES = "Settet har ingen lysbilder."
DECK_BAD_SLIDES = "Lysbildene i settet har feil form."


def _clean_slide(item: object) -> dict | None:
    """One slide {indicator_id, codes, view, base_year}, or None when it has the wrong shape."""
    if not isinstance(item, dict):
        return None
    indicator_id, id_error = read_text(item.get("indicator_id"), required=True, limit=80)
    view, view_error = read_text(item.get("view"), required=True, limit=40)
    codes = item.get("codes")
    base_year, year_error = read_year(item.get("base_year"), 1900, 2100, required=False)
    if id_error or view_error or year_error or not isinstance(codes, (list, tuple)) or len(codes) > 50:
        return None
    if not all(isinstance(code, str) and re.fullmatch(r"\d{4}", code) for code in codes):
        return None
    return {"indicator_id": indicator_id, "codes": list(codes), "view": view, "base_year": base_year}


def clean_deck(data: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """A saved deck: a name and its slides (what ``decks.Deck.to_list`` gives)."""
    name, name_error = read_text(
        data.get("name"), required=True, message=DECK_NAME_REQUIRED, limit=DECK_NAME_LIMIT
    )
    errors = {"name": name_error} if name_error else {}
    slides = data.get("slides")
    cleaned = [_clean_slide(item) for item in slides] if isinstance(slides, list) else [None]
    if isinstance(slides, list) and not slides:
        errors["slides"] = DECK_NO_SLIDES
    elif None in cleaned or len(cleaned) > DECK_SLIDE_LIMIT:
        errors["slides"] = DECK_BAD_SLIDES
    return {"name": name, "slides": cleaned}, errors


# --- rows of a JSON backup: the audit columns and the change log ----------------------------

ID_MESSAGE = "Må være et helt tall, 1 eller større."
TIMESTAMP_MESSAGE = "Må være et tidspunkt (ÅÅÅÅ-MM-DDTtt:mm:ss)."
CHANGE_ACTIONS = ("opprettet", "endret", "slettet")
CHANGE_TABLES = ("plan_status_entries", "milestones", "applications", "decks")
JSON_TEXT_MESSAGE = "Må være JSON-tekst (eller tom)."


def read_id(value: object):
    """A row id or version: a whole number ≥ 1 (not a bool, not a float with decimals)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        return None, ID_MESSAGE
    return (int(value), None) if 1 <= value < 2**63 else (None, ID_MESSAGE)


def read_timestamp(value: object):
    if not isinstance(value, str) or len(value) > 40:
        return None, TIMESTAMP_MESSAGE
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return None, TIMESTAMP_MESSAGE
    return value, None


def read_json_text(value: object):
    """The change log's old/new values: JSON text (of an object) or None."""
    if value is None:
        return None, None
    if not isinstance(value, str) or len(value) > 1_000_000:
        return None, JSON_TEXT_MESSAGE
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        return None, JSON_TEXT_MESSAGE
    return (value, None) if isinstance(parsed, dict) else (None, JSON_TEXT_MESSAGE)


def clean_audit(row: dict) -> tuple[dict, dict[str, str]]:
    """id, entered_by/at, updated_by/at and version of an editable row from a backup."""
    return _collect(
        {
            "id": read_id(row.get("id")),
            "entered_by": read_name(row.get("entered_by")),
            "entered_at": read_timestamp(row.get("entered_at")),
            "updated_by": read_name(row.get("updated_by")),
            "updated_at": read_timestamp(row.get("updated_at")),
            "version": read_id(row.get("version")),
        }
    )


def clean_change(row: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """One change log row from a backup."""
    return _collect(
        {
            "id": read_id(row.get("id")),
            "changed_at": read_timestamp(row.get("changed_at")),
            "changed_by": read_name(row.get("changed_by")),
            "table_name": read_choice(row.get("table_name"), CHANGE_TABLES),
            "row_id": read_id(row.get("row_id")),
            "action": read_choice(row.get("action"), CHANGE_ACTIONS),
            "old_values": read_json_text(row.get("old_values")),
            "new_values": read_json_text(row.get("new_values")),
        }
    )


def clean_saved_deck(row: dict) -> tuple[dict, dict[str, str]]:
    """A deck row from a backup: ``slides`` is JSON text there; id, version, saved_by/at as stored."""
    slides = row.get("slides")
    if isinstance(slides, str) and len(slides) <= 1_000_000:
        try:
            slides = json.loads(slides)
        except (ValueError, RecursionError):
            slides = None
    record, errors = clean_deck({"name": row.get("name"), "slides": slides})
    saved_by, by_error = read_text(row.get("saved_by"), limit=NAME_LIMIT)
    extra, extra_errors = _collect(
        {
            "id": read_id(row.get("id")),
            "version": read_id(row.get("version")),
            "saved_at": read_timestamp(row.get("saved_at")),
            "saved_by": (saved_by or "", by_error),
        }
    )
    return {**record, **extra}, {**errors, **extra_errors}


# --- saved projection scenarios -------------------------------------------------------------------

SCENARIO_NAME_LIMIT = 80
SCENARIO_NAME_REQUIRED = "Gi scenarioet et navn."
SCENARIO_MAIN = "Hovedalternativet trenger ikke lagres: velg en endring først."
SCENARIO_TEXT_LIMIT = 300


def clean_scenario(data: dict) -> tuple[dict, dict[str, str]]:
    """A saved projection scenario: a name and its text (``netto=+5:20-39,fødsler=-10``), written the
    one way ``projection.scenario`` writes it; an unreadable or absurd scenario gets its Norwegian reason."""
    name, name_error = read_text(
        data.get("name"), required=True, message=SCENARIO_NAME_REQUIRED, limit=SCENARIO_NAME_LIMIT
    )
    errors = {"name": name_error} if name_error else {}
    given, text_error = read_text(data.get("scenario"), required=True, limit=SCENARIO_TEXT_LIMIT)
    scenario = None
    if text_error:
        errors["scenario"] = text_error
    else:
        try:
            scenario = parse_scenario(given).text()
        except ProjectionError as error:
            errors["scenario"] = str(error)
        else:
            if not scenario:
                errors["scenario"] = SCENARIO_MAIN
    return {"name": name, "scenario": scenario}, errors


def clean_saved_scenario(row: dict) -> tuple[dict, dict[str, str]]:
    """A scenario row from a backup: name and scenario as in the form; id, saved_by/at as stored."""
    record, errors = clean_scenario(row)
    saved_by, by_error = read_text(row.get("saved_by"), limit=NAME_LIMIT)
    extra, extra_errors = _collect(
        {
            "id": read_id(row.get("id")),
            "saved_at": read_timestamp(row.get("saved_at")),
            "saved_by": (saved_by or "", by_error),
        }
    )
    return {**record, **extra}, {**errors, **extra_errors}
