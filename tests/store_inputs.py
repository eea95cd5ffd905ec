"""Valid user-store inputs shared by the store tests: an application, a milestone and a plan status
entry for Træna, each overridable field by field (``application(contact_name="Ola")``)."""

from __future__ import annotations

from datetime import date

TODAY = date(2026, 11, 26)


def application(**changes) -> dict:
    base = dict(
        municipality_code="1835",
        round_year=2026,
        samfunnsdel_year=2015,
        progress_plan="Planstrategi vedtas høsten 2027, samfunnsdel 2028.",
        has_fact_base=True,
        fact_base_description="Kommunebilde fra Statsforvalteren",
        planning_staff_persons=2,
        planning_staff_percent=60,
        contact_name="Kari Nordmann",
        contact_email="kari@trana.kommune.no",
        received_date="2026-11-20",
    )
    return {**base, **changes}


def milestone(**changes) -> dict:
    base = dict(
        municipality_code="1835",
        plan_type="planstrategi",
        title="Oppstart",
        start_date="2027-01-10",
        end_date="2027-02-01",
        status="planlagt",
    )
    return {**base, **changes}


def plan_entry(**changes) -> dict:
    base = dict(
        municipality_code="1835",
        plan_type="samfunnsdel",
        adopted="2024-06-20",
        status="vedtatt",
        source="Sak 12/24, kommunestyret",
    )
    return {**base, **changes}
