"""Saved gathering-mode decks in the user-data SQLite file (an additive table, ``decks``).

A deck is a name and a JSON list of slides (see ``nokkeltall.decks``). Saving under an existing
name replaces that deck. Uses the store's connection and transaction helpers, so the WAL mode,
busy timeout and «all or nothing» writes are the same as for the rest of the user data.
"""

from __future__ import annotations

import json

from nokkeltall.store.database import NotFoundError, UserStore, ValidationError, now_utc

NAME_LIMIT = 80
DDL = """
    CREATE TABLE IF NOT EXISTS decks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        slides TEXT NOT NULL,      -- JSON list of {indicator_id, codes, view, base_year}
        saved_by TEXT NOT NULL DEFAULT '',
        saved_at TEXT NOT NULL
    )"""


class DeckStore:
    """Save, list, open and delete decks. ``store`` is a ``UserStore`` (its file and helpers)."""

    def __init__(self, store: UserStore | None = None):
        self.store = store or UserStore()
        with self.store.transaction() as conn:
            conn.execute(DDL)

    def save(self, name: str, slides: list[dict], saved_by: str = "") -> dict:
        name = (name or "").strip()
        errors = {}
        if not name:
            errors["name"] = "Gi settet et navn."
        elif len(name) > NAME_LIMIT:
            errors["name"] = f"Navnet kan ha høyst {NAME_LIMIT} tegn."
        if not slides:
            errors["slides"] = "Settet har ingen lysbilder."
        if errors:
            raise ValidationError(errors)
        payload = json.dumps(slides, ensure_ascii=False)
        with self.store.transaction() as conn:
            conn.execute(
                """INSERT INTO decks (name, slides, saved_by, saved_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (name) DO UPDATE SET slides = excluded.slides, saved_by = excluded.saved_by,
                                                    saved_at = excluded.saved_at""",
                (name, payload, (saved_by or "").strip(), now_utc()),
            )
            row = conn.execute("SELECT * FROM decks WHERE name = ?", (name,)).fetchone()
        return self._row(row)

    def list(self) -> list[dict]:
        conn = self.store.connect()
        try:
            rows = conn.execute("SELECT * FROM decks ORDER BY name COLLATE NOCASE, id").fetchall()
        finally:
            conn.close()
        return [self._row(r) for r in rows]

    def get(self, deck_id: int) -> dict:
        conn = self.store.connect()
        try:
            row = conn.execute("SELECT * FROM decks WHERE id = ?", (int(deck_id),)).fetchone()
        finally:
            conn.close()
        if row is None:
            raise NotFoundError("decks", int(deck_id))
        return self._row(row)

    def delete(self, deck_id: int) -> None:
        with self.store.transaction() as conn:
            if conn.execute("DELETE FROM decks WHERE id = ?", (int(deck_id),)).rowcount == 0:
                raise NotFoundError("decks", int(deck_id))

    @staticmethod
    def _row(row) -> dict:
        out = dict(row)
        try:
            out["slides"] = json.loads(out["slides"])
        except (TypeError, ValueError):
            out["slides"] = []
        return out
