"""Benchmarks (a script, not tests): every figure is a median over repeated runs and, where a floor
makes sense, a ratio to that floor measured in the same run, so a busy machine shifts both alike.

    .venv/bin/python bench/run.py [--runs 9] [--browser-runs 5] [--skip-browser]   (``make bench``)
    .venv/bin/python bench/run.py --only build,render   (some parts: build, render, decks, browser)

1. warm render of each page (AppTest ``run()`` repeated on the same object, ``?kommune=1835``; the
   municipality page also on its «Framskriving» tab) vs bench/bare_page.py, a page with one Plotly line
   chart of 22 points — goal ≤ 2.5× per page;
2. browser: navigation → first rendered chart (``.js-plotly-plot .main-svg``) on the municipality
   page vs the bare page, in headless /usr/bin/chromium, a fresh browser context per visit — goal ≤ 1.2×;
3. database build from the shipped snapshot vs its floor, the snapshot's Parquet files loaded into
   DuckDB tables and nothing else (bench/build.py, runs alternating) — goal ≤ 2×;
4. peak memory (RSS of the ``streamlit run app.py`` server and its children, sampled every 0.1 s)
   while every page is visited in the browser — goal ≤ 300 MB;
5. Samlingsmodus: the warm render of one slide (3 municipalities, lines) — goal ≤ 2.5× the bare page —
   and the PowerPoint of a 10-slide deck — goal < 2 s — both from nothing cached (queries, figures and
   the .pptx) and from cached figures (the app's download); the self-contained HTML deck of the same
   10 slides is timed for information.

Nothing in data/ is written except the git-ignored database when it is stale: the app runs on a
temporary NOKKELTALL_DATA_DIR whose snapshot and database are links to data/, so the user store
(brukerdata.sqlite) is a throwaway one.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH = REPO_ROOT / "bench"
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no deprecation chatter in the table

CHART = ".js-plotly-plot .main-svg"
KOMMUNE = "1835"

# page file → URL path and the query string used for the memory walk (every page with real content)
PAGES = {
    "pages/oversikt.py": ("oversikt", ""),
    "pages/kommune.py": ("kommune", f"kommune={KOMMUNE}"),
    # issue 5's case: 8 municipalities × 5 indicators
    "pages/sammenlign.py": (
        "sammenlign",
        f"kommuner={KOMMUNE},1836,5043,1856,1816,5052,1857,5033"
        "&indikatorer=population,share_67_plus_pct,old_age_ratio,median_age,"
        "employment_rate_15_74_pct",
    ),
    "pages/samlingsmodus.py": (
        "samlingsmodus",
        f"kommuner={KOMMUNE},5043,1856&indikatorer=population&visning=linjer&lysbilde=1",
    ),
    "pages/plan.py": ("plan", f"kommune={KOMMUNE}"),
    "pages/soknader.py": ("soknader", f"kommune={KOMMUNE}"),
    "pages/om_data.py": ("om-data", ""),
}
# the comparison pages draw nothing for ?kommune= alone: their warm render is measured with charts too
RENDER_WITH_CHOICES = ["pages/sammenlign.py", "pages/samlingsmodus.py"]  # with PAGES[page][1] as address
# tabs of the municipality page measured on their own (only the open tab is drawn): label → (page, address,
# a text that must be in one of its charts, so the measurement includes the tab's figures)
RENDER_TABS = {
    "pages/kommune.py «Framskriving»": (
        "pages/kommune.py",
        f"kommune={KOMMUNE}&del=Framskriving",
        "80 % sannsynlig",
    ),
}
# the municipality page's other tabs are visited too in the memory walk
EXTRA_VISITS = [
    f"kommune?kommune={KOMMUNE}&del={tab}"
    for tab in ("Framskriving", "Arbeid+og+pendling", "%C3%98konomi", "Plan")
]

# what --only can choose; `make bench` measures them all
PARTS = ("build", "render", "decks", "browser")

GOAL_RENDER_RATIO = 2.5
GOAL_SLIDE_RATIO = 2.5  # a slide is one chart and a few lines of text
GOAL_PPTX_SECONDS = 2.0
GOAL_BROWSER_RATIO = 1.2
GOAL_BUILD_RATIO = 2.0
GOAL_MEMORY_MB = 300.0


@dataclass
class Row:
    what: str
    value: str
    floor: str = ""
    ratio: float | None = None
    goal: str = ""
    ok: bool | None = None


def _load_build_module():
    spec = importlib.util.spec_from_file_location("bench_build", BENCH / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scratch_data_dir(folder: Path) -> Path:
    """A data dir whose snapshot and database are the repository's (links), with its own user store."""
    from nokkeltall import config, db

    os.environ.pop("NOKKELTALL_DATA_DIR", None)
    db.ensure_database()
    data = folder / "data"
    data.mkdir()
    (data / "snapshot").symlink_to(config.snapshot_dir())
    (data / "nokkeltall.duckdb").symlink_to(config.database_path())
    return data


