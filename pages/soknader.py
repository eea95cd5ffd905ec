"""Søknader (under arbeid)."""

import streamlit as st

st.title("Søknader")
st.info("Denne siden er under arbeid.")
