"""Shared browser-test fixtures: the app started once per test session, and a headless Chromium page.

``app_url``: ``streamlit run app.py`` on a free 127.0.0.1 port, with NOKKELTALL_DATA_DIR set to a
private folder holding a copy of the shipped snapshot and of the session's database built from it
(``e2e_data_dir``), so browser tests never touch the repository's data/ or the user's own entries. ``page``: a
Playwright page in Debian's /usr/bin/chromium (no download needed).
Screenshots go to test-artifacts/ (``artifacts`` fixture).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_settings import CHROMIUM, LAUNCH_ARGS

from nokkeltall import config

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"the app did not answer on {url} within {timeout} s")


@pytest.fixture(scope="session")
def e2e_data_dir(tmp_path_factory, shipped_database) -> Path:
    """The shipped snapshot and the session's database built from it (tests/conftest.py), copied: the
    app finds the database current and builds nothing."""
    directory = tmp_path_factory.mktemp("e2e-data")
    shutil.copytree(ROOT / "data" / "snapshot", directory / "snapshot")
    shutil.copyfile(shipped_database, directory / "nokkeltall.duckdb")
    return directory


@contextmanager
def running_app(data_dir: Path, log=subprocess.DEVNULL):
    """``streamlit run app.py`` on a free 127.0.0.1 port with NOKKELTALL_DATA_DIR=data_dir; yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(config.SERVER_ENVIRONMENT, NOKKELTALL_DATA_DIR=str(data_dir))  # as `make run` starts it
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "streamlit"),
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def app_url(e2e_data_dir):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium: install Debian's chromium (see .ci/run)")
    with open(ARTIFACTS_LOG(), "w") as log, running_app(e2e_data_dir, log) as url:
        yield url


def ARTIFACTS_LOG() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / "streamlit-e2e.log"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def app_db(app_url, e2e_data_dir):
    """A read-only connection to the database the app under test reads (to compare what it shows)."""
    from nokkeltall import db

    connection = db.connect(e2e_data_dir / "nokkeltall.duckdb")
    yield connection
    connection.close()
