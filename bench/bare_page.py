"""The floor for the benchmarks: a bare Streamlit page that draws one Plotly line chart of 22 points.

streamlit run bench/bare_page.py     (the browser floor)
AppTest.from_file("bench/bare_page.py")   (the warm-render floor)
"""

import plotly.graph_objects as go
import streamlit as st

YEARS = list(range(2005, 2027))  # 22 points, like a population series 2005–2026
VALUES = [500 - 3 * i + (i % 4) for i in range(len(YEARS))]

st.title("Bare side")
figure = go.Figure(go.Scatter(x=YEARS, y=VALUES, mode="lines+markers", name="Folketall"))
figure.update_layout(height=360, margin={"l": 40, "r": 10, "t": 30, "b": 30})
st.plotly_chart(figure, width="stretch", config={"displaylogo": False}, key="bare")
