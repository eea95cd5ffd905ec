"""The user-data store: plan status entries, milestones, applications and their change log.

One SQLite file (``config.user_database_path()``), apart from the statistics DuckDB, so that
rebuilding statistics never touches what users entered. WAL mode and a busy timeout let several
Streamlit sessions write at once; every write is one ``BEGIN IMMEDIATE`` transaction that also
writes the change log, so nothing is saved half-way and concurrent updates are serialised.
Each call opens its own connection, so a store object may be shared between threads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from nokkeltall import config
from nokkeltall.plan import status as plan_status
from nokkeltall.store import validation
from nokkeltall.store.schema import (
    ADDED_COLUMNS,
    EXPORTED_TABLES,
    INDEXES,
    MIGRATIONS,
    OPTIONAL_IN_BACKUP,
    SCHEMA_VERSION,
    TABLES,
)

EXPORT_FORMAT = "nokkeltall-brukerdata"
BUSY_TIMEOUT_SECONDS = 30.0
CONFLICT_MESSAGE = "Posten er endret av noen andre siden du åpnet den. Last inn på nytt og prøv igjen."
NOT_FOUND_MESSAGE = "Posten finnes ikke (den kan være slettet)."

Cleaner = Callable[[dict, date | None], tuple[dict, dict[str, str]]]
CLEANERS: dict[str, Cleaner] = {
    "plan_status_entries": validation.clean_plan_entry,
    "milestones": validation.clean_milestone,
    "applications": validation.clean_application,
}
BOOLEAN_COLUMNS = {"applications": ("has_fact_base",)}
BACKUP_BYTES_LIMIT = 50_000_000
NOT_A_BACKUP = "Filen er ikke en sikkerhetskopi fra nøkkeltall."
ERRORS_SHOWN = 20  # a restore names at most this many faulty fields


class ValidationError(ValueError):
    """Input that cannot be saved; ``errors`` maps field -> Norwegian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


IMPORTED_FIELDS = (
    "municipality_code",
    "round_year",
    "received_date",
    "contact_name",
    "contact_email",
    "samfunnsdel_answer",
    "samfunnsdel_year",
    "progress_plan",
    "has_fact_base",
    "fact_base_description",
    "planning_staff_persons",
    "planning_staff_percent",
    "planning_staff_text",
)


@dataclass
class ImportResult:
    """What an import did, per spreadsheet row: (row number, application[, {field: (old, new)}])."""

    created: list[tuple[int, dict]] = field(default_factory=list)
    changed: list[tuple[int, dict, dict]] = field(default_factory=list)
    unchanged: list[tuple[int, dict]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} nye, {len(self.changed)} endret (ny versjon), "
            f"{len(self.unchanged)} uendret."
        )


class _DryRun(Exception):
    """Rolls back the transaction of a dry run."""


class ConflictError(RuntimeError):
    """Someone else changed the row since it was read (``expected_version`` did not match)."""

    def __init__(self, message: str = CONFLICT_MESSAGE):
        super().__init__(message)
        self.message = message


class NotFoundError(KeyError):
    def __init__(self, table: str, row_id: int):
        super().__init__(f"{table} {row_id}: {NOT_FOUND_MESSAGE}")
        self.message = NOT_FOUND_MESSAGE


def now_utc() -> str:
    """The timestamp written on every change (UTC, ISO 8601, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def insert_row(conn: sqlite3.Connection, table: str, row: dict) -> int:
    """INSERT one row given as column → value (table and column names come from the schema, values are
    bound); the new row's id."""
    columns = ", ".join(row)
    cursor = conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    )
    if cursor.lastrowid is None:  # sqlite3 sets it after every INSERT
        raise sqlite3.DatabaseError(f"INSERT INTO {table} ga ingen rad-id")
    return cursor.lastrowid


def _new_row_stamps(who: str, stamp: str) -> dict:
    """Who entered a new row and when (also its first update), at version 1."""
    return {"entered_by": who, "entered_at": stamp, "updated_by": who, "updated_at": stamp, "version": 1}


