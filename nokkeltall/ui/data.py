"""Cached access to the statistics database for the pages.

One read-only DuckDB connection per server process (``st.cache_resource``) and a cursor per
query, since a DuckDB connection is not thread-safe and Streamlit serves each session on its
own thread. Query results are cached with ``st.cache_data`` keyed on the database's build
fingerprint, so a rebuilt database is never served stale.
"""

from __future__ import annotations

import logging
import os
import threading

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nokkeltall import config, db, queries

_log = logging.getLogger(__name__)

_BUILD_LOCK = threading.Lock()


class DataUnavailable(RuntimeError):
    """The statistics cannot be shown; the message is Norwegian and meant for the user."""


def _database_key() -> tuple[str, int]:
    """The database path and its modification time: a rebuilt file gets a new connection."""
    path = config.database_path()
    try:
        return str(path), os.stat(path).st_mtime_ns
    except OSError:
        return str(path), 0


@st.cache_resource(show_spinner="Klargjør statistikkdatabasen …", max_entries=4)
def _open(path: str, mtime_ns: int):
    with _BUILD_LOCK:
        try:
            db.ensure_database()
            con = db.connect()
        except Exception as error:  # every cause gets the same user message
            _log.error("statistics database %s unavailable: %s", path, error)
            raise DataUnavailable(
                f"Statistikken kan ikke lastes: {error}. Kjør «make run» på nytt, eller «nokkeltall status» "
                "for å se hvilken fil som er ødelagt."
            ) from error
    fingerprint = con.execute("SELECT value FROM build_info WHERE key = 'manifest'").fetchall()[0][0]
    return con, fingerprint


def _connection_and_fingerprint():
    # Keyed on the file's path and mtime: a database rebuilt by `nokkeltall build` or a refresh
    # (always a new file renamed into place) is opened afresh. Looked up once per script run (a page
    # asks 5–10 times; each look-up is a stat and a hashed cache read): the run's answer is kept on
    # its context, beside the run's own ``cursors`` (a new dict each run).
    context = get_script_run_ctx(suppress_warning=True)
    run = getattr(context, "cursors", None)
    kept = getattr(context, "_nokkeltall_database", None)
    if run is not None and kept is not None and kept[0] is run and kept[1] == config.database_path():
        return kept[2]
    found = _open(*_database_key())
    if run is not None:
        context._nokkeltall_database = (run, config.database_path(), found)  # type: ignore[union-attr]
    return found


def cursor():
    """A fresh cursor on the shared read-only connection."""
    con, _ = _connection_and_fingerprint()
    return con.cursor()


def fingerprint() -> str:
    return _connection_and_fingerprint()[1]


def _call(qualified_name: str, args: tuple, kwargs: tuple):
    """Run ``module.function(cursor, *args, **kwargs)`` named by its qualified name."""
    import importlib

    module_name, _, function_name = qualified_name.rpartition(".")
    function = getattr(importlib.import_module(module_name), function_name)
    with cursor() as cur:
        return function(cur, *args, **dict(kwargs))


def _key(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _frozen(args: tuple, kwargs: dict) -> tuple[tuple, tuple]:
    """Lists become tuples so that Streamlit can hash the arguments."""
    frozen_args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    frozen_kwargs = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    return frozen_args, frozen_kwargs


@st.cache_data(show_spinner=False, max_entries=2048)
def _cached_call(qualified_name: str, build: str, args: tuple, kwargs: tuple):
    return _call(qualified_name, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=512)
def _shared_call(qualified_name: str, build: str, args: tuple, kwargs: tuple):
    return _call(qualified_name, args, kwargs)


def query(name: str, *args, **kwargs):
    """Call ``nokkeltall.queries.<name>(cursor, *args, **kwargs)``, cached per database build.

    Lists in the arguments are passed as tuples (hashable); the query functions accept both.
    """
    result = _cached_call(f"{queries.__name__}.{name}", fingerprint(), *_frozen(args, kwargs))
    return result.copy() if hasattr(result, "copy") else result


def cached_call(function, *args, **kwargs):
    """Cache any pure function of the database (e.g. a figure builder) by its qualified name."""
    return _cached_call(_key(function), fingerprint(), args, tuple(sorted(kwargs.items())))


def shared_call(function, *args, **kwargs):
    """Like ``cached_call`` but the result is shared, not copied (``st.cache_resource``).

    For results that are expensive to unpickle and never mutated by the caller, such as Plotly
    figures (unpickling a figure re-validates it: about 6 ms each, per rerun).
    """
    return _shared_call(_key(function), fingerprint(), args, tuple(sorted(kwargs.items())))
