"""Population projections per municipality by single year of age: a cohort method for small areas
(``model``), chosen by backtest with empirical prediction intervals (``backtest``), with scenarios
(``scenario``). The method is pure pandas/numpy; the data come through the query layer (``data``); the
page's and the fact base's Plotly figures are in ``figures`` (no Streamlit anywhere here)."""

from nokkeltall.projection.choices import FILE_NAME as CHOICES_FILE
from nokkeltall.projection.data import OPEN_AGE, PopulationData, ProjectionError
from nokkeltall.projection.groups import DISPLAY_GROUPS, GROUP_LABELS, GROUPS, INTERVAL_GROUPS
from nokkeltall.projection.projector import Projection, Projector, rounded
from nokkeltall.projection.scenario import Scenario, parse

__all__ = [
    "CHOICES_FILE",
    "DISPLAY_GROUPS",
    "GROUPS",
    "GROUP_LABELS",
    "INTERVAL_GROUPS",
    "OPEN_AGE",
    "PopulationData",
    "Projection",
    "ProjectionError",
    "Projector",
    "Scenario",
    "parse",
    "rounded",
]
