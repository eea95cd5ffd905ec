from datetime import date

import pandas as pd
import pytest

from nokkeltall.plan.status import (
    ADOPTED,
    NOT_DUE,
    OVERDUE,
    SOURCE_COLUMNS,
    PlanDate,
    best_known_status,
    parse_plan_date,
    plan_age_years,
    plan_status_table,
    planstrategi_status,
)


def test_parse_plan_date_keeps_precision():
    assert parse_plan_date("2019") == PlanDate(2019)
    assert parse_plan_date("2022-12").latest() == date(2022, 12, 31)
    assert parse_plan_date("2024-03-20").precision == "day"
    assert parse_plan_date(date(2024, 3, 20)) == PlanDate(2024, 3, 20)
    assert parse_plan_date("") is None and parse_plan_date(None) is None
    assert parse_plan_date(pd.NA) is None
    assert parse_plan_date("2022-12").norwegian() == "desember 2022"
    with pytest.raises(ValueError):
        parse_plan_date("20.03.2024")
    with pytest.raises(ValueError):
        parse_plan_date("2024-13-01")


def test_plan_age_in_whole_years():
    assert plan_age_years("2017-12-14", date(2024, 12, 13)) == 6
    assert plan_age_years("2017-12-14", date(2024, 12, 14)) == 7
    assert plan_age_years("2019", date(2026, 11, 26)) == 7
    assert plan_age_years(None, date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    "adopted, as_of, expected",
    [
        ("2024-03-20", date(2024, 6, 1), ADOPTED),  # Lurøy: adopted in the term, before the deadline
        (None, date(2024, 6, 1), NOT_DUE),  # deadline 31.10.2024 still ahead
        (None, date(2024, 10, 31), NOT_DUE),  # the deadline day itself
        (None, date(2024, 11, 1), OVERDUE),
        ("2020-12-17", date(2024, 11, 1), OVERDUE),  # previous term's strategy does not count
        ("2020-12-17", date(2021, 1, 1), ADOPTED),  # ... but counted in its own term (late)
        ("2023", date(2024, 11, 1), ADOPTED),  # Træna: year only, may be after 1 Oct 2023
        ("2024-03-20", date(2024, 3, 1), NOT_DUE),  # not yet adopted as of that date
        (None, date(2023, 9, 20), OVERDUE),  # still the 2019 term: deadline 31.10.2020
    ],
)
def test_planstrategi_status_as_of_given_dates(adopted, as_of, expected):
    assert planstrategi_status(adopted, as_of).status == expected


def test_planstrategi_status_details_and_messages():
    due = planstrategi_status(None, date(2024, 10, 1))
    assert due.term == "2023–2027" and due.deadline == date(2024, 10, 31)
    assert due.days_to_deadline == 30
    assert "31. oktober 2024" in due.message and "om 30 dager" in due.message
    overdue = planstrategi_status(None, date(2025, 1, 1))
    assert "skulle vært vedtatt innen 31. oktober 2024" in overdue.message
    late = planstrategi_status("2024-12-01", date(2025, 1, 1))
    assert late.status == ADOPTED and late.adopted_on_time is False
    assert "etter fristen" in late.message
    coarse = planstrategi_status("2024", date(2025, 1, 1))
    assert coarse.adopted_on_time is None


def seed(*rows):
    return pd.DataFrame([dict(zip(SOURCE_COLUMNS, row, strict=True)) for row in rows], columns=SOURCE_COLUMNS)


def test_best_known_status_prefers_latest_adoption_and_keeps_sources():
    rows = seed(
        ("1815", "samfunnsdel", "2007-2020", "2007-06-14", "vedtatt", "https://a", "Gammel", ""),
        ("1815", "samfunnsdel", "2025-2036", None, "på_høring", "https://b", "Høring", "frist"),
        ("1822", "planstrategi", "2016-2019", "2016-05-01", "vedtatt", "https://c", "Eldre", ""),
        ("1822", "planstrategi", "2020-2024", "2020-09-24", "vedtatt", "https://d", "Nyere", ""),
        ("1836", "samfunnsdel", None, None, "ukjent", "https://e", "Ingenting", ""),
        ("5042", "samfunnsdel", None, None, "under_arbeid", "https://f", "Arbeid", ""),
    )
    best = best_known_status(rows).set_index(["municipality_code", "plan_type"])
    vega = best.loc[("1815", "samfunnsdel")]
    assert (vega["status"], vega["adopted"], vega["source_url"]) == ("vedtatt", "2007-06-14", "https://a")
    assert (vega["pending_status"], vega["pending_source_url"]) == ("på_høring", "https://b")
    leirfjord = best.loc[("1822", "planstrategi")]
    assert leirfjord["adopted"] == "2020-09-24" and leirfjord["source_title"] == "Nyere"
    assert leirfjord["adopted_year"] == 2020 and pd.isna(leirfjord["pending_status"])
    assert best.loc[("1836", "samfunnsdel")]["status"] == "ukjent"
    assert best.loc[("5042", "samfunnsdel")]["status"] == "under_arbeid"
    assert len(best) == 4


def test_hearing_of_the_same_plan_is_not_shown_as_pending():
    rows = seed(
        ("1818", "samfunnsdel", "2023-2035", None, "på_høring", "https://x", "Høring", ""),
        ("1818", "samfunnsdel", "2023-2035", "2023-06-20", "vedtatt", "https://y", "Vedtak", ""),
    )
    best = best_known_status(rows).iloc[0]
    assert best["status"] == "vedtatt" and pd.isna(best["pending_status"])


def test_user_entries_win_over_seed_rows_by_priority():
    rows = seed(
        ("1822", "samfunnsdel", "2021-2032", "2023-09-29", "vedtatt", "https://a", "Side A", ""),
    )
    rows["priority"] = 0
    user = seed(("1822", "samfunnsdel", "2021-2032", "2021-09-29", "vedtatt", "", "Protokoll", ""))
    user["priority"] = 1
    best = best_known_status(pd.concat([rows, user], ignore_index=True)).iloc[0]
    assert best["adopted"] == "2021-09-29" and best["source_title"] == "Protokoll"


def test_plan_status_table_ages_and_planstrategi():
    rows = seed(
        ("1834", "planstrategi", "2024-2028", "2024-03-20", "vedtatt", "u", "t", ""),
        ("1834", "samfunnsdel", None, "2015", "vedtatt", "u", "t", ""),
        ("1839", "samfunnsdel", "2020-2030", None, "vedtatt", "u", "t", ""),
    )
    table = plan_status_table(best_known_status(rows), date(2026, 11, 26)).set_index("municipality_code")
    assert table.loc["1834", "samfunnsdel_age"] == 11
    assert table.loc["1834", "planstrategi_status"] == ADOPTED
    assert table.loc["1839", "samfunnsdel_status"] == "vedtatt"
    assert pd.isna(table.loc["1839", "samfunnsdel_age"])
    assert table.loc["1839", "planstrategi_status"] == OVERDUE
