from datetime import date

from nokkeltall.plan import network


def test_small_municipality_in_nordland_is_eligible():
    result = network.eligibility("1835", 437, date(2025, 1, 1))
    assert result.eligible and result.county == "Nordland"
    assert "Folketallet er 437 per 1. januar 2025 (SSB), under grensen på 2 500." in result.reasons


def test_population_at_the_limit_is_not_eligible():
    result = network.eligibility("5045", 2500, date(2025, 1, 1))
    assert not result.eligible
    assert any("ikke under grensen på 2 500" in reason for reason in result.reasons)


def test_municipality_outside_the_two_counties_is_not_eligible():
    result = network.eligibility("3401", 400, "1. januar 2025")
    assert not result.eligible
    assert "Kommunen ligger ikke i Nordland eller Trøndelag." in result.reasons


def test_unknown_population_is_not_eligible():
    result = network.eligibility("5041", None)
    assert not result.eligible and "ukjent" in result.reasons[1]


def test_deadline_and_target_are_data():
    assert network.application_deadline(2026) == date(2026, 12, 15)
    assert network.TARGET_PER_COUNTY == (2, 3)


def test_county_overview_counts_selected_against_target():
    apps = [
        {"municipality_code": "1835", "status": "valgt"},
        {"municipality_code": "1834", "status": "valgt"},
        {"municipality_code": "5041", "status": "samtale"},
        {"municipality_code": "5043", "status": "ikke_valgt"},
    ]
    nordland, trondelag = network.county_overview(apps)
    assert (nordland.received, nordland.selected) == (2, 2)
    assert "innenfor målet" in nordland.message
    assert (trondelag.received, trondelag.in_conversation, trondelag.not_selected) == (2, 1, 1)
    assert "mangler 2" in trondelag.message


def test_network_calendar_layer():
    deadline, period = network.network_calendar()
    assert deadline.start == date(2019, 12, 15) and not deadline.is_law
    assert (period.start, period.end) == (date(2020, 1, 1), date(2023, 12, 31))
    assert period.binding == "nettverk"
