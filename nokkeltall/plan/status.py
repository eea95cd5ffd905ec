"""Plan status: the age of a municipality's plans and whether its planstrategi is on time.

Facts come from public sources (the seed ``plan_status_sources`` rows), from SSB, or from what
users enter in the app. Dates may be known only to the year ("2019") or month ("2022-12"), as the
source states them; ``PlanDate`` keeps that precision instead of inventing a day.

The planstrategi rule is plan- og bygningsloven § 10-1: the council adopts a planstrategi at least
once per term, at the latest one year after it is constituted (see ``plan.calendar``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from nokkeltall import text
from nokkeltall.plan import calendar

ADOPTED = "vedtatt"
NOT_DUE = "ikke forfalt"
OVERDUE = "forfalt"

PLAN_TYPES = ("samfunnsdel", "arealdel", "planstrategi", "planprogram")
PENDING_STATUSES = ("på_høring", "under_arbeid")
STATUS_LABELS = {
    "vedtatt": "Vedtatt",
    "på_høring": "På høring",
    "under_arbeid": "Under arbeid",
    "ukjent": "Ukjent",
}

_PLAN_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")


@dataclass(frozen=True)
class PlanDate:
    """An adoption date as precise as the source states it: year, year-month or full date."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def earliest(self) -> date:
        """The first day the date can mean (1 January for a bare year)."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """The last day the date can mean (31 December for a bare year)."""
        if self.day:
            return self.earliest()
        if self.month:
            next_month = date(self.year + self.month // 12, self.month % 12 + 1, 1)
            return date.fromordinal(next_month.toordinal() - 1)
        return date(self.year, 12, 31)

    def iso(self) -> str:
        """As stored: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        if self.day:
            return self.earliest().isoformat()
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    def norwegian(self) -> str:
        """As shown to users: ``20. mars 2024``, ``desember 2022`` or ``2019``."""
        if self.day:
            return text.long_date(self.earliest())
        if self.month:
            return f"{text.MONTHS[self.month - 1]} {self.year}"
        return str(self.year)


def parse_plan_date(value: object) -> PlanDate | None:
    """Read ``"2019"``, ``"2022-12"``, ``"2024-03-20"``, a ``date`` or an int year; None if empty.

    Raises ValueError for text that is not such a date.
    """
    if value is None or (not isinstance(value, (str, date, int)) and pd.isna(value)):
        return None
    if isinstance(value, date):
        return PlanDate(value.year, value.month, value.day)
    if isinstance(value, int):
        return PlanDate(value)
    text = str(value).strip()
    if not text:
        return None
    match = _PLAN_DATE.match(text)
    if not match:
        raise ValueError(f"ugyldig dato {text!r}: bruk ÅÅÅÅ, ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD")
    year, month, day = match.groups()
    plan_date = PlanDate(int(year), int(month) if month else None, int(day) if day else None)
    plan_date.earliest()  # raises ValueError for 2024-13-40
    return plan_date


def _as_plan_date(value: object) -> PlanDate | None:
    return value if isinstance(value, PlanDate) else parse_plan_date(value)


def plan_age_years(adopted: object, as_of: date | None = None) -> int | None:
    """Whole years since the plan was adopted, as of ``as_of`` (default today); None if unknown.

    A full date counts completed years, like a person's age. A bare year or month counts from its
    first day, so "2019" is 5 years old on 1 January 2024 (the best the source allows).
    """
    plan_date = _as_plan_date(adopted)
    if plan_date is None:
        return None
    as_of = as_of or date.today()
    start = plan_date.earliest()
    years = as_of.year - start.year - ((as_of.month, as_of.day) < (start.month, start.day))
    return max(years, 0)


@dataclass(frozen=True)
class PlanstrategiStatus:
    """Whether the planstrategi for the term in force on ``as_of`` is adopted (pbl § 10-1)."""

    status: str  # ADOPTED / NOT_DUE / OVERDUE
    term: str  # e.g. "2023–2027"
    deadline: date  # one year after the council is constituted
    adopted: PlanDate | None  # the adoption counted for this term, if any
    adopted_on_time: bool | None  # None when not adopted or the date is too coarse to tell
    days_to_deadline: int  # negative when the deadline has passed
    as_of: date
    message: str  # Norwegian sentence for users
    legal_reference: str = "pbl § 10-1"


