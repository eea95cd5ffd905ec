"""Plan (under arbeid)."""

import streamlit as st

st.title("Plan")
st.info("Denne siden er under arbeid.")
