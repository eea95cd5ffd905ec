"""Issue 17, items 2, 3, 6, 9 and 11: one cleaning and validation path for everything that enters, a
restore that validates every row before writing anything, versioned decks, stale deletes refused and
password guessing throttled. Each test states the failure it reproduces.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import threading

import docx
import pandas as pd
import pytest
from store_inputs import TODAY, application, milestone, plan_entry

from nokkeltall import report
from nokkeltall.datasets import Dataset
from nokkeltall.report import brief
from nokkeltall.store import ConflictError, UserStore, ValidationError
from nokkeltall.store import validation as v
from nokkeltall.store.access import PasswordGuard, wait_after
from nokkeltall.store.decks import NAME_TAKEN, DeckStore

SLIDES = [{"indicator_id": "population", "codes": ["1835", "5043"], "view": "linjer", "base_year": None}]
UNSAFE = "Linje én\x0bLinje to\x00 \u202eslutt\u202c \ufeff\x1b[31m"  # Word's Shift+Enter, NUL, RTL override


# a plan status row as saved before the cleaning existed (written straight to the file)
OLD_PLAN_ROW = (
    "INSERT INTO plan_status_entries (municipality_code, plan_type, status, adopted, source, "
    "note, entered_by, entered_at, updated_by, updated_at) VALUES ('1835', 'samfunnsdel', "
    "'vedtatt', '2020', ?, ?, ?, '2026-01-01T00:00:00+00:00', 'Ola', "
    "'2026-01-01T00:00:00+00:00')"
)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# --- 3: control characters, bidi overrides, lengths ------------------------------------------------


def test_clean_text_removes_control_and_bidi_characters():
    assert v.clean_text(UNSAFE) == "Linje én\nLinje to slutt [31m"
    assert v.clean_text("a\r\nb\rc\x0cd\u2028e") == "a\nb\nc\nd\ne"
    assert v.clean_text("a\n\tb", multiline=False) == "a b"
    assert v.clean_text("lone \ud800 surrogate") == "lone  surrogate"
    assert v.clean_text("Træna 🏔️ ÆØÅ – «sitat»") == "Træna 🏔️ ÆØÅ – «sitat»"  # ordinary text untouched


def test_every_text_field_is_cleaned_before_it_is_saved(store):
    """Before: a vertical tab or NUL was stored as typed, and every later .docx failed."""
    given = application(progress_plan=UNSAFE, note=UNSAFE, contact_name="Kari\x00 Nordmann")
    saved = store.add_application(given, changed_by="Ola\u202e")
    assert saved["progress_plan"] == saved["note"] == "Linje én\nLinje to slutt [31m"
    assert saved["contact_name"] == "Kari Nordmann" and saved["entered_by"] == "Ola"
    entry = store.add_plan_entry(plan_entry(source="Sak\x0b12/24", period="2024\x002036"), changed_by="Ola")
    assert (entry["source"], entry["period"]) == ("Sak 12/24", "20242036")
    (row,) = store.save_milestones("1835", [milestone(title="Høring\x0b\u202eslutt")], changed_by="Ola")
    assert row["title"] == "Høring slutt"


@pytest.mark.parametrize(
    "field", ["progress_plan", "fact_base_description", "contact_name", "contact_email", "note"]
)
def test_a_one_megabyte_string_is_refused_with_a_norwegian_message(store, field):
    """Before: fields had no length limit (1 MB accepted)."""
    with pytest.raises(ValidationError) as error:
        store.add_application(application(**{field: "a" * 1_000_000}), changed_by="Ola")
    assert (
        error.value.errors[field].startswith("Teksten er for lang (høyst")
        or error.value.errors[field] == v.EMAIL
    )
    assert store.list_applications() == []


def test_one_megabyte_in_the_plan_form_editor_and_deck_is_refused(store):
    for call in (
        lambda: store.add_plan_entry(plan_entry(source="x" * 1_000_000), changed_by="Ola"),
        lambda: store.save_milestones("1835", [milestone(title="x" * 1_000_000)], changed_by="Ola"),
        lambda: store.add_milestone(milestone(), changed_by="x" * 1_000_000),
        lambda: DeckStore(store).save("x" * 1_000_000, SLIDES, "Ola"),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert any("for lang" in m for m in error.value.errors.values()), error.value.errors


def test_the_brief_docx_never_fails_on_control_characters_even_from_old_rows(store, con):
    """Before: ``ValueError: All strings must be XML compatible`` for a vertical tab in an application or
    a plan-status source. Rows saved before the cleaning existed are written straight to the file here."""
    saved = store.add_application(application(), changed_by="Ola")
    with sqlite3.connect(store.path) as raw:
        raw.execute(
            "UPDATE applications SET progress_plan = ?, note = ? WHERE id = ?", (UNSAFE, UNSAFE, saved["id"])
        )
        raw.execute(OLD_PLAN_ROW, ("Sak\x0b12\x00/20 \u202e", None, "Ola"))
    conversation = brief.build_brief(
        con, store.get_application(saved["id"]), store.list_plan_entries("1835"), [], TODAY
    )
    text = docx_text(brief.brief_docx(conversation))
    assert "Linje én" in text and "\x0b" not in text and "\u202e" not in text


def test_the_fact_base_document_never_fails_on_control_characters(store, con):
    with sqlite3.connect(store.path) as raw:
        raw.execute(OLD_PLAN_ROW, ("Sak\x0b12/20", UNSAFE, "Ola\x0b"))
    for fmt in ("docx", "html"):
        data = report.render_bytes(con, "1835", fmt, charts=False, as_of=TODAY, store=store)
        text = docx_text(data) if fmt == "docx" else data.decode("utf-8")
        assert "Sak" in text and not any(c in text for c in "\x0b\x00\u202e\ufeff"), fmt


def test_imported_datasets_are_cleaned_too():
    frame = pd.DataFrame(
        [
            {
                "municipality_code": "1835",
                "plan_type": "samfunnsdel",
                "period": "2020\x0b2030",
                "adopted": "2020",
                "status": "vedtatt",
                "source_url": "https://x",
                "source_title": "\u202eTitle",
                "note": "a\x00b",
            }
        ]
    )
    cleaned = Dataset("p", "plan_status_sources", frame, "X", "t", "s").frame.iloc[0]
    assert (cleaned["period"], cleaned["source_title"], cleaned["note"]) == ("2020\n2030", "Title", "ab")


# --- 6: restore validates everything before writing anything ---------------------------------------


def filled(store) -> dict:
    app = store.add_application(application(), changed_by="Ola")
    store.set_application_status(app["id"], "samtale", changed_by="Kari")
    store.add_milestone(milestone(), changed_by="Ola")
    store.add_plan_entry(plan_entry(), changed_by="Ola")
    DeckStore(store).save("Samling", SLIDES, "Ola")
    return store.export_data()


def without_stamp(export):
    return {k: value for k, value in export.items() if k != "exported_at"}


BAD_BACKUPS = {
    "received_date not a date": ("applications", "received_date", "not-a-date", v.DATE_FORMAT),
    "unknown application status": ("applications", "status", "godkjent", "Velg en av"),
    "unknown milestone status": ("milestones", "status", "ukjent", "Velg en av"),
    "dict as a value": ("applications", "note", {"a": 1}, v.NOT_TEXT),
    "list as a number": ("applications", "planning_staff_percent", [1, 2], v.STAFF_PERCENT),
    "dict as a date": ("milestones", "start_date", {"y": 2027}, v.DATE_FORMAT),
    "bad version": ("milestones", "version", "1; DROP TABLE", v.ID_MESSAGE),
    "bad change action": ("change_log", "action", "hacket", "Velg en av"),
    "change values not JSON": ("change_log", "new_values", "{not json", v.JSON_TEXT_MESSAGE),
    "deck slides not a list": ("decks", "slides", '{"a": 1}', v.DECK_BAD_SLIDES),
    "1 MB text": ("plan_status_entries", "source", "x" * 1_000_000, "for lang"),
}


@pytest.mark.parametrize("case", BAD_BACKUPS)
def test_a_faulty_backup_is_refused_and_nothing_is_written(store, tmp_path, case):
    """Before: ``received_date: "not-a-date"`` restored, and the Plan page, the county overview and the
    brief then showed a ValueError on every visit; an unknown status or a dict as a value gave an
    IntegrityError / ProgrammingError traceback."""
    backup = filled(store)
    target = UserStore(tmp_path / "other.sqlite", today=TODAY)
    before = filled(target)
    table, field, value, message = BAD_BACKUPS[case]
    backup["tables"][table][0][field] = value
    with pytest.raises(ValidationError) as error:
        target.import_json(json.dumps(backup), restored_by="Admin")
    ((key, text),) = error.value.errors.items()
    assert key.endswith(f"rad 1.{field}") and message in text, (key, text)
    assert without_stamp(target.export_data()) == without_stamp(before), "nothing was written"


@pytest.mark.parametrize(
    "payload",
    [
        "[" * 200_000 + "]" * 200_000,
        '{"format": ' + "[" * 200_000,
        b"\xff\xfe not utf-8",
        "{not json",
        "x" * 60_000_000,
    ],
)
def test_a_broken_or_deeply_nested_file_gives_a_norwegian_message(store, payload):
    """Before: 200,000-deep nesting raised RecursionError."""
    before = filled(store)
    with pytest.raises(ValidationError) as error:
        store.import_json(payload, restored_by="Admin")
    assert "Ingenting er endret" in error.value.errors["file"]
    assert without_stamp(store.export_data()) == without_stamp(before)


def test_a_restore_cleans_text_and_brings_the_decks_back(store, tmp_path):
    backup = filled(store)
    backup["tables"]["applications"][0]["note"] = UNSAFE
    target = UserStore(tmp_path / "other.sqlite", today=TODAY)
    counts = target.import_json(json.dumps(backup), restored_by="Admin")
    assert counts["decks"] == 1 and DeckStore(target).list()[0]["name"] == "Samling"
    assert target.list_applications()[0]["note"] == "Linje én\nLinje to slutt [31m"


def test_a_backup_from_before_decks_keeps_the_decks(store, tmp_path):
    backup = filled(store)
    del backup["tables"]["decks"]
    target = UserStore(tmp_path / "other.sqlite", today=TODAY)
    DeckStore(target).save("Lokalt sett", SLIDES, "Per")
    counts = target.import_json(backup, restored_by="Admin")
    assert "decks" not in counts and [d["name"] for d in DeckStore(target).list()] == ["Lokalt sett"]


def test_duplicate_rows_in_a_backup_are_named(store, tmp_path):
    backup = filled(store)
    backup["tables"]["applications"].append(dict(backup["tables"]["applications"][0], id=99))
    with pytest.raises(ValidationError) as error:
        UserStore(tmp_path / "other.sqlite", today=TODAY).import_json(backup, restored_by="Admin")
    assert "Søknader rad 2.application" in error.value.errors
    assert "Finnes to ganger (også i rad 1)" in error.value.errors["Søknader rad 2.application"]


# --- 2: decks versioned -------------------------------------------------------------------------------


def concurrently(calls) -> list:
    results, barrier = [None] * len(calls), threading.Barrier(len(calls))

    def run(number, call):
        barrier.wait()
        try:
            results[number] = call()
        except (ConflictError, ValidationError) as error:  # anything else stays None: the test fails
            results[number] = error

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_concurrent_saves_of_one_name_one_wins(store):
    """Before: all 20 succeeded and the last one won silently."""
    decks = DeckStore(store)
    results = concurrently(
        [lambda n=n: decks.save("Samling", SLIDES * (n + 1), f"Person {n}") for n in range(20)]
    )
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(won) == 1 and len(lost) == 19 and all(r.message == NAME_TAKEN for r in lost)
    (saved,) = decks.list()
    assert len(saved["slides"]) == len(won[0]["slides"]) and saved["version"] == 1
    # twenty replacing the version they opened: again one wins, and the version grows by one
    results = concurrently(
        [lambda n=n: decks.save("Samling", SLIDES, f"Person {n}", expected_version=1) for n in range(20)]
    )
    assert sum(isinstance(r, dict) for r in results) == 1
    lost = [r for r in results if isinstance(r, ConflictError)]
    assert len(lost) == 19 and all("endret eller slettet av noen andre" in r.message for r in lost)
    assert decks.list()[0]["version"] == 2
    assert [c["action"] for c in store.list_changes("decks")] == ["opprettet", "endret"]


# --- 9: a stale delete is a conflict ------------------------------------------------------------------


def test_a_stale_delete_in_the_editor_does_not_remove_a_fresh_edit(store):
    """Before: user A's stale delete removed user B's fresh edit."""
    (row,) = store.save_milestones("1835", [milestone()], changed_by="A")
    opened_by_a = {row["id"]: row["version"]}
    store.update_milestone(
        row["id"], {"title": "Endret av B"}, changed_by="B", expected_version=row["version"]
    )
    with pytest.raises(ConflictError):
        store.save_milestones("1835", [], changed_by="A", loaded=opened_by_a)  # A deleted the row
    assert [m["title"] for m in store.list_milestones("1835")] == ["Endret av B"]
    with pytest.raises(ConflictError):
        store.delete_milestone(row["id"], changed_by="A", expected_version=row["version"])
    store.delete_milestone(row["id"], changed_by="B", expected_version=row["version"] + 1)
    assert store.list_milestones("1835") == []


# --- 11: password guessing ----------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_password_attempts_wait_longer_after_three_failures_and_are_logged_without_the_password(caplog):
    """Before: 30 wrong passwords in 64 s, no delay."""
    clock = Clock()
    guard = PasswordGuard(clock, session="test")
    caplog.set_level(logging.WARNING, logger="nokkeltall.store.access")
    assert [guard.check(f"feil{n}", "hemmelig")[1] for n in range(3)] == [0.0, 0.0, 2.0]
    assert guard.check("hemmelig", "hemmelig") == (False, 2.0), "refused unchecked while waiting"
    assert guard.check("feil2", "hemmelig") == (False, 2.0), "the same attempt is not counted twice"
    clock.now += 2
    assert guard.check("feil3", "hemmelig") == (False, 4.0)
    # thirty guesses, each made as soon as allowed, take far longer than 64 s
    for n in range(26):
        clock.now += guard.wait()
        guard.check(f"gjett{n}", "hemmelig")
    assert clock.now - 1000.0 > 3600 and wait_after(30) == 300.0
    clock.now += guard.wait()
    assert guard.check("hemmelig", "hemmelig") == (True, 0.0) and guard.failures == 0
    assert len(caplog.records) == 30
    assert not any(
        "feil" in r.getMessage() or "gjett" in r.getMessage() or "hemmelig" in r.getMessage()
        for r in caplog.records
    )