# --- 1. warm render in AppTest -------------------------------------------------------------------------


def _render_targets(pages: list[str] | None) -> dict:
    """The bare page, then every page (or those whose file names contain one of ``pages``) as an
    AppTest on ``?kommune=``, then the comparison pages with their choices."""
    from streamlit.testing.v1 import AppTest

    def chosen(page: str) -> bool:
        return not pages or any(part in page for part in pages)

    targets = {
        "bare page (1 chart, 22 points)": AppTest.from_file(str(BENCH / "bare_page.py"), default_timeout=120)
    }
    for page in filter(chosen, PAGES):
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
        at.query_params["kommune"] = KOMMUNE
        at.run()  # registers the pages: om_data.py's url_path «om-data» is not its file name
        at.switch_page(page)
        targets[page] = at
    for page in filter(chosen, RENDER_WITH_CHOICES):
        at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(page)
        for pair in PAGES[page][1].split("&"):
            key, _, value = pair.partition("=")
            at.query_params[key] = value
        targets[f"{page} with its choices"] = at
    for label, (page, address, _) in RENDER_TABS.items():
        if chosen(label):
            targets[label] = _page_at(page, address)
    return targets


def _page_at(page: str, address: str):
    """An AppTest of ``page`` at ``address`` (a query string)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.query_params.update(dict(pair.split("=", 1) for pair in address.split("&")))
    return at


def warm_render(runs: int, pages: list[str] | None = None) -> list[Row]:
    """AppTest compiles every script afresh on each ``run()``; the server keeps the bytecode in its
    script cache until a file changes. One shared cache here, so the figures are the server's.
    ``pages``: only the page files whose names contain one of these (default: every page)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared_cache = ScriptCache()
    app_test.ScriptCache = lambda: shared_cache

    targets = _render_targets(pages)
    failures = {}
    for name, at in targets.items():  # cold run + one warm-up: caches filled, imports done
        at.run()
        at.run()
        if at.exception:
            failures[name] = at.exception[0].message
        elif name in RENDER_TABS and not any(
            RENDER_TABS[name][2] in c.proto.spec for c in at.get("plotly_chart")
        ):
            failures[name] = f"no chart with «{RENDER_TABS[name][2]}»: the tab's figures were not drawn"
    times: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(runs):  # interleaved, so load changes hit floor and pages alike
        for name, at in targets.items():
            started = time.perf_counter()
            at.run()
            times[name].append(time.perf_counter() - started)
    floor_name = next(iter(targets))
    floor = statistics.median(times[floor_name])
    rows = [Row(f"render {floor_name}", f"{floor * 1000:.1f} ms")]
    for name in list(targets)[1:]:
        median = statistics.median(times[name])
        charts = len(targets[name].get("plotly_chart"))
        ratio = median / floor
        goal = GOAL_SLIDE_RATIO if "samlingsmodus" in name else GOAL_RENDER_RATIO
        label = f"render {name} ({charts} charts)" + (" EXCEPTION" if name in failures else "")
        rows.append(
            Row(
                label,
                f"{median * 1000:.1f} ms",
                f"{floor * 1000:.1f} ms",
                ratio,
                f"≤ {goal:g}×",
                ratio <= goal and name not in failures,
            )
        )
    for name, message in failures.items():
        print(f"  ! {name}: {message}", file=sys.stderr)
    return rows


