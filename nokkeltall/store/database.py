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
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from nokkeltall import config
from nokkeltall.store import validation
from nokkeltall.store.schema import (
    EXPORTED_TABLES,
    INDEXES,
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


class ValidationError(ValueError):
    """Input that cannot be saved; ``errors`` maps field -> Norwegian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


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
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                               check_same_thread=False)
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
            for ddl in TABLES.values():
                conn.execute(ddl)
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

    def _clean(self, table: str, data: dict, changed_by: str) -> dict:
        record, errors = CLEANERS[table](data, self.today)
        if validation.is_blank(changed_by):
            errors["changed_by"] = validation.NAME_REQUIRED
        if errors:
            raise ValidationError(errors)
        return record

    def _add(self, table: str, data: dict, changed_by: str) -> dict:
        record = self._clean(table, data, changed_by)
        stamp, who = now_utc(), changed_by.strip()
        record.update(entered_by=who, entered_at=stamp, updated_by=who, updated_at=stamp, version=1)
        with self.transaction() as conn:
            self._check_unique(conn, table, record, row_id=None)
            columns = list(record)
            cursor = conn.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [record[c] for c in columns],
            )
            row = self._fetch(conn, table, cursor.lastrowid)
            self._log(conn, table, row["id"], "opprettet", None, row, who, stamp)
        return self._public(table, row)

    def _update(self, table: str, row_id: int, changes: dict, changed_by: str,
                expected_version: int | None = None) -> dict:
        with self.transaction() as conn:
            old = self._fetch(conn, table, row_id)
            if expected_version is not None and old["version"] != expected_version:
                raise ConflictError()
            merged = {**self._public(table, old), **changes}
            record = self._clean(table, merged, changed_by)
            if all(self._public(table, old).get(k) == v for k, v in record.items()):
                return self._public(table, old)  # nothing changed: no write, no log entry
            self._check_unique(conn, table, record, row_id=row_id)
            stamp, who = now_utc(), changed_by.strip()
            record.update(updated_by=who, updated_at=stamp, version=old["version"] + 1)
            assignments = ", ".join(f"{c} = ?" for c in record)
            conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*record.values(), row_id])
            new = self._fetch(conn, table, row_id)
            self._log(conn, table, row_id, "endret", old, new, who, stamp)
        return self._public(table, new)

    def _delete(self, table: str, row_id: int, changed_by: str,
                expected_version: int | None = None) -> None:
        if validation.is_blank(changed_by):
            raise ValidationError({"changed_by": validation.NAME_REQUIRED})
        with self.transaction() as conn:
            old = self._fetch(conn, table, row_id)
            if expected_version is not None and old["version"] != expected_version:
                raise ConflictError()
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
            self._log(conn, table, row_id, "slettet", old, None, changed_by.strip(), now_utc())

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
    def _log(conn: sqlite3.Connection, table: str, row_id: int, action: str, old: dict | None,
             new: dict | None, who: str, stamp: str) -> None:
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

    def update_plan_entry(self, entry_id: int, changes: dict, changed_by: str,
                          expected_version: int | None = None) -> dict:
        return self._update("plan_status_entries", entry_id, changes, changed_by, expected_version)

    def delete_plan_entry(self, entry_id: int, changed_by: str, expected_version: int | None = None) -> None:
        self._delete("plan_status_entries", entry_id, changed_by, expected_version)

    def list_plan_entries(self, municipality_code: str | None = None,
                          plan_type: str | None = None) -> list[dict]:
        return self._list("plan_status_entries",
                          {"municipality_code": municipality_code, "plan_type": plan_type},
                          "municipality_code, plan_type, entered_at, id")

    # --- milestones (framdriftsplan) --------------------------------------------------------

    def add_milestone(self, milestone: dict, changed_by: str) -> dict:
        """Save a milestone (municipality_code, plan_type, title, start_date, end_date, status, note)."""
        return self._add("milestones", milestone, changed_by)

    def update_milestone(self, milestone_id: int, changes: dict, changed_by: str,
                         expected_version: int | None = None) -> dict:
        return self._update("milestones", milestone_id, changes, changed_by, expected_version)

    def delete_milestone(self, milestone_id: int, changed_by: str,
                         expected_version: int | None = None) -> None:
        self._delete("milestones", milestone_id, changed_by, expected_version)

    def list_milestones(self, municipality_code: str | None = None,
                        plan_type: str | None = None) -> list[dict]:
        return self._list("milestones", {"municipality_code": municipality_code, "plan_type": plan_type},
                          "municipality_code, start_date, id")

    def save_milestones(self, municipality_code: str, rows: list[dict], changed_by: str,
                        loaded: dict[int, int] | None = None) -> list[dict]:
        """Make the municipality's milestones equal ``rows`` (e.g. from ``st.data_editor``).

        Rows with an ``id`` update that milestone, rows without one are added, and milestones of
        the municipality missing from ``rows`` are deleted — all in one transaction. Every row is
        validated first; errors are keyed ``"<row number>.<field>"`` (row numbers from 1).

        ``loaded`` (id → version of the rows the editor showed) makes concurrent editing safe: only
        those rows can be deleted (a milestone someone else added meanwhile is kept), and a changed
        row whose stored version differs from the loaded one raises ``ConflictError``.
        """
        cleaned, errors = [], {}
        if validation.is_blank(changed_by):
            errors["changed_by"] = validation.NAME_REQUIRED
        for number, row in enumerate(rows, start=1):
            record, row_errors = validation.clean_milestone(
                {**row, "municipality_code": municipality_code}, self.today)
            errors.update({f"{number}.{field}": message for field, message in row_errors.items()})
            row_id = row.get("id")
            cleaned.append((None if validation.is_blank(row_id) else int(row_id), record))
        if errors:
            raise ValidationError(errors)
        stamp, who = now_utc(), changed_by.strip()
        with self.transaction() as conn:
            existing = {
                row["id"]: dict(row) for row in conn.execute(
                    "SELECT * FROM milestones WHERE municipality_code = ?", (municipality_code,))
            }
            kept = {row_id for row_id, _ in cleaned if row_id is not None}
            deletable = set(existing) if loaded is None else set(existing) & {int(i) for i in loaded}
            for row_id in sorted(deletable - kept):
                conn.execute("DELETE FROM milestones WHERE id = ?", (row_id,))
                self._log(conn, "milestones", row_id, "slettet", existing[row_id], None, who, stamp)
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
                        [*record.values(), row_id])
                    self._log(conn, "milestones", row_id, "endret", old,
                              self._fetch(conn, "milestones", row_id), who, stamp)
        return self.list_milestones(municipality_code)

    def _insert_in(self, conn: sqlite3.Connection, record: dict, who: str, stamp: str) -> None:
        record = {**record, "entered_by": who, "entered_at": stamp, "updated_by": who,
                  "updated_at": stamp, "version": 1}
        cursor = conn.execute(
            f"INSERT INTO milestones ({', '.join(record)}) VALUES ({', '.join('?' * len(record))})",
            list(record.values()))
        self._log(conn, "milestones", cursor.lastrowid, "opprettet", None,
                  self._fetch(conn, "milestones", cursor.lastrowid), who, stamp)

    # --- applications -----------------------------------------------------------------------

    def add_application(self, application: dict, changed_by: str) -> dict:
        """Save an application (see ``validation.clean_application`` for the fields)."""
        return self._add("applications", application, changed_by)

    def update_application(self, application_id: int, changes: dict, changed_by: str,
                           expected_version: int | None = None) -> dict:
        return self._update("applications", application_id, changes, changed_by, expected_version)

    def set_application_status(self, application_id: int, status: str, changed_by: str,
                               expected_version: int | None = None) -> dict:
        """Move an application along: mottatt → samtale → valgt / ikke_valgt."""
        return self.update_application(application_id, {"status": status}, changed_by, expected_version)

    def delete_application(self, application_id: int, changed_by: str,
                           expected_version: int | None = None) -> None:
        self._delete("applications", application_id, changed_by, expected_version)

    def get_application(self, application_id: int) -> dict:
        return self._get("applications", application_id)

    def list_applications(self, round_year: int | None = None,
                          municipality_code: str | None = None) -> list[dict]:
        return self._list("applications", {"round_year": round_year,
                                           "municipality_code": municipality_code},
                          "round_year, municipality_code")

    # --- change log -------------------------------------------------------------------------

    def list_changes(self, table: str | None = None, row_id: int | None = None) -> list[dict]:
        """Every change, oldest first: changed_at, changed_by, table_name, row_id, action, values."""
        return self._list("change_log", {"table_name": table, "row_id": row_id}, "id")

    # --- backup: JSON export and import ------------------------------------------------------

    def export_data(self) -> dict:
        """All user data (the three tables and the change log) as a JSON-ready dict."""
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
        return {"format": EXPORT_FORMAT, "schema_version": SCHEMA_VERSION,
                "exported_at": now_utc(), "tables": tables}

    def export_json(self) -> str:
        """The export as JSON text (UTF-8, readable Norwegian letters), for a download button."""
        return json.dumps(self.export_data(), ensure_ascii=False, indent=2)

    def import_json(self, payload: str | bytes | dict, restored_by: str) -> dict[str, int]:
        """Replace all user data with a backup from ``export_json`` (one transaction).

        The backup is restored exactly, ids and change log included; the restore itself is
        recorded in the local ``restores`` table. Returns the number of rows per table.
        """
        if validation.is_blank(restored_by):
            raise ValidationError({"changed_by": validation.NAME_REQUIRED})
        data = json.loads(payload) if isinstance(payload, (str, bytes)) else payload
        tables = self._check_backup(data)
        with self.transaction() as conn:
            for table in EXPORTED_TABLES:
                conn.execute(f"DELETE FROM {table}")
            for table in EXPORTED_TABLES:
                for row in tables[table]:
                    conn.execute(
                        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))
            counts = {table: len(tables[table]) for table in EXPORTED_TABLES}
            conn.execute(
                "INSERT INTO restores (restored_at, restored_by, exported_at, row_counts) VALUES (?, ?, ?, ?)",
                (now_utc(), restored_by.strip(), data.get("exported_at"), json.dumps(counts)))
        return counts

    def _check_backup(self, data: object) -> dict[str, list[dict]]:
        message = "Filen er ikke en sikkerhetskopi fra nøkkeltall."
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ValidationError({"file": message})
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValidationError({"file": f"Sikkerhetskopien har versjon {data.get('schema_version')}, "
                                           f"men appen bruker versjon {SCHEMA_VERSION}."})
        tables = data.get("tables")
        if not isinstance(tables, dict) or set(tables) != set(EXPORTED_TABLES):
            raise ValidationError({"file": message})
        conn = self.connect()
        try:
            for table in EXPORTED_TABLES:
                columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                rows = tables[table]
                if not isinstance(rows, list) or any(
                        not isinstance(row, dict) or set(row) != columns for row in rows):
                    raise ValidationError({"file": f"{message} (tabellen {table} har feil kolonner)"})
        finally:
            conn.close()
        return tables


def plan_entries_as_sources(entries: list[dict]) -> pd.DataFrame:
    """Plan status entries in the ``plan_status_sources`` shape, with ``priority`` 1.

    Concatenate with the seed rows and pass to ``plan.status.best_known_status``: what users
    entered then wins over the public sources. The source says who entered it and when.
    """
    rows = [{
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
    } for e in entries]
    columns = ["municipality_code", "plan_type", "period", "adopted", "status", "source_url",
               "source_title", "note", "priority", "entered_at"]
    return pd.DataFrame(rows, columns=columns)
