import json
import threading
from datetime import date

import pandas as pd
import pytest
from store_inputs import TODAY, application, milestone, plan_entry

from nokkeltall import config
from nokkeltall.plan.status import best_known_status
from nokkeltall.store import (
    ConflictError,
    NotFoundError,
    UserStore,
    ValidationError,
    configured_editor_password,
    editing_allowed,
    plan_entries_as_sources,
    validate_application,
    validate_milestone,
    validate_plan_entry,
)
from nokkeltall.store import validation as v
from nokkeltall.store.scenarios import ScenarioStore

# --- validation messages --------------------------------------------------------------------


@pytest.mark.parametrize("year", [2150, 1964, 2028])
def test_impossible_samfunnsdel_year(year):
    assert validate_plan_entry(plan_entry(adopted=str(year)), TODAY) == {
        "adopted": "Årstallet må være mellom 1965 og 2027"
    }
    assert validate_application(application(samfunnsdel_year=year), TODAY) == {
        "samfunnsdel_year": "Årstallet må være mellom 1965 og 2027"
    }


def test_valid_records_have_no_messages():
    assert validate_plan_entry(plan_entry(adopted="2027"), TODAY) == {}
    assert validate_application(application(samfunnsdel_year="ingen"), TODAY) == {}
    assert validate_application(application(samfunnsdel_year=None, samfunnsdel_answer="ingen"), TODAY) == {}
    assert validate_milestone(milestone(end_date=None), TODAY) == {}


def test_plan_entry_messages():
    errors = validate_plan_entry(plan_entry(adopted="20.06.2024", source=" ", plan_type="x"), TODAY)
    assert errors["adopted"] == v.PLAN_DATE_FORMAT
    assert errors["source"] == v.SOURCE_REQUIRED
    assert errors["plan_type"] == "Velg en av: samfunnsdel, arealdel, planstrategi, planprogram."
    assert validate_plan_entry(plan_entry(adopted=None), TODAY) == {"adopted": v.ADOPTED_REQUIRED}
    assert validate_plan_entry(plan_entry(adopted=None, status="på høring"), TODAY) == {}


def test_milestone_ending_before_it_starts():
    errors = validate_milestone(milestone(start_date="2027-03-01", end_date="2027-02-01"), TODAY)
    assert errors == {"end_date": "Sluttdatoen kan ikke være før startdatoen."}


def test_milestone_required_fields_and_formats():
    errors = validate_milestone(milestone(title="", start_date="1. mars", status="kanskje"), TODAY)
    assert errors == {
        "title": "Feltet må fylles ut.",
        "start_date": v.DATE_FORMAT,
        "status": "Velg en av: planlagt, pågår, ferdig.",
    }
    assert validate_milestone(milestone(municipality_code="183"), TODAY) == {
        "municipality_code": "Kommunenummeret må ha fire sifre, for eksempel 1835."
    }


def test_application_outside_nordland_and_trondelag():
    assert validate_application(application(municipality_code="0301"), TODAY) == {
        "municipality_code": "Kommunen må ligge i Nordland (18xx) eller Trøndelag (50xx)."
    }
    assert validate_application(application(municipality_code="5041"), TODAY) == {}


@pytest.mark.parametrize("share", [-1, 100.5, 150, "mye"])
def test_stillingsandel_outside_0_to_100(share):
    assert validate_application(application(planning_staff_percent=share), TODAY) == {
        "planning_staff_percent": "Stillingsandelen må være mellom 0 og 100 %."
    }


def test_stillingsandel_accepts_percent_text():
    assert validate_application(application(planning_staff_percent="40 %"), TODAY) == {}
    assert validate_application(application(planning_staff_percent="0,5"), TODAY) == {}


@pytest.mark.parametrize("email", ["kari", "kari@", "kari@kommune", "kari @trana.no"])
def test_invalid_email(email):
    assert validate_application(application(contact_email=email), TODAY) == {"contact_email": v.EMAIL}
    assert validate_application(application(contact_email=""), TODAY) == {}  # the form tool may give none


