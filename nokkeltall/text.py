"""Norwegian number and date formatting, and sentences written from the data.

Norwegian style: thin groups with a (non-breaking) space, decimal comma, ``12,5 %`` with a
space before the per cent sign, dates as ``1. januar 2026``. A missing value is shown as «–»
with the wording «mangler», never as 0.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13

MISSING = "–"
NBSP = "\u00a0"
MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]


def is_missing(value: Any) -> TypeIs[None]:
    """True for None, NaN/NA and ±inf (a division by 0): a figure that must show as missing.

    For the type checker, a value that is not missing is not None (a NaN float is missing too, so
    where this returns True the value is None *or* a non-finite number)."""
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))  # NaN/NA, and ±inf from a division by 0
    except (TypeError, ValueError):
        return True


def round_half_up(value, decimals: int = 0) -> float:
    """12.345 → 12.35, 2.5 → 3, 1.7385 → 1.739: as people round by hand (and as ``number`` shows it)."""
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def number(value, decimals: int = 0, *, sign: bool = False, space: str = " ") -> str:
    """1234.5 → «1 234,5» (decimals=1); missing → «–»."""
    if is_missing(value):
        return MISSING
    # Round half away from zero on the shortest decimal form (12.345 → 12,35; 2.5 → 3), as
    # people round by hand; float formatting alone would give 12,34 and 2 (half to even).
    value = round_half_up(value, decimals)
    text = f"{abs(value):,.{decimals}f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", space)
    if value < 0 and text.strip("0, " + space) != "":
        text = "−" + text
    elif sign and value > 0:
        text = "+" + text
    return text


def percent(value, decimals: int = 1, *, sign: bool = False) -> str:
    """12.5 → «12,5 %»."""
    return MISSING if is_missing(value) else f"{number(value, decimals, sign=sign)} %"


def kroner(value) -> str:
    return MISSING if is_missing(value) else f"{number(value, 0)} kr"


def formatted(value, unit: str, decimals: int = 0) -> str:
    """A value with its unit as the catalogue names it."""
    if is_missing(value):
        return MISSING
    if unit.startswith("%"):
        return percent(value, decimals)
    if unit == "kr":
        return kroner(value)
    if unit == "personer":
        return number(value, 0)
    if unit == "år":
        return f"{number(value, decimals)} år"
    return number(value, decimals)


def long_date(day: date) -> str:
    """date(2026, 1, 1) → «1. januar 2026»."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def local_time(timestamp) -> str:
    """An ISO timestamp (stored in UTC) as Norwegian local time: «26. november 2026 kl. 09.58»."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if timestamp is None or str(timestamp).strip() == "":
        return MISSING
    moment = datetime.fromisoformat(str(timestamp).strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(ZoneInfo("Europe/Oslo"))
    return f"{long_date(local.date())} kl. {local.hour:02d}.{local.minute:02d}"


def population_date(year: int) -> str:
    """Population is counted on 1 January: 2026 → «1. januar 2026»."""
    return long_date(date(int(year), 1, 1))


def change_sentence(subject: str, place: str, start_year: int, end_year: int, start, end) -> str | None:
    """«Folketallet i Træna gikk ned med 7,3 % fra 2016 til 2026.» — None when a value is missing.

    The verb follows the direction and size of the change; changes that round to 0,0 % are
    «uendret», so the sentence never claims more than the numbers support.
    """
    if is_missing(start) or is_missing(end) or float(start) == 0:
        return None
    change = (float(end) / float(start) - 1) * 100
    return change_sentence_pct(subject, place, start_year, end_year, change)


def change_sentence_pct(subject: str, place: str, start_year: int, end_year: int, change) -> str | None:
    if is_missing(change):
        return None
    period = f"fra {start_year} til {end_year}"
    if round(abs(change), 1) == 0:
        return f"{subject} i {place} var uendret {period}."
    if abs(change) < 0.5:
        return f"{subject} i {place} var nesten uendret {period} ({percent(change, 1, sign=True)})."
    verb = "økte" if change > 0 else "gikk ned"
    return f"{subject} i {place} {verb} med {percent(abs(change), 1)} {period}."


def aggregate_change_sentence(region: str, change) -> str | None:
    """«I Nordland som helhet økte det med 1,1 %.»"""
    if is_missing(change):
        return None
    if round(abs(change), 1) == 0:
        return f"I {region} som helhet var det uendret."
    verb = "økte det" if change > 0 else "gikk det ned"
    return f"I {region} som helhet {verb} med {percent(abs(change), 1)}."


def period(value) -> str:
    """A plan period as sources write it, «2024-2036», in Norwegian typography: «2024–2036»."""
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or str(value).strip() in ("", "<NA>", "nan")
    ):
        return MISSING
    return re.sub(r"^(\d{4})\s*-\s*(\d{4})$", r"\1–\2", str(value).strip())


def iso_date(value) -> str | None:
    """An ISO date or timestamp as «21. mai 2025»; None when missing; other text as it is."""
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or str(value).strip() in ("", "<NA>", "NaT")
    ):
        return None
    try:
        return long_date(date.fromisoformat(str(value).strip()[:10]))
    except ValueError:
        return str(value)


# --- text helpers ------------------------------------------------------------------------------


def display_name(official_name: str) -> str:
    """«Raarvihke - Røyrvik» → «Raarvihke – Røyrvik» (an en dash between the names)."""
    return str(official_name).replace(" - ", " – ")


def year_span(years: list[int]) -> str:
    """[2005, 2006, 2007, 2010] → «2005–2007, 2010»."""
    parts, start, previous = [], years[0], years[0]
    for year in years[1:] + [None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        parts.append(str(start) if start == previous else f"{start}–{previous}")
        if year is not None:
            start = previous = year
    return ", ".join(parts)
