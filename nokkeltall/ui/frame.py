"""The app frame every page relies on: app.py's navigation, the guard that enforces it, and logging."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nokkeltall import log

_navigation_seen = False


def session_id() -> str:
    """Who a log line is about: the Streamlit session (its first 8 characters), or «-» outside one."""
    context = get_script_run_ctx(suppress_warning=True)
    return context.session_id[:8] if context else "-"


def navigation(pages: list) -> object:
    """``st.navigation`` for app.py, remembering that the app's own navigation is in charge."""
    global _navigation_seen
    log.setup(session_id)
    _navigation_seen = True
    return st.navigation(pages)


def ensure_app_navigation() -> None:
    """Make a deep link on a freshly started server go through app.py's ``st.navigation``.

    Streamlit treats a ``pages/`` folder beside the main script as the old (v1) multipage layout
    until the first ``st.navigation`` call in the process. A first visit straight to
    ``/plan?kommune=1812`` would then run pages/plan.py alone, with file names as the menu and
    without app.py's page setup. Switching that off once and rerunning hands the request to
    app.py, which routes it to the same page with the right menu. (No public API for this yet.)
    """
    global _navigation_seen
    log.setup(session_id)
    if _navigation_seen:
        return
    from streamlit.runtime.pages_manager import PagesManager

    _navigation_seen = True  # once per process: a page run on its own (e.g. in tests) is left alone after
    PagesManager.uses_pages_directory = False
    st.rerun()
