"""The rules for figure titles (the finding sentence) and y-axes, in one place: the app's charts, the
comparison views and slides, and the documents all write their titles here.

1. **Flows over periods.** Yearly flows that swing from year to year (births minus deaths, net
   migration, sales counts: ``FLOWS``) are described by sums over periods — the last ten years
   against the ten before, and in the subtitle the last five against the five before — never by two
   single years.
2. **The title's period is the chart's period.** A builder cuts its data to the years its title
   names (``period_years``), so the x-axis starts and ends where the sentence does.
3. **Index charts state their base.** The base year is the first year of the title's period
   («Indeks 2016 = 100»), so the «samme periode» figures are what the lines show at the end.
4. **«om lag uendret».** A change is called «om lag uendret» when it is smaller than the series' own
   noise — the median size of its year-to-year changes (at least four years of data) — or, with fewer
   years, smaller than ``RELATIVE_NOISE`` of the level; values that look the same when rounded are
   «uendret». For period sums of a flow the noise is the yearly spread times √(2n) (the spread of a
   difference of two n-year sums); a difference within it is called «innenfor de vanlige svingningene
   fra år til år» rather than «om lag uendret», since a flow that turns from +28 to −23 has not stayed
   the same.
5. **Y-axes.** Counts, shares and kroner that are never negative start at zero. Everything else
   (indices, results that can be negative) shows a meaningful range: the data, zero when the values
   cross it, and at least ``MIN_RELATIVE_SPAN`` of the level, so that a change of 0,4 % does not fill
   the axis (``y_range``).
6. **Late reference lines.** A county or country line that starts after the municipality's says why
   (``late_start_note``): a sum is drawn only for years in which every municipality has a figure.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping

from nokkeltall import text

FLOWS = frozenset({"natural_increase", "net_migration", "holiday_property_transfers"})
PERIOD_YEARS = 10  # a title compares the last ten years with the ten before
SHORT_PERIOD_YEARS = 5
RELATIVE_NOISE = 0.01  # with fewer than four years: a change under 1 % of the level is «om lag uendret»
MIN_RELATIVE_SPAN = 0.10  # a y-axis that does not start at zero spans at least 10 % of the level
ZERO_BASED_UNITS = ("personer", "%", "kr", "antall", "husholdninger")
UNCHANGED = "om lag uendret"
WITHIN_NOISE = "en forskjell innenfor de vanlige svingningene fra år til år"


def period(start: int, end: int) -> str:
    """2016, 2025 → «2016–2025» (an en dash); one year → «2025»."""
    return str(start) if start == end else f"{start}–{end}"


# --- noise and «om lag uendret» -------------------------------------------------------------------


def yearly_noise(values: list[float]) -> float | None:
    """The median absolute year-to-year change of a series (None with fewer than four values)."""
    known = [float(v) for v in values if not text.is_missing(v)]
    if len(known) < 4:
        return None
    return statistics.median(abs(b - a) for a, b in itertools.pairwise(known))


def about_unchanged(start, end, values: list[float] | None = None, decimals: int = 0) -> bool:
    """Whether the change from ``start`` to ``end`` is within the series' own noise or its rounding."""
    if text.is_missing(start) or text.is_missing(end):
        return False
    if round(float(start), decimals) == round(float(end), decimals):
        return True
    change = abs(float(end) - float(start))
    noise = yearly_noise(values or [])
    if noise is not None:
        return change < noise
    level = max(abs(float(start)), abs(float(end)))
    return level > 0 and change / level < RELATIVE_NOISE


def level_title(
    label: str,
    place: str,
    start_year,
    start,
    end_year,
    end,
    unit: str,
    decimals: int,
    values: list[float] | None = None,
) -> str:
    """«Andelen 67 år og eldre i Træna økte fra 18,2 % i 2016 til 24,1 % i 2026.»

    The years are the first and last of the chart; a change within the noise is «om lag uendret».
    """
    end_text = text.formatted(end, unit, decimals)
    if start_year is None or text.is_missing(start) or start_year == end_year:
        return f"{label} i {place} var {end_text} i {end_year}."
    start_text = text.formatted(start, unit, decimals)
    if start_text == end_text:
        return f"{label} i {place} var {end_text} både i {start_year} og {end_year}."
    if about_unchanged(start, end, values, decimals):
        return f"{label} i {place} var {UNCHANGED}: {start_text} i {start_year} og {end_text} i {end_year}."
    verb = "økte" if float(end) > float(start) else "gikk ned"
    return f"{label} i {place} {verb} fra {start_text} i {start_year} til {end_text} i {end_year}."


# --- flows --------------------------------------------------------------------------------------


