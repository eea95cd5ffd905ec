"""Plotly figures to PNG on the server, with kaleido and Debian's chromium.

The browser is started once per process (``kaleido.start_sync_server``) and reused: the first
image costs about 1.5 s (browser start), each further image about 0.15 s. It is stopped when the
process exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import threading

WIDTH, HEIGHT, SCALE = 900, 420, 2

_lock = threading.Lock()
_started = False


def _ensure_server() -> None:
    global _started
    with _lock:
        if _started:
            return
        import kaleido  # noqa: PLC0415

        if not os.environ.get("BROWSER_PATH"):
            found = shutil.which("chromium") or shutil.which("chromium-browser")
            if found:
                os.environ["BROWSER_PATH"] = found
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        _started = True


def figure_png(figure, width: int = WIDTH, height: int | None = None, scale: float = SCALE) -> bytes:
    """One figure as PNG bytes (white background, fixed size for an A4 page)."""
    import kaleido  # noqa: PLC0415

    _ensure_server()
    spec = figure.to_dict()
    layout = spec.setdefault("layout", {})
    layout.setdefault("paper_bgcolor", "white")
    height = height or layout.get("height") or HEIGHT
    with _lock:  # one page in the shared browser at a time
        return kaleido.calc_fig_sync(spec, opts={"format": "png", "width": width, "height": height, "scale": scale})


def render_images(report) -> None:
    """Fill ``image`` of every chart of the report; a chart that fails keeps ``image=None``."""
    for chart in report.charts():
        if chart.image is None and chart.figure is not None:
            chart.image = figure_png(chart.figure)
