"""The user-data store for the pages: one cached ``UserStore`` per file, and the editor gate.

Editing needs the editor password when one is configured (``editor_password`` in Streamlit
secrets, else the environment variable ``NOKKELTALL_EDITOR_PASSWORD``); reading stays open.
Messages from ``ValidationError.errors`` are shown under the form, naming the field.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from typing import cast

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nokkeltall import config, log
from nokkeltall.store import (
    NotFoundError,
    UserStore,
    ValidationError,
    configured_editor_password,
)
from nokkeltall.store.access import PasswordGuard
from nokkeltall.store.scenarios import ScenarioStore

_log = logging.getLogger(__name__)

SECRET_NAME = "editor_password"
PASSWORD_KEY = "_editor_password"
NAME_KEY = "_editor_name"
GUARD_KEY = "_editor_password_guard"


@st.cache_resource(show_spinner=False)
def _store(path: str) -> UserStore:
    return UserStore(path)


def user_store() -> UserStore:
    """The store over ``config.user_database_path()`` (one object per file and process).

    When the file cannot be opened or created (a read-only or broken data folder), the page says
    so in Norwegian and gets a stand-in that lists nothing and refuses every write with that message,
    so the statistics on the page are still shown.
    """
    path = config.user_database_path()
    try:
        return _store(str(path))
    except (sqlite3.Error, OSError) as error:
        message = (
            f"Brukerdata ({path.name}) kan ikke åpnes: {error}. Statistikken vises som vanlig, men "
            "planstatus, milepæler og søknader kan ikke leses eller lagres nå. Sjekk at datamappen "
            "finnes og er skrivbar."
        )
        _log.error("user store %s cannot be opened: %s", path, error)
        st.error(message, icon="⚠️")
        return cast(UserStore, UnavailableStore(message))  # a stand-in with the same reading methods


def deck_store():
    """The saved gathering-mode decks (``DeckStore``) on the same file, or the stand-in."""
    from nokkeltall.store.decks import DeckStore

    store = user_store()
    return store if isinstance(store, UnavailableStore) else DeckStore(store)


def scenario_store():
    """The saved projection scenarios (``ScenarioStore``) on the same file, or the stand-in."""
    store = user_store()
    return store if isinstance(store, UnavailableStore) else ScenarioStore(store)


class UnavailableStore:
    """Stands in for ``UserStore`` when its file cannot be opened: empty lists, every write refused."""

    def __init__(self, message: str):
        self.message = message

    def export_json(self) -> str:
        return "{}"

    def list(self) -> list:  # as DeckStore.list
        return []

    def get(self, row_id: int):  # as DeckStore.get
        raise NotFoundError("decks", row_id)

    def __getattr__(self, name: str):
        if name.startswith("list_"):
            return lambda *args, **kwargs: []

        def refuse(*args, **kwargs):
            raise ValidationError({"brukerdata": self.message})

        return refuse


def configured_password() -> str | None:
    """The editor password from Streamlit secrets, else the environment; None when open."""
    secret = None
    try:
        if st.secrets.load_if_toml_exists():
            secret = st.secrets.get(SECRET_NAME)
    except Exception as error:  # a broken secrets file must not lock readers out
        _log.warning("secrets file unreadable (%s): password from the environment", type(error).__name__)
        secret = None
    password = configured_editor_password(str(secret) if secret else None)
    log.redact(password)
    return password


def _guard() -> PasswordGuard:
    """This session's password attempts (a growing wait after three wrong ones)."""
    guard = st.session_state.get(GUARD_KEY)
    if not isinstance(guard, PasswordGuard):
        context = get_script_run_ctx()
        guard = PasswordGuard(session=context.session_id[:8] if context else "")
        st.session_state[GUARD_KEY] = guard
    return guard


def editor_gate(where=None) -> bool:
    """A password box (in the sidebar, or in ``where``): True when the user may edit. Shows the box only
    when a password is configured; wrong attempts are throttled per session and logged."""
    configured = configured_password()
    if not configured:
        return True
    with where if where is not None else st.sidebar:
        st.markdown("**Redigering**")
        given = st.text_input(
            "Redaktørpassord",
            type="password",
            key=PASSWORD_KEY,
            help="Alle kan lese. For å registrere eller endre trengs redaktørpassordet.",
        )
        allowed, wait = _guard().check(given, configured)
        if allowed:
            st.success("Du kan redigere.", icon="🔓")
        elif given and wait > 0:
            st.error(
                f"Feil passord. For mange forsøk: vent {math.ceil(wait)} sekunder før du prøver igjen.",
                icon="🔒",
            )
        elif given:
            _log.warning("wrong editor password")
            st.error("Feil passord. Du kan lese, men ikke endre.", icon="🔒")
        else:
            st.info("Skriv redaktørpassordet for å registrere eller endre.", icon="🔒")
    return allowed


def name_input(key: str) -> str:
    """«Ditt navn» for the change log; remembers the last name typed in this session."""
    if key not in st.session_state and st.session_state.get(NAME_KEY):
        st.session_state[key] = st.session_state[NAME_KEY]
    return st.text_input("Ditt navn (lagres i endringsloggen)", key=key, max_chars=80)


def remember_name(name: str) -> None:
    if name and name.strip():
        st.session_state[NAME_KEY] = name.strip()


def show_errors(errors: dict[str, str], labels: dict[str, str]) -> None:
    """One message per field, naming the field, e.g. «Vedtatt (år eller dato): Årstallet må …»."""
    st.error("Ingenting er lagret. Rett opp feltene under og prøv igjen.", icon="⚠️")
    for field, message in errors.items():
        row, _, name = field.rpartition(".")
        label = labels.get(name, labels.get(field, name))
        prefix = f"Rad {row}, {label}" if row.isdigit() else f"{row}, {label}" if row else label
        st.error(f"**{prefix}:** {message}")
