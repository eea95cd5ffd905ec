"""Sammenlign: 2–8 municipalities × indicators as lines, bars, index or ranks; similar municipalities;
Excel/CSV/PNG downloads. Every choice is in the URL
(?kommuner=1835,5043&indikatorer=population&visning=linjer).

The sections live in nokkeltall/ui/compare_view.py.
"""

import streamlit as st

from nokkeltall.ui import compare_view
from nokkeltall.ui.frame import ensure_app_navigation

ensure_app_navigation()

st.title("Sammenlign kommuner")
st.caption("Velg 2–8 kommuner og én eller flere indikatorer. Lenken i adressefeltet gjenskaper visningen.")
options = compare_view.options()
compare_view.read_address(options)  # seeds the choices from an opened link; says what could not be used
compare_view.quick_picks(options)
selection = compare_view.choices(options)
compare_view.figures(options, selection)
target, weights = compare_view.similar(options, selection.codes)
compare_view.write_address(selection, target, weights)
