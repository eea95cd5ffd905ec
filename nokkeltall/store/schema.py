"""The SQLite schema for what users enter. Kept apart from the statistics database (DuckDB)."""

from __future__ import annotations

SCHEMA_VERSION = 2
# Version 1 had every answer NOT NULL (a skipped field saved a wrong answer) and no adviser columns;
# ``MIGRATIONS[1]`` rebuilds the applications table (SQLite cannot drop NOT NULL in place).

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
            -- answer 1: 'år' (samfunnsdel_year holds it), 'ingen' (no current samfunnsdel) or 'ikke_oppgitt'
            samfunnsdel_answer TEXT NOT NULL CHECK (samfunnsdel_answer IN ('år', 'ingen', 'ikke_oppgitt')),
            samfunnsdel_year INTEGER,
            progress_plan TEXT,                -- answer 2 (framdriftsplan); NULL: ikke oppgitt
            has_fact_base INTEGER CHECK (has_fact_base IN (0, 1)),  -- answer 3; NULL: ikke oppgitt
            fact_base_description TEXT,        -- answer 3: which statistics / fact base
            planning_staff_persons INTEGER CHECK (planning_staff_persons >= 0),  -- answer 4
            planning_staff_percent REAL CHECK (planning_staff_percent BETWEEN 0 AND 100),  -- stillingsandel
            planning_staff_text TEXT,          -- answer 4 in words; all three NULL: ikke oppgitt
            contact_name TEXT NOT NULL,
            contact_email TEXT,
            received_date TEXT NOT NULL,       -- YYYY-MM-DD
            status TEXT NOT NULL CHECK (status IN ('mottatt', 'samtale', 'valgt', 'ikke_valgt')),
            note TEXT,
            adviser_note TEXT,                 -- the adviser's own notes (not from the application)
            assessment TEXT
                CHECK (assessment IS NULL OR assessment IN ('aktuell', 'usikker', 'ikke_aktuell')),
            assessed_by TEXT,
            assessed_at TEXT,
            {_AUDIT},
            CHECK ((samfunnsdel_answer = 'år') = (samfunnsdel_year IS NOT NULL)),
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
    # saved projection scenarios (``nokkeltall.store.scenarios``); part of the JSON backup
    "projection_scenarios": """
        CREATE TABLE IF NOT EXISTS projection_scenarios (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            scenario TEXT NOT NULL,    -- e.g. netto=+5:20-39,fødsler=-10
            saved_by TEXT NOT NULL DEFAULT '',
            saved_at TEXT NOT NULL
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
EXPORTED_TABLES = EDITABLE_TABLES + ("change_log", "decks", "projection_scenarios")
# backups from before decks (or scenarios) were backed up lack them: those are then kept as they are
OPTIONAL_IN_BACKUP = ("decks", "projection_scenarios")

# v1 → v2: rows keep their values; a v1 row without a samfunnsdel year said «ingen».
V1_APPLICATION_COLUMNS = (
    "id",
    "municipality_code",
    "round_year",
    "samfunnsdel_year",
    "progress_plan",
    "has_fact_base",
    "fact_base_description",
    "planning_staff_persons",
    "planning_staff_percent",
    "contact_name",
    "contact_email",
    "received_date",
    "status",
    "note",
    "entered_by",
    "entered_at",
    "updated_by",
    "updated_at",
    "version",
)
MIGRATIONS: dict[int, list[str]] = {
    1: [
        "ALTER TABLE applications RENAME TO applications_v1",
        TABLES["applications"],
        f"""INSERT INTO applications ({", ".join(V1_APPLICATION_COLUMNS)}, samfunnsdel_answer)
            SELECT {", ".join(V1_APPLICATION_COLUMNS)},
                   CASE WHEN samfunnsdel_year IS NULL THEN 'ingen' ELSE 'år' END
            FROM applications_v1""",
        "DROP TABLE applications_v1",
    ],
}