def test_other_application_messages():
    errors = validate_application(
        application(
            planning_staff_persons=1.5,
            has_fact_base=True,
            fact_base_description="",
            progress_plan="",
            contact_name=None,
            received_date="2026-12-01",
            status="godkjent",
        ),
        TODAY,
    )
    assert errors == {
        "planning_staff_persons": v.STAFF_PERSONS,
        "fact_base_description": v.FACT_BASE_WHICH,
        "progress_plan": v.ANSWER_REQUIRED,
        "contact_name": "Feltet må fylles ut.",
        "received_date": "Datoen kan ikke være fram i tid.",
        "status": "Velg en av: mottatt, samtale, valgt, ikke valgt.",
    }
    assert validate_application(application(has_fact_base=False, fact_base_description=""), TODAY) == {}


# --- storing --------------------------------------------------------------------------------


def test_store_uses_wal(store):
    assert store.journal_mode() == "wal"


def test_nothing_is_stored_when_validation_fails(store):
    with pytest.raises(ValidationError) as caught:
        store.add_application(application(samfunnsdel_year=2150), changed_by="Ola")
    assert caught.value.errors == {"samfunnsdel_year": "Årstallet må være mellom 1965 og 2027"}
    with pytest.raises(ValidationError) as caught:
        store.add_milestone(milestone(), changed_by=" ")
    assert caught.value.errors == {"changed_by": "Skriv inn navnet ditt."}
    assert store.list_applications() == [] and store.list_milestones() == []
    assert store.list_changes() == []


def test_add_update_delete_with_change_log(store):
    entry = store.add_plan_entry(plan_entry(), changed_by="Ola")
    assert (entry["entered_by"], entry["version"], entry["adopted"]) == ("Ola", 1, "2024-06-20")
    updated = store.update_plan_entry(entry["id"], {"adopted": "2024-06-21"}, changed_by="Kari")
    assert (updated["adopted"], updated["updated_by"], updated["entered_by"], updated["version"]) == (
        "2024-06-21",
        "Kari",
        "Ola",
        2,
    )
    store.delete_plan_entry(entry["id"], changed_by="Per")
    assert store.list_plan_entries() == []
    changes = store.list_changes("plan_status_entries", entry["id"])
    assert [(c["action"], c["changed_by"]) for c in changes] == [
        ("opprettet", "Ola"),
        ("endret", "Kari"),
        ("slettet", "Per"),
    ]
    assert json.loads(changes[1]["old_values"])["adopted"] == "2024-06-20"
    assert json.loads(changes[1]["new_values"])["adopted"] == "2024-06-21"
    assert all(c["changed_at"].endswith("+00:00") for c in changes)


def test_update_without_changes_writes_nothing(store):
    entry = store.add_plan_entry(plan_entry(), changed_by="Ola")
    store.update_plan_entry(entry["id"], {"adopted": "2024-06-20"}, changed_by="Kari")
    assert len(store.list_changes()) == 1


def test_invalid_update_keeps_the_old_row(store):
    row = store.add_milestone(milestone(), changed_by="Ola")
    with pytest.raises(ValidationError) as caught:
        store.update_milestone(row["id"], {"end_date": "2026-12-31"}, changed_by="Kari")
    assert caught.value.errors == {"end_date": v.END_BEFORE_START}
    assert store.list_milestones()[0]["end_date"] == "2027-02-01"


def test_stale_version_is_a_conflict(store):
    row = store.add_application(application(), changed_by="Ola")
    store.set_application_status(row["id"], "samtale", changed_by="Kari", expected_version=1)
    with pytest.raises(ConflictError):
        store.set_application_status(row["id"], "valgt", changed_by="Per", expected_version=1)
    assert store.get_application(row["id"])["status"] == "samtale"
    with pytest.raises(NotFoundError):
        store.get_application(999)


def test_one_application_per_municipality_and_round(store):
    store.add_application(application(), changed_by="Ola")
    with pytest.raises(ValidationError) as caught:
        store.add_application(application(contact_name="Noen andre"), changed_by="Ola")
    assert caught.value.errors == {"municipality_code": v.DUPLICATE_APPLICATION}
    store.add_application(application(round_year=2025, received_date="2025-12-01"), changed_by="Ola")
    assert [a["round_year"] for a in store.list_applications()] == [2025, 2026]
    assert store.list_applications()[0]["has_fact_base"] is True


