"""The adviser's workflow in real headless Chromium: import the form tool's spreadsheet on Søknader,
open the county matrix, download the brief; python-docx reads back the checks, talking points, the
timeline and the notes areas."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest
from app_waits import settled

from nokkeltall.applications import talking_points
from nokkeltall.plan import network
from nokkeltall.store import UserStore

pytestmark = pytest.mark.browser

HEADERS = (
    "Tidsmerke;Kommune;Kontaktperson;1. Hvilket år er gjeldende kommuneplanens samfunnsdel fra?;"
    "2. Framdriftsplan for planstrategi og samfunnsdel;"
    "3. Finnes statistikk, nøkkeltall og kunnskapsgrunnlag?;"
    "4. Ressurser satt av til planarbeid;Søknadsrunde;Kommentar"
)


def _round(today: date) -> int:
    return today.year if today <= network.application_deadline(today.year) else today.year + 1


def _no_errors(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_import_matrix_and_brief_document(page, app_url, artifacts, e2e_data_dir, tmp_path):
    round_year, today = _round(date.today()), date.today().strftime("%d.%m.%Y")
    sheet = tmp_path / "soknader.csv"
    sheet.write_bytes(
        "\n".join(
            (
                HEADERS,
                f"{today};Lierne;Kari Nordmann <kari@lierne.kommune.no>;2012;Planstrategi vedtas juni 2027. "
                f"Samfunnsdel vedtas høsten 2028.;Nei. Kun folketall fra SSB, ikke samlet.;"
                f"1 planlegger i 50 % stilling;"
                f"{round_year};fra mobil",
                f"{today};4201;Ola;ingen;Oppstart våren 2027;ja, kommunebilde;2 personer, 60 %;{round_year};",
            )
        ).encode("latin-1")
    )

    page.goto(f"{app_url}/soknader")
    page.get_by_role("tab", name=re.compile("Importer søknader")).click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(sheet))
    page.get_by_text(re.compile("Ingenting kan importeres før dette er rettet")).wait_for()
    page.get_by_text(re.compile("Rad 3, Kommune")).wait_for()  # 4201 is in Agder, not in the network
    assert UserStore(e2e_data_dir / "brukerdata.sqlite").list_applications(round_year, "5042") == []
    page.screenshot(path=str(artifacts / "import_feil.png"), full_page=True)

    fixed = tmp_path / "soknader_rettet.csv"
    fixed.write_bytes(sheet.read_bytes().replace(b";4201;", b";Snaasa;"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(fixed))
    page.get_by_text(re.compile("Ukjent kommune «Snaasa»")).wait_for()
    fixed = tmp_path / "soknader_rettet_igjen.csv"
    fixed.write_bytes(sheet.read_bytes().replace(b";4201;", b";5041;"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(fixed))
    page.get_by_text(re.compile("Filen er kontrollert: 2 nye")).wait_for()
    page.get_by_label("Ditt navn (lagres i endringsloggen)", exact=True).fill("E2E-import")
    page.get_by_role("button", name="Importer søknader").click()
    page.get_by_text(re.compile("Importert: 2 nye")).wait_for()
    _no_errors(page)
    stored = {
        a["municipality_code"]: a
        for a in UserStore(e2e_data_dir / "brukerdata.sqlite").list_applications(round_year)
        if a["entered_by"] == "E2E-import"
    }
    assert set(stored) == {"5042", "5041"} and stored["5042"]["samfunnsdel_year"] == 2012

    page.get_by_role("tab", name=re.compile("Oversikt per fylke")).click()
    matrix = page.locator('[data-testid="stDataFrame"]').first
    matrix.wait_for()
    settled(page)
    page.screenshot(path=str(artifacts / "import_matrise.png"), full_page=True)
    with page.expect_download() as excel:
        page.get_by_role("button", name=re.compile("Last ned oversikten")).click()
    assert excel.value.suggested_filename == f"soknader-{round_year}.xlsx"

    page.get_by_role("tab", name=re.compile("Samtaleunderlag")).click()
    choice = page.get_by_label("Samtaleunderlag for")
    choice.click()
    page.get_by_role("option", name=re.compile("5042 Lierne")).click()
    page.get_by_role("heading", name=re.compile("Samtaleunderlag: Lierne")).wait_for()
    settled(page, charts=1)
    _no_errors(page)
    page.screenshot(path=str(artifacts / "import_samtaleunderlag.png"), full_page=True)
    page.get_by_role("button", name=re.compile("Lag samtaleunderlag som Word")).click()
    download = page.get_by_role("button", name=re.compile("Last ned samtaleunderlag"))
    download.wait_for(timeout=90_000)
    with page.expect_download() as download_info:
        download.click()
    target = artifacts / "samtaleunderlag_import.docx"
    download_info.value.save_as(target)

    document = docx.Document(io.BytesIO(target.read_bytes()))
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1[:3] == ["Sjekk av søknaden mot data", "Samtalepunkter", "Søknadens fire svar"]
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert any(h.startswith("Samfunnsdelens årstall: ") for h in level2)
    assert "Planstrategi og lovens frist: avvik" in level2  # juni 2027 is after 31 October 2024
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("Planlagt vedtak juni 2027 er etter fristen") for t in texts)
    assert (
        "Nei, ikke samlet i et kunnskapsgrunnlag. Kommunen skriver: «Kun folketall fra SSB, ikke samlet»."
        in texts
    )
    points = [t for t in level2 if t.partition(". ")[2] in talking_points.THEMES.values()]
    assert 3 <= len(points) <= 6
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in document.tables]
    notes = [t[0][0] for t in tables if len(t[0]) == 1]
    assert [n for n in notes if n.startswith("Notater til spørsmål")] == [
        f"Notater til spørsmål {n}" for n in "1234"
    ]
    assert len([n for n in notes if n.startswith("Notater til samtalepunkt")]) == len(points)
    timeline = [t for t in tables if t[0] == ["Når", "Hendelse", "Hjemmel/kilde", "Type"]]
    assert timeline and any("planstrategi" in row[1] for row in timeline[0][1:])
    assert len(document.inline_shapes) == 1  # the timeline drawn by the server's browser
    evidence = [t for t in tables if t[0] == ["Hva", "Verdi", "Kilde"]]
    assert len(evidence) == 6 and any("07459" in row[2] for row in evidence[-1][1:])
