"""Plan: the legal planning calendar, the municipality's plan status and its own progress plan."""

from __future__ import annotations

import streamlit as st

from nokkeltall.ui import plan_view
from nokkeltall.ui.frame import ensure_app_navigation
from nokkeltall.ui.store import editor_gate
from nokkeltall.ui.widgets import municipality_picker

ensure_app_navigation()

st.title("Plan")
st.caption(
    "Hvor kommunen står i plansyklusen: lovbestemte frister, planstatus med kilde, og kommunens egen "
    "framdriftsplan for planstrategi og samfunnsdel."
)

code = municipality_picker()
if not code:
    st.info("Velg en kommune i sidepanelet for å se plankalender og planstatus.")
    st.stop()
can_edit = editor_gate()
page = plan_view.load(code)

plan_view.heading(page)
plan_view.status_section(page, can_edit)
plan_view.timeline_section(page)
plan_view.progress_plan_editor(page, can_edit)
