"""Saved gathering-mode decks in the user-data SQLite file (the ``decks`` table of ``schema``).

A deck is a name and a JSON list of slides (see ``nokkeltall.decks``). Decks are versioned like
applications: a new name creates a deck; replacing a deck needs the version it had when it was opened
(``expected_version``), so of several people saving one name at once one wins and the others get a
Norwegian conflict message. Every save and delete is written to the change log; the decks are part
of the JSON backup. Names and slides are cleaned by ``validation.clean_deck`` (the one cleaning path).
"""

from __future__ import annotations

import json

from nokkeltall.store import validation
from nokkeltall.store.database import (
    ConflictError,
    NotFoundError,
    UserStore,
    ValidationError,
    insert_row,
    now_utc,
)

NAME_LIMIT = validation.DECK_NAME_LIMIT
NAME_TAKEN = (
    "Det finnes allerede et lysbildesett med dette navnet. Åpne det fra listen for å endre det, "
    "eller velg et annet navn. Ingenting er lagret."
)
CHANGED = (
    "Lysbildesettet er endret eller slettet av noen andre siden du åpnet det. Åpne det på nytt og "
    "prøv igjen. Ingenting er lagret."
)


class DeckStore:
    """Save, list, open and delete decks. ``store`` is a ``UserStore`` (its file and helpers)."""

    def __init__(self, store: UserStore | None = None):
        self.store = store or UserStore()  # creates the table (and adds ``version`` to an older one)

    def save(self, name: str, slides: list[dict], saved_by: str, expected_version: int | None = None) -> dict:
        """Create the deck ``name``, or replace it when ``expected_version`` is the version it has now."""
        record, errors = validation.clean_deck({"name": name, "slides": slides})
        who, name_error = validation.read_name(saved_by)
        if name_error:
            errors["saved_by"] = name_error
        if errors:
            raise ValidationError(errors)
        payload, stamp = json.dumps(record["slides"], ensure_ascii=False), now_utc()
        with self.store.transaction() as conn:
            old = conn.execute("SELECT * FROM decks WHERE name = ?", (record["name"],)).fetchone()
            if old is None and expected_version is None:
                row_id = insert_row(
                    conn,
                    "decks",
                    {
                        "name": record["name"],
                        "slides": payload,
                        "saved_by": who,
                        "saved_at": stamp,
                        "version": 1,
                    },
                )
                action, before = "opprettet", None
            elif old is None or expected_version is None or old["version"] != int(expected_version):
                raise ConflictError(NAME_TAKEN if expected_version is None else CHANGED)
            else:
                row_id, action, before = old["id"], "endret", dict(old)
                conn.execute(
                    "UPDATE decks SET slides = ?, saved_by = ?, saved_at = ?, version = version + 1 "
                    "WHERE id = ?",
                    (payload, who, stamp, row_id),
                )
            row = dict(conn.execute("SELECT * FROM decks WHERE id = ?", (row_id,)).fetchone())
            UserStore._log(conn, "decks", row_id, action, before, row, who, stamp)
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

    def delete(self, deck_id: int, changed_by: str, expected_version: int) -> None:
        """Delete the deck as it was when opened (a stale delete is a conflict)."""
        who = UserStore._who(changed_by)
        with self.store.transaction() as conn:
            old = conn.execute("SELECT * FROM decks WHERE id = ?", (int(deck_id),)).fetchone()
            if old is None:
                raise NotFoundError("decks", int(deck_id))
            if old["version"] != int(expected_version):
                raise ConflictError(CHANGED)
            conn.execute("DELETE FROM decks WHERE id = ?", (int(deck_id),))
            UserStore._log(conn, "decks", int(deck_id), "slettet", dict(old), None, who, now_utc())

    @staticmethod
    def _row(row) -> dict:
        out = dict(row)
        try:
            out["slides"] = json.loads(out["slides"])
        except (TypeError, ValueError, RecursionError):
            out["slides"] = []
        return out
