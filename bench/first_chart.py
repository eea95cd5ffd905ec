"""Where the browser's time goes before the first chart: the municipality page against the bare page.

    .venv/bin/python bench/first_chart.py [--runs 7]

The same visit as bench/run.py's browser figure (headless /usr/bin/chromium, a fresh context per visit,
navigation → first ``.js-plotly-plot .main-svg``), alternating between the two pages, and for each visit:

- when the connection was made (``_stcore/health`` answered; the page at /kommune probes
  /kommune/_stcore/health first, gets 404 and tries / after Streamlit's 100 ms retry delay);
- when the Plotly chunk (4.7 MB, the same on both pages) was asked for, sent and received: it waits for a free
  connection behind the other lazily loaded chunks (Chromium opens six per host);
- when the first chart's box and its SVG appeared (all charts of the open tab are drawn in one task);
- CPU seconds used by the browser (every Chromium process) and by the server until the first chart: unlike
  the wall time, these hardly change with the others' load on a shared machine.

Medians over the runs; the ratio column divides by the bare page's median.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
sys.path.insert(0, str(REPO_ROOT))

CHART = ".js-plotly-plot .main-svg"
TICKS = os.sysconf("SC_CLK_TCK")
MARKS = """
window.__marks = {};
const mark = (name) => { if (!(name in window.__marks)) window.__marks[name] = performance.now(); };
new MutationObserver(() => {
  if (document.querySelector('[data-testid=stPlotlyChart]')) mark('chart box');
  if (document.querySelector('.js-plotly-plot .main-svg')) mark('chart svg');
}).observe(document, {subtree: true, childList: true});
"""
TIMINGS = """() => {
  const entries = performance.getEntriesByType('resource');
  const plotly = entries.find(e => e.name.includes('/PlotlyChart.'));
  const health = entries.filter(e => e.name.includes('_stcore/health')).pop();
  return {
    'connected': health ? health.responseEnd : null,
    'plotly asked': plotly ? plotly.startTime : null,
    'plotly sent': plotly ? plotly.requestStart : null,
    'plotly received': plotly ? plotly.responseEnd : null,
    'lazy chunks': entries.filter(
      e => e.name.includes('/static/js/') && e.startTime > (health ? health.startTime : 0)).length,
    ...window.__marks,
  };
}"""
COLUMNS = [
    "connected",
    "plotly asked",
    "plotly sent",
    "plotly received",
    "chart box",
    "chart svg",
    "wall",
    "browser CPU",
    "server CPU",
    "lazy chunks",
]


def _load_run_module():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / TICKS


def _visit(browser, url: str, server_pid: int, tree) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    context.add_init_script(MARKS)
    page = context.new_page()
    try:
        browser_cpu, server_cpu = _cpu_seconds(tree(os.getpid())), _cpu_seconds(tree(server_pid))
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(CHART, state="attached", timeout=90_000)
        wall = time.perf_counter() - started
        browser_cpu = _cpu_seconds(tree(os.getpid())) - browser_cpu
        server_cpu = _cpu_seconds(tree(server_pid)) - server_cpu
        row = {
            k: v / 1000 if k != "lazy chunks" and v is not None else v
            for k, v in page.evaluate(TIMINGS).items()
        }
        return {**row, "wall": wall, "browser CPU": browser_cpu, "server CPU": server_cpu}
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="visits per page (medians reported)")
    args = parser.parse_args()
    run = _load_run_module()
    from playwright.sync_api import sync_playwright

    from nokkeltall import config
    from tests.e2e.browser_settings import CHROMIUM, LAUNCH_ARGS

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="nokkeltall-first-chart-") as folder:
        data_dir = run._scratch_data_dir(Path(folder))
        env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
        env.update(config.SERVER_ENVIRONMENT, NOKKELTALL_DATA_DIR=str(data_dir))
        app = run.Server(REPO_ROOT / "app.py", env, Path(folder) / "app.log")
        bare = run.Server(BENCH / "bare_page.py", env, Path(folder) / "bare.log")
        targets = {
            "bare page": (bare, bare.url),
            "kommune": (app, f"{app.url}/kommune?kommune={run.KOMMUNE}"),
        }
        rows: dict[str, list[dict]] = {label: [] for label in targets}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True
                )
                for server, url in targets.values():  # warm the servers' caches
                    _visit(browser, url, server.process.pid, run._tree)
                for _ in range(args.runs):
                    for label, (server, url) in targets.items():
                        rows[label].append(_visit(browser, url, server.process.pid, run._tree))
                browser.close()
        finally:
            app.stop()
            bare.stop()
    _print(rows)
    return 0


def _print(rows: dict[str, list[dict]]) -> None:
    medians = {
        label: {c: statistics.median(r[c] for r in visits if r.get(c) is not None) for c in COLUMNS}
        for label, visits in rows.items()
    }
    floor = medians["bare page"]
    print(
        f"{'seconds since navigation (median)':34}"
        + "".join(f"{c:>16}" for c in ("bare page", "kommune", "ratio"))
    )
    for column in COLUMNS:
        a, b = floor[column], medians["kommune"][column]
        ratio = f"{b / a:.2f}×" if a else ""
        print(f"{column:34}{a:16.2f}{b:16.2f}{ratio:>16}")
    walls = ", ".join(f"{r['wall']:.2f}" for r in rows["kommune"])
    print(f"kommune walls: {walls}")


if __name__ == "__main__":
    raise SystemExit(main())