class UserStore:
    """What users enter, in its own SQLite file. ``today`` fixes the date used by validation."""

    def __init__(self, path: str | Path | None = None, today: date | None = None):
        self.path = Path(path) if path is not None else config.user_database_path()
        self._refuse_statistics_database()
        self.today = today
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._create_schema()

    # --- connections and transactions -------------------------------------------------------

    def _refuse_statistics_database(self) -> None:
        if self.path.suffix == ".duckdb" or self.path.resolve() == config.database_path().resolve():
            raise ValueError("brukerdata skal aldri lagres i statistikkdatabasen")

    def connect(self) -> sqlite3.Connection:
        """A new connection in autocommit mode (transactions are explicit), with a busy timeout."""
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is saved, or none of it (BEGIN IMMEDIATE ... COMMIT)."""
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _create_schema(self) -> None:
        conn = self.connect()
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            existing = conn.execute("SELECT name FROM sqlite_master WHERE name = 'applications'").fetchone()
            if existing and 0 < version < SCHEMA_VERSION:
                for step in range(version, SCHEMA_VERSION):
                    for ddl in MIGRATIONS[step]:
                        conn.execute(ddl)
            for ddl in TABLES.values():
                conn.execute(ddl)
            for table, columns in ADDED_COLUMNS.items():
                present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                for column, definition in columns.items():
                    if column not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
            for ddl in INDEXES:
                conn.execute(ddl)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def journal_mode(self) -> str:
        conn = self.connect()
        try:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            conn.close()

    # --- generic row operations -------------------------------------------------------------

    def _clean(self, table: str, data: dict, changed_by: str) -> tuple[dict, str]:
        """The cleaned record and the cleaned «Ditt navn»; ValidationError when either is wrong."""
        record, errors = CLEANERS[table](data, self.today)
        who, name_error = validation.read_name(changed_by)
        if name_error:
            errors["changed_by"] = name_error
        if errors:
            raise ValidationError(errors)
        return record, who

    @staticmethod
    def _who(changed_by: str) -> str:
        who, error = validation.read_name(changed_by)
        if error:
            raise ValidationError({"changed_by": error})
        return who

    def _add(self, table: str, data: dict, changed_by: str) -> dict:
        record, who = self._clean(table, data, changed_by)
        stamp = now_utc()
        record.update(_new_row_stamps(who, stamp))
        with self.transaction() as conn:
            self._check_unique(conn, table, record, row_id=None)
            row = self._fetch(conn, table, insert_row(conn, table, record))
            self._log(conn, table, row["id"], "opprettet", None, row, who, stamp)
        return self._public(table, row)

    def _update(
        self, table: str, row_id: int, changes: dict, changed_by: str, expected_version: int | None = None
    ) -> dict:
        with self.transaction() as conn:
            old = self._fetch(conn, table, row_id)
            if expected_version is not None and old["version"] != expected_version:
                raise ConflictError()
            merged = {**self._public(table, old), **changes}
            if table == "applications":  # an answer the change does not touch stays «ikke oppgitt»
                kept = {
                    answer
                    for answer in validation.not_given_of(old)
                    if not set(validation.ANSWER_FIELDS[answer]) & set(changes)
                }
                merged["not_given"] = kept | set(changes.get("not_given") or ())
            record, who = self._clean(table, merged, changed_by)
            if all(self._public(table, old).get(k) == v for k, v in record.items()):
                return self._public(table, old)  # nothing changed: no write, no log entry
            self._check_unique(conn, table, record, row_id=row_id)
            stamp = now_utc()
            record.update(updated_by=who, updated_at=stamp, version=old["version"] + 1)
            assignments = ", ".join(f"{c} = ?" for c in record)
            conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*record.values(), row_id])
            new = self._fetch(conn, table, row_id)
            self._log(conn, table, row_id, "endret", old, new, who, stamp)
        return self._public(table, new)

    def _delete(self, table: str, row_id: int, changed_by: str, expected_version: int | None = None) -> None:
        who = self._who(changed_by)
        with self.transaction() as conn:
            old = self._fetch(conn, table, row_id)
            if expected_version is not None and old["version"] != expected_version:
                raise ConflictError()
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
            self._log(conn, table, row_id, "slettet", old, None, who, now_utc())

    def _list(self, table: str, where: dict, order: str) -> list[dict]:
        filters = {column: value for column, value in where.items() if value is not None}
        sql = f"SELECT * FROM {table}"
        if filters:
            sql += " WHERE " + " AND ".join(f"{column} = ?" for column in filters)
        conn = self.connect()
        try:
            rows = conn.execute(f"{sql} ORDER BY {order}", list(filters.values())).fetchall()
        finally:
            conn.close()
        return [self._public(table, dict(row)) for row in rows]

    def _get(self, table: str, row_id: int) -> dict:
        conn = self.connect()
        try:
            return self._public(table, self._fetch(conn, table, row_id))
        finally:
            conn.close()

    @staticmethod
    def _fetch(conn: sqlite3.Connection, table: str, row_id: int) -> dict:
        row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            raise NotFoundError(table, row_id)
        return dict(row)

    @staticmethod
    def _public(table: str, row: dict) -> dict:
        """The row as callers see it (booleans as bool)."""
        out = dict(row)
        for column in BOOLEAN_COLUMNS.get(table, ()):
            if column in out and out[column] is not None:
                out[column] = bool(out[column])
        return out

    @staticmethod
    def _check_unique(conn: sqlite3.Connection, table: str, record: dict, row_id: int | None) -> None:
        if table != "applications":
            return
        clash = conn.execute(
            "SELECT id FROM applications WHERE municipality_code = ? AND round_year = ? AND id IS NOT ?",
            (record["municipality_code"], record["round_year"], row_id),
        ).fetchone()
        if clash:
            raise ValidationError({"municipality_code": validation.DUPLICATE_APPLICATION})

    @staticmethod
    def _log(
        conn: sqlite3.Connection,
        table: str,
        row_id: int,
        action: str,
        old: dict | None,
        new: dict | None,
        who: str,
        stamp: str,
    ) -> None:
        as_json = lambda row: None if row is None else json.dumps(row, ensure_ascii=False, sort_keys=True)  # noqa: E731
        conn.execute(
            "INSERT INTO change_log (changed_at, changed_by, table_name, row_id, action, old_values,"
            " new_values) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (stamp, who, table, row_id, action, as_json(old), as_json(new)),
        )

    # --- plan status entries ----------------------------------------------------------------

    def add_plan_entry(self, entry: dict, changed_by: str) -> dict:
        """Save a plan status fact (municipality_code, plan_type, status, adopted, period, source, note)."""
        return self._add("plan_status_entries", entry, changed_by)

    def update_plan_entry(
        self, entry_id: int, changes: dict, changed_by: str, expected_version: int | None = None
    ) -> dict:
        return self._update("plan_status_entries", entry_id, changes, changed_by, expected_version)

    def delete_plan_entry(self, entry_id: int, changed_by: str, expected_version: int | None = None) -> None:
        self._delete("plan_status_entries", entry_id, changed_by, expected_version)

    def list_plan_entries(
        self, municipality_code: str | None = None, plan_type: str | None = None
    ) -> list[dict]:
        return self._list(
            "plan_status_entries",
            {"municipality_code": municipality_code, "plan_type": plan_type},
            "municipality_code, plan_type, entered_at, id",
        )

    # --- milestones (framdriftsplan) --------------------------------------------------------

    def add_milestone(self, milestone: dict, changed_by: str) -> dict:
        """Save a milestone (municipality_code, plan_type, title, start_date, end_date, status, note)."""
        return self._add("milestones", milestone, changed_by)

    def update_milestone(
        self, milestone_id: int, changes: dict, changed_by: str, expected_version: int | None = None
    ) -> dict:
        return self._update("milestones", milestone_id, changes, changed_by, expected_version)

    def delete_milestone(self, milestone_id: int, changed_by: str, expected_version: int) -> None:
        """Delete a milestone as it was when read (``expected_version``): a stale delete is a conflict."""
        self._delete("milestones", milestone_id, changed_by, int(expected_version))

    def list_milestones(
        self, municipality_code: str | None = None, plan_type: str | None = None
    ) -> list[dict]:
        return self._list(
            "milestones",
            {"municipality_code": municipality_code, "plan_type": plan_type},
            "municipality_code, start_date, id",
        )

    def save_milestones(
        self, municipality_code: str, rows: list[dict], changed_by: str, loaded: dict[int, int] | None = None
    ) -> list[dict]:
        """Make the municipality's milestones equal ``rows`` (e.g. from ``st.data_editor``).

        Rows with an ``id`` update that milestone, rows without one are added, and milestones of
        the municipality missing from ``rows`` are deleted — all in one transaction. Every row is
        validated first; errors are keyed ``"<row number>.<field>"`` (row numbers from 1).

        ``loaded`` (id → version of the rows the editor showed) makes concurrent editing safe: only
        those rows can be deleted (a milestone someone else added meanwhile is kept), and a changed
        row whose stored version differs from the loaded one raises ``ConflictError``.
        """
        loaded = None if loaded is None else {int(k): int(v) for k, v in loaded.items()}
        cleaned, errors = [], {}
        who, name_error = validation.read_name(changed_by)
        if name_error:
            errors["changed_by"] = name_error
        for number, row in enumerate(rows, start=1):
            record, row_errors = validation.clean_milestone(
                {**row, "municipality_code": municipality_code}, self.today
            )
            errors.update({f"{number}.{field}": message for field, message in row_errors.items()})
            row_id: Any = row.get("id")  # an id from the form, or blank for a new row
            cleaned.append((None if validation.is_blank(row_id) else int(row_id), record))
        if errors:
            raise ValidationError(errors)
        stamp = now_utc()
        with self.transaction() as conn:
            existing = {
                row["id"]: dict(row)
                for row in conn.execute(
                    "SELECT * FROM milestones WHERE municipality_code = ?", (municipality_code,)
                )
            }
            kept = {row_id for row_id, _ in cleaned if row_id is not None}
            self._delete_missing(conn, existing, kept, loaded, who, stamp)
            for row_id, record in cleaned:
                if row_id is None:
                    self._insert_in(conn, record, who, stamp)
                elif row_id not in existing:
                    raise NotFoundError("milestones", row_id)
                elif any(existing[row_id][k] != v for k, v in record.items()):
                    old = existing[row_id]
                    if loaded is not None and loaded.get(row_id) != old["version"]:
                        raise ConflictError()
                    record.update(updated_by=who, updated_at=stamp, version=old["version"] + 1)
                    conn.execute(
                        f"UPDATE milestones SET {', '.join(f'{c} = ?' for c in record)} WHERE id = ?",
                        [*record.values(), row_id],
                    )
                    self._log(
                        conn,
                        "milestones",
                        row_id,
                        "endret",
                        old,
                        self._fetch(conn, "milestones", row_id),
                        who,
                        stamp,
                    )
        return self.list_milestones(municipality_code)

    def _delete_missing(
        self,
        conn: sqlite3.Connection,
        existing: dict[int, dict],
        kept: set[int],
        loaded: dict[int, int] | None,
        who: str,
        stamp: str,
    ) -> None:
        """Delete the milestones the editor no longer holds: only those it showed (``loaded``), and only
        as they were shown — one changed by someone else since is a conflict, not a silent loss."""
        deletable = set(existing) if loaded is None else set(existing) & set(loaded)
        for row_id in sorted(deletable - kept):
            if loaded is not None and loaded[row_id] != existing[row_id]["version"]:
                raise ConflictError()
            conn.execute("DELETE FROM milestones WHERE id = ?", (row_id,))
            self._log(conn, "milestones", row_id, "slettet", existing[row_id], None, who, stamp)

    def _insert_in(self, conn: sqlite3.Connection, record: dict, who: str, stamp: str) -> None:
        row_id = insert_row(conn, "milestones", {**record, **_new_row_stamps(who, stamp)})
        self._log(
            conn, "milestones", row_id, "opprettet", None, self._fetch(conn, "milestones", row_id), who, stamp
        )

    # --- applications -----------------------------------------------------------------------

    def add_application(self, application: dict, changed_by: str) -> dict:
        """Save an application (see ``validation.clean_application`` for the fields)."""
        return self._add("applications", application, changed_by)

    def update_application(
        self, application_id: int, changes: dict, changed_by: str, expected_version: int | None = None
    ) -> dict:
        return self._update("applications", application_id, changes, changed_by, expected_version)

    def set_application_status(
        self, application_id: int, status: str, changed_by: str, expected_version: int | None = None
    ) -> dict:
        """Move an application along: mottatt → samtale → valgt / ikke_valgt."""
        return self.update_application(application_id, {"status": status}, changed_by, expected_version)

    def save_assessment(
        self, application_id: int, assessment: dict, changed_by: str, expected_version: int | None = None
    ) -> dict:
        """The adviser's own note and assessment of an applicant, stamped with who and when."""
        record, errors = validation.clean_assessment(assessment)
        who, name_error = validation.read_name(changed_by)
        if name_error:
            errors["changed_by"] = name_error
        if errors:
            raise ValidationError(errors)
        with self.transaction() as conn:
            old = self._fetch(conn, "applications", application_id)
            if expected_version is not None and old["version"] != expected_version:
                raise ConflictError()
            if all(old[k] == v for k, v in record.items()):
                return self._public("applications", old)
            stamp = now_utc()
            record.update(
                assessed_by=who,
                assessed_at=stamp,
                updated_by=who,
                updated_at=stamp,
                version=old["version"] + 1,
            )
            conn.execute(
                f"UPDATE applications SET {', '.join(f'{c} = ?' for c in record)} WHERE id = ?",
                [*record.values(), application_id],
            )
            new = self._fetch(conn, "applications", application_id)
            self._log(conn, "applications", application_id, "endret", old, new, who, stamp)
        return self._public("applications", new)

    def import_applications(
        self, rows: list[tuple[int, dict]], changed_by: str, dry_run: bool = False
    ) -> ImportResult:
        """Applications from a spreadsheet, all or nothing: ``rows`` are (row number, fields).

        Every row is validated first; any error raises ``ValidationError`` keyed «<row>.<field>»
        and nothing is written. A municipality and round not yet stored is added; one stored with
        the same answers is left alone; one with other answers becomes a new version of the stored
        application (version + 1, old and new values in the change log), with the changes listed.
        Status and the adviser's notes are never imported. ``dry_run`` reports without writing.
        """
        cleaned = self._clean_import(rows, changed_by)
        result = ImportResult()
        stamp, who = now_utc(), validation.read_name(changed_by)[0]
        try:
            with self.transaction() as conn:
                for number, record in cleaned:
                    self._import_one(conn, number, record, result, who, stamp)
                if dry_run:
                    raise _DryRun()
        except _DryRun:
            pass
        return result

    def _clean_import(self, rows: list[tuple[int, dict]], changed_by: str) -> list[tuple[int, dict]]:
        errors: dict[str, str] = {}
        if validation.read_name(changed_by)[1]:
            errors["changed_by"] = validation.read_name(changed_by)[1]
        if not rows:
            errors["file"] = validation.EMPTY_IMPORT
        cleaned: list[tuple[int, dict]] = []
        seen: dict[tuple, tuple[int, dict]] = {}
        for number, data in rows:
            record, row_errors = validation.clean_application(data, self.today)
            errors.update({f"{number}.{field}": message for field, message in row_errors.items()})
            if row_errors:
                continue
            record = {k: record[k] for k in IMPORTED_FIELDS}
            key = (record["municipality_code"], record["round_year"])
            if key in seen:
                first_number, first = seen[key]
                if first != record:
                    errors[f"{number}.municipality_code"] = validation.duplicate_row_message(first_number)
                continue  # the same row twice: imported once
            seen[key] = (number, record)
            cleaned.append((number, record))
        if errors:
            raise ValidationError(errors)
        return cleaned

    def _import_one(
        self, conn: sqlite3.Connection, number: int, record: dict, result: ImportResult, who: str, stamp: str
    ) -> None:
        old = conn.execute(
            "SELECT * FROM applications WHERE municipality_code = ? AND round_year = ?",
            (record["municipality_code"], record["round_year"]),
        ).fetchone()
        if old is None:
            row = {**record, "status": "mottatt", **_new_row_stamps(who, stamp)}
            new = self._fetch(conn, "applications", insert_row(conn, "applications", row))
            self._log(conn, "applications", new["id"], "opprettet", None, new, who, stamp)
            result.created.append((number, self._public("applications", new)))
            return
        old = dict(old)
        stored = self._public("applications", old)
        changes = {k: (stored[k], v) for k, v in record.items() if stored[k] != v}
        if not changes:
            result.unchanged.append((number, stored))
            return
        update = {**record, "updated_by": who, "updated_at": stamp, "version": old["version"] + 1}
        conn.execute(
            f"UPDATE applications SET {', '.join(f'{c} = ?' for c in update)} WHERE id = ?",
            [*update.values(), old["id"]],
        )
        new = self._fetch(conn, "applications", old["id"])
        self._log(conn, "applications", old["id"], "endret", old, new, who, stamp)
        result.changed.append((number, self._public("applications", new), changes))

    def delete_application(
        self, application_id: int, changed_by: str, expected_version: int | None = None
    ) -> None:
        self._delete("applications", application_id, changed_by, expected_version)

    def get_application(self, application_id: int) -> dict:
        return self._get("applications", application_id)

    def list_applications(
        self, round_year: int | None = None, municipality_code: str | None = None
    ) -> list[dict]:
        return self._list(
            "applications",
            {"round_year": round_year, "municipality_code": municipality_code},
            "round_year, municipality_code",
        )

    # --- change log -------------------------------------------------------------------------

    def list_changes(self, table: str | None = None, row_id: int | None = None) -> list[dict]:
        """Every change, oldest first: changed_at, changed_by, table_name, row_id, action, values."""
        return self._list("change_log", {"table_name": table, "row_id": row_id}, "id")

    # --- backup: JSON export and import ------------------------------------------------------

    def export_data(self) -> dict:
        """All user data (the three tables, the change log, the decks and the saved projection scenarios)
        as a JSON-ready dict."""
        conn = self.connect()
        try:
            conn.execute("BEGIN")  # one consistent snapshot of all tables
            tables = {
                table: [dict(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY id")]
                for table in EXPORTED_TABLES
            }
            conn.execute("COMMIT")
        finally:
            conn.close()
        return {
            "format": EXPORT_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "exported_at": now_utc(),
            "tables": tables,
        }

    def export_json(self) -> str:
        """The export as JSON text (UTF-8, readable Norwegian letters), for a download button."""
        return json.dumps(self.export_data(), ensure_ascii=False, indent=2)

    def import_json(self, payload: str | bytes | dict, restored_by: str) -> dict[str, int]:
        """Replace all user data with a backup from ``export_json`` (one transaction).

        Every row is validated and cleaned first, with the same rules as the forms; one faulty value
        and nothing is written (``ValidationError`` naming table, row and field). The backup is
        restored with its ids and change log; the restore itself is recorded in the local
        ``restores`` table. A backup without decks or scenarios (older) leaves those as they are.
        Returns the number of rows per restored table.
        """
        who = self._who(restored_by)
        data = parse_backup(payload)
        tables = self._check_backup(data)
        with self.transaction() as conn:
            for table in tables:
                conn.execute(f"DELETE FROM {table}")
            for table, rows in tables.items():
                for row in rows:
                    insert_row(conn, table, row)
            counts = {table: len(rows) for table, rows in tables.items()}
            exported_at = data.get("exported_at") if isinstance(data.get("exported_at"), str) else None
            conn.execute(
                "INSERT INTO restores (restored_at, restored_by, exported_at, row_counts) "
                "VALUES (?, ?, ?, ?)",
                (now_utc(), who, exported_at and validation.clean_text(exported_at)[:40], json.dumps(counts)),
            )
        return counts

    def _check_backup(self, data: object) -> dict[str, list[dict]]:
        """The backup's rows, cleaned, per table to restore; ValidationError before anything is written."""
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ValidationError({"file": NOT_A_BACKUP})
        if data.get("schema_version") == 1 and isinstance(data.get("tables"), dict):
            data["tables"] = upgrade_v1_tables(data["tables"])
            data["schema_version"] = SCHEMA_VERSION
        if data.get("schema_version") != SCHEMA_VERSION:
            shown = validation.clean_text(str(data.get("schema_version")), multiline=False)[:20]
            raise ValidationError(
                {"file": f"Sikkerhetskopien har versjon {shown}, men appen bruker versjon {SCHEMA_VERSION}."}
            )
        tables = data.get("tables")
        required = set(EXPORTED_TABLES) - set(OPTIONAL_IN_BACKUP)
        if not isinstance(tables, dict) or not required <= set(tables) <= set(EXPORTED_TABLES):
            raise ValidationError({"file": NOT_A_BACKUP})
        conn = self.connect()
        try:
            columns = {
                table: {row[1] for row in conn.execute(f"PRAGMA table_info({table})")} for table in tables
            }
        finally:
            conn.close()
        cleaned: dict[str, list[dict]] = {}
        errors: dict[str, str] = {}
        for table in (t for t in EXPORTED_TABLES if t in tables):
            rows = tables[table]
            if not isinstance(rows, list) or any(
                not isinstance(row, dict) or set(row) != columns[table] for row in rows
            ):
                raise ValidationError({"file": f"{NOT_A_BACKUP} (tabellen {table} har feil kolonner)"})
            cleaned[table] = self._clean_backup_rows(table, rows, errors)
        if errors:
            first = dict(list(errors.items())[:ERRORS_SHOWN])
            if len(errors) > ERRORS_SHOWN:
                first["…"] = f"og {len(errors) - ERRORS_SHOWN} feil til. Ingenting er endret."
            raise ValidationError(first)
        return cleaned

    def _clean_backup_rows(self, table: str, rows: list[dict], errors: dict[str, str]) -> list[dict]:
        """Each row cleaned like a form (plus its audit columns); faults go into ``errors`` keyed
        «<table> rad <n>.<field>»; also duplicate ids and applications."""
        out: list[dict] = []
        seen: dict[tuple[str, object], int] = {}
        for number, row in enumerate(rows, start=1):
            record, row_errors = clean_backup_row(table, row, self.today)
            keys = [("id", record.get("id"))] + (
                [("application", (record.get("municipality_code"), record.get("round_year")))]
                if table == "applications"
                else []
            )
            if table == "decks":
                keys.append(("name", record.get("name")))
            if table == "projection_scenarios" and record.get("name"):
                keys.append(("name", record["name"].casefold()))  # names are unique in any letter case
            for kind, key in keys:
                if key is not None and seen.setdefault((kind, key), number) != number:
                    row_errors.setdefault(
                        "id" if kind == "id" else kind, f"Finnes to ganger (også i rad {seen[(kind, key)]})."
                    )
            errors.update(
                {
                    f"{TABLE_LABELS[table]} rad {number}.{field}": message
                    for field, message in row_errors.items()
                }
            )
            out.append({column: record.get(column) for column in row})
        return out


TABLE_LABELS = {
    "plan_status_entries": "Planstatus",
    "milestones": "Milepæler",
    "applications": "Søknader",
    "change_log": "Endringslogg",
    "decks": "Lysbildesett",
    "projection_scenarios": "Scenarioer",
}


def parse_backup(payload: str | bytes | dict) -> Any:
    """The backup file as Python objects (any shape: ``_check_backup`` checks it); a Norwegian
    ValidationError when it is no (sane) JSON."""
    if isinstance(payload, dict):
        return payload
    if len(payload) > BACKUP_BYTES_LIMIT:
        raise ValidationError(
            {
                "file": f"Filen er for stor til å være en sikkerhetskopi (over "
                f"{BACKUP_BYTES_LIMIT // 1_000_000} MB). Ingenting er endret."
            }
        )
    try:
        return json.loads(payload)
    except RecursionError as error:
        raise ValidationError(
            {"file": "Filen er nøstet for dypt til å være en sikkerhetskopi. Ingenting er endret."}
        ) from error
    except ValueError as error:  # also UnicodeDecodeError
        raise ValidationError({"file": "Filen kan ikke leses som JSON. Ingenting er endret."}) from error


def clean_backup_row(table: str, row: dict, today: date | None) -> tuple[dict, dict[str, str]]:
    """One row of a backup, validated with the rules of its form plus its audit columns."""
    if table == "change_log":
        return validation.clean_change(row, today)
    if table == "decks":
        record, errors = validation.clean_saved_deck(row)
        record["slides"] = json.dumps(record["slides"], ensure_ascii=False)
        return record, errors
    if table == "projection_scenarios":
        return validation.clean_saved_scenario(row)
    if table == "applications":  # answers stored as NULL were «ikke oppgitt»; the adviser's columns kept
        row = {**row, "not_given": sorted(validation.not_given_of(row))}
    record, errors = CLEANERS[table](row, today)
    audit, audit_errors = validation.clean_audit(row)
    if table == "applications":
        adviser, adviser_errors = validation.clean_assessment_columns(row)
        audit, audit_errors = {**audit, **adviser}, {**audit_errors, **adviser_errors}
    return {**record, **audit}, {**errors, **audit_errors}


def plan_entries_as_sources(entries: list[dict]) -> pd.DataFrame:
    """Plan status entries in the ``plan_status_sources`` shape, with ``priority`` 1.

    Concatenate with the seed rows and pass to ``plan.status.best_known_status``: what users
    entered then wins over the public sources. The source says who entered it and when.
    """
    rows = [
        {
            "municipality_code": e["municipality_code"],
            "plan_type": e["plan_type"],
            "period": e.get("period"),
            "adopted": e.get("adopted"),
            "status": e["status"],
            "source_url": None,
            "source_title": f"{e['source']} (registrert av {e['entered_by']}, {e['entered_at'][:10]})",
            "note": e.get("note"),
            "priority": 1,
            "entered_at": e["entered_at"],
        }
        for e in entries
    ]
    return pd.DataFrame(rows, columns=[*plan_status.SOURCE_COLUMNS, "priority", "entered_at"])


def upgrade_v1_tables(tables: dict) -> dict:
    """The tables of a version-1 backup in version 2's shape (a missing samfunnsdel year said «ingen»)."""
    rows = tables.get("applications")
    if not isinstance(rows, list):
        return tables
    added = {
        "planning_staff_text": None,
        "adviser_note": None,
        "assessment": None,
        "assessed_by": None,
        "assessed_at": None,
    }
    upgraded = [
        {**row, **added, "samfunnsdel_answer": "ingen" if row.get("samfunnsdel_year") is None else "år"}
        if isinstance(row, dict)
        else row
        for row in rows
    ]
    return {**tables, "applications": upgraded}