def test_a_failure_mid_write_saves_nothing(store, monkeypatch):
    def broken_log(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(UserStore, "_log", staticmethod(broken_log))
    with pytest.raises(RuntimeError):
        store.add_application(application(), changed_by="Ola")
    monkeypatch.undo()
    assert store.list_applications() == [] and store.list_changes() == []


def test_save_milestones_syncs_an_edited_table(store):
    first = store.add_milestone(milestone(title="Oppstart"), changed_by="Ola")
    second = store.add_milestone(
        milestone(title="Høring", start_date="2027-03-01", end_date=None), changed_by="Ola"
    )
    other = store.add_milestone(milestone(municipality_code="5041"), changed_by="Ola")
    rows = [
        {**first, "status": "ferdig"},
        {
            "plan_type": "samfunnsdel",
            "title": "Planprogram",
            "start_date": date(2027, 5, 1),
            "end_date": pd.Timestamp("2027-06-12"),
            "status": "planlagt",
        },
    ]
    saved = store.save_milestones("1835", rows, changed_by="Kari")
    assert [(m["title"], m["status"], m["end_date"]) for m in saved] == [
        ("Oppstart", "ferdig", "2027-02-01"),
        ("Planprogram", "planlagt", "2027-06-12"),
    ]
    assert store.list_milestones("5041") == [other]
    actions = [(c["row_id"], c["action"]) for c in store.list_changes("milestones")][3:]
    assert (second["id"], "slettet") in actions and (first["id"], "endret") in actions


def test_save_milestones_with_a_bad_row_changes_nothing(store):
    store.add_milestone(milestone(), changed_by="Ola")
    before = store.list_milestones()
    rows = [
        {
            "plan_type": "samfunnsdel",
            "title": "",
            "start_date": "2027-05-01",
            "end_date": "2027-04-01",
            "status": "planlagt",
        }
    ]
    with pytest.raises(ValidationError) as caught:
        store.save_milestones("1835", rows, changed_by="Kari")
    assert caught.value.errors == {"1.title": "Feltet må fylles ut.", "1.end_date": v.END_BEFORE_START}
    assert store.list_milestones() == before


# --- backup ---------------------------------------------------------------------------------


def fill(store):
    app = store.add_application(application(note="Æ, ø og å – «sitat»"), changed_by="Ola")
    store.set_application_status(app["id"], "samtale", changed_by="Kari")
    store.add_milestone(milestone(), changed_by="Ola")
    entry = store.add_plan_entry(plan_entry(), changed_by="Ola")
    store.delete_plan_entry(entry["id"], changed_by="Ola")
    store.add_plan_entry(plan_entry(plan_type="arealdel", adopted="2006"), changed_by="Per")


def without_stamp(export):
    return {k: value for k, value in export.items() if k != "exported_at"}


def test_export_import_round_trips_exactly(store, tmp_path):
    fill(store)
    exported = store.export_json()
    copy = UserStore(tmp_path / "kopi.sqlite", today=TODAY)
    copy.add_milestone(milestone(title="Skal overskrives"), changed_by="X")
    counts = copy.import_json(exported, restored_by="Admin")
    assert counts == {
        "plan_status_entries": 1,
        "milestones": 1,
        "applications": 1,
        "change_log": 6,
        "decks": 0,
        "projection_scenarios": 0,
    }
    assert without_stamp(copy.export_data()) == without_stamp(json.loads(exported))
    assert "Æ, ø og å – «sitat»" in exported
    # ids continue after the restored ones
    new = copy.add_milestone(milestone(title="Ny"), changed_by="Kari")
    assert new["id"] == 2 and copy.list_changes()[-1]["id"] == 7


def test_import_of_a_bad_file_changes_nothing(store):
    fill(store)
    before = store.export_data()
    broken = json.loads(store.export_json())
    broken["tables"]["milestones"][0]["status"] = "ukjent"  # would violate a CHECK constraint
    with pytest.raises(ValidationError) as error:  # refused by the validation, before anything is written
        store.import_json(broken, restored_by="Admin")
    assert list(error.value.errors) == ["Milepæler rad 1.status"]
    with pytest.raises(ValidationError):
        store.import_json({"format": "noe annet"}, restored_by="Admin")
    assert without_stamp(store.export_data()) == without_stamp(before)


def test_saved_scenarios_round_trip_through_the_backup(store, tmp_path):
    scenarios = ScenarioStore(store)
    scenarios.save("Fem unge voksne", "netto=+5:20-39", saved_by="Kari")
    scenarios.save("Færre fødsler", "fødsler=-10,siste10")
    exported = store.export_json()
    copy = UserStore(tmp_path / "kopi.sqlite", today=TODAY)
    ScenarioStore(copy).save("Skal overskrives", "netto=-2")
    counts = copy.import_json(exported, restored_by="Admin")
    assert counts["projection_scenarios"] == 2
    assert without_stamp(copy.export_data()) == without_stamp(json.loads(exported))
    restored = {row["name"]: row["scenario"] for row in ScenarioStore(copy).list()}
    assert restored == {"Fem unge voksne": "netto=+5:20-39", "Færre fødsler": "siste10,fødsler=-10"}
    assert ScenarioStore(copy).find("fem UNGE voksne")["saved_by"] == "Kari"


def test_a_backup_with_bad_scenarios_is_refused_and_nothing_is_lost(store):
    ScenarioStore(store).save("Fem unge voksne", "netto=+5:20-39")
    fill(store)
    before = store.export_data()
    broken = json.loads(store.export_json())
    good = broken["tables"]["projection_scenarios"][0]
    broken["tables"]["projection_scenarios"] = [
        {**good, "scenario": "netto=-99999:20-39"},  # absurd
        {**good, "id": 2, "name": "", "scenario": "<script>"},  # no name, unreadable
        {**good, "id": 3, "name": "FEM UNGE VOKSNE"},  # the first name again, in capitals
        {**good, "id": 4, "name": "Hovedalternativet", "scenario": ""},  # nothing to save
    ]
    with pytest.raises(ValidationError) as caught:
        store.import_json(broken, restored_by="Admin")
    errors = caught.value.errors
    assert set(errors) == {
        "Scenarioer rad 1.scenario",
        "Scenarioer rad 2.name",
        "Scenarioer rad 2.scenario",
        "Scenarioer rad 3.name",
        "Scenarioer rad 4.scenario",
    }
    assert errors["Scenarioer rad 2.name"] == "Gi scenarioet et navn."
    assert errors["Scenarioer rad 3.name"] == "Finnes to ganger (også i rad 1)."
    absurd = errors["Scenarioer rad 1.scenario"]
    assert absurd.startswith("Netto flytting på −99 999 personer i året er urimelig")
    assert without_stamp(store.export_data()) == without_stamp(before)


def test_an_older_backup_without_scenarios_keeps_the_saved_ones(store, tmp_path):
    fill(store)
    older = json.loads(store.export_json())
    del older["tables"]["projection_scenarios"]
    ScenarioStore(store).save("Fem unge voksne", "netto=+5:20-39")
    counts = store.import_json(older, restored_by="Admin")
    assert "projection_scenarios" not in counts
    assert [row["name"] for row in ScenarioStore(store).list()] == ["Fem unge voksne"]


# --- concurrency ----------------------------------------------------------------------------


def test_twenty_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "brukerdata.sqlite"
    app_id = UserStore(path, today=TODAY).add_application(application(), changed_by="start")["id"]
    errors, barrier = [], threading.Barrier(20)

    def writer(number):
        try:
            own = UserStore(path, today=TODAY)  # each thread its own store and connections
            barrier.wait()
            for step in range(5):
                own.add_milestone(
                    milestone(title=f"Skriver {number} steg {step}"), changed_by=f"skriver {number}"
                )
            own.update_application(
                app_id, {"note": f"sist endret av {number}"}, changed_by=f"skriver {number}"
            )
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store = UserStore(path, today=TODAY)
    assert errors == []
    assert len(store.list_milestones()) == 100
    assert len({m["title"] for m in store.list_milestones()}) == 100
    assert store.get_application(app_id)["version"] == 21  # no update lost
    assert len(store.list_changes()) == 1 + 100 + 20


# --- separation from the statistics database -------------------------------------------------


def test_store_never_touches_the_statistics_database(tmp_path, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path))
    store = UserStore(today=TODAY)
    assert store.path == tmp_path / "brukerdata.sqlite"
    store.add_application(application(), changed_by="Ola")
    assert not config.database_path().exists()
    assert {p.name for p in tmp_path.iterdir()} <= {
        "brukerdata.sqlite",
        "brukerdata.sqlite-wal",
        "brukerdata.sqlite-shm",
    }
    with pytest.raises(ValueError):
        UserStore(config.database_path())


