"""Om data (under arbeid)."""

import streamlit as st

st.title("Om data")
st.info("Denne siden er under arbeid.")
