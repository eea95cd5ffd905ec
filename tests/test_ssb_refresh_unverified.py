"""A default refresh skips an unverified table whose codes SSB's metadata contradicts, and still
refreshes the verified ones; naming that table explicitly makes the mismatch an error."""

from __future__ import annotations

import pandas as pd
import pytest
from ssb_standin import FakeClock, SsbStandin, StandinTable
from test_ssb_client import SPEC_06913, table_06913

from nokkeltall import snapshot
from nokkeltall.ssb import refresh as refresh_module
from nokkeltall.ssb.client import PxWebClient, ResponseCache, RetryPolicy
from nokkeltall.ssb.tables import TABLES


def kostra_table_with_other_codes() -> StandinTable:
    spec = TABLES["12134"]
    assert spec.to_verify, "this test is about an unverified specification"
    frame = pd.DataFrame(
        {
            "KOKkommuneregion0000": ["1835"],
            "ContentsCode": ["KOSsomethingelse0000"],
            "Tid": ["2024"],
            "value": [1.0],
        }
    )
    return StandinTable("12134", frame, list(frame.columns[:-1]), spec.title, "2025-06-01T08:00:00Z")


@pytest.fixture
def client(tmp_path):
    clock = FakeClock()
    with SsbStandin([table_06913(), kostra_table_with_other_codes()], hang_seconds=0.5) as server:
        yield PxWebClient(
            base_url=server.base_url,
            timeout=0.5,
            retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01, max_total_seconds=5),
            cache=ResponseCache(tmp_path / "cache", max_age=0),
            clock=clock.now,
            sleep=clock.sleep,
        )


def test_default_refresh_skips_contradicted_unverified_table(client, tmp_path, monkeypatch):
    monkeypatch.setattr(refresh_module, "TABLES", {"06913": SPEC_06913, "12134": TABLES["12134"]})
    result = refresh_module.refresh(client=client, snapshot_directory=tmp_path / "snap")
    statuses = {o.table_id: o.status for o in result.outcomes}
    assert statuses == {"06913": "updated", "12134": "skipped"}
    skipped = next(o for o in result.outcomes if o.table_id == "12134")
    assert "hentespesifikasjonen må oppdateres" in skipped.message
    assert result.written
    assert list(snapshot.read_manifest(tmp_path / "snap")["datasets"]) == [SPEC_06913.dataset_name]


def test_named_unverified_table_mismatch_is_an_error(client, tmp_path):
    with pytest.raises(refresh_module.RefreshError, match="12134.*Forrige datagrunnlag er beholdt"):
        refresh_module.refresh(["12134"], client=client, snapshot_directory=tmp_path / "snap")
    assert not (tmp_path / "snap").exists()
