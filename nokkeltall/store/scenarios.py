"""Saved projection scenarios in the user-data SQLite file (the ``projection_scenarios`` table of ``schema``,
part of the JSON backup).

A scenario is a name and its text (``nokkeltall.projection.scenario``, e.g. ``netto=+5:20-39``), so it
can be reused on the municipality page, on the command line (``--scenario NAME``) and in documents.
Saving under an existing name replaces it. Names and texts are cleaned by ``validation.clean_scenario``
(the one cleaning path, also for a restore).
"""

from __future__ import annotations

from nokkeltall.store import validation
from nokkeltall.store.database import NotFoundError, UserStore, ValidationError, now_utc

NAME_LIMIT = validation.SCENARIO_NAME_LIMIT


class ScenarioStore:
    """Save, list, find and delete scenarios. ``store`` is a ``UserStore`` (its file and helpers)."""

    def __init__(self, store: UserStore | None = None):
        self.store = store or UserStore()  # creates the table (``schema.TABLES``)

    def save(self, name: str, scenario: str, saved_by: str = "") -> dict:
        record, errors = validation.clean_scenario({"name": name, "scenario": scenario})
        who, by_error = validation.read_text(saved_by, limit=validation.NAME_LIMIT)
        if by_error:
            errors["saved_by"] = by_error
        if errors:
            raise ValidationError(errors)
        name, text = record["name"], record["scenario"]
        with self.store.transaction() as conn:
            conn.execute(
                """INSERT INTO projection_scenarios (name, scenario, saved_by, saved_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET scenario = excluded.scenario,
                       saved_by = excluded.saved_by, saved_at = excluded.saved_at""",
                (name, text, who or "", now_utc()),
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
