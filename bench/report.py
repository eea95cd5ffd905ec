"""Benchmark (not a test): time per fact-base document WITH charts for the small municipalities
(< 2 500 inhabitants) of Nordland and Trøndelag, as the app/CLI makes them one at a time.

    .venv/bin/python bench/report.py [--format docx|html] [--limit N] [--rounds 1]

The browser (kaleido + chromium) starts once per process; its start is reported apart. Each
document is timed from the query layer to the file's bytes. Goal: median ≤ 3 s on 2 cores.

On a shared, loaded machine absolute times mislead, so a floor is measured in the same run,
interleaved with the documents: a fixed piece of work on code this project does not change (one
population series from DuckDB and a Plotly figure of it turned into JSON five times). The ratio
median/floor survives load better, and compares runs of different versions of the code.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from nokkeltall import db, queries  # noqa: E402
from nokkeltall.report import render_bytes  # noqa: E402


def figure_png(figure) -> bytes:
    try:  # the one Kaleido manager (after issue 13); older trees had report.images.figure_png
        from nokkeltall.charts.images import figure_png as draw
    except ImportError:  # only when benchmarking an older tree for a before/after comparison
        from nokkeltall.report.images import figure_png as draw
    return draw(figure)


def floor(con, code: str) -> float:
    import plotly.graph_objects as go

    started = time.perf_counter()
    sql = "SELECT year, value FROM measure WHERE measure = 'population' AND municipality_code = ?"
    frame = con.execute(sql, [code]).df()
    for _ in range(5):
        go.Figure(go.Scatter(x=frame["year"], y=frame["value"])).to_json()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["docx", "html"], default="docx")
    parser.add_argument("--limit", type=int, default=None, help="only the first N municipalities")
    args = parser.parse_args()
    db.ensure_database()
    con = db.connect()
    small = queries.municipalities(con, list(queries.NETWORK_COUNTIES), queries.SMALL_MUNICIPALITY_LIMIT)
    codes = small["municipality_code"].tolist()[: args.limit]

    started = time.perf_counter()
    import plotly.graph_objects as go

    figure_png(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    browser = time.perf_counter() - started

    times, sizes, floors = [], [], []
    for code in codes:
        floors.append(floor(con, code))
        started = time.perf_counter()
        data = render_bytes(con, code, args.format, charts=True)
        times.append(time.perf_counter() - started)
        sizes.append(len(data))
        print(
            f"{code} {small.set_index('municipality_code').loc[code, 'name']:20} {times[-1]:5.2f} s "
            f"{len(data) / 1e6:4.2f} MB  (floor {floors[-1]:4.2f} s)",
            file=sys.stderr,
        )
    median, floor_median = statistics.median(times), statistics.median(floors)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"browser start (once per process): {browser:.2f} s; "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"{len(times)} documents ({args.format}, with charts): median {median:.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s, median size {statistics.median(sizes) / 1e6:.2f} MB"
    )
    print(
        f"floor (fixed DuckDB + Plotly work): median {floor_median:.2f} s; "
        f"document/floor ratio {median / floor_median:.1f}"
    )
    return 0 if median <= 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
