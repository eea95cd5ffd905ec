"""Saved projection scenarios in the user-data SQLite file (an additive table, ``projection_scenarios``).

A scenario is a name and its text (``nokkeltall.projection.scenario``, e.g. ``netto=+5:20-39``), so it
can be reused on the municipality page, on the command line (``--scenario NAME``) and in documents.
Saving under an existing name replaces it.
"""

from __future__ import annotations

from nokkeltall.projection.data import ProjectionError
from nokkeltall.projection.scenario import parse
from nokkeltall.store.database import NotFoundError, UserStore, ValidationError, now_utc

NAME_LIMIT = 80
DDL = """
    CREATE TABLE IF NOT EXISTS projection_scenarios (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        scenario TEXT NOT NULL,    -- e.g. netto=+5:20-39,fødsler=-10
        saved_by TEXT NOT NULL DEFAULT '',
        saved_at TEXT NOT NULL
    )"""


class ScenarioStore:
    """Save, list, find and delete scenarios. ``store`` is a ``UserStore`` (its file and helpers)."""

    def __init__(self, store: UserStore | None = None):
        self.store = store or UserStore()
        with self.store.transaction() as conn:
            conn.execute(DDL)

    def save(self, name: str, scenario: str, saved_by: str = "") -> dict:
        name = (name or "").strip()
        errors = {}
        if not name:
            errors["name"] = "Gi scenarioet et navn."
        elif len(name) > NAME_LIMIT:
            errors["name"] = f"Navnet kan ha høyst {NAME_LIMIT} tegn."
        try:
            text = parse(scenario).text()
            if not text:
                errors["scenario"] = "Hovedalternativet trenger ikke lagres: velg en endring først."
        except ProjectionError as error:
            errors["scenario"] = str(error)
        if errors:
            raise ValidationError(errors)
        with self.store.transaction() as conn:
            conn.execute(
                """INSERT INTO projection_scenarios (name, scenario, saved_by, saved_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET scenario = excluded.scenario,
                       saved_by = excluded.saved_by, saved_at = excluded.saved_at""",
                (name, text, (saved_by or "").strip(), now_utc()),
            )
            row = conn.execute("SELECT * FROM projection_scenarios WHERE name = ?", (name,)).fetchone()
        return dict(row)

    def list(self) -> list[dict]:
        conn = self.store.connect()
        try:
            rows = conn.execute(
                "SELECT * FROM projection_scenarios ORDER BY name COLLATE NOCASE, id"
            ).fetchall()
        finally:
            conn.close()
        return [dict(r) for r in rows]

    def find(self, name: str) -> dict | None:
        """The scenario saved under ``name`` (letter case ignored), or None."""
        conn = self.store.connect()
        try:
            row = conn.execute(
                "SELECT * FROM projection_scenarios WHERE name = ?", ((name or "").strip(),)
            ).fetchone()
        finally:
            conn.close()
        return dict(row) if row else None

    def delete(self, scenario_id: int) -> None:
        with self.store.transaction() as conn:
            deleted = conn.execute("DELETE FROM projection_scenarios WHERE id = ?", (int(scenario_id),))
            if deleted.rowcount == 0:
                raise NotFoundError("projection_scenarios", int(scenario_id))
