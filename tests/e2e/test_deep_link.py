"""A bookmarked deep link opened as the very first request of a fresh server gets the app's own
navigation (page titles, wide layout), not Streamlit's file-name menu for a ``pages/`` folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, _free_port, _wait_healthy

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_app_url(e2e_data_dir, app_url):  # app_url: the database in e2e_data_dir is built
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["NOKKELTALL_DATA_DIR"] = str(e2e_data_dir)
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_first_request_deep_link_uses_app_navigation(page, fresh_app_url, artifacts):
    page.goto(f"{fresh_app_url}/plan?kommune=1812")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Søknader").wait_for()
    page.get_by_role("heading", name="Plan").first.wait_for()
    page.screenshot(path=str(artifacts / "deep_link_plan.png"))
    links = nav.inner_text()
    assert "Om data" in links and "Sammenlign" in links
    assert "om data" not in links and "soknader" not in links and "app" not in links.split()
    assert page.locator('[data-testid="stException"]').count() == 0
