"""The app frame every page relies on."""

from __future__ import annotations

import streamlit as st


def ensure_app_navigation() -> None:
    """Make a deep link on a freshly started server go through app.py's ``st.navigation``.

    Streamlit treats a ``pages/`` folder beside the main script as the old (v1) multipage layout
    until the first ``st.navigation`` call in the process. A first visit straight to
    ``/plan?kommune=1812`` would then run pages/plan.py alone, with file names as the menu and
    without app.py's page setup. Switching the flag off and rerunning hands the request to
    app.py, which routes it to the same page with the right menu. (No public API for this yet.)
    """
    from streamlit.runtime.pages_manager import PagesManager  # noqa: PLC0415

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
