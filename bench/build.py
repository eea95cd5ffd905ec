"""Benchmark (not a test): build time of the database from the shipped snapshot, and the time of
the heaviest queries, as medians over several runs; plus peak memory (RSS) of this process.

    .venv/bin/python bench/build.py [--runs 5] [--snapshot data/snapshot]

The database is built into a temporary directory; data/ is not touched. Goal: build ≤ 3 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from nokkeltall import db, indicators, queries  # noqa: E402


def timed(function, runs: int) -> tuple[float, list[float], float]:
    """Median wall time, all wall times, median CPU time (all threads of this process: on a
    busy machine the CPU time shows the work itself, the wall time also the waiting)."""
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), times, statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median is reported)")
    parser.add_argument("--snapshot", type=Path, default=REPO_ROOT / "data" / "snapshot", help="snapshot directory")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.duckdb"
        problems: dict = {}

        def build():
            problems.update(db.build(db_path, args.snapshot)["problems"])

        median, times, cpu = timed(build, args.runs)
        print(f"build:  median {median:.2f} s over {args.runs} runs ({', '.join(f'{t:.2f}' for t in times)}),"
              f" CPU {cpu:.2f} s  goal ≤ 3 s  {'OK' if median <= 3 else 'OVER'}")
        print(f"        load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"        database {db_path.stat().st_size / 1e6:.1f} MB, problems: {problems or 'none'}")

        con = db.connect(db_path)
        ids = [i.id for i in indicators.CATALOGUE]
        heavy = {
            "latest_values(all indicators, all municipalities)": lambda: queries.latest_values(con.cursor(), ids, None),
            "aggregate_series(every indicator, country)": lambda: [queries.aggregate_series(con.cursor(), i, None) for i in ids],
            "indicator_series(median_age, all municipalities)": lambda: queries.indicator_series(con.cursor(), "median_age"),
            "aggregate_series(median_age, country)": lambda: queries.aggregate_series(con.cursor(), "median_age", None),
            "municipalities(18+50, < 2500)": lambda: queries.municipalities(con.cursor(), ["18", "50"], 2499),
        }
        for name, function in heavy.items():
            function()  # warm up
            median, _, cpu = timed(function, args.runs)
            print(f"query:  median {median * 1000:7.1f} ms (CPU {cpu * 1000:6.1f} ms)  {name}")
        con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
