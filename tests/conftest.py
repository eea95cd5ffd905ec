"""Shared fixtures: a tiny snapshot and database built from INLINE data by the same code that
builds the real ones (``snapshot.write_datasets`` + ``db.build``).

The fixture municipalities (today's numbers) and what happened to them:

* 1835 Træna (18)            unchanged number
* 1806 Narvik (18)           1805 Narvik + half of 1850 Tysfjord (split 0.5/0.5) before 2020
* 1875 Hamarøy (18)          1849 Hamarøy + the other half of 1850 Tysfjord before 2020
* 5001 Trondheim (50)        1601 Trondheim + 1662 Klæbu before 2018 (a merger: summed)
* 5043 Røyrvik (50)          1739 before 2018 (renumbered only: value as published)

Every number below is chosen so that tests can compute the expected results by hand.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from store_inputs import TODAY as STORE_TODAY

from nokkeltall import db, snapshot
from nokkeltall.datasets import Dataset
from nokkeltall.store import UserStore

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"

MUNICIPALITIES = [
    ("1806", "Narvik", "Narvik", "18", "Nordland"),
    ("1835", "Træna", "Træna", "18", "Nordland"),
    ("1875", "Hamarøy", "Hamarøy - Hábmer", "18", "Nordland"),
    ("5001", "Trondheim", "Trondheim - Tråante", "50", "Trøndelag"),
    ("5043", "Røyrvik", "Raarvihke - Røyrvik", "50", "Trøndelag"),
]
TODAY = [m[0] for m in MUNICIPALITIES]
AGES = (10, 30, 70, 85)

# 07459 totals on the numbers of their own year, persons at ages 10, 30, 70, 85
POPULATION_2016 = {
    "1835": (100, 150, 150, 50),  # 450
    "1739": (50, 100, 100, 50),  # 300
    "1601": (1000, 3000, 800, 200),  # 5000
    "1662": (300, 400, 250, 50),  # 1000
    "1805": (500, 1000, 400, 100),  # 2000
    "1850": (100, 100, 150, 50),  # 400 (split 0.5 / 0.5)
    "1849": (100, 200, 150, 50),  # 500
}
POPULATION_2017 = {**POPULATION_2016, "1835": (110, 150, 150, 50)}  # Træna 460
# 2026 only by sex (female, male): totals must be derived from the two
POPULATION_2026 = {
    "1835": ((40, 60, 70, 30), (50, 90, 80, 20)),  # 200 + 240 = 440
    "5043": ((20, 40, 50, 30), (25, 60, 55, 20)),  # 140 + 160 = 300
    "5001": ((700, 1800, 600, 200), (700, 2000, 500, 100)),  # 3300 + 3300 = 6600
    "1806": ((300, 500, 300, 100), (300, 600, 300, 100)),  # 1200 + 1300 = 2500
    "1875": ((100, 150, 120, 30), (100, 160, 110, 30)),  # 400 + 400 = 800
}


def _mapping_rows() -> list[dict]:
    rows = []
    for year in range(2016, 2025):
        if year <= 2017:
            pairs = [("1601", "5001", 1.0), ("1662", "5001", 1.0), ("1739", "5043", 1.0)]
        elif year <= 2019:
            pairs = [("5001", "5001", 1.0), ("5030", "5001", 1.0), ("5043", "5043", 1.0)]
        else:
            pairs = [("5001", "5001", 1.0), ("5043", "5043", 1.0)]
        if year <= 2019:
            pairs += [
                ("1835", "1835", 1.0),
                ("1805", "1806", 1.0),
                ("1849", "1875", 1.0),
                ("1850", "1806", 0.5),
                ("1850", "1875", 0.5),
            ]
        else:
            pairs += [("1835", "1835", 1.0), ("1806", "1806", 1.0), ("1875", "1875", 1.0)]
        rows += [
            {"region_code": old, "year": year, "municipality_code": new, "weight": w} for old, new, w in pairs
        ]
    return rows


def _population_rows() -> tuple[list[dict], list[dict]]:
    totals = [
        {"region_code": code, "year": year, "sex": "total", "age": age, "persons": persons}
        for year, table in ((2016, POPULATION_2016), (2017, POPULATION_2017))
        for code, values in table.items()
        for age, persons in zip(AGES, values, strict=True)
    ]
    by_sex = [
        {"region_code": code, "year": 2026, "sex": sex, "age": age, "persons": persons}
        for code, (female, male) in POPULATION_2026.items()
        for sex, values in (("female", female), ("male", male))
        for age, persons in zip(AGES, values, strict=True)
    ]
    return totals, by_sex


def _observations() -> list[dict]:
    rows = []

    def add(code, year, measure, value):
        rows.append({"region_code": code, "year": year, "measure": measure, "value": value})

    # KOSTRA amounts 2017 on old numbers (1849's net result is missing: 1875 must become missing)
    for code, net, revenues in (
        ("1601", 100, 1000),
        ("1662", 50, 100),
        ("1739", 10, 100),
        ("1850", 20, 200),
        ("1805", 30, 300),
        ("1849", None, 100),
        ("1835", -5, 50),
    ):
        add(code, 2017, "net_result_1000nok", net)
        add(code, 2017, "revenues_1000nok", revenues)
    # 2024 on today's numbers: county 18 = 105 / 1150 = 9.13 %, a mean of the shares would be 33.7 %
    for code, net, revenues in (
        ("1835", 5, 50),
        ("1806", 10, 1000),
        ("1875", 90, 100),
        ("5001", 100, 10000),
        ("5043", 1, 10),
    ):
        add(code, 2024, "net_result_1000nok", net)
        add(code, 2024, "revenues_1000nok", revenues)
    # 2025: published per-capita net debt and the amount it is computed from (per 31.12 = 1.1.2026)
    # (county 18: 1000 × 17 400 / 3 740 = 4 652 kr; the mean of the three published values would be 7 333 kr)
    for code, debt in (("1835", 4400), ("1806", 5000), ("1875", 8000), ("5001", 66000), ("5043", 3000)):
        add(code, 2025, "net_debt_1000nok", debt)
        add(code, 2025, "net_debt_per_capita_nok", debt * 1000 / sum(map(sum, POPULATION_2026[code])))
    # 11618 employment 2022 on today's numbers
    for code, residents, population, workplace in (
        ("1835", 200, 300, 180),
        ("1806", 1200, 1600, 1500),
        ("1875", 400, 550, 300),
        ("5001", 3500, 4500, 4000),
        ("5043", 150, 200, 140),
    ):
        add(code, 2022, "employed_residents_15_74", residents)
        add(code, 2022, "population_15_74", population)
        add(code, 2022, "employed_workplace_15_74", workplace)
    add("1835", 2025, "revenues_per_capita_nok", 300000)
    add("1835", 2025, "investments_per_capita_nok", 15000)
    # KDD free income 2026 and the population of 1 July it is divided by
    # (Grønt hefte B gives B−1 and B; B is divided by the population of 1 July B−1, as KDD does)
    add("1835", 2026, "free_income_nok", 88_000_000)
    add("1835", 2027, "free_income_nok", 92_400_000)
    add("1835", 2026, "population_1_july", 440)
    add("1835", 2024, "centrality_index", 323)
    # an extract that lacks 1662 Klæbu altogether (inhabited in 2016): 5001 must be missing, not 1601's part
    add("1601", 2016, "extract_count", 70)
    add("1835", 2016, "extract_count", 5)
    # 06913 natural increase 2024 (county 18: −18, country: 480)
    for code, increase in (("1835", -3), ("1806", -10), ("1875", -5), ("5001", 500), ("5043", -2)):
        add(code, 2024, "natural_increase", increase)
    # figures published as they are: 1000 + position (see test_indicators), in their own dataset
    from nokkeltall import indicators

    for index, indicator in enumerate(indicators.PUBLISHED_AS_IS):
        add("1835", 2024, indicator.id, 1000 + index)
    add("1835", 2024, "cost_need_index", 1.4)  # a file; the API dataset below says 1.5 and wins
    add("1806", 2024, "cost_need_index", 1.1)
    return rows


def _commuting() -> list[dict]:
    flows = [
        ("1835", "1835", 150),
        ("1835", "1806", 30),
        ("1835", "5001", 20),
        ("1806", "1806", 1000),
        ("1806", "1835", 5),
    ]
    return [
        {"year": 2022, "home_region_code": h, "work_region_code": w, "employed_persons": n}
        for h, w, n in flows
    ]


def fixture_datasets() -> list[Dataset]:
    totals, by_sex = _population_rows()
    municipalities = pd.DataFrame(
        MUNICIPALITIES, columns=["municipality_code", "name", "official_name", "county_code", "county_name"]
    )
    return [
        Dataset(
            "municipalities_klass131",
            "municipalities",
            municipalities,
            "KLASS-131",
            "Standard for kommuneinndeling (KLASS 131), gyldige koder",
            "klass131_kommuner_codesAt_2026-01-01.json",
        ),
        Dataset(
            "code_mapping_to_2024",
            "code_mapping",
            pd.DataFrame(_mapping_rows()),
            "KLASS-131",
            "Kommunenummer per år omkodet til kommuneinndelingen 2024",
            "kommuneomkoding_til_2024_csdata.csv",
        ),
        Dataset(
            "population_07459_2016_2017",
            "population_age_sex",
            pd.DataFrame(totals),
            "07459",
            "Befolkning",
            "07459_personer_alder_2016-2017.csv",
        ),
        Dataset(
            "population_07459_sex_2026",
            "population_age_sex",
            pd.DataFrame(by_sex),
            "07459",
            "Befolkning",
            "07459_personer_kjonn_alder_2026.csv",
        ),
        # the same figure on 2024 borders (a derived file): the file on its own year's borders wins
        Dataset(
            "population_07459_b2024_2017",
            "population_age_sex",
            pd.DataFrame([{"region_code": "1835", "year": 2017, "sex": "total", "age": 10, "persons": 999}]),
            "07459",
            "Befolkning (avledet)",
            "07459_avledet.csv",
            extra={"borders": 2024},
        ),
        Dataset(
            "kostra_fixture", "observations", pd.DataFrame(_observations()), "12134", "KOSTRA", "kostra.csv"
        ),
        Dataset(
            "cost_need_index_api",
            "observations",
            pd.DataFrame([{"region_code": "1835", "year": 2024, "measure": "cost_need_index", "value": 1.5}]),
            "KDD-DKI",
            "Kostnadsindeks",
            "https://data.ssb.no/api/pxwebapi/v2/tables/x/data?lang=no",
        ),
        Dataset(
            "commuting_03321_2022",
            "commuting_flows",
            pd.DataFrame(_commuting()),
            "03321",
            "Pendling",
            "03321_pendling.csv",
        ),
    ]


# Streamlit gives each of its loggers a handler on sys.stderr as it is when the logger is first used; used
# first inside a test with capsys, that stream is closed by the next test, and every later Streamlit warning
# printed «--- Logging error --- Traceback …» into whatever the next test captures (test_faults' outputs).
logging.raiseExceptions = False


def pytest_collection_modifyitems(items):
    """Browser tests are slow tests too: ``pytest -m "not slow"`` is the quick loop; ``make test`` runs
    everything."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


