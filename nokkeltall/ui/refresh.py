"""The «Oppdater fra SSB» action: refresh the snapshot from SSB's API, rebuild, reload."""

from __future__ import annotations

import logging

import streamlit as st

from nokkeltall import db
from nokkeltall.ui.store import editor_gate

_log = logging.getLogger(__name__)


def refresh_from_ssb() -> None:
    """A button for editors; progress per table; the previous data stays on any failure."""
    if not editor_gate():  # the same editor password as for plans and applications
        st.caption("Oppdatering fra SSB krever redaktørpassordet (i sidepanelet).")
        return
    if not st.button("Oppdater fra SSB", key="refresh_button"):
        return
    from nokkeltall.ssb.refresh import RefreshError, refresh  # here: requests, only once it is asked for

    with st.status("Henter tabeller fra SSB …", expanded=True) as status:
        progress = st.progress(0.0, text="Starter …")

        def report(event) -> None:
            share = event.done / event.total if event.total else 0.0
            progress.progress(min(share, 1.0), text=f"Tabell {event.table_id}: {event.title} ({event.stage})")

        try:
            result = refresh(progress=report)
        except RefreshError as error:
            status.update(label="Oppdateringen feilet", state="error", expanded=True)  # the cause in view
            _log.error("refresh from SSB failed: %s", error)
            st.error(str(error))
            return
        for outcome in result.outcomes:
            if outcome.status == "skipped":
                _log.warning("refresh skipped table %s: %s", outcome.table_id, outcome.message)
                st.warning(f"Tabell {outcome.table_id} ble hoppet over: {outcome.message}")
            else:
                state = "oppdatert" if outcome.status == "updated" else "uendret"
                st.write(f"Tabell {outcome.table_id}: {state} (SSB oppdatert {outcome.updated or 'ukjent'})")
        if result.written:
            db.build()
            st.cache_data.clear()
            st.cache_resource.clear()
            status.update(label="Statistikken er oppdatert fra SSB", state="complete")
        else:
            status.update(label="Ingenting nytt hos SSB – datagrunnlaget er uendret", state="complete")