def planstrategi_status(adopted: object, as_of: date | None = None) -> PlanstrategiStatus:
    """Status of the planstrategi for the current term, as of ``as_of`` (default today).

    ``adopted`` is the latest known adoption date (text, ``date``, ``PlanDate`` or None). It counts
    for the term when it may fall inside the term (from 1 October of the election year) and not
    after ``as_of``. Otherwise the status is ``ikke forfalt`` before the deadline and ``forfalt``
    after it (pbl § 10-1: at the latest one year after the council is constituted).
    """
    as_of = as_of or date.today()
    election_year = calendar.election_year_of_term(as_of)
    term = calendar.term_label(election_year)
    deadline = calendar.planstrategi_deadline(election_year)
    days_left = (deadline - as_of).days
    plan_date = _as_plan_date(adopted)
    deadline_text = text.long_date(deadline)
    if (
        plan_date is not None
        and plan_date.latest() >= calendar.term_start(election_year)
        and plan_date.earliest() <= as_of
    ):
        on_time = _on_time(plan_date, deadline)
        late = " etter fristen" if on_time is False else ""
        return PlanstrategiStatus(
            ADOPTED,
            term,
            deadline,
            plan_date,
            on_time,
            days_left,
            as_of,
            f"Planstrategi for valgperioden {term} er vedtatt ({plan_date.norwegian()}){late}.",
        )
    if days_left >= 0:
        return PlanstrategiStatus(
            NOT_DUE,
            term,
            deadline,
            None,
            None,
            days_left,
            as_of,
            f"Planstrategi for valgperioden {term} er ikke registrert som vedtatt. "
            f"Fristen er {deadline_text} (om {days_left} dager, pbl § 10-1).",
        )
    return PlanstrategiStatus(
        OVERDUE,
        term,
        deadline,
        None,
        None,
        days_left,
        as_of,
        f"Planstrategi for valgperioden {term} skulle vært vedtatt innen {deadline_text} "
        f"(pbl § 10-1). Ingen vedtak er registrert.",
    )


def _on_time(plan_date: PlanDate, deadline: date) -> bool | None:
    if plan_date.latest() <= deadline:
        return True
    if plan_date.earliest() > deadline:
        return False
    return None


# --- best-known status from several source rows ---------------------------------------------

SOURCE_COLUMNS = [
    "municipality_code",
    "plan_type",
    "period",
    "adopted",
    "status",
    "source_url",
    "source_title",
    "note",
]
PENDING_COLUMNS = ["status", "period", "adopted", "source_url", "source_title", "note"]


def collected_rows(con, code: str | list[str]) -> pd.DataFrame:
    """The collected (public-source) plan status rows of one municipality (or a list of them), in the
    ``SOURCE_COLUMNS`` shape.

    The one query of the statistics database's ``plan_status_source`` table; the brief, the
    application checks, the municipality profile and the fact-base document all read plan status
    through it.
    """
    codes = [code] if isinstance(code, str) else list(code)
    return con.execute(
        """SELECT municipality_code, plan_type, period, adopted, status, source_url, source_title, note
           FROM plan_status_source WHERE list_contains(?, municipality_code)
           ORDER BY municipality_code, plan_type, adopted""",
        [codes],
    ).df()


def period_start_year(period: object) -> int | None:
    """First year of a plan period such as ``"2023-2035"`` or ``"2023–2035"``; None if absent."""
    if period is None or pd.isna(period):
        return None
    match = re.match(r"\s*(\d{4})", str(period))
    return int(match.group(1)) if match else None


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def _recency(row: pd.Series) -> tuple:
    """Sort key: user-entered rows first (``priority``), then the newest adoption/period/entry."""
    try:
        plan_date = parse_plan_date(row.get("adopted"))
    except ValueError:
        plan_date = None
    start = period_start_year(row.get("period"))
    when = plan_date.latest() if plan_date else date(start, 1, 1) if start else date.min
    priority = row.get("priority", 0)
    priority = 0 if priority is None or pd.isna(priority) else int(priority)
    return (priority, when, plan_date is not None, _text(row.get("entered_at")))


def _best(rows: pd.DataFrame) -> pd.Series | None:
    if rows.empty:
        return None
    keys = [_recency(row) for _, row in rows.iterrows()]
    return rows.iloc[max(range(len(keys)), key=keys.__getitem__)]


def _is_newer_work(pending: pd.Series, adopted: pd.Series) -> bool:
    """True when a hearing/draft row plausibly concerns a newer plan than the adopted one."""
    if _text(pending.get("period")) and _text(pending.get("period")) == _text(adopted.get("period")):
        return False
    pending_start = period_start_year(pending.get("period"))
    adopted_start = period_start_year(adopted.get("period"))
    if pending_start and adopted_start:
        return pending_start > adopted_start
    try:
        pending_date, adopted_date = (parse_plan_date(r.get("adopted")) for r in (pending, adopted))
    except ValueError:
        return True
    if pending_date and adopted_date:
        return pending_date.latest() > adopted_date.latest()
    return True  # cannot tell: show it, with its source, and let the user judge