def test_rebuilding_statistics_leaves_applications_intact(tmp_path, monkeypatch):
    duckdb = pytest.importorskip("duckdb")
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path))
    store = UserStore(today=TODAY)
    store.add_application(application(), changed_by="Ola")
    for _ in range(2):  # build, then rebuild from scratch
        config.database_path().unlink(missing_ok=True)
        with duckdb.connect(str(config.database_path())) as con:
            con.execute("CREATE TABLE population AS SELECT 1835 AS code, 437 AS persons")
    assert [a["municipality_code"] for a in UserStore(today=TODAY).list_applications()] == ["1835"]


# --- combining with the seed ------------------------------------------------------------------


def test_entered_plan_status_wins_over_seed(store):
    store.add_plan_entry(plan_entry(adopted="2024-06-20"), changed_by="Ola")
    seed = pd.DataFrame(
        [
            {
                "municipality_code": "1835",
                "plan_type": "samfunnsdel",
                "period": "2024-2036",
                "adopted": None,
                "status": "på_høring",
                "source_url": "https://traena",
                "source_title": "Høring",
                "note": None,
            }
        ]
    )
    best = best_known_status(
        pd.concat([seed, plan_entries_as_sources(store.list_plan_entries())], ignore_index=True)
    ).iloc[0]
    assert best["status"] == "vedtatt" and best["adopted"] == "2024-06-20"
    assert "registrert av Ola" in best["source_title"]


