"""Samlingsmodus (under arbeid)."""

import streamlit as st

st.title("Samlingsmodus")
st.info("Denne siden er under arbeid.")
