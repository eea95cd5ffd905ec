"""The best-known plan status of one municipality: collected public sources and what users entered.

``plan_status_summary(seed, entries)`` takes the collected rows (``status.collected_rows``) and the
entries made in the app (``UserStore.list_plan_entries``; they win) and gives one ``PlanFact`` per
plan type (samfunnsdel, arealdel, planstrategi), each with its source, plus the planstrategi rule
(pbl § 10-1). Used by the plan page, the conversation brief and the application checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from nokkeltall import text
from nokkeltall.plan import status
from nokkeltall.plan.timeline import PLAN_TYPE_LABELS

STATUS_PLAN_TYPES = ("samfunnsdel", "arealdel", "planstrategi")


@dataclass
class PlanFact:
    """The best-known status of one plan type, with where it comes from."""

    plan_type: str
    label: str
    status: str  # vedtatt / på_høring / under_arbeid / ukjent
    status_label: str
    adopted: str | None  # as stored: YYYY, YYYY-MM or YYYY-MM-DD
    adopted_text: str  # Norwegian, «–» when unknown
    age_years: int | None
    period: str | None
    source_title: str | None
    source_url: str | None
    entered_in_app: bool
    note: str | None
    pending: str | None = None  # a newer revision under way, with its source

    @property
    def source_text(self) -> str:
        parts = [p for p in (self.source_title, self.source_url) if p]
        return " – ".join(parts) if parts else "Ingen kilde registrert"

    def as_row(self) -> dict:
        return {
            "plan_type": self.plan_type,
            "status": self.status,
            "adopted": self.adopted,
            "source_text": self.source_text,
        }


@dataclass
class PlanStatusSummary:
    facts: list[PlanFact]
    planstrategi: status.PlanstrategiStatus
    as_of: date


def _clean(value) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    value = str(value).strip()
    return value or None


def plan_status_summary(
    seed: pd.DataFrame, entries: list[dict], as_of: date | None = None, code: str | None = None
) -> PlanStatusSummary:
    """Best-known status of samfunnsdel, arealdel and planstrategi, and the planstrategi rule.

    ``seed`` holds the public-source rows (``seed_plan_status``), ``entries`` what users entered
    in the app (``UserStore.list_plan_entries``); entries win (``store.plan_entries_as_sources``).
    """
    as_of = as_of or date.today()
    rows = _source_rows(seed, entries)
    if code is not None:
        rows = rows[rows["municipality_code"] == code]
    best = status.best_known_status(rows) if not rows.empty else pd.DataFrame()
    return _summary(best, as_of)


def plan_status_summaries(
    seed: pd.DataFrame, entries: list[dict], as_of: date, codes: list[str]
) -> dict[str, PlanStatusSummary]:
    """``plan_status_summary`` for many municipalities at once (one pass over all their rows)."""
    rows = _source_rows(seed, entries)
    best = status.best_known_status(rows) if not rows.empty else pd.DataFrame()
    return {
        code: _summary(best[best["municipality_code"] == code] if not best.empty else best, as_of)
        for code in codes
    }


def _source_rows(seed: pd.DataFrame, entries: list[dict]) -> pd.DataFrame:
    """The collected rows and the entries made in the app (``priority`` 1: they win), in one frame."""
    from nokkeltall.store import plan_entries_as_sources  # noqa: PLC0415 — keeps imports light

    seed = seed.copy()
    seed["priority"] = 0
    seed["entered_at"] = None
    entered = plan_entries_as_sources(entries)
    frames = [f for f in (seed, entered) if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=status.SOURCE_COLUMNS)


def _summary(best: pd.DataFrame, as_of: date) -> PlanStatusSummary:
    """One municipality's best-known rows (``status.best_known_status``) as plan facts."""
    facts = []
    for plan_type in STATUS_PLAN_TYPES:
        match = best[best["plan_type"] == plan_type] if not best.empty else best
        if match.empty:
            facts.append(
                PlanFact(
                    plan_type,
                    PLAN_TYPE_LABELS[plan_type],
                    "ukjent",
                    "Ukjent",
                    None,
                    text.MISSING,
                    None,
                    None,
                    None,
                    None,
                    False,
                    None,
                )
            )
            continue
        row = match.iloc[0]
        plan_status = _clean(row["status"]) or "ukjent"
        adopted = _clean(row["adopted"]) if plan_status == status.ADOPTED else None
        try:
            plan_date = status.parse_plan_date(adopted)
        except ValueError:
            plan_date = None
        pending = None
        if _clean(row.get("pending_status")):
            pending_label = status.STATUS_LABELS.get(row["pending_status"], row["pending_status"])
            pending_bits = [
                f"Ny revisjon: {pending_label.lower()}",
                _clean(row.get("pending_period")),
                _clean(row.get("pending_source_title")),
                _clean(row.get("pending_source_url")),
            ]
            pending = " – ".join(b for b in pending_bits if b)
        facts.append(
            PlanFact(
                plan_type=plan_type,
                label=PLAN_TYPE_LABELS[plan_type],
                status=plan_status,
                status_label=status.STATUS_LABELS.get(plan_status, plan_status),
                adopted=plan_date.iso() if plan_date else None,
                adopted_text=plan_date.norwegian() if plan_date else text.MISSING,
                age_years=status.plan_age_years(plan_date, as_of) if plan_date else None,
                period=_clean(row.get("period")),
                source_title=_clean(row.get("source_title")),
                source_url=_clean(row.get("source_url")),
                entered_in_app=(row.get("priority") or 0) == 1,
                note=_clean(row.get("note")),
                pending=pending,
            )
        )
    strategy = next(f for f in facts if f.plan_type == "planstrategi")
    return PlanStatusSummary(facts, status.planstrategi_status(strategy.adopted, as_of), as_of)


def plan_status_rows(summary: PlanStatusSummary) -> pd.DataFrame:
    """The summary as a table for the screen and the brief (all text)."""
    strategy_status = {status.ADOPTED: "Vedtatt", status.NOT_DUE: "Ikke forfalt", status.OVERDUE: "Forfalt"}
    rows = []
    for fact in summary.facts:
        age = text.MISSING if fact.age_years is None else f"{fact.age_years} år"
        row = {
            "Plan": fact.label,
            "Status": fact.status_label,
            "Vedtatt": fact.adopted_text,
            "Alder": age,
            "Planperiode": text.period(fact.period),
            "Kilde": fact.source_title or "Ingen kilde registrert",
            "Lenke": fact.source_url,
            "Merknad": " ".join(filter(None, [fact.note, fact.pending])) or None,
        }
        if fact.plan_type == "planstrategi":
            row["Status"] = (
                f"{strategy_status[summary.planstrategi.status]} – valgperioden {summary.planstrategi.term}"
            )
        rows.append(row)
    return pd.DataFrame(rows)