# --- 2 and 4. the browser --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run <script>`` on a free port, with a sampler of its process tree's RSS."""

    def __init__(self, script: Path, env: dict, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "streamlit"),
                "run",
                str(script),
                "--server.port",
                str(self.port),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.peak_kb = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"{script.name} did not start within 120 s")

    def rss_kb(self) -> int:
        return sum(_rss_kb(pid) for pid in _tree(self.process.pid))

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, self.rss_kb())
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def _tree(root: int) -> list[int]:
    """The process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _memory_after(app, visit: str) -> None:
    """Where the memory goes: the server's RSS after each visit, and its peak so far (stderr)."""
    print(
        f"  memory after {visit}: {app.rss_kb() / 1024:.0f} MB, peak {app.peak_kb / 1024:.0f} MB",
        file=sys.stderr,
    )


def _first_chart_seconds(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(CHART, state="attached", timeout=90_000)
        return time.perf_counter() - started
    finally:
        context.close()


def _settle(page, timeout: float = 60) -> None:
    """Wait until the page's script run is over (no running indicator) and the charts are drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        pending = page.locator('[data-testid="stPlotlyChart"]').count() > page.locator(CHART).count()
        if running or pending:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.0:
            return
        time.sleep(0.1)


def browser_benchmarks(runs: int, data_dir: Path, folder: Path) -> list[Row]:
    from playwright.sync_api import sync_playwright

    from nokkeltall import config
    from tests.e2e.browser_settings import CHROMIUM, LAUNCH_ARGS  # the browser the tests check

    if not Path(CHROMIUM).exists():
        return [Row("browser", "Chromium missing at /usr/bin/chromium", ok=False)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(config.SERVER_ENVIRONMENT, NOKKELTALL_DATA_DIR=str(data_dir))  # both as `make run` starts it
    rows = []
    app = Server(REPO_ROOT / "app.py", env, folder / "app.log")
    bare = Server(BENCH / "bare_page.py", env, folder / "bare.log")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
            municipality_url = f"{app.url}/kommune?kommune={KOMMUNE}"
            for url in (bare.url, municipality_url):  # warm the servers' caches
                _first_chart_seconds(browser, url)
            times = {"bare": [], "kommune": []}
            for _ in range(runs):
                times["bare"].append(_first_chart_seconds(browser, bare.url))
                times["kommune"].append(_first_chart_seconds(browser, municipality_url))
            floor, median = statistics.median(times["bare"]), statistics.median(times["kommune"])
            rows.append(Row("browser bare page → first chart", f"{floor:.2f} s"))
            rows.append(
                Row(
                    "browser kommune?kommune=1835 → first chart",
                    f"{median:.2f} s",
                    f"{floor:.2f} s",
                    median / floor,
                    f"≤ {GOAL_BROWSER_RATIO:g}×",
                    median / floor <= GOAL_BROWSER_RATIO,
                )
            )

            # memory: every page (and the municipality page's other tabs) in one session
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
            page = context.new_page()
            exceptions = []
            for path, query in PAGES.values():
                page.goto(f"{app.url}/{path}" + (f"?{query}" if query else ""))
                _settle(page)
                _memory_after(app, path + (f"?{query}" if query else ""))
                if page.locator('[data-testid="stException"]').count():
                    exceptions.append(path)
            for visit in EXTRA_VISITS:
                page.goto(f"{app.url}/{visit}")
                _settle(page)
                _memory_after(app, visit)
            context.close()
            browser.close()
        time.sleep(0.5)
        peak_mb, now_mb = app.peak_kb / 1024, app.rss_kb() / 1024
        failed = f" EXCEPTION on {', '.join(exceptions)}" if exceptions else ""
        bare_mb = bare.peak_kb / 1024
        rows.append(
            Row(
                f"memory: server peak RSS, every page visited{failed}",
                f"{peak_mb:.0f} MB",
                f"(now {now_mb:.0f} MB; bare server peak {bare_mb:.0f} MB)",
                None,
                f"≤ {GOAL_MEMORY_MB:g} MB",
                peak_mb <= GOAL_MEMORY_MB and not exceptions,
            )
        )
    finally:
        app.stop()
        bare.stop()
    return rows


# --- 3. database build -----------------------------------------------------------------------------------


def database_build(runs: int) -> list[Row]:
    from nokkeltall import config

    build_bench = _load_build_module()
    with tempfile.TemporaryDirectory() as folder:
        results = build_bench.build_and_floor(Path(folder), config.snapshot_dir(), runs)
    floor, floor_times, floor_cpu = results["floor"]
    median, times, cpu = results["build"]
    ratio = median / floor
    return [
        Row(
            f"database floor: Parquet → DuckDB tables ({', '.join(f'{t:.2f}' for t in floor_times)} s, "
            f"CPU {floor_cpu:.2f} s)",
            f"{floor:.2f} s",
        ),
        Row(
            f"database build from snapshot ({', '.join(f'{t:.2f}' for t in times)} s, CPU {cpu:.2f} s)",
            f"{median:.2f} s",
            f"{floor:.2f} s",
            ratio,
            f"≤ {GOAL_BUILD_RATIO:g}×",
            ratio <= GOAL_BUILD_RATIO,
        ),
    ]


# --- 5. deck files ----------------------------------------------------------------------------------------


def _ten_slides():
    from nokkeltall import db
    from nokkeltall.compare import slides

    con = db.connect()
    deck = slides.municipality_deck(con, KOMMUNE)
    codes = deck.slides[0].codes
    deck.slides += slides.deck_from_comparison(codes, ["share_0_19_pct", "old_age_ratio"], "linjer").slides
    ids = ["employment_rate_15_74_pct", "median_age"]
    deck.slides += slides.deck_from_comparison(codes, ids, "indeks").slides
    return con, deck


def deck_files(runs: int) -> list[Row]:
    """The .pptx (and HTML) of a 10-slide deck: the municipality deck plus four comparison slides."""
    from nokkeltall.compare import slide_files

    con, deck = _ten_slides()
    views = slide_files._views(con, deck)  # as the app has them cached once the figures were shown
    builds = (
        ("pptx", slide_files.pptx_bytes, GOAL_PPTX_SECONDS),
        (
            "pptx, figures cached (the app's download)",
            lambda c, d: slide_files.pptx_bytes(c, d, views),
            GOAL_PPTX_SECONDS,
        ),
        ("html", slide_files.html_bytes, None),
    )
    rows = []
    for what, build, goal in builds:
        build(con, deck)  # imports and the connection's first queries
        times, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            size = len(build(con, deck))
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        median = statistics.median(times)
        rows.append(
            Row(
                f"{what} of a {len(deck.slides)}-slide deck ({size / 1e6:.1f} MB)",
                f"{median:.2f} s",
                f"(CPU {statistics.median(cpu):.2f} s)",
                goal=f"< {goal:g} s" if goal else "",
                ok=(median < goal) if goal else None,
            )
        )
    con.close()
    return rows


# --- the table ---------------------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    width = max(len(r.what) for r in rows)
    print(f"{'measurement':{width}}  {'median':>10}  {'floor':>12}  {'ratio':>6}  {'goal':>10}  result")
    for r in rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else ""
        result = "" if r.ok is None else ("ok" if r.ok else "MISS")
        print(f"{r.what:{width}}  {r.value:>10}  {r.floor:>12}  {ratio:>6}  {r.goal:>10}  {result}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="warm renders per page (median reported)")
    parser.add_argument(
        "--browser-runs", type=int, default=5, help="browser visits per page (median reported)"
    )
    parser.add_argument("--build-runs", type=int, default=3, help="database builds (median reported)")
    parser.add_argument(
        "--skip-browser", action="store_true", help="leave out the browser and memory figures"
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to measure, of {', '.join(PARTS)} (default: all)",
    )
    parser.add_argument(
        "--pages", default="", help="render only these pages (comma-separated parts of file names)"
    )
    args = parser.parse_args()
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    if parts - set(PARTS):
        unknown = ", ".join(sorted(parts - set(PARTS)))
        parser.error(f"unknown part(s) {unknown}; choose from {', '.join(PARTS)}")
    if args.skip_browser:
        parts.discard("browser")

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} cores", file=sys.stderr)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="nokkeltall-bench-") as folder:
        data_dir = _scratch_data_dir(Path(folder))
        if "build" in parts:
            rows += database_build(args.build_runs)
        os.environ["NOKKELTALL_DATA_DIR"] = str(data_dir)
        if "render" in parts:
            rows += warm_render(args.runs, [p for p in args.pages.split(",") if p])
        if "decks" in parts:
            rows += deck_files(args.build_runs)
        if "browser" in parts:
            rows += browser_benchmarks(args.browser_runs, data_dir, Path(folder))
    print_table(rows)
    missed = [r.what for r in rows if r.ok is False]
    if missed:
        print(f"{len(missed)} goal(s) missed", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
