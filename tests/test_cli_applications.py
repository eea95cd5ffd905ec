"""``nokkeltall applications import/export`` and ``nokkeltall brief`` on a private copy of the fixture
data: all or nothing, Norwegian messages with exit code 2, the same brief as the page."""

from __future__ import annotations

import io

import docx
import pytest

from nokkeltall import cli
from nokkeltall.store import UserStore

HEADERS = (
    "Tidsmerke;Kommune;Kontaktperson;Samfunnsdel fra år;Framdriftsplan;Kunnskapsgrunnlag;Ressurser;"
    "Søknadsrunde"
)
TRAENA = (
    "20.11.2026;Træna;Kari <kari@traena.kommune.no>;2012;Planstrategi vedtas juni 2027.;nei;"
    "1 person, 50 %;2026"
)
ROYRVIK = "21.11.2026;5043;Ola;ingen;Planstrategi våren 2027;ja, kommunebilde;2 personer, 60 %;2026"


def run(capsys, *argv) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


@pytest.fixture
def sheet(tmp_path):
    def write(*lines, name="soknader.csv", encoding="latin-1"):
        path = tmp_path / name
        path.write_bytes("\n".join(lines).encode(encoding))
        return path

    return write


def stored(data_dir) -> list[dict]:
    return UserStore(data_dir / "brukerdata.sqlite").list_applications()


def test_import_export_and_import_again(writable_data_dir, sheet, capsys, tmp_path):
    code, err = run(capsys, "applications", "import", str(sheet(HEADERS, TRAENA, ROYRVIK)), "--by", "Rita")
    assert code == 0, err
    assert "Importert: 2 nye, 0 endret (ny versjon), 0 uendret." in err
    assert [a["municipality_code"] for a in stored(writable_data_dir)] == ["1835", "5043"]
    out = tmp_path / "eksport.xlsx"
    assert run(capsys, "applications", "export", str(out))[0] == 0
    code, err = run(capsys, "applications", "import", str(out), "--by", "Rita")
    assert code == 0 and "0 nye, 0 endret (ny versjon), 2 uendret." in err
    changed = TRAENA.replace(";2012;", ";2016;")
    code, err = run(capsys, "applications", "import", str(sheet(HEADERS, changed, ROYRVIK)), "--by", "Rita")
    assert "1 endret (ny versjon)" in err and "Rad 2, 1835: ny versjon 2 (1. Samfunnsdel: 2012 → 2016)" in err


@pytest.mark.parametrize(
    "line, message",
    [
        (
            "20.11.2026;Trena;Kari;2012;Plan;nei;1 person, 50 %;2026",
            "Rad 3, Kommune: Ukjent kommune «Trena». Mente du 1835 Træna?",
        ),
        (
            "20.11.2026;Træna;Kari;i fjor;Plan;nei;1 person, 50 %;2026",
            "Rad 3, 1. Samfunnsdel: «i fjor» er ikke et årstall.",
        ),
        (
            "20.11.2026;Træna;Kari;2012;Plan;nei;1 person, 250 %;2026",
            "Rad 3, 4. Ressurser (stillingsandel): Stillingsandelen må være mellom 0 og 100 %.",
        ),
    ],
)
def test_bad_rows_import_nothing(writable_data_dir, sheet, capsys, line, message):
    code, err = run(capsys, "applications", "import", str(sheet(HEADERS, ROYRVIK, line)), "--by", "Rita")
    assert code == 2
    assert "Ingenting er importert; rett opp i filen og prøv igjen:" in err and message in err
    assert "Traceback" not in err
    assert stored(writable_data_dir) == []


def test_empty_and_too_large_files(writable_data_dir, sheet, capsys, tmp_path):
    code, err = run(capsys, "applications", "import", str(sheet("")))
    assert (code, err.strip()) == (2, "Feil: Filen er tom. Ingenting er importert.")
    big = tmp_path / "stor.csv"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, err = run(capsys, "applications", "import", str(big))
    assert code == 2 and "Filen er 50,0 MB; den kan være høyst 5 MB." in err
    assert stored(writable_data_dir) == []


def test_brief_writes_the_same_document_as_the_page(writable_data_dir, sheet, capsys, tmp_path):
    run(capsys, "applications", "import", str(sheet(HEADERS, TRAENA, ROYRVIK)), "--by", "Rita")
    out = tmp_path / "traena.docx"
    code, err = run(capsys, "brief", "Træna", "--round", "2026", "-o", str(out), "--no-charts")
    assert code == 0, err
    document = docx.Document(io.BytesIO(out.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["Sjekk av søknaden mot data", "Samtalepunkter", "Søknadens fire svar"]
    texts = [p.text for p in document.paragraphs]
    assert "Gjeldende samfunnsdel er fra 2012." in texts
    assert any(t.startswith("Planlagt vedtak juni 2027 er etter fristen 31. oktober 2024") for t in texts)
    code, err = run(capsys, "brief", "Trondheim", "-o", str(out))
    assert code == 2 and "Ingen søknad fra 5001. Importer søknadene først." in err