# --- editor password ----------------------------------------------------------------------------


def test_editing_is_open_without_a_password():
    assert editing_allowed(None, None) and editing_allowed("", "")


def test_editing_requires_the_configured_password():
    assert editing_allowed("blåbær", "blåbær")
    assert not editing_allowed("blabaer", "blåbær")
    assert not editing_allowed(None, "blåbær")


def test_password_from_environment_or_secret(monkeypatch):
    monkeypatch.delenv("NOKKELTALL_EDITOR_PASSWORD", raising=False)
    assert configured_editor_password() is None
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig")
    assert configured_editor_password() == "hemmelig"
    assert configured_editor_password("fra-secrets") == "fra-secrets"


def test_no_answer_is_filled_in_silently(store):
    """Each of the four answers is given or marked «ikke oppgitt»; a skipped one is an error, never
    «nei» or 0."""
    base = {
        "municipality_code": "1875",
        "round_year": 2026,
        "received_date": "2026-11-20",
        "contact_name": "Per",
    }
    with pytest.raises(ValidationError) as refused:
        store.add_application(base, changed_by="Rita")
    assert set(refused.value.errors) == {
        "samfunnsdel_year",
        "progress_plan",
        "has_fact_base",
        "planning_staff_percent",
    }
    assert store.list_applications() == []
    saved = store.add_application(
        {**base, "samfunnsdel_answer": "ikke_oppgitt", "not_given": ["progress_plan", "fact_base", "staff"]},
        changed_by="Rita",
    )
    assert (
        saved["samfunnsdel_answer"],
        saved["progress_plan"],
        saved["has_fact_base"],
        saved["planning_staff_persons"],
        saved["planning_staff_percent"],
    ) == ("ikke_oppgitt", None, None, None, None)
    # a status change keeps «ikke oppgitt»; a later answer replaces it
    assert store.set_application_status(saved["id"], "samtale", "Rita")["progress_plan"] is None
    answered = store.update_application(saved["id"], {"progress_plan": "Vedtak 2027"}, "Rita")
    assert answered["progress_plan"] == "Vedtak 2027" and answered["has_fact_base"] is None
    with pytest.raises(ValidationError) as both:
        store.update_application(
            saved["id"],
            {"planning_staff_percent": 50, "planning_staff_persons": 1, "not_given": ["staff"]},
            "Rita",
        )
    assert both.value.errors == {"planning_staff_percent": v.BOTH_GIVEN}
