"""Benchmark (not a test): time per fact-base document WITH charts for the small municipalities
(< 2 500 inhabitants) of Nordland and Trøndelag, as the app/CLI makes them one at a time.

    .venv/bin/python bench/report.py [--format docx|html] [--limit N]

The browser (kaleido + chromium) starts once per process; its start is reported apart. Each
report is timed from the query layer to the file's bytes, without sharing anything between
reports except the browser. Goal (issue 12): median ≤ 3 s on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from nokkeltall import db, queries  # noqa: E402
from nokkeltall.report import images, render_bytes  # noqa: E402


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

    images.figure_png(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    browser = time.perf_counter() - started

    times, sizes = [], []
    for code in codes:
        started = time.perf_counter()
        data = render_bytes(con, code, args.format, charts=True)
        times.append(time.perf_counter() - started)
        sizes.append(len(data))
        print(f"{code} {small.set_index('municipality_code').loc[code, 'name']:20} {times[-1]:5.2f} s "
              f"{len(data) / 1e6:4.2f} MB", file=sys.stderr)
    print(f"browser start (once per process): {browser:.2f} s")
    median = statistics.median(times)
    print(f"{len(times)} reports ({args.format}, with charts): median {median:.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s, "
          f"median size {statistics.median(sizes) / 1e6:.2f} MB")
    return 0 if median <= 3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
