"""A bookmarked deep link opened as the very first request of a fresh server gets the app's own
navigation (page titles, wide layout), not Streamlit's file-name menu for a ``pages/`` folder."""

from __future__ import annotations

import pytest
from conftest import running_app

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_app_url(e2e_data_dir, app_url):  # app_url: fails clearly when Chromium is missing
    with running_app(e2e_data_dir) as url:
        yield url


# ``fresh_app_url`` before ``page``: the page is closed first, then the server, which stops sooner with no
# browser connected (about 2.5 s against 1.7 s here, and once the full 10 s before it was killed)
def test_first_request_deep_link_uses_app_navigation(fresh_app_url, page, artifacts):
    page.goto(f"{fresh_app_url}/plan?kommune=1812")
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("Søknader").wait_for()
    page.get_by_role("heading", name="Plan").first.wait_for()
    page.screenshot(path=str(artifacts / "deep_link_plan.png"))
    links = nav.inner_text()
    assert "Om data" in links and "Sammenlign" in links
    assert "om data" not in links and "soknader" not in links and "app" not in links.split()
    assert page.locator('[data-testid="stException"]').count() == 0
