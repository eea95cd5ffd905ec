"""Søknader and Plan in real headless Chromium: register an application through the form, see it
counted in the county overview, open its conversation brief and download the .docx; the plan
timeline draws. The shared app runs on a private data folder (``e2e_data_dir``); this test reads
the user database the app writes there.
"""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest
from app_waits import settled
from playwright.sync_api import expect

from nokkeltall.plan import network
from nokkeltall.store import UserStore

pytestmark = pytest.mark.browser

CANDIDATES = {"5043": "Røyrvik", "5044": "Namsskogan", "5041": "Snåase - Snåsa", "5042": "Lierne"}


@pytest.fixture
def repo_user_data(e2e_data_dir):
    """The user database of the app under test (in its private data folder)."""
    return UserStore(e2e_data_dir / "brukerdata.sqlite")


def _round(today: date) -> int:
    return today.year if today <= network.application_deadline(today.year) else today.year + 1


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _trondelag_received(page) -> str:
    # metrics in order: Nordland (4), then Trøndelag (4); «Mottatt» is the first of each
    values = page.locator('[data-testid="stMetricValue"]')
    values.nth(7).wait_for()
    return values.nth(4).inner_text()


def test_register_application_overview_and_brief(page, app_url, artifacts, repo_user_data):
    round_year = _round(date.today())
    taken = {a["municipality_code"] for a in repo_user_data.list_applications(round_year)}
    code = next((c for c in CANDIDATES if c not in taken), None)
    if code is None:
        pytest.skip("every candidate municipality already has an application in the repository's data")
    before = sum(
        1 for a in repo_user_data.list_applications(round_year) if a["municipality_code"].startswith("50")
    )

    page.goto(f"{app_url}/soknader?kommune={code}")
    page.get_by_role("tab", name=re.compile("Oversikt per fylke")).wait_for()
    assert _trondelag_received(page) == str(before)

    page.get_by_role("tab", name=re.compile("Registrer")).click()
    page.get_by_text("Kan delta i læringsnettverket.").wait_for()
    form = page.locator('[data-testid="stForm"]').first
    form.get_by_label("Kontaktperson", exact=True).fill("Kari Nordmann")
    form.get_by_label("E-post til kontaktperson", exact=True).fill("kari@kommune.no")
    form.get_by_text("Årstall", exact=True).click()  # no answer is pre-filled: each is chosen
    form.get_by_label("Årstall (når svaret er et årstall)", exact=True).fill("2019")
    form.get_by_label("2. Framdriftsplan for planstrategi og samfunnsdel", exact=True).fill(
        "Planstrategi vedtas våren 2027.\nSamfunnsdel på høring høsten 2027."
    )
    form.get_by_text("Ja", exact=True).click()
    form.get_by_label("3. Hvilken statistikk / hvilket kunnskapsgrunnlag", exact=True).fill(
        "Kommunebarometeret"
    )
    form.get_by_label("4. Antall personer som arbeider med plan", exact=True).fill("2")
    form.get_by_label("4. Samlet stillingsandel til planarbeid (%)", exact=True).fill("60")
    form.get_by_label("Ditt navn (lagres i endringsloggen)", exact=True).fill("E2E-test")
    page.screenshot(path=str(artifacts / "soknad_skjema.png"), full_page=True)
    form.get_by_role("button", name="Lagre søknad").click()
    page.get_by_text(re.compile(rf"Søknaden fra {code} .* er lagret\.")).wait_for()
    _no_errors(page)
    [saved] = [a for a in repo_user_data.list_applications(round_year) if a["municipality_code"] == code]
    assert (saved["contact_name"], saved["planning_staff_persons"], saved["entered_by"]) == (
        "Kari Nordmann",
        2,
        "E2E-test",
    )

    page.get_by_role("tab", name=re.compile("Oversikt per fylke")).click()
    expect(page.locator('[data-testid="stMetricValue"]').nth(4)).to_have_text(str(before + 1))
    page.screenshot(path=str(artifacts / "soknad_oversikt.png"), full_page=True)

    page.get_by_role("tab", name=re.compile("Samtaleunderlag")).click()
    page.get_by_role(
        "heading", name=re.compile(rf"Samtaleunderlag: .*{CANDIDATES[code].split(' - ')[-1]}")
    ).wait_for()
    page.locator('[data-testid="stMarkdownContainer"]').filter(
        has_text="Planstrategi vedtas våren 2027."
    ).first.wait_for()
    settled(page, charts=1)
    _no_errors(page)
    page.screenshot(path=str(artifacts / "soknad_samtaleunderlag.png"), full_page=True)
    page.get_by_role("button", name=re.compile("Lag samtaleunderlag som Word")).click()
    download = page.get_by_role("button", name=re.compile("Last ned samtaleunderlag"))
    download.wait_for(timeout=90_000)
    with page.expect_download() as download_info:
        download.click()
    target = artifacts / "samtaleunderlag.docx"
    download_info.value.save_as(target)
    assert download_info.value.suggested_filename.startswith(f"samtaleunderlag_{code}_")
    document = docx.Document(io.BytesIO(target.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0].startswith("Samtaleunderlag: ") and "Søknadens fire svar" in headings
    assert "Planstrategi vedtas våren 2027." in [p.text for p in document.paragraphs]


def test_plan_timeline_draws(page, app_url, artifacts):
    page.goto(f"{app_url}/plan?kommune=1812")
    page.get_by_role("heading", name="Plantidslinje 2019–2028").wait_for()
    settled(page, charts=1)
    _no_errors(page)
    svg = page.locator(".js-plotly-plot").first.inner_html()
    assert "Planstrategi (pbl § 10-1)" in svg and "Folketall 1. januar" in svg
    assert "Læringsnettverket" not in svg
    page.get_by_text("Vis læringsnettverkets kalender").click()
    expect(page.locator(".js-plotly-plot").first).to_contain_text("Læringsnettverket", timeout=30_000)
    settled(page, charts=1)
    _no_errors(page)
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.screenshot(path=str(artifacts / "plan_1812.png"), full_page=True)