def flow_periods(
    years: list[int], length: int = PERIOD_YEARS
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The last ``length`` years with data and the ``length`` before: ((2006, 2015), (2016, 2025))."""
    if not years:
        return None
    end = max(years)
    recent = (end - length + 1, end)
    before = (end - 2 * length + 1, end - length)
    wanted = set(range(before[0], recent[1] + 1))
    return (before, recent) if wanted <= set(years) else None


def period_sum(by_year: dict[int, float], years: tuple[int, int]) -> float:
    return sum(float(by_year[y]) for y in range(years[0], years[1] + 1))


def flow_change(by_year: dict[int, float], length: int) -> dict | None:
    """The sums of the last ``length`` years and the ``length`` before, and whether they differ."""
    periods = flow_periods(sorted(by_year), length)
    if periods is None:
        return None
    before, recent = periods
    first, second = period_sum(by_year, before), period_sum(by_year, recent)
    yearly = [float(by_year[y]) for y in range(before[0], recent[1] + 1)]
    spread = statistics.pstdev(yearly) if len(yearly) > 1 else 0.0
    noise = spread * math.sqrt(2 * length)
    return {
        "before": before,
        "recent": recent,
        "before_sum": first,
        "recent_sum": second,
        "unchanged": abs(second - first) <= noise or round(first) == round(second),
    }


def flow_title(label: str, place: str, by_year: dict[int, float]) -> tuple[str, str | None, tuple[int, int]]:
    """The title, a subtitle and the period the chart should show, for a yearly flow.

    «Fødselsoverskudd i Træna: −23 i alt i 2016–2025 mot −40 i 2006–2015.» With fewer than twenty
    years of data, five against five; with fewer than ten, the sum over the years there are.
    """
    years = sorted(y for y, v in by_year.items() if not text.is_missing(v))
    by_year = {y: by_year[y] for y in years}
    for length in (PERIOD_YEARS, SHORT_PERIOD_YEARS):
        change = flow_change(by_year, length)
        if change is not None:
            break
    else:
        total = sum(by_year.values())
        shown = period(years[0], years[-1])
        return (
            f"{label} i {place}: {text.number(total, sign=True)} i alt i {shown}.",
            None,
            (years[0], years[-1]),
        )
    sentence = _flow_sentence(label, place, change)
    subtitle = None
    if change["recent"][1] - change["recent"][0] + 1 == PERIOD_YEARS:
        short = flow_change(by_year, SHORT_PERIOD_YEARS)
        if short is not None:
            subtitle = (
                f"Siste fem år ({period(*short['recent'])}): {text.number(short['recent_sum'], sign=True)}"
                f" i alt, mot {text.number(short['before_sum'], sign=True)} i {period(*short['before'])}"
                f"{f', {WITHIN_NOISE}' if short['unchanged'] else ''}."
            )
    return sentence, subtitle, (change["before"][0], change["recent"][1])


def _flow_sentence(label: str, place: str, change: dict) -> str:
    recent = f"{text.number(change['recent_sum'], sign=True)} i alt i {period(*change['recent'])}"
    before = f"{text.number(change['before_sum'], sign=True)} i {period(*change['before'])}"
    if change["unchanged"]:
        return f"{label} i {place}: {recent} mot {before}, {WITHIN_NOISE}."
    return f"{label} i {place}: {recent} mot {before}."


# --- axes and reference lines -------------------------------------------------------------------


def zero_based(unit: str, values: list[float]) -> bool:
    """Rule 5: never-negative counts, shares and kroner start at zero."""
    known = [float(v) for v in values if not text.is_missing(v)]
    return unit.startswith(ZERO_BASED_UNITS) and all(v >= 0 for v in known)


def y_range(values: list[float], unit: str) -> list[float] | None:
    """The y-axis range for ``values`` (None: let Plotly choose, from zero for zero-based units)."""
    known = [float(v) for v in values if not text.is_missing(v)]
    if not known:
        return None
    low, high = min(known), max(known)
    if zero_based(unit, known):
        return [0.0, high * 1.08 if high > 0 else 1.0]
    if low < 0 < high:
        low, high = min(low, 0.0), max(high, 0.0)
    level = max(abs(low), abs(high))
    span = max(high - low, MIN_RELATIVE_SPAN * level)
    middle = (low + high) / 2
    pad = span * 0.1
    return [middle - span / 2 - pad, middle + span / 2 + pad]


def late_start_note(lines: Mapping[str, int | None], first_year: int) -> str | None:
    """«Trøndelag vises fra 2012 og hele landet fra 2017: …» for reference lines starting late (a line
    without any year, None, is not named)."""
    late = [(name, year) for name, year in lines.items() if year is not None and year > first_year]
    if not late:
        return None
    parts = [f"{name} {'vises ' if i == 0 else ''}fra {year}" for i, (name, year) in enumerate(late)]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]
    listed = listed[0].upper() + listed[1:]
    return (
        f"{listed}: summen for fylket eller landet tegnes bare for år der alle kommunene har tall "
        "(på dagens kommunegrenser)."
    )


def flows_compared(label: str, by_place: dict[str, dict[int, float]]) -> tuple[str, tuple[int, int]] | None:
    """«Nettoinnflytting i alt i 2016–2025: Træna −23 (lavest), Røyrvik +20 (høyest).» and the period.

    The period is the last ten years every place has (fewer if they have fewer), summed per place.
    """
    known = [{y for y, v in d.items() if not text.is_missing(v)} for d in by_place.values()]
    common = set.intersection(*known) if known else set()
    if not common:
        return None
    end = max(common)
    start = end
    while start - 1 in common and end - (start - 1) < PERIOD_YEARS:
        start -= 1
    sums = sorted((sum(float(d[y]) for y in range(start, end + 1)), place) for place, d in by_place.items())
    shown = period(start, end)
    if len(sums) == 1:
        return f"{label} i {sums[0][1]}: {text.number(sums[0][0], sign=True)} i alt i {shown}.", (start, end)
    (low, low_place), (high, high_place) = sums[0], sums[-1]
    return (
        f"{label} i alt i {shown}: {high_place} {text.number(high, sign=True)} (høyest), "
        f"{low_place} {text.number(low, sign=True)} (lavest).",
        (start, end),
    )
