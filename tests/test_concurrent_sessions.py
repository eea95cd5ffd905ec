"""20 concurrent sessions editing applications and milestones: no write lost, no error.

Streamlit serves each session on its own thread and the pages share one ``UserStore`` per process
(``nokkeltall.ui.store.user_store``), so the sessions here are 20 threads making the store calls the
Søknader and Plan pages make, in the same order (read, then write with what was read). Half of the
threads use the shared store object, half their own (as a second server process would). A barrier
starts them together so the writes really overlap.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from nokkeltall.store import ConflictError, NotFoundError, UserStore

SESSIONS = 20
EDITS = 5
TODAY = date(2026, 11, 26)
# 20 network municipalities (Nordland 18xx, Trøndelag 50xx)
CODES = [
    "1811",
    "1812",
    "1815",
    "1816",
    "1818",
    "1825",
    "1826",
    "1827",
    "1828",
    "1835",
    "1836",
    "1838",
    "5014",
    "5022",
    "5026",
    "5027",
    "5043",
    "5044",
    "5045",
    "5046",
]


@pytest.fixture()
def store_path(tmp_path):
    path = tmp_path / "brukerdata.sqlite"
    UserStore(path, today=TODAY)  # schema once, as at server start
    return path


def application(code: str) -> dict:
    return {
        "municipality_code": code,
        "round_year": 2026,
        "received_date": "2026-11-01",
        "status": "mottatt",
        "contact_name": f"Kontakt {code}",
        "contact_email": f"post@k{code}.no",
        "samfunnsdel_year": "2018",
        "progress_plan": "Planstrategi 2027",
        "has_fact_base": False,
        "fact_base_description": "",
        "planning_staff_persons": 1,
        "planning_staff_percent": 40.0,
        "note": "",
    }


def run_sessions(work, store_path) -> list:
    shared = UserStore(store_path, today=TODAY)
    start = threading.Barrier(SESSIONS)

    def session(number: int):
        store = shared if number % 2 == 0 else UserStore(store_path, today=TODAY)
        start.wait(timeout=30)
        return work(number, store)

    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        futures = [pool.submit(session, number) for number in range(SESSIONS)]
        return [future.result(timeout=120) for future in futures]  # re-raises any error in a session


def test_twenty_sessions_register_and_edit_their_own_applications(store_path):
    def work(number: int, store: UserStore):
        saved = store.add_application(application(CODES[number]), changed_by=f"Saksbehandler {number}")
        for edit in range(EDITS):
            current = store.get_application(saved["id"])  # the form opens with what is stored
            store.update_application(
                saved["id"],
                {"note": f"endring {edit} fra økt {number}", "status": ["mottatt", "samtale"][edit % 2]},
                changed_by=f"Saksbehandler {number}",
                expected_version=current["version"],
            )
        return saved["id"]

    ids = run_sessions(work, store_path)
    store = UserStore(store_path, today=TODAY)
    stored = {a["id"]: a for a in store.list_applications(2026)}
    assert sorted(stored) == sorted(ids) and len(ids) == SESSIONS
    for number, row_id in enumerate(ids):
        row = stored[row_id]
        assert row["municipality_code"] == CODES[number]
        assert row["note"] == f"endring {EDITS - 1} fra økt {number}"
        assert row["version"] == 1 + EDITS
    assert len(store.list_changes("applications")) == SESSIONS * (1 + EDITS)


def test_twenty_sessions_editing_one_application_lose_nothing(store_path):
    """Everyone adds a line to the same note. A stale form is refused (ConflictError, shown as a
    message on the page); the session reloads and saves again, so every line ends up in the note."""
    store = UserStore(store_path, today=TODAY)
    saved = store.add_application(application("1835"), changed_by="Start")
    conflicts = []

    def work(number: int, store: UserStore):
        while True:
            current = store.get_application(saved["id"])
            lines = [line for line in (current["note"] or "").splitlines() if line]
            try:
                store.update_application(
                    saved["id"],
                    {"note": "\n".join([*lines, f"økt {number}"])},
                    changed_by=f"Økt {number}",
                    expected_version=current["version"],
                )
                return number
            except ConflictError as error:
                assert error.message.startswith("Posten er endret av noen andre")
                conflicts.append(number)

    run_sessions(work, store_path)
    final = store.get_application(saved["id"])
    assert sorted(final["note"].splitlines()) == sorted(f"økt {n}" for n in range(SESSIONS))
    assert final["version"] == 1 + SESSIONS
    assert len(store.list_changes("applications", saved["id"])) == 1 + SESSIONS


def milestone(title: str, day: int) -> dict:
    return {
        "plan_type": "planstrategi",
        "title": title,
        "start_date": f"2027-02-{day:02d}",
        "end_date": None,
        "status": "planlagt",
        "note": "",
    }


def test_twenty_sessions_saving_milestones_keep_each_others_rows(store_path):
    """Two sessions per municipality, ten municipalities. Each opens the plan page's editor (the
    rows as loaded), adds its own milestone and saves the whole table, as the page does. A milestone
    another session saved in between must survive: only rows the user deleted are deleted."""

    def work(number: int, store: UserStore):
        code = CODES[number // 2]
        for edit in range(EDITS):
            loaded = store.list_milestones(code)  # what the editor showed
            rows = [
                {k: row[k] for k in ("id", "plan_type", "title", "start_date", "end_date", "status", "note")}
                for row in loaded
            ]
            rows.append(milestone(f"økt {number} milepæl {edit}", 1 + number % 20))
            while True:
                try:
                    store.save_milestones(
                        code,
                        rows,
                        changed_by=f"Økt {number}",
                        loaded={row["id"]: row["version"] for row in loaded},
                    )
                    break
                except ConflictError:  # a row the user did not touch changed: reload and add again
                    loaded = store.list_milestones(code)
                    rows = [
                        {
                            k: row[k]
                            for k in ("id", "plan_type", "title", "start_date", "end_date", "status", "note")
                        }
                        for row in loaded
                    ]
                    rows.append(milestone(f"økt {number} milepæl {edit}", 1 + number % 20))
        return number

    run_sessions(work, store_path)
    store = UserStore(store_path, today=TODAY)
    for pair in range(SESSIONS // 2):
        titles = sorted(m["title"] for m in store.list_milestones(CODES[pair]))
        expected = sorted(f"økt {n} milepæl {e}" for n in (2 * pair, 2 * pair + 1) for e in range(EDITS))
        assert titles == expected, CODES[pair]


def test_a_deleted_milestone_stays_deleted_and_a_stale_edit_is_refused(store_path):
    store = UserStore(store_path, today=TODAY)
    first = store.save_milestones("1835", [milestone("Oppstart", 1), milestone("Høring", 2)], changed_by="A")
    loaded_a = store.list_milestones("1835")
    loaded_b = store.list_milestones("1835")
    # A deletes «Høring»; B (still showing both) renames «Oppstart»
    store.save_milestones(
        "1835",
        [r for r in loaded_a if r["title"] == "Oppstart"],
        changed_by="A",
        loaded={r["id"]: r["version"] for r in loaded_a},
    )
    renamed = [{**r, "title": "Oppstart (flyttet)"} if r["title"] == "Oppstart" else r for r in loaded_b]
    with pytest.raises((ConflictError, NotFoundError)):  # B still has «Høring», which A deleted
        store.save_milestones(
            "1835", renamed, changed_by="B", loaded={r["id"]: r["version"] for r in loaded_b}
        )
    assert [m["title"] for m in store.list_milestones("1835")] == ["Oppstart"]
    assert len(first) == 2