def best_known_status(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality and plan type: the best-known current status, with its source.

    ``rows`` has the ``plan_status_sources`` columns (municipality_code, plan_type, period,
    adopted, status, source_url, source_title, note). Optional ``priority`` (higher wins, e.g. 1
    for what users entered in the app), ``entered_at`` and any other column are carried along.

    The current fact is the most recent ``vedtatt`` row (by adoption date, else plan period);
    without one, the most recent hearing/draft row, else ``ukjent``. When a newer revision is on
    hearing or under way, it is given in the ``pending_*`` columns with its own source. A status
    is as of the source page, and a missing adoption does not mean the plan was not adopted.
    """
    out_rows = []
    for _, group in rows.groupby(["municipality_code", "plan_type"], sort=True):
        status = group["status"].fillna("ukjent").astype(str)
        adopted = _best(group[status == ADOPTED])
        pending = _best(group[status.isin(PENDING_STATUSES)])
        current = adopted if adopted is not None else pending if pending is not None else _best(group)
        if current is None:  # never: a group has rows
            continue
        record = current.to_dict()
        record["status"] = _text(record.get("status")) or "ukjent"
        if adopted is not None and pending is not None and _is_newer_work(pending, adopted):
            record.update({f"pending_{c}": pending.get(c) for c in PENDING_COLUMNS})
        out_rows.append(record)
    frame = pd.DataFrame(out_rows)
    for column in SOURCE_COLUMNS + [f"pending_{c}" for c in PENDING_COLUMNS]:
        if column not in frame.columns:
            frame[column] = pd.NA
    frame["adopted_year"] = [_safe_year(value) for value in frame["adopted"]] if len(frame) else []
    frame["adopted_year"] = frame["adopted_year"].astype("Int64")
    ordered = SOURCE_COLUMNS + ["adopted_year"] + [f"pending_{c}" for c in PENDING_COLUMNS]
    for column in ordered:
        if column != "adopted_year":
            frame[column] = frame[column].astype("string")
    extra = [c for c in frame.columns if c not in ordered]
    return frame[ordered + extra].reset_index(drop=True)


def _safe_year(value: object) -> int | None:
    try:
        plan_date = parse_plan_date(value)
    except ValueError:
        return None
    return plan_date.year if plan_date else None


def plan_status_table(best: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """Per municipality: adoption and age of samfunnsdel and arealdel, and the planstrategi status.

    ``best`` is the output of ``best_known_status``. Columns: municipality_code, and for
    samfunnsdel and arealdel ``*_status`` (as in the source; "vedtatt" may come without a date),
    ``*_adopted`` and ``*_age`` (whole years); then planstrategi_adopted, planstrategi_status
    (vedtatt / ikke forfalt / forfalt), planstrategi_deadline and planstrategi_message.
    """
    as_of = as_of or date.today()
    records = []
    for code, group in best.groupby("municipality_code", sort=True):
        status = {row["plan_type"]: _text(row["status"]) for _, row in group.iterrows()}
        adopted = {
            row["plan_type"]: row["adopted"] if row["status"] == ADOPTED else None
            for _, row in group.iterrows()
        }
        strategy = planstrategi_status(_safe_plan_date(adopted.get("planstrategi")), as_of)
        records.append(
            {
                "municipality_code": code,
                "samfunnsdel_status": status.get("samfunnsdel") or "ukjent",
                "samfunnsdel_adopted": _text(adopted.get("samfunnsdel")) or None,
                "samfunnsdel_age": plan_age_years(_safe_plan_date(adopted.get("samfunnsdel")), as_of),
                "arealdel_status": status.get("arealdel") or "ukjent",
                "arealdel_adopted": _text(adopted.get("arealdel")) or None,
                "arealdel_age": plan_age_years(_safe_plan_date(adopted.get("arealdel")), as_of),
                "planstrategi_adopted": _text(adopted.get("planstrategi")) or None,
                "planstrategi_status": strategy.status,
                "planstrategi_deadline": strategy.deadline,
                "planstrategi_message": strategy.message,
            }
        )
    frame = pd.DataFrame(records)
    for column in ("samfunnsdel_age", "arealdel_age"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame


def _safe_plan_date(value: object) -> PlanDate | None:
    try:
        return parse_plan_date(value)
    except ValueError:
        return None
