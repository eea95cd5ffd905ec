"""Download of the fact-base document (kunnskapsgrunnlag) on the municipality page.

    from nokkeltall.ui.report import report_downloads
    report_downloads(code)

The document is made on request (a button), since charts are rendered in a headless browser
(about 2–3 s), once for both formats, and cached per municipality, database build and day. Without a
browser the charts become tables and the page says so.
"""

from __future__ import annotations

import logging
from datetime import date

import streamlit as st

from nokkeltall import config
from nokkeltall.charts import images
from nokkeltall.ui.data import DataUnavailable, cursor, fingerprint

_log = logging.getLogger(__name__)

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
}


@st.cache_data(show_spinner=False, max_entries=32)
def _documents(code: str, build: str, day: str, user_data_stamp: float, charts_available: bool) -> dict:
    """Word and HTML from one build of the document (its charts are drawn once, concurrently)."""
    from nokkeltall.report import render_documents  # here: imports python-docx, kaleido

    store = None
    if config.user_database_path().exists():
        from nokkeltall.store import UserStore

        store = UserStore()
    with cursor() as cur:
        return render_documents(
            cur, code, tuple(MIME), charts=True, as_of=date.fromisoformat(day), store=store
        )


def _user_data_stamp() -> float:
    path = config.user_database_path()
    wal = path.with_name(path.name + "-wal")
    return max((p.stat().st_mtime for p in (path, wal) if p.exists()), default=0.0)


def report_downloads(code: str | None) -> None:
    """A «Kunnskapsgrunnlag» block: make the document, then download it as Word or HTML."""
    if not code:
        return
    st.subheader("Kunnskapsgrunnlag")
    st.caption(
        "Et redigerbart utkast til den statistiske delen av planstrategien: befolkning, arbeid og "
        "pendling, økonomi, plansituasjon og kilder, med diagrammer og tekst skrevet fra tallene."
    )
    key = f"report_{code}"
    if st.button("Lag kunnskapsgrunnlag", key=f"{key}_make"):
        st.session_state[key] = True
    if not st.session_state.get(key):
        return
    try:
        build = fingerprint()
    except DataUnavailable as error:
        st.error(str(error))
        return
    today = date.today().isoformat()
    try:
        with st.spinner("Lager dokumentet …"):
            documents = _documents(code, build, today, _user_data_stamp(), images.available())
    except Exception as error:  # tell the user, keep the page running
        _log.exception("fact base for %s failed", code)
        st.error(f"Dokumentet kunne ikke lages ({type(error).__name__}: {error}).")
        return
    note = next((d.note for d in documents.values() if d.note), None)
    if note:
        st.info(note)
    columns = st.columns(2)
    for column, fmt, label in (
        (columns[0], "docx", "Last ned Word (.docx)"),
        (columns[1], "html", "Last ned HTML"),
    ):
        with column:
            st.download_button(
                label,
                documents[fmt].data,
                file_name=f"kunnskapsgrunnlag-{code}.{fmt}",
                mime=MIME[fmt],
                key=f"{key}_{fmt}",
            )
