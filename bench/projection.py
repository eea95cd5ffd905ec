"""Backtest benchmark of the population projection (a script, not a test).

    .venv/bin/python bench/projection.py [--runs 21] [--csv out.csv]

Projections from base years 2010, 2013, 2015, 2018 and 2020, 5 and 10 years ahead where the outcome is
known, each made only from the data up to its base year (settings and intervals included), for the
network's small municipalities (< 2 500 inhabitants in 2026 in Nordland and Trøndelag) and for all 357:

* total population MAPE and MALPE beside the naive baselines (constant, linear and geometric trend over
  the last 10 years, their average) — goal: no worse than the best of them;
* aged 67+ and 80+ at 10 years beside the count held constant and the share held constant times the
  projected total — goal: ≤ 0.5× (67+) and ≤ 0.7× (80+) the naive MAPE;
* coverage of the 80 % (and 50 %) intervals — goal: 70–90 % over all municipalities and base years;
* warm time of one municipality's projection with intervals — goal: < 1 s; beside it, as a floor measured
  in the same run, one read of a municipality's age distribution from DuckDB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test

from nokkeltall import db, queries
from nokkeltall.projection import Projector, evaluation, model

REPO_ROOT = Path(__file__).resolve().parent.parent
GOAL_TAB_RATIO = 2.5

NAIVE = ("constant", "linear", "geometric", "average")
HORIZONS = evaluation.HORIZONS


def timings(projector: Projector, con, runs: int) -> dict[str, float]:
    codes = evaluation.small_municipalities(projector)
    project, scenario, floor = [], [], []
    for i in range(runs):
        code = codes[i % len(codes)]
        started = time.perf_counter()
        projector.project(code).table("total")
        project.append(time.perf_counter() - started)
        started = time.perf_counter()
        projector.project(code, scenario="netto=+5:20-39").table("total")
        scenario.append(time.perf_counter() - started)
        started = time.perf_counter()
        queries.population_by_age(con, code, 2026)
        floor.append(time.perf_counter() - started)
    return {
        "project": statistics.median(project),
        "scenario": statistics.median(scenario),
        "floor": statistics.median(floor),
    }


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (numbers with one decimal)."""

    def cell(value) -> str:
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def tab_render(runs: int) -> dict[str, float]:
    """Warm AppTest render of the municipality page on the «Framskriving» tab (Træna) against the bare
    one-chart page (bench/bare_page.py), interleaved; the app reads a scratch data folder."""
    shared_cache = ScriptCache()
    app_test.ScriptCache = lambda: shared_cache
    scratch = Path(tempfile.mkdtemp(prefix="projection-bench-"))
    (scratch / "snapshot").symlink_to(REPO_ROOT / "data" / "snapshot")
    (scratch / "nokkeltall.duckdb").symlink_to(REPO_ROOT / "data" / "nokkeltall.duckdb")
    os.environ["NOKKELTALL_DATA_DIR"] = str(scratch)
    bare = AppTest.from_file(str(REPO_ROOT / "bench" / "bare_page.py"), default_timeout=300)
    tab = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    tab.run()
    tab.switch_page("pages/kommune.py")
    tab.query_params.update({"kommune": "1835", "del": "Framskriving"})
    population = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=300)
    population.run()
    population.switch_page("pages/kommune.py")
    population.query_params.update({"kommune": "1835"})
    targets = {"bare": bare, "tab": tab, "befolkning": population}
    times: dict[str, list[float]] = {name: [] for name in targets}
    for at in targets.values():
        at.run()
        at.run()
    for _ in range(runs):
        for name, at in targets.items():
            started = time.perf_counter()
            at.run()
            times[name].append(time.perf_counter() - started)
    assert not tab.exception, tab.exception
    return {name: statistics.median(values) for name, values in times.items()} | {
        "charts": len(tab.get("plotly_chart"))
    }


def print_tables(frame, summary) -> None:
    columns = ["scope", "base_year", "horizon", "municipalities", "total_mape", "total_malpe"]
    columns += [f"{m}_mape" for m in NAIVE] + ["total_cover80", "total_cover50", "settings"]
    print("## Per base year\n")
    print(markdown(frame[columns]))
    ages = [
        "scope",
        "base_year",
        "67+_mape",
        "67+_constant_mape",
        "67+_share_mape",
        "80+_mape",
        "80+_constant_mape",
        "80+_share_mape",
        "67+_cover80",
        "80+_cover80",
    ]
    print("\n## Aged 67+ and 80+ at 10 years\n")
    print(markdown(frame[frame["horizon"] == 10][ages]))
    print("\n## Means over base years\n")
    wide = summary.set_index(["scope", "horizon"]).T
    wide.columns = [f"{scope} {horizon} år" for scope, horizon in wide.columns]
    print(markdown(wide.reset_index(names="measure")))


