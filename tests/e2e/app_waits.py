"""Waiting for the app in the browser tests: on a condition the page itself reports, not a fixed sleep.

Streamlit's frontend marks its root (``[data-testid=stApp]``) with ``data-test-script-state``: «initial»
before the first run of a freshly loaded page, «running» while the script runs, «notRunning» once the
run is over (every element and any exception box it sent are on the page by then). A Plotly chart is
drawn once its ``.main-svg`` exists. All of it must hold for a short quiet time, so that a rerun the
app asks for right after a run (its «running» follows within milliseconds) is not taken for the end, and
a chart still being resized to its place is waited for.
"""

from __future__ import annotations

QUIET_MS = 300

# True once the script run is over, the connection up, at least ``charts`` charts drawn, and all of that
# (with every chart's size) unchanged for ``quiet`` milliseconds.
SETTLED = """([charts, quiet]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const boxes = [...document.querySelectorAll('.js-plotly-plot .main-svg')].map((svg) => {
    const box = svg.getBoundingClientRect();
    return `${box.width}x${box.height}`;
  });
  const drawn = [...document.querySelectorAll('.js-plotly-plot')].filter(
    (chart) => chart.querySelector('.main-svg')).length;
  const done = !!app && app.dataset.testScriptState === 'notRunning'
    && app.dataset.testConnectionState === 'CONNECTED' && drawn >= charts;
  const state = done ? boxes.join(' ') : null;
  if (state === null || state !== window.__settledState) {
    window.__settledState = state;
    window.__settledSince = performance.now();
    return false;
  }
  return performance.now() - window.__settledSince >= quiet;
}"""


def settled(page, charts: int = 0, timeout: float = 60) -> None:
    """Until the script run is over and at least ``charts`` charts are drawn.

    Use it after a fresh ``page.goto`` (the state starts as «initial») or after waiting for something
    the new run shows: right after a click the previous run's «notRunning» still stands."""
    page.evaluate("window.__settledState = null")
    page.wait_for_function(SETTLED, arg=[charts, QUIET_MS], timeout=timeout * 1000, polling=100)
