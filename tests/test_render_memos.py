"""The answers the UI keeps for figures and tables that never change (nokkeltall/ui/widgets.py) are the
ones Streamlit would work out itself on each rerun."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pyarrow as pa
from streamlit.elements.lib import pandas_styler_utils
from streamlit.proto.ArrowData_pb2 import ArrowData

from nokkeltall import text
from nokkeltall.ui import widgets


def _figure() -> go.Figure:
    figure = go.Figure(go.Scatter(x=[2024, 2025, 2026], y=[480, 475.5, 470], name="Træna"))
    figure.update_layout(title="Folketall", separators=", ")
    return figure


def test_a_kept_figure_gives_the_same_json_each_time():
    expected = plotly.io.to_json(_figure().to_dict(), validate=False)
    kept = widgets._dict_once(_figure())
    first = plotly.io.to_json(kept.to_dict(), validate=False)
    assert first == expected
    assert plotly.io.to_json(kept.to_dict(), validate=False) is first  # answered from what was kept


def test_other_figures_and_options_are_encoded_as_before():
    figure = _figure()
    assert plotly.io.to_json(figure, validate=False) == figure.to_json(validate=False)
    kept = widgets._dict_once(_figure())
    pretty = plotly.io.to_json(_figure().to_dict(), pretty=True)
    assert plotly.io.to_json(kept.to_dict(), pretty=True) == pretty


def test_kept_display_values_are_streamlits_own():
    frame = pd.DataFrame({"Kommune": ["Træna", "Røst"], "Folketall": [1234.0, 470.0]})
    styler = widgets.norwegian_styler(frame, decimals={"Folketall": 0})
    styler._compute()
    translated = styler._translate(False, False)
    fresh = ArrowData()
    pandas_styler_utils._marshall_display_values(fresh, frame, translated)  # worked out as Streamlit does
    kept = ArrowData()
    pandas_styler_utils._marshall_display_values(kept, frame, widgets.keep_display_values(styler, translated))
    assert kept.styler.display_values == fresh.styler.display_values
    shown = pa.ipc.open_stream(kept.styler.display_values).read_all().to_pandas()
    assert shown["Folketall"].tolist() == [text.number(1234.0, 0), "470"]  # «1 234»
