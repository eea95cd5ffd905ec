"""Kommune (under arbeid)."""

import streamlit as st

st.title("Kommune")
st.info("Denne siden er under arbeid.")
