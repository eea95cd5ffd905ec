"""The SQLite schema for what users enter. Kept apart from the statistics database (DuckDB)."""

from __future__ import annotations

SCHEMA_VERSION = 1

# Columns every editable table shares: who entered the row first, who changed it last, and a
# version number that grows by one on every update (for optimistic conflict checks).
_AUDIT = """
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
"""

TABLES: dict[str, str] = {
    "plan_status_entries": f"""
        CREATE TABLE IF NOT EXISTS plan_status_entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            municipality_code TEXT NOT NULL CHECK (length(municipality_code) = 4),
            plan_type TEXT NOT NULL
                CHECK (plan_type IN ('samfunnsdel', 'arealdel', 'planstrategi', 'planprogram')),
            status TEXT NOT NULL CHECK (status IN ('vedtatt', 'på_høring', 'under_arbeid')),
            adopted TEXT,          -- YYYY, YYYY-MM or YYYY-MM-DD; required when vedtatt
            period TEXT,           -- the plan period, e.g. 2024-2036
            source TEXT NOT NULL,  -- case number, minutes or link
            note TEXT,
            {_AUDIT}
        )""",
    "milestones": f"""
        CREATE TABLE IF NOT EXISTS milestones (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            municipality_code TEXT NOT NULL CHECK (length(municipality_code) = 4),
            plan_type TEXT NOT NULL CHECK (plan_type IN ('planstrategi', 'samfunnsdel')),
            title TEXT NOT NULL,
            start_date TEXT NOT NULL,  -- YYYY-MM-DD
            end_date TEXT,             -- YYYY-MM-DD; empty for a single day
            status TEXT NOT NULL CHECK (status IN ('planlagt', 'pågår', 'ferdig')),
            note TEXT,
            {_AUDIT},
            CHECK (end_date IS NULL OR end_date >= start_date)
        )""",
    "applications": f"""
        CREATE TABLE IF NOT EXISTS applications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            municipality_code TEXT NOT NULL CHECK (length(municipality_code) = 4),
            round_year INTEGER NOT NULL,       -- the year of the 15 December deadline
            samfunnsdel_year INTEGER,          -- answer 1; NULL when there is none
            progress_plan TEXT NOT NULL,       -- answer 2: framdriftsplan for planstrategi/samfunnsdel
            has_fact_base INTEGER NOT NULL CHECK (has_fact_base IN (0, 1)),  -- answer 3
            fact_base_description TEXT,        -- answer 3: which statistics / fact base
            planning_staff_persons INTEGER NOT NULL CHECK (planning_staff_persons >= 0),  -- answer 4
            planning_staff_percent REAL NOT NULL
                CHECK (planning_staff_percent BETWEEN 0 AND 100),  -- answer 4: stillingsandel
            contact_name TEXT NOT NULL,
            contact_email TEXT NOT NULL,
            received_date TEXT NOT NULL,       -- YYYY-MM-DD
            status TEXT NOT NULL CHECK (status IN ('mottatt', 'samtale', 'valgt', 'ikke_valgt')),
            note TEXT,
            {_AUDIT},
            UNIQUE (municipality_code, round_year)
        )""",
    "change_log": """
        CREATE TABLE IF NOT EXISTS change_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            changed_at TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('opprettet', 'endret', 'slettet')),
            old_values TEXT,  -- JSON of the row before, NULL when created
            new_values TEXT   -- JSON of the row after, NULL when deleted
        )""",
    # gathering-mode decks (``nokkeltall.store.decks``); ``version`` grows by one on every save
    "decks": """
        CREATE TABLE IF NOT EXISTS decks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            slides TEXT NOT NULL,      -- JSON list of {indicator_id, codes, view, base_year}
            saved_by TEXT NOT NULL DEFAULT '',
            saved_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        )""",
    # restores from a JSON backup (kept locally, not part of an export)
    "restores": """
        CREATE TABLE IF NOT EXISTS restores (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            restored_at TEXT NOT NULL,
            restored_by TEXT NOT NULL,
            exported_at TEXT,
            row_counts TEXT NOT NULL  -- JSON: table -> rows
        )""",
}

INDEXES = [
    "CREATE INDEX IF NOT EXISTS plan_entries_by_municipality ON plan_status_entries (municipality_code)",
    "CREATE INDEX IF NOT EXISTS milestones_by_municipality ON milestones (municipality_code)",
    "CREATE INDEX IF NOT EXISTS changes_by_row ON change_log (table_name, row_id)",
]

# columns added to an existing file (a file from before the column existed gets it on opening)
ADDED_COLUMNS = {"decks": {"version": "INTEGER NOT NULL DEFAULT 1"}}

EDITABLE_TABLES = ("plan_status_entries", "milestones", "applications")
EXPORTED_TABLES = EDITABLE_TABLES + ("change_log", "decks")
OPTIONAL_IN_BACKUP = ("decks",)  # backups from before decks were backed up lack it: decks are then kept
