"""Sammenlign (under arbeid)."""

import streamlit as st

st.title("Sammenlign")
st.info("Denne siden er under arbeid.")
