"""Nøkkeltall — entry point: page setup and navigation. Each page is a thin script in pages/."""

import streamlit as st

from nokkeltall import memory
from nokkeltall.ui.frame import navigation

memory.return_large_blocks()

st.set_page_config(page_title="Nøkkeltall for små kommuner", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/oversikt.py", title="Oversikt", default=True, url_path="oversikt"),
    st.Page("pages/kommune.py", title="Kommune", url_path="kommune"),
    st.Page("pages/sammenlign.py", title="Sammenlign", url_path="sammenlign"),
    st.Page("pages/samlingsmodus.py", title="Samlingsmodus", url_path="samlingsmodus"),
    st.Page("pages/plan.py", title="Plan", url_path="plan"),
    st.Page("pages/soknader.py", title="Søknader", url_path="soknader"),
    st.Page("pages/om_data.py", title="Om data", url_path="om-data"),
]

navigation(PAGES).run()
