from datetime import date

import pytest

from nokkeltall.plan import calendar as cal


def events_of(kind, events):
    return [e for e in events if e.kind == kind]


def test_known_elections_match_the_second_monday_rule():
    assert cal.second_monday_of_september(2019) == date(2019, 9, 9)
    assert cal.second_monday_of_september(2023) == date(2023, 9, 11)
    assert cal.election_date(2019) == date(2019, 9, 9)
    assert cal.election_date(2023) == date(2023, 9, 11)


def test_next_election_is_expected_on_13_september_2027():
    assert cal.election_date(2027) == date(2027, 9, 13)
    assert cal.election_is_expected(2027)
    assert not cal.election_is_expected(2023)


def test_no_election_outside_the_four_year_cycle():
    with pytest.raises(ValueError):
        cal.election_date(2025)


def test_planstrategi_deadline_after_2023_election_is_end_of_october_2024():
    assert cal.council_constituted_by(2023) == date(2023, 10, 31)
    assert cal.planstrategi_deadline(2023) == date(2024, 10, 31)
    assert cal.latest_public_date(date(2024, 10, 31), "planstrategi_proposal_public") == date(2024, 10, 1)


def test_terms_start_in_october_of_the_election_year():
    assert cal.election_year_of_term(date(2023, 9, 30)) == 2019
    assert cal.election_year_of_term(date(2023, 10, 1)) == 2023
    assert cal.election_year_of_term(date(2027, 1, 1)) == 2023
    assert cal.term_label(2023) == "2023–2027"


def test_hearings_last_at_least_six_weeks():
    event = cal.hearing_event("planprogram_hearing", date(2024, 6, 20))
    assert event.end == date(2024, 8, 1)
    assert event.legal_reference == "pbl § 11-13"
    assert cal.hearing_end("plan_proposal_hearing", date(2025, 1, 1)) == date(2025, 2, 12)
    assert cal.RULES["plan_proposal_hearing"].legal_reference == "pbl § 11-14"


def test_calendar_2019_2028_has_rows_with_references_and_terms():
    events = cal.legal_calendar(2019, 2028)
    assert [e.start for e in events_of("election", events)] == [
        date(2019, 9, 9),
        date(2023, 9, 11),
        date(2027, 9, 13),
    ]
    deadlines = events_of("planstrategi_deadline", events)
    assert [(e.start, e.term) for e in deadlines] == [
        (date(2020, 10, 31), "2019–2023"),
        (date(2024, 10, 31), "2023–2027"),
        (date(2028, 10, 31), "2027–2031"),
    ]
    assert all(e.legal_reference == "pbl § 10-1" and e.is_law for e in deadlines)
    budgets = events_of("okonomiplan_deadline", events)
    assert [e.start for e in budgets] == [date(y, 12, 31) for y in range(2019, 2029)]
    assert budgets[0].legal_reference.startswith("kommuneloven § 14-4")
    public = events_of("okonomiplan_recommendation_public", events)
    assert public[0].start == date(2019, 12, 17)
    assert all(e.start.year >= 2019 and e.end.year <= 2028 for e in events)
    assert events == sorted(events, key=lambda e: (e.start, e.kind))


def test_samfunnsdel_target_is_guidance_not_law():
    events = cal.legal_calendar(2023, 2025)
    (target,) = events_of("samfunnsdel_target", events)
    assert target.start == date(2025, 4, 30)
    assert not target.is_law and target.binding == cal.GUIDANCE


def test_only_the_election_day_itself_is_expected():
    events = cal.legal_calendar(2027, 2028)
    assert {e.kind for e in events if e.expected} == {"election"}


def test_calendar_frame_has_one_row_per_event():
    events = cal.legal_calendar(2023, 2024)
    frame = cal.calendar_frame(events)
    assert len(frame) == len(events)
    assert {"start", "end", "kind", "label", "legal_reference", "is_law", "term"} <= set(frame.columns)
    assert frame["label"].str.len().min() > 0
