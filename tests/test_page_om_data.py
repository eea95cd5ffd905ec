"""«Om data»: the catalogue and datasets shown equal the package's, and «Oppdater fra SSB» keeps
the previous snapshot intact when SSB fails, and refreshes it when SSB answers."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from pathlib import Path

import pytest
from hostile_server import Hostile
from streamlit.testing.v1 import AppTest

from nokkeltall import db, indicators, queries, snapshot
from nokkeltall.ui.store import PASSWORD_KEY

REPO = Path(__file__).resolve().parent.parent
PAGE = str(REPO / "pages" / "om_data.py")


@pytest.fixture
def data_dir(shipped_database, tmp_path, monkeypatch) -> Path:
    """A writable copy of the shipped snapshot and its database (a refresh may write here)."""
    directory = tmp_path / "data"
    shutil.copytree(REPO / "data" / "snapshot", directory / "snapshot")
    shutil.copy(shipped_database, directory / "nokkeltall.duckdb")
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(directory))
    monkeypatch.delenv("NOKKELTALL_EDITOR_PASSWORD", raising=False)
    return directory


def hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_catalogue_and_datasets_are_listed(data_dir):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    catalogue, datasets = at.dataframe[0].value, at.dataframe[1].value
    assert list(catalogue["Id"]) == [i.id for i in indicators.CATALOGUE]
    with db.connect(data_dir / "nokkeltall.duckdb") as con:
        expected = queries.datasets(con)
    assert len(datasets) == len(expected)
    assert set(datasets["Tabell"]) == set(expected["table_id"])
    dates = datasets["Oppdatert/hentet"].tolist()
    assert all(re.fullmatch(r"\d{1,2}\. [a-zø]+ \d{4}", d) for d in dates), dates  # «21. mai 2025»


def test_refresh_failure_keeps_previous_snapshot(data_dir, monkeypatch):
    """Offline: at once «ingen nettforbindelse», not SSB blamed after half a minute of retries."""
    monkeypatch.setenv("NOKKELTALL_SSB_API", "http://127.0.0.1:9")  # nothing listens there
    before = hashes(data_dir / "snapshot")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    started = time.monotonic()
    at.button(key="refresh_button").click().run()
    assert time.monotonic() - started < 10
    assert not at.exception
    errors = [e.value for e in at.error]
    offline = [e for e in errors if e.startswith("Ingen nettforbindelse")]
    assert offline and all("Forrige datagrunnlag er beholdt" in e for e in offline), errors
    (status,) = at.get("status")
    assert status.label == "Oppdateringen feilet" and status.proto.expanded  # the cause is not folded away
    assert hashes(data_dir / "snapshot") == before


@pytest.mark.parametrize(
    ("mode", "cause"),
    [("mixedindex", "ikke er gyldig JSON-stat"), ("deep", "nestet for dypt"), ("trickle", "for sakte")],
)
def test_refresh_against_a_hostile_server_shows_the_cause(data_dir, monkeypatch, mode, cause):
    with Hostile() as server:
        monkeypatch.setenv("NOKKELTALL_SSB_API", server.base_url(mode))
        monkeypatch.setenv("NOKKELTALL_SSB_TIMEOUT", "1")
        monkeypatch.setenv("NOKKELTALL_SSB_BUDGET", "2")
        before = hashes(data_dir / "snapshot")
        at = AppTest.from_file(PAGE, default_timeout=60).run()
        at.button(key="refresh_button").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(cause in e and "Forrige datagrunnlag er beholdt" in e for e in errors), errors
    assert hashes(data_dir / "snapshot") == before


def test_refresh_requires_password_when_configured(data_dir, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not [b for b in at.button if b.key == "refresh_button"]
    at.text_input(key=PASSWORD_KEY).input("feil").run()
    assert not [b for b in at.button if b.key == "refresh_button"]
    at.text_input(key=PASSWORD_KEY).input("hemmelig").run()
    assert [b for b in at.button if b.key == "refresh_button"]


def test_snapshot_untouched_by_page_view(data_dir):
    before = snapshot.read_manifest(data_dir / "snapshot")
    AppTest.from_file(PAGE, default_timeout=60).run()
    assert snapshot.read_manifest(data_dir / "snapshot") == before