# `make test` runs the tests in parallel (pytest-xdist, `-n auto --dist loadscope`). Each module stays on one
# worker, so its module-scoped fixtures (a report, a server, every refresh case) are made once. The browser
# tests are two units of about equal length, each on one worker against its own app server in one Chromium
# (one unit was the longest pole of the run). The longest units go out first, so that no worker is left with
# a long module at the end while the others idle.
FIRST = (
    "browser",
    "browser-2",
    "test_report",
    "test_hostile_server",
    "test_checks",
    "test_faults",
    "test_hostile_input",
)
# the unit «browser-2» (the other: the rest, which includes the projection tab's two servers)
SECOND_BROWSER = ("test_every_page", "test_gathering_screen", "test_deep_link", "test_compare_gathering")


def _scope(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    if "/e2e/" not in f"/{path}":
        return path
    return "browser-2" if Path(path).stem in SECOND_BROWSER else "browser"


def _priority(scope: str) -> int:
    name = Path(scope).stem
    return FIRST.index(name) if name in FIRST else len(FIRST)


E2E = REPO_ROOT / "tests" / "e2e"


def _runs_browser_tests(config) -> bool:
    """Whether the run's paths include the browser tests and its marker expression keeps them."""
    markers = config.getoption("markexpr", "") or ""
    if "not slow" in markers or "not browser" in markers:
        return False
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::", 1)[0]).resolve()
        if path == E2E or path in E2E.parents or E2E in path.parents:
            return True
    return False


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: a worker per core, and one more when the browser tests run. Their worker mostly
    waits (for the app server and Chromium, processes of their own, about a third of a core), so with
    one worker per core a core would idle while the others queue. PYTEST_XDIST_AUTO_NUM_WORKERS wins."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1 if _runs_browser_tests(config) else cores


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByModule(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not getattr(self, "ordered", False):  # the first call: the queue is in collection order
                for scope in sorted(self.workqueue, key=_priority):
                    self.workqueue.move_to_end(scope)
                self.ordered = True
            super()._assign_work_unit(node)

    config.option.loadscopereorder = False  # keep the order above (not by number of tests)
    return ByModule(config, log)


@pytest.fixture(scope="session", autouse=True)
def _private_default_data_dir(tmp_path_factory):
    """The default data directory is a private one (the shipped snapshot linked, read-only): a test that
    forgets NOKKELTALL_DATA_DIR never writes the repository's data/ (database, logs, cache), and tests
    running in parallel never share one."""
    directory = tmp_path_factory.mktemp("default-data")
    (directory / "snapshot").symlink_to(REPO_ROOT / "data" / "snapshot")
    previous = os.environ.get("NOKKELTALL_DATA_DIR")
    os.environ["NOKKELTALL_DATA_DIR"] = str(directory)
    yield directory
    if previous is None:
        os.environ.pop("NOKKELTALL_DATA_DIR", None)
    else:
        os.environ["NOKKELTALL_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def fixture_data_dir(tmp_path_factory) -> Path:
    """A data directory (snapshot/ + nokkeltall.duckdb) built from the inline fixture data.
    Shared by the session: treat it as read-only (copy it with ``writable_data_dir`` to change it)."""
    data_dir = tmp_path_factory.mktemp("fixture-data")
    snapshot.write_datasets(fixture_datasets(), data_dir / "snapshot")
    report = db.build(data_dir / "nokkeltall.duckdb", data_dir / "snapshot")
    assert report["problems"] == {}, report["problems"]
    return data_dir


@pytest.fixture(scope="session")
def fixture_snapshot(fixture_data_dir) -> Path:
    return fixture_data_dir / "snapshot"


@pytest.fixture(scope="session")
def fixture_db(fixture_data_dir) -> Path:
    return fixture_data_dir / "nokkeltall.duckdb"


@pytest.fixture()
def con(fixture_db):
    connection = db.connect(fixture_db)
    yield connection
    connection.close()


@pytest.fixture()
def writable_data_dir(fixture_data_dir, tmp_path, monkeypatch) -> Path:
    """A private copy of the fixture data directory, set as NOKKELTALL_DATA_DIR."""
    target = tmp_path / "data"
    # a snapshot symlink stays one; the CLI tests' logs are not copied
    shutil.copytree(fixture_data_dir, target, symlinks=True, ignore=shutil.ignore_patterns("logs"))
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(target))
    return target


# --- the shipped snapshot, for page tests that check what users see on the real data ---------------


@pytest.fixture(scope="session")
def shipped_database(tmp_path_factory) -> Path:
    """The statistics database built once per test run from the shipped data/snapshot (use read-only).

    Parallel workers share it: the first to take the lock builds it in the run's own temporary folder
    (``db.build`` writes a temporary file and renames it), the others wait and open the same file."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    path = root / "shipped" / "nokkeltall.duckdb"
    with open(root / "shipped.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            db.build(path, REPO_ROOT / "data" / "snapshot")
    return path


@pytest.fixture(scope="session")
def shipped_con(shipped_database):
    connection = db.connect(shipped_database)
    yield connection
    connection.close()


@pytest.fixture
def shipped_data_dir(shipped_database, tmp_path, monkeypatch) -> Path:
    """NOKKELTALL_DATA_DIR with the shipped statistics (linked, read-only) and a private user store.

    The app's caches need no clearing between tests: connections are keyed on the database path
    and query results on the snapshot's fingerprint."""
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "snapshot").symlink_to(REPO_ROOT / "data" / "snapshot")
    (directory / "nokkeltall.duckdb").symlink_to(shipped_database)
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(directory))
    monkeypatch.delenv("NOKKELTALL_EDITOR_PASSWORD", raising=False)
    return directory


@pytest.fixture
def store(tmp_path) -> UserStore:
    """An empty user store in a temporary folder, «today» fixed (the store tests' inputs assume it)."""
    return UserStore(tmp_path / "brukerdata.sqlite", today=STORE_TODAY)