def goals(frame, summary) -> list[str]:
    lines = []
    for values in summary.to_dict("records"):
        best = min(values[f"{m}_mape"] for m in NAIVE)
        ok = values["total_mape"] <= best + 1e-9
        verdict = "met" if ok else f"MISSED by {values['total_mape'] - best:.2f} points"
        lines.append(
            f"{values['scope']} h={values['horizon']}: total MAPE {values['total_mape']:.2f} "
            f"vs best naive {best:.2f} → {verdict}; "
            f"MALPE {values['total_malpe']:.2f}"
        )
        if values["horizon"] == 10:
            for group, limit in (("67+", 0.5), ("80+", 0.7)):
                naive = min(values[f"{group}_constant_mape"], values[f"{group}_share_mape"])
                ratio = values[f"{group}_mape"] / naive
                lines.append(
                    f"  {group}: MAPE {values[f'{group}_mape']:.2f} = {ratio:.2f}× best naive "
                    f"{naive:.2f} (goal ≤ {limit}) → {'met' if ratio <= limit else 'MISSED'}"
                )
    lines += coverage(frame)
    return lines


def coverage(frame) -> list[str]:
    """Coverage of the 80 % (and 50 %) intervals pooled over municipalities and base years, for each
    scope, group and horizon, and for the total over both horizons (the goal's «all cases»)."""
    lines = []
    for scope in ("små", "alle"):
        part = frame[frame["scope"] == scope]
        for group in ("total", "67+", "80+"):
            for horizon in HORIZONS:
                rows = part[part["horizon"] == horizon]
                lines.append(_coverage_line(rows, group, f"{scope} {group} h={horizon}"))
        lines.append(_coverage_line(part, "total", f"{scope} total, both horizons"))
    return lines


def _coverage_line(rows, group: str, label: str) -> str:
    weights = rows["municipalities"]
    cover = float(np.average(rows[f"{group}_cover80"], weights=weights))
    cover50 = float(np.average(rows[f"{group}_cover50"], weights=weights))
    verdict = "met" if 70 <= cover <= 90 else "MISSED"
    return (
        f"{label}: 80 % interval coverage {cover:.1f} % (goal 70–90 %) → {verdict}; "
        f"50 % interval {cover50:.1f} %"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--csv", help="write the per-base-year table here")
    parser.add_argument("--render-only", action="store_true", help="only the tab's render time")
    args = parser.parse_args()
    if args.render_only:
        print_render(args.runs)
        return 0
    con = db.connect(db.ensure_database())
    started = time.perf_counter()
    projector = Projector.from_connection(con)
    projector.project("1835")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    Projector(projector.data).project("1835")  # no kept choices: the backtests are run
    computed = time.perf_counter() - started
    started = time.perf_counter()
    frame = evaluation.table(projector)
    table_seconds = time.perf_counter() - started
    summary = evaluation.summary(frame)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    print_tables(frame, summary)
    print("\n## Goals\n")
    for line in goals(frame, summary):
        print(f"- {line}")
    times = timings(projector, con, args.runs)
    print(f"\n## Time (median of {args.runs}; the machine was shared with other work)\n")
    print(f"- first projection in a process (data, and the choices read from the snapshot): {cold:.2f} s")
    print(
        f"- the same with the backtests run instead ({len(model.CANDIDATES)} candidates from every base "
        f"year): {computed:.2f} s"
    )
    print(f"- backtest table: {table_seconds:.1f} s")
    print(
        f"- one municipality, warm, with intervals: {times['project'] * 1000:.2f} ms "
        f"({times['project'] / times['floor']:.2f}× one DuckDB read of its age distribution, "
        f"{times['floor'] * 1000:.2f} ms); goal < 1 s → {'met' if times['project'] < 1 else 'MISSED'}"
    )
    print(f"- with the scenario «netto=+5:20-39»: {times['scenario'] * 1000:.2f} ms")
    print_render(args.runs)
    return 0


def print_render(runs: int) -> None:
    render = tab_render(max(5, runs // 2))
    ratio = render["tab"] / render["bare"]
    print(
        f"- «Framskriving» tab, warm AppTest render ({render['charts']} charts): "
        f"{render['tab'] * 1000:.1f} ms vs the bare one-chart page {render['bare'] * 1000:.1f} ms = "
        f"{ratio:.2f}× (goal ≤ {GOAL_TAB_RATIO}×) → "
        f"{'met' if ratio <= GOAL_TAB_RATIO else 'MISSED'}"
    )
    print(
        f"- for reference, the same page on «Befolkning» (6 charts): {render['befolkning'] * 1000:.1f} ms "
        f"= {render['befolkning'] / render['bare']:.2f}×"
    )


if __name__ == "__main__":
    raise SystemExit(main())
