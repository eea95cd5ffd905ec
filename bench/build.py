"""Benchmark (not a test): build time of the database from the shipped snapshot against its floor,
and the time of the heaviest queries, as medians over several runs; plus peak memory (RSS).

    .venv/bin/python bench/build.py [--runs 5] [--snapshot data/snapshot]

The floor loads each of the snapshot's Parquet files into a DuckDB table of its own and nothing
else (no checksums, harmonisation or indexes): what any build must at least do. Build and floor
runs alternate, so a busy machine slows both alike. Goal: build ≤ 2× the floor. The databases are
written into a temporary directory; data/ is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from nokkeltall import db, indicators, queries  # the editable install (make install) puts it on the path

REPO_ROOT = Path(__file__).resolve().parent.parent

GOAL_RATIO = 2.0


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


def load_floor(db_path: Path, snapshot_dir: Path) -> None:
    """Each Parquet file of the snapshot into a DuckDB table of its own, written to disk: nothing more."""
    manifest = json.loads((snapshot_dir / "manifest.json").read_text(encoding="utf-8"))
    db_path.unlink(missing_ok=True)
    with duckdb.connect(str(db_path)) as con:
        for index, entry in enumerate(manifest["datasets"].values()):
            path = str(snapshot_dir / entry["file"])
            con.execute(f"CREATE TABLE t{index} AS SELECT * FROM read_parquet(?)", [path])
        con.execute("CHECKPOINT")


Timing = tuple[float, list[float], float]


def build_and_floor(folder: Path, snapshot_dir: Path, runs: int) -> dict[str, Timing]:
    """Median wall time, all wall times and median CPU time of the floor and of the build (into
    ``folder``/build.duckdb), their runs alternating."""
    targets = {
        "floor": lambda: load_floor(folder / "floor.duckdb", snapshot_dir),
        "build": lambda: db.build(folder / "build.duckdb", snapshot_dir),
    }
    walls: dict[str, list[float]] = {name: [] for name in targets}
    cpus: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(runs):
        for name, function in targets.items():
            _, [wall], cpu = timed(function, 1)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {
        name: (statistics.median(walls[name]), walls[name], statistics.median(cpus[name])) for name in targets
    }


def _seconds(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def _print_build(results: dict, runs: int) -> None:
    floor, floor_times, floor_cpu = results["floor"]
    median, times, cpu = results["build"]
    ratio = median / floor
    verdict = "OK" if ratio <= GOAL_RATIO else "OVER"
    print(
        f"floor:  median {floor:.2f} s over {runs} runs ({_seconds(floor_times)}), CPU {floor_cpu:.2f} s"
        "  (Parquet files → DuckDB tables, nothing else)"
    )
    print(
        f"build:  median {median:.2f} s over {runs} runs ({_seconds(times)}), CPU {cpu:.2f} s"
        f"  {ratio:.2f}× the floor, goal ≤ {GOAL_RATIO:g}×  {verdict}"
    )
    print(f"        load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


def _print_queries(con, runs: int) -> None:
    ids = [i.id for i in indicators.CATALOGUE]
    heavy = {
        "latest_values(all indicators, all municipalities)": lambda: queries.latest_values(
            con.cursor(), ids, None
        ),
        "aggregate_series(every indicator, country)": lambda: [
            queries.aggregate_series(con.cursor(), i, None) for i in ids
        ],
        "indicator_series(median_age, all municipalities)": lambda: queries.indicator_series(
            con.cursor(), "median_age"
        ),
        "aggregate_series(median_age, country)": lambda: queries.aggregate_series(
            con.cursor(), "median_age", None
        ),
        "municipalities(18+50, < 2500)": lambda: queries.municipalities(con.cursor(), ["18", "50"], 2499),
    }
    for name, function in heavy.items():
        function()  # warm up
        median, _, cpu = timed(function, runs)
        print(f"query:  median {median * 1000:7.1f} ms (CPU {cpu * 1000:6.1f} ms)  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median is reported)")
    parser.add_argument(
        "--snapshot", type=Path, default=REPO_ROOT / "data" / "snapshot", help="snapshot directory"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        _print_build(build_and_floor(Path(folder), args.snapshot, args.runs), args.runs)
        db_path = Path(folder) / "build.duckdb"
        con = db.connect(db_path)
        [(problems,)] = con.execute("SELECT value FROM build_info WHERE key = 'problems'").fetchall()
        size = db_path.stat().st_size / 1e6
        print(f"        database {size:.1f} MB, problems: {json.loads(problems) or 'none'}")
        _print_queries(con, args.runs)
        con.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
