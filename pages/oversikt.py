"""Oversikt: the small municipalities of the chosen counties — count, table, map; choose one to open it.

The sections live in nokkeltall/ui/overview.py; the address holds the choices (?fylke=, ?grense=,
?kartmal=).
"""

import streamlit as st

from nokkeltall.ui import overview
from nokkeltall.ui.frame import ensure_app_navigation

ensure_app_navigation()

st.title("Nøkkeltall for små kommuner")
view = overview.choices()  # counties, limit, the count sentence (stops when no municipality is left)
overview.municipality_table(view)
overview.downloads(view)
overview.map_section(view)
overview.municipality_choice(view)
