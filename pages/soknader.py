"""Søknader: applications to the learning network, the county overview and the conversation brief."""

from __future__ import annotations

from datetime import date

import streamlit as st

from nokkeltall.ui import applications
from nokkeltall.ui.frame import ensure_app_navigation
from nokkeltall.ui.store import editor_gate

ensure_app_navigation()

st.title("Søknader")
today = date.today()
places = applications.municipalities()
can_edit = editor_gate()
round_year = applications.round_picker(today)
page = applications.load(round_year, places, can_edit, today)
applications.introduction(page)

# Only the open tab is drawn, except the form, which keeps what is typed while another tab is looked at.
overview_tab, import_tab, edit_tab, brief_tab, backup_tab = applications.tabs()
with overview_tab:
    if overview_tab.open:
        applications.county_overview(page)
with import_tab:
    if import_tab.open:
        applications.import_applications(page)
with edit_tab:
    applications.registration_form(page)  # ?kommune= preselects the municipality of a new application
with brief_tab:
    if brief_tab.open:
        applications.conversation_brief(page)
with backup_tab:
    if backup_tab.open:
        applications.backup(page)
