"""The «Lysbildesett» section of Samlingsmodus (in the slide's menu): the ready decks, the saved decks
(names shown as plain text, never Markdown) and the form that saves the deck on screen — behind the
editor password, with the version the deck had when it was opened (a deck changed by someone else
meanwhile is a conflict).
"""

from __future__ import annotations

import streamlit as st

from nokkeltall.cleaning import clean_text
from nokkeltall.compare import slides as decks
from nokkeltall.store import ConflictError, ValidationError
from nokkeltall.store.validation import DECK_NAME_LIMIT
from nokkeltall.ui import store as ui_store
from nokkeltall.ui.widgets import literal_label, safe_text

DECK_LABELS = {
    "name": "Navn på settet",
    "slides": "Lysbilder",
    "saved_by": "Ditt navn",
    "changed_by": "Ditt navn",
    "brukerdata": "Brukerdata",
}


def deck_section(deck: decks.Deck, opened: dict | None, offered_name: str) -> None:
    """``opened``: the saved deck on screen (its row, with ``version``), else None; ``offered_name``
    the name the save form starts with."""
    store = ui_store.deck_store()
    st.markdown("**Lysbildesett**")
    for key, name in decks.READY_DECKS.items():
        st.page_link("pages/samlingsmodus.py", label=literal_label(name), query_params={"sett": key})
    for saved in store.list():
        label = f"{literal_label(saved['name'], DECK_NAME_LIMIT)} ({len(saved['slides'])} lysbilder)"
        st.page_link("pages/samlingsmodus.py", label=label, query_params={"sett": str(saved["id"])})
    if deck.slides:
        _save_form(store, deck, opened, offered_name)


def _save_form(store, deck: decks.Deck, opened: dict | None, offered_name: str) -> None:
    if not ui_store.editor_gate(st.container()):
        st.info("Alle kan vise lysbildesett. For å lagre trengs redaktørpassordet.", icon="🔒")
        return
    with st.form("save_deck"):
        name = st.text_input(DECK_LABELS["name"], value=offered_name, max_chars=DECK_NAME_LIMIT)
        who = ui_store.name_input("deck_saved_by")
        submitted = st.form_submit_button("Lagre settet")
    if not submitted:
        return
    same = opened is not None and clean_text(name, multiline=False).strip() == opened["name"]
    expected = opened["version"] if same and opened is not None else None
    try:
        row = store.save(name, deck.to_list(), who, expected_version=expected)
    except ValidationError as error:
        ui_store.show_errors(error.errors, DECK_LABELS)
    except ConflictError as error:
        st.error(error.message, icon="⚠️")
    else:
        ui_store.remember_name(who)
        st.success(
            f"Lagret «{safe_text(row['name'], DECK_NAME_LIMIT)}» (versjon {row['version']}). "
            "Åpne det igjen fra listen over."
        )
